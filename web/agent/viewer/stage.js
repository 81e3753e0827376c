// @ts-check
import { Mirror } from '../../common/mirror.js';
import { applyDelta, applyScroll } from '../render/apply.js';
import { applyFocus, applySelection } from '../render/focus.js';
import { buildDocument } from '../render/rebuild.js';
import { $, showCover } from './chrome.js';
import { emit } from './events.js';

/**
 * The stage: the sandboxed mirror frame holding the visitor's page, scaled to fit, with the
 * visitor's pointer over it. Builds each page, applies each delta, and keeps the frame itself
 * healthy: it never navigates (inert, the overlay takes the pointer, the sandbox allows no
 * script, form or top navigation); should its document still be navigated away or rewritten,
 * the stage notices (`lost`) and starts again from a fresh frame and a fresh page.
 *
 * The mirror is the frame's initial empty document (no src, no srcdoc): the page is written
 * into it, which lets it take the visitor's mode (an srcdoc document can never be in quirks mode).
 */
export class Stage {
  /** @param {{send: (msg: any) => boolean, canSend: () => boolean}} link the agent socket */
  constructor(link) {
    this.link = link;
    this.mirror = new Mirror();
    this.screen = $('screen');
    this.pointer = $('pointer');
    this.frame = /** @type {HTMLIFrameElement} */ ($('mirror'));
    /** The document the mirror is built in and the root element last put there. */
    this.doc = /** @type {Document} */ (this.frame.contentDocument);
    this.root = this.doc.documentElement;
    /** Building writes the document anew (document.open), which fires the frame's `load`. */
    this.building = false;
    /** While paused the cover stays over a page that arrives (the server says when it ends). */
    this.paused = false;
    this.viewport = [1280, 800];
    this.loadId = '';
    this.pageUrl = '';
    this.pendingScroll = /** @type {[number, number]} */ ([0, 0]);
    this.elementScrolls = /** @type {[number, number, number][]} */ ([]);
    this.lastResync = 0;
    this.resyncTimer = 0;
    this.watchFrame(this.frame);
    window.addEventListener('resize', () => this.fit());
    // The toolbar wraps to more rows when buttons appear: the stage shrinks without a window resize.
    if (typeof ResizeObserver === 'function') new ResizeObserver(() => this.fit()).observe($('stage'));
    // Focus never rests in the mirror, where the agent's keys would reach the visitor's links and
    // fields: the frame is inert, but a modal dialog opened there still takes focus. It goes back
    // to the viewer's page (not the overlay, whose focus ring would show over the mirror).
    window.addEventListener('blur', () => {
      setTimeout(() => {
        if (document.activeElement === this.frame) this.frame.blur();
      });
    });
  }

  /** The scale the visitor's viewport is shown at. */
  get scale() {
    return Number(this.screen.dataset.scale || 1);
  }

  fit() {
    const stage = $('stage');
    const [width, height] = this.viewport;
    const scale = Math.min(stage.clientWidth / width, stage.clientHeight / height, 1);
    this.frame.style.width = this.screen.style.width = `${width}px`;
    this.frame.style.height = this.screen.style.height = `${height}px`;
    this.screen.style.transform = `scale(${scale})`;
    this.screen.dataset.scale = String(scale);
  }

  /** Whether the frame no longer shows the document and root the stage last built. */
  lost() {
    const doc = this.frame.contentDocument;
    return doc !== this.doc || doc.documentElement !== this.root;
  }

  /** A fresh mirror frame in place of the lost one: only a new frame surely has an empty document
   * of the viewer's own origin at once (the lost one may show another origin or an error page). */
  replaceFrame() {
    const fresh = document.createElement('iframe');
    fresh.id = 'mirror';
    fresh.setAttribute('sandbox', 'allow-same-origin');
    fresh.setAttribute('scrolling', 'no');
    fresh.setAttribute('inert', '');
    fresh.title = this.frame.title;
    this.frame.replaceWith(fresh);
    this.frame = fresh;
    this.doc = /** @type {Document} */ (fresh.contentDocument);
    this.root = this.doc.documentElement;
    this.watchFrame(fresh);
    this.mirror.reset();
    this.fit();
  }

  /** The mirror was lost while following changes: a fresh frame, and a fresh page to fill it. */
  recover() {
    this.replaceFrame();
    this.screen.dataset.ready = '';
    this.requestPage();
  }

  /** @param {HTMLIFrameElement} el */
  watchFrame(el) {
    // Any load after the first build is a navigation or a rewrite by someone else.
    el.addEventListener('load', () => {
      if (el === this.frame && !this.building && this.lost()) this.recover();
    });
  }

