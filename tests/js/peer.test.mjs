// The media peer connection (web/common/peer.js) without a browser: "perfect negotiation" between
// two Peers over a fake RTCPeerConnection and an in-memory signalling channel whose delivery the
// tests control, plus the ICE configuration helpers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DISCONNECTED_RESTART_MS, IceSource, inboundVideo, Peer, rtcConfiguration } from '../../web/common/peer.js';

const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const domError = (name, message) => Object.assign(new Error(message), { name });

/** A session description as browsers hand it out (`toJSON()` gives the init dictionary). */
class FakeDescription {
  constructor(type, sdp) {
    this.type = type;
    this.sdp = sdp;
  }
  toJSON() {
    return { type: this.type, sdp: this.sdp };
  }
}

/** The fake SDP: just the ICE credentials, whether this offer restarts ICE, and who made it. */
const sdpOf = (fields) => Object.entries(fields).map(([k, v]) => `${k}=${v}`).join(';');
const parseSdp = (sdp) => Object.fromEntries(sdp.split(';').map((f) => f.split('=')));

let ufrags = 0;
const newUfrag = () => `u${++ufrags}`;

/**
 * The parts of RTCPeerConnection Peer uses, behaving as browsers do: every method runs on the
 * connection's operations chain; `setLocalDescription()` makes an offer or an answer from the
 * signalling state; an offer set remotely in `have-local-offer` rolls the local one back
 * implicitly; ICE credentials are new for the first description, after a rollback of the first
 * offer and on an ICE restart, and a candidate of other credentials is refused; `restartIce()`
 * makes negotiation needed (fired in a task, when stable).
 */
class FakeConnection {
  constructor(config, name) {
    this.config = config;
    this.name = name;
    this.signalingState = 'stable';
    this.connectionState = 'new';
    this.iceConnectionState = 'new';
    /** @type {FakeDescription | null} */
    this.localDescription = null;
    /** @type {FakeDescription | null} */
    this.remoteDescription = null;
    /** The local description of the last completed negotiation (what a rollback returns to). */
    this.currentLocal = null;
    this.chain = Promise.resolve();
    this.closed = false;
    this.needed = false;
    this.restartPending = false;
    /** Per operation, ms it takes (0: a microtask). */
    this.delay = { setLocalDescription: 0, setRemoteDescription: 0, addIceCandidate: 0 };
    /** Every call, in the order made: [method, detail]. */
    this.calls = [];
    /** Candidates accepted by addIceCandidate. */
    this.applied = [];
    this.rollbacks = 0;
    this.restartIceCalls = 0;
    this.configurations = [];
    this.onnegotiationneeded = null;
    this.onicecandidate = null;
    this.ontrack = null;
    this.onconnectionstatechange = null;
    this.oniceconnectionstatechange = null;
  }

  /** Runs `fn` after the operations before it, as browsers chain them. */
  op(name, fn) {
    const run = async () => {
      if (this.closed) throw domError('InvalidStateError', `${name}: closed`);
      const ms = this.delay[name] || 0;
      if (ms) await wait(ms);
      else await null;
      if (this.closed) throw domError('InvalidStateError', `${name}: closed`);
      return fn();
    };
    const result = this.chain.then(run);
    this.chain = result.catch(() => {});
    return result;
  }

  setLocalDescription(description) {
    this.calls.push(['setLocalDescription', description?.type ?? 'implicit']);
    return this.op('setLocalDescription', () => {
      if (description) throw new Error('the fake only makes descriptions itself');
      if (this.signalingState === 'stable' || this.signalingState === 'have-local-offer') {
        const restart = this.restartPending;
        const ufrag = restart || !this.currentLocal ? newUfrag() : parseSdp(this.currentLocal.sdp).ufrag;
        this.restartPending = false;
        this.needed = false;
        this.localDescription = new FakeDescription('offer', sdpOf({ from: this.name, ufrag, restart }));
        this.signalingState = 'have-local-offer';
      } else if (this.signalingState === 'have-remote-offer') {
        const remote = parseSdp(this.remoteDescription.sdp);
        const ufrag = remote.restart === 'true' || !this.currentLocal ? newUfrag() : parseSdp(this.currentLocal.sdp).ufrag;
        this.localDescription = new FakeDescription('answer', sdpOf({ from: this.name, ufrag, restart: false }));
        this.settled();
      } else {
        throw domError('InvalidStateError', `setLocalDescription in ${this.signalingState}`);
      }
    });
  }

