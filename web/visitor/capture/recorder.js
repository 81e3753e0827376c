// @ts-check
import { Mirror } from '../../common/mirror.js';
import { FrameKind } from '../../common/protocol.js';
import { processMutations } from './mutations.js';
import { collectAdopted, collectCanvases, collectFocus, collectInputs, collectScrolls, collectSheets, PendingChanges } from './delta.js';
import { Serializer } from './serialize.js';
import { currentSource, isFormField } from './state.js';
import { observeStyleSheets } from './styles.js';
import { CanvasQueue, observeCanvasDrawing } from './canvas.js';
import { FontInliner } from './fonts.js';
import { spriteAdds, sprites } from './sprites.js';
import { focusState, selectionState } from './focus.js';
import { hookAttachShadow, hookFormSetters, hookHistory } from './page-hooks.js';
import { noteAdoptedSent, OBSERVE, pagePoint, pollAdopted, watchRoot } from './watch.js';
import { GidWriter } from './gids.js';
import { nextFrame, Observer } from './natives.js';

/** How often adoptedStyleSheets are compared (pushing onto the array fires nothing). */
const ADOPTED_POLL_MS = 250;

/**
 * Captures the visitor's page: a full page on demand, then one delta per animation frame
 * holding every change since the last (DOM mutations, form values, scrolling, viewport, CSSOM,
 * adopted sheets, canvases, focus and selection, URL) and a transient frame for the pointer.
 * Open shadow roots and same-origin frame documents are watched like the page itself.
 */
export class Recorder {
  /**
   * @param {{
   *   send: (kind: number, payload: any) => void,
   *   onVisibility: (state: 'visible' | 'hidden') => void,
   *   masking: import('./masking.js').MaskingPolicy,
   *   onUrlChange?: () => void,
   *   onCaptureFailed: (error: unknown) => void,
   * }} options `onUrlChange`: the URL changed without a page load (a single-page app); the
   *   recorder holds everything until `setMasking` gives it the rules for the new URL.
   *   `onCaptureFailed`: the capture's first failure since its last full page (`captureFailed`)
   */
  constructor(options) {
    this.send = options.send;
    this.onVisibility = options.onVisibility;
    this.onUrlChange = options.onUrlChange;
    this.onCaptureFailed = options.onCaptureFailed;
    /** Capture failures since the last full page: agents have a notice, nothing but a full page goes. */
    this.failures = 0;
    /** The URL the capture last knew (a history call that keeps it changes nothing). */
    this.urlSeen = location.href;
    /** Waiting for the masking rules of a new URL: nothing leaves meanwhile. */
    this.holding = false;
    /** This page's serialization was over the server's frame limit (close 1009): agents get a notice instead. */
    this.tooLarge = false;
    this.mirror = new Mirror();
    /** Which nodes never leave the page (our own UI), and the masking rules in force. */
    this.policy = {
      skip: (/** @type {Node} */ node) => node.nodeType === Node.ELEMENT_NODE && /** @type {Element} */ (node).hasAttribute('data-tandem-ignore'),
      masking: options.masking,
    };
    /** While paused nothing of the page is sent; unpausing sends a full page. */
    this.paused = false;
    this.scrollState = { scrolled: new Set() };
    this.serializer = new Serializer(this.mirror, this.policy, this.scrollState);
    this.serializer.onRoot = (root) => this.watchRoot(root);
    // A masked box follows the size of the element it stands for (a masked editor that grows).
    this.boxes = new ResizeObserver((entries) => {
      for (const entry of entries) {
        const el = entry.target;
        const sent = this.serializer.boxSizes.get(el);
        if (!sent || !this.serializer.masked.has(el) || !el.isConnected) continue;
        const rect = el.getBoundingClientRect();
        if (Math.round(rect.width) !== sent[0] || Math.round(rect.height) !== sent[1]) this.markResend(el);
      }
    });
    this.serializer.onMaskedBox = (el) => this.boxes.observe(el);
    this.serializer.gids = new GidWriter(this.mirror, {
      // Changes the page made before a slice are kept; the slice's own writes are not recorded.
      pause: () => {
        if (!this.observer) return;
        const pending = this.observer.takeRecords();
        for (const r of pending) this.pending.records.push(r);
        this.observer.disconnect();
        if (pending.length) this.schedule();
      },
      resume: () => {
        for (const root of this.roots) this.observer?.observe(root, OBSERVE);
      },
    });
    /** Shadow roots and frame documents under observation (the page itself included). */
    /** @type {Set<Document | ShadowRoot>} */
    this.roots = new Set();
    /** Roots whose events we listen to (listeners survive a full page). */
    /** @type {WeakSet<Document | ShadowRoot>} */
    this.listening = new WeakSet();
    /** The adopted sheets last sent per root, to notice `adoptedStyleSheets.push`. */
    /** @type {WeakMap<Document | ShadowRoot, CSSStyleSheet[]>} */
    this.adoptedSent = new WeakMap();
    this.canvases = new CanvasQueue({ later: (ms) => setTimeout(() => this.schedule(), ms) });
    this.focusSent = '';
    this.selectionSent = '';
    /** A new id per page load: the agent fires `navigate` when it changes. */
    this.loadId = Math.random().toString(36).slice(2);
    this.running = false;
    this.scheduled = false;
    this.pending = new PendingChanges();
    /** @type {(() => void)[]} */
    this.teardown = [];
    /** A history change in the page or in a watched frame (one callback: the hook keeps one). */
    this.historyChanged = (/** @type {Window} */ win) => {
      if (!this.running) return;
      if (win === window) this.markUrl();
      else this.markFrameUrl(win);
    };
  }

