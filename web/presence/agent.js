/*
 * GLANCE.Presence.Agent (seed 003): an agent's page watches one visitor's presence, signals the
 * visitor and invokes GLANCE functions in the visitor's page.
 *   <script src="https://TANDEM/cobrowse/CobrowseJS.ashx?groupid=1&script=PresenceAgent"></script>
 *   GLANCE.Presence.Agent.setAuthorizationToken(token);   // from POST /api/v1/authorize
 *   var agent = new GLANCE.Presence.Agent({visitorid: 'user-42'});
 *   agent.onpresence = function (data) { ... };  agent.connect();
 * The group comes from params.groupid, <meta id="glance-cobrowse" data-groupid>, or the script's
 * ?groupid=. On Tandem's own pages the console's sign-in is used when no token is set.
 */
(function () {
  'use strict';
  var w = window, d = document;
  var G = (w.GLANCE = w.GLANCE || {});
  var P = (G.Presence = G.Presence || {});
  var script = d.currentScript;
  var scriptUrl = new URL((script && script.src) || location.href, location.href);
  var defaultServer = scriptUrl.origin;
  var token = null;

  function defaultGroup() {
    var meta = d.getElementById('glance-cobrowse');
    var fromMeta = meta && meta.getAttribute('data-groupid');
    return Number(fromMeta || scriptUrl.searchParams.get('groupid') || scriptUrl.searchParams.get('group') || (w.GLANCE_COBROWSE || {}).groupid);
  }

  function serverBase(value) {
    if (!value) return defaultServer;
    return /^https?:\/\//.test(value) ? value.replace(/\/$/, '') : 'https://' + value.replace(/\/$/, '');
  }

  function Agent(params) {
    params = params || {};
    if (!params.visitorid && !params.uniqueid) throw new Error('GLANCE.Presence.Agent: visitorid or uniqueid is required');
    this.visitorid = params.visitorid || 'UNQ-' + params.uniqueid;
    this.groupid = Number(params.groupid || defaultGroup());
    this.server = serverBase(params.presenceserver);
    this.token = params.token || null;
    this.socket = null;
  }

  Agent.setAuthorizationToken = function (value) { token = value || null; };

  Agent.prototype._query = function () {
    return '?groupid=' + encodeURIComponent(this.groupid) + '&visitorid=' + encodeURIComponent(this.visitorid);
  };

  Agent.prototype._fire = function (name, data) {
    var handler = this['on' + name];
    if (typeof handler === 'function') {
      try { handler.call(this, data); } catch (e) { if (w.console) console.error(e); }
    }
  };

  /** HTTP to the presence service; onfail gets 'authorization', 'connection' or 'visitornotpresent'. */
  Agent.prototype._request = function (method, path, body, onsuccess, onfail) {
    var headers = {};
    var auth = this.token || token;
    if (auth) headers.Authorization = 'Bearer ' + auth;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    var sameOrigin = this.server === location.origin;
    fetch(this.server + path + this._query(), {
      method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: sameOrigin ? 'same-origin' : 'omit', mode: 'cors'
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        if (response.ok) { if (onsuccess) onsuccess(json); return; }
        var reason = json && json.error && json.error.reason;
        var code = response.status === 401 || response.status === 403 ? 'authorization'
          : reason === 'visitornotpresent' ? 'visitornotpresent'
          : response.status === 503 ? 'serviceunavailable' : 'connection';
        if (w.console && json && json.error) console.warn('Tandem presence: ' + json.error.message);
        if (onfail) onfail(code);
      });
    }, function () { if (onfail) onfail('connection'); });
  };

  Agent.prototype.lookupVisitor = function (p) {
    p = p || {};
    this._request('GET', '/api/v1/presence/visitor', undefined, p.onsuccess, p.onfail);
  };

  Agent.prototype.signalVisitor = function (p) {
    p = p || {};
    this._request('POST', '/api/v1/presence/signal', { mtype: 'signal', data: p.data === undefined ? null : p.data },
      p.onsuccess && function () { p.onsuccess(); }, p.onfail);
  };

  Agent.prototype.invokeVisitor = function (p) {
    p = p || {};
    var func = String(p.func || '');
    if (func.indexOf('GLANCE.') !== 0) {
      if (w.console) console.warn('Tandem presence: only functions in the GLANCE namespace may be invoked');
      if (p.onfail) setTimeout(function () { p.onfail('error'); }, 0);
      return;
    }
    this._request('POST', '/api/v1/presence/signal', { mtype: 'invoke', data: { func: func, args: p.args === undefined ? null : p.args } },
      p.onsuccess && function () { p.onsuccess(); }, p.onfail);
  };

  /** Not implemented by Glance either ("not implemented yet"). */
  Agent.prototype.query = function () {
    if (w.console) console.warn('GLANCE.Presence.Agent.query is not implemented');
  };

  /** Events arrive as on<name> properties: presence, visitorconn, visitorsock (and visitorsocket), terms, ... */
  Agent.prototype.connect = function () {
    var self = this;
    if (this.socket) return;
    var url = this.server.replace(/^http/, 'ws') + '/ws/presence/agent' + this._query();
    var auth = this.token || token;
    if (auth) url += '&token=' + encodeURIComponent(auth);
    var ws = new WebSocket(url);
    this.socket = ws;
    ws.onmessage = function (event) {
      var msg;
      try { msg = JSON.parse(event.data); } catch (e) { return; }
      if (!msg || msg.t !== 'event') return;
      self._fire(msg.name, msg.data);
      if (msg.name === 'visitorsock') self._fire('visitorsocket', msg.data);
    };
    ws.onclose = function (event) {
      if (self.socket !== ws) return;
      self.socket = null;
      if (event.code === 1000) return;
      var detail = event.code === 4401 || event.code === 4403 ? 'authorization' : event.code === 1006 || event.code === 1001 ? 'connection' : 'error';
      self._fire('error', { error: 'connfail', detail: detail });
    };
  };

  Agent.prototype.disconnect = function () {
    if (!this.socket) return;
    var ws = this.socket;
    this.socket = null;
    ws.close(1000, 'disconnect');
  };

  P.Agent = Agent;
})();