  setRemoteDescription(description) {
    this.calls.push(['setRemoteDescription', description.type]);
    return this.op('setRemoteDescription', () => {
      const remote = new FakeDescription(description.type, description.sdp);
      if (description.type === 'offer') {
        if (this.signalingState === 'have-local-offer') {
          // Implicit rollback.
          this.rollbacks++;
          this.localDescription = this.currentLocal;
          this.signalingState = 'stable';
        }
        if (this.signalingState !== 'stable') throw domError('InvalidStateError', `offer in ${this.signalingState}`);
        this.remoteDescription = remote;
        this.signalingState = 'have-remote-offer';
      } else if (description.type === 'answer') {
        if (this.signalingState !== 'have-local-offer') throw domError('InvalidStateError', `answer in ${this.signalingState}`);
        this.remoteDescription = remote;
        this.settled();
      } else {
        throw new TypeError(`unexpected description ${description.type}`);
      }
    });
  }

  /** A negotiation completed: stable, and negotiation needed again if a restart came meanwhile. */
  settled() {
    this.signalingState = 'stable';
    this.currentLocal = this.localDescription;
    if (this.needed) this.fireNegotiationNeeded();
  }

  addIceCandidate(candidate) {
    this.calls.push(['addIceCandidate', candidate?.candidate]);
    return this.op('addIceCandidate', () => {
      if (!this.remoteDescription) throw domError('InvalidStateError', 'no remote description');
      const ufrag = parseSdp(this.remoteDescription.sdp).ufrag;
      if (candidate.usernameFragment && candidate.usernameFragment !== ufrag) {
        throw domError('OperationError', `Error processing ICE candidate ${candidate.candidate}`);
      }
      this.applied.push(candidate);
    });
  }

  restartIce() {
    this.restartIceCalls++;
    this.restartPending = true;
    this.needed = true;
    this.fireNegotiationNeeded();
  }

  /** Queues a `negotiationneeded` event (a task), fired only while still stable and needed. */
  fireNegotiationNeeded() {
    setTimeout(() => {
      if (!this.closed && this.needed && this.signalingState === 'stable') this.onnegotiationneeded?.();
    }, 0);
  }

  setConfiguration(config) {
    if (this.closed) throw domError('InvalidStateError', 'closed');
    if (this.failConfiguration) throw domError('InvalidModificationError', 'cannot change');
    this.configurations.push(config);
    this.config = config;
  }

  close() {
    this.closed = true;
    this.signalingState = 'closed';
  }

  // Test controls.

  /** Gathers `n` candidates of the current local description's credentials (plus the end marker). */
  gather(n) {
    const ufrag = parseSdp(this.localDescription.sdp).ufrag;
    const made = [];
    for (let k = 0; k < n; k++) {
      const init = { candidate: `candidate:${ufrag}-${k} 1 udp 2122260223 10.0.0.${k + 1} 5000${k} typ host`, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: ufrag };
      made.push(init);
      this.onicecandidate?.({ candidate: { ...init, toJSON: () => ({ ...init }) } });
    }
    this.onicecandidate?.({ candidate: { candidate: '', toJSON: () => ({ candidate: '' }) } });
    this.onicecandidate?.({ candidate: null });
    return made;
  }

  /** Sets the connection (and optionally ICE) state and fires the events browsers fire. */
  setState(connectionState, iceConnectionState = connectionState) {
    this.connectionState = connectionState;
    this.onconnectionstatechange?.({});
    if (iceConnectionState !== this.iceConnectionState) {
      this.iceConnectionState = iceConnectionState;
      this.oniceconnectionstatechange?.({});
    }
  }
}

/** One direction of signalling: what is sent waits until the test delivers it. */
class Channel {
  constructor() {
    /** @type {any[]} */
    this.queue = [];
    /** Every signal sent, as it went over the wire. */
    this.sent = [];
    this.target = null;
  }
  push(signal) {
    const wire = JSON.parse(JSON.stringify(signal));
    this.sent.push(wire);
    this.queue.push(wire);
  }
  /** Delivers the first `n` waiting signals (all by default), in order, without waiting for them. */
  deliver(n = this.queue.length) {
    return Promise.all(this.queue.splice(0, n).map((s) => this.target.receive(s)));
  }
  /** Delivers waiting signals in the order given by their indices. */
  deliverOrder(order) {
    const signals = this.queue.splice(0);
    assert.equal(order.length, signals.length, 'the order names every waiting signal');
    return Promise.all(order.map((i) => this.target.receive(signals[i])));
  }
  descriptions() {
    return this.sent.filter((s) => s.description).map((s) => s.description);
  }
  candidates() {
    return this.sent.filter((s) => s.candidate).map((s) => s.candidate);
  }
}

