// @ts-check
/**
 * Page-wide hooks (prototype patches) are installed once per window (the page's and each
 * same-origin frame's, which have their own prototypes); each new recorder only swaps the
 * callback they report to, so a session that restarts never stacks a second patch.
 * @template {any[]} A
 * @param {(notify: (...args: A) => void, win: any) => void} install patches `win` and calls `notify`
 * @returns {(callback: ((...args: A) => void) | null, win?: Window) => void}
 */
export function pageHook(install) {
  /** @type {((...args: A) => void) | null} */
  let current = null;
  /** @type {WeakSet<Window>} */
  const installed = new WeakSet();
  return (callback, win = window) => {
    current = callback;
    if (!callback || installed.has(win)) return;
    installed.add(win);
    install((...args) => current && current(...args), win);
  };
}
