// @ts-check
import { showCrossDomainPrompt } from './cross-domain-prompt.js';

/**
 * Cross-domain sessions (docs/protocol.md "Cross-domain handoff"), a part of the visitor script
 * loaded only when needed (main.js: the group trusts other domains, the page arrived with a
 * handoff, or it calls the cross-domain API). Browsers partition third-party
 * storage, so nothing is carried by a hidden frame: the page asks the server for a single-use
 * token bound to the destination origin (`handoff {origin}`), and the destination page brings it
 * back in `continue {handoff}`.
 *
 * - Links (`a[href]`, `area[href]`) to another of the group's trusted domains carry the token in
 *   the URL fragment, `#tandem=GROUP.KEY.CALLID.TOKEN`, followed by `!` and the link's own
 *   fragment when it had one (`…#tandem=1.123456.42.TOKEN!section-2`): the destination's loader
 *   puts the original fragment back at once. A fragment is never sent to a server or in
 *   `Referer`. The token is asked ahead, when a pointer comes over the link or it gets focus, so a
 *   click usually has it.
 * - `crossDomain({url, target})` does the same for a URL (a `_blank` window is opened within the
 *   call, in the user's gesture).
 * - `continueSessionAt({destination, destinationurl, oncomplete, iewarningsuppressed})`, for
 *   server-side redirects that keep no fragment: a small window opens a page of the destination
 *   (first-party there) with `#tandem-store=GROUP.KEY.CALLID.TOKEN.W.SOURCEORIGIN`; that page's
 *   script keeps the handoff in the destination's localStorage (`tandem_handoff`, 2 minutes),
 *   tells the opener (exact origin) and closes; then `oncomplete()`. The redirect's page finds it
 *   and continues — after `urlstartwarning`, unless `iewarningsuppressed` was true (W = 1). When
 *   the window cannot open (a pop-up blocker), `oncomplete({query})` gets the legacy parameters.
 * - Legacy parameters in the query string: `glance_handoff=GROUP.KEY.CALLID.TOKEN`, and
 *   `glance_iews=1` to accept without asking: `urlstartwarning {accept, decline}` first (the
 *   default UI asks when the page has no listener; a custom UI without a listener declines).
 */

/** localStorage key of a handoff kept by continueSessionAt's window (main.js checks it by name). */
export const STORE_KEY = 'tandem_handoff';
/** How long a kept handoff is used (the server's token lives 120 s). */
const STORE_MS = 110_000;
/** How long a page waits for the server's answer to `handoff`. */
const ANSWER_MS = 5000;

/** @typedef {{g: number, k: string, c: number, t: string}} Handoff */
/**
 * What the loader found in the address (already removed from the address bar): a fragment or
 * query handoff, or continueSessionAt's window (`store`).
 * @typedef {{via: 'fragment' | 'query' | 'store', value: string, iews?: boolean}} Arrival
 */

/** @param {string} value `GROUP.KEY.CALLID.TOKEN` @returns {Handoff | null} */
export function parseHandoff(value) {
  const m = /^([1-9][0-9]{0,9})\.([A-Za-z0-9_~-]{1,100})\.([1-9][0-9]{0,15})\.([A-Za-z0-9_-]{8,200})$/.exec(String(value));
  return m ? { g: Number(m[1]), k: m[2], c: Number(m[3]), t: m[4] } : null;
}

/** @param {Handoff} h */
export function formatHandoff(h) {
  return `${h.g}.${h.k}.${h.c}.${h.t}`;
}

/**
 * `url` with the handoff in its fragment; the URL's own fragment follows `!`.
 * @param {string} url an absolute URL @param {Handoff} h
 */
export function withHandoff(url, h) {
  const at = url.indexOf('#');
  const base = at < 0 ? url : url.slice(0, at);
  return `${base}#tandem=${formatHandoff(h)}${at < 0 ? '' : '!' + url.slice(at + 1)}`;
}

/**
 * Whether `origin` is on one of the trusted domains: `host`, `*.host` (subdomains only), each
 * with an optional `:port` (without one any port matches) — as the server matches them.
 * @param {unknown} domains @param {string} origin
 */
export function trustsOrigin(domains, origin) {
  if (!Array.isArray(domains)) return false;
  let url;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const host = url.hostname.toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return domains.some((entry) => {
    if (typeof entry !== 'string') return false;
    let pattern = entry.toLowerCase();
    const colon = pattern.lastIndexOf(':');
    if (colon >= 0 && !pattern.endsWith(']')) {
      if (pattern.slice(colon + 1) !== port) return false;
      pattern = pattern.slice(0, colon);
    }
    return pattern.startsWith('*.') ? host.endsWith(pattern.slice(1)) : host === pattern;
  });
}

