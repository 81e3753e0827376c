// @ts-check
/**
 * The document viewer in the visitor's page: a fixed panel (`#glance_document`) with the
 * document's name, Close, Download (when this side may save it) and, for the visitor's own
 * preview, Share and Cancel; inside it Tandem's viewer (`/web/documents/viewer.html`) in a frame
 * sandboxed to scripts only, which renders the bytes itself. Talks to the frame by postMessage
 * (`{tandemDoc: …}`) and believes only messages from that frame. Never mirrored to agents
 * (data-tandem-ignore; capture skips the frame by its id as well).
 */

export const OVERLAY_ID = 'glance_document';
export const FRAME_ID = 'glance_document_frame';

/** Remote views echoed back by the frame within this time are not sent again. */
const ECHO_MS = 400;

/**
 * @typedef {{page: number, zoom: number, x: number, y: number, sheet?: number}} DocumentView
 * @typedef {{id: string, name: string, kind: string, src: string, download?: boolean, view?: DocumentView | null}} OpenDocument
 */

export class DocumentOverlay {
  /**
   * @param {{
   *   server: string,
   *   doc: OpenDocument,
   *   preview: boolean,
   *   onclose: () => void,
   *   ondownload: () => void,
   *   onshare: () => void,
   *   oncancel: () => void,
   *   onview: (view: DocumentView) => void,
   *   onpointer: (x: number | null, y: number | null) => void,
   * }} options
   */
  constructor(options) {
    this.options = options;
    this.doc = options.doc;
    this.preview = options.preview;
    /** The frame said `ready`. */
    this.ready = false;
    /** The frame said `loaded`. */
    this.loaded = false;
    /** The view to show once loaded (the session's). @type {DocumentView | null} */
    this.pendingView = options.doc.view || null;
    /** The last view applied from elsewhere, and when: the frame's echo of it is not news. */
    this.applied = /** @type {{view: DocumentView, at: number} | null} */ (null);
    this.onMessage = this.onMessage.bind(this);
    this.build();
    window.addEventListener('message', this.onMessage);
  }

  build() {
    document.getElementById(OVERLAY_ID)?.remove();
    const root = document.createElement('div');
    root.id = OVERLAY_ID;
    root.setAttribute('data-tandem-ignore', '');
    root.setAttribute('role', 'dialog');
    root.setAttribute('aria-label', 'Shared document');
    root.style.cssText =
      'all:initial;position:fixed;z-index:2147483644;left:4vw;top:4vh;width:92vw;height:92vh;display:flex;flex-direction:column;' +
      'background:#fff;border-radius:10px;box-shadow:0 6px 32px rgba(0,0,0,.35);overflow:hidden;font:14px/1.3 system-ui,sans-serif;color:#1d2433';
    const bar = document.createElement('div');
    bar.style.cssText = 'all:initial;display:flex;align-items:center;gap:8px;padding:8px 12px;background:#1d2433;color:#fff;font:14px/1.3 system-ui,sans-serif';
    const title = document.createElement('span');
    title.id = `${OVERLAY_ID}_name`;
    title.style.cssText = 'all:initial;flex:1;min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;color:#fff;font:600 14px/1.3 system-ui,sans-serif';
    const note = document.createElement('span');
    note.id = `${OVERLAY_ID}_note`;
    note.style.cssText = 'all:initial;color:#c9d3e6;font:13px/1.3 system-ui,sans-serif';
    this.title = title;
    this.note = note;
    this.shareButton = button('share', 'Share', true, () => this.options.onshare());
    this.cancelButton = button('cancel', 'Cancel', false, () => this.options.oncancel());
    this.downloadButton = button('download', 'Download', false, () => this.options.ondownload());
    this.closeButton = button('close', 'Close', false, () => (this.preview ? this.options.oncancel() : this.options.onclose()));
    bar.append(title, note, this.shareButton, this.cancelButton, this.downloadButton, this.closeButton);

    const frame = document.createElement('iframe');
    frame.id = FRAME_ID;
    frame.setAttribute('sandbox', 'allow-scripts');
    frame.setAttribute('title', 'Shared document');
    frame.setAttribute('referrerpolicy', 'no-referrer');
    frame.style.cssText = 'all:initial;display:block;flex:1;width:100%;min-height:0;border:0;background:#f4f5f7';
    frame.src = `${this.options.server}/web/documents/viewer.html`;
    this.frame = frame;
    root.append(bar, frame);
    this.root = root;
    this.render();
    (document.body || document.documentElement).appendChild(root);
  }

  /** The buttons and labels for the current state. */
  render() {
    this.title.textContent = this.doc.name;
    this.title.title = this.doc.name;
    this.note.textContent = this.preview ? 'Preview: only you see it' : '';
    this.shareButton.hidden = !this.preview;
    this.cancelButton.hidden = !this.preview;
    this.downloadButton.hidden = this.preview || !this.doc.download;
    for (const b of [this.shareButton, this.cancelButton, this.downloadButton, this.closeButton]) b.style.display = b.hidden ? 'none' : 'inline-block';
  }

