// Benchmark harness, loaded before any capture code (a classic script, first in <head>).
// It measures from outside: no Tandem or rrweb code is changed.
//  - WebSocket.prototype.send is wrapped: every page (0x01) / delta (0x02) frame the visitor
//    script sends is recorded with its time (the frame array is kept, not copied).
//  - MutationObserver is wrapped: time spent in every observer callback is summed.
//  - Tandem: Recorder.prototype.start / flush are wrapped through the same module instance the
//    visitor script uses (same URL), to time the snapshot and the per-frame delta work.
//  - rrweb: record({emit}) with an emit that serializes each event as rrweb users do
//    (JSON.stringify, then UTF-8 bytes as a WebSocket text frame would carry).
(function () {
  'use strict';
  const now = () => performance.now();
  const B = (window.__bench = {
    frames: [], // {kind: 1 page | 2 delta, t, bytes: Uint8Array}
    mo: 0, moCalls: 0, flush: 0, flushCalls: 0, gid: 0, gidCalls: 0,
    snapT0: null, snapT1: null,
    opsTime: 0, sendTime: 0,
  });

  // ---- frames as sent ----
  const nativeSend = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (typeof data !== 'string') {
      const u8 = data instanceof Uint8Array ? data : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
      const kind = u8[0] & 0x7f;
      if (kind === 1 || kind === 2) {
        const t = now();
        if (kind === 1 && B.snapT1 === null) B.snapT1 = t;
        B.frames.push({ kind, t, bytes: u8 });
        // The hand-off to the socket is the browser's network work, not capture: timed apart.
        try {
          return nativeSend.call(this, data);
        } finally {
          B.sendTime += now() - t;
        }
      }
    }
    return nativeSend.call(this, data);
  };

  // ---- time in MutationObserver callbacks ----
  const NativeMO = window.MutationObserver;
  function TimedMutationObserver(callback) {
    return new NativeMO(function (records, observer) {
      const t0 = now();
      try {
        return callback.call(this, records, observer);
      } finally {
        B.mo += now() - t0;
        B.moCalls++;
      }
    });
  }
  TimedMutationObserver.prototype = NativeMO.prototype;
  window.MutationObserver = TimedMutationObserver;

  // ---- Tandem: wrap the recorder through the shared module instance ----
  B.prepareTandem = async function () {
    const tag = document.getElementById('glance-cobrowse');
    const base = new URL(tag.src).origin + '/web/';
    const { Recorder } = await import(base + 'visitor/capture/recorder.js');
    const start = Recorder.prototype.start;
    Recorder.prototype.start = function () {
      if (B.snapT0 === null) B.snapT0 = now();
      return start.apply(this, arguments);
    };
    // The data-gid attributes are written after each message, in slices: timed apart for the
    // snapshot, counted as capture work for the mutation bursts.
    const { GidWriter } = await import(base + 'visitor/capture/gids.js');
    timed(GidWriter.prototype, 'write', 'gid');
    timed(Recorder.prototype, 'flush', 'flush');
  };

  /** Wraps proto[method] to add its time to B[key] and count calls in B[key + 'Calls']. */
  function timed(proto, method, key) {
    const original = proto[method];
    proto[method] = function () {
      const t0 = now();
      try {
        return original.apply(this, arguments);
      } finally {
        B[key] += now() - t0;
        B[key + 'Calls']++;
      }
    };
  }

  // ---- rrweb ----
  B.startRrweb = function () {
    const encoder = new TextEncoder();
    B.snapT0 = now();
    B.stopRrweb = window.rrwebRecord({
      emit(event) {
        // type 4 Meta and 2 FullSnapshot make the "page"; everything after is incremental.
        const bytes = encoder.encode(JSON.stringify(event));
        const t = now();
        const kind = B.snapT1 === null ? 1 : 2;
        if (event.type === 2 && B.snapT1 === null) B.snapT1 = t;
        B.frames.push({ kind, t, bytes, type: event.type });
      },
    });
  };

  const decoder = new TextDecoder();
  /** frames of a kind, as [kind, UTF-8 text of the bytes] (text only when asked). */
  B.framesOf = function (kind, withText) {
    return B.frames.filter((f) => f.kind === kind).map((f) => ({ n: f.bytes.length, text: withText ? decoder.decode(f.bytes) : null }));
  };
  B.snapshot = function (withText) {
    return { time: B.snapT1 - B.snapT0, frames: B.framesOf(1, withText), gidTime: B.gid, gidSlices: B.gidCalls };
  };
  B.reset = function () {
    B.frames = [];
    B.mo = B.moCalls = B.flush = B.flushCalls = B.gid = B.gidCalls = B.opsTime = B.sendTime = 0;
  };

  // ---- the mutation workload: 1,000 mixed changes, identical for every recorder ----
  function rng(seed) {
    return function () {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  function workload(seed) {
    const r = rng(seed);
    const pick = (list) => list[Math.floor(r() * list.length)];
    const texts = Array.from(document.querySelectorAll('.card .desc, .card .title'));
    const attrs = Array.from(document.querySelectorAll('td, .card'));
    const lists = Array.from(document.querySelectorAll('ul.tree ul'));
    const leaves = Array.from(document.querySelectorAll('li.leaf, .tags li'));
    let k = 0;
    return function op() {
      const kind = k % 4;
      if (kind === 0) {
        pick(texts).firstChild.data = 'updated text ' + k + ' ' + Math.floor(r() * 1e6);
      } else if (kind === 1) {
        const el = pick(attrs);
        const which = (k >> 2) % 3;
        if (which === 0) el.setAttribute('data-state', 's' + k);
        else if (which === 1) el.classList.toggle('is-active');
        else el.setAttribute('style', 'background-color: hsl(' + (k % 360) + ', 60%, 92%)');
      } else if (kind === 2) {
        const parent = pick(lists);
        const li = document.createElement('li');
        li.className = 'leaf new';
        const span = document.createElement('span');
        span.className = 'label';
        span.textContent = 'new item ' + k;
        li.appendChild(span);
        li.appendChild(document.createTextNode(' #' + k));
        const kids = parent.children;
        parent.insertBefore(li, kids.length ? kids[Math.floor(r() * (kids.length + 1))] || null : null);
      } else {
        const i = Math.floor(r() * leaves.length);
        const leaf = leaves[i];
        leaves.splice(i, 1);
        if (leaf) leaf.remove();
      }
      k++;
    };
  }

  function quiet(ms) {
    // Resolves once no frame has been sent for `ms` (Tandem flushes on the next animation frame).
    return new Promise((resolve) => {
      let count = -1;
      const check = () => {
        if (B.frames.length === count) return resolve();
        count = B.frames.length;
        setTimeout(check, ms);
      };
      setTimeout(check, ms);
    });
  }

  /** mode 'one': 1,000 changes in one task. 'spread': 100 tasks of 10, one task per animation frame. */
  B.burst = async function (mode, seed) {
    const op = workload(seed || 42);
    B.reset();
    if (mode === 'one') {
      await new Promise((resolve) => setTimeout(resolve, 0));
      const t0 = now();
      for (let i = 0; i < 1000; i++) op();
      B.opsTime += now() - t0;
    } else {
      for (let task = 0; task < 100; task++) {
        await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
        const t0 = now();
        for (let i = 0; i < 10; i++) op();
        B.opsTime += now() - t0;
      }
    }
    await quiet(300);
    return {
      // Capture code: observer callbacks, Tandem's per-frame flush and its data-gid slices,
      // minus WebSocket.send itself.
      captureTime: B.mo + B.flush + B.gid - B.sendTime, mo: B.mo, moCalls: B.moCalls, flush: B.flush, flushCalls: B.flushCalls,
      gid: B.gid, gidCalls: B.gidCalls,
      sendTime: B.sendTime, opsTime: B.opsTime,
    };
  };

  // ---- end-to-end latency (visitor side): numbered changes at irregular intervals ----
  B.latencyRun = async function (n, seed) {
    const r = rng(seed || 7);
    const text = document.getElementById('seq-text').firstChild;
    const list = document.getElementById('seq-list');
    const cells = Array.from(document.querySelectorAll('td'));
    const sent = [];
    for (let k = 0; k < n; k++) {
      await new Promise((resolve) => setTimeout(resolve, 10 + Math.floor(r() * 30)));
      const kind = k % 3;
      if (kind === 0) {
        text.data = 'seq ' + k;
      } else if (kind === 1) {
        cells[Math.floor(r() * cells.length)].setAttribute('data-seq', String(k));
      } else {
        const li = document.createElement('li');
        li.setAttribute('data-seq', String(k));
        li.textContent = 'change ' + k;
        list.appendChild(li);
      }
      sent.push(performance.timeOrigin + performance.now());
    }
    return sent;
  };

})();
