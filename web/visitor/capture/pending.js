// @ts-check
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
