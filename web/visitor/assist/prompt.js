// @ts-check
/**
 * The default UI's consent prompt (terms, remote control, guests): a small dialog in the corner
 * that is never mirrored to the agent (data-tandem-ignore). Ids are `${id}-prompt`,
 * `${id}-accept`, `${id}-decline` — stable, so pages and tests can find them. Keyboard: Escape
 * declines; with `focus` (a prompt the visitor asked for) the accept button takes the focus and
 * it goes back where it was afterwards. Colours meet WCAG AA (4.5:1) on their backgrounds.
 * @param {{id: string, text: string, accept: () => void, decline: () => void, focus?: boolean,
 *          acceptLabel?: string, declineLabel?: string}} options
 * @returns {HTMLElement} the dialog, already in the page
 */
export function showConsentPrompt({ id, text, accept, decline, focus, acceptLabel, declineLabel }) {
  document.getElementById(`${id}-prompt`)?.remove();
  const previous = focus ? /** @type {HTMLElement | null} */ (document.activeElement) : null;
  const box = document.createElement('div');
  box.id = `${id}-prompt`;
  box.setAttribute('data-tandem-ignore', '');
  box.setAttribute('role', 'dialog');
  box.setAttribute('aria-labelledby', `${id}-text`);
  box.style.cssText =
    'position:fixed;z-index:2147483647;right:20px;bottom:20px;box-sizing:border-box;max-width:min(360px,calc(100vw - 40px));' +
    'padding:16px;background:#fff;color:#1d2433;text-align:left;font:15px/1.4 system-ui,sans-serif;border-radius:10px;' +
    'border:1px solid #8a94a6;box-shadow:0 4px 24px rgba(0,0,0,.25)';
  const message = document.createElement('p');
  message.id = `${id}-text`;
  message.style.cssText = 'margin:0 0 12px;color:#1d2433';
  message.textContent = text;
  /** @param {() => void} answer */
  const then = (answer) => () => {
    answer();
    const now = document.activeElement;
    if (previous && previous.isConnected && (!now || now === document.body || !now.isConnected)) previous.focus?.();
  };
  const yes = promptButton(`${id}-accept`, acceptLabel || 'Allow', 'background:#1558d6;color:#fff;border:1px solid #1558d6');
  const no = promptButton(`${id}-decline`, declineLabel || 'Decline', 'background:#fff;color:#1d2433;border:1px solid #5b6478;margin-left:8px');
  yes.addEventListener('click', then(accept));
  no.addEventListener('click', then(decline));
  box.addEventListener('keydown', (event) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    event.stopPropagation();
    then(decline)();
  });
  box.append(message, yes, no);
  document.body.appendChild(box);
  if (focus) yes.focus(/** @type {any} */ ({ focusVisible: true }));
  return box;
}

/** @param {string} id @param {string} label @param {string} colours */
function promptButton(id, label, colours) {
  const button = document.createElement('button');
  button.id = id;
  button.type = 'button';
  button.textContent = label;
  button.style.cssText = `${colours};font:600 14px/1.2 system-ui,sans-serif;padding:8px 16px;border-radius:6px;cursor:pointer`;
  focusRing(button);
  return button;
}

/**
 * A focus ring that shows on any page (dark outline, white gap) while the element has the
 * keyboard's focus (:focus-visible), without a style sheet in the page.
 * @param {HTMLElement} el
 */
export function focusRing(el) {
  el.addEventListener('focus', () => {
    if (!el.matches(':focus-visible')) return;
    el.style.outline = '3px solid #1d2433';
    el.style.outlineOffset = '2px';
    el.dataset.tandemShadow = el.style.boxShadow;
    el.style.boxShadow = '0 0 0 2px #fff';
  });
  el.addEventListener('blur', () => {
    if (el.dataset.tandemShadow === undefined) return;
    el.style.outline = '';
    el.style.outlineOffset = '';
    el.style.boxShadow = el.dataset.tandemShadow;
    delete el.dataset.tandemShadow;
  });
}

/**
 * Answers a request once: the first of accept/decline wins, later calls do nothing. `accept`
 * may carry the page's choices (the seed's VideoParams).
 * @param {(accepted: boolean, params?: any) => void} answer
 * @returns {{accept: (params?: any) => void, decline: () => void}}
 */
export function once(answer) {
  let answered = false;
  const reply = (/** @type {boolean} */ accepted, /** @type {any} */ params) => {
    if (answered) return;
    answered = true;
    answer(accepted, params);
  };
  return { accept: (params) => reply(true, params), decline: () => reply(false) };
}
