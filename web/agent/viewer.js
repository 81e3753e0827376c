// @ts-check
import { setAssetSession } from './render/assets.js';
import { AGENT_MESSAGES } from './agent-contract.js';
import { Connection } from '../common/connection.js';
import { CloseCode, decodeFrame, FrameKind, parseMessage, PROTOCOL_VERSION } from '../common/protocol.js';
import { setUpAssist } from './assist.js';
import { $, coverKind, setStatus, showAgents, showCover, showEnded, showGuestLink, showGuestMode, showNotice, showToast } from './viewer/chrome.js';
import { emit, onCommand, state } from './viewer/events.js';
import { Stage } from './viewer/stage.js';
import { AgentCall } from './media/call.js';
import { bindMediaControls, showMedia } from './media/controls.js';
import { AgentDocuments } from './documents/documents.js';
import { bindDocumentControls, showDocuments } from './documents/controls.js';

/**
 * The agent viewer (/agentjoin?SessionKey=KEY[&wait=1]): joins the session over the agent
 * socket, follows the visitor's page on the stage (viewer/stage.js), shows the session around
 * it (viewer/chrome.js) and tells the embedding page (viewer/events.js). This file wires them
 * and handles the server's control messages.
 */

const query = new URLSearchParams(location.search);
/** Query parameters are case-insensitive synonyms (SessionKey / VisitorId, wait / Wait). */
const param = (/** @type {string[]} */ ...names) => {
  for (const [k, v] of query) if (names.includes(k.toLowerCase())) return v;
  return null;
};
const key = param('sessionkey', 'visitorid');
const wait = ['1', 'true'].includes((param('wait') || '').toLowerCase());

/** How long the viewer keeps trying after its connection dropped. */
const GIVE_UP_MS = 60000;

/** @type {Connection | null} */
let connection = null;
/** The `ended` message that came before a final close: its reason is the session's. */
let lastEnded = /** @type {any} */ (null);
/** @type {Record<string, any>} */
const userState = {};

/** @param {any} msg @returns {boolean} */
const send = (msg) => Boolean(connection?.send(JSON.stringify(msg)));
const stage = new Stage({ send, canSend: () => Boolean(connection?.isOpen) });
const assist = setUpAssist({ send, frame: () => stage.frame, mirror: stage.mirror, scale: () => stage.scale });
const call = new AgentCall({
  send,
  emit,
  toast: showToast,
  onchange: () => showMedia(call),
  hasGuest: () => Boolean(state.agents?.agentlist?.some((/** @type {any} */ a) => a.role === 'guest')),
});
bindMediaControls(call);
const docs = new AgentDocuments({
  send,
  emit,
  toast: showToast,
  onchange: () => showDocuments(docs),
  host: () => $('doc-view'),
  // Whose pointer shows over the document.
  label: (by, num) => by === 'visitor' ? 'Visitor' : state.agents?.agentlist?.find((/** @type {any} */ a) => a.num === num)?.name || 'Agent',
});
bindDocumentControls(docs);

function connect() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const url = `${scheme}://${location.host}/ws/agent?key=${encodeURIComponent(/** @type {string} */ (key))}&v=${PROTOCOL_VERSION}${wait ? '&wait=1' : ''}`;
  connection = new Connection(url, {
    // The viewer keeps trying from the start: the server may be restarting.
    resuming: true,
    graceMs: GIVE_UP_MS,
    delayMs: (attempt) => Math.min(250 * 2 ** attempt, 4000),
    onopen: () => {},
    onmessage: (data) => {
      if (typeof data === 'string') return onControl(data);
      const frame = decodeFrame(new Uint8Array(data));
      if (!frame) return;
      if (frame.kind === FrameKind.page) stage.renderPage(frame.payload);
      else if (frame.kind === FrameKind.delta) stage.renderDelta(frame.payload);
      else stage.renderPointer(frame.payload);
    },
    onreconnecting: (opened) => {
      if (!opened) {
        emit('connectfailed', { detail: 'could not reach the co-browse service' });
        setStatus('Cannot reach the server', 'error');
      } else {
        setStatus('Reconnecting…', 'warn');
      }
    },
    onclose: (code, reason) => {
      if (code === CloseCode.superseded) return finish({ reason: 'AgentRefresh', msg: 'This session was opened in another window.' });
      finish(lastEnded || { reason: 'ConnDrop', msg: reason || `closed (${code})` });
    },
    ongiveup: () => finish({ reason: 'ConnDrop', msg: 'The connection to the co-browse service dropped.' }),
  });
  connection.open();
}

