// The one reconnecting connection (web/common/connection.js), with a stand-in WebSocket: a
// `moved` close (another node holds the session) reconnects at once, other retried closes wait
// their backoff, final closes end it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Connection, backoff } from '../../web/common/connection.js';
import { CloseCode } from '../../web/common/protocol.js';

class FakeSocket {
  static OPEN = 1;
  /** @type {FakeSocket[]} */
  static made = [];
  constructor(url) {
    this.url = url;
    this.readyState = 0;
    FakeSocket.made.push(this);
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  serverClose(code, reason = '') {
    this.readyState = 3;
    this.onclose?.({ code, reason });
  }
  close() {}
  send() {}
}
globalThis.WebSocket = /** @type {any} */ (FakeSocket);

function connect(extra = {}) {
  FakeSocket.made = [];
  const seen = { reconnecting: 0, closed: null, delays: [] };
  const connection = new Connection('ws://127.0.0.1/ws/visitor?key=1', {
    onopen() {},
    onmessage() {},
    onclose(code) { seen.closed = code; },
    onreconnecting() { seen.reconnecting++; },
    delayMs(attempt) { const d = backoff(attempt); seen.delays.push(d); return d; },
    ...extra,
  });
  connection.open();
  FakeSocket.made[0].open();
  return { connection, seen };
}

test('a moved close reconnects at once, then backs off as usual', async () => {
  const { connection, seen } = connect();
  FakeSocket.made[0].serverClose(CloseCode.moved, 'the session moved to another node');
  assert.equal(seen.reconnecting, 1);
  assert.ok(seen.delays[0] >= 0 && seen.delays[0] < 50, `first try after ${seen.delays[0]} ms`);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(FakeSocket.made.length, 2, 'reconnected');
  // The new node is not reachable yet: the next tries wait 250 ms and more.
  FakeSocket.made[1].serverClose(1006);
  assert.ok(seen.delays[1] >= 187 && seen.delays[1] <= 313, `second try after ${seen.delays[1]} ms`);
  connection.close();
  assert.equal(seen.closed, null, 'moved is not final');
});

test('going away and network loss wait their backoff', () => {
  for (const code of [1001, 1006]) {
    const { connection, seen } = connect();
    FakeSocket.made[0].serverClose(code);
    assert.ok(seen.delays[0] >= 187, `${code}: first try after ${seen.delays[0]} ms`);
    connection.close();
  }
});

test('final closes end the connection', () => {
  const { seen } = connect();
  FakeSocket.made[0].serverClose(CloseCode.sessionEnded, 'over');
  assert.equal(seen.closed, CloseCode.sessionEnded);
  assert.equal(seen.delays.length, 0);
});
