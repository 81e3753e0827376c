// @ts-check
import { DocFrame, viewState } from './frame.js';

/**
 * @typedef {{id: string, name: string, kind: string, size: number, src: string}} Upload
 * @typedef {Upload & {sharedBy: 'visitor' | 'agent', by: any, download: boolean, url?: string}} OpenDoc
 * @typedef {{
 *   send: (msg: any) => boolean,
 *   emit: (type: string, data?: any) => void,
 *   toast: (text: string) => void,
 *   onchange: () => void,
 *   host: () => HTMLElement,
 *   label: (by: any, num: any) => string,
 * }} Env
 */

/** The shortest time between two view (or pointer) messages of this viewer. */
const SEND_MS = 80;

/** What the server's refusal reasons mean to the agent who shared. */
const REFUSED = /** @type {Record<string, string>} */ ({
  notallowed: 'You may not share documents in this session.',
  type: 'Only PDF, .xlsx and .csv files can be shared.',
  size: 'The file is too large to share.',
  scan: 'The file was refused by the virus scan.',
  limit: 'This session cannot take more documents.',
  failed: 'The document could not be shared.',
});

/**
 * Shared documents in the agent's viewer (docs/protocol.md, "Shared documents"): the agent's
 * uploads (`POST /documents`), their preview only this agent sees, the document open in the
 * session (whoever shared it) in a sandboxed viewer frame kept in step with everyone's view and
 * pointer, the request to the visitor, downloads, and the agent events of all of it.
 */
export class AgentDocuments {
  /** @param {Env} env */
  constructor(env) {
    this.env = env;
    this.key = '';
    this.callid = 0;
    this.num = 0;
    this.guest = false;
    /** The document open in the session. @type {OpenDoc | null} */
    this.open = null;
    /** This agent's upload waiting for Share or Cancel. @type {Upload | null} */
    this.preview = null;
    /** Whether the visitor may save the previewed document, once shared. */
    this.previewDownload = false;
    /** The id of the document the frame shows ('' for none), the frame itself, and where this
     * agent moved in its preview. */
    this.shown = '';
    /** @type {import('./frame.js').ViewState | null} */
    this.previewView = null;
    /** @type {DocFrame | null} */
    this.frame = null;
    /** The last view the session keeps (sent or received here). @type {import('./frame.js').ViewState | null} */
    this.view = null;
    /** Uploads shared at once, without a preview (sendDocument). @type {Set<string>} */
    this.autoShare = new Set();
    /** The request to the visitor: '' (none), 'asked', 'accepted', 'declined', 'started'. */
    this.request = '';
    /** A message under the document's name (the frame's error, an upload in progress). */
    this.note = '';
    this.uploading = 0;
    /** The preview whose share the server has not answered yet. */
    this.sharing = '';
    /** View and pointer messages waiting for their turn (at most one of each every SEND_MS). */
    this.out = /** @type {Map<string, any>} */ (new Map());
    this.outTimer = 0;
    this.lastOut = 0;
  }

  /** @param {any} joined the `joined` message (with the open document for a late or reloaded viewer) */
  onJoined(joined) {
    this.key = joined.key;
    this.callid = joined.callid;
    this.num = joined.num;
    this.guest = joined.role === 'guest';
    const doc = joined.doc && typeof joined.doc === 'object' ? openDoc(joined.doc) : null;
    if (doc && doc.id !== this.open?.id) {
      this.open = doc;
      this.view = viewState(joined.doc.view);
      this.env.emit('startdocshare');
    } else if (doc && this.open) {
      // Back after a dropped connection: the view may have moved meanwhile.
      const view = viewState(joined.doc.view);
      if (view && !(this.view && sameView(this.view, view))) {
        this.view = view;
        if (this.shown === doc.id && !this.preview) this.frame?.view(view);
      }
    } else if (!doc && this.open) {
      this.open = null;
      this.view = null;
      this.env.emit('enddocshare');
    }
    this.render();
  }

