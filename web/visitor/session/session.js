// @ts-check
import { AssetChannel, useAssetChannel } from '../capture/assets.js';
import { CloseCode, encodeFrame, MAX_FRAME_BYTES, parseMessage, PROTOCOL_VERSION } from '../../common/protocol.js';
import { Recorder } from '../capture/recorder.js';
import { stringify } from '../capture/natives.js';
import { Connection } from '../../common/connection.js';
import { clearSessionCookie, readSessionCookie, writeSessionCookie } from './cookie.js';
import { MaskingRules } from './masking-rules.js';
import { handleAssistMessage } from '../assist/messages.js';
import { showAgentPointer } from '../assist/overlay.js';
import { RemoteControl } from '../assist/remote-control.js';

/**
 * The visitor's side of one session across its whole life on this page: start or continue,
 * reconnect, end. Fires the documented events through `fire` in the documented order:
 * sessionstarting → sessionstart → sessioncontinue → agents → statereceived; sessionend {reason}.
 */
export class VisitorSession {
  /**
   * @param {{
   *   server: string,
   *   config: any,
   *   fire: (type: string, data?: any) => void,
   *   setReadyState: (state: string) => void,
   *   startPaused: boolean,
   *   hasListener: (type: string) => boolean,
   *   suspendMs: number,
   *   load: (dir: string, entry: string) => Promise<any>,
   * }} env
   */
  constructor(env) {
    this.env = env;
    this.masking = new MaskingRules(env.config, env.fire);
    /** Pause applies to this page only (data-startpaused="1" starts it paused). */
    this.paused = env.startPaused;
    /** @type {string | undefined} */
    this.pauseMessage = undefined;
    this.pageMasked = false;
    /** @type {any} */
    this.agents = undefined;
    /** Bumped on every (re)connect, so a masking hook that answers late cannot start stale capture. */
    this.generation = 0;
    /** @type {RemoteControl | null} */
    this.remote = null;
    /**
     * Agents' video and screen shares shown in this page (media/call.js), loaded when first needed.
     * @type {Promise<import('../media/call.js').Call> | null}
     */
    this.call = null;
    /**
     * Shared documents (documents/documents.js), loaded when a document is first shared,
     * requested or opened.
     * @type {Promise<import('../documents/documents.js').Documents> | null}
     */
    this.documents = null;
    /** setUserState values, as the server keeps them. @type {Record<string, any>} */
    this.userState = {};
    /** addSessionMessageListener handlers by message name. @type {Map<string, Function[]>} */
    this.messageHandlers = new Map();
    /** Groups this page allows (set by main.js). @type {number[]} */
    this.allowedGroups = [];
    /** @type {import('./cookie.js').SessionCookie | null} */
    this.info = null;
    /** @type {Connection | null} */
    this.connection = null;
    /** @type {Recorder | null} */
    this.recorder = null;
    /** @type {any} */
    this.pendingError = null;
    /** @type {(() => void) | null} proposes another random key after `randomkeytaken` */
    this.retryStart = null;
    this.active = false;
    this.starting = false;
    this.passive = false;
    this.resumingFromCookie = false;
    /** startSession's VideoParams when the session starts with the visitor's video. @type {any} */
    this.startVideo = null;
    /** The group's trusted domains (cross-domain sessions), from `session`. @type {string[]} */
    this.crossDomains = [];
    /**
     * Cross-domain sessions' part (crossdomain/, loaded by main.js): called without a message when
     * the group trusts other domains (the part is loaded), and with the server's answers to
     * `handoff`. @type {((msg?: any) => void) | null}
     */
    this.onCrossDomain = null;
    /** A cross-domain handoff this page is continuing with, until `session` answers. @type {string | null} */
    this.handoff = null;
  }

  /**
   * The socket URL names the session key: nodes behind a load balancer are chosen by hashing
   * it, so the visitor, its agents and its next pages reach the node that holds the session.
   * @param {string | null} key
   */
  socketUrl(key) {
    const url = this.env.server.replace(/^http/, 'ws') + '/ws/visitor';
    return key ? `${url}?key=${encodeURIComponent(key)}` : url;
  }

  /**
   * @param {{groupid: number, key: string | null, visitor: any}} request
   */
  start(request) {
    this.starting = true;
    this.env.setReadyState('sessionstarting');
    this.env.fire('sessionstarting');
    this.startAttempt(request, 0);
  }