/**
 * The page's side of cross-domain sessions: tokens, links, crossDomain(), continueSessionAt(),
 * and a destination page's arrival.
 */
export class CrossDomain {
  /**
   * @param {{
   *   session: import('../session/session.js').VisitorSession,
   *   fire: (type: string, data?: any) => void,
   *   hasListener: (type: string) => boolean,
   *   on: (type: string, fn: Function) => void,
   *   custom: boolean,
   * }} env
   */
  constructor(env) {
    this.env = env;
    /** One token per destination origin, asked ahead or being asked. @type {Map<string, {promise: Promise<any>, answer: any}>} */
    this.slots = new Map();
    /** Requests waiting for the server's `handoff`, in order. @type {{origin: string, resolve: (answer: any) => void}[]} */
    this.waiting = [];
    /** crossDomain() completed on this page. */
    this.done = false;
    /** A form submitted again by onSubmit once its token came (its own submit event passes). @type {HTMLFormElement | null} */
    this.resubmitting = null;
  }

  get session() {
    return this.env.session;
  }

  /** Whether this page can hand the session to a page of `origin` now. @param {string} origin */
  carries(origin) {
    const s = this.session;
    return (
      s.active && !s.passive && Boolean(s.info) && origin !== location.origin &&
      trustsOrigin(s.crossDomains, location.origin) && trustsOrigin(s.crossDomains, origin)
    );
  }

  /** The server's answer to `handoff`. @param {any} msg */
  onHandoff(msg) {
    let at = this.waiting.findIndex((w) => w.origin === msg.origin);
    if (at < 0) at = 0;
    const waiter = this.waiting.splice(at, 1)[0];
    waiter?.resolve(typeof msg.token === 'string' ? { token: msg.token, expires: Number(msg.expires) * 1000 } : { msg: String(msg.msg || 'refused') });
  }

  /** Asks the server for a token for `origin`. @param {string} origin @returns {Promise<{token?: string, expires?: number, msg?: string}>} */
  request(origin) {
    return new Promise((resolve) => {
      const waiter = { origin, resolve };
      const sent = this.session.connection?.send(JSON.stringify({ t: 'handoff', origin }));
      if (!sent) return resolve({ msg: 'the connection to the co-browse service is not open' });
      this.waiting.push(waiter);
      setTimeout(() => {
        const at = this.waiting.indexOf(waiter);
        if (at < 0) return;
        this.waiting.splice(at, 1);
        resolve({ msg: 'the co-browse service did not answer' });
      }, ANSWER_MS);
    });
  }

  /** Asks ahead for a token for `origin` unless one is ready or coming. @param {string} origin */
  prefetch(origin) {
    const slot = this.slots.get(origin);
    if (slot && (!slot.answer || (slot.answer.token && slot.answer.expires > Date.now() + 10000))) return;
    const fresh = { promise: this.request(origin), answer: /** @type {any} */ (null) };
    fresh.promise.then((answer) => {
      fresh.answer = answer;
      // A refusal is not kept: the next pointer asks again.
      if (!answer.token && this.slots.get(origin) === fresh) this.slots.delete(origin);
    });
    this.slots.set(origin, fresh);
  }

  /**
   * The token asked ahead for `origin` if it is already here (and used up by this call).
   * @param {string} origin @returns {string | null}
   */
  takeReady(origin) {
    const slot = this.slots.get(origin);
    if (!slot?.answer?.token || slot.answer.expires < Date.now() + 5000) return null;
    this.slots.delete(origin);
    return slot.answer.token;
  }

  /** A token for `origin`: the one asked ahead, or a new one. @param {string} origin */
  async take(origin) {
    const slot = this.slots.get(origin);
    this.slots.delete(origin);
    if (slot) {
      const answer = await slot.promise;
      if (answer.token && answer.expires > Date.now() + 5000) return answer;
    }
    return this.request(origin);
  }

  /** @param {string} url @param {string} token */
  destination(url, token) {
    const info = /** @type {import('../session/cookie.js').SessionCookie} */ (this.session.info);
    return withHandoff(url, { g: info.g, k: info.k, c: info.c, t: token });
  }

