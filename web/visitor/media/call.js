// @ts-check
import { inboundVideo, IceSource, Peer } from '../../common/peer.js';
import { once, showConsentPrompt } from '../assist/prompt.js';
import { MediaView } from './view.js';
import { OwnMedia } from './own-media.js';

/** A player that has bytes but no decoded frame after this long cannot play here. */
const TOO_SLOW_MS = 10000;
const STATS_MS = 2000;
/** Frame rates the agent's viewer captures at (`fpslimit`). */
const FPS_LIMIT = { video: 30, screen: 15 };

/**
 * The visitor's side of the session's call: agents' video and screen shares shown in the page.
 * The visitor consents to each (the default UI asks; a custom UI consents by having the view's
 * iframe), one peer connection per agent (the visitor is the polite peer and says `hello` on
 * every page, so the agent offers again after each navigation), and the seed's events:
 * `screenshare {screenshareView, agentnum, state:'new'|'continued'|'ended', paused, params}`,
 * `screensharepaused` / `screenshareresumed`, `viewerinfo`, `viewerclosing`.
 */
export class Call {
  /**
   * @param {{
   *   send: (msg: any) => void,
   *   fire: (type: string, data?: any) => void,
   *   custom: boolean,
   *   agentName: (num: number) => string,
   *   hasListener: (type: string) => boolean,
   *   agentNums: () => number[],
   *   cookie: (name: string) => string | null,
   *   setCookie: (name: string, value: string) => void,
   * }} env
   */
  constructor(env) {
    this.env = env;
    /** @type {Map<string, {entry: any, view: MediaView, joined: boolean, firstBytesAt: number, info: any}>} */
    this.views = new Map();
    /** @type {Map<number, {id: string, peer: Peer, streams: Map<string, MediaStream>, senders: Map<MediaStreamTrack, RTCRtpSender>}>} */
    this.peers = new Map();
    /** Questions waiting for the visitor, by view. @type {Map<string, HTMLElement>} */
    this.prompts = new Map();
    /** Reverse-session invitations handed to the page's `reverseconfirm` listener. */
    this.reverseAsked = new Set();
    this.ice = new IceSource(() => env.send({ t: 'ice' }));
    this.ice.onRenew((config) => {
      for (const { peer } of this.peers.values()) peer.setConfiguration(config);
    });
    /** Names this page's peer connections: a signal for another page's is stale. */
    this.pageId = Math.random().toString(36).slice(2, 10);
    this.counter = 0;
    /** @type {ReturnType<typeof setInterval> | null} */
    this.statsTimer = null;
    /** The visitor's own camera and screen, sent to every agent. */
    this.own = new OwnMedia({
      send: env.send,
      fire: env.fire,
      hasListener: env.hasListener,
      custom: env.custom,
      agentName: env.agentName,
      cookie: env.cookie,
      setCookie: env.setCookie,
      connectAll: () => this.connectAll(),
      tracksChanged: () => this.syncTracks(),
    });
  }

  /** The visitor's camera or screen is on: a peer connection to every agent. */
  connectAll() {
    if (!this.own.isOn) return;
    for (const num of this.env.agentNums()) this.connect(num);
  }

  /** The agents changed: a new agent receives the visitor's camera or screen too. */
  onAgents() {
    this.connectAll();
  }

  /** Sends exactly the visitor's current own tracks on every peer connection. */
  syncTracks() {
    const streams = this.own.streams();
    const wanted = new Map(streams.flatMap((s) => s.getTracks().map((t) => /** @type {[MediaStreamTrack, MediaStream]} */ ([t, s]))));
    for (const [num, held] of this.peers) {
      for (const [track, sender] of held.senders) {
        if (wanted.has(track)) continue;
        held.senders.delete(track);
        if (held.peer.pc.signalingState !== 'closed') held.peer.pc.removeTrack(sender);
      }
      for (const [track, stream] of wanted) if (!held.senders.has(track)) held.senders.set(track, held.peer.pc.addTrack(track, stream));
      this.closeIfIdle(num);
    }
  }

  /** A peer connection that carries nothing any more is closed. @param {number} num */
  closeIfIdle(num) {
    if (this.own.isOn || [...this.views.values()].some((v) => v.entry.num === num)) return;
    this.peers.get(num)?.peer.close();
    this.peers.delete(num);
  }

  /** The `session` message: media this visitor accepted on an earlier page goes on. @param {any[] | undefined} media */
  onSession(media) {
    const own = (media || []).filter((m) => m.kind === 'visitorvideo' || m.kind === 'visitorscreen');
    media = (media || []).filter((m) => !own.includes(m));
    this.own.onSession(own);
    const listed = new Set(media.map((m) => m.view));
    for (const view of [...this.views.keys()]) if (!listed.has(view)) this.closeView(view, false);
    for (const entry of media || []) {
      if (this.views.has(entry.view)) continue; // same page, new socket: it is already shown
      this.open(entry, 'continued');
    }
  }