  /**
   * A random key is proposed here (so it can route the first connection too); the server
   * refuses one that is taken (`randomkeytaken`) and another is proposed, a few times.
   * @param {{groupid: number, key: string | null, visitor: any}} request @param {number} attempt
   */
  startAttempt(request, attempt) {
    const random = request.key === null;
    const key = random ? randomKey(attempt < 3 ? 6 : 9) : request.key;
    this.retryStart = random && attempt < 5 ? () => this.startAttempt(request, attempt + 1) : null;
    this.connect(false, key, (send) =>
      send({ t: 'start', v: PROTOCOL_VERSION, groupid: request.groupid, key, random: random || undefined, visitor: request.visitor }),
    );
  }

  /** Continues the session named by the cookie (a new page of the site, or a reload). */
  continueFromCookie() {
    const info = readSessionCookie();
    if (!info) return false;
    if (!this.allowedGroups.includes(info.g)) {
      // This page is not tagged for the session's group: the session is not shared here (it goes
      // on if the visitor returns to a page that allows it within the grace period).
      this.env.fire('error', { code: 'groupnotallowed', msg: `group ${info.g} is not allowed on this page`, params: { groupid: info.g } });
      return false;
    }
    this.info = info;
    // The session's group trusts other domains (noted by the last page): that part loads now.
    if (info.x) this.onCrossDomain?.();
    // This page believes it is in a session: if the server says it ended meanwhile (an agent
    // ended it during navigation), the page still hears `sessionend`.
    this.resumingFromCookie = true;
    this.connect(true, info.k, (send) => this.sendContinue(send));
    return true;
  }

  /**
   * The first page on another trusted domain: continues with the single-use token its address
   * brought (crossdomain/cross-domain.js); the server answers `session` with the resume token for
   * the pages after it (kept in this site's cookie as usual), or `error` when the token is used up.
   * @param {{g: number, k: string, c: number, t: string}} handoff
   */
  continueHandoff(handoff) {
    this.info = { k: handoff.k, c: handoff.c, g: handoff.g, t: '', r: false };
    this.handoff = handoff.t;
    this.connect(true, handoff.k, (send) => this.sendContinue(send));
  }

  /** @param {(msg: any) => void} send */
  sendContinue(send) {
    const info = /** @type {import('./cookie.js').SessionCookie} */ (this.info);
    if (!info.t && this.handoff) {
      send({ t: 'continue', v: PROTOCOL_VERSION, groupid: info.g, key: info.k, callid: info.c, handoff: this.handoff });
      return;
    }
    send({ t: 'continue', v: PROTOCOL_VERSION, groupid: info.g, key: info.k, callid: info.c, token: info.t });
  }

  /**
   * @param {boolean} resuming
   * @param {string | null} key the session's key, for the URL
   * @param {(send: (msg: any) => void) => void} hello what to say on the first connect
   */
  connect(resuming, key, hello) {
    const grace = Number(this.env.config.reconnectgrace);
    this.connection = new Connection(this.socketUrl(key), {
      resuming,
      graceMs: grace > 0 ? grace : undefined,
      onopen: (ws, reconnected) => {
        const send = (/** @type {any} */ msg) => ws.send(JSON.stringify(msg));
        if (reconnected || (this.info && this.active)) this.sendContinue(send);
        else hello(send);
      },
      onmessage: (data) => this.onMessage(data),
      onreconnecting: () => {
        this.env.fire('connection', { status: 'reconnecting' });
      },
      onclose: (code, reason) => this.onFinalClose(code, reason),
      ontoolarge: () => this.onPageTooLarge(),
      ongiveup: () => this.onGiveUp(),
    });
    this.connection.open();
  }

