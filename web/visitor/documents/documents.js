// @ts-check
import { once, showConsentPrompt } from '../assist/prompt.js';
import { DocumentOverlay } from './overlay.js';
import { documentFrame, frameFits, nameFromUrl } from './upload.js';

/** What the default UI's file picker offers (the server decides the type by the bytes). */
const PICKER_ACCEPT = '.pdf,.xlsx,.csv';
/** At most this often a view or pointer change leaves (the latest wins). */
const SEND_MS = 50;

/**
 * @typedef {import('./overlay.js').DocumentView} DocumentView
 * @typedef {{name: string, size: number | null, mode: 'preview' | 'share' | 'url', url?: string}} Upload
 */

/**
 * Shared documents on the visitor's side (loaded the first time a document is shared, requested
 * or opened): the visitor's uploads (`document` frames), the preview and its Share / Cancel, the
 * open document in the overlay viewer kept in step with the session (view and pointer), an
 * agent's request for a document, downloads, and the seed's events: `agentdocshare`,
 * `documentviewed`, `docsharerequested`, `docsharestatus`, `visitordownload`, `agentdownload`,
 * and Glance's `documentnotsent {name, reason, size}`, `filedownloading`, `filedownloaded`.
 */
export class Documents {
  /**
   * @param {{
   *   server: string,
   *   custom: boolean,
   *   send: (msg: any) => boolean,
   *   sendFrame: (frame: Uint8Array) => boolean,
   *   canSend: () => boolean,
   *   fire: (type: string, data?: any) => void,
   *   hasListener: (type: string) => boolean,
   *   agentName: (num: number) => string,
   * }} env
   */
  constructor(env) {
    this.env = env;
    /** The last upload's request number. */
    this.counter = 0;
    /** Uploads the server has not answered, by request number. @type {Map<number, Upload>} */
    this.pending = new Map();
    /** Frames made while the socket was down: sent when the session is back. @type {{r: number, frame: Uint8Array}[]} */
    this.waiting = [];
    /** @type {{id: string, doc: any, preview: boolean, overlay: DocumentOverlay} | null} */
    this.current = null;
    /** Previews the visitor chose to share, by id: `docsharestatus started` when they open. */
    this.sharing = new Set();
    /** The default UI's question for an agent's request. @type {HTMLElement | null} */
    this.prompt = null;
    /** The default UI's file input while the picker is open. @type {HTMLInputElement | null} */
    this.picker = null;
    /** @type {HTMLElement | null} */
    this.notice = null;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.noticeTimer = undefined;
    /** Outgoing view and pointer, coalesced. @type {{view?: any, pointer?: any}} */
    this.outbox = {};
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.outTimer = null;
  }

  // ---- From the server ----

  /** @param {any} msg a server `doc` message */
  onMessage(msg) {
    switch (msg.action) {
      case 'preview':
        return this.onPreview(msg);
      case 'open':
        return this.onOpen(msg, true);
      case 'refused':
        return this.onRefused(msg);
      case 'requested':
        return this.requested(msg.num);
      case 'view':
        if (this.current && !this.current.preview && msg.id === this.current.id) {
          const view = viewOf(msg);
          if (view) this.current.overlay.view(view);
        }
        return;
      case 'pointer':
        if (this.current && msg.id === this.current.id) {
          const label = msg.by === 'agent' && typeof msg.num === 'number' ? this.env.agentName(msg.num) : msg.by === 'visitor' ? 'Visitor' : 'Agent';
          this.current.overlay.pointer(typeof msg.x === 'number' ? msg.x : null, typeof msg.y === 'number' ? msg.y : null, label);
        }
        return;
      case 'closed':
        this.sharing.delete(msg.id);
        if (this.current && msg.id === this.current.id) this.closeOverlay();
        return;
      case 'downloaded':
        return this.onDownloaded(msg);
      default:
        // previewing, status: for agents.
        return;
    }
  }