/** @param {string} text */
function onControl(text) {
  const parsed = parseMessage('server-to-agent', text, AGENT_MESSAGES);
  if (!parsed.ok) return;
  const msg = parsed.message;
  switch (msg.t) {
    case 'waiting':
      setStatus(`Waiting for session ${msg.key} to start…`, 'warn');
      break;
    case 'joined':
      setAssetSession(msg.callid, msg.key);
      if (msg.role === 'guest') showGuestMode();
      Object.assign(userState, msg.userstate || {});
      if (msg.rc) setControl(msg.rc);
      $('session-info').textContent = `Session ${msg.key}${msg.visitor.name ? ` · ${msg.visitor.name}` : ''}`;
      setStatus(msg.visitorConnected ? 'Connected' : 'Visitor reconnecting…', msg.visitorConnected ? 'ok' : 'warn');
      showNotice('');
      setAgents(msg.agents);
      call.onJoined(msg);
      docs.onJoined(msg);
      break;
    case 'agents':
      setAgents(msg);
      break;
    case 'visitor':
      setStatus(msg.connected ? 'Connected' : 'Visitor reconnecting…', msg.connected ? 'ok' : 'warn');
      break;
    case 'visibility':
      emit('pagevisibility', msg.state);
      $('status').dataset.visibility = msg.state;
      break;
    case 'paused':
      setPaused(msg.paused, msg.message);
      break;
    case 'ended':
      lastEnded = { reason: msg.reason, msg: msg.msg };
      break;
    case 'accessdenied':
      emit('accessdenied', {
        ...(msg.rcrequested ? { rcrequested: true } : {}),
        ...(msg.addguest ? { addguest: true } : {}),
        ...(msg.media ? { media: msg.media } : {}),
        msg: msg.msg,
      });
      if (msg.media) call.denied(msg.media);
      showToast(msg.msg);
      break;
    case 'rcrequest':
      emit('rcrequest', { response: msg.response });
      if (msg.response === 'declined') showToast('The visitor declined remote control.');
      break;
    case 'rc':
      setControl({ enabled: msg.enabled, suspended: msg.suspended });
      break;
    case 'message':
      emit('sessionmessage', { name: msg.name, data: msg.data });
      break;
    case 'userstate':
      userState[msg.name] = msg.data;
      emit('userstate', { name: msg.name, data: msg.data });
      break;
    case 'media':
      call.onMedia(msg);
      break;
    case 'rtc':
      call.onRtc(msg);
      break;
    case 'ice':
      call.onIce(msg);
      break;
    case 'doc':
      docs.onDoc(msg);
      break;
    case 'guestinvite':
      if (msg.response === 'accepted') {
        showGuestLink(msg.url);
        emit('addguestaccepted', { url: msg.url, expires: msg.expires });
      } else {
        showToast('The visitor declined the guest.');
        emit('addguestdeclined');
      }
      break;
  }
}

/** @param {{enabled: boolean, suspended: boolean}} rc */
function setControl(rc) {
  assist.setControl(rc);
  emit('rc', { enabled: rc.enabled, suspended: rc.suspended });
}

/** @param {{count: number, agentlist: any[]}} list */
function setAgents(list) {
  showAgents(list);
  emit('agents', { count: list.count, agentlist: list.agentlist });
}

/** @param {boolean} value @param {string} [message] */
function setPaused(value, message) {
  stage.paused = value;
  if (value) showCover('paused', message);
  else if (coverKind() === 'paused') showCover(null);
  emit('sessionpaused', message === undefined || !value ? { paused: value } : { paused: value, message });
}

/** @param {{reason: string, msg?: string}} ended */
function finish(ended) {
  call.close();
  docs.end();
  connection?.close();
  connection = null;
  showEnded(ended);
  emit('sessionend', ended);
}

/** @param {string | undefined} name */
const guestInvite = (name) => send(name ? { t: 'guestinvite', name } : { t: 'guestinvite' });

$('leave').addEventListener('click', () => send({ t: 'leave' }));
$('end').addEventListener('click', () => send({ t: 'end' }));
$('guest-form').addEventListener('submit', (/** @type {Event} */ e) => {
  e.preventDefault();
  guestInvite(/** @type {HTMLInputElement} */ ($('guest-name')).value.trim() || undefined);
});
onCommand((command) => {
  const { cmd, name, url } = command;
  if (cmd === 'leave' || cmd === 'end') send({ t: cmd });
  else if (cmd === 'message' && typeof name === 'string') send({ t: 'message', name, data: command.data ?? null });
  else if (cmd === 'rcrequest') send({ t: 'rcrequest' });
  else if (cmd === 'addguest') guestInvite(typeof name === 'string' ? name : undefined);
  else if (cmd === 'navigate' && typeof url === 'string') send({ t: 'navigate', url });
  else if (cmd === 'agentvideo') call[command.action === 'stop' ? 'stop' : 'start']('video');
  else if (cmd === 'screenshare') {
    if (command.action === 'stop') call.stop('screen');
    else call.start('screen', { reverse: command.reverse === true });
  }
  else if (cmd === 'visitormedia' && (command.kind === 'visitorvideo' || command.kind === 'visitorscreen')) {
    if (command.action === 'stop') call.stopVisitor(command.kind);
    else call.request(command.kind);
  } else if (cmd === 'pausemedia' && (command.kind === 'video' || command.kind === 'screen')) {
    // `paused` left out: toggle (toggleAgentVideo).
    call.setPaused(command.kind, typeof command.paused === 'boolean' ? command.paused : !call.local.get(command.kind)?.paused);
  } else if (cmd === 'docrequest') docs.requestDocument();
  else if (cmd === 'senddocument' && command.file instanceof Blob) docs.upload(command.file, { download: command.download === true, share: true });
  else if (cmd === 'closedocument') docs.close();
});
/** @type {any} */ (window).tandemViewerState = state;
/** @type {any} */ (window).tandemUserState = userState;

const ssoError = param('ssoerror');
if (ssoError) {
  setStatus('Sign-on failed', 'error');
  finish({ reason: 'SSOError', msg: `Single sign-on failed: ${ssoError}.` });
} else if (!key) {
  setStatus('No session key', 'error');
  finish({ reason: 'NoSession', msg: 'No session key was given.' });
} else {
  setStatus('Connecting…');
  stage.fit();
  connect();
}