  /** Links and forms to trusted domains carry the session while one runs. */
  watchLinks() {
    /** @param {Event} event */
    const ahead = (event) => {
      const origin = linkOf(event)?.origin || formUrlOf(event)?.origin;
      if (origin && this.carries(origin)) this.prefetch(origin);
    };
    for (const type of ['pointerover', 'pointerdown', 'focusin', 'touchstart']) window.addEventListener(type, ahead, { capture: true, passive: true });
    // After the page's own handlers (bubbling, on window): a click or submit the page prevented is left alone.
    window.addEventListener('click', (event) => this.onClick(event));
    window.addEventListener('submit', (event) => this.onSubmit(/** @type {SubmitEvent} */ (event)));
  }

  /**
   * A form posting (or getting) to a trusted domain: the handoff goes in its action's fragment,
   * which the browser keeps on the navigation for both methods. The form's action is read after
   * the submit event, so setting it here is enough. When the token is not here yet, the
   * submission waits for it and is made again (`requestSubmit`, the same submitter: the page's
   * submit handlers run a second time); a new window is opened now, inside the gesture.
   * @param {SubmitEvent} event
   */
  onSubmit(event) {
    const form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement) || this.resubmitting === form) return;
    const submitter = /** @type {HTMLButtonElement | HTMLInputElement | null} */ (event.submitter);
    const target = formTarget(form, submitter);
    if (!target) return;
    if (target.method === 'dialog' || !this.carries(target.url.origin)) return;
    if (target.name === '_top' || target.name === '_parent') {
      if (window.top !== window) return; // another frame's navigation: not carried
    }
    const { holder, attribute } = target;
    const original = holder.getAttribute(attribute);
    const url = target.url.href;
    const restore = () => setTimeout(() => (original === null ? holder.removeAttribute(attribute) : holder.setAttribute(attribute, original)), 0);
    const token = this.takeReady(target.url.origin);
    if (token) {
      this.done = true;
      holder.setAttribute(attribute, this.destination(url, token));
      return restore();
    }
    event.preventDefault();
    const sameTab = target.name === '' || target.name === '_self' || target.name === '_top' || target.name === '_parent';
    const newWindow = sameTab ? '' : `tandem-form-${Date.now()}`;
    const win = newWindow ? window.open('about:blank', newWindow) : null;
    const formTargetBefore = form.getAttribute('target');
    this.take(target.url.origin).then((answer) => {
      if (answer.token) {
        this.done = true;
        holder.setAttribute(attribute, this.destination(url, answer.token));
      } else console.warn(`Tandem: the session does not continue at ${target.url.origin}: ${answer.msg}`);
      if (win) form.setAttribute('target', newWindow);
      if (submitter?.hasAttribute('formtarget') && win) submitter.setAttribute('formtarget', newWindow);
      this.resubmitting = form;
      try {
        form.requestSubmit(submitter || undefined);
      } finally {
        this.resubmitting = null;
        restore();
        if (win) setTimeout(() => (formTargetBefore === null ? form.removeAttribute('target') : form.setAttribute('target', formTargetBefore)), 0);
      }
    });
  }

  /** @param {MouseEvent} event */
  onClick(event) {
    if (event.defaultPrevented || event.button !== 0 || event.altKey) return;
    const link = linkOf(event);
    if (!link || link.hasAttribute('download') || !this.carries(link.origin)) return;
    let target = (link.getAttribute('target') || document.querySelector('base[target]')?.getAttribute('target') || '').toLowerCase();
    if (event.ctrlKey || event.metaKey || event.shiftKey) target = '_blank';
    if (target === '_top' || target === '_parent') {
      if (window.top !== window) return; // another frame's navigation: not carried
      target = '';
    }
    const rel = (link.getAttribute('rel') || '').toLowerCase().split(/\s+/);
    const sameTab = target === '' || target === '_self';
    const features = rel.includes('noreferrer') ? 'noopener,noreferrer' : rel.includes('opener') ? '' : 'noopener';
    const url = link.href;
    event.preventDefault();
    const token = this.takeReady(link.origin);
    if (token) {
      this.done = true;
      if (sameTab) location.assign(this.destination(url, token));
      else window.open(this.destination(url, token), target, features);
      return;
    }
    // The token is not here yet: the new window is opened now, inside the click.
    const win = sameTab ? null : window.open('about:blank', target);
    this.take(link.origin).then((answer) => {
      const dest = answer.token ? this.destination(url, answer.token) : url;
      if (answer.token) this.done = true;
      else console.warn(`Tandem: the session does not continue at ${link.origin}: ${answer.msg}`);
      if (sameTab) return location.assign(dest);
      if (!win) return window.open(dest, target, features);
      if (features) win.opener = null;
      win.location.href = dest;
    });
  }

  /**
   * @param {string} reason @param {string} msg @param {string} [url]
   * @returns {Promise<never>}
   */
  refuse(reason, msg, url) {
    this.env.fire('error', { code: 'crossdomain', msg, params: url === undefined ? { reason } : { reason, url } });
    return Promise.reject(new Error(msg));
  }

  /**
   * GLANCE.Cobrowse.Visitor.crossDomain(options?): resolves when the session can continue on the
   * trusted domains (links carry it while the session runs); with `{url, target}` it then opens
   * the URL with the handoff. Refusals reject and fire `error {code: 'crossdomain', params:
   * {reason: 'nosession' | 'invalidurl' | 'untrusted' | 'popupblocked' | 'refused', url}}`.
   * @param {{url?: string, target?: string}} [options]
   * @returns {Promise<void>}
   */
  crossDomain(options) {
    const s = this.session;
    if (!options || options.url === undefined || options.url === null) {
      if (s.active) {
        this.done = true;
        return Promise.resolve();
      }
      if (!s.resumingFromCookie && !s.handoff) return this.refuse('nosession', 'crossDomain: no session is running');
      return new Promise((resolve, reject) => {
        this.env.on('sessioncontinue', () => {
          this.done = true;
          resolve();
        });
        this.env.on('sessionend', () => reject(new Error('crossDomain: the session ended')));
      });
    }
    let url;
    try {
      url = new URL(String(options.url), location.href);
    } catch {
      return this.refuse('invalidurl', `crossDomain: ${options.url} is not a URL`, String(options.url));
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return this.refuse('invalidurl', `crossDomain: ${url.protocol} URLs cannot carry a session`, url.href);
    const blank = options.target === '_blank';
    if (url.origin === location.origin) {
      // Same site: the session cookie carries it.
      if (blank) window.open(url.href, '_blank');
      else location.assign(url.href);
      return Promise.resolve();
    }
    if (!s.active || !s.info) return this.refuse('nosession', 'crossDomain: no session is running', url.href);
    if (!trustsOrigin(s.crossDomains, location.origin)) {
      return this.refuse('untrusted', `crossDomain: this page's site (${location.origin}) is not one of the group's trusted domains`, url.href);
    }
    if (!trustsOrigin(s.crossDomains, url.origin)) {
      return this.refuse('untrusted', `crossDomain: ${url.origin} is not one of the group's trusted domains`, url.href);
    }
    const ready = this.takeReady(url.origin);
    if (ready) {
      this.done = true;
      if (blank) window.open(this.destination(url.href, ready), '_blank', 'noopener');
      else location.assign(this.destination(url.href, ready));
      return Promise.resolve();
    }
    // Opened now, within the user's gesture; it goes to the URL once the token is here.
    const win = blank ? window.open('about:blank', '_blank') : null;
    if (blank && !win) return this.refuse('popupblocked', 'crossDomain: the browser blocked the new window (call it from a click or key press)', url.href);
    return this.take(url.origin).then((answer) => {
      if (!answer.token) {
        win?.close();
        return this.refuse('refused', `crossDomain: ${answer.msg}`, url.href);
      }
      this.done = true;
      const dest = this.destination(url.href, answer.token);
      if (win) {
        win.opener = null;
        win.location.href = dest;
      } else location.assign(dest);
    });
  }

  /**
   * VisitorUI.promptCrossDomain (the default UI), once the page is in a session that has not
   * crossed yet: asks the visitor first, then crossDomain(options) (Yes is the user's gesture, so
   * a `_blank` window opens). Resolves on No (nothing is handed over).
   * @param {{url?: string, target?: string}} [options]
   * @returns {Promise<void>}
   */
  prompt(options) {
    return new Promise((resolve, reject) => {
      showCrossDomainPrompt({
        id: 'tandem-crossdomain',
        text: 'Keep sharing with the support agent when you continue on the next site?',
        accept: () => this.crossDomain(options).then(resolve, reject),
        decline: () => resolve(),
      });
    });
  }

  /**
   * continueSessionAt({destination, destinationurl, oncomplete, iewarningsuppressed}) (deprecated):
   * for a redirect (often server-side) that keeps no fragment. Call it from a user gesture (it
   * opens a small window). `oncomplete` is always called, so the redirect goes ahead; without a
   * session or trust the session simply does not continue there (and `error {code:
   * 'crossdomain'}` says why).
   * @param {any} params
   */
  continueSessionAt(params) {
    params = params && typeof params === 'object' ? params : {};
    let completed = false;
    /** @param {any} [result] */
    const complete = (result) => {
      if (completed) return;
      completed = true;
      if (typeof params.oncomplete !== 'function') return;
      try {
        if (result === undefined) params.oncomplete();
        else params.oncomplete(result);
      } catch (error) {
        console.error(error);
      }
    };
    /** @param {string} reason @param {string} msg */
    const fail = (reason, msg) => {
      this.env.fire('error', { code: 'crossdomain', msg: `continueSessionAt: ${msg}`, params: { reason } });
      complete();
    };
    const s = this.session;
    let helper;
    try {
      const destination = String(params.destination || '');
      helper = params.destinationurl
        ? new URL(String(params.destinationurl), location.href)
        : new URL('/', destination.includes('://') ? destination : `${location.protocol}//${destination}`);
    } catch {
      return fail('invalidurl', `${params.destinationurl || params.destination} is not a destination`);
    }
    if (helper.protocol !== 'http:' && helper.protocol !== 'https:') return fail('invalidurl', `${helper.href} is not a web page`);
    if (!s.active || !s.info) return fail('nosession', 'no session is running');
    if (!trustsOrigin(s.crossDomains, location.origin) || !trustsOrigin(s.crossDomains, helper.origin)) {
      return fail('untrusted', `${trustsOrigin(s.crossDomains, location.origin) ? helper.origin : location.origin} is not one of the group's trusted domains`);
    }
    const suppressed = params.iewarningsuppressed === true;
    const popup = window.open('about:blank', 'tandem-handoff', 'popup,width=360,height=200');
    this.take(helper.origin).then((answer) => {
      if (!answer.token) {
        popup?.close();
        return fail('refused', answer.msg);
      }
      const info = /** @type {import('../session/cookie.js').SessionCookie} */ (s.info);
      const value = formatHandoff({ g: info.g, k: info.k, c: info.c, t: answer.token });
      if (!popup) {
        // A pop-up blocker: the legacy parameters, for the site to add to its redirect.
        console.warn('Tandem: continueSessionAt could not open its window; oncomplete gets the legacy query parameters');
        return complete({ query: `glance_handoff=${value}${suppressed ? '&glance_iews=1' : ''}` });
      }
      const done = () => {
        window.removeEventListener('message', onMessage);
        clearTimeout(timer);
        try {
          popup.close();
        } catch {
          /* already closed */
        }
      };
      /** @param {MessageEvent} event */
      const onMessage = (event) => {
        if (event.origin !== helper.origin || event.source !== popup) return;
        if (!event.data || event.data.tandem !== 'handoff-stored') return;
        done();
        this.done = true;
        complete();
      };
      const timer = setTimeout(() => {
        done();
        fail('timeout', `${helper.origin} did not take the session (is the Tandem script tag on ${helper.href}?)`);
      }, 15000);
      window.addEventListener('message', onMessage);
      const store = `${value}.${suppressed ? 1 : 0}.${encodeURIComponent(location.origin)}`;
      popup.location.href = `${helper.href.split('#')[0]}#tandem-store=${store}`;
    });
  }

  /**
   * A destination page: continues the session its address (or continueSessionAt's window) brought.
   * @param {Arrival | null | undefined} arrival what the loader took from the address
   * @param {number[]} allowedGroups
   * @returns {'store' | 'continue' | 'ask' | null} null: nothing arrived (or it cannot be used)
   */
  arrive(arrival, allowedGroups) {
    if (arrival?.via === 'store') {
      keep(arrival.value);
      return 'store';
    }
    /** @type {{handoff: Handoff, warn: boolean} | null} */
    let found = null;
    if (arrival) {
      const handoff = parseHandoff(arrival.value);
      if (handoff) found = { handoff, warn: arrival.via === 'query' && !arrival.iews };
      else this.env.fire('error', { code: 'invalidparam', msg: 'the cross-domain session information in this address is damaged', params: { field: 'handoff' } });
    } else {
      found = takeKept();
    }
    if (!found) return null;
    const { handoff, warn } = found;
    if (!allowedGroups.includes(handoff.g)) {
      this.env.fire('error', { code: 'groupnotallowed', msg: `group ${handoff.g} is not allowed on this page`, params: { groupid: handoff.g } });
      return null;
    }
    if (!warn) {
      this.session.continueHandoff(handoff);
      return 'continue';
    }
    let answered = false;
    /** @param {boolean} yes */
    const answer = (yes) => {
      if (answered) return;
      answered = true;
      prompt?.remove();
      if (yes) this.session.continueHandoff(handoff);
    };
    /** @type {HTMLElement | null} */
    let prompt = null;
    const accept = () => answer(true);
    const decline = () => answer(false);
    if (this.env.hasListener('urlstartwarning')) this.env.fire('urlstartwarning', { accept, decline });
    else if (!this.env.custom) {
      prompt = showCrossDomainPrompt({
        id: 'tandem-urlstart',
        text: 'This page was opened to continue a co-browse session with a support agent. Continue sharing on this site?',
        accept,
        decline,
      });
    } else console.warn('Tandem: urlstartwarning has no listener (data-ui="custom"): the session does not continue here');
    return 'ask';
  }
}

