// @ts-check
import { Mirror } from '../../common/mirror.js';
import { FrameKind } from '../../common/protocol.js';
import { processMutations } from './mutations.js';
import { formState, isStylesheetLink, Serializer } from './serialize.js';
import { pageHook } from './hooks.js';
import { observeStyleSheets, sheetText } from './styles.js';

/**
 * Captures the visitor's page: a full page on demand, then one delta per animation frame
 * holding every change since the last (DOM mutations, form values, scrolling, viewport, CSSOM,
 * URL) and a transient frame for the pointer.
 */
export class Recorder {
  /**
   * @param {{
   *   send: (kind: number, payload: any) => void,
   *   onVisibility: (state: 'visible' | 'hidden') => void,
   *   masking: import('./masking.js').MaskingPolicy,
   * }} options
   */
  constructor(options) {
    this.send = options.send;
    this.onVisibility = options.onVisibility;
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
    /** A new id per page load: the agent fires `navigate` when it changes. */
    this.loadId = Math.random().toString(36).slice(2);
    this.running = false;
    this.scheduled = false;
    this.resetPending();
    /** @type {(() => void)[]} */
    this.teardown = [];
  }

  resetPending() {
    /** @type {MutationRecord[]} */
    this.records = [];
    /** @type {Set<Element>} */
    this.inputs = new Set();
    /** @type {Set<Element>} */
    this.sheets = new Set();
    /** @type {Set<Element | Document>} */
    this.scrolls = new Set();
    this.viewportChanged = false;
    this.urlChanged = false;
    /** @type {[number, number] | null} */
    this.pointer = null;
  }

  start() {
    if (this.running) return;
    this.running = true;
    this.observer = new MutationObserver((records) => {
      for (const r of records) this.records.push(r);
      this.schedule();
    });
    this.observer.observe(document, { childList: true, attributes: true, characterData: true, subtree: true });
    this.listen(document, 'input', (e) => this.markInput(e.target), true);
    this.listen(document, 'change', (e) => this.markInput(e.target), true);
    this.listen(document, 'scroll', (e) => this.markScroll(e.target), true);
    this.listen(window, 'resize', () => ((this.viewportChanged = true), this.schedule()));
    this.listen(document, 'mousemove', (e) => ((this.pointer = [e.clientX, e.clientY]), this.schedule()), true);
    this.listen(document, 'visibilitychange', () => this.onVisibility(document.visibilityState === 'hidden' ? 'hidden' : 'visible'));
    // A stylesheet that finishes loading becomes readable: send its rules.
    this.listen(document, 'load', (e) => {
      const el = /** @type {Element} */ (e.target);
      if (el && el.localName === 'link' && isStylesheetLink(el)) this.markSheet(el);
    }, true);
    this.listen(window, 'popstate', () => this.markUrl());
    this.listen(window, 'hashchange', () => this.markUrl());
    observeStyleSheets((sheet) => {
      const owner = sheet.ownerNode;
      if (owner && owner.nodeType === Node.ELEMENT_NODE) this.markSheet(/** @type {Element} */ (owner));
    });
    hookFormSetters((el) => this.running && this.markInput(el));
    hookHistory(() => this.running && this.markUrl());
    this.sendFullPage();
  }

  stop() {
    this.running = false;
    this.observer?.disconnect();
    hookFormSetters(null);
    hookHistory(null);
    observeStyleSheets(null);
    for (const undo of this.teardown) undo();
    this.teardown = [];
    // The ids were only for the session.
    for (const el of document.querySelectorAll('[data-gid]')) el.removeAttribute('data-gid');
    for (const el of document.querySelectorAll('[data-gcid]')) el.removeAttribute('data-gcid');
  }

  /**
   * New masking rules: when they differ, the agents get a full page with the new rules applied.
   * @param {import('./masking.js').MaskingPolicy} masking
   */
  setMasking(masking) {
    const changed = masking.signature !== this.policy.masking.signature;
    this.policy.masking = masking;
    if (changed) this.sendFullPage();
  }

  /** @param {boolean} paused */
  setPaused(paused) {
    if (paused === this.paused) return;
    this.paused = paused;
    if (!paused) this.sendFullPage();
  }

  /** Serializes the whole page; pending changes are covered by it. */
  sendFullPage() {
    if (!this.running || this.paused) return;
    this.observer?.takeRecords();
    this.resetPending();
    this.serializer.fresh = new Set();
    if (this.policy.masking.maskPage) {
      // A masked page: the agent learns that it is masked, and nothing else.
      this.send(FrameKind.page, { masked: true, load: this.loadId, vp: [window.innerWidth, window.innerHeight], sc: [0, 0] });
      return;
    }
    const doc = this.serializer.serialize(document);
    this.serializer.measure();
    this.observer?.takeRecords(); // our own data-gid writes
    this.send(FrameKind.page, {
      url: location.href,
      title: document.title,
      load: this.loadId,
      vp: [window.innerWidth, window.innerHeight],
      dpr: window.devicePixelRatio,
      sc: [window.scrollX, window.scrollY],
      ua: navigator.userAgent,
      vis: document.visibilityState,
      doc,
    });
  }