  /** @param {any} msg a `doc` message from the server */
  onDoc(msg) {
    switch (msg.action) {
      case 'preview':
        if (typeof msg.id === 'string' && typeof msg.src === 'string') this.showPreview(upload(msg));
        break;
      case 'previewing':
        this.env.emit(msg.state === 'ended' ? 'enddocsharepreview' : 'startdocsharepreview');
        break;
      case 'open': {
        const doc = openDoc(msg);
        if (!doc) break;
        if (this.preview?.id === doc.id) this.preview = null;
        if (this.sharing === doc.id) this.sharing = '';
        this.autoShare.delete(doc.id);
        this.open = doc;
        this.view = viewState(msg.view);
        this.note = '';
        if (doc.sharedBy === 'visitor' && this.request) this.request = '';
        this.env.emit('documentShared', { sharedBy: doc.sharedBy, name: doc.name });
        this.env.emit('startdocshare');
        break;
      }
      case 'view':
        if (!this.open || msg.id !== this.open.id) break;
        this.view = viewState(msg) || this.view;
        if (this.view && this.shown === this.open.id && !this.preview) this.frame?.view(this.view);
        return;
      case 'pointer':
        if (!this.open || msg.id !== this.open.id || this.shown !== this.open.id || this.preview) return;
        if (Number.isFinite(msg.x) && Number.isFinite(msg.y)) this.frame?.pointer(msg.x, msg.y, this.env.label(msg.by, msg.num));
        // Without x and y the pointer left the document.
        else if (msg.x == null && msg.y == null) this.frame?.pointer(null, null, '');
        return;
      case 'closed':
        if (this.open && (msg.id === undefined || msg.id === this.open.id)) {
          this.open = null;
          this.view = null;
          this.env.emit('enddocshare');
        }
        break;
      case 'downloaded':
        this.env.emit('documentDownloaded', { sharedBy: msg.sharedBy, downloadedBy: msg.downloadedBy, name: msg.name });
        if (msg.downloadedBy === 'visitor') this.env.toast(`The visitor downloaded ${msg.name}.`);
        break;
      case 'status':
        this.request = msg.status === 'started' ? '' : msg.status;
        this.env.emit('docsharestatus', { status: msg.status });
        if (msg.status === 'declined') this.env.toast('The visitor declined to share a document.');
        else if (msg.status === 'accepted') this.env.toast('The visitor is choosing a document…');
        break;
      case 'refused':
        this.refused(msg);
        break;
    }
    this.render();
  }

  /** The server or the upload refused something of this agent's. @param {{reason?: string, msg?: string, name?: string, size?: number}} refusal */
  refused(refusal) {
    this.sharing = '';
    const reason = refusal.reason || 'failed';
    const msg = refusal.msg || REFUSED[reason] || REFUSED.failed;
    if (this.request === 'asked' && reason === 'notallowed') this.request = '';
    this.env.toast(msg);
    if (reason === 'notallowed') {
      this.env.emit('accessdenied', { docshare: true, msg });
    } else {
      /** @type {Record<string, any>} */
      const params = { reason };
      if (refusal.name !== undefined) params.name = refusal.name;
      if (refusal.size !== undefined) params.size = refusal.size;
      this.env.emit('error', { code: 'documentnotsent', msg, params });
    }
  }

  /** Asks the visitor for a document. */
  requestDocument() {
    if (this.guest) return;
    if (this.env.send({ t: 'doc', action: 'request' })) this.request = 'asked';
    this.render();
  }

