// @ts-check
import { Connection } from '../../common/connection.js';
import { CloseCode, parseMessage } from '../../common/protocol.js';
import { keyProblem } from '../../common/rules.js';
import { resolve } from '../invoke.js';

/**
 * GLANCE.Presence.Visitor: the browsing visitor's presence socket (seed 003, Presence Visitor
 * API). One socket per page; the server keeps the visitor "connected" while the next page
 * loads. Signals arrive in `onsignal`; an `invoke` runs a function inside GLANCE only.
 * Handlers are properties: onsignal, onconnected, onerror, onclose, onuniqueid.
 */
export class PresenceVisitor {
  /**
   * @param {{groupid?: number|string, visitorid?: string}} [params]
   * @param {{server: string, config: any, visitorEvents: (fn: (name: string, data: any) => void) => void}} [env]
   */
  constructor(params, env) {
    this.init(params || {}, /** @type {any} */ (env || PresenceVisitor.env));
  }

  /** @param {{groupid?: number|string, visitorid?: string}} params @param {any} env */
  init(params, env) {
    this.env = env;
    this.groupid = Number(params.groupid ?? env.config.groupid);
    /** @type {string | null} */
    this.visitorid = params.visitorid ?? env.config.visitorid ?? null;
    /** @type {Connection | null} */
    this.connection = null;
    this.wanted = false;
    /** @type {Record<string, string | number>} */
    this.data = {};
    this.sentFirst = false;
    /** @type {any[]} messages waiting for the socket */
    this.outbox = [];
    PresenceVisitor.instance = this;
    /** @type {any} */ (window).GLANCE.Presence.Visitor.instance = this;
  }

  connect() {
    if (!this.visitorid) return this.fail('error', 'a visitorid is needed (GLANCE_COBROWSE.visitorid or the constructor)');
    const problem = keyProblem(this.visitorid);
    if (problem) return this.fail('error', `visitorid: ${problem}`);
    this.wanted = true;
    this.open();
  }

  /** A visitor without an id of its own: the server knows it as "UNQ-" + uniqueid. @param {{data?: any}} [params] */
  connectUnique(params) {
    const bytes = crypto.getRandomValues(new Uint8Array(12));
    this.uniqueid = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    this.visitorid = `UNQ-${this.uniqueid}`;
    this.connect();
    if (params && params.data) this.presence(params);
    this.fire('uniqueid', this.uniqueid, 300);
  }

  /** Unique ids do not expire on the server while the socket is open; nothing to extend. */
  extendUnique() {}

  disconnect() {
    this.wanted = false;
    this.connection?.close(1000, 'disconnect');
    this.connection = null;
  }

  /** @param {string} id */
  setVisitorId(id) {
    this.visitorid = id;
    if (this.wanted) this.open();
  }