  /** @param {any} msg a server `media` message */
  onMedia(msg) {
    if (msg.kind === 'visitorvideo' || msg.kind === 'visitorscreen') return this.own.onMedia(msg);
    switch (msg.state) {
      case 'new':
        return this.ask(msg);
      case 'paused':
      case 'resumed': {
        const shown = this.views.get(msg.view);
        if (!shown) return;
        shown.entry = msg;
        shown.view.setPaused(msg.paused);
        this.env.fire(msg.paused ? 'screensharepaused' : 'screenshareresumed', { screenshareView: msg.view });
        return;
      }
      case 'ended': {
        const asked = this.prompts.get(msg.view);
        asked?.remove();
        this.prompts.delete(msg.view);
        const shown = this.views.has(msg.view);
        this.closeView(msg.view, false);
        // A reverse session ended by the agent; a pending confirmation is hidden with it.
        if (msg.type === 'reverse' && (shown || asked || this.reverseAsked.delete(msg.view))) this.env.fire('reverseended');
        return;
      }
    }
  }

  /** An agent's media waits for the visitor's consent. @param {any} entry */
  ask(entry) {
    if (this.views.has(entry.view)) return;
    if (typeof RTCPeerConnection !== 'function') return this.cannotPlay(entry);
    const { accept, decline } = once((accepted) => {
      this.prompts.get(entry.view)?.remove();
      this.prompts.delete(entry.view);
      this.reverseAsked.delete(entry.view);
      if (!accepted) return this.env.send({ t: 'media', view: entry.view, state: 'declined' });
      this.env.send({ t: 'media', view: entry.view, state: 'accepted' });
      this.open(entry, 'new');
    });
    if (entry.type === 'reverse') {
      // The seed's reverse session: `reverseconfirm {accept, decline}`, or the default prompt.
      if (this.env.hasListener('reverseconfirm')) {
        this.reverseAsked.add(entry.view);
        this.env.fire('reverseconfirm', { accept, decline });
        return;
      }
      if (!this.env.custom) {
        this.prompts.set(
          entry.view,
          showConsentPrompt({ id: `tandem-${entry.view}`, text: `${this.env.agentName(entry.num)} invites you to view their screen. Join?`, accept, decline }),
        );
        return;
      }
    }
    if (this.env.custom) {
      // A custom UI consents by having the view's iframe in the page (seed: it must exist first).
      const frame = document.getElementById(entry.view);
      return frame instanceof HTMLIFrameElement ? accept() : decline();
    }
    const who = this.env.agentName(entry.num);
    const what = entry.kind === 'screen' ? 'their screen' : 'their camera';
    this.prompts.get(entry.view)?.remove();
    this.prompts.set(
      entry.view,
      showConsentPrompt({ id: `tandem-${entry.view}`, text: `${who} wants to show you ${what}. Show it?`, accept, decline }),
    );
  }

  /** @param {any} entry @param {'new' | 'continued'} state */
  async open(entry, state) {
    const view = new MediaView({
      view: entry.view,
      kind: entry.kind,
      custom: this.env.custom,
      label: `${this.env.agentName(entry.num)} · ${entry.kind === 'screen' ? 'screen' : 'video'}`,
      onclose: () => this.closeView(entry.view, true),
    });
    this.views.set(entry.view, { entry, view, joined: false, firstBytesAt: 0, info: null });
    if (!(await view.open())) {
      this.views.delete(entry.view);
      this.env.send({ t: 'media', view: entry.view, state: 'ended' });
      return;
    }
    if (this.views.get(entry.view)?.view !== view) return view.close(); // ended meanwhile
    view.setPaused(entry.paused);
    this.env.fire('screenshare', {
      screenshareView: entry.view, agentnum: entry.num, state, paused: Boolean(entry.paused), params: { type: entry.type || 'forward' },
    });
    await this.connect(entry.num);
    this.startStats();
  }

  /** The peer connection to agent `num`, made on this page (`hello` asks the agent to offer). @param {number} num */
  async connect(num) {
    if (this.peers.has(num)) {
      // A view added to a running call: its track may already be here.
      this.attachTracks(num);
      return;
    }
    const id = `${this.pageId}-${num}-${++this.counter}`;
    const config = await this.ice.get();
    if (this.peers.has(num) || !(this.own.isOn || [...this.views.values()].some((v) => v.entry.num === num))) return;
    /** @type {Map<string, MediaStream>} */
    const streams = new Map();
    const peer = new Peer({
      polite: true,
      config,
      send: (signal) => this.env.send({ t: 'rtc', peer: id, num, ...signal }),
      ontrack: (e) => {
        for (const stream of e.streams) streams.set(stream.id, stream);
        this.attachTracks(num);
      },
      onerror: (error) => console.warn('Tandem: media connection:', error),
    });
    this.peers.set(num, { id, peer, streams, senders: new Map() });
    this.env.send({ t: 'rtc', peer: id, num, hello: true });
    this.syncTracks();
  }