  /**
   * Uploads a file for a preview (or shares it at once: `share`), with whether the visitor may save it.
   * @param {Blob} file @param {{download?: boolean, share?: boolean}} [options]
   */
  async upload(file, options = {}) {
    if (this.guest) return;
    const name = /** @type {any} */ (file).name || 'document';
    if (!this.key) return this.refused({ reason: 'failed', msg: 'Not in a session yet: the document was not sent.', name });
    this.uploading++;
    this.note = `Uploading ${name}…`;
    this.render();
    try {
      const response = await fetch(`/documents/${this.callid}?key=${encodeURIComponent(this.key)}&name=${encodeURIComponent(name)}`, {
        method: 'POST',
        body: file,
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/octet-stream' },
      });
      /** @type {any} */
      let body = null;
      try {
        body = await response.json();
      } catch {
        body = null;
      }
      if (response.status !== 201 || !body || typeof body.id !== 'string' || typeof body.src !== 'string') {
        const reason = reasonFor(response.status, body);
        this.refused({ reason, msg: messageOf(body) || REFUSED[reason], name, size: file.size });
        return;
      }
      const doc = upload(body);
      if (options.share) {
        this.autoShare.add(doc.id);
        if (!this.env.send({ t: 'doc', action: 'share', id: doc.id, download: Boolean(options.download) })) {
          this.refused({ reason: 'failed', msg: 'The connection dropped: the document was not shared.', name });
        }
        if (this.preview?.id === doc.id) this.preview = null;
      } else {
        this.previewDownload = Boolean(options.download);
        this.showPreview(doc);
      }
    } catch (error) {
      this.refused({ reason: 'failed', msg: `The document could not be uploaded: ${/** @type {any} */ (error)?.message || error}`, name });
    } finally {
      this.uploading--;
      if (this.note.startsWith('Uploading')) this.note = '';
      this.render();
    }
  }

  /** @param {Upload} doc */
  showPreview(doc) {
    // A sendDocument upload shares without a preview; the server's `preview` for it is stale.
    if (this.autoShare.has(doc.id) || this.open?.id === doc.id) return;
    if (this.preview?.id === doc.id) return;
    this.preview = doc;
    this.render();
  }

  /** Shares the previewed document. @param {boolean} [download] */
  share(download = this.previewDownload) {
    if (!this.preview || this.sharing) return;
    // The preview stays (and its frame) until the server opens it for everyone.
    if (this.env.send({ t: 'doc', action: 'share', id: this.preview.id, download })) this.sharing = this.preview.id;
    this.render();
  }

  /** Drops the previewed document. */
  cancel() {
    if (!this.preview) return;
    this.env.send({ t: 'doc', action: 'cancel', id: this.preview.id });
    this.preview = null;
    this.sharing = '';
    this.render();
  }

  /** Closes the open document for everyone (or the preview, when that is what shows). */
  close() {
    if (this.preview) return this.cancel();
    if (!this.open || this.guest) return;
    this.env.send({ t: 'doc', action: 'close', id: this.open.id });
  }

  /** Saves the open document, when this side may (the server counts it and tells everyone). */
  download() {
    if (!this.open?.download) return;
    const link = document.createElement('a');
    link.href = `${this.open.src}${this.open.src.includes('?') ? '&' : '?'}download=1`;
    link.download = this.open.name;
    link.rel = 'noopener';
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
  }

  /** What the panel shows: the preview before the open document. */
  current() {
    if (this.preview) return { doc: this.preview, preview: true };
    if (this.open) return { doc: this.open, preview: false };
    return null;
  }

  /**
   * Puts the right document in the frame: a fresh frame for each document; a preview that is
   * shared keeps its frame (the same bytes), and what this agent looked at in it becomes the
   * session's view.
   */
  render() {
    const current = this.current();
    const id = current ? current.doc.id : '';
    if (id !== this.shown) {
      this.frame?.destroy();
      this.frame = null;
      this.shown = id;
      this.previewView = null;
      if (current) {
        const docId = current.doc.id;
        this.frame = new DocFrame(this.env.host(), current.doc, {
          // A guest follows.
          readonly: this.guest,
          onview: (state) => {
            // A preview is this agent's alone: its view waits for the share.
            if (this.preview?.id === docId) this.previewView = state;
            else this.sendView(docId, state);
          },
          onpointer: (x, y) => this.preview?.id !== docId && this.sendPointer(docId, x, y),
          onloaded: (pages) => {
            const frame = this.frame?.frame;
            if (frame) {
              frame.dataset.loaded = '1';
              frame.dataset.pages = String(pages);
            }
          },
          onerror: (msg) => {
            this.note = msg;
            this.env.toast(msg);
            this.env.onchange();
          },
        });
        if (!current.preview && this.view) this.frame.view(this.view);
      }
    } else if (current && !current.preview && this.previewView) {
      // The preview just opened for everyone: they start where this agent was looking.
      const state = this.previewView;
      this.previewView = null;
      if (!this.view) this.sendView(id, state);
    }
    this.env.onchange();
  }