const CONFIG = { iceServers: [{ urls: ['stun:example.test'] }] };

/** A polite and an impolite Peer over two channels, recording what their options see. */
function pair({ restartAfterMs } = {}) {
  const toPolite = new Channel();
  const toImpolite = new Channel();
  const seen = { polite: { errors: [], states: [], tracks: [] }, impolite: { errors: [], states: [], tracks: [] } };
  const make = (polite, channel, name) =>
    new Peer({
      polite,
      config: CONFIG,
      send: (signal) => channel.push(signal),
      ontrack: (e) => seen[name].tracks.push(e),
      onstate: (s) => seen[name].states.push(s),
      onerror: (e) => seen[name].errors.push(e),
      createConnection: (config) => new FakeConnection(config, name),
      restartAfterMs,
    });
  const impolite = make(false, toPolite, 'impolite');
  const polite = make(true, toImpolite, 'polite');
  toPolite.target = polite;
  toImpolite.target = impolite;
  /** @type {FakeConnection} */ const ipc = /** @type {any} */ (impolite.pc);
  /** @type {FakeConnection} */ const ppc = /** @type {any} */ (polite.pc);
  /** Delivers everything both ways (and lets queued tasks run) until nothing moves. */
  const settle = async () => {
    for (let round = 0; round < 50; round++) {
      await wait(0);
      if (!toPolite.queue.length && !toImpolite.queue.length) {
        await wait(0);
        if (!toPolite.queue.length && !toImpolite.queue.length) return;
      }
      await Promise.all([toPolite.deliver(), toImpolite.deliver()]);
    }
    assert.fail('signalling did not settle');
  };
  return { polite, impolite, ppc, ipc, toPolite, toImpolite, seen, settle };
}

const noErrors = (seen) => {
  assert.deepEqual(seen.polite.errors, [], 'no error on the polite side');
  assert.deepEqual(seen.impolite.errors, [], 'no error on the impolite side');
};

test('basic: the impolite side offers, the polite answers, candidates are exchanged and applied', async () => {
  const p = pair();
  p.ipc.onnegotiationneeded();
  await wait(0);
  assert.equal(p.ipc.signalingState, 'have-local-offer');
  assert.equal(p.toPolite.queue.length, 1, 'the offer went out');
  assert.equal(p.toPolite.queue[0].description.type, 'offer');
  const fromImpolite = p.ipc.gather(2);
  await p.toPolite.deliver();
  assert.equal(p.ppc.signalingState, 'stable', 'the polite side answered');
  assert.equal(p.ppc.remoteDescription.type, 'offer');
  assert.equal(p.ppc.localDescription.type, 'answer');
  assert.deepEqual(p.toImpolite.queue.map((s) => s.description?.type), ['answer']);
  const fromPolite = p.ppc.gather(3);
  await p.toImpolite.deliver();
  assert.equal(p.ipc.signalingState, 'stable');
  assert.deepEqual(p.ipc.remoteDescription.toJSON(), p.ppc.localDescription.toJSON(), 'the answer was applied as sent');
  assert.deepEqual(p.ppc.remoteDescription.toJSON(), p.ipc.localDescription.toJSON(), 'the offer was applied as sent');
  assert.deepEqual(p.ppc.applied, fromImpolite, 'the impolite side’s candidates, in order');
  assert.deepEqual(p.ipc.applied, fromPolite, 'the polite side’s candidates, in order');
  // Only real candidates are signalled: not the empty one, not the end marker.
  assert.deepEqual(p.toPolite.candidates(), fromImpolite);
  assert.deepEqual(p.toImpolite.candidates(), fromPolite);
  noErrors(p.seen);
});

