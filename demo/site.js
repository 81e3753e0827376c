/*
 * Tandem demo site: the co-browse widget shown on every demo page.
 * Adds a fixed bottom-right box that starts/stops a co-browse session via
 * GLANCE.Cobrowse.Visitor (provided by /cobrowse.js; the pages say data-ui="custom", so this
 * widget replaces the default UI) and shows the session key,
 * agent count, connection state, errors and why a session ended.
 */
(function () {
  'use strict';

  function visitor() {
    return window.GLANCE && GLANCE.Cobrowse && GLANCE.Cobrowse.Visitor;
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var k in attrs) node.setAttribute(k, attrs[k]);
    if (text) node.textContent = text;
    return node;
  }

  // Build the widget.
  var box = el('div', { id: 'demo-widget', 'aria-live': 'polite' });

  var startPanel = el('div', { id: 'demo-start-panel' });
  var row = el('div', { class: 'row' });
  var keyInput = el('input', { type: 'text', id: 'demo-key', placeholder: 'key (optional)', autocomplete: 'off' });
  var startBtn = el('button', { type: 'button', id: 'demo-start' }, 'Start session');
  row.appendChild(keyInput);
  row.appendChild(startBtn);
  startPanel.appendChild(row);

  var sessionPanel = el('div', { id: 'demo-session-panel', hidden: '' });
  sessionPanel.appendChild(el('div', { class: 'label' }, 'Your session key'));
  var keyOut = el('div', { id: 'demo-session-key' });
  sessionPanel.appendChild(keyOut);
  var status = el('div', { class: 'status' });
  var agentsOut = el('span', { id: 'demo-agents' }, 'Agents: 0');
  var connOut = el('span', { id: 'demo-connection' }, 'connecting…');
  status.appendChild(agentsOut);
  status.appendChild(connOut);
  sessionPanel.appendChild(status);
  var stopBtn = el('button', { type: 'button', id: 'demo-stop', class: 'secondary' }, 'Stop session');
  sessionPanel.appendChild(stopBtn);

  var errorOut = el('div', { id: 'demo-error' });
  var messageOut = el('div', { id: 'demo-message' });

  box.appendChild(startPanel);
  box.appendChild(sessionPanel);
  box.appendChild(messageOut);
  box.appendChild(errorOut);
  document.body.appendChild(box);

  // State switching.
  function showConnection(text, kind) {
    connOut.textContent = text;
    connOut.className = kind;
  }

  // sessionstart / sessioncontinue come once the session is up on the server: connected (the
  // `connection` event only reports a reconnect and its end).
  function showSession() {
    var v = visitor();
    showConnection('connected', 'ok');
    keyOut.textContent = (v && v.getKey && v.getKey()) || '';
    messageOut.textContent = '';
    errorOut.textContent = '';
    startPanel.hidden = true;
    sessionPanel.hidden = false;
  }

  function showStart(message) {
    sessionPanel.hidden = true;
    startPanel.hidden = false;
    keyOut.textContent = '';
    agentsOut.textContent = 'Agents: 0';
    showConnection('connecting…', '');
    messageOut.textContent = message || '';
  }

  // Buttons.
  startBtn.addEventListener('click', function () {
    var v = visitor();
    if (!v) { errorOut.textContent = 'Co-browse script not loaded.'; return; }
    errorOut.textContent = '';
    var key = keyInput.value.trim();
    if (key) v.startSession(key); else v.startSession();
  });
  keyInput.addEventListener('keydown', function (e) {
    if (e.key === 'Enter') startBtn.click();
  });
  stopBtn.addEventListener('click', function () {
    var v = visitor();
    if (v) v.stopSession();
  });

  // Co-browse events: attach right away.
  var v = visitor();
  if (!v) {
    errorOut.textContent = 'Co-browse script not loaded.';
    return;
  }
  v.addEventListener('sessionstart', showSession);
  v.addEventListener('sessioncontinue', showSession);
  v.addEventListener('agents', function (e) {
    var n = (e && e.count) || 0;
    agentsOut.textContent = 'Agents: ' + n;
  });
  v.addEventListener('connection', function (e) {
    var s = (e && e.status) || '';
    showConnection(s === 'ok' ? 'connected' : s === 'reconnecting' ? 'reconnecting…' : s, s);
  });
  v.addEventListener('error', function (e) {
    errorOut.textContent = 'Error' + (e && e.code ? ' ' + e.code : '') + (e && e.msg ? ': ' + e.msg : '');
  });
  v.addEventListener('sessionend', function (e) {
    showStart('Session ended (' + ((e && e.reason) || 'unknown') + ')');
  });

  if (v.inSession && v.inSession()) showSession();
})();