  schedule() {
    if (this.scheduled || !this.running) return;
    this.scheduled = true;
    // At most one batch per frame; the timer covers background tabs, where frames stop.
    requestAnimationFrame(() => this.flush());
    setTimeout(() => this.flush(), 100);
  }

  flush() {
    if (!this.scheduled || !this.running) return;
    this.scheduled = false;
    const records = this.records.concat(this.observer ? this.observer.takeRecords() : []);
    this.records = [];
    if (this.paused || this.policy.masking.maskPage) {
      // Nothing of a paused or masked page leaves; the next full page covers these changes.
      this.resetPending();
      return;
    }
    this.serializer.fresh = new Set();
    const { rm, add, tx, at } = processMutations(records, this.serializer, this.policy, this.sheets);
    this.serializer.measure();
    /** @type {any} */
    const delta = {};
    if (rm.length) delta.rm = rm;
    if (add.length) delta.add = add;
    if (tx.length) delta.tx = tx;
    if (at.length) delta.at = at;
    this.collectInputs(delta);
    this.collectSheets(delta);
    this.collectScrolls(delta);
    if (this.viewportChanged) delta.vp = [window.innerWidth, window.innerHeight];
    if (this.urlChanged) delta.url = [location.href, document.title];
    const pointer = this.pointer;
    this.inputs.clear();
    this.sheets.clear();
    this.scrolls.clear();
    this.viewportChanged = this.urlChanged = false;
    this.pointer = null;
    this.observer?.takeRecords(); // data-gid writes made while serializing additions
    if (Object.keys(delta).length) this.send(FrameKind.delta, delta);
    if (pointer) this.send(FrameKind.transient, { pt: pointer });
  }

  /** @param {any} delta */
  collectInputs(delta) {
    const list = [];
    for (const el of this.inputs) {
      const id = this.mirror.idOf(el);
      if (id === undefined || this.serializer.fresh.has(id) || !el.isConnected) continue;
      if (this.serializer.masked.has(el) || this.policy.masking.masksElement(el)) continue;
      const state = {};
      formState(el, state);
      list.push([id, state]);
    }
    if (list.length) delta.in = list;
  }

  /** @param {any} delta */
  collectSheets(delta) {
    const list = [];
    for (const el of this.sheets) {
      const id = this.mirror.idOf(el);
      if (id === undefined || this.serializer.fresh.has(id) || !el.isConnected) continue;
      const css = sheetText(/** @type {HTMLStyleElement | HTMLLinkElement} */ (el));
      if (css !== null) list.push([id, css]);
    }
    if (list.length) delta.css = list;
  }

  /** @param {any} delta */
  collectScrolls(delta) {
    const list = [];
    for (const target of this.scrolls) {
      if (target === document) {
        list.push([0, window.scrollX, window.scrollY]);
        continue;
      }
      const el = /** @type {Element} */ (target);
      const id = this.mirror.idOf(el);
      if (id !== undefined && el.isConnected) list.push([id, el.scrollLeft, el.scrollTop]);
    }
    if (list.length) delta.sc = list;
  }

  /** @param {EventTarget | null} target */
  markInput(target) {
    if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) {
      this.inputs.add(target);
      this.schedule();
    }
  }

  /** @param {EventTarget | null} target */
  markScroll(target) {
    if (target === document || target === document.documentElement || target === document.scrollingElement) {
      this.scrolls.add(document);
    } else if (target instanceof Element) {
      this.scrollState.scrolled.add(target);
      this.scrolls.add(target);
    }
    this.schedule();
  }

  /** @param {Element} el */
  markSheet(el) {
    this.sheets.add(el);
    this.schedule();
  }

  markUrl() {
    this.urlChanged = true;
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

/** Values set by scripts (`input.value = 'x'`, frameworks) fire no event: hook the setters. */
const hookFormSetters = pageHook((/** @type {(el: Element) => void} */ notify) => {
  /** @type {[any, string][]} */
  const props = [
    [HTMLInputElement.prototype, 'value'], [HTMLInputElement.prototype, 'checked'],
    [HTMLTextAreaElement.prototype, 'value'], [HTMLSelectElement.prototype, 'value'],
    [HTMLSelectElement.prototype, 'selectedIndex'], [HTMLOptionElement.prototype, 'selected'],
  ];
  for (const [proto, prop] of props) {
    const desc = Object.getOwnPropertyDescriptor(proto, prop);
    if (!desc || !desc.set) continue;
    const set = desc.set;
    Object.defineProperty(proto, prop, {
      ...desc,
      set(value) {
        set.call(this, value);
        const el = this instanceof HTMLOptionElement ? this.parentElement?.closest('select') : this;
        if (el) notify(el);
      },
    });
  }
});

/** Single-page apps change the URL without a page load. */
const hookHistory = pageHook((/** @type {() => void} */ notify) => {
  for (const method of /** @type {const} */ (['pushState', 'replaceState'])) {
    const original = history[method];
    history[method] = function (...args) {
      const result = original.apply(this, /** @type {any} */ (args));
      notify();
      return result;
    };
  }
});