test('tracks reach ontrack; setConfiguration reaches the connection and reports a failure', () => {
  const p = pair();
  const event = { track: { kind: 'video' } };
  p.ppc.ontrack(event);
  assert.deepEqual(p.seen.polite.tracks, [event]);
  const renewed = { iceServers: [{ urls: ['turn:example.test'], username: 'u', credential: 'c' }] };
  p.polite.setConfiguration(renewed);
  assert.deepEqual(p.ppc.configurations, [renewed]);
  p.ppc.failConfiguration = true;
  p.polite.setConfiguration(renewed);
  assert.equal(p.seen.polite.errors.length, 1);
  assert.equal(p.seen.polite.errors[0].name, 'InvalidModificationError');
  p.ppc.failConfiguration = false;
  p.polite.close();
  p.polite.setConfiguration(renewed);
  assert.equal(p.ppc.configurations.length, 1, 'not after close');
});

/** Glare: both offer at once and gather candidates for their offers before hearing the other's. */
async function glare(p) {
  p.ipc.onnegotiationneeded();
  p.ppc.onnegotiationneeded();
  await wait(0);
  assert.equal(p.ipc.signalingState, 'have-local-offer');
  assert.equal(p.ppc.signalingState, 'have-local-offer');
  const impoliteOffer = p.ipc.localDescription.toJSON();
  const impoliteCandidates = p.ipc.gather(2);
  const politeCandidates = p.ppc.gather(2);
  return { impoliteOffer, impoliteCandidates, politeCandidates };
}

async function assertGlareResolved(p, { impoliteOffer, impoliteCandidates }) {
  assert.equal(p.ipc.signalingState, 'stable');
  assert.equal(p.ppc.signalingState, 'stable');
  assert.deepEqual(p.ppc.remoteDescription.toJSON(), impoliteOffer, 'the impolite side’s offer won');
  assert.equal(p.ipc.remoteDescription.type, 'answer', 'the impolite side never took the polite offer');
  assert.deepEqual(p.ipc.localDescription.toJSON(), impoliteOffer);
  assert.equal(p.ppc.rollbacks, 1, 'the polite side rolled its offer back');
  assert.equal(p.ipc.rollbacks, 0);
  assert.equal(p.ipc.calls.filter(([m, t]) => m === 'setRemoteDescription' && t === 'offer').length, 0, 'the polite offer was ignored');
  assert.deepEqual(p.ppc.applied, impoliteCandidates);
  // The polite side's candidates for its answer (fresh credentials after the rollback) get through.
  const answerCandidates = p.ppc.gather(2);
  await p.settle();
  assert.deepEqual(p.ipc.applied, answerCandidates);
  noErrors(p.seen);
}

test('glare: the impolite side ignores the polite offer, the polite rolls back and answers', async () => {
  const p = pair();
  const g = await glare(p);
  // The polite offer (and its candidates) reach the impolite side first.
  await p.toImpolite.deliver();
  assert.equal(p.impolite.ignoreOffer, true);
  await p.toPolite.deliver();
  await p.settle();
  await assertGlareResolved(p, g);
});

test('glare: the impolite offer reaches the polite side first', async () => {
  const p = pair();
  const g = await glare(p);
  await p.toPolite.deliver();
  assert.equal(p.ppc.signalingState, 'stable', 'rolled back and answered');
  await p.toImpolite.deliver();
  await p.settle();
  await assertGlareResolved(p, g);
});

test('glare: the polite offer arrives while the impolite side is still making its own', async () => {
  const p = pair();
  p.ipc.delay.setLocalDescription = 20;
  p.ipc.onnegotiationneeded();
  p.ppc.onnegotiationneeded();
  await wait(0);
  assert.equal(p.toImpolite.queue.length, 1, 'the polite offer is out');
  assert.equal(p.impolite.makingOffer, true);
  assert.equal(p.ipc.signalingState, 'stable', 'the impolite offer is not set yet');
  await p.toImpolite.deliver();
  assert.equal(p.impolite.ignoreOffer, true, 'a collision all the same');
  await wait(25);
  const impoliteOffer = p.ipc.localDescription.toJSON();
  await p.settle();
  await assertGlareResolved(p, { impoliteOffer, impoliteCandidates: [] });
});

test('glare: the impolite offer arrives while the polite side is still making its own', async () => {
  const p = pair();
  p.ppc.delay.setLocalDescription = 20;
  p.ipc.onnegotiationneeded();
  p.ppc.onnegotiationneeded();
  await wait(0);
  const impoliteOffer = p.ipc.localDescription.toJSON();
  assert.equal(p.polite.makingOffer, true);
  await p.toPolite.deliver();
  await p.settle();
  await assertGlareResolved(p, { impoliteOffer, impoliteCandidates: [] });
});

