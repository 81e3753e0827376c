// @ts-check
import { currentSource, formState } from './state.js';
import { sheetText } from './styles.js';

/**
 * The members of a delta that are not DOM mutations, read from what the recorder marked since
 * the last batch: form values and picked image sources, stylesheets, adopted sheets, canvases,
 * scrolling, focus and selection. Marked nodes that are gone, masked, or new in this batch
 * (their serialization already says it all) are skipped.
 * @typedef {import('./recorder.js').Recorder} Recorder
 */

/** @param {Recorder} r @param {any} delta */
export function collectInputs(r, delta) {
  const list = [];
  for (const el of r.pending.inputs) {
    const id = r.mirror.idOf(el);
    if (id === undefined || r.serializer.fresh.has(id) || !el.isConnected) continue;
    // Through its ancestors, shadow hosts and frames, not the field alone.
    if (r.isMasked(el)) continue;
    const state = {};
    formState(el, state);
    if (Object.keys(state).length) list.push([id, state]);
  }
  for (const img of r.pending.images) {
    const id = r.mirror.idOf(img);
    if (id === undefined || r.serializer.fresh.has(id) || !img.isConnected || r.isMasked(img)) continue;
    const src = currentSource(img);
    if (src) list.push([id, { cs: src }]);
  }
  if (list.length) delta.in = list;
}

/** @param {Recorder} r @param {any} delta */
export function collectAdopted(r, delta) {
  const list = [];
  for (const root of r.pending.adopted) {
    const id = r.mirror.idOf(root);
    if (id === undefined || r.serializer.fresh.has(id) || !isLive(root)) continue;
    list.push([id, r.serializer.constructed.adoptedBy(root)]);
    r.adoptedSent.set(root, Array.from(root.adoptedStyleSheets || []));
  }
  if (list.length) delta.as = list;
}

/** @param {Recorder} r @param {any} delta */
export function collectCanvases(r, delta) {
  const list = r.canvases.take((canvas) => {
    const id = r.mirror.idOf(canvas);
    if (id === undefined || r.serializer.fresh.has(id)) return undefined;
    return r.isMasked(canvas) ? undefined : id;
  });
  if (list.length) delta.cv = list;
}

/** @param {Recorder} r @param {any} delta */
export function collectFocus(r, delta) {
  if (!r.pending.focus) return;
  const focus = JSON.stringify(r.focusNow());
  if (focus !== r.focusSent) delta.fc = JSON.parse((r.focusSent = focus));
  const selection = JSON.stringify(r.selectionNow());
  if (selection !== r.selectionSent) delta.sl = JSON.parse((r.selectionSent = selection));
}

/** @param {Recorder} r @param {any} delta */
export function collectSheets(r, delta) {
  const list = [];
  for (const el of r.pending.sheets) {
    const id = r.mirror.idOf(el);
    if (id === undefined || r.serializer.fresh.has(id) || !el.isConnected) continue;
    const css = sheetText(/** @type {HTMLStyleElement | HTMLLinkElement} */ (el), r.fonts);
    if (css !== null) list.push([id, css]);
  }
  if (list.length) delta.css = list;
}

/** @param {Recorder} r @param {any} delta */
export function collectScrolls(r, delta) {
  const list = [];
  for (const target of r.pending.scrolls) {
    if (target === document) {
      list.push([0, window.scrollX, window.scrollY]);
      continue;
    }
    if (target.nodeType === Node.DOCUMENT_NODE) {
      // A frame's own scrolling, under its document's id.
      const doc = /** @type {Document} */ (target);
      const id = r.mirror.idOf(doc);
      if (id !== undefined && doc.defaultView) list.push([id, doc.defaultView.scrollX, doc.defaultView.scrollY]);
      continue;
    }
    const el = /** @type {Element} */ (target);
    const id = r.mirror.idOf(el);
    if (id !== undefined && el.isConnected) list.push([id, el.scrollLeft, el.scrollTop]);
  }
  if (list.length) delta.sc = list;
}

/** Whether a watched root is still in a live page. @param {Document | ShadowRoot} root */
function isLive(root) {
  return root.nodeType === Node.DOCUMENT_NODE ? Boolean(/** @type {Document} */ (root).defaultView) : /** @type {ShadowRoot} */ (root).host.isConnected;
}
