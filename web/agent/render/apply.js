// @ts-check
import { constructedSheets, mirrorCss } from './css.js';
import { applyFocus, applySelection } from './focus.js';
import { expandIds } from '../../common/ids.js';
import { buildNode, finishBuild, pending, setAttributes } from './rebuild.js';
import { applyFormState, paintCanvas, showModal } from './state.js';

/**
 * Applies one delta batch to the mirrored document, in the order the visitor recorded it:
 * removals, additions (parents first, next sibling known), text, attributes, form values,
 * stylesheets, adopted sheets, canvases, focus and selection (scrolling is the caller's). An id
 * that is not there means the copy diverged: the caller asks for a fresh page instead of throwing.
 * @param {Document} doc
 * @param {any} delta
 * @param {import('../../common/mirror.js').Mirror} mirror
 * @returns {{missing: number}}
 */
export function applyDelta(doc, delta, mirror) {
  let missing = 0;
  // Constructed sheets first: roots added below, and `as`, name them by id.
  for (const [id, text] of delta.ss || []) constructedSheets.setText(id, text);
  for (const id of delta.rm || []) {
    const node = mirror.get(id);
    if (!node) continue; // already gone with its parent
    node.parentNode?.removeChild(node);
    mirror.removeSubtree(node);
  }
  const later = pending();
  for (const add of delta.add || []) {
    const parent = mirror.get(add.p);
    if (!parent) {
      missing++;
      continue;
    }
    // Built in the document it goes into (a mirrored frame's, or a shadow root's owner).
    const owner = parent.nodeType === Node.DOCUMENT_NODE ? /** @type {Document} */ (parent) : parent.ownerDocument || doc;
    const node = buildNode(owner, expandIds(add.node), mirror, later);
    if (!node) continue;
    const next = add.n === null ? null : mirror.get(add.n);
    if (add.n !== null && !next) missing++;
    parent.insertBefore(node, next && next.parentNode === parent ? next : null);
  }
  finishBuild(later, mirror);
  for (const [id, text] of delta.tx || []) {
    const node = mirror.get(id);
    if (node) /** @type {CharacterData} */ (node).data = text;
    else missing++;
  }
  for (const [id, attrs] of delta.at || []) {
    const el = /** @type {Element | undefined} */ (mirror.get(id));
    if (!el) {
      missing++;
      continue;
    }
    setAttributes(el, attrs, mirror);
  }
  for (const [id, state] of delta.in || []) {
    const el = /** @type {Element | undefined} */ (mirror.get(id));
    if (!el) {
      missing++;
      continue;
    }
    applyFormState(el, state);
    if (state.md && el.localName === 'dialog') showModal(/** @type {HTMLDialogElement} */ (el));
  }
  for (const [id, css] of delta.css || []) {
    const el = /** @type {Element | undefined} */ (mirror.get(id));
    if (!el) {
      missing++;
    } else if (el.localName === 'link') {
      // A sheet that became readable after loading: swap the link for its rules.
      const style = doc.createElement('style');
      const media = el.getAttribute('media');
      if (media) style.setAttribute('media', media);
      style.textContent = mirrorCss(css);
      el.replaceWith(style);
      mirror.set(id, style);
    } else {
      el.textContent = mirrorCss(css);
    }
  }
  for (const [id, ids] of delta.as || []) {
    const root = mirror.get(id);
    if (root) constructedSheets.adopt(/** @type {Document | ShadowRoot} */ (root), ids);
    else missing++;
  }
  for (const [id, data] of delta.cv || []) {
    const canvas = mirror.get(id);
    if (canvas && /** @type {Element} */ (canvas).localName === 'canvas') paintCanvas(/** @type {HTMLElement} */ (canvas), data);
    else if (!canvas) missing++;
  }
  if (delta.fc) applyFocus(doc, delta.fc, mirror);
  if (delta.sl) applySelection(doc, delta.sl, mirror);
  return { missing };
}

/**
 * Scrolls the window (id 0) or an element.
 * @param {Window} win @param {number} id @param {number} x @param {number} y
 * @param {import('../../common/mirror.js').Mirror} mirror
 */
export function applyScroll(win, id, x, y, mirror) {
  if (id === 0) {
    win.scrollTo(x, y);
    return;
  }
  const el = /** @type {Element | undefined} */ (mirror.get(id));
  if (el && el.nodeType === Node.DOCUMENT_NODE) {
    // A mirrored frame's own scrolling.
    /** @type {Document} */ (/** @type {unknown} */ (el)).defaultView?.scrollTo(x, y);
  } else if (el) {
    el.scrollLeft = x;
    el.scrollTop = y;
  }
}
