// Protocol, key and field rules checked against the shared vectors the Swift tests also read.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { decodeFrame, decodeFrameHeader, encodeFrame, FrameKind, isFinalClose, CloseCode, parseMessage } from '../../web/common/protocol.js';
import { fieldProblem, keyProblem } from '../../web/common/rules.js';

// Every direction's shapes (the browser module carries only those of the messages it receives).
const SHAPES = JSON.parse(readFileSync(new URL('../../protocol/contract.json', import.meta.url), 'utf8')).messages;
const load = (name) => JSON.parse(readFileSync(new URL(`../../test-vectors/${name}`, import.meta.url), 'utf8'));
const KIND_NAMES = { page: FrameKind.page, delta: FrameKind.delta, transient: FrameKind.transient };

test('session keys follow the shared vectors', () => {
  for (const v of load('keys.json')) {
    assert.equal(keyProblem(v.key) === null, v.valid, `${v.name}: ${JSON.stringify(v.key)}`);
  }
});

test('visitor fields follow the shared vectors', () => {
  for (const v of load('fields.json')) {
    assert.equal(fieldProblem(v.field, v.value) === null, v.valid, `${v.name}`);
  }
});

test('control messages are accepted or rejected as the vectors say', () => {
  for (const v of load('wire/messages.json')) {
    const text = typeof v.json === 'string' ? v.json : JSON.stringify(v.json);
    const parsed = parseMessage(v.direction, text, SHAPES);
    assert.equal(parsed.ok, v.valid, `${v.name}: ${text}`);
    if (v.valid) {
      // What the Swift server sends for this message is accepted here too.
      const canonical = parseMessage(v.direction, v.canonical, SHAPES);
      assert.ok(canonical.ok, `${v.name}: canonical ${v.canonical}`);
      assert.equal(canonical.message.t, parsed.message.t);
    }
  }
});

test('binary frame headers follow the shared vectors', () => {
  for (const v of load('wire/frames.json')) {
    const bytes = Uint8Array.from(Buffer.from(v.hex, 'hex'));
    const header = decodeFrameHeader(bytes);
    // Asset and document frames go from the visitor to the server only: the agent's decoder refuses them.
    if (v.kind === 'asset' || v.kind === 'document') {
      assert.equal(header, null, v.name);
      continue;
    }
    assert.equal(header !== null, v.valid, v.name);
    if (v.valid) assert.equal(header.kind, KIND_NAMES[v.kind], v.name);
  }
});

test('frames round-trip', () => {
  const payload = { doc: { i: 1, c: [{ i: 2, t: 'p', a: { class: 'x' }, c: [{ i: 3, x: 'héllo ✓' }] }] } };
  const frame = encodeFrame(FrameKind.page, payload);
  assert.equal(frame[0], FrameKind.page);
  assert.deepEqual(decodeFrame(frame), { kind: FrameKind.page, payload });
  assert.equal(decodeFrame(new Uint8Array([0x81, 0x7b, 0x7d])), null, 'no compression flag: 0x81 is no kind');
});

test('close codes: only the handshake timeout is retried', () => {
  assert.equal(isFinalClose(CloseCode.handshakeTimeout), false);
  assert.equal(isFinalClose(1001), false);
  assert.equal(isFinalClose(1006), false);
  for (const code of [4000, 4001, 4400, 4401, 4403, 4404, 4409, 4422, 4426]) assert.equal(isFinalClose(code), true, String(code));
});