  /**
   * Presence data: the first call on a page also sends where the visitor is and with what;
   * later calls merge custom string or number fields.
   * @param {{data?: Record<string, string | number>}} [params]
   */
  presence(params) {
    /** @type {Record<string, string | number>} */
    const data = {};
    if (!this.sentFirst) {
      this.sentFirst = true;
      Object.assign(data, browserInfo());
    }
    for (const [k, v] of Object.entries((params && params.data) || {})) {
      if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) data[k] = v;
      else console.warn(`Tandem presence: field ${k} is neither a string nor a number; not sent`);
    }
    Object.assign(this.data, data);
    this.send({ t: 'presence', data });
  }

  /** Calls the `on<type>` handler. @param {string} type @param {...any} args */
  fire(type, ...args) {
    const handler = /** @type {any} */ (this)['on' + type];
    if (typeof handler === 'function') {
      try {
        handler.apply(this, args);
      } catch (error) {
        console.error(error);
      }
    }
  }

  /** @param {string} name @param {any} [data] a visitor event agents mirror */
  event(name, data) {
    this.send({ t: 'event', name, data });
  }

  // ---- socket ----

  /** A socket for the current visitor id (a former one is closed). */
  open() {
    this.connection?.close(1000, 'new visitor id');
    const url = new URL(this.env.server.replace(/^http/, 'ws') + '/ws/presence/visitor');
    url.searchParams.set('groupid', String(this.groupid));
    url.searchParams.set('visitorid', String(this.visitorid));
    this.connection = new Connection(url.href, {
      resuming: true,
      graceMs: Infinity,
      // Three quick tries, then once a minute (as Glance's visitor does).
      delayMs: (attempt) => (attempt < 3 ? 5000 : 60000),
      // Refusals that another try would only repeat; anything else (a restart) is retried.
      isFinal: (code) => code === CloseCode.forbidden || code === CloseCode.invalidInput || code === CloseCode.badMessage,
      onopen: (ws) => {
        for (const msg of this.outbox.splice(0)) ws.send(JSON.stringify(msg));
      },
      onmessage: (data) => this.onMessage(String(data)),
      onsocketclose: () => this.fire('close'),
      onreconnecting: () => this.fail('connection', 'the presence connection dropped'),
      onclose: (code, reason) => {
        this.wanted = false;
        this.fail('error', reason || `refused (${code})`);
      },
    });
    this.connection.open();
  }

  /** @param {string} text */
  onMessage(text) {
    const parsed = parseMessage('server-to-presence-visitor', text);
    if (!parsed.ok) return;
    const msg = parsed.message;
    if (msg.t === 'connected') this.fire('connected');
    else if (msg.t === 'signal') this.fire('signal', msg.data);
    else if (msg.t === 'invoke') {
      // Checked on the server too: only functions inside GLANCE.
      const name = String(msg.func || '');
      const target = name.startsWith('GLANCE.') ? resolve(name) : null;
      if (!target) return console.warn(`Tandem presence: refused to invoke '${name}': not a function of GLANCE`);
      try {
        target.fn.call(target.owner, msg.args);
      } catch (error) {
        console.error(error);
      }
    }
  }

  /** @param {any} msg */
  send(msg) {
    if (this.connection?.isOpen) this.connection.send(JSON.stringify(msg));
    else if (this.outbox.length < 50) this.outbox.push(msg);
  }

  /** @param {'authorization'|'connection'|'error'} detail @param {string} message */
  fail(detail, message) {
    console.warn(`Tandem presence: ${message}`);
    this.fire('error', { error: 'connfail', detail, msg: message });
  }
}
/** @type {PresenceVisitor | null} */
PresenceVisitor.instance = null;
/** @type {any} */
PresenceVisitor.env = null;

/** What the first presence call of a page tells the agent. */
function browserInfo() {
  const ua = navigator.userAgent;
  const match = /(Edg|OPR|Chrome|Firefox|Version)\/([\d.]+)/.exec(ua);
  const browser = !match ? 'unknown' : match[1] === 'Edg' ? 'Edge' : match[1] === 'OPR' ? 'Opera' : match[1] === 'Version' ? 'Safari' : match[1];
  return {
    url: location.href,
    title: document.title,
    browser,
    browserver: match ? match[2] : '',
    platform: /** @type {any} */ (navigator).userAgentData?.platform || navigator.platform || '',
  };
}

/**
 * Installs GLANCE.Presence.Visitor: replaces the loader's stub class (upgrading objects made
 * before the modules arrived and replaying their calls), forwards the visitor events agents
 * mirror, and with data-presence="on" connects and sends presence at once.
 * @param {{server: string, config: any, fire: any, listeners: Record<string, Function[]>, presenceStubs?: any[]}} internal
 */
export function installPresence(internal) {
  const w = /** @type {any} */ (window);
  const P = /** @type {any} */ (w.GLANCE.Presence = w.GLANCE.Presence || {});
  PresenceVisitor.env = { server: internal.server, config: internal.config };
  P.Visitor = PresenceVisitor;
  for (const stub of internal.presenceStubs || []) {
    const calls = stub._calls || [];
    Object.setPrototypeOf(stub, PresenceVisitor.prototype);
    stub.init(stub._params || {}, PresenceVisitor.env);
    for (const [method, args] of calls) stub[method](...Array.from(args));
  }
  // Agents see the visitor's session events, terms dialog and tab visibility.
  const forward = (/** @type {string} */ name, /** @type {any} */ data) => PresenceVisitor.instance?.event(name, data);
  for (const name of ['sessionstart', 'sessionend', 'error']) {
    (internal.listeners[name] = internal.listeners[name] || []).push((/** @type {any} */ data) => forward(name, data ?? {}));
  }
  window.addEventListener('tandem-terms', (event) => forward('terms', /** @type {CustomEvent} */ (event).detail));
  document.addEventListener('visibilitychange', () => forward('visibility', { visibility: document.visibilityState }));
  const mode = String(internal.config.presence || '').toLowerCase();
  if (mode === 'on' && internal.config.visitorid && !PresenceVisitor.instance) {
    const visitor = new PresenceVisitor({});
    visitor.connect();
    visitor.presence();
  }
}
