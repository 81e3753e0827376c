/*
 * GLANCE.Cobrowse.Agent for pages that embed the Tandem viewer (a CRM, the agent console):
 *   <iframe id="viewer" src="https://TANDEM/agentjoin?SessionKey=KEY&wait=1"></iframe>
 *   GLANCE.Cobrowse.Agent.init(document.getElementById('viewer'));
 *   GLANCE.Cobrowse.Agent.addEventListener('sessionend', function (e) { ... });
 * Events come from the viewer by postMessage and are accepted only from that iframe's origin.
 * For live media the iframe needs allow="camera; microphone; display-capture; autoplay".
 */
(function () {
  'use strict';
  var G = (window.GLANCE = window.GLANCE || {});
  G.Cobrowse = G.Cobrowse || {};
  var frame = null, origin = null, listeners = {}, state = {}, messageListeners = {};

  function fire(type, data) {
    state[type] = data;
    if (data && typeof data.screenshareView === 'string') state[type + '\u0000' + data.screenshareView] = data;
    (listeners[type] || []).slice().forEach(function (fn) {
      try { fn(data); } catch (e) { console.error(e); }
    });
  }

  window.addEventListener('message', function (event) {
    if (!frame || event.source !== frame.contentWindow || event.origin !== origin) return;
    var d = event.data;
    if (!d || d.tandem !== 'agent-event' || typeof d.type !== 'string') return;
    if (d.type === 'sessionmessage' && d.data) {
      (messageListeners[d.data.name] || []).slice().forEach(function (fn) {
        try { fn(d.data.name, d.data.data); } catch (e) { console.error(e); }
      });
      return;
    }
    if (d.type === 'userstate' && d.data) state['userstate:' + d.data.name] = d.data.data;
    fire(d.type, d.type === 'userstate' && d.data ? d.data.data : d.data);
  });

  function command(cmd, extra) {
    var msg = { tandem: 'agent-command', cmd: cmd };
    for (var k in extra || {}) msg[k] = extra[k];
    if (frame && frame.contentWindow) frame.contentWindow.postMessage(msg, origin);
  }

  G.Cobrowse.Agent = {
    /** @param {HTMLIFrameElement} viewerFrame the iframe showing /agentjoin */
    init: function (viewerFrame) {
      frame = viewerFrame;
      origin = new URL(viewerFrame.src || location.href, location.href).origin;
      state = {};
    },
    addEventListener: function (type, fn) {
      (listeners[type] = listeners[type] || []).indexOf(fn) < 0 && listeners[type].push(fn);
    },
    removeEventListener: function (type, fn) {
      var list = listeners[type] || [], at = list.indexOf(fn);
      if (at >= 0) list.splice(at, 1);
    },
    /** Last payload of an event, or null. */
    getSessionState: function (type, identifier) {
      var key = identifier === undefined ? type : type + '\u0000' + identifier;
      return key in state ? state[key] : null;
    },
    /** Leave the session (it ends when the last agent leaves). */
    leaveSession: function () { command('leave'); },
    /** End the session for everyone. */
    endSession: function () { command('end'); },
    /** Ask the visitor for remote control. */
    requestRC: function () { command('rcrequest'); },
    /** Ask the visitor to admit a guest; `addguestaccepted {url}` brings the one-time link. */
    addGuest: function (name) { command('addguest', name === undefined ? {} : { name: String(name) }); },
    /** Send the visitor to a URL of the site (remote control must be on). */
    navigate: function (url) { command('navigate', { url: String(url) }); },
    /** A message to the visitor's addSessionMessageListener(msgName) handlers. */
    sendSessionMessage: function (msgName, msg) { command('message', { name: String(msgName), data: msg === undefined ? null : msg }); },
    addSessionMessageListener: function (msgName, handler) {
      (messageListeners[msgName] = messageListeners[msgName] || []).push(handler);
    },
    /** Show the visitor this agent's camera and microphone (the visitor is asked first). */
    agentVideoStart: function () { command('agentvideo', { action: 'start' }); },
    agentVideoEnd: function () { command('agentvideo', { action: 'stop' }); },
    /** Pause or resume the agent's video. */
    toggleAgentVideo: function () { command('pausemedia', { kind: 'video' }); },
    /** Share this agent's screen (the browser asks which; it needs a click in the viewer in most browsers). */
    addScreenshare: function () { command('screenshare', { action: 'start' }); },
    closeScreenshare: function () { command('screenshare', { action: 'stop' }); },
    /** Ask for the visitor's video (on) or end it (off); `visitorvideorequest {response}` answers. */
    requestVisitorVideo: function (on) { command('visitormedia', { kind: 'visitorvideo', action: on === false ? 'stop' : 'request' }); },
    /** Ask to see the visitor's screen; `visitorscreensharestarted` or `screensharedeclined` answers. */
    requestScreenshare: function () { command('visitormedia', { kind: 'visitorscreen', action: 'request' }); },
    stopVisitorsScreenshare: function () { command('visitormedia', { kind: 'visitorscreen', action: 'stop' }); },
    /** Invite the visitor to a reverse session: to view this agent's screen (reverseconfirm on the visitor's side). */
    startReverseSession: function () { command('screenshare', { action: 'start', reverse: true }); },
    endReverseSession: function () { command('screenshare', { action: 'stop' }); },
    pauseScreenshare: function () { command('pausemedia', { kind: 'screen', paused: true }); },
    resumeScreenshare: function () { command('pausemedia', { kind: 'screen', paused: false }); },
    /** Ask the visitor to share a document; `docsharestatus {status}` answers (accepted, declined, started). */
    requestDocShare: function () { command('docrequest'); },
    /**
     * Share a File or Blob (PDF, .xlsx, .csv) with the visitor at once, without the viewer's
     * preview; `options.download`: the visitor may save it. `documentShared` follows, or `error`
     * {code:'documentnotsent', msg, params:{reason, name}} / `accessdenied {docshare:true}`.
     */
    sendDocument: function (file, options) { command('senddocument', { file: file, download: Boolean(options && options.download) }); },
    /** Close the shared document (or this agent's preview of one) for everyone. */
    closeDocument: function () { command('closedocument'); },
    /** The last value the visitor stored with setUserState(name), or null. */
    getUserState: function (name) { return 'userstate:' + name in state ? state['userstate:' + name] : null; }
  };
})();
