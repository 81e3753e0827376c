// @ts-check
import { IceSource, Peer } from '../../common/peer.js';

/** Capture constraints: a camera like a video call's, a screen at a readable rate. */
const CAMERA = { video: { width: { ideal: 640 }, height: { ideal: 480 }, frameRate: { max: 30 } }, audio: true };
const SCREEN = { video: { frameRate: { max: 15 } }, audio: false };

/** @typedef {'video' | 'screen'} Kind */

/**
 * The agent's side of the session's call: its camera and its screen, shown in the visitor's
 * page once the visitor accepts. One peer connection to the visitor (this side is the impolite
 * peer and offers); a new one whenever the visitor's page says `hello` (after every navigation).
 * Tracks are added only for views the visitor accepted: nothing is sent before consent.
 */
export class AgentCall {
  /**
   * @param {{
   *   send: (msg: any) => boolean,
   *   emit: (type: string, data?: any) => void,
   *   toast: (text: string) => void,
   *   onchange: () => void,
   *   hasGuest: () => boolean,
   * }} env
   */
  constructor(env) {
    this.env = env;
    /** This viewer's participant number (from `joined`). */
    this.num = 0;
    /** What this agent captures, by kind. @type {Map<Kind, {stream: MediaStream, view: string | null, state: string, paused: boolean, reverse?: boolean}>} */
    this.local = new Map();
    /** Every participant's views as the server reports them. @type {Map<string, any>} */
    this.views = new Map();
    /** @type {{id: string, peer: Peer, senders: Map<MediaStreamTrack, RTCRtpSender>} | null} */
    this.connection = null;
    this.ice = new IceSource(() => env.send({ t: 'ice' }));
    this.ice.onRenew((config) => this.connection?.peer.setConfiguration(config));
    this.starting = new Set();
    this.key = '';
    /** Signals for a peer connection still being made (its ICE configuration is on the way). */
    /** @type {{id: string, queue: any[]} | null} */
    this.pendingPeer = null;
    /** The visitor's streams received, by stream id. @type {Map<string, MediaStream>} */
    this.received = new Map();
  }

  /** Asks for the visitor's camera or screen. @param {'visitorvideo' | 'visitorscreen'} kind */
  request(kind) {
    this.env.send({ t: 'media', kind, action: 'request' });
  }

  /** Ends the visitor's camera or screen share. @param {'visitorvideo' | 'visitorscreen'} kind */
  stopVisitor(kind) {
    this.env.send({ t: 'media', kind, action: 'stop' });
  }

  /** Pauses or resumes the visitor's video (the visitor hears `participantvideopaused`). @param {boolean} paused */
  pauseVisitorVideo(paused) {
    this.env.send({ t: 'media', kind: 'visitorvideo', action: paused ? 'pause' : 'resume' });
  }

  /** The visitor's view of this kind, as the server last reported it. @param {'visitorvideo' | 'visitorscreen'} kind */
  visitorView(kind) {
    return [...this.views.values()].find((v) => v.kind === kind) || null;
  }

  /** @param {any} msg a `media` message about the visitor's camera or screen */
  onVisitorMedia(msg) {
    if (msg.kind === 'visitorvideo') {
      if (msg.state === 'requested' && this.env.hasGuest()) this.env.emit('visitorvideorequested');
      if (msg.state === 'accepted' || msg.state === 'declined') this.env.emit('visitorvideorequest', { response: msg.state });
      if (['new', 'paused', 'resumed'].includes(msg.state)) {
        this.env.emit('visitorvideo', {
          agentviewerelementid: 'visitor-video', camerastatus: msg.camerastatus || 'available', paused: Boolean(msg.paused),
          previewelementid: 'glance_videopreview', sessionkey: this.key, video: msg.size || 'small',
        });
      }
      if (msg.state === 'declined') this.env.toast('The visitor declined to show their video.');
    } else {
      if (msg.state === 'new') this.env.emit('visitorscreensharestarted');
      if (msg.state === 'ended') this.env.emit('visitorscreensharestopped');
      if (msg.state === 'declined') {
        if (msg.closereason === 'NotSupported') {
          this.env.emit('visitorscreensharenotsupported');
          this.env.toast("The visitor's browser cannot share its screen.");
        } else {
          this.env.emit('screensharedeclined');
          this.env.toast('The visitor declined to share their screen.');
        }
      }
    }
    this.showVisitor();
  }

