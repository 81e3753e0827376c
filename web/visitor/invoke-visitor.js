/*
 * GLANCE.Cobrowse.InvokeVisitor, for the chat window next to the visitor's page:
 *   GLANCE.Cobrowse.InvokeVisitor.init(window.parent, 2, 'https://www.example.com');
 *   GLANCE.Cobrowse.InvokeVisitor.invoke('startSession', {sessionKey: '1234'});
 * sends {glance_invoke: {func, args, groupid}} to that window, where the Tandem visitor script
 * runs it if this window's origin is one of the group's trusted invoke origins.
 */
(function () {
  'use strict';
  var G = (window.GLANCE = window.GLANCE || {});
  var C = (G.Cobrowse = G.Cobrowse || {});
  var target = null, group = null, targetOrigin = null;
  C.InvokeVisitor = {
    init: function (wnd, groupid, origin) {
      target = wnd;
      group = groupid === undefined || groupid === null ? null : Number(groupid);
      targetOrigin = origin;
    },
    invoke: function (func, args) {
      if (!target || !targetOrigin) throw new Error('GLANCE.Cobrowse.InvokeVisitor.init(window, groupid, origin) first');
      var request = { func: String(func), args: args === undefined ? null : args };
      if (group !== null) request.groupid = group;
      target.postMessage({ glance_invoke: request }, targetOrigin);
    }
  };
})();