  /** Shows agent `num`'s received streams in their views (matched by stream id). @param {number} num */
  attachTracks(num) {
    const held = this.peers.get(num);
    if (!held) return;
    for (const shown of this.views.values()) {
      if (shown.entry.num !== num) continue;
      const stream = shown.entry.stream && held.streams.get(shown.entry.stream);
      if (stream && shown.view.stream !== stream) shown.view.show(stream).then(() => this.watchFirstFrame(shown));
    }
  }

  /** @param {{entry: any, view: MediaView, joined: boolean}} shown */
  watchFirstFrame(shown) {
    const video = shown.view.video;
    if (!video || shown.joined) return;
    const joined = () => {
      if (shown.joined || this.views.get(shown.entry.view) !== shown) return;
      shown.joined = true;
      this.env.send({ t: 'media', view: shown.entry.view, state: 'joined' });
    };
    if (video.readyState >= 2) joined();
    else video.addEventListener('loadeddata', joined, { once: true });
  }

  /** @param {any} msg a server `rtc` message */
  onRtc(msg) {
    const held = this.peers.get(msg.num);
    if (msg.hello) {
      // The agent's viewer was reloaded: its end of our connection is gone; make a new one.
      held?.peer.close();
      this.peers.delete(msg.num);
      this.connect(msg.num);
      return;
    }
    if (!held || held.id !== msg.peer) return; // another page's connection
    held.peer.receive({ description: msg.description, candidate: msg.candidate });
  }

  /** @param {any} msg */
  onIce(msg) {
    this.ice.received(msg);
  }

  /** This browser cannot play live media. @param {any} entry */
  cannotPlay(entry) {
    this.env.fire('viewerclosing', { closereason: 'PlayerTooSlow' });
    this.env.send({ t: 'media', view: entry.view, state: 'declined', closereason: 'PlayerTooSlow' });
  }

  /**
   * @param {string} name
   * @param {boolean} byVisitor the visitor closed it (the agent is told); else the agent ended it
   * @param {string} [closereason]
   */
  closeView(name, byVisitor, closereason) {
    const shown = this.views.get(name);
    if (!shown) return;
    this.views.delete(name);
    shown.view.close();
    if (byVisitor) this.env.send({ t: 'media', view: name, state: 'ended', ...(closereason ? { closereason } : {}) });
    this.env.fire('screenshare', {
      screenshareView: name, agentnum: shown.entry.num, state: 'ended', paused: Boolean(shown.entry.paused), params: { type: shown.entry.type || 'forward' },
    });
    this.closeIfIdle(shown.entry.num);
    if (!this.views.size) this.stopStats();
  }

  startStats() {
    if (this.statsTimer) return;
    this.statsTimer = setInterval(() => this.stats(), STATS_MS);
  }

  stopStats() {
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.statsTimer = null;
  }

  /** `viewerinfo` with what changed, and the too-slow check. */
  async stats() {
    for (const shown of [...this.views.values()]) {
      const held = this.peers.get(shown.entry.num);
      const video = shown.view.video;
      const track = shown.view.stream?.getVideoTracks()[0];
      if (!held || !video || !track) continue;
      const s = await inboundVideo(held.peer.pc, track);
      if (!s) continue;
      const quality = video.getVideoPlaybackQuality?.();
      const shownFrames = quality ? quality.totalVideoFrames - quality.droppedVideoFrames : s.framesDecoded;
      const now = performance.now();
      const previous = shown.info;
      const displayfps = previous ? Math.round(((shownFrames - previous.frames) * 1000) / Math.max(1, now - previous.at)) : 0;
      const info = {
        screen: { width: video.videoWidth || s.frameWidth, height: video.videoHeight || s.frameHeight },
        scaledview: { width: video.clientWidth, height: video.clientHeight },
        glance_viewer: { stats: { fpslimit: FPS_LIMIT[/** @type {'video' | 'screen'} */ (shown.entry.kind)] || 30, viewerfps: Math.round(s.framesPerSecond), displayfps } },
      };
      /** @type {any} */
      const changed = { screenshareView: shown.entry.view };
      for (const key of /** @type {(keyof typeof info)[]} */ (Object.keys(info))) {
        if (!previous || JSON.stringify(previous.sent[key]) !== JSON.stringify(info[key])) changed[key] = info[key];
      }
      shown.info = { sent: info, frames: shownFrames, at: now };
      if (Object.keys(changed).length > 1) this.env.fire('viewerinfo', changed);
      // Bytes arrive but nothing decodes: this browser cannot play it.
      if (s.bytesReceived > 0 && s.framesDecoded === 0) {
        shown.firstBytesAt ||= now;
        if (now - shown.firstBytesAt > TOO_SLOW_MS) {
          this.env.fire('viewerclosing', { closereason: 'PlayerTooSlow' });
          this.closeView(shown.entry.view, true, 'PlayerTooSlow');
        }
      }
    }
  }

  /** The session ended (or this page leaves it). */
  stop() {
    this.own.stop();
    for (const prompt of this.prompts.values()) prompt.remove();
    this.prompts.clear();
    for (const name of [...this.views.keys()]) this.closeView(name, false);
    for (const { peer } of this.peers.values()) peer.close();
    this.peers.clear();
    this.ice.stop();
    this.stopStats();
  }
}
