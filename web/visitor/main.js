// @ts-check
import { fieldProblem, keyProblem, RANDOM_KEY } from '../common/rules.js';
import { CONTRACT } from '../common/contract.js';
import { VisitorSession } from './session/session.js';
import { listenForInvocations } from './invoke.js';
import { createVisitorUI } from './ui/visitor-ui.js';
import { installPresence } from './presence/presence-visitor.js';
import { documentUrl } from './documents/upload.js';
import { installTriggers } from './ui/triggers.js';
import { watchAccessibility } from './ui/accessibility.js';

/**
 * Completes GLANCE.Cobrowse.Visitor (defined early by the loader, cobrowse.js) and replays the
 * calls made before this module arrived.
 * @param {{listeners: Record<string, Function[]>, queue: [string, IArguments][], fire: (type: string, data?: any) => void,
 *          config: any, server: string, uiQueue?: [string, IArguments][] | null, presenceStubs?: any[],
 *          load: (dir: string, entry: string) => Promise<any>, arrival?: import('./crossdomain/cross-domain.js').Arrival | null, early?: {events: MessageEvent[], stop: () => void}}} internal
 */
export function install(internal) {
  const w = /** @type {any} */ (window);
  const V = w.GLANCE.Cobrowse.Visitor;
  const config = internal.config;
  /** Last payload of each state event, for getSessionState(). */
  const lastState = new Map();
  /** @param {string} type @param {any} [data] */
  const fire = (type, data) => {
    lastState.set(type, data === undefined ? null : data);
    // Per view too: getSessionState('screenshare', 'glance_agentvideo').
    if (data && typeof data.screenshareView === 'string') lastState.set(`${type}\u0000${data.screenshareView}`, data);
    internal.fire(type, data);
  };
  /** @param {string} code @param {string} msg @param {any} [params] */
  const fail = (code, msg, params) => fire('error', params ? { code, msg, params } : { code, msg });

  const session = new VisitorSession({
    server: internal.server,
    config,
    load: internal.load,
    fire,
    setReadyState: (state) => (V.readyState = state),
    startPaused: config.startpaused === '1' || config.startpaused === true || config.startpaused === 'true',
    hasListener: (type) => (internal.listeners[type] || []).length > 0,
    suspendMs: Number(config.rcsuspend) > 0 ? Number(config.rcsuspend) : 2000,
  });
  /** @param {string} method */
  const needSession = (method) => {
    if (session.active) return true;
    console.warn(`Tandem: ${method} needs a running session`);
    return false;
  };
  /** JSON payloads are limited (as the server enforces): report, do not send. @param {string} what @param {any} data */
  const fits = (what, data) => {
    let size;
    try {
      size = new TextEncoder().encode(JSON.stringify(data ?? null)).length;
    } catch {
      fail('invalidparam', `${what}: not JSON-serialisable`, { field: what });
      return false;
    }
    if (size <= 64 * 1024) return true;
    fail('invalidparam', `${what}: larger than 64 KB`, { field: what });
    return false;
  };
  /** Whether the session's user state takes `data` under `name`: names, and bytes of names and values together, as the server counts them. @param {string} name @param {any} data */
  const roomFor = (name, data) => {
    const { userStateNames, userStateTotalBytes } = CONTRACT.limits;
    const state = { ...session.userState, [name]: data ?? null };
    const names = Object.keys(state);
    const bytes = names.reduce((sum, n) => sum + new TextEncoder().encode(n + JSON.stringify(state[n])).length, 0);
    if (names.length <= userStateNames && bytes <= userStateTotalBytes) return true;
    fail('invalidparam', `data: the session's user state is full (${userStateNames} names, 1 MB)`, { field: 'data' });
    return false;
  };
  /** @type {any} */
  let startParams = null;
  /**
   * Groups a session may run in on this page: the primary (data-groupid) and the additional ones
   * (data-additionalgroupid, or the plural spelling). Every start and continuation is checked.
   */
  const allowedGroups = [config.groupid, ...String(config.additionalgroupid ?? config.additionalgroupids ?? '').split(',')]
    .map((g) => Number(String(g).trim()))
    .filter((g) => Number.isInteger(g) && g > 0);
  session.allowedGroups = allowedGroups;
  /**
   * Cross-domain sessions (links to the group's trusted domains carry the session): a part loaded
   * only when the session's group trusts other domains, the page arrived with a handoff, or the
   * page calls their API. Once in, it watches links and forms.
   * @type {import('./crossdomain/cross-domain.js').CrossDomain | null}
   */
  let crossDomainPart = null;
  /** @type {Promise<import('./crossdomain/cross-domain.js').CrossDomain> | null} */
  let crossDomainLoad = null;
  const crossDomain = () => {
    if (!crossDomainLoad) {
      const script = 'visitor/crossdomain/cross-domain.js';
      crossDomainLoad = internal.load('visitor/crossdomain/', 'cross-domain.js').then(
        ({ CrossDomain }) => {
          crossDomainPart = new CrossDomain({
            session,
            fire,
            hasListener: (type) => (internal.listeners[type] || []).length > 0,
            on: (type, fn) => (internal.listeners[type] = internal.listeners[type] || []).push(fn),
            custom: config.ui === 'custom',
          });
          crossDomainPart.watchLinks();
          return crossDomainPart;
        },
        (error) => {
          fire('error', { code: 'SCRIPT_NOT_LOADED', msg: `SCRIPT_NOT_LOADED:${script} (${error})`, params: { script } });
          throw error;
        },
      );
      crossDomainLoad.catch(() => {});
    }
    return crossDomainLoad;
  };
  // `handoff` answers go to the part (it asks only once it is in).
  session.onCrossDomain = (msg) => crossDomain().then((part) => msg && part.onHandoff(msg), () => {});

  // GLANCE_COBROWSE fields that break the documented limits are reported and not used.
  /** @type {Record<string, string>} */
  const visitorFields = {};
  for (const field of /** @type {const} */ (['name', 'email', 'phone', 'visitorid'])) {
    if (config[field] === undefined || config[field] === null || config[field] === '') continue;
    const problem = fieldProblem(field, config[field]);
    if (problem) fail('invalidparam', `GLANCE_COBROWSE.${field}: ${problem}`, { field });
    else visitorFields[field] = config[field];
  }

  Object.assign(V, {
    addSessionMessageHandler: (/** @type {string} */ n, /** @type {any} */ h) => V.addSessionMessageListener(n, h),
    /** @param {string | any} [arg] a session key, or options {groupid, sessionKey, name, email, phone} */
    startSession(arg) {
      if (session.active || session.starting) {
        console.warn('ERR_ALREADYINSSN: a session is already running');
        return;
      }
      const options = typeof arg === 'string' ? { sessionKey: arg } : arg || startParams || {};
      const groupid = Number(options.groupid ?? config.groupid);
      if (!Number.isInteger(groupid) || groupid <= 0) {
        return fail('invalidparam', 'groupid: must be a positive integer (data-groupid on the script tag)', { field: 'groupid' });
      }
      if (!allowedGroups.includes(groupid)) {
        return fail('groupnotallowed', `group ${groupid} is not allowed on this page`, { groupid });
      }
      let key = options.sessionKey ?? null;
      if (key === RANDOM_KEY) key = null;
      else if (key === null || key === '') key = visitorFields.visitorid ?? null;
      if (key !== null) {
        const problem = keyProblem(key);
        if (problem) return fail('invalidkey', problem, { field: 'sessionKey' });
      }
      /** @type {Record<string, string>} */
      const visitor = {};
      for (const field of /** @type {const} */ (['name', 'email', 'phone'])) {
        const value = options[field] ?? visitorFields[field];
        if (value === undefined || value === null) continue;
        const problem = fieldProblem(field, value);
        if (problem) return fail('invalidparam', `${field}: ${problem}`, { field });
        visitor[field] = value;
      }
      if (visitorFields.visitorid) visitor.visitorid = visitorFields.visitorid;
      // VideoParams: the session starts with the visitor's video ({video:'large'|'small'}; 'off' not).
      session.startVideo = options.video === 'large' || options.video === 'small' ? options : null;
      session.start({ groupid, key, visitor });
    },
    /** Pause or unpause the visitor's video (only once it has started). */
    toggleVideo() {
      session.call?.then((call) => call.own.toggleVideo() || console.warn('Tandem: toggleVideo needs the visitor video to have started'));
    },
    /** The visitor's video small ↔ large. */
    toggleVideoSize() {
      session.call?.then((call) => call.own.toggleVideoSize());
    },
    stopSession() {
      session.stop();
    },
    inSession: () => session.active,
    getKey: () => session.info?.k ?? null,
    isRandomKey: () => Boolean(session.active && session.info?.r),
    getCallId: () => (session.active ? session.info?.c ?? null : null),
    sessionGroupId: () => (session.active ? session.info?.g ?? null : null),
    /** @param {any} [options] */
    setStartParams(options) {
      startParams = options ?? null;
    },
    getStartParams: () => startParams,
    /** @param {boolean} enable */
    enableRC(enable) {
      if (needSession('enableRC') && session.remote) session.remote.setEnabled(Boolean(enable));
    },
    /** @param {string} msgName @param {(msgName: string, msg: any) => void} handler */
    addSessionMessageListener(msgName, handler) {
      const list = session.messageHandlers.get(msgName) || [];
      if (!list.includes(handler)) list.push(handler);
      session.messageHandlers.set(msgName, list);
    },
    /** @param {string} msgName @param {any} msg */
    sendSessionMessage(msgName, msg) {
      if (needSession('sendSessionMessage') && fits('msg', msg)) session.sendMessage(String(msgName), msg ?? null);
    },
    /** @param {string} name @param {any} data */
    setUserState(name, data) {
      if (needSession('setUserState') && fits('data', data) && roomFor(String(name), data)) session.setUserState(String(name), data ?? null);
    },
    /** @param {string} name */
    getUserState: (name) => (session.active && name in session.userState ? session.userState[name] : null),
    /** @param {string} name */
    getCookieValue: (name) => session.cookieValue(name),
    /** @param {string} name @param {string} value */
    setCookieValue(name, value) {
      if (!needSession('setCookieValue')) return;
      // The cookie must stay under the browser's 4 KB, or the next page would lose the session.
      const values = { ...(session.info?.u || {}), [String(name)]: String(value) };
      if (encodeURIComponent(JSON.stringify({ ...session.info, u: values })).length > 3800) {
        return fail('invalidparam', 'setCookieValue: the session cookie would be larger than 4 KB', { field: 'value' });
      }
      session.setCookieValue(String(name), String(value));
    },
    /** Deprecated (seed 002): the default UI's terms dialog. @param {any} [params] */
    showTerms(params) {
      const ui = w.GLANCE.Cobrowse.VisitorUI;
      if (ui && typeof ui.showTerms === 'function') ui.showTerms(params);
      else fail('invalidparam', 'showTerms: there is no terms dialog with data-ui="custom"', { field: 'showTerms' });
    },
    /** @param {string} eventName */
    /** @param {string} eventName @param {string} [identifier] the screenshareView of a `screenshare` state */
    getSessionState: (eventName, identifier) => {
      const key = identifier === undefined ? eventName : `${eventName}\u0000${identifier}`;
      return lastState.has(key) ? lastState.get(key) : null;
    },
    /** @param {{pause: boolean, message?: string}} params */
    pauseSession(params) {
      session.pause(Boolean(params && params.pause), params && typeof params.message === 'string' ? params.message : undefined);
    },
    isSessionPaused: () => session.paused,
    isPageMasked: () => session.pageMasked,
    /** @param {{canvas?: {gcids?: string[]}}} what canvases (by data-gcid) the page drew on */
    notifyChanged(what) {
      session.recorder?.notifyChanged(what);
    },
    /**
     * Shares a PDF, .xlsx or .csv (a File or Blob) with the session's agents. It is shared as soon
     * as the server has checked it (a custom UI asks the visitor itself); `{preview: true}` shows
     * it to the visitor first in the document viewer, with Share and Cancel. Refused:
     * `documentnotsent {name, reason, size}`.
     * @param {Blob} file @param {{preview?: boolean}} [options]
     */
    sendDocument(file, options) {
      // A File or Blob, from this window or another (a frame's is not `instanceof Blob` here).
      const blob = /** @type {any} */ (file);
      if (!blob || typeof blob !== 'object' || typeof blob.arrayBuffer !== 'function' || typeof blob.size !== 'number') {
        return fail('invalidparam', 'sendDocument: file must be a File or Blob', { field: 'file' });
      }
      const name = typeof blob.name === 'string' && blob.name ? blob.name : 'document';
      if (!session.active && !session.resumingFromCookie) {
        console.warn('Tandem: sendDocument needs a running session');
        fire('documentnotsent', { name, reason: 'nosession', size: file.size });
        return;
      }
      session.withDocuments((documents) => documents.sendDocument(file, { preview: Boolean(options && options.preview) }));
    },
    /** Whether sendDocument would reach the agents now: a session is running and connected. */
    canSendDocument: () => Boolean(session.active && !session.passive && session.connection?.isOpen),
    /** @param {string | {url: string}} params a PDF on this site, opened for everyone in the document viewer */
    viewPDF(params) {
      viewDocument('viewPDF', params);
    },
    /** @param {string | {url: string}} params an .xlsx or .csv on this site, opened for everyone in the document viewer */
    viewXLS(params) {
      viewDocument('viewXLS', params);
    },
    isMobile: () => /Mobi|Android|iPhone|iPad/i.test(navigator.userAgent),
    isMobileDevice: () => /Mobi|Android|iPhone|iPad/i.test(navigator.userAgent),
    /** @param {{url?: string, target?: string}} [options] */
    crossDomain: (options) => crossDomain().then((part) => part.crossDomain(options)),
    /** Deprecated: before a redirect to another trusted domain. @param {any} params */
    continueSessionAt(params) {
      crossDomain().then(
        (part) => part.continueSessionAt(params),
        // oncomplete is always called, so the redirect goes ahead.
        () => typeof params?.oncomplete === 'function' && params.oncomplete(),
      );
    },
    /** Nothing was handed over before the part is in. */
    isCrossDomainDone: () => Boolean(crossDomainPart?.done),
  });

  /**
   * viewPDF / viewXLS: in a session the site's document is read here (with the page's own
   * credentials) and opened for everyone; without one it opens in a new tab.
   * @param {string} method @param {any} params
   */
  function viewDocument(method, params) {
    const checked = documentUrl(params);
    if ('problem' in checked) return fail('invalidparam', `${method}: ${checked.problem}`, { field: 'url' });
    if (session.active || session.resumingFromCookie) {
      session.withDocuments((documents) => documents.viewUrl(checked.url));
      return;
    }
    const opened = window.open(checked.url, '_blank');
    if (opened) opened.opener = null;
    else console.warn(`Tandem: ${method}: the browser blocked the new tab for ${checked.url}`);
  }

  listenForInvocations({ server: internal.server, primaryGroup: Number(config.groupid), allowedGroups, fail, early: internal.early });
  installTriggers({ V, config, fail });
  watchAccessibility(fire);
  const C = w.GLANCE.Cobrowse;
  if (internal.uiQueue && C.VisitorUI) {
    const stub = C.VisitorUI;
    const ui = createVisitorUI({
      V,
      config,
      server: internal.server,
      crossDomain,
      on: (type, fn) => (internal.listeners[type] = internal.listeners[type] || []).push(fn),
    });
    Object.assign(stub, ui);
    for (const [method, args] of internal.uiQueue.splice(0)) stub[method](...Array.from(args));
    stub._resolve?.();
  }

  installPresence(internal);

  /** Then the calls made before the modules were in. @param {boolean} resumed */
  const replay = (resumed) => {
    if (!resumed) V.readyState = '';
    for (const [method, args] of internal.queue.splice(0)) {
      if (typeof V[method] === 'function') V[method](...Array.from(args));
    }
  };
  // A handoff in the address (or kept by continueSessionAt: its key in localStorage) wins over
  // this site's cookie; the cross-domain part reads it.
  let kept = false;
  try {
    kept = localStorage.getItem('tandem_handoff') !== null;
  } catch {
    /* no storage: nothing kept */
  }
  if (internal.arrival || kept) {
    crossDomain().then(
      (part) => replay(part.arrive(internal.arrival, allowedGroups) !== null || session.continueFromCookie()),
      () => replay(session.continueFromCookie()),
    );
  } else replay(session.continueFromCookie());
}
