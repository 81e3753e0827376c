// @ts-check
import { FOCUS_ATTR, FOCUS_WITHIN_ATTR } from './css.js';

/**
 * The visitor's focus and text selection in the mirror. Focus is shown with attributes that
 * the rewritten `:focus` rules match (see css.js): real focus in the mirror would take the
 * agent's keyboard away from the viewer.
 */

/**
 * @param {Document} doc the mirror's document
 * @param {[number, number] | []} fc the focused element's id and whether its ring shows
 * @param {import('../../common/mirror.js').Mirror} mirror
 */
export function applyFocus(doc, fc, mirror) {
  clearFocus(doc);
  const el = fc.length ? /** @type {Element | undefined} */ (mirror.get(fc[0])) : undefined;
  if (!el || el.nodeType !== Node.ELEMENT_NODE) return;
  el.setAttribute(FOCUS_ATTR, fc[1] ? '1' : '0');
  for (let n = outerParent(el); n; n = outerParent(n)) n.setAttribute(FOCUS_WITHIN_ATTR, '');
  el.setAttribute(FOCUS_WITHIN_ATTR, '');
  focused.set(doc, el);
}

/** @type {WeakMap<Document, Element>} */
const focused = new WeakMap();

/** @param {Document} doc */
function clearFocus(doc) {
  const el = focused.get(doc);
  if (!el) return;
  el.removeAttribute(FOCUS_ATTR);
  for (let n = /** @type {Element | null} */ (el); n; n = outerParent(n)) n.removeAttribute(FOCUS_WITHIN_ATTR);
  focused.delete(doc);
}

/**
 * Parent element across shadow roots and mirrored frames.
 * @param {Element} el
 * @returns {Element | null}
 */
function outerParent(el) {
  if (el.parentElement) return el.parentElement;
  const parent = /** @type {any} */ (el.parentNode);
  if (parent && parent.host) return parent.host;
  if (parent && parent.nodeType === Node.DOCUMENT_NODE) return parent.defaultView?.frameElement || null;
  return null;
}

/**
 * @param {Document} doc
 * @param {[number, number, number, number] | []} sl anchor id and offset, focus id and offset
 * @param {import('../../common/mirror.js').Mirror} mirror
 */
export function applySelection(doc, sl, mirror) {
  const selection = doc.getSelection();
  if (!selection) return;
  if (!sl.length) {
    selection.removeAllRanges();
    return;
  }
  const anchor = mirror.get(sl[0]);
  const focus = mirror.get(sl[2]);
  if (!anchor || !focus || anchor.ownerDocument !== doc || focus.ownerDocument !== doc) return;
  try {
    selection.setBaseAndExtent(anchor, sl[1], focus, sl[3]);
  } catch {
    /* offsets beyond the mirrored text: leave the selection */
  }
}
