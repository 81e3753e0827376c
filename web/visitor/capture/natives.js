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
/** @type {Record<string, Function>} */
const getters = {};

/** @returns {any} */
function own() {
  if (!realm) {
    realm = window;
    try {
      const frame = Document.prototype.createElement.call(document, 'iframe');
      Element.prototype.append.call(document.documentElement, frame);
      try {
        const { MutationObserver, Node, Element, requestAnimationFrame, JSON } = /** @type {any} */ (frame.contentWindow);
        realm = { MutationObserver, Node, Element, requestAnimationFrame, JSON };
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
export const read = (node, name) =>
  (getters[name] ||= /** @type {any} */ (Object.getOwnPropertyDescriptor(own()[name === 'shadowRoot' ? 'Element' : 'Node'].prototype, name)).get).call(node);
