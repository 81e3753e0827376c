// @ts-check
/**
 * The browser's own MutationObserver, Node and Element getters, requestAnimationFrame and JSON,
 * as a fresh same-origin frame has them: a page may have replaced or patched its own before this
 * script ran (Salesforce's LWC patches MutationObserver and Node's getters; zone.js wraps
 * observers and frames). Taken once, when a capture first needs them, from an about:blank frame
 * removed at once (a removed frame's window loses its globals: they are kept here); the page's
 * own when no frame can be made. A function of one realm works on the nodes of every realm.
 */

/** @type {any} */
let realm;

/** @returns {any} */
function own() {
  if (!realm) {
    /** @type {any} */
    const page = window;
    realm = { MutationObserver, requestAnimationFrame, JSON, getters: {} };
    const names = ['parentNode', 'firstChild', 'nextSibling', 'shadowRoot'];
    /** @param {any} w @param {string} name */
    const getter = (w, name) => Object.getOwnPropertyDescriptor(w[name === 'shadowRoot' ? 'Element' : 'Node'].prototype, name)?.get;
    for (const name of names) realm.getters[name] = getter(page, name);
    try {
      const frame = Document.prototype.createElement.call(document, 'iframe');
      // Not rendered: inserting a rendered frame makes a large page lay out again (~40 ms at 10k elements).
      Element.prototype.setAttribute.call(frame, 'style', 'display:none');
      Element.prototype.append.call(document.documentElement, frame);
      try {
        const w = /** @type {any} */ (frame.contentWindow);
        // The page's own where it is still the browser's (a call within one realm is much
        // faster: ~40 ms less on a 10k-element snapshot), the frame's where the page replaced it.
        /** @param {any} mine @param {any} theirs */
        const pick = (mine, theirs) => (typeof mine === 'function' && w.Function.prototype.toString.call(mine).endsWith('{ [native code] }') ? mine : theirs);
        realm.MutationObserver = pick(page.MutationObserver, w.MutationObserver);
        realm.requestAnimationFrame = pick(page.requestAnimationFrame, w.requestAnimationFrame);
        realm.JSON = { stringify: pick(page.JSON.stringify, w.JSON.stringify) };
        for (const name of names) realm.getters[name] = pick(realm.getters[name], getter(w, name));
      } finally {
        frame.remove();
      }
    } catch {}
  }
  return realm;
}

/** @returns {typeof MutationObserver} */
export const Observer = () => own().MutationObserver;

/** @param {FrameRequestCallback} fn */
export const nextFrame = (fn) => own().requestAnimationFrame.call(window, fn);

/** @param {any} value */
export const stringify = (value) => own().JSON.stringify(value);

/**
 * A node's `parentNode`, `firstChild` or `nextSibling`, or an element's `shadowRoot`.
 * @param {Node} node @param {'parentNode' | 'firstChild' | 'nextSibling' | 'shadowRoot'} name
 * @returns {any}
 */
export const read = (node, name) => own().getters[name].call(node);