  /**
   * The `session` message: the document open in the session (or none), for this page's viewer;
   * then uploads made while the socket was down leave.
   * @param {any} doc
   */
  onSession(doc) {
    if (doc && typeof doc.id === 'string') {
      if (!this.current || this.current.id !== doc.id || this.current.preview) this.onOpen(doc, false);
      else this.current.overlay.shared(doc);
    } else if (this.current && !this.current.preview) {
      // Closed while this page was away.
      this.closeOverlay();
    }
    for (const { r, frame } of this.waiting.splice(0)) this.transmit(r, frame);
  }

  /** Only the sender sees its upload now. @param {any} msg */
  onPreview(msg) {
    const upload = typeof msg.r === 'number' ? this.pending.get(msg.r) : undefined;
    if (typeof msg.r === 'number') this.pending.delete(msg.r);
    if (upload?.mode === 'share') {
      // sendDocument(): the page's own UI asked already; no preview step.
      this.share(msg.id);
      return;
    }
    this.show(msg, true);
  }

  /**
   * A document open for everyone: the one an agent shared, the visitor's, or a site's.
   * @param {any} doc the `open` message (or `session.doc`)
   * @param {boolean} fresh just shared (else: the session's document, shown again on this page)
   */
  onOpen(doc, fresh) {
    if (typeof doc.url === 'string') {
      for (const [r, upload] of this.pending) if (upload.mode === 'url' && upload.url === doc.url) this.pending.delete(r);
    }
    if (this.current && this.current.id === doc.id) {
      const wasPreview = this.current.preview;
      this.current.doc = { ...this.current.doc, ...doc };
      this.current.preview = false;
      this.current.overlay.shared(doc);
      if (!wasPreview && !fresh) return;
    } else {
      this.show(doc, false);
    }
    const by = doc.sharedBy === 'agent' ? 'agent' : 'visitor';
    if (by === 'agent') {
      if (fresh) this.env.fire('agentdocshare');
      this.env.fire('documentviewed', { name: doc.name, agentselected: true });
    } else if (typeof doc.url === 'string') {
      this.env.fire('documentviewed', { url: doc.url });
    } else {
      if (fresh && this.sharing.has(doc.id)) this.env.fire('docsharestatus', { status: 'started' });
      this.env.fire('documentviewed', { name: doc.name, visitorselected: true });
    }
    this.sharing.delete(doc.id);
  }

  /** @param {any} msg */
  onRefused(msg) {
    const upload = typeof msg.r === 'number' ? this.pending.get(msg.r) : undefined;
    if (typeof msg.r === 'number') this.pending.delete(msg.r);
    const text = typeof msg.msg === 'string' ? msg.msg : 'The document was not shared.';
    const name = typeof msg.name === 'string' ? msg.name : upload?.name;
    if (name === undefined) {
      // An action out of turn (a document closed meanwhile): nothing was being sent.
      console.warn(`Tandem: document: ${text}`);
      if (this.current?.preview) this.closeOverlay();
      return;
    }
    this.notSent(name, msg.reason || 'failed', typeof msg.size === 'number' ? msg.size : upload?.size ?? null, text);
  }

  /** @param {any} msg */
  onDownloaded(msg) {
    if (msg.downloadedBy === 'visitor') {
      this.env.fire('filedownloaded', { name: msg.name });
      this.env.fire('visitordownload', msg.sharedBy === 'visitor' ? { name: msg.name, visitorselected: true } : { name: msg.name, agentselected: true });
    } else if (msg.downloadedBy === 'agent') {
      this.env.fire('agentdownload', { name: msg.name });
    }
  }

  // ---- An agent asks for a document ----

  /** @param {number} num the agent */
  requested(num) {
    this.prompt?.remove();
    this.prompt = null;
    let fromPrompt = false;
    const { accept, decline } = once((accepted) => {
      this.prompt?.remove();
      this.prompt = null;
      this.env.send({ t: 'doc', action: 'answer', accepted });
      this.env.fire('docsharestatus', { status: accepted ? 'accepted' : 'declined' });
      // The click on Allow is the user activation the file picker needs.
      if (accepted && fromPrompt) this.pick();
    });
    if (this.env.custom || this.env.hasListener('docsharerequested')) {
      this.env.fire('docsharerequested', { accept, decline });
      return;
    }
    const who = typeof num === 'number' ? this.env.agentName(num) : 'The agent';
    this.prompt = showConsentPrompt({
      id: 'tandem-docshare',
      text: `${who} asks you to share a document (PDF, Excel .xlsx or CSV). Choose a file? You see it before it is shared.`,
      accept: () => {
        fromPrompt = true;
        accept();
      },
      decline,
    });
  }