/**
 * The link an event happened in (inside open shadow roots too), when it leads to a web page.
 * @param {Event} event
 */
function linkOf(event) {
  const path = event.composedPath();
  const start = path.length ? path[0] : event.target;
  const el = start instanceof Element ? start.closest('a[href], area[href]') : null;
  if (!el) return null;
  const link = /** @type {HTMLAnchorElement | HTMLAreaElement} */ (el);
  return link.protocol === 'http:' || link.protocol === 'https:' ? link : null;
}

/** Where the form an event happened in (a field's own form) submits, when to a web page. @param {Event} event */
function formUrlOf(event) {
  const path = event.composedPath();
  const start = path.length ? path[0] : event.target;
  /** @type {HTMLFormElement | null} */
  const form = start instanceof HTMLFormElement ? start : start && 'form' in /** @type {any} */ (start) ? /** @type {any} */ (start).form : start instanceof Element ? start.closest('form') : null;
  if (!(form instanceof HTMLFormElement)) return null;
  return formTarget(form, null)?.url || null;
}

/**
 * Where a submission goes: the URL, the window name, the method, and which element's attribute
 * holds the action (the submitter's `formaction` wins over the form's `action`).
 * @param {HTMLFormElement} form @param {HTMLButtonElement | HTMLInputElement | null} submitter
 */
