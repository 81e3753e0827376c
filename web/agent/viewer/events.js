// @ts-check
/**
 * What the viewer tells the page that embeds it (`GLANCE.Cobrowse.Agent`, by postMessage to
 * that page's exact origin) and its own listeners, and the commands that page may send back.
 */

/** The embedding page's origin (the viewer's own when it is not embedded). */
export const parentOrigin = /** @type {any} */ (location).ancestorOrigins?.[0] || (document.referrer ? new URL(document.referrer).origin : location.origin);

/** Last payload of each event, for getSessionState(). */
export const state = /** @type {Record<string, any>} */ ({});

/** @param {string} type @param {any} [data] */
export function emit(type, data) {
  state[type] = data;
  if (window.parent !== window) window.parent.postMessage({ tandem: 'agent-event', type, data }, parentOrigin);
  document.dispatchEvent(new CustomEvent('tandem-agent-event', { detail: { type, data } }));
}

/**
 * Commands from the embedding page only (its window and origin).
 * @param {(command: {cmd: string, name?: unknown, data?: unknown, url?: unknown, action?: unknown, kind?: unknown, paused?: unknown, reverse?: unknown, file?: unknown, download?: unknown}) => void} handler
 */
export function onCommand(handler) {
  window.addEventListener('message', (event) => {
    if (event.source !== window.parent || event.origin !== parentOrigin) return;
    const data = event.data;
    if (data && data.tandem === 'agent-command' && typeof data.cmd === 'string') handler(data);
  });
}
