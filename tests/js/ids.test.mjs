// Implicit node ids (web/common/ids.js): what the visitor leaves out, the agent puts back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compactIds, expandIds } from '../../web/common/ids.js';

const tree = () => ({
  i: 1,
  c: [
    { i: 2, d: 'html' },
    {
      i: 3, t: 'html',
      c: [
        { i: 4, t: 'head', c: [{ i: 5, t: 'style', css: 'p{}' }] },
        // ids 6 and 7 went to the style's text children, which are not sent: a gap
        { i: 8, t: 'body', c: [{ i: 9, x: 'hi' }, { i: 10, t: 'x-card', sr: { i: 12, c: [{ i: 13, t: 'slot' }] }, c: [{ i: 11, x: 'light' }] }] },
        { i: 14, t: 'iframe', fd: { i: 15, c: [{ i: 16, t: 'html' }] } },
        { i: 40, t: 'p' },
      ],
    },
  ],
});

test('sequential ids are left out, gaps and jumps keep theirs', () => {
  const compact = compactIds(tree());
  const kept = [];
  const walk = (n) => {
    if ('i' in n) kept.push(n.i);
    (n.c || []).forEach(walk);
    if (n.sr) walk(n.sr);
    if (n.fd) walk(n.fd);
  };
  walk(compact);
  assert.deepEqual(kept, [1, 8, 40], 'the first node, after the gap, after the jump');
});

test('expanding a compacted tree gives the original back', () => {
  assert.deepEqual(expandIds(compactIds(tree())), tree());
  const single = { i: 77, t: 'li', c: [{ i: 78, x: 'a' }] };
  assert.deepEqual(expandIds(compactIds(structuredClone(single))), single);
});

test('a tree with every id given expands to itself', () => {
  assert.deepEqual(expandIds(tree()), tree());
});
