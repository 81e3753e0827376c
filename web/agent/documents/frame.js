// @ts-check

/** The document viewer every participant runs (pdf.js or the server's sheet HTML), on Tandem's origin. */
export const VIEWER_URL = '/web/documents/viewer.html';

/** @typedef {{page: number, zoom: number, x: number, y: number, sheet?: number}} ViewState */

/**
 * One document shown in the sandboxed viewer frame (`sandbox="allow-scripts"`: an opaque origin,
 * so messages go to `'*'` and are accepted only from this frame's window). The frame says
 * `ready`, then gets `readonly` and `open`; once it says `loaded` it gets the view the session
 * keeps. Messages for it wait until it can take them; the newest view and pointer win.
 */
export class DocFrame {
  /**
   * @param {HTMLElement} host where the frame goes
   * @param {{kind: string, src: string, name: string}} doc
   * @param {{
   *   readonly: boolean,
   *   onview: (state: ViewState) => void,
   *   onpointer: (x: number | null, y: number | null) => void,
   *   onloaded: (pages: number) => void,
   *   onerror: (msg: string) => void,
   * }} handlers
   */
  constructor(host, doc, handlers) {
    this.doc = doc;
    this.handlers = handlers;
    this.ready = false;
    this.loaded = false;
    /** The view to apply once the document is loaded. @type {ViewState | null} */
    this.pendingView = null;
    /** @type {{x: number | null, y: number | null, label: string} | null} */
    this.pendingPointer = null;
    this.frame = document.createElement('iframe');
    this.frame.className = 'doc-frame';
    this.frame.setAttribute('sandbox', 'allow-scripts');
    this.frame.title = `Shared document: ${doc.name}`;
    this.onMessage = this.onMessage.bind(this);
    window.addEventListener('message', this.onMessage);
    this.frame.src = VIEWER_URL;
    host.replaceChildren(this.frame);
  }

  /** @param {any} message */
  post(message) {
    // The frame's origin is opaque ('null'): '*' is the only target that reaches it. What goes
    // there is only for this frame, whose window the message is sent to.
    this.frame.contentWindow?.postMessage(message, '*');
  }

  /** @param {MessageEvent} event */
  onMessage(event) {
    if (event.source !== this.frame.contentWindow) return;
    const data = event.data;
    if (!data || typeof data !== 'object' || typeof data.tandemDoc !== 'string') return;
    switch (data.tandemDoc) {
      case 'ready':
        this.ready = true;
        this.loaded = false;
        this.post({ tandemDoc: 'readonly', value: this.handlers.readonly });
        this.post({ tandemDoc: 'open', kind: this.doc.kind, src: new URL(this.doc.src, location.href).href, name: this.doc.name });
        break;
      case 'loaded':
        this.loaded = true;
        if (this.pendingView) this.post({ tandemDoc: 'view', state: this.pendingView });
        if (this.pendingPointer) this.post({ tandemDoc: 'pointer', ...this.pendingPointer });
        this.pendingView = this.pendingPointer = null;
        this.handlers.onloaded(Number(data.pages) || 0);
        break;
      case 'view': {
        const state = viewState(data.state);
        if (state) this.handlers.onview(state);
        break;
      }
      case 'pointer':
        if (data.x === null || data.y === null) this.handlers.onpointer(null, null);
        else if (Number.isFinite(data.x) && Number.isFinite(data.y)) this.handlers.onpointer(data.x, data.y);
        break;
      case 'error':
        this.handlers.onerror(typeof data.msg === 'string' ? data.msg : 'The document could not be shown.');
        break;
    }
  }

  /** Shows another participant's view (now, or once the document is loaded). @param {ViewState} state */
  view(state) {
    if (this.loaded) this.post({ tandemDoc: 'view', state });
    else this.pendingView = state;
  }

  /** Shows another participant's pointer; `x: null` hides it. @param {number | null} x @param {number | null} y @param {string} label */
  pointer(x, y, label) {
    const pointer = { x, y, label };
    if (this.loaded) this.post({ tandemDoc: 'pointer', ...pointer });
    else this.pendingPointer = pointer;
  }

  /** @param {boolean} value */
  setReadonly(value) {
    this.handlers.readonly = value;
    if (this.ready) this.post({ tandemDoc: 'readonly', value });
  }

  destroy() {
    window.removeEventListener('message', this.onMessage);
    this.frame.remove();
  }
}

/**
 * A view state as the wire takes it (page 1–100000, zoom 0.25–5, x and y 0–10⁷, sheet 0–10000), or
 * null when it is not one.
 * @param {any} value @returns {ViewState | null}
 */
export function viewState(value) {
  if (!value || typeof value !== 'object') return null;
  const { page, zoom, x, y, sheet } = value;
  if (!Number.isFinite(page) || !Number.isFinite(zoom) || !Number.isFinite(x) || !Number.isFinite(y)) return null;
  const clamp = (/** @type {number} */ v, /** @type {number} */ low, /** @type {number} */ high) => Math.min(high, Math.max(low, v));
  /** @type {ViewState} */
  const state = {
    page: clamp(Math.round(page), 1, 100000),
    zoom: clamp(Math.round(zoom * 1000) / 1000, 0.25, 5),
    x: clamp(Math.round(x * 10) / 10, 0, 1e7),
    y: clamp(Math.round(y * 10) / 10, 0, 1e7),
  };
  if (Number.isFinite(sheet)) state.sheet = clamp(Math.round(sheet), 0, 10000);
  return state;
}