test('candidates before their description wait for it and are applied once, in order', async () => {
  const p = pair();
  p.ipc.onnegotiationneeded();
  await wait(0);
  const c = p.ipc.gather(4);
  // offer, c0, c1, c2, c3 waiting: deliver c0 and c1 before the offer, then the rest.
  await p.toPolite.deliverOrder([1, 2, 0, 3, 4]);
  assert.deepEqual(p.ppc.applied, c, 'all four, in the order they were sent');
  assert.deepEqual(p.polite.pending, [], 'nothing left waiting');
  const added = p.ppc.calls.filter(([m]) => m === 'addIceCandidate').map(([, cand]) => cand);
  assert.deepEqual(added, c.map((x) => x.candidate), 'each added exactly once, none before the offer');
  const sequence = p.ppc.calls.map(([m]) => m);
  assert.ok(sequence.indexOf('setRemoteDescription') < sequence.indexOf('addIceCandidate'), 'the description first');

  // On the impolite side, the polite side's candidates arriving before its answer.
  const fromPolite = p.ppc.gather(2);
  await p.toImpolite.deliverOrder([1, 2, 0]);
  assert.deepEqual(p.ipc.applied, fromPolite);
  // And later ones are applied directly.
  const more = p.ppc.gather(1);
  await p.toImpolite.deliver();
  assert.deepEqual(p.ipc.applied, [...fromPolite, ...more]);
  assert.equal(p.ipc.calls.filter(([m]) => m === 'addIceCandidate').length, 3);
  noErrors(p.seen);
});

test('a candidate that fails outside an ignored offer is reported', async () => {
  const p = pair();
  p.ipc.onnegotiationneeded();
  await p.settle();
  await p.polite.receive({ candidate: { candidate: 'candidate:x 1 udp 1 10.9.9.9 9 typ host', sdpMid: '0', usernameFragment: 'stale' } });
  assert.equal(p.seen.polite.errors.length, 1);
  assert.equal(p.seen.polite.errors[0].name, 'OperationError');
});

async function connected(p) {
  p.ipc.onnegotiationneeded();
  await wait(0);
  p.ipc.gather(1);
  await p.settle();
  p.ppc.gather(1);
  await p.settle();
  p.ipc.setState('connected');
  p.ppc.setState('connected');
  assert.equal(p.ipc.signalingState, 'stable');
  assert.equal(p.ppc.signalingState, 'stable');
}

test('restart: failed restarts ICE at once, a new offer goes out and is answered with new credentials', async () => {
  const p = pair({ restartAfterMs: 30 });
  await connected(p);
  const offersBefore = p.toPolite.descriptions().length;
  const politeUfrag = parseSdp(p.ppc.localDescription.sdp).ufrag;
  p.ipc.setState('failed', 'connected');
  assert.equal(p.impolite.restarts, 1, 'at once');
  assert.equal(p.ipc.restartIceCalls, 1);
  assert.deepEqual(p.seen.impolite.states.slice(-1), ['failed']);
  await wait(0);
  const offers = p.toPolite.descriptions().slice(offersBefore);
  assert.equal(offers.length, 1, 'one new offer');
  assert.equal(offers[0].type, 'offer');
  assert.equal(parseSdp(offers[0].sdp).restart, 'true', 'an ICE restart');
  const fresh = p.ipc.gather(1);
  await p.settle();
  assert.equal(p.ppc.signalingState, 'stable');
  assert.equal(p.ipc.signalingState, 'stable');
  assert.notEqual(parseSdp(p.ppc.localDescription.sdp).ufrag, politeUfrag, 'the answer restarts too');
  assert.deepEqual(p.ppc.applied.slice(-1), fresh, 'the new candidates apply');
  noErrors(p.seen);
});

test('restart: the polite side restarts too, and a failed ICE state alone is enough', async () => {
  const p = pair({ restartAfterMs: 30 });
  await connected(p);
  p.ppc.iceConnectionState = 'failed';
  p.ppc.oniceconnectionstatechange({});
  assert.equal(p.polite.restarts, 1);
  await p.settle();
  const last = p.toImpolite.descriptions().at(-1);
  assert.equal(last.type, 'offer');
  assert.equal(parseSdp(last.sdp).restart, 'true');
  assert.equal(p.ipc.signalingState, 'stable');
  assert.equal(p.ppc.signalingState, 'stable');
  assert.equal(p.ipc.remoteDescription.toJSON().sdp, last.sdp, 'the polite restart offer was taken');
  noErrors(p.seen);
});