  start() {
    if (this.running) return;
    this.running = true;
    try {
      this.begin();
    } catch (e) {
      this.captureFailed(e);
    }
  }

  begin() {
    this.observer = new (Observer())((records) => {
      for (const r of records) this.pending.records.push(r);
      this.schedule();
    });
    /** Documents whose sprite holder gained symbols. @type {Set<Document>} */
    this.spriteDocs = new Set();
    sprites.changed = (doc) => (this.spriteDocs.add(doc), this.schedule());
    this.fonts = new FontInliner((owners) => {
      for (const owner of owners) {
        if (/** @type {any} */ (owner).nodeType === Node.ELEMENT_NODE) this.pending.sheets.add(/** @type {Element} */ (owner));
        else this.pending.changedSheets.add(/** @type {CSSStyleSheet} */ (owner));
      }
      this.schedule();
    });
    this.serializer.fonts = this.fonts;
    this.serializer.constructed.fonts = this.fonts;
    this.listen(window, 'resize', () => ((this.pending.viewport = true), this.schedule()));
    this.listen(document, 'mousemove', (e) => this.markPointer([e.clientX, e.clientY]), true);
    this.listen(document, 'visibilitychange', () => this.onVisibility(document.visibilityState === 'hidden' ? 'hidden' : 'visible'));
    this.listen(window, 'popstate', () => this.markUrl());
    this.listen(window, 'hashchange', () => this.markUrl());
    hookHistory(this.historyChanged, window);
    const poll = setInterval(() => pollAdopted(this), ADOPTED_POLL_MS);
    this.teardown.push(() => clearInterval(poll));
    this.watchRoot(document);
    this.sendFullPage();
  }

  /** @param {Document | ShadowRoot} root */
  watchRoot(root) {
    watchRoot(this, root);
  }

  stop() {
    this.running = false;
    this.observer?.disconnect();
    this.boxes.disconnect();
    hookFormSetters(null);
    hookHistory(null);
    observeStyleSheets(null);
    hookAttachShadow(null);
    observeCanvasDrawing(null);
    this.fonts?.stop();
    for (const undo of this.teardown) undo();
    this.teardown = [];
    this.listening = new WeakSet();
    this.serializer.gids.clear();
    // The ids were only for the session (in shadow roots and frames too).
    for (const root of [document, ...this.roots]) {
      for (const el of root.querySelectorAll('[data-gid]')) el.removeAttribute('data-gid');
      for (const el of root.querySelectorAll('[data-gcid]')) el.removeAttribute('data-gcid');
    }
    this.roots.clear();
  }

