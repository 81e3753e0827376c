// The one wire contract (protocol/contract.json): the browser code follows it, its generated
// module is fresh, the vectors cover every message, and docs/protocol.md names everything in it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CONTRACT } from '../../web/common/contract.js';
import { AGENT_MESSAGES } from '../../web/agent/agent-contract.js';
import { CloseCode, FrameKind, isFinalClose, MAX_FRAME_BYTES, parseMessage, PROTOCOL_VERSION } from '../../web/common/protocol.js';
import { FIELD_LIMITS, KEY_MAX_LENGTH, RANDOM_KEY } from '../../web/common/rules.js';

const root = new URL('../../', import.meta.url);
const read = (path) => readFileSync(new URL(path, root), 'utf8');
const contract = JSON.parse(read('protocol/contract.json'));
const vectors = JSON.parse(read('test-vectors/wire/messages.json'));

test('web/common/contract.js is generated from the current contract', () => {
  try {
    execFileSync('python3', [new URL('scripts/contract', root).pathname, '--check']);
  } catch {
    assert.fail('web/common/contract.js is stale: run scripts/contract');
  }
  // Visitor pages carry the shapes of what they receive, agent pages theirs; nobody carries what it sends.
  for (const [direction, shapes] of Object.entries(contract.messages)) {
    const agentSide = direction === 'server-to-agent' || direction === 'server-to-presence-agent';
    if (!direction.startsWith('server-to-')) assert.equal(CONTRACT.messages[direction], undefined, `${direction}: the browser does not carry what it sends`);
    else if (agentSide) {
      assert.deepEqual(AGENT_MESSAGES[direction], shapes, direction);
      assert.equal(CONTRACT.messages[direction], undefined, `${direction}: not sent to every visitor`);
    } else assert.deepEqual(CONTRACT.messages[direction], shapes, direction);
  }
  assert.deepEqual(CONTRACT.limits, contract.limits);
});

test('close codes: names, numbers and finality as the contract says', () => {
  const named = Object.entries(CloseCode);
  assert.equal(named.length, contract.closeCodes.length);
  for (const c of contract.closeCodes) {
    assert.equal(CloseCode[c.name], c.code, c.name);
    assert.equal(isFinalClose(c.code), c.final, `${c.code} ${c.name}`);
  }
  // Codes the contract does not list: final in the application range, retried below it.
  assert.equal(isFinalClose(4999), true);
  assert.equal(isFinalClose(1012), false);
});

test('version, frame kinds and limits come from the contract', () => {
  assert.equal(PROTOCOL_VERSION, contract.version.current);
  assert.ok(contract.version.supported.includes(PROTOCOL_VERSION));
  for (const [name, kind] of Object.entries(FrameKind)) assert.equal(contract.frames[name], kind, name);
  assert.equal(MAX_FRAME_BYTES, contract.limits.frameBytes);
  assert.equal(KEY_MAX_LENGTH, contract.limits.keyMaxLength);
  assert.equal(RANDOM_KEY, contract.limits.randomKey);
  assert.deepEqual({ ...FIELD_LIMITS }, contract.limits.visitorFieldMaxLength);
});

test('every message of every direction has a valid vector, and every vector a known direction', () => {
  const directions = Object.keys(contract.messages);
  for (const v of vectors) assert.ok(directions.includes(v.direction), `${v.name}: direction ${v.direction}`);
  for (const [direction, types] of Object.entries(contract.messages)) {
    for (const type of Object.keys(types)) {
      const covered = vectors.some((v) => v.direction === direction && v.valid && typeof v.json === 'object' && v.json.t === type);
      assert.ok(covered, `no valid vector for ${direction} ${type}`);
    }
  }
});

test('the JSDoc Direction type names every direction of the contract', () => {
  const source = read('web/common/protocol.js');
  const typedef = /@typedef \{([^}]+)\} Direction/.exec(source);
  assert.ok(typedef, 'protocol.js defines a Direction typedef');
  const named = typedef[1].split('|').map((s) => s.trim().replace(/'/g, ''));
  assert.deepEqual([...named].sort(), Object.keys(contract.messages).sort());
  for (const direction of named) assert.equal(parseMessage(/** @type {any} */ (direction), '{"t":"no-such-type"}', contract.messages).ok, false);
});

test('docs/protocol.md names every message, close code, end reason and error code', () => {
  const doc = read('docs/protocol.md');
  const missing = [];
  for (const [direction, types] of Object.entries(contract.messages)) {
    for (const type of Object.keys(types)) if (!doc.includes(`\`${type}`)) missing.push(`${direction} message ${type}`);
  }
  for (const c of contract.closeCodes) if (!doc.includes(String(c.code))) missing.push(`close code ${c.code}`);
  for (const side of Object.values(contract.endReasons)) for (const r of side) if (!doc.includes(r.reason)) missing.push(`end reason ${r.reason}`);
  for (const side of Object.values(contract.errorCodes)) for (const e of side) if (!doc.includes(e.code)) missing.push(`error code ${e.code}`);
  for (const limit of Object.keys(contract.limits)) if (!doc.includes(limit)) missing.push(`limit ${limit}`);
  assert.deepEqual(missing, []);
});
