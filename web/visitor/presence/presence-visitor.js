// @ts-check
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
    /** @type {WebSocket | null} */
    this.socket = null;
    this.wanted = false;
    this.failures = 0;
    /** @type {Record<string, string | number>} */
    this.data = {};
    this.sentFirst = false;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.retry = undefined;
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
    clearTimeout(this.retry);
    this.socket?.close(1000, 'disconnect');
    this.socket = null;
  }

  /** @param {string} id */
  setVisitorId(id) {
    this.visitorid = id;
    if (this.wanted) {
      this.socket?.close(1000, 'new visitor id');
      this.open();
    }
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

  open() {
    clearTimeout(this.retry);
    const url = new URL(this.env.server.replace(/^http/, 'ws') + '/ws/presence/visitor');
    url.searchParams.set('groupid', String(this.groupid));
    url.searchParams.set('visitorid', String(this.visitorid));
    const ws = new WebSocket(url.href);
    this.socket = ws;
    ws.onopen = () => {
      this.failures = 0;
      for (const msg of this.outbox.splice(0)) ws.send(JSON.stringify(msg));
    };
    ws.onmessage = (event) => this.onMessage(String(event.data));
    ws.onclose = (event) => {
      if (this.socket !== ws) return;
      this.socket = null;
      this.fire('close');
      if (event.code === 4403 || event.code === 4422 || event.code === 4400) {
        this.wanted = false;
        return this.fail('error', event.reason || `refused (${event.code})`);
      }
      if (!this.wanted) return;
      this.failures += 1;
      if (this.failures === 1) this.fail('connection', 'the presence connection dropped');
      // Three quick tries, then once a minute (as Glance's visitor does).
      this.retry = setTimeout(() => this.wanted && this.open(), this.failures <= 3 ? 5000 : 60000);
    };
  }

  /** @param {string} text */
  onMessage(text) {
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
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
    if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(msg));
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