test('restart: disconnected restarts only after restartAfterMs', async () => {
  const p = pair({ restartAfterMs: 30 });
  await connected(p);
  p.ipc.setState('disconnected');
  p.ipc.setState('disconnected'); // a second event does not start a second timer
  assert.equal(p.impolite.restarts, 0, 'not at once');
  await wait(10);
  assert.equal(p.impolite.restarts, 0, 'not before restartAfterMs');
  await wait(40);
  assert.equal(p.impolite.restarts, 1, 'after restartAfterMs, once');
  assert.equal(p.ipc.restartIceCalls, 1);
});

test('restart: a connection that recovers before restartAfterMs is not restarted', async () => {
  const p = pair({ restartAfterMs: 30 });
  await connected(p);
  const statesBefore = p.seen.impolite.states.length;
  p.ipc.setState('disconnected');
  assert.notEqual(p.impolite.restartTimer, null);
  await wait(10);
  p.ipc.setState('connected');
  assert.equal(p.impolite.restartTimer, null);
  await wait(40);
  assert.equal(p.impolite.restarts, 0);
  assert.equal(p.ipc.restartIceCalls, 0);
  // One report per event (connection and ICE state each fire one).
  assert.deepEqual(p.seen.impolite.states.slice(statesBefore), ['disconnected', 'disconnected', 'connected', 'connected']);
});

test('restart: disconnected then failed: one ICE restart negotiation, at once', async () => {
  const p = pair({ restartAfterMs: 30 });
  await connected(p);
  const offersBefore = p.toPolite.descriptions().length;
  p.ipc.setState('disconnected');
  assert.equal(p.impolite.restarts, 0);
  // Both the connection and the ICE state fail, each with its event: restartIce is called for
  // each (browsers fold the calls into one negotiation).
  p.ipc.setState('failed');
  assert.equal(p.impolite.restartTimer, null, 'the disconnected timer was cancelled');
  const restarts = p.impolite.restarts;
  assert.ok(restarts >= 1, 'restarted at once');
  assert.equal(p.ipc.restartIceCalls, restarts);
  await wait(45);
  assert.equal(p.impolite.restarts, restarts, 'not again when the disconnected timer would have fired');
  await p.settle();
  const offers = p.toPolite.descriptions().slice(offersBefore).filter((d) => d.type === 'offer');
  assert.equal(offers.length, 1, 'one ICE restart negotiation');
  assert.equal(parseSdp(offers[0].sdp).restart, 'true');
});

test('restart: without restartAfterMs a disconnected connection waits DISCONNECTED_RESTART_MS', async () => {
  const p = pair();
  const real = globalThis.setTimeout;
  const delays = [];
  globalThis.setTimeout = /** @type {any} */ ((fn, ms) => {
    delays.push(ms);
    return real(() => {}, 0);
  });
  try {
    p.ipc.setState('disconnected');
  } finally {
    globalThis.setTimeout = real;
  }
  assert.deepEqual(delays, [DISCONNECTED_RESTART_MS]);
  assert.equal(DISCONNECTED_RESTART_MS, 3000);
  p.impolite.close();
});

test('close cancels the restart timer; later signals, events and sends are ignored', async () => {
  const p = pair({ restartAfterMs: 30 });
  await connected(p);
  p.ipc.setState('disconnected');
  p.impolite.close();
  assert.equal(p.impolite.restartTimer, null);
  assert.equal(p.ipc.closed, true);
  await wait(45);
  assert.equal(p.impolite.restarts, 0);
  const callsBefore = p.ipc.calls.length;
  const sentBefore = p.toPolite.sent.length;
  await p.impolite.receive({ description: { type: 'offer', sdp: sdpOf({ from: 'x', ufrag: 'z', restart: false }) } });
  await p.impolite.receive({ candidate: { candidate: 'candidate:z', sdpMid: '0' } });
  p.ipc.onnegotiationneeded();
  p.ipc.setState('failed');
  await wait(0);
  assert.equal(p.ipc.calls.length, callsBefore, 'nothing reached the closed connection');
  assert.equal(p.toPolite.sent.length, sentBefore, 'nothing was sent');
  assert.equal(p.impolite.restarts, 0);
  assert.deepEqual(p.seen.impolite.errors, []);
  p.impolite.close(); // twice is fine
});

