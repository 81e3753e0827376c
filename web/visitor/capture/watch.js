// @ts-check
import { observeCanvasDrawing } from './canvas.js';
import { hookAttachShadow, hookFormSetters, hookHistory } from './page-hooks.js';
import { isStylesheetLink } from './serialize.js';
import { observeStyleSheets } from './styles.js';

/**
 * What the recorder watches on the page and on every same-origin frame document and open shadow
 * root it meets: the MutationObserver, the events that carry state the DOM does not show, and
 * (per window) the prototype hooks.
 * @typedef {import('./recorder.js').Recorder} Recorder
 */

/** What the MutationObserver watches. */
export const OBSERVE = { childList: true, attributes: true, characterData: true, subtree: true };

/**
 * Watches a document (the page or a same-origin frame's) or an open shadow root: DOM changes,
 * form input, scrolling, late stylesheets and frames, focus; in a frame's window, the
 * prototype hooks too (each window has its own prototypes).
 * @param {Recorder} r @param {Document | ShadowRoot} root
 */
export function watchRoot(r, root) {
  if (!r.running || r.roots.has(root)) return;
  r.roots.add(root);
  // Met while being serialized: its adopted sheets went with it.
  r.adoptedSent.set(root, Array.from(root.adoptedStyleSheets || []));
  r.observer?.observe(root, OBSERVE);
  if (root.nodeType === Node.DOCUMENT_NODE) {
    const win = /** @type {Document} */ (root).defaultView;
    if (win) {
      observeStyleSheets((sheet) => r.markSheetChange(sheet), win);
      hookFormSetters((el) => r.running && r.markInput(el), win);
      hookAttachShadow((host) => r.running && r.markResend(host), win);
      observeCanvasDrawing((canvas) => r.running && r.markCanvas(canvas), win);
      if (win !== window) hookHistory(r.historyChanged, win);
    }
  }
  if (r.listening.has(root)) return;
  r.listening.add(root);
  const frameWin = root !== document && root.nodeType === Node.DOCUMENT_NODE ? /** @type {Document} */ (root).defaultView : null;
  if (frameWin) {
    r.listen(frameWin, 'popstate', () => r.historyChanged(frameWin));
    r.listen(frameWin, 'hashchange', () => r.historyChanged(frameWin));
  }
  const target = (/** @type {Event} */ e) => e.composedPath()[0] || e.target;
  r.listen(root, 'input', (e) => r.markInput(target(e)), true);
  r.listen(root, 'change', (e) => r.markInput(target(e)), true);
  r.listen(root, 'scroll', (e) => r.markScroll(e.target), true);
  // (A failed <source> fires `error` at itself, not at its media element.)
  for (const type of ['play', 'pause', 'seeked', 'ended', 'error']) r.listen(root, type, (e) => r.markInput(e.target.localName == 'source' ? e.target.parentNode : e.target), true);
  r.listen(root, 'focusin', () => r.markFocus(), true);
  r.listen(root, 'focusout', () => r.markFocus(), true);
  // A stylesheet that finishes loading becomes readable: send its rules. A frame that loads a
  // document is sent again with it. An image that loads may have picked another source.
  r.listen(root, 'load', (e) => {
    const el = /** @type {Element} */ (e.target);
    if (!el || el.nodeType !== Node.ELEMENT_NODE) return;
    if (el.localName === 'link' && isStylesheetLink(el)) r.markSheet(el);
    else if (el.localName === 'iframe' || el.localName === 'frame') r.markResend(el);
    else if (el.localName === 'img') r.markImage(/** @type {HTMLImageElement} */ (el));
  }, true);
  if (root.nodeType === Node.DOCUMENT_NODE) r.listen(root, 'selectionchange', () => r.markFocus());
  // The pointer over a frame: in the frame's coordinates, moved into the page's in `flush`.
  if (root !== document && root.nodeType === Node.DOCUMENT_NODE) {
    r.listen(root, 'mousemove', (e) => r.markPointer([e.clientX, e.clientY, /** @type {Document} */ (root)]), true);
  }
}

/**
 * A point in a frame's viewport, in the page's viewport (one layout read per frame, once per
 * batch at most).
 * @param {number} x @param {number} y @param {Document} doc
 * @returns {[number, number] | null} null when the frame is gone
 */
export function pagePoint(x, y, doc) {
  for (let win = /** @type {Window | null} */ (doc.defaultView); win && win !== window; win = win.parent) {
    const frame = win.frameElement;
    if (!frame) return null;
    const rect = frame.getBoundingClientRect();
    x += rect.left + frame.clientLeft;
    y += rect.top + frame.clientTop;
  }
  return [Math.round(x), Math.round(y)];
}

/** Notices sheets pushed onto (or removed from) adoptedStyleSheets, which fires nothing. @param {Recorder} r */
export function pollAdopted(r) {
  if (!r.running || r.paused) return;
  for (const root of r.roots) {
    const now = root.adoptedStyleSheets || [];
    const sent = r.adoptedSent.get(root) || [];
    if (now.length !== sent.length || now.some((sheet, i) => sheet !== sent[i])) r.markAdopted(root);
  }
}

/** What the agents now have, after a full page. @param {Recorder} r */
export function noteAdoptedSent(r) {
  for (const root of r.roots) r.adoptedSent.set(root, Array.from(root.adoptedStyleSheets || []));
}
