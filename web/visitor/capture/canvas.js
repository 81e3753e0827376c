// @ts-check
import { pageHook } from './hooks.js';

/**
 * Canvas pixels travel as PNG data URLs (`cv`): in the snapshot, when the page calls the
 * documented `notifyChanged({canvas: {gcids}})`, and when the capture sees a 2D or WebGL context
 * draw on a canvas. Encoding is the costly part, so it runs on a budget (see CanvasQueue).
 * A WebGL drawing buffer is cleared once the frame is shown (unless the context was made with
 * `preserveDrawingBuffer`), so such a canvas is read in the task that drew it, in a microtask
 * after the page's drawing code, and that reading is what is sent (docs/decisions.md).
 */

/** Pixels above which a canvas is not sent (a PNG of it would be megabytes). */
const MAX_PIXELS = 4096 * 4096;

/** WebGL canvases whose drawing buffer does not outlive the frame. @type {WeakSet<object>} */
const live = new WeakSet();
/** Their pixels as last read. @type {WeakMap<object, string | null>} */
const read = new WeakMap();
/** WebGL contexts already looked at. @type {WeakSet<object>} */
const seen = new WeakSet();

/**
 * @param {HTMLCanvasElement} canvas
 * @param {boolean} [fresh] read it now (a live WebGL canvas: its last reading instead)
 * @returns {string | null} null for an empty, huge or cross-origin-tainted canvas
 */
export function canvasData(canvas, fresh = !live.has(canvas)) {
  if (!canvas.width || !canvas.height || canvas.width * canvas.height > MAX_PIXELS) return null;
  try {
    return fresh ? canvas.toDataURL('image/png') : read.get(canvas) || null;
  } catch {
    return null; // tainted by another origin's image: the visitor's browser will not read it
  }
}

/**
 * Canvases waiting to be encoded. Each canvas is encoded at most once per `interval` ms, and
 * one flush spends at most `budget` ms encoding; what is left waits for a later flush.
 */
export class CanvasQueue {
  /** @param {{interval?: number, budget?: number, later: (ms: number) => void}} options */
  constructor(options) {
    this.interval = options.interval ?? 200;
    this.budget = options.budget ?? 12;
    this.later = options.later;
    /** @type {Set<HTMLCanvasElement>} */
    this.dirty = new Set();
    /** @type {WeakMap<HTMLCanvasElement, number>} when each canvas was last encoded */
    this.sentAt = new WeakMap();
    /** @type {WeakMap<HTMLCanvasElement, number>} how long its last encoding took (ms) */
    this.cost = new WeakMap();
  }

  /** @param {HTMLCanvasElement} canvas */
  mark(canvas) {
    if (!live.has(canvas)) return this.dirty.add(canvas);
    // Read now or never: in a microtask (the page's drawing code is done), when this canvas is due.
    if (performance.now() - (this.sentAt.get(canvas) ?? -Infinity) < this.gap(canvas)) return;
    this.sentAt.set(canvas, performance.now());
    queueMicrotask(() => {
      const now = performance.now();
      read.set(canvas, canvasData(canvas, true));
      this.cost.set(canvas, performance.now() - now);
      this.dirty.add(canvas);
    });
  }

  /** How long a canvas waits between encodings: slow ones longer (~10% of the time at most). @param {HTMLCanvasElement} canvas */
  gap(canvas) {
    return Math.max(this.interval, 10 * (this.cost.get(canvas) || 0));
  }

  /** The snapshot sent this canvas just now. @param {HTMLCanvasElement} canvas */
  sent(canvas) {
    this.dirty.delete(canvas);
    this.sentAt.set(canvas, performance.now());
  }

  /**
   * Encodes what the budget allows.
   * @param {(canvas: HTMLCanvasElement) => number | undefined} idOf the id to send it under, or undefined to drop it
   * @returns {[number, string][]}
   */
  take(idOf) {
    const out = [];
    const start = performance.now();
    let wait = Infinity;
    for (const canvas of this.dirty) {
      const id = idOf(canvas);
      if (id === undefined || !canvas.isConnected) {
        this.dirty.delete(canvas);
        continue;
      }
      if (live.has(canvas)) {
        // Read when it drew (mark): sent as read.
        const data = this.dirty.delete(canvas) && read.get(canvas);
        if (data) out.push([id, data]);
        continue;
      }
      const now = performance.now();
      const since = now - (this.sentAt.get(canvas) ?? -Infinity);
      const interval = this.gap(canvas);
      if (since < interval) {
        wait = Math.min(wait, interval - since);
        continue;
      }
      if (now - start > this.budget) {
        wait = 0;
        break;
      }
      this.sent(canvas);
      const data = canvasData(canvas);
      this.cost.set(canvas, performance.now() - now);
      if (data) out.push([id, data]);
    }
    if (this.dirty.size && wait !== Infinity) this.later(Math.max(wait, 16));
    return /** @type {[number, string][]} */ (out);
  }
}

/** Reports the canvas of every 2D and WebGL drawing call (cheap: a set insertion per call). */
export const observeCanvasDrawing = pageHook((/** @type {(canvas: HTMLCanvasElement) => void} */ notify, win) => {
  // (WebGL: a frame that draws instances alone, without clearing, is not seen.)
  const methods = ['fillRect', 'strokeRect', 'clearRect', 'fill', 'stroke', 'fillText', 'strokeText', 'drawImage', 'putImageData', 'reset', 'clear', 'drawArrays', 'drawElements'];
  for (const type of ['CanvasRenderingContext2D', 'WebGLRenderingContext', 'WebGL2RenderingContext']) {
    const proto = win[type] && win[type].prototype;
    for (const method of proto ? methods : []) {
      const original = proto[method];
      if (typeof original !== 'function') continue;
      proto[method] = function (/** @type {any[]} */ ...args) {
        const result = original.apply(this, args);
        if (type > 'W' && !seen.has(this)) {
          seen.add(this);
          if (!this.getContextAttributes()?.preserveDrawingBuffer) live.add(this.canvas);
        }
        if (this.canvas) notify(this.canvas);
        return result;
      };
    }
  }
});