test('signals received rapidly are applied one at a time, in order', async () => {
  const p = pair();
  await connected(p);
  // An ICE restart offer and its candidates (new credentials) arrive together while the polite
  // connection is slow: were a candidate applied before the offer, it would be checked against
  // the old description.
  p.ppc.delay.setRemoteDescription = 15;
  p.ppc.delay.setLocalDescription = 5;
  p.ipc.restartIce();
  await wait(0);
  const fresh = p.ipc.gather(2);
  const signals = p.toPolite.queue.splice(0);
  assert.deepEqual(signals.map((s) => (s.description ? s.description.type : 'candidate')), ['offer', 'candidate', 'candidate']);
  const callsBefore = p.ppc.calls.length;
  const appliedBefore = p.ppc.applied.length;
  await Promise.all(signals.map((s) => p.polite.receive(s)));
  assert.deepEqual(p.ppc.calls.slice(callsBefore).map(([m, d]) => `${m} ${d}`), [
    'setRemoteDescription offer',
    'setLocalDescription implicit',
    `addIceCandidate ${fresh[0].candidate}`,
    `addIceCandidate ${fresh[1].candidate}`,
  ]);
  assert.deepEqual(p.ppc.applied.slice(appliedBefore), fresh);
  // The answer went out before anything else the polite side sends afterwards.
  const answersBefore = p.toImpolite.sent.length;
  p.ppc.gather(1);
  assert.deepEqual(p.toImpolite.sent.slice(answersBefore - 1).map((s) => (s.description ? s.description.type : 'candidate')), ['answer', 'candidate']);
  await p.settle();
  assert.equal(p.ipc.signalingState, 'stable');
  noErrors(p.seen);
});

test('an error applying a signal is reported and later signals still apply', async () => {
  const p = pair();
  // An answer with no offer out is refused by the connection.
  const bad = p.polite.receive({ description: { type: 'answer', sdp: sdpOf({ from: 'x', ufrag: 'q', restart: false }) } });
  p.ipc.onnegotiationneeded();
  await wait(0);
  p.ipc.gather(1);
  await bad;
  assert.equal(p.seen.polite.errors.length, 1);
  assert.equal(p.seen.polite.errors[0].name, 'InvalidStateError');
  await p.settle();
  assert.equal(p.ppc.signalingState, 'stable');
  assert.equal(p.ppc.applied.length, 1);
});

test('rtcConfiguration maps the server ice message', () => {
  const config = rtcConfiguration({
    iceServers: [
      { urls: ['turn:turn.example.test:3478?transport=udp', 'turns:turn.example.test:443'], username: '1700000000:v', credential: 'secret' },
      { urls: ['stun:stun.example.test'] },
    ],
    policy: 'relay',
  });
  assert.deepEqual(config, {
    iceServers: [
      { urls: ['turn:turn.example.test:3478?transport=udp', 'turns:turn.example.test:443'], username: '1700000000:v', credential: 'secret' },
      { urls: ['stun:stun.example.test'] },
    ],
    iceTransportPolicy: 'relay',
    bundlePolicy: 'max-bundle',
  });
  assert.equal('username' in config.iceServers[1], false);
  assert.equal('credential' in config.iceServers[1], false);
  assert.equal(rtcConfiguration({ iceServers: [], policy: 'all' }).iceTransportPolicy, 'all');
  assert.equal(rtcConfiguration({ iceServers: [], policy: 'anything' }).iceTransportPolicy, 'all');
});

/** Replaces setTimeout/clearTimeout while `fn` runs; the timers never fire on their own. */
function fakeTimers() {
  const real = { setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout };
  const timers = [];
  const cleared = [];
  globalThis.setTimeout = /** @type {any} */ ((fn, ms) => {
    const timer = { fn, ms, id: timers.length + 1 };
    timers.push(timer);
    return timer;
  });
  globalThis.clearTimeout = /** @type {any} */ ((timer) => cleared.push(timer));
  const restore = () => Object.assign(globalThis, real);
  return { timers, cleared, restore };
}

