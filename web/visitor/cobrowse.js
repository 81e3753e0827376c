/*
 * Tandem loader: the one script tag a website adds.
 *   <script id="glance-cobrowse" src="https://TANDEM/cobrowse.js" data-groupid="1"></script>
 * Defines GLANCE.Cobrowse.Visitor at once (pages may add listeners before the rest loads),
 * merges data-* attributes into window.GLANCE_COBROWSE, then loads the visitor modules.
 * Calls made before they load are queued and replayed. A module that fails to load fires
 * error {code:"SCRIPT_NOT_LOADED", params:{script}}.
 */
(function () {
  'use strict';
  var w = window, d = document;
  var G = (w.GLANCE = w.GLANCE || {});
  var C = (G.Cobrowse = G.Cobrowse || {});
  if (C.Loader) {
    if (w.console) console.warn('ERR_DUP_SCRIPTS: the Tandem script tag is included twice');
    return;
  }
  var tag = d.currentScript || d.getElementById('glance-cobrowse') || d.getElementById('cobrowsescript');
  var cfg = (w.GLANCE_COBROWSE = w.GLANCE_COBROWSE || {});
  var attrs = tag ? tag.attributes : [];
  for (var i = 0; i < attrs.length; i++) {
    var name = attrs[i].name;
    // Values the page set in GLANCE_COBROWSE win over the tag's.
    if (name.indexOf('data-') === 0 && cfg[name.slice(5)] === undefined) cfg[name.slice(5)] = attrs[i].value;
  }
  // A cross-domain session's handoff in the address (crossdomain/cross-domain.js): taken out of the
  // address bar at once (the page's own fragment or query put back exactly), used by the modules.
  var arrival = null;
  try {
    var href = location.href, hashAt = href.indexOf('#');
    var fragment = hashAt < 0 ? '' : href.slice(hashAt + 1);
    var xd = /^tandem(-store)?=([^!]*)(!([\s\S]*))?$/.exec(fragment);
    if (xd) {
      arrival = { via: xd[1] ? 'store' : 'fragment', value: xd[2] };
      history.replaceState(history.state, '', href.slice(0, hashAt) + (xd[3] ? '#' + xd[4] : ''));
    } else if (/[?&]glance_handoff=/.test(location.search)) {
      var kept = [], value = null, iews = false;
      location.search.slice(1).split('&').forEach(function (part) {
        if (part.indexOf('glance_handoff=') === 0) value = decodeURIComponent(part.slice(15));
        else if (part.indexOf('glance_iews=') === 0) iews = part.slice(12) === '1';
        else kept.push(part);
      });
      arrival = { via: 'query', value: value, iews: iews };
      history.replaceState(history.state, '', location.pathname + (kept.length ? '?' + kept.join('&') : '') + location.hash);
    }
  } catch (e) { /* an address the page cannot rewrite: nothing arrived */ }

  var src = new URL((tag && tag.src) || '/cobrowse.js', location.href);
  if (!cfg.groupid) cfg.groupid = src.searchParams.get('groupid') || src.searchParams.get('group');
  var server = src.origin;
  var moduleBase = new URL(cfg.scriptserver || server + '/web/', location.href).href;

  var listeners = {};
  var queue = [];
  var V = (C.Visitor = {
    READYSTATE: {
      sessionend: 'sessionend', sessionstarting: 'sessionstarting', sessionstart: 'sessionstart',
      sessioncontinue: 'sessioncontinue', statereceived: 'statereceived'
    },
    readyState: '',
    addEventListener: function (type, fn) {
      (listeners[type] = listeners[type] || []).indexOf(fn) < 0 && listeners[type].push(fn);
    },
    removeEventListener: function (type, fn) {
      var list = listeners[type] || [];
      var at = list.indexOf(fn);
      if (at >= 0) list.splice(at, 1);
    },
    inSession: function () { return false; },
    getKey: function () { return null; },
    isRandomKey: function () { return false; },
    getCallId: function () { return null; },
    sessionGroupId: function () { return null; },
    canSendDocument: function () { return false; },
    isCrossDomainDone: function () { return false; },
    // Answered once the modules are in (they replace these).
    crossDomain: function () { var a = arguments; return installed.then(function () { return V.crossDomain.apply(V, a); }); }
  });
  var installedReady, installedFailed;
  var installed = new Promise(function (resolve, reject) { installedReady = resolve; installedFailed = reject; });
  installed.catch(function () {});
  // Methods that act: queued until the modules are in.
  ['startSession', 'stopSession', 'setStartParams', 'showTerms', 'pauseSession', 'notifyChanged', 'sendDocument', 'viewPDF', 'viewXLS', 'continueSessionAt'].forEach(function (m) {
    V[m] = function () { queue.push([m, arguments]); };
  });

  function fire(type, data) {
    (listeners[type] || []).slice().forEach(function (fn) {
      try { fn(data); } catch (e) { if (w.console) console.error(e); }
    });
  }

  // The default UI (not with data-ui="custom"): calls wait for the modules like the visitor's.
  var uiQueue = null;
  if (cfg.ui !== 'custom') {
    uiQueue = [];
    var uiReady;
    var uiPromise = new Promise(function (resolve) { uiReady = resolve; });
    C.VisitorUI = { loaded: false, ready: function () { return uiPromise; }, _resolve: uiReady };
    ['showButton', 'toggleButton', 'setStyle', 'showTerms'].forEach(function (m) {
      C.VisitorUI[m] = function () { uiQueue.push([m, arguments]); };
    });
    C.VisitorUI.promptCrossDomain = function () {
      var a = arguments;
      return installed.then(function () { return C.VisitorUI.promptCrossDomain.apply(C.VisitorUI, a); });
    };
  }

  // GLANCE.Presence.Visitor: objects made before the modules arrive are upgraded then.
  var presenceStubs = [];
  var Pr = (G.Presence = G.Presence || {});
  if (!Pr.Visitor) {
    Pr.Visitor = function (params) {
      this._params = params || {};
      this._calls = [];
      presenceStubs.push(this);
      Pr.Visitor.instance = this;
    };
    ['connect', 'connectUnique', 'disconnect', 'presence', 'setVisitorId', 'extendUnique'].forEach(function (m) {
      Pr.Visitor.prototype[m] = function () { this._calls.push([m, arguments]); };
    });
  }

  // A part of the visitor script: one file (the server bundles its modules), or the modules themselves.
  function load(dir, entry) {
    return import(moduleBase + dir + 'bundle.js').catch(function () { return import(moduleBase + dir + entry); });
  }
  // glance_invoke messages (a chat frame invoking at load) kept until the modules check them: at most 20.
  var early = { events: [], stop: function () { w.removeEventListener('message', keep); } };
  function keep(e) {
    if (e.data && typeof e.data === 'object' && e.data.glance_invoke && early.events.length < 20) early.events.push(e);
  }
  w.addEventListener('message', keep);
  var internal = {
    listeners: listeners, queue: queue, uiQueue: uiQueue, presenceStubs: presenceStubs, fire: fire, config: cfg, server: server,
    moduleBase: moduleBase, load: load, arrival: arrival, early: early
  };
  C.Loader = { groupid: cfg.groupid, setUIReady: function () {}, _internal: internal };

  var main = moduleBase + 'visitor/main.js';
  load('visitor/', 'main.js').then(function (m) { m.install(internal); installedReady(); }, function (err) {
    installedFailed(new Error('SCRIPT_NOT_LOADED:' + main));
    if (w.console) console.error('Tandem: could not load ' + main, err);
    fire('error', { code: 'SCRIPT_NOT_LOADED', msg: 'SCRIPT_NOT_LOADED:' + main, params: { script: main } });
  });
})();
