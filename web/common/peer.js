// @ts-check
/**
 * One WebRTC peer connection between the visitor and one agent, carrying every track, signalled
 * over the session's sockets with "perfect negotiation" (the visitor is the polite peer): either
 * side may add or remove tracks at any time, an offer collision is resolved the same way on both
 * sides, ICE candidates that arrive before their description wait for it, and a connection that
 * fails (or stays disconnected) restarts ICE. This is the seam a media server would replace.
 */

/** How long a `disconnected` connection may stay so before ICE restarts. */
export const DISCONNECTED_RESTART_MS = 3000;

/**
 * @typedef {{description?: RTCSessionDescriptionInit, candidate?: RTCIceCandidateInit}} Signal
 * @typedef {{
 *   polite: boolean,
 *   config: RTCConfiguration,
 *   send: (signal: Signal) => void,
 *   ontrack?: (event: RTCTrackEvent) => void,
 *   onstate?: (state: RTCPeerConnectionState) => void,
 *   onerror?: (error: unknown) => void,
 *   createConnection?: (config: RTCConfiguration) => RTCPeerConnection,
 *   restartAfterMs?: number,
 * }} PeerOptions
 */

export class Peer {
  /** @param {PeerOptions} options */
  constructor(options) {
    this.options = options;
    this.polite = options.polite;
    const create = options.createConnection || ((/** @type {RTCConfiguration} */ c) => new RTCPeerConnection(c));
    this.pc = create(options.config);
    this.makingOffer = false;
    this.ignoreOffer = false;
    /**
     * Candidates that came before a remote description, each marked if it came while an offer was
     * being ignored (it is that offer's, and may fail). @type {{candidate: RTCIceCandidateInit, ignored: boolean}[]}
     */
    this.pending = [];
    /** Signals are applied one at a time, in arrival order. */
    this.queue = Promise.resolve();
    this.closed = false;
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.restartTimer = null;
    this.restarts = 0;
    const pc = this.pc;
    pc.onnegotiationneeded = () => this.offer();
    pc.onicecandidate = (e) => {
      if (e.candidate && e.candidate.candidate) this.send({ candidate: e.candidate.toJSON() });
    };
    pc.ontrack = (e) => options.ontrack?.(e);
    pc.onconnectionstatechange = () => this.watch();
    pc.oniceconnectionstatechange = () => this.watch();
  }

  /** @param {Signal} signal */
  send(signal) {
    if (!this.closed) this.options.send(signal);
  }

  async offer() {
    if (this.closed) return;
    try {
      this.makingOffer = true;
      await this.pc.setLocalDescription();
      if (this.pc.localDescription) this.send({ description: this.pc.localDescription.toJSON() });
    } catch (error) {
      this.options.onerror?.(error);
    } finally {
      this.makingOffer = false;
    }
  }

  /**
   * Applies a signal from the other side (after the ones before it).
   * @param {Signal} signal
   * @returns {Promise<void>}
   */
  receive(signal) {
    this.queue = this.queue.then(() => this.apply(signal)).catch((error) => this.options.onerror?.(error));
    return this.queue;
  }

  /** @param {Signal} signal */
  async apply({ description, candidate }) {
    if (this.closed) return;
    const pc = this.pc;
    if (description) {
      const collision = description.type === 'offer' && (this.makingOffer || pc.signalingState !== 'stable');
      this.ignoreOffer = !this.polite && collision;
      if (this.ignoreOffer) return;
      // A polite peer's own offer is rolled back implicitly.
      await pc.setRemoteDescription(description);
      if (description.type === 'offer') {
        await pc.setLocalDescription();
        if (pc.localDescription) this.send({ description: pc.localDescription.toJSON() });
      }
      const waiting = this.pending.splice(0);
      for (const c of waiting) await this.addCandidate(c.candidate, c.ignored);
    } else if (candidate) {
      if (!pc.remoteDescription) this.pending.push({ candidate, ignored: this.ignoreOffer });
      else await this.addCandidate(candidate, this.ignoreOffer);
    }
  }

  /** @param {RTCIceCandidateInit} candidate @param {boolean} ignored whether it came after an ignored offer */
  async addCandidate(candidate, ignored) {
    try {
      await this.pc.addIceCandidate(candidate);
    } catch (error) {
      // A candidate of an offer this side ignored is expected to fail, also when it waited for
      // the answer to this side's offer (the polite side rolled its offer back: new credentials).
      if (!ignored) this.options.onerror?.(error);
    }
  }