  /**
   * Asks for a full page (the visitor sends one; no deltas come until it does), at most once a
   * second. A socket still connecting needs no asking: joining brings the current page.
   */
  requestPage() {
    if (this.resyncTimer || !this.link.canSend()) return;
    const wait = this.lastResync + 1000 - Date.now();
    if (wait > 0) {
      this.resyncTimer = window.setTimeout(() => {
        this.resyncTimer = 0;
        this.requestPage();
      }, wait);
      return;
    }
    this.lastResync = Date.now();
    this.link.send({ t: 'resync' });
  }

  /** @param {any} page */
  renderPage(page) {
    // Any page answers a resync still waiting to be sent.
    clearTimeout(this.resyncTimer);
    this.resyncTimer = 0;
    if (this.lost()) this.replaceFrame();
    const doc = this.doc;
    const cover = page.masked ? 'masked' : page.toolarge ? 'toolarge' : page.capturefailed ? 'capturefailed' : null;
    if (cover) {
      // Nothing of a masked (too large, not captured) page arrives: clear the old one, say why.
      this.mirror.reset();
      doc.body?.replaceChildren();
      doc.head?.replaceChildren();
      showCover(cover);
      this.screen.dataset.ready = '';
      if (page.load !== this.loadId) {
        this.loadId = page.load;
        this.pageUrl = '';
        emit('navigate', { [cover]: true });
      }
      return;
    }
    if (!this.paused) showCover(null);
    this.building = true;
    try {
      buildDocument(doc, page, this.mirror);
    } finally {
      this.building = false;
    }
    this.root = doc.documentElement;
    this.viewport = page.vp;
    this.fit();
    this.pendingScroll = page.sc;
    this.elementScrolls = [];
    this.collectElementScrolls(page.doc);
    this.restoreScroll();
    if (page.fc) applyFocus(doc, page.fc, this.mirror);
    if (page.sl) applySelection(doc, page.sl, this.mirror);
    document.title = `${page.title || page.url} — Tandem`;
    if (page.load !== this.loadId || page.url !== this.pageUrl) {
      this.loadId = page.load;
      this.pageUrl = page.url;
      emit('navigate', { url: page.url, title: page.title, browser: page.ua, viewport: page.vp });
    }
    emit('pagevisibility', page.vis === 'hidden' ? 'hidden' : 'visible');
    this.screen.dataset.ready = '1';
  }

  /** @param {any} delta */
  renderDelta(delta) {
    if (!this.screen.dataset.ready) return;
    if (this.lost()) return this.recover();
    const doc = this.doc;
    const { missing } = applyDelta(doc, delta, this.mirror);
    // The page itself may replace its root element.
    this.root = doc.documentElement;
    if (missing > 0) this.requestPage();
    if (delta.vp) {
      this.viewport = delta.vp;
      this.fit();
    }
    for (const [id, x, y] of delta.sc || []) {
      if (id === 0) this.pendingScroll = /** @type {[number, number]} */ ([Number(x), Number(y)]);
      applyScroll(/** @type {Window} */ (this.frame.contentWindow), id, x, y, this.mirror);
    }
    if (delta.url) {
      this.pageUrl = delta.url[0];
      emit('navigate', { url: delta.url[0], title: delta.url[1] });
    }
  }

  /** @param {any} payload */
  renderPointer(payload) {
    if (!payload.pt) return;
    this.pointer.hidden = false;
    this.pointer.style.transform = `translate(${payload.pt[0]}px, ${payload.pt[1]}px)`;
  }

  /** Scroll positions need layout (and loaded styles): apply now and again shortly after. */
  restoreScroll() {
    const win = /** @type {Window} */ (this.frame.contentWindow);
    const apply = () => {
      for (const [id, x, y] of this.elementScrolls) applyScroll(win, id, x, y, this.mirror);
      applyScroll(win, 0, this.pendingScroll[0], this.pendingScroll[1], this.mirror);
    };
    apply();
    requestAnimationFrame(apply);
    setTimeout(apply, 300);
  }

  /** Element (and frame document) scroll offsets, through shadow roots and frames. @param {any} node */
  collectElementScrolls(node) {
    if (node.s) this.elementScrolls.push([node.i, node.s[0], node.s[1]]);
    for (const child of node.c || []) this.collectElementScrolls(child);
    if (node.sr) this.collectElementScrolls(node.sr);
    if (node.fd) this.collectElementScrolls(node.fd);
  }
}
