// @ts-check
/**
 * The default UI's consent prompt (remote control, guests): a small dialog in the corner that is
 * never mirrored to the agent (data-tandem-ignore). Ids are `${id}-prompt`, `${id}-accept`,
 * `${id}-decline` — stable, so pages and tests can find them.
 * @param {{id: string, text: string, accept: () => void, decline: () => void}} options
 * @returns {HTMLElement} the dialog, already in the page
 */
export function showConsentPrompt({ id, text, accept, decline }) {
  document.getElementById(`${id}-prompt`)?.remove();
  const box = document.createElement('div');
  box.id = `${id}-prompt`;
  box.setAttribute('data-tandem-ignore', '');
  box.setAttribute('role', 'dialog');
  box.style.cssText =
    'position:fixed;z-index:2147483647;right:20px;bottom:20px;max-width:320px;padding:16px;background:#fff;color:#1d2433;' +
    'font:15px/1.4 system-ui,sans-serif;border-radius:10px;box-shadow:0 4px 24px rgba(0,0,0,.25)';
  const message = document.createElement('p');
  message.style.margin = '0 0 12px';
  message.textContent = text;
  const yes = document.createElement('button');
  yes.id = `${id}-accept`;
  yes.textContent = 'Allow';
  const no = document.createElement('button');
  no.id = `${id}-decline`;
  no.textContent = 'Decline';
  no.style.marginLeft = '8px';
  yes.addEventListener('click', accept);
  no.addEventListener('click', decline);
  box.append(message, yes, no);
  document.body.appendChild(box);
  return box;
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