function formTarget(form, submitter) {
  const fromSubmitter = !!submitter && submitter.hasAttribute('formaction');
  const holder = fromSubmitter && submitter ? submitter : form;
  const attribute = fromSubmitter ? 'formaction' : 'action';
  let url;
  try {
    url = new URL(holder.getAttribute(attribute) || location.href, document.baseURI);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  const method = ((submitter?.getAttribute('formmethod')) || form.getAttribute('method') || 'get').toLowerCase();
  const name = (submitter?.getAttribute('formtarget') || form.getAttribute('target') || document.querySelector('base[target]')?.getAttribute('target') || '').toLowerCase();
  return { url, method, name, holder, attribute };
}

/**
 * continueSessionAt's window on the destination: keeps the handoff for the page the redirect
 * brings (this origin's storage, first-party here), tells the opener and closes.
 * @param {string} value `GROUP.KEY.CALLID.TOKEN.W.SOURCEORIGIN`
 */
function keep(value) {
  const parts = value.split('.');
  const handoff = parseHandoff(parts.slice(0, 4).join('.'));
  let source = '';
  try {
    source = decodeURIComponent(parts.slice(5).join('.'));
    if (new URL(source).origin !== source) source = '';
  } catch {
    source = '';
  }
  if (!handoff || !source) return;
  try {
    localStorage.setItem(STORE_KEY, JSON.stringify({ ...handoff, w: parts[4] === '1', x: Date.now() + STORE_MS }));
  } catch {
    return;
  }
  // Exactly the origin that asked (the opener checks event.origin and event.source in turn).
  window.opener?.postMessage({ tandem: 'handoff-stored' }, source);
  setTimeout(() => window.close(), 100);
}

/** A handoff continueSessionAt kept for this page (used once). @returns {{handoff: Handoff, warn: boolean} | null} */
function takeKept() {
  let kept;
  try {
    const text = localStorage.getItem(STORE_KEY);
    if (!text) return null;
    localStorage.removeItem(STORE_KEY);
    kept = JSON.parse(text);
  } catch {
    return null;
  }
  if (!kept || typeof kept.x !== 'number' || kept.x < Date.now()) return null;
  const handoff = parseHandoff(`${kept.g}.${kept.k}.${kept.c}.${kept.t}`);
  return handoff ? { handoff, warn: kept.w !== true } : null;
}