  /** The default UI's file picker: the chosen file is previewed before it is shared. */
  pick() {
    this.picker?.remove();
    const input = document.createElement('input');
    input.type = 'file';
    input.id = 'glance_document_file';
    input.accept = PICKER_ACCEPT;
    input.setAttribute('data-tandem-ignore', '');
    input.style.display = 'none';
    const done = () => {
      input.remove();
      if (this.picker === input) this.picker = null;
    };
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      done();
      if (file) this.upload(file, file.name, 'preview');
    });
    input.addEventListener('cancel', done);
    this.picker = input;
    (document.body || document.documentElement).appendChild(input);
    input.click();
  }

  // ---- The visitor shares ----

  /**
   * sendDocument(file): shared as soon as the server has checked it (a custom UI has its own
   * confirm step), or previewed first with `{preview: true}`.
   * @param {Blob} file @param {{preview?: boolean}} [options]
   */
  sendDocument(file, options) {
    const name = typeof (/** @type {any} */ (file).name) === 'string' && /** @type {any} */ (file).name ? /** @type {File} */ (file).name : 'document';
    this.upload(file, name, options?.preview ? 'preview' : 'share');
  }

  /**
   * viewPDF / viewXLS: the site's document (read with the page's own credentials) opened for
   * everyone at once (no preview).
   * @param {string} url absolute http(s)
   */
  async viewUrl(url) {
    const name = nameFromUrl(url);
    let blob;
    try {
      const response = await fetch(url, { credentials: 'same-origin' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      blob = await response.blob();
    } catch (error) {
      this.notSent(name, 'failed', null, `The document at ${url} could not be read (${error instanceof Error ? error.message : error}).`);
      return;
    }
    this.upload(blob, name, 'url', url);
  }

  /**
   * @param {Blob} blob @param {string} name @param {Upload['mode']} mode @param {string} [url]
   */
  async upload(blob, name, mode, url) {
    const size = blob.size;
    if (!frameFits(name, url, size)) {
      this.notSent(name, 'size', size, `${name} is too large to share.`);
      return;
    }
    let bytes;
    try {
      bytes = new Uint8Array(await blob.arrayBuffer());
    } catch (error) {
      this.notSent(name, 'failed', size, `${name} could not be read (${error}).`);
      return;
    }
    const r = ++this.counter;
    this.pending.set(r, { name, size, mode, ...(url ? { url } : {}) });
    const frame = documentFrame(r, name, url, bytes);
    if (this.env.canSend()) this.transmit(r, frame);
    else this.waiting.push({ r, frame });
  }

  /** @param {number} r @param {Uint8Array} frame */
  transmit(r, frame) {
    if (this.env.sendFrame(frame)) return;
    const upload = this.pending.get(r);
    this.pending.delete(r);
    if (upload) this.notSent(upload.name, 'failed', upload.size, 'The connection to the co-browse service is down.');
  }

  /** Publishes the visitor's preview. @param {string} id */
  share(id) {
    this.sharing.add(id);
    this.env.send({ t: 'doc', action: 'share', id });
  }

  /**
   * A document that was not shared: `documentnotsent {name, reason, size}`, and the default UI
   * says why.
   * @param {string} name @param {string} reason @param {number | null} size @param {string} text
   */
  notSent(name, reason, size, text) {
    console.warn(`Tandem: document not sent: ${text}`);
    this.env.fire('documentnotsent', { name, reason, size });
    if (!this.env.custom) this.showNotice(text);
  }

  // ---- The overlay ----

  /**
   * @param {any} doc an `open` or `preview` message
   * @param {boolean} preview
   */
  show(doc, preview) {
    this.closeOverlay();
    const id = doc.id;
    const overlay = new DocumentOverlay({
      server: this.env.server,
      doc: { id, name: String(doc.name ?? 'document'), kind: doc.kind, src: doc.src, download: Boolean(doc.download), view: doc.view || null },
      preview,
      onclose: () => {
        this.env.send({ t: 'doc', action: 'close', id });
        this.closeOverlay();
      },
      oncancel: () => {
        this.env.send({ t: 'doc', action: 'cancel', id });
        this.closeOverlay();
      },
      onshare: () => {
        overlay.sharing();
        this.share(id);
      },
      ondownload: () => this.download(),
      onview: (view) => {
        if (this.current?.overlay === overlay && !this.current.preview) this.queue('view', { t: 'doc', action: 'view', id, ...view });
      },
      onpointer: (x, y) => {
        if (this.current?.overlay === overlay && !this.current.preview) {
          const at = x === null || y === null ? {} : { x: Math.round(x * 10) / 10, y: Math.round(y * 10) / 10 };
          this.queue('pointer', { t: 'doc', action: 'pointer', id, ...at });
        }
      },
    });
    this.current = { id, doc, preview, overlay };
  }

  closeOverlay() {
    this.current?.overlay.close();
    this.current = null;
    this.outbox = {};
  }

  /** The latest view or pointer leaves at most every SEND_MS. @param {'view' | 'pointer'} kind @param {any} msg */
  queue(kind, msg) {
    this.outbox[kind] = msg;
    if (this.outTimer) return;
    this.outTimer = setTimeout(() => {
      this.outTimer = null;
      const { view, pointer } = this.outbox;
      this.outbox = {};
      if (view) this.env.send(view);
      if (pointer) this.env.send(pointer);
    }, SEND_MS);
  }

  /** Saves the open document (when this side may): the server counts it and tells everyone. */
  async download() {
    const current = this.current;
    if (!current || current.preview || !current.doc.download) return;
    const name = String(current.doc.name);
    const url = new URL(current.doc.src, this.env.server);
    url.searchParams.set('download', '1');
    this.env.fire('filedownloading', { name });
    try {
      const response = await fetch(url.href, { credentials: 'omit', cache: 'no-store' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const blob = await response.blob();
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = name;
      link.setAttribute('data-tandem-ignore', '');
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 60000);
    } catch (error) {
      console.warn(`Tandem: ${name} could not be downloaded (${error})`);
      if (!this.env.custom) this.showNotice(`${name} could not be downloaded.`);
    }
  }

  /** The default UI's short message (a refused document, a failed download). @param {string} text */
  showNotice(text) {
    this.notice?.remove();
    const box = document.createElement('div');
    box.id = 'glance_document_notice';
    box.setAttribute('data-tandem-ignore', '');
    box.setAttribute('role', 'status');
    box.style.cssText =
      'all:initial;position:fixed;z-index:2147483647;left:20px;bottom:20px;max-width:360px;padding:12px 16px;background:#1d2433;color:#fff;' +
      'font:14px/1.4 system-ui,sans-serif;border-radius:8px;box-shadow:0 4px 24px rgba(0,0,0,.25)';
    box.textContent = text;
    (document.body || document.documentElement).appendChild(box);
    this.notice = box;
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => {
      box.remove();
      if (this.notice === box) this.notice = null;
    }, 8000);
  }

  /** The session ended (or this page left it). */
  stop() {
    this.closeOverlay();
    this.prompt?.remove();
    this.prompt = null;
    this.picker?.remove();
    this.picker = null;
    this.notice?.remove();
    this.notice = null;
    // Uploads still waiting for the socket were never sent.
    for (const { r } of this.waiting) {
      const upload = this.pending.get(r);
      if (upload) this.env.fire('documentnotsent', { name: upload.name, reason: 'nosession', size: upload.size });
    }
    this.pending.clear();
    this.waiting = [];
    this.sharing.clear();
    if (this.outTimer) clearTimeout(this.outTimer);
    this.outTimer = null;
  }
}

/** The view a server `view` (or `open.view`) message carries. @param {any} msg @returns {DocumentView | null} */
function viewOf(msg) {
  if (![msg.page, msg.zoom, msg.x, msg.y].every((n) => typeof n === 'number')) return null;
  /** @type {DocumentView} */
  const view = { page: msg.page, zoom: msg.zoom, x: msg.x, y: msg.y };
  if (typeof msg.sheet === 'number') view.sheet = msg.sheet;
  return view;
}