  /** Shows the visitor's camera and screen where they are received. */
  showVisitor() {
    for (const [kind, id] of /** @type {const} */ ([['visitorvideo', 'visitor-video'], ['visitorscreen', 'visitor-screen']])) {
      const element = /** @type {HTMLVideoElement | null} */ (document.getElementById(id));
      if (!element) continue;
      const view = this.visitorView(kind);
      const stream = view?.stream ? this.received.get(view.stream) || null : null;
      if (element.srcObject !== stream) {
        element.srcObject = stream;
        if (stream) element.play().catch(() => ((element.muted = true), element.play().catch(() => {})));
      }
      element.hidden = !stream;
      element.classList.toggle('paused', Boolean(view?.paused));
    }
  }

  /** @param {any} joined the `joined` message */
  onJoined(joined) {
    this.num = joined.num;
    this.key = joined.key;
    const fresh = !this.connection && !this.pendingPeer;
    this.views.clear();
    for (const m of joined.media || []) this.views.set(m.view, m);
    // A viewer (re)loaded while the visitor's camera or screen is on: the visitor's connection to
    // this agent is gone with the previous page; ask for a new one.
    if (fresh && (joined.media || []).some((/** @type {any} */ m) => m.num === 0 && m.state === 'new')) {
      this.env.send({ t: 'rtc', peer: 'renew', hello: true });
    }
    // Views of ours without capture here (this viewer was reloaded): they end.
    for (const m of joined.media || []) {
      if (m.num === this.num && !this.local.has(m.kind)) this.env.send({ t: 'media', kind: m.kind, action: 'stop' });
    }
    for (const [kind, local] of this.local) {
      if (!joined.media?.some((/** @type {any} */ m) => m.num === this.num && m.kind === kind)) {
        // The server forgot it (it restarted): ask again.
        this.env.send({ t: 'media', kind, action: 'start', stream: local.stream.id, ...(local.reverse ? { reverse: true } : {}) });
      }
    }
    this.env.onchange();
  }

  /**
   * Starts the camera or the screen share (from a click: screen capture needs a user gesture).
   * @param {Kind} kind
   * @param {{reverse?: boolean}} [options] a screen shown as a reverse session
   */
  async start(kind, options = {}) {
    if (this.local.has(kind) || this.starting.has(kind)) return;
    this.starting.add(kind);
    /** @type {MediaStream} */
    let stream;
    try {
      stream = kind === 'video' ? await navigator.mediaDevices.getUserMedia(CAMERA) : await navigator.mediaDevices.getDisplayMedia(SCREEN);
    } catch (error) {
      const what = kind === 'video' ? 'camera' : 'screen';
      const name = /** @type {any} */ (error)?.name || 'Error';
      this.env.toast(`Could not start your ${what}: ${name === 'NotAllowedError' ? 'permission refused' : name}.`);
      this.env.emit('error', { code: kind === 'video' ? 'videoerror' : 'screenshareerror', msg: `${name}: ${/** @type {any} */ (error)?.message || ''}` });
      return;
    } finally {
      this.starting.delete(kind);
    }
    // The browser's own "Stop sharing" ends the track.
    for (const track of stream.getTracks()) track.addEventListener('ended', () => this.stop(kind));
    const reverse = kind === 'screen' && options.reverse === true;
    this.local.set(kind, { stream, view: null, state: 'new', paused: false, reverse });
    this.env.send({ t: 'media', kind, action: 'start', stream: stream.id, ...(reverse ? { reverse: true } : {}) });
    this.env.onchange();
  }

  /** @param {Kind} kind */
  stop(kind) {
    if (!this.release(kind)) return;
    this.env.send({ t: 'media', kind, action: 'stop' });
    this.env.onchange();
  }

  /** The server refused this kind (no privilege, no visitor, one screen share at a time). @param {Kind} kind */
  denied(kind) {
    if (this.release(kind)) this.env.onchange();
  }

  /** Ends the capture of `kind` here. @param {Kind} kind @returns {boolean} whether there was one */
  release(kind) {
    const local = this.local.get(kind);
    if (!local) return false;
    this.local.delete(kind);
    this.removeTracks(local.stream);
    for (const track of local.stream.getTracks()) track.stop();
    return true;
  }

  /** @param {Kind} kind @param {boolean} paused */
  setPaused(kind, paused) {
    const local = this.local.get(kind);
    if (!local || local.paused === paused) return;
    local.paused = paused;
    // Disabled tracks send black frames and silence: nothing of the camera or screen leaves.
    for (const track of local.stream.getTracks()) track.enabled = !paused;
    this.env.send({ t: 'media', kind, action: paused ? 'pause' : 'resume' });
    this.env.onchange();
  }

  /** @param {Kind} kind */
  toggle(kind) {
    if (this.local.has(kind)) this.stop(kind);
    else this.start(kind);
  }

