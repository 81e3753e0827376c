// @ts-check
/**
 * The default UI's question before a session moves to another site (promptCrossDomain) or
 * continues on a page that was opened with session parameters (urlstartwarning): a small dialog
 * with Yes and No, never mirrored to the agent (data-tandem-ignore). Accessible: role
 * "alertdialog" labelled by its text, Yes gets focus, Tab stays on the two buttons, Escape
 * answers No, and focus goes back where it was. Ids: `${id}-prompt`, `${id}-accept`,
 * `${id}-decline`.
 * @param {{id: string, text: string, accept: () => void, decline: () => void}} options
 * @returns {HTMLElement} the dialog, already in the page
 */
export function showCrossDomainPrompt({ id, text, accept, decline }) {
  document.getElementById(`${id}-prompt`)?.remove();
  const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const box = document.createElement('div');
  box.id = `${id}-prompt`;
  box.setAttribute('data-tandem-ignore', '');
  box.setAttribute('role', 'alertdialog');
  box.setAttribute('aria-modal', 'false');
  box.setAttribute('aria-labelledby', `${id}-text`);
  box.style.cssText =
    'position:fixed;z-index:2147483647;right:20px;bottom:20px;max-width:340px;padding:16px;background:#fff;color:#1d2433;' +
    'font:15px/1.4 system-ui,sans-serif;border-radius:10px;box-shadow:0 4px 24px rgba(0,0,0,.3);border:1px solid #5b6478';
  const message = document.createElement('p');
  message.id = `${id}-text`;
  message.style.margin = '0 0 12px';
  message.textContent = text;
  const button = (/** @type {string} */ suffix, /** @type {string} */ label, /** @type {boolean} */ primary) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.id = `${id}-${suffix}`;
    b.textContent = label;
    // #0b57d0 on white and white on #0b57d0: 6.6:1 (WCAG AA).
    b.style.cssText =
      'font:600 15px/1.2 system-ui,sans-serif;padding:8px 18px;border-radius:6px;cursor:pointer;margin-right:8px;' +
      (primary ? 'background:#0b57d0;color:#fff;border:2px solid #0b57d0' : 'background:#fff;color:#0b57d0;border:2px solid #0b57d0');
    return b;
  };
  const yes = button('accept', 'Yes', true);
  const no = button('decline', 'No', false);
  const close = () => {
    box.remove();
    if (before?.isConnected) before.focus();
  };
  yes.addEventListener('click', () => {
    close();
    accept();
  });
  no.addEventListener('click', () => {
    close();
    decline();
  });
  box.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      close();
      decline();
    } else if (event.key === 'Tab') {
      event.preventDefault();
      (document.activeElement === yes ? no : yes).focus();
    }
  });
  box.append(message, yes, no);
  const show = () => {
    document.body.appendChild(box);
    yes.focus();
  };
  if (document.body) show();
  else document.addEventListener('DOMContentLoaded', show, { once: true });
  return box;
}