  /** @param {string | ArrayBuffer} data */
  onMessage(data) {
    if (typeof data !== 'string') return;
    const parsed = parseMessage('server-to-visitor', data);
    if (!parsed.ok) return;
    const msg = parsed.message;
    switch (msg.t) {
      case 'session':
        return this.onSession(msg);
      case 'agents':
        this.agents = { count: msg.count, agentlist: msg.agentlist };
        this.env.fire('agents', this.agents);
        this.call?.then((call) => call.onAgents());
        // Documented: the hook is asked again whenever an agent or guest joins or leaves.
        this.applyMasking({ agents: this.agents });
        return;
      case 'resync':
        this.recorder?.sendFullPage();
        return;
      case 'ended':
        this.end(msg.reason);
        return;
      case 'media':
        this.withCall((call) => call.onMedia(msg));
        return;
      case 'rtc':
        this.call?.then((call) => call.onRtc(msg));
        return;
      case 'ice':
        this.call?.then((call) => call.onIce(msg));
        return;
      case 'doc':
        this.withDocuments((documents) => documents.onMessage(msg));
        return;
      case 'handoff':
        this.onCrossDomain?.(msg);
        return;
      case 'error':
        // The session goes on after a full asset channel; every other error comes before a close.
        if (msg.code === 'assetlimit') this.env.fire('error', { code: msg.code, msg: msg.msg });
        else this.pendingError = { code: msg.code, msg: msg.msg, ...(msg.params ? { params: msg.params } : {}) };
        return;
      default:
        handleAssistMessage(this, msg);
    }
  }

  /**
   * Runs `use` with this page's call, loading live media's code first (most sessions never need
   * it). Messages keep their order: each waits on the same promise.
   * @param {(call: import('../media/call.js').Call) => void} use
   */
  withCall(use) {
    this.call ||= this.env.load('visitor/media/', 'call.js').then(
      ({ Call }) =>
        new Call({
          send: (/** @type {any} */ m) => this.connection?.send(JSON.stringify(m)),
          fire: this.env.fire,
          custom: this.env.config.ui === 'custom',
          hasListener: this.env.hasListener,
          agentNums: () => (this.agents?.agentlist || []).filter((/** @type {any} */ a) => a.role === 'agent').map((/** @type {any} */ a) => a.num),
          cookie: (name) => this.cookieValue(name),
          setCookie: (name, value) => this.setCookieValue(name, value),
          agentName: (/** @type {number} */ num) => {
            const agent = this.agents?.agentlist?.find((/** @type {any} */ a) => a.num === num);
            return agent?.name || agent?.username || 'The agent';
          },
        }),
    );
    const call = this.call;
    call.then((c) => {
      if (this.call === call) use(c);
    }, (error) => this.env.fire('error', { code: 'SCRIPT_NOT_LOADED', msg: `SCRIPT_NOT_LOADED:visitor/media/call.js (${error})`, params: { script: 'visitor/media/call.js' } }));
  }

  /**
   * Runs `use` with this page's shared documents, loading their code first (as withCall: most
   * sessions never need it, and messages keep their order).
   * @param {(documents: import('../documents/documents.js').Documents) => void} use
   */
  withDocuments(use) {
    this.documents ||= this.env.load('visitor/documents/', 'documents.js').then(
      ({ Documents }) =>
        new Documents({
          server: this.env.server,
          custom: this.env.config.ui === 'custom',
          send: (/** @type {any} */ m) => Boolean(this.connection?.send(JSON.stringify(m))),
          sendFrame: (frame) => Boolean(this.connection?.send(frame)),
          canSend: () => Boolean(this.active && !this.passive && this.connection?.isOpen),
          fire: this.env.fire,
          hasListener: this.env.hasListener,
          agentName: (num) => {
            const agent = this.agents?.agentlist?.find((/** @type {any} */ a) => a.num === num);
            return agent?.name || agent?.username || 'The agent';
          },
        }),
    );
    const documents = this.documents;
    documents.then((d) => {
      if (this.documents === documents) use(d);
    }, (error) => this.env.fire('error', { code: 'SCRIPT_NOT_LOADED', msg: `SCRIPT_NOT_LOADED:visitor/documents/documents.js (${error})`, params: { script: 'visitor/documents/documents.js' } }));
  }

  /** @param {string} name */
  cookieValue(name) {
    const values = this.info?.u || readSessionCookie()?.u;
    return values && name in values ? values[name] : null;
  }

  /** Values kept in the session cookie on the website's domain (UI state). @param {string} name @param {string} value */
  setCookieValue(name, value) {
    if (!this.info) return;
    this.info.u = { ...(this.info.u || {}), [name]: value };
    writeSessionCookie(this.info, this.env.config);
  }

  /** @param {string} name @param {any} data */
  sendMessage(name, data) {
    this.connection?.send(JSON.stringify({ t: 'message', name, data }));
  }

  /** @param {string} name @param {any} data */
  setUserState(name, data) {
    this.userState[name] = data;
    this.connection?.send(JSON.stringify({ t: 'userstate', name, data }));
  }

