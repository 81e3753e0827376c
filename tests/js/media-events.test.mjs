// The media events' names, pinned in test-vectors/media-events.json, against the code that fires
// them: every event the media code fires is pinned (with its payload shape, which the browser
// tests check on every recorded event), and every pinned event is fired somewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';

const root = new URL('../../', import.meta.url);
const read = (path) => readFileSync(new URL(path, root), 'utf8');
const vectors = JSON.parse(read('test-vectors/media-events.json'));

/** Event names in `fire(...)` / `emit(...)` calls of a folder's modules (ternaries too). */
function fired(folder, verb) {
  const names = new Set();
  for (const file of readdirSync(new URL(folder, root))) {
    if (!file.endsWith('.js')) continue;
    const source = read(`${folder}${file}`);
    for (const call of source.matchAll(new RegExp(`\\b${verb}\\(([^,)]*)`, 'g'))) {
      for (const literal of call[1].matchAll(/'([a-z_]+)'/g)) names.add(literal[1]);
    }
  }
  return names;
}

test('every vector is well formed and unique per side', () => {
  const seen = new Set();
  for (const v of vectors) {
    assert.ok(['visitor', 'agent'].includes(v.side), v.name);
    assert.match(v.event, /^[a-z]+$/, v.name);
    assert.ok(v.payload === null || typeof v.payload === 'object', v.name);
    const key = `${v.side} ${v.event}`;
    assert.ok(!seen.has(key), `${key} twice`);
    seen.add(key);
  }
});

test('the visitor media code fires exactly the pinned visitor events', () => {
  const pinned = new Set(vectors.filter((v) => v.side === 'visitor').map((v) => v.event));
  const code = fired('web/visitor/media/', 'fire');
  assert.deepEqual([...code].filter((e) => !pinned.has(e)).sort(), []);
  assert.deepEqual([...pinned].filter((e) => !code.has(e)).sort(), []);
});

test('the agent media code emits pinned agent events', () => {
  const pinned = new Set(vectors.filter((v) => v.side === 'agent').map((v) => v.event));
  const code = fired('web/agent/media/', 'emit');
  code.delete('error'); // the viewer's own error event, not a media event of the seed
  assert.deepEqual([...code].filter((e) => !pinned.has(e)).sort(), []);
  // accessdenied is emitted by the viewer for every refusal, media ones included.
  assert.deepEqual([...pinned].filter((e) => !code.has(e) && e !== 'accessdenied').sort(), []);
});
