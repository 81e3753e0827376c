// The DOM-free parts of mirroring hard pages: focus rules in the mirror, the canvas budget,
// roots attached to hosts in the Mirror.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Mirror } from '../../web/common/mirror.js';
import { mirrorCss } from '../../web/agent/render/css.js';
import { CanvasQueue, observeCanvasDrawing } from '../../web/visitor/capture/canvas.js';

test('focus pseudo-classes become the attributes the viewer sets', () => {
  const css = 'input:focus { outline: none } a:focus-visible, b:focus-within > i { color: red } .x:focused { }';
  assert.equal(
    mirrorCss(css),
    'input[data-tandem-focus] { outline: none } a[data-tandem-focus="1"], b[data-tandem-focus-within] > i { color: red } .x:focused { }',
  );
  assert.equal(mirrorCss('p { color: red }'), 'p { color: red }');
  assert.equal(mirrorCss('x-a:not(:defined) { display: none }'), 'x-a:not(:not([data-tandem-undefined])) { display: none }');
});

test('a shadow root or frame document attached to a host is forgotten with it', () => {
  const node = (...children) => {
    const n = { firstChild: null, nextSibling: null };
    children.forEach((c, i) => (i === 0 ? (n.firstChild = c) : (children[i - 1].nextSibling = c)));
    return n;
  };
  const m = new Mirror();
  const inner = node(), root = node(inner), host = node(), page = node(host);
  [page, host, root, inner].forEach((n) => m.assign(n));
  m.attach(host, [root]);
  m.removeSubtree(host);
  assert.equal(m.has(root), false);
  assert.equal(m.has(inner), false);
  assert.equal(m.has(page), true);
  // A frame that loads a new document: the old one is forgotten when the new one is attached.
  const frame = node(), oldDoc = node(node()), newDoc = node();
  [frame, oldDoc, oldDoc.firstChild, newDoc].forEach((n) => m.assign(n));
  m.attach(frame, [oldDoc]);
  m.attach(frame, [newDoc]);
  assert.equal(m.has(oldDoc), false);
  assert.equal(m.has(oldDoc.firstChild), false);
  assert.equal(m.has(newDoc), true);
});

/** A fake canvas whose encoding takes `ms` of busy time. */
function fakeCanvas(ms = 0) {
  return {
    width: 10, height: 10, isConnected: true,
    toDataURL() {
      const end = performance.now() + ms;
      while (performance.now() < end);
      return 'data:image/png;base64,AAAA';
    },
  };
}

test('canvases are encoded at most once per interval, and the rest waits for later', () => {
  const waits = [];
  const queue = new CanvasQueue({ interval: 200, budget: 12, later: (ms) => waits.push(ms) });
  const a = fakeCanvas(), b = fakeCanvas();
  queue.mark(a);
  queue.mark(b);
  assert.deepEqual(queue.take((c) => (c === a ? 1 : 2)).map(([id]) => id), [1, 2]);
  queue.mark(a);
  assert.deepEqual(queue.take(() => 1), [], 'drawn again at once: waits for its interval');
  assert.ok(waits.length === 1 && waits[0] > 100 && waits[0] <= 200, String(waits));
});

test('one flush stops encoding when its time budget is spent', () => {
  const queue = new CanvasQueue({ interval: 0, budget: 5, later: () => {} });
  const slow = [fakeCanvas(4), fakeCanvas(4), fakeCanvas(4)];
  slow.forEach((c) => queue.mark(c));
  const first = queue.take(() => 1);
  assert.ok(first.length >= 1 && first.length < 3, `encoded ${first.length}`);
  assert.equal(queue.dirty.size, 3 - first.length);
});

test('canvases that are gone or masked are dropped, not encoded', () => {
  const queue = new CanvasQueue({ later: () => {} });
  const gone = { ...fakeCanvas(), isConnected: false };
  const masked = fakeCanvas();
  queue.mark(gone);
  queue.mark(masked);
  assert.deepEqual(queue.take(() => undefined), []);
  assert.equal(queue.dirty.size, 0);
});

test('a WebGL canvas that does not keep its buffer is read in the task that drew it, once per interval', async () => {
  class WebGLRenderingContext {
    constructor(canvas, preserve) { this.canvas = canvas; this.preserve = preserve; }
    getContextAttributes() { return { preserveDrawingBuffer: this.preserve }; }
    clear() { this.canvas.buffer = 'cleared'; }
    drawArrays() { this.canvas.buffer = `frame ${++this.canvas.frames}`; }
  }
  const queue = new CanvasQueue({ interval: 200, later: () => {} });
  const win = /** @type {any} */ ({ WebGLRenderingContext });
  observeCanvasDrawing((canvas) => queue.mark(canvas), win);
  // The drawing buffer is readable until the task ends (the frame is shown, then cleared).
  const canvas = { width: 10, height: 10, isConnected: true, frames: 0, buffer: '', toDataURL() { return `data:${this.buffer}`; } };
  const gl = new WebGLRenderingContext(canvas, false);
  gl.clear();
  gl.drawArrays();
  assert.deepEqual(queue.take(() => 7), [], 'nothing read before the drawing code is done');
  await null;
  canvas.buffer = 'cleared';
  assert.deepEqual(queue.take(() => 7), [[7, 'data:frame 1']]);
  gl.clear();
  gl.drawArrays();
  await null;
  assert.deepEqual(queue.take(() => 7), [], 'drawn again at once: not read');
  observeCanvasDrawing(null, win);
});

test('a constructed sheet adopted by many roots is sent once per page, and again when it changes', async () => {
  globalThis.document ??= /** @type {any} */ ({ baseURI: 'https://shop.example/' });
  const { ConstructedSheets } = await import('../../web/visitor/capture/styles.js');
  const sheet = (text) => ({ href: null, ownerNode: null, cssRules: [{ type: 1, cssText: text }] });
  const shared = sheet('.b { color: green; }');
  const other = sheet('.c { color: red; }');
  const sheets = new ConstructedSheets();
  const roots = Array.from({ length: 5 }, () => ({ adoptedStyleSheets: [shared] }));
  const ids = roots.map((root) => sheets.adoptedBy(root));
  assert.deepEqual(ids, [[1], [1], [1], [1], [1]]);
  assert.deepEqual(sheets.take(), [[1, '.b { color: green; }\n']]);
  assert.deepEqual(sheets.adoptedBy({ adoptedStyleSheets: [other, shared] }), [2, 1]);
  assert.deepEqual(sheets.take(), [[2, '.c { color: red; }\n']]);
  // A rule changes: the agents get the new text, once.
  shared.cssRules.push({ type: 1, cssText: '.b { border: 1px solid; }' });
  sheets.changed(shared);
  sheets.changed(shared);
  assert.deepEqual(sheets.take(), [[1, '.b { color: green; }\n.b { border: 1px solid; }\n']]);
  // A sheet nobody was sent yet is not sent on change; a new page sends every sheet it names.
  sheets.changed(sheet('.d {}'));
  assert.deepEqual(sheets.take(), []);
  sheets.resetSent();
  assert.deepEqual(sheets.adoptedBy(roots[0]), [1]);
  assert.equal(sheets.take().length, 1);
});