  /** @param {any} msg the `session` message */
  onSession(msg) {
    const wasActive = this.active;
    const firstStart = this.starting;
    this.masking.group = msg.masking || {};
    this.userState = msg.userstate || {};
    this.crossDomains = Array.isArray(msg.crossDomains) ? msg.crossDomains.filter((/** @type {any} */ d) => typeof d === 'string') : [];
    this.handoff = null;
    if (this.crossDomains.length) this.onCrossDomain?.();
    // blob: URLs always take the asset channel; other origins as the group's rules say.
    useAssetChannel(new AssetChannel(msg.assets || [], (frame) => this.connection?.send(frame), `tandem-assets-${msg.callid}`));
    this.info = { k: msg.key, c: msg.callid, g: msg.groupid, t: msg.token, r: msg.random, u: this.info?.u, x: this.crossDomains.length > 0 };
    writeSessionCookie(this.info, this.env.config);
    this.active = true;
    this.starting = false;
    this.resumingFromCookie = false;
    if (msg.media?.length || this.call) this.withCall((call) => call.onSession(msg.media));
    // The session's open document is shown again on this page (or closed if it ended meanwhile).
    if (msg.doc || this.documents) this.withDocuments((documents) => documents.onSession(msg.doc ?? null));
    if (wasActive) {
      // Same page, new socket: the session went on.
      this.env.fire('connection', { status: 'ok' });
      if (this.passive) {
        this.passive = false;
        this.env.fire('focus');
      }
      this.startRecording({ agents: this.agents });
      return;
    }
    if (firstStart) {
      this.env.setReadyState('sessionstart');
      this.env.fire('sessionstart');
      const video = this.startVideo;
      this.startVideo = null;
      if (video) this.withCall((call) => call.own.startWith(video));
    }
    this.env.setReadyState('sessioncontinue');
    this.env.fire('sessioncontinue');
    this.remote = new RemoteControl({
      send: (m) => this.connection?.send(JSON.stringify(m)),
      fire: this.env.fire,
      hasListener: this.env.hasListener,
      suspendMs: this.env.suspendMs,
    });
    this.agents = msg.agents;
    this.env.fire('agents', msg.agents);
    this.env.setReadyState('statereceived');
    this.env.fire('statereceived');
    this.remote.restore(msg.rc);
    // The hook is called first with params.agents undefined, later pages with the agents.
    this.startRecording(firstStart ? {} : { agents: this.agents });
  }

  /**
   * Every (re)connect begins with the masking rules resolved, then a complete page (the server's
   * copy may be stale or gone). Nothing is sent before the rules are known.
   * @param {{agents?: any}} params
   */
  async startRecording(params) {
    const generation = ++this.generation;
    const policy = await this.masking.resolve(params);
    if (generation !== this.generation || !this.active || this.passive) return;
    this.notePageMasked(policy.maskPage);
    if (this.paused) this.sendPause();
    if (this.recorder) {
      this.recorder.restart(policy);
      return;
    }
    this.recorder = new Recorder({
      send: (kind, payload) => {
        const frame = encodeFrame(kind, payload, stringify);
        // Over the server's limit it would only be refused (close 1009): never uploaded.
        if (frame.length > MAX_FRAME_BYTES) this.onPageTooLarge();
        else this.connection?.send(frame);
      },
      onVisibility: (state) => this.connection?.send(JSON.stringify({ t: 'visibility', state })),
      masking: policy,
      // A single-page app's new URL may be a masked page: its rules are resolved before anything leaves.
      onUrlChange: () => this.applyMasking({ agents: this.agents }),
      onCaptureFailed: (e) =>
        this.env.fire('error', { code: 'capturefailed', msg: `This page could not be captured (${e}); it is tried again.` }),
    });
    this.recorder.paused = this.paused;
    this.recorder.start();
  }

  /** @param {{agents?: any}} params */
  async applyMasking(params) {
    const generation = this.generation;
    const policy = await this.masking.resolve(params);
    if (generation !== this.generation || !this.recorder) return;
    this.notePageMasked(policy.maskPage);
    this.recorder.setMasking(policy);
  }

  /** @param {boolean} masked */
  notePageMasked(masked) {
    if (masked && !this.pageMasked) this.env.fire('pagemasked', { masked: true });
    this.pageMasked = masked;
  }

