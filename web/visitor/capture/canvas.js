// @ts-check
import { pageHook } from './hooks.js';

/**
 * Canvas pixels travel as PNG data URLs (`cv`): in the snapshot, when the page calls the
 * documented `notifyChanged({canvas: {gcids}})`, and when the capture sees a 2D context draw on
 * a canvas. Encoding is the costly part, so it runs on a budget (see CanvasQueue).
 */

/** Pixels above which a canvas is not sent (a PNG of it would be megabytes). */
const MAX_PIXELS = 4096 * 4096;

/**
 * @param {HTMLCanvasElement} canvas
 * @returns {string | null} null for an empty, huge or cross-origin-tainted canvas
 */
export function canvasData(canvas) {
  if (!canvas.width || !canvas.height || canvas.width * canvas.height > MAX_PIXELS) return null;
  try {
    return canvas.toDataURL('image/png');
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
    this.dirty.add(canvas);
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
      const now = performance.now();
      const since = now - (this.sentAt.get(canvas) ?? -Infinity);
      // A canvas that is slow to encode waits longer: at most ~10% of the time goes to it.
      const interval = Math.max(this.interval, 10 * (this.cost.get(canvas) || 0));
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

/** Reports the canvas of every 2D drawing call (cheap: a set insertion per call). */
export const observeCanvasDrawing = pageHook((/** @type {(canvas: HTMLCanvasElement) => void} */ notify, win) => {
  const proto = win.CanvasRenderingContext2D && win.CanvasRenderingContext2D.prototype;
  if (!proto) return;
  const methods = ['fillRect', 'strokeRect', 'clearRect', 'fill', 'stroke', 'fillText', 'strokeText', 'drawImage', 'putImageData', 'reset'];
  for (const method of methods) {
    const original = proto[method];
    if (typeof original !== 'function') continue;
    proto[method] = function (/** @type {any[]} */ ...args) {
      const result = original.apply(this, args);
      if (this.canvas) notify(this.canvas);
      return result;
    };
  }
});
