// @ts-check
/**
 * Page-wide hooks (prototype patches) are installed once per page; each new recorder only swaps
 * the callback they report to, so a session that restarts never stacks a second patch.
 * @template {any[]} A
 * @param {(notify: (...args: A) => void) => void} install patches the page and calls `notify`
 * @returns {(callback: ((...args: A) => void) | null) => void}
 */
export function pageHook(install) {
  /** @type {((...args: A) => void) | null} */
  let current = null;
  let installed = false;
  return (callback) => {
    current = callback;
    if (installed) return;
    installed = true;
    install((...args) => current && current(...args));
  };
}