  /**
   * pauseSession({pause, message}): while paused nothing of this page is sent; agents see the
   * frozen view under the message. Unpausing sends a full page.
   * @param {boolean} pause @param {string} [message]
   */
  pause(pause, message) {
    const changed = pause !== this.paused || (pause && message !== this.pauseMessage);
    this.paused = pause;
    this.pauseMessage = pause ? message : undefined;
    if (!changed) return;
    if (this.active) this.sendPause();
    this.recorder?.setPaused(pause);
    this.env.fire('sessionpaused', { paused: pause });
  }

  sendPause() {
    /** @type {any} */
    const msg = { t: 'pause', paused: this.paused };
    if (this.paused && typeof this.pauseMessage === 'string') msg.message = this.pauseMessage;
    this.connection?.send(JSON.stringify(msg));
  }

  stop() {
    if (!this.active && !this.starting) return false;
    this.env.fire('leavesession');
    this.connection?.send(JSON.stringify({ t: 'stop' }));
    this.end('visitor');
    return true;
  }

  /** @param {string} reason */
  end(reason) {
    const wasActive = this.active || this.resumingFromCookie;
    this.teardown();
    this.env.setReadyState('sessionend');
    if (wasActive) this.env.fire('sessionend', { reason });
  }

  teardown() {
    this.active = false;
    this.resumingFromCookie = false;
    this.remote?.stop();
    this.remote = null;
    this.call?.then((call) => call.stop());
    this.call = null;
    this.documents?.then((documents) => documents.stop());
    this.documents = null;
    showAgentPointer(null);
    this.starting = false;
    this.recorder?.stop();
    this.recorder = null;
    useAssetChannel(null);
    this.connection?.close(1000, 'session over');
    this.connection = null;
    this.info = null;
    // A refused cross-domain token never owned this site's cookie (another tab's session may).
    if (!this.handoff) clearSessionCookie(this.env.config);
    this.handoff = null;
  }

  /** @param {number} code @param {string} reason */
  onFinalClose(code, reason) {
    if (code === CloseCode.sessionEnded) {
      if (this.active) this.end('error'); // `ended` normally came first and already ended it
      return;
    }
    if (code === CloseCode.superseded) {
      // Another window of this site took the session; take it back when this one is used again.
      this.passive = true;
      this.recorder?.stop();
      this.recorder = null;
      this.env.fire('blur');
      const regain = () => {
        window.removeEventListener('focus', regain);
        if (!this.active || !this.info) return;
        this.connect(true, this.info.k, (send) => this.sendContinue(send));
      };
      window.addEventListener('focus', regain);
      return;
    }
    if (this.pendingError?.code === 'randomkeytaken' && this.retryStart) {
      const retry = this.retryStart;
      this.pendingError = null;
      this.retryStart = null;
      retry();
      return;
    }
    const error = this.pendingError || { code: 'service', msg: reason || `connection closed (${code})` };
    this.pendingError = null;
    const wasActive = this.active;
    this.env.fire('error', error);
    this.teardown();
    this.env.setReadyState('sessionend');
    if (wasActive) this.env.fire('sessionend', { reason: 'error' });
  }

  /**
   * A frame over the server's limit (found here before sending, or refused by the server with
   * 1009): final for this page's content — it is not uploaded again (it would be refused again);
   * agents get a notice, the session goes on.
   */
  onPageTooLarge() {
    const recorder = this.recorder;
    if (!recorder || recorder.tooLarge) return;
    recorder.tooLarge = true;
    // Agents get the notice instead of the page (after the current send has returned).
    queueMicrotask(() => recorder.sendFullPage());
    this.env.fire('error', {
      code: 'pagetoolarge',
      msg: 'This page is too large to share with the agent; the session goes on and the next page is shared.',
    });
  }

  onGiveUp() {
    if (this.active) {
      this.env.fire('error', { code: 'conndrop', msg: 'The connection to the co-browse service dropped and could not be re-established.' });
      this.end('error');
    } else {
      this.env.fire('error', { code: 'service', msg: 'A connection could not be established to the co-browse service.' });
      this.teardown();
      this.env.setReadyState('sessionend');
    }
  }
}

/** A random session key: `digits` digits, the first not 0 (GLANCE_KEYTYPE_RANDOM). @param {number} digits */
function randomKey(digits) {
  const values = crypto.getRandomValues(new Uint32Array(digits));
  return Array.from(values, (v, i) => (i === 0 ? 1 + (v % 9) : v % 10)).join('');
}
