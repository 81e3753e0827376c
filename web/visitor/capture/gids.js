// @ts-check
/**
 * Writes the documented `data-gid` (every element) and `data-gcid` (canvases) attributes.
 *
 * Why later and in slices: on a 20k-element page the attribute writes cost more than the whole
 * rest of the snapshot, and nothing the agent sees depends on them — they are for the page's
 * own code (an `rcevent` path, `notifyChanged` gcids). So the page message goes first and the
 * attributes follow in tasks of a few milliseconds each, with the MutationObserver off while
 * they are written (our writes are not page changes; records for them would only be dropped).
 * An element the agent acts on gets its attribute at once (`now`).
 */

/** Longest slice of writes before the page gets the main thread back. */
const SLICE_MS = 8;

export class GidWriter {
  /**
   * @param {import('../../common/mirror.js').Mirror} mirror
   * @param {{ pause: () => void, resume: () => void }} observer stops and restarts the recorder's
   *   MutationObserver around a slice (keeping what it had recorded)
   */
  constructor(mirror, observer) {
    this.mirror = mirror;
    this.observer = observer;
    /** @type {Element[]} elements given an id whose attribute is not written yet */
    this.queue = [];
    this.next = 0;
    this.timer = 0;
  }

  /** @param {Element} el a newly identified element */
  add(el) {
    this.queue.push(el);
  }

  /** After a page or delta was sent: write what is queued, starting in the next task. */
  kick() {
    if (this.timer || this.next >= this.queue.length) return;
    this.timer = setTimeout(() => this.write(), 0);
  }

  /** One slice. */
  write() {
    this.timer = 0;
    this.observer.pause();
    const end = performance.now() + SLICE_MS;
    const queue = this.queue;
    let i = this.next;
    for (; i < queue.length; i++) {
      if ((i & 255) === 255 && performance.now() > end) break;
      this.apply(queue[i]);
    }
    this.observer.resume();
    if (i >= queue.length) {
      this.queue = [];
      this.next = 0;
    } else {
      this.next = i;
      this.timer = setTimeout(() => this.write(), 0);
    }
  }

  /** Writes one element's attributes now (the agent acted on it; the page may look it up). @param {Element} el */
  now(el) {
    this.apply(el);
  }

  /** @param {Element} el */
  apply(el) {
    const id = this.mirror.idOf(el);
    if (id === undefined) return; // removed from the page (and the mirror) meanwhile
    const value = String(id);
    if (el.getAttribute('data-gid') !== value) el.setAttribute('data-gid', value);
    if (el.localName === 'canvas' && el.getAttribute('data-gcid') !== value) el.setAttribute('data-gcid', value);
  }

  /** The session ended: nothing more is written. */
  clear() {
    clearTimeout(this.timer);
    this.timer = 0;
    this.queue = [];
    this.next = 0;
  }
}
