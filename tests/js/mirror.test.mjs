// Mirror bookkeeping and CSS URL rewriting: the parts of capture that need no DOM.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Mirror } from '../../web/common/mirror.js';
import { absolutizeCssUrls } from '../../web/visitor/capture/styles.js';

/** A minimal node tree: Mirror only walks firstChild/nextSibling. */
function node(...children) {
  const n = { firstChild: null, nextSibling: null };
  children.forEach((c, i) => {
    if (i === 0) n.firstChild = c;
    else children[i - 1].nextSibling = c;
  });
  return n;
}

test('ids are given in order and map both ways', () => {
  const m = new Mirror();
  const a = node(), b = node();
  assert.equal(m.assign(a), 1);
  assert.equal(m.assign(b), 2);
  assert.equal(m.get(2), b);
  assert.equal(m.idOf(a), 1);
  assert.equal(m.has(node()), false);
});

test('removing a subtree forgets every node below it', () => {
  const m = new Mirror();
  const leaf = node(), mid = node(leaf), sibling = node(), root = node(mid, sibling);
  [root, mid, leaf, sibling].forEach((n) => m.assign(n));
  m.removeSubtree(mid);
  assert.equal(m.has(mid), false);
  assert.equal(m.has(leaf), false);
  assert.equal(m.get(3), undefined);
  assert.equal(m.has(sibling), true);
  assert.equal(m.has(root), true);
});

test('reset starts ids again', () => {
  const m = new Mirror();
  m.assign(node());
  m.reset();
  assert.equal(m.assign(node()), 1);
});

test('URLs in a linked stylesheet resolve against the sheet', () => {
  const css = `a { background: url(img/a.png) } b { background: url("../b.png") } c { background: url('data:image/png;base64,xx') } @font-face { src: url(/f.woff2) }`;
  const out = absolutizeCssUrls(css, 'https://shop.example/css/site.css');
  assert.match(out, /url\(https:\/\/shop\.example\/css\/img\/a\.png\)/);
  assert.match(out, /url\("https:\/\/shop\.example\/b\.png"\)/);
  assert.match(out, /url\('data:image\/png;base64,xx'\)/);
  assert.match(out, /url\(https:\/\/shop\.example\/f\.woff2\)/);
});
