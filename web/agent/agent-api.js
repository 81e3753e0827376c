/*
 * GLANCE.Cobrowse.Agent for pages that embed the Tandem viewer (a CRM, the agent console):
 *   <iframe id="viewer" src="https://TANDEM/agentjoin?SessionKey=KEY&wait=1"></iframe>
 *   GLANCE.Cobrowse.Agent.init(document.getElementById('viewer'));
 *   GLANCE.Cobrowse.Agent.addEventListener('sessionend', function (e) { ... });
 * Events come from the viewer by postMessage and are accepted only from that iframe's origin.
 */
(function () {
  'use strict';
  var G = (window.GLANCE = window.GLANCE || {});
  G.Cobrowse = G.Cobrowse || {};
  var frame = null, origin = null, listeners = {}, state = {};

  function fire(type, data) {
    state[type] = data;
    (listeners[type] || []).slice().forEach(function (fn) {
      try { fn(data); } catch (e) { console.error(e); }
    });
  }

  window.addEventListener('message', function (event) {
    if (!frame || event.source !== frame.contentWindow || event.origin !== origin) return;
    var d = event.data;
    if (d && d.tandem === 'agent-event' && typeof d.type === 'string') fire(d.type, d.data);
  });

  function command(cmd) {
    if (frame && frame.contentWindow) frame.contentWindow.postMessage({ tandem: 'agent-command', cmd: cmd }, origin);
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
    getSessionState: function (type) { return type in state ? state[type] : null; },
    /** Leave the session (it ends when the last agent leaves). */
    leaveSession: function () { command('leave'); },
    /** End the session for everyone. */
    endSession: function () { command('end'); }
  };
})();
