// @ts-check
/**
 * What the agent shows over the visitor's real page: drawn outlines and "look here" highlights
 * (in document coordinates, so they stay on their content when the page scrolls) that fade, and
 * the agent's pointer while remote control is on. Never mirrored (data-tandem-ignore).
 */

const SVG = 'http://www.w3.org/2000/svg';
const FADE_MS = 4000;

/** @param {{kind: string, points: number[][]}} gesture */
export function drawGesture(gesture) {
  const layer = document.createElementNS(SVG, 'svg');
  layer.setAttribute('data-tandem-ignore', '');
  layer.setAttribute('class', 'tandem-gesture');
  const width = Math.max(document.documentElement.scrollWidth, window.innerWidth);
  const height = Math.max(document.documentElement.scrollHeight, window.innerHeight);
  layer.setAttribute('width', String(width));
  layer.setAttribute('height', String(height));
  layer.style.cssText = `position:absolute;left:0;top:0;width:${width}px;height:${height}px;pointer-events:none;z-index:2147483646;transition:opacity 1s`;
  const points = gesture.points.filter((p) => Array.isArray(p) && p.length >= 2 && p.every(Number.isFinite));
  if (!points.length) return null;
  let shape;
  if (gesture.kind === 'highlight') {
    shape = document.createElementNS(SVG, 'circle');
    shape.setAttribute('cx', String(points[0][0]));
    shape.setAttribute('cy', String(points[0][1]));
    shape.setAttribute('r', '28');
    shape.setAttribute('fill', 'rgba(240, 180, 41, 0.3)');
  } else {
    shape = document.createElementNS(SVG, 'polyline');
    shape.setAttribute('points', points.map((p) => `${p[0]},${p[1]}`).join(' '));
    shape.setAttribute('fill', 'none');
  }
  shape.setAttribute('stroke', '#e5534b');
  shape.setAttribute('stroke-width', '4');
  shape.setAttribute('stroke-linecap', 'round');
  layer.appendChild(shape);
  document.body.appendChild(layer);
  setTimeout(() => (layer.style.opacity = '0'), FADE_MS);
  setTimeout(() => layer.remove(), FADE_MS + 1000);
  return layer;
}

/** @type {HTMLElement | null} */
let pointer = null;

/** @param {{x: number, y: number} | null} at viewport coordinates, or null to hide */
export function showAgentPointer(at) {
  if (!at) {
    pointer?.remove();
    pointer = null;
    return;
  }
  if (!pointer) {
    pointer = document.createElement('div');
    pointer.id = 'tandem-agent-pointer';
    pointer.setAttribute('data-tandem-ignore', '');
    pointer.style.cssText =
      'position:fixed;left:0;top:0;width:14px;height:14px;margin:-7px 0 0 -7px;border-radius:50%;background:#2f6fed;' +
      'border:2px solid #fff;box-shadow:0 0 4px rgba(0,0,0,.4);pointer-events:none;z-index:2147483647';
    document.body.appendChild(pointer);
  }
  pointer.style.transform = `translate(${at.x}px, ${at.y}px)`;
}