  /** Restarts ICE on failure at once, after a few seconds of `disconnected`. */
  watch() {
    if (this.closed) return;
    const pc = this.pc;
    const state = pc.connectionState;
    this.options.onstate?.(state);
    const failed = state === 'failed' || pc.iceConnectionState === 'failed';
    const disconnected = state === 'disconnected' || pc.iceConnectionState === 'disconnected';
    if (failed) {
      this.clearRestart();
      this.restart();
    } else if (disconnected) {
      if (!this.restartTimer) {
        this.restartTimer = setTimeout(() => {
          this.restartTimer = null;
          if (!this.closed && (pc.connectionState === 'disconnected' || pc.iceConnectionState === 'disconnected')) this.restart();
        }, this.options.restartAfterMs ?? DISCONNECTED_RESTART_MS);
      }
    } else {
      this.clearRestart();
    }
  }

  restart() {
    this.restarts++;
    this.pc.restartIce();
  }

  clearRestart() {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
  }

  /** New TURN credentials (they expire). @param {RTCConfiguration} config */
  setConfiguration(config) {
    if (this.closed) return;
    try {
      this.pc.setConfiguration(config);
    } catch (error) {
      this.options.onerror?.(error);
    }
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.clearRestart();
    this.pc.close();
  }
}

/**
 * The `RTCConfiguration` for the server's `ice {iceServers, policy}` message.
 * @param {{iceServers: {urls: string[], username?: string, credential?: string}[], policy: string}} ice
 * @returns {RTCConfiguration}
 */
export function rtcConfiguration(ice) {
  return {
    iceServers: ice.iceServers.map((s) => ({ urls: s.urls, ...(s.username ? { username: s.username, credential: s.credential } : {}) })),
    iceTransportPolicy: ice.policy === 'relay' ? 'relay' : 'all',
    bundlePolicy: 'max-bundle',
  };
}

/**
 * The ICE configuration a side holds, asked for again before its TURN credentials expire.
 */
export class IceSource {
  /** @param {() => void} request sends `{t:'ice'}` */
  constructor(request) {
    this.request = request;
    /** @type {RTCConfiguration | null} */
    this.config = null;
    /** @type {((config: RTCConfiguration) => void)[]} */
    this.waiting = [];
    /** @type {Set<(config: RTCConfiguration) => void>} */
    this.listeners = new Set();
    /** @type {ReturnType<typeof setTimeout> | null} */
    this.timer = null;
    this.asked = false;
  }

  /** @returns {Promise<RTCConfiguration>} */
  get() {
    if (this.config) return Promise.resolve(this.config);
    if (!this.asked) {
      this.asked = true;
      this.request();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** The server's `ice` message. @param {any} ice */
  received(ice) {
    this.asked = false;
    this.config = rtcConfiguration(ice);
    const config = this.config;
    for (const resolve of this.waiting.splice(0)) resolve(config);
    for (const listener of this.listeners) listener(config);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (typeof ice.expires === 'number') {
      // Renew at four fifths of the remaining lifetime.
      const ms = Math.max(5000, (ice.expires * 1000 - Date.now()) * 0.8);
      this.timer = setTimeout(() => {
        this.config = null;
        this.asked = true;
        this.request();
      }, ms);
    }
  }

  /** @param {(config: RTCConfiguration) => void} listener called with renewed configurations */
  onRenew(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  stop() {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.listeners.clear();
  }
}

/**
 * What a received video track shows: from `getStats` (`inbound-rtp`).
 * @param {RTCPeerConnection} pc @param {MediaStreamTrack} track
 * @returns {Promise<{framesDecoded: number, framesPerSecond: number, bytesReceived: number, frameWidth: number, frameHeight: number} | null>}
 */
export async function inboundVideo(pc, track) {
  const receiver = pc.getReceivers().find((r) => r.track === track);
  if (!receiver) return null;
  const stats = await receiver.getStats();
  for (const s of stats.values()) {
    if (s.type === 'inbound-rtp' && s.kind === 'video') {
      return {
        framesDecoded: s.framesDecoded || 0,
        framesPerSecond: s.framesPerSecond || 0,
        bytesReceived: s.bytesReceived || 0,
        frameWidth: s.frameWidth || 0,
        frameHeight: s.frameHeight || 0,
      };
    }
  }
  return null;
}