  /** @param {any} msg a server `media` message */
  onMedia(msg) {
    if (msg.state === 'ended' || msg.state === 'declined') this.views.delete(msg.view);
    else this.views.set(msg.view, { ...this.views.get(msg.view), ...msg });
    if (msg.kind === 'visitorvideo' || msg.kind === 'visitorscreen') this.onVisitorMedia(msg);
    else if (msg.num === this.num) this.onOwnMedia(msg);
    this.env.onchange();
  }

  /** @param {any} msg */
  onOwnMedia(msg) {
    const local = this.local.get(msg.kind);
    if (['accepted', 'declined', 'joined', 'ended'].includes(msg.state)) {
      this.env.emit('screenshare', { screenshareView: msg.view, state: msg.state });
      if (msg.closereason) this.env.emit('viewerclosing', { closereason: msg.closereason });
      // The seed's screensharedeclined: a refused screen share, the agent's as well as the visitor's.
      if (msg.state === 'declined' && msg.kind === 'screen') this.env.emit('screensharedeclined');
    }
    if (!local) return;
    local.view = msg.view;
    if (msg.state === 'accepted' || msg.state === 'joined') {
      local.state = msg.state;
      this.addTracks(local.stream);
    } else if (msg.state === 'declined' || msg.state === 'ended') {
      // The visitor said no, or closed it: the capture stops.
      if (msg.state === 'declined') this.env.toast(`The visitor declined your ${msg.kind === 'screen' ? 'screen share' : 'video'}.`);
      this.release(msg.kind);
    }
  }

  /** @param {any} msg a server `rtc` message (from the visitor) */
  async onRtc(msg) {
    if (msg.hello) return this.hello(msg.peer);
    if (this.pendingPeer?.id === msg.peer) return void this.pendingPeer.queue.push(msg);
    if (!this.connection || this.connection.id !== msg.peer) return;
    this.connection.peer.receive({ description: msg.description, candidate: msg.candidate });
  }

  /**
   * The visitor's page is ready for a peer connection: a new one (its previous page's is gone),
   * carrying every track it accepted.
   * @param {string} id
   */
  async hello(id) {
    // Signals that come while the ICE configuration is on its way wait for the connection.
    const pending = { id, queue: /** @type {any[]} */ ([]) };
    this.pendingPeer = pending;
    const config = await this.ice.get();
    if (this.pendingPeer !== pending) return;
    this.pendingPeer = null;
    this.connection?.peer.close();
    const peer = new Peer({
      polite: false,
      config,
      send: (signal) => this.env.send({ t: 'rtc', peer: id, ...signal }),
      ontrack: (e) => {
        for (const stream of e.streams) this.received.set(stream.id, stream);
        this.showVisitor();
      },
      onerror: (error) => console.warn('Tandem: media connection:', error),
      onstate: () => this.env.onchange(),
    });
    this.connection = { id, peer, senders: new Map() };
    for (const local of this.local.values()) if (local.state === 'accepted' || local.state === 'joined') this.addTracks(local.stream);
    for (const msg of pending.queue) peer.receive({ description: msg.description, candidate: msg.candidate });
    this.env.onchange();
  }

  /** @param {MediaStream} stream */
  addTracks(stream) {
    const c = this.connection;
    if (!c) return;
    for (const track of stream.getTracks()) if (!c.senders.has(track)) c.senders.set(track, c.peer.pc.addTrack(track, stream));
  }

  /** @param {MediaStream} stream */
  removeTracks(stream) {
    const c = this.connection;
    if (!c) return;
    for (const track of stream.getTracks()) {
      const sender = c.senders.get(track);
      if (!sender) continue;
      c.senders.delete(track);
      if (c.peer.pc.signalingState !== 'closed') c.peer.pc.removeTrack(sender);
    }
  }

  /** @param {any} msg */
  onIce(msg) {
    this.ice.received(msg);
  }

  /** What the agent's bar shows: what the visitor sees of this agent. */
  describe() {
    /** @type {string[]} */
    const parts = [];
    for (const [kind, local] of this.local) {
      const what = kind === 'video' ? 'your video' : local.reverse ? 'your screen (reverse session)' : 'your screen';
      const where = local.state === 'joined' ? '' : local.state === 'accepted' ? ' (connecting)' : ' (asking the visitor)';
      parts.push(`${what}${local.paused ? ' (paused)' : ''}${where}`);
    }
    return parts.length ? `Visitor sees: ${parts.join(', ')}` : '';
  }

  /** The session ended. */
  close() {
    for (const kind of [...this.local.keys()]) {
      const local = this.local.get(kind);
      for (const track of local?.stream.getTracks() || []) track.stop();
    }
    this.local.clear();
    this.connection?.peer.close();
    this.connection = null;
    this.ice.stop();
    this.env.onchange();
  }
}