  /** @param {string} id @param {import('./frame.js').ViewState} state */
  sendView(id, state) {
    if (this.guest || this.open?.id !== id) return;
    // The frame reports the view it was told to show, too: only a view the session does not
    // have yet is news.
    if (this.view && sameView(this.view, state)) return;
    this.view = state;
    this.queue('view', { t: 'doc', action: 'view', id, ...state });
  }

  /** @param {string} id @param {number | null} x @param {number | null} y */
  sendPointer(id, x, y) {
    if (this.guest || this.open?.id !== id) return;
    const at = (/** @type {number} */ v) => Math.max(-1e7, Math.min(1e7, Math.round(v)));
    // Without x and y: the pointer left the document, the others hide it.
    this.queue('pointer', { t: 'doc', action: 'pointer', id, ...(x === null || y === null ? {} : { x: at(x), y: at(y) }) });
  }

  /** Sends a view or pointer now, or the newest of its kind when its turn comes. @param {string} kind @param {any} msg */
  queue(kind, msg) {
    this.out.set(kind, msg);
    if (this.outTimer) return;
    const flush = () => {
      this.outTimer = 0;
      this.lastOut = performance.now();
      for (const m of this.out.values()) if (this.open?.id === m.id) this.env.send(m);
      this.out.clear();
    };
    const wait = this.lastOut + SEND_MS - performance.now();
    if (wait <= 0) flush();
    else this.outTimer = window.setTimeout(flush, wait);
  }

  /** The session ended: nothing more to show. */
  end() {
    this.preview = null;
    this.sharing = '';
    this.open = null;
    this.render();
  }
}

/** Whether two views show the same (within rounding). @param {import('./frame.js').ViewState} a @param {import('./frame.js').ViewState} b */
function sameView(a, b) {
  return a.page === b.page && (a.sheet ?? 0) === (b.sheet ?? 0) && Math.abs(a.zoom - b.zoom) < 0.01 && Math.abs(a.x - b.x) < 2 && Math.abs(a.y - b.y) < 2;
}

/** @param {any} m @returns {Upload} */
function upload(m) {
  return { id: m.id, name: String(m.name ?? 'document'), kind: String(m.kind ?? ''), size: Number(m.size) || 0, src: m.src };
}

/** @param {any} m @returns {OpenDoc | null} */
function openDoc(m) {
  if (typeof m.id !== 'string' || typeof m.src !== 'string') return null;
  return { ...upload(m), sharedBy: m.sharedBy === 'visitor' ? 'visitor' : 'agent', by: m.by, download: m.download === true, ...(typeof m.url === 'string' ? { url: m.url } : {}) };
}

/** The refusal reason of a failed upload (`{error: {reason, message}}`, else by its status). @param {number} status @param {any} body */
function reasonFor(status, body) {
  const named = [body?.error?.reason, body?.reason, body?.error].find((v) => typeof v === 'string' && Object.hasOwn(REFUSED, v));
  if (named) return named;
  if (status === 400 || status === 415) return 'type';
  if (status === 401 || status === 403) return 'notallowed';
  if (status === 413) return 'size';
  if (status === 422) return 'scan';
  if (status === 409 || status === 429) return 'limit';
  return 'failed';
}

/** The message of an error body (`{error, message}`, `{msg}`, `{error: {message}}`). @param {any} body */
function messageOf(body) {
  if (!body || typeof body !== 'object') return '';
  for (const value of [body.message, body.msg, body.error?.message, body.error?.msg]) if (typeof value === 'string' && value) return value;
  return '';
}
