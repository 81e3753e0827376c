// @ts-check
/**
 * Focus and text selection, so the agent sees the focus ring and the highlighted text where
 * the visitor does:
 *   fc  [id, visible]   the focused element (through shadow roots and frames); visible = 1 when
 *                       it matches :focus-visible; [] when nothing is focused
 *   sl  [anchorId, anchorOffset, focusId, focusOffset]   the page's text selection; [] for none
 */

/**
 * @param {import('../../common/mirror.js').Mirror} mirror
 * @param {(el: Element) => boolean} hidden masked elements: their focus is not shown
 * @returns {[number, number] | []}
 */
export function focusState(mirror, hidden) {
  let el = document.activeElement;
  for (;;) {
    if (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
    else if (el && (el.localName === 'iframe' || el.localName === 'frame') && innerActive(el)) el = innerActive(el);
    else break;
  }
  if (!el || el.localName === 'body' || el.localName === 'html' || hidden(el)) return [];
  const id = mirror.idOf(el);
  if (id === undefined) return [];
  let visible = 0;
  try {
    visible = el.matches(':focus-visible') ? 1 : 0;
  } catch {
    /* an older browser: no ring */
  }
  return [id, visible];
}

/** @param {Element} frame */
function innerActive(frame) {
  try {
    const doc = /** @type {HTMLIFrameElement} */ (frame).contentDocument;
    const active = doc && doc.activeElement;
    return active && active !== doc.body ? active : null;
  } catch {
    return null;
  }
}

/**
 * @param {import('../../common/mirror.js').Mirror} mirror
 * @param {(node: Node) => boolean} hidden nodes in masked regions: a selection there is not sent
 * @returns {[number, number, number, number] | []}
 */
export function selectionState(mirror, hidden) {
  const sel = document.getSelection();
  if (!sel || sel.isCollapsed || !sel.anchorNode || !sel.focusNode) return [];
  const a = mirror.idOf(sel.anchorNode);
  const f = mirror.idOf(sel.focusNode);
  if (a === undefined || f === undefined || hidden(sel.anchorNode) || hidden(sel.focusNode)) return [];
  return [a, sel.anchorOffset, f, sel.focusOffset];
}