  /**
   * The documented `notifyChanged({canvas: {gcids}})`: these canvases were drawn on.
   * @param {any} what
   */
  notifyChanged(what) {
    const gcids = what && what.canvas && Array.isArray(what.canvas.gcids) ? what.canvas.gcids : [];
    for (const gcid of gcids) {
      const node = this.mirror.get(Number(gcid));
      if (node && node.nodeType === Node.ELEMENT_NODE && /** @type {Element} */ (node).localName === 'canvas') {
        this.markCanvas(/** @type {HTMLCanvasElement} */ (node));
      }
    }
  }

  /**
   * New masking rules: when they differ, the agents get a full page with the new rules applied.
   * @param {import('./masking.js').MaskingPolicy} masking
   */
  setMasking(masking) {
    const changed = masking.signature !== this.policy.masking.signature;
    const held = this.holding;
    this.policy.masking = masking;
    this.holding = false;
    if (changed || this.failures) this.sendFullPage();
    else if (held) this.schedule();
  }

  /**
   * A (re)connect: the rules just resolved, then a full page (the server's copy may be stale).
   * @param {import('./masking.js').MaskingPolicy} masking
   */
  restart(masking) {
    this.policy.masking = masking;
    this.holding = false;
    this.sendFullPage();
  }

  /** @param {boolean} paused */
  setPaused(paused) {
    if (paused === this.paused) return;
    this.paused = paused;
    if (!paused) this.sendFullPage();
  }

  /** Serializes the whole page; pending changes are covered by it. */
  sendFullPage() {
    try {
      this.fullPage();
    } catch (e) {
      this.captureFailed(e);
    }
  }

  fullPage() {
    if (!this.running || this.paused || this.holding) return;
    this.observer?.takeRecords();
    this.pending.clear();
    this.serializer.fresh = new Set();
    this.serializer.masked.clear();
    this.boxes.disconnect();
    if (this.policy.masking.maskPage || this.tooLarge) {
      // A masked page: the agent learns that it is masked, and nothing else. A page over the
      // frame limit: that it is too large (sending it again would only be refused again).
      const what = this.policy.masking.maskPage ? { masked: true } : { toolarge: true };
      this.send(FrameKind.page, { ...what, load: this.loadId, vp: [window.innerWidth, window.innerHeight], sc: [0, 0] });
      return;
    }
    // Roots are watched again as the serialization meets them (gone ones are dropped).
    this.observer?.disconnect();
    this.roots.clear();
    this.watchRoot(document);
    this.serializer.constructed.resetSent();
    this.serializer.trackFresh = false;
    let doc;
    try {
      doc = this.serializer.tree(document);
    } finally {
      this.serializer.trackFresh = true;
    }
    const sheets = this.serializer.constructed.take();
    this.serializer.measure();
    this.observer?.takeRecords(); // our own data-gcid writes
    noteAdoptedSent(this);
    for (const canvas of Array.from(this.canvases.dirty)) this.canvases.sent(canvas);
    const focus = this.focusNow();
    this.focusSent = JSON.stringify(focus);
    // The text selection follows in the first delta: reading it forces a layout, which the
    // page's next frame does anyway; here it would delay the page message.
    this.selectionSent = '[]';
    const masking = this.policy.masking;
    this.send(FrameKind.page, {
      url: masking.visibleUrl(location.href),
      ...(masking.privateMode ? {} : { title: document.title }),
      load: this.loadId,
      vp: [window.innerWidth, window.innerHeight],
      dpr: window.devicePixelRatio,
      sc: [window.scrollX, window.scrollY],
      ua: navigator.userAgent,
      vis: document.visibilityState,
      doc,
      ...(sheets.length ? { ss: sheets } : {}),
      ...(focus.length ? { fc: focus } : {}),
    });
    this.failures = 0;
    this.serializer.gids.kick();
    this.markFocus();
  }