  /**
   * The preview became the shared document (same bytes: the frame stays as it is), or the open
   * document's details changed (a new page of the same session, a reconnect).
   * @param {OpenDocument} doc
   */
  shared(doc) {
    this.doc = { ...this.doc, ...doc, src: this.doc.src };
    this.preview = false;
    this.shareButton.disabled = false;
    this.render();
  }

  /** The visitor clicked Share: wait for the server. */
  sharing() {
    this.shareButton.disabled = true;
    this.note.textContent = 'Sharing…';
  }

  /** @param {any} message */
  post(message) {
    this.frame.contentWindow?.postMessage(message, '*');
  }

  /** @param {MessageEvent} event */
  onMessage(event) {
    if (!this.frame.contentWindow || event.source !== this.frame.contentWindow) return;
    const data = event.data;
    if (!data || typeof data !== 'object' || typeof data.tandemDoc !== 'string') return;
    switch (data.tandemDoc) {
      case 'ready':
        this.ready = true;
        this.post({ tandemDoc: 'open', kind: this.doc.kind, src: new URL(this.doc.src, this.options.server).href, name: this.doc.name });
        this.post({ tandemDoc: 'readonly', value: false });
        return;
      case 'loaded':
        this.loaded = true;
        if (this.pendingView) this.view(this.pendingView);
        this.pendingView = null;
        return;
      case 'view': {
        const view = cleanView(data.state);
        if (!view || this.isEcho(view)) return;
        this.options.onview(view);
        return;
      }
      case 'pointer':
        if (Number.isFinite(data.x) && Number.isFinite(data.y)) this.options.onpointer(data.x, data.y);
        // Left the document: the others hide this pointer.
        else if (data.x === null) this.options.onpointer(null, null);
        return;
      case 'error':
        console.warn(`Tandem: the document viewer: ${typeof data.msg === 'string' ? data.msg : 'error'}`);
        return;
    }
  }

  /** Whether the frame's view is only the remote view just applied. @param {DocumentView} view */
  isEcho(view) {
    const applied = this.applied;
    if (!applied || performance.now() - applied.at > ECHO_MS) return false;
    const a = applied.view;
    return a.page === view.page && (a.sheet ?? 0) === (view.sheet ?? 0) && Math.abs(a.zoom - view.zoom) < 0.01 &&
      Math.abs(a.x - view.x) < 2 && Math.abs(a.y - view.y) < 2;
  }

  /** Another participant's view. @param {DocumentView} view */
  view(view) {
    if (!this.loaded) {
      this.pendingView = view;
      return;
    }
    this.applied = { view, at: performance.now() };
    this.post({ tandemDoc: 'view', state: view });
  }

  /** Another participant's pointer (x null: hidden). @param {number | null} x @param {number | null} y @param {string} label */
  pointer(x, y, label) {
    if (!this.loaded) return;
    this.post({ tandemDoc: 'pointer', x, y, label });
  }

  close() {
    window.removeEventListener('message', this.onMessage);
    this.root.remove();
  }
}

/**
 * A view as the session takes it (the server closes the socket on a malformed one): page from
 * 1, zoom 0.25–5, offsets from 0, sheet from 0; null when the frame's state is not one.
 * @param {any} state
 * @returns {DocumentView | null}
 */
export function cleanView(state) {
  if (!state || typeof state !== 'object') return null;
  const { page, zoom, x, y, sheet } = state;
  if (![page, zoom, x, y].every((n) => typeof n === 'number' && Number.isFinite(n))) return null;
  /** @type {DocumentView} */
  const view = {
    page: Math.min(100000, Math.max(1, Math.round(page))),
    zoom: Math.min(5, Math.max(0.25, Math.round(zoom * 1000) / 1000)),
    x: Math.min(1e7, Math.max(0, Math.round(x * 10) / 10)),
    y: Math.min(1e7, Math.max(0, Math.round(y * 10) / 10)),
  };
  if (typeof sheet === 'number' && Number.isFinite(sheet)) view.sheet = Math.min(10000, Math.max(0, Math.round(sheet)));
  return view;
}

/**
 * @param {string} name @param {string} label @param {boolean} primary @param {() => void} onclick
 * @returns {HTMLButtonElement}
 */
function button(name, label, primary, onclick) {
  const b = document.createElement('button');
  b.id = `${OVERLAY_ID}_${name}`;
  b.type = 'button';
  b.textContent = label;
  b.style.cssText =
    `all:initial;display:inline-block;cursor:pointer;padding:5px 12px;border-radius:5px;font:600 13px/1.3 system-ui,sans-serif;` +
    (primary ? 'background:#2f6fed;color:#fff' : 'background:#fff;color:#1d2433');
  b.addEventListener('click', (e) => {
    e.stopPropagation();
    onclick();
  });
  return b;
}