const ICE = (user, expires) => ({
  iceServers: [{ urls: ['turn:turn.example.test:3478'], username: user, credential: `pw-${user}` }],
  policy: 'relay',
  ...(expires === undefined ? {} : { expires }),
});

test('IceSource: concurrent get() calls send one request and all resolve', async () => {
  let requests = 0;
  const source = new IceSource(() => requests++);
  const a = source.get();
  const b = source.get();
  const c = source.get();
  assert.equal(requests, 1);
  source.received(ICE('one'));
  const configs = await Promise.all([a, b, c]);
  for (const config of configs) assert.deepEqual(config, rtcConfiguration(ICE('one')));
  assert.deepEqual(await source.get(), rtcConfiguration(ICE('one')), 'held afterwards');
  assert.equal(requests, 1, 'no request once held');
  assert.equal(source.timer, null, 'no expiry, no renewal');
});

test('IceSource: renews at four fifths of the lifetime left, at least 5 s; listeners get the new config; stop clears', async () => {
  const clock = fakeTimers();
  try {
    let requests = 0;
    const source = new IceSource(() => requests++);
    const renewed = [];
    source.onRenew((config) => renewed.push(config));
    const first = source.get();
    source.received(ICE('one', Date.now() / 1000 + 100));
    assert.deepEqual(await first, rtcConfiguration(ICE('one')));
    assert.equal(clock.timers.length, 1);
    assert.ok(clock.timers[0].ms > 79_000 && clock.timers[0].ms <= 80_000, `renewal in ${clock.timers[0].ms} ms`);
    assert.equal(source.timer, clock.timers[0]);

    // Credentials about to expire: still 5 s at least.
    source.received(ICE('two', Date.now() / 1000 + 2));
    assert.deepEqual(clock.cleared, [clock.timers[0]], 'the earlier renewal is replaced');
    assert.equal(clock.timers[1].ms, 5000);
    assert.equal(requests, 1);

    // The renewal: asks again, and get() meanwhile waits for the answer without asking twice.
    clock.timers[1].fn();
    assert.equal(requests, 2);
    assert.equal(source.config, null);
    const during = source.get();
    assert.equal(requests, 2);
    source.received(ICE('three'));
    assert.deepEqual(await during, rtcConfiguration(ICE('three')));
    assert.deepEqual(renewed.map((c) => c.iceServers[0].username), ['one', 'two', 'three']);
    assert.equal(source.timer, null, 'no expiry this time');

    // An unsubscribed listener hears nothing more.
    const other = [];
    const off = source.onRenew((config) => other.push(config));
    off();
    source.received(ICE('four', Date.now() / 1000 + 60));
    assert.deepEqual(other, []);
    assert.equal(renewed.length, 4);

    const timer = source.timer;
    assert.notEqual(timer, null);
    source.stop();
    assert.equal(source.timer, null);
    assert.equal(clock.cleared.at(-1), timer, 'stop clears the renewal');
    source.received(ICE('five'));
    assert.equal(renewed.length, 4, 'stop removes the listeners');
  } finally {
    clock.restore();
  }
});

test('inboundVideo reads the inbound-rtp video stats of the track’s receiver', async () => {
  const track = { kind: 'video' };
  const stats = (entries) => new Map(entries.map((e, i) => [String(i), e]));
  const receiver = (t, entries) => ({ track: t, getStats: async () => stats(entries) });
  const pc = /** @type {any} */ ({
    getReceivers: () => [
      receiver({ kind: 'audio' }, [{ type: 'inbound-rtp', kind: 'audio', bytesReceived: 1 }]),
      receiver(track, [
        { type: 'codec', kind: 'video' },
        { type: 'inbound-rtp', kind: 'audio', framesDecoded: 99 },
        { type: 'inbound-rtp', kind: 'video', framesDecoded: 42, framesPerSecond: 30, bytesReceived: 12345, frameWidth: 1280 },
      ]),
    ],
  });
  assert.deepEqual(await inboundVideo(pc, track), { framesDecoded: 42, framesPerSecond: 30, bytesReceived: 12345, frameWidth: 1280, frameHeight: 0 });
  assert.equal(await inboundVideo(pc, { kind: 'video' }), null, 'a track no receiver has');
  const none = /** @type {any} */ ({ getReceivers: () => [receiver(track, [{ type: 'outbound-rtp', kind: 'video' }])] });
  assert.equal(await inboundVideo(none, track), null, 'no inbound video stats yet');
});