  /**
   * A step of the capture threw (a page that broke something it needs): the page's `error`
   * listeners hear it once (`capturefailed`), agents get a notice instead of a blank or stale
   * mirror, and nothing else goes until the capture, started again after 1 s, 5 s, then every
   * 30 s, sends a full page.
   * @param {unknown} error
   */
  captureFailed(error) {
    if (!this.running) return;
    if (!this.failures++) this.onCaptureFailed(error);
    try {
      this.send(FrameKind.page, { capturefailed: true, load: this.loadId, vp: [window.innerWidth, window.innerHeight], sc: [0, 0] });
    } catch {}
    clearTimeout(this.retry);
    this.retry = setTimeout(() => {
      if (!this.running) return;
      this.stop();
      this.start();
    }, [0, 1e3, 5e3][this.failures] || 3e4);
  }

  schedule() {
    if (this.scheduled || !this.running) return;
    this.scheduled = true;
    // At most one batch per frame; the timer covers background tabs, where frames stop.
    nextFrame(() => this.flush());
    setTimeout(() => this.flush(), 100);
  }

  flush() {
    if (!this.scheduled || !this.running) return;
    this.scheduled = false;
    // Changes wait (in the pending records and marks) for the new URL's rules.
    if (this.holding) return;
    try {
      this.sendDelta();
    } catch (e) {
      this.captureFailed(e);
    }
  }

  sendDelta() {
    const pending = this.pending;
    const records = pending.takeRecords().concat(this.observer ? this.observer.takeRecords() : []);
    if (this.paused || this.policy.masking.maskPage || this.tooLarge || this.failures) {
      // Nothing of a paused or masked page leaves; the next full page covers these changes.
      pending.clear();
      return;
    }
    this.serializer.fresh = new Set();
    const { rm, add, tx, at } = processMutations(records, this.serializer, this.policy, pending.sheets, pending.resend);
    for (const doc of this.spriteDocs) spriteAdds(doc, this.serializer, add);
    this.spriteDocs.clear();
    for (const [id, attrs] of /** @type {[number, Record<string, string | null>][]} */ (at)) {
      // A canvas resized is cleared: its pixels go again. A dialog opened may be modal.
      const el = this.mirror.get(id);
      const tag = el && /** @type {Element} */ (el).localName;
      if (tag === 'canvas' && ('width' in attrs || 'height' in attrs)) this.markCanvas(/** @type {HTMLCanvasElement} */ (el));
      else if (tag === 'dialog' && 'open' in attrs) this.markInput(el || null);
    }
    this.serializer.measure();
    /** @type {any} */
    const delta = {};
    if (rm.length) delta.rm = rm;
    if (add.length) delta.add = add;
    if (tx.length) delta.tx = tx;
    if (at.length) delta.at = at;
    collectInputs(this, delta);
    collectSheets(this, delta);
    collectAdopted(this, delta);
    for (const sheet of pending.changedSheets) this.serializer.constructed.changed(sheet);
    // Sheet texts come first in the delta: added roots and `as` name them by id.
    const texts = this.serializer.constructed.take();
    collectCanvases(this, delta);
    collectScrolls(this, delta);
    collectFocus(this, delta);
    if (pending.viewport) delta.vp = [window.innerWidth, window.innerHeight];
    if (pending.url) delta.url = this.policy.masking.privateMode ? [this.policy.masking.visibleUrl(location.href), ''] : [location.href, document.title];
    const pointer = pending.pointer;
    pending.clearMarks();
    this.observer?.takeRecords(); // data-gcid writes made while serializing additions
    const out = texts.length ? { ss: texts, ...delta } : delta;
    if (Object.keys(out).length) this.send(FrameKind.delta, out);
    this.serializer.gids.kick();
    const point = pointer && pointer.length === 3 ? pagePoint(pointer[0], pointer[1], pointer[2]) : pointer;
    if (point) this.send(FrameKind.transient, { pt: [point[0], point[1]] });
  }

  /**
   * Whether a node's content may not leave: not sent (inside a masked box, or never mirrored),
   * sent as a masked box, or masked by the rule now (`MaskingPolicy.isMasked`).
   * @param {Node} node
   */
  isMasked(node) {
    return !this.mirror.has(node) || this.serializer.masked.has(/** @type {Element} */ (node)) || this.policy.masking.isMasked(node);
  }

  focusNow() {
    return focusState(this.mirror, (el) => this.isMasked(el));
  }

  selectionNow() {
    return selectionState(this.mirror, (node) => this.isMasked(node));
  }

