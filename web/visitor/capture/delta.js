// @ts-check
import { currentSource, formState } from './state.js';
import { sheetText } from './styles.js';

/**
 * What changed since the last batch (`PendingChanges`), and the members of a delta that are not
 * DOM mutations, read from it: form values and picked image sources, stylesheets, adopted sheets, canvases,
 * scrolling, focus and selection. Marked nodes that are gone, masked, or new in this batch
 * (their serialization already says it all) are skipped.
 * @typedef {import('./recorder.js').Recorder} Recorder
 */

/**
 * What changed on the page since the last batch: the one owner of the recorder's pending-change
 * state. The recorder's watchers mark into it (`Recorder.mark…`), a batch (`Recorder.flush`)
 * reads it into a delta and clears it, a full page clears it (the page covers it all).
 */
export class PendingChanges {
  constructor() {
    /** @type {MutationRecord[]} */
    this.records = [];
    /** Form fields and media whose state changed. @type {Set<Element>} */
    this.inputs = new Set();
    /** Style and stylesheet-link elements whose rules changed or became readable. @type {Set<Element>} */
    this.sheets = new Set();
    /** Documents and shadow roots whose list of adopted sheets changed. @type {Set<Document | ShadowRoot>} */
    this.adopted = new Set();
    /** Constructed sheets whose rules changed. @type {Set<CSSStyleSheet>} */
    this.changedSheets = new Set();
    /** Elements sent again whole: a frame that loaded a new document, a host given a shadow
     * root, a masked box whose size changed. @type {Set<Element>} */
    this.resend = new Set();
    /** Images that may have picked another source. @type {Set<HTMLImageElement>} */
    this.images = new Set();
    /** The window (document), a frame's document or an element that scrolled. @type {Set<Element | Document>} */
    this.scrolls = new Set();
    this.focus = false;
    this.viewport = false;
    this.url = false;
    /** The pointer in the page's viewport, or in a frame's (with that frame's document). */
    /** @type {[number, number] | [number, number, Document] | null} */
    this.pointer = null;
  }

  /** Everything but the mutation records (which the batch takes first). */
  clearMarks() {
    this.inputs.clear();
    this.sheets.clear();
    this.adopted.clear();
    this.changedSheets.clear();
    this.resend.clear();
    this.images.clear();
    this.scrolls.clear();
    this.focus = this.viewport = this.url = false;
    this.pointer = null;
  }

  clear() {
    this.records = [];
    this.clearMarks();
  }

  /** Takes the mutation records gathered so far. */
  takeRecords() {
    const records = this.records;
    this.records = [];
    return records;
  }
}

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