  /** @param {EventTarget | null} target */
  markInput(target) {
    if (isFormField(target)) {
      this.pending.inputs.add(/** @type {Element} */ (target));
      this.schedule();
    }
  }

  /** @param {Element} el */
  markResend(el) {
    if (!this.mirror.has(el)) return;
    this.pending.resend.add(el);
    this.schedule();
  }

  /** @param {HTMLCanvasElement} canvas */
  markCanvas(canvas) {
    // A masked canvas is not read at all (a WebGL one is read when it draws, see canvas.js).
    if (!this.mirror.has(canvas) || this.serializer.masked.has(canvas)) return;
    this.canvases.mark(canvas);
    this.schedule();
  }

  /** @param {HTMLImageElement} img */
  markImage(img) {
    if (!this.mirror.has(img) || !currentSource(img)) return;
    this.pending.images.add(img);
    this.schedule();
  }

  markFocus() {
    this.pending.focus = true;
    this.schedule();
  }

  /** @param {Element} el */
  markSheet(el) {
    this.pending.sheets.add(el);
    this.schedule();
  }

  /**
   * A frame's URL changed without a load: under URL rules it may now be a masked page (or no
   * longer one), so it is sent again.
   * @param {Window} win
   */
  markFrameUrl(win) {
    if (!this.policy.masking.masksFrames) return;
    let frame = null;
    try {
      frame = win.frameElement;
    } catch {
      return;
    }
    if (frame) this.markResend(frame);
  }

  /** The page's URL changed without a load: its masking rules are asked again before anything leaves. */
  markUrl() {
    // replaceState with the same URL (state only, as routers do on scroll): nothing to ask.
    if (location.href === this.urlSeen) return;
    this.urlSeen = location.href;
    this.pending.url = true;
    if (this.onUrlChange) {
      this.holding = true;
      this.onUrlChange();
    }
    this.schedule();
  }

  /** @param {[number, number] | [number, number, Document]} point in the page's viewport, or in a frame's */
  markPointer(point) {
    this.pending.pointer = point;
    this.schedule();
  }

  /** A document or shadow root whose adopted sheets changed. @param {Document | ShadowRoot} root */
  markAdopted(root) {
    this.pending.adopted.add(root);
    this.schedule();
  }

  /**
   * A CSSOM change: the sheet's owner element, or a constructed sheet (its text goes once for
   * every root that adopted it). An imported sheet belongs to the sheet that imports it.
   * @param {CSSStyleSheet} sheet
   */
  markSheetChange(sheet) {
    if (!this.running) return;
    let top = sheet;
    while (!top.ownerNode && top.ownerRule && top.ownerRule.parentStyleSheet) top = top.ownerRule.parentStyleSheet;
    const owner = top.ownerNode;
    if (owner && owner.nodeType === Node.ELEMENT_NODE) return this.markSheet(/** @type {Element} */ (owner));
    this.pending.changedSheets.add(top);
    this.schedule();
  }

  /** Scrolling of the window, a frame's window or an element. @param {EventTarget | null} target */
  markScroll(target) {
    const node = /** @type {Node | null} */ (target);
    if (!node) return;
    const scrolls = this.pending.scrolls;
    if (node === document || node === document.documentElement || node === document.scrollingElement) {
      scrolls.add(document);
    } else if (node.nodeType === Node.DOCUMENT_NODE) {
      scrolls.add(/** @type {Document} */ (node));
    } else if (node.nodeType === Node.ELEMENT_NODE) {
      const el = /** @type {Element} */ (node);
      const doc = el.ownerDocument;
      if (doc !== document && (el === doc.documentElement || el === doc.scrollingElement)) scrolls.add(doc);
      else {
        this.scrollState.scrolled.add(el);
        scrolls.add(el);
      }
    }
    this.schedule();
  }

  /**
   * @param {EventTarget} target @param {string} type
   * @param {(e: any) => void} handler @param {boolean} [capture]
   */
  listen(target, type, handler, capture = false) {
    const options = { capture, passive: true };
    target.addEventListener(type, handler, options);
    this.teardown.push(() => target.removeEventListener(type, handler, options));
  }
}
