// @ts-check
import { Mirror } from '../common/mirror.js';
import { CloseCode, decodeFrame, FrameKind, isFinalClose, parseMessage, PROTOCOL_VERSION } from '../common/protocol.js';
import { applyDelta, applyScroll } from './render/apply.js';
import { applyFocus, applySelection } from './render/focus.js';
import { buildDocument } from './render/rebuild.js';
import { sanitizeHtml } from './render/sanitize.js';
import { setUpAssist } from './assist.js';

/**
 * The agent viewer (/agentjoin?SessionKey=KEY[&wait=1]): joins the session, rebuilds the
 * visitor's page in a sandboxed iframe, follows every change, scales it to fit and shows the
 * visitor's pointer. Agent events go to the embedding page (GLANCE.Cobrowse.Agent) by postMessage.
 */

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
let frame = /** @type {HTMLIFrameElement} */ ($('mirror'));
const screen = $('screen');
const pointer = $('pointer');
const mirror = new Mirror();

const query = new URLSearchParams(location.search);
/** Query parameters are case-insensitive synonyms (SessionKey / VisitorId, wait / Wait). */
const param = (/** @type {string[]} */ ...names) => {
  for (const [k, v] of query) if (names.includes(k.toLowerCase())) return v;
  return null;
};
const key = param('sessionkey', 'visitorid');
const wait = ['1', 'true'].includes((param('wait') || '').toLowerCase());

const parentOrigin = /** @type {any} */ (location).ancestorOrigins?.[0] || (document.referrer ? new URL(document.referrer).origin : location.origin);
/** Last payload of each event, for getSessionState(). */
const state = /** @type {Record<string, any>} */ ({});

/** @param {string} type @param {any} [data] */
function emit(type, data) {
  state[type] = data;
  if (window.parent !== window) window.parent.postMessage({ tandem: 'agent-event', type, data }, parentOrigin);
  document.dispatchEvent(new CustomEvent('tandem-agent-event', { detail: { type, data } }));
}

/** @param {string} text @param {string} [kind] */
function setStatus(text, kind = '') {
  const el = $('status');
  el.textContent = text;
  el.dataset.kind = kind;
}

/** @param {string} text */
function showNotice(text) {
  const el = $('notice');
  el.textContent = text;
  el.hidden = !text;
}

/** Covers the mirror: a masked page, or a paused session with the visitor's message. */
/** @param {'masked' | 'toolarge' | 'paused' | null} kind @param {string} [html] */
function showCover(kind, html) {
  const el = $('cover');
  el.hidden = !kind;
  el.dataset.kind = kind || '';
  el.replaceChildren();
  if (kind === 'masked') el.textContent = 'This page is masked: the visitor\'s page is not shown.';
  else if (kind === 'toolarge') el.textContent = 'This page is too large to show. The session goes on; the visitor\'s next page will show.';
  else if (kind === 'paused') el.append(html ? sanitizeHtml(html) : 'The visitor paused the session.');
}

let paused = false;

// ---- The mirrored page ----

// The mirror is the frame's initial empty document (no src, no srcdoc): the page is written
// into it, which lets it take the visitor's mode (an srcdoc document can never be in quirks mode).
const frameReady = Promise.resolve();
/**
 * The document the mirror is built in and the root element last put there. The frame never
 * navigates (it is inert, the overlay takes the pointer, the sandbox allows no script, form or
 * top navigation); should its document still be navigated away or rewritten, the viewer notices
 * (`mirrorLost`) and starts again from a fresh page instead of showing a dead copy.
 */
let mirrorDoc = /** @type {Document} */ (frame.contentDocument);
let mirrorRoot = mirrorDoc.documentElement;
/** Building writes the document anew (document.open), which fires the frame's `load`. */
let building = false;
let viewport = [1280, 800];
let loadId = '';
let pageUrl = '';
let pendingScroll = /** @type {[number, number]} */ ([0, 0]);
let elementScrolls = /** @type {[number, number, number][]} */ ([]);
/** @type {WebSocket | null} */
let socket = null;

function fit() {
  const stage = $('stage');
  const scale = Math.min(stage.clientWidth / viewport[0], stage.clientHeight / viewport[1], 1);
  frame.style.width = screen.style.width = `${viewport[0]}px`;
  frame.style.height = screen.style.height = `${viewport[1]}px`;
  screen.style.transform = `scale(${scale})`;
  screen.dataset.scale = String(scale);
}
window.addEventListener('resize', fit);

/** Scroll positions need layout (and loaded styles): apply now and again shortly after. */
function restoreScroll() {
  const win = /** @type {Window} */ (frame.contentWindow);
  const apply = () => {
    for (const [id, x, y] of elementScrolls) applyScroll(win, id, x, y, mirror);
    applyScroll(win, 0, pendingScroll[0], pendingScroll[1], mirror);
  };
  apply();
  requestAnimationFrame(apply);
  setTimeout(apply, 300);
}

/** Whether the frame no longer shows the document and root the viewer last built. */
function mirrorLost() {
  const doc = frame.contentDocument;
  return doc !== mirrorDoc || doc.documentElement !== mirrorRoot;
}

/** A fresh mirror frame in place of the lost one: only a new frame surely has an empty document
 * of the viewer's own origin at once (the lost one may show another origin or an error page). */
function replaceFrame() {
  const fresh = document.createElement('iframe');
  fresh.id = 'mirror';
  fresh.setAttribute('sandbox', 'allow-same-origin');
  fresh.setAttribute('scrolling', 'no');
  fresh.setAttribute('inert', '');
  fresh.title = frame.title;
  frame.replaceWith(fresh);
  frame = fresh;
  mirrorDoc = /** @type {Document} */ (fresh.contentDocument);
  mirrorRoot = mirrorDoc.documentElement;
  watchFrame(fresh);
  mirror.reset();
  fit();
}

/** The mirror was lost while following changes: a fresh frame, and a fresh page to fill it. */
function recoverMirror() {
  replaceFrame();
  screen.dataset.ready = '';
  requestPage();
}

/** @param {HTMLIFrameElement} el */
function watchFrame(el) {
  // Any load after the first build is a navigation or a rewrite by someone else.
  el.addEventListener('load', () => {
    if (el === frame && !building && mirrorLost()) recoverMirror();
  });
}
watchFrame(frame);

let lastResync = 0;
let resyncTimer = 0;
/**
 * Asks for a full page (the visitor sends one; no deltas come until it does), at most once a
 * second. A socket still connecting needs no asking: joining brings the current page.
 */
function requestPage() {
  if (resyncTimer || socket?.readyState !== WebSocket.OPEN) return;
  const wait = lastResync + 1000 - Date.now();
  if (wait > 0) {
    resyncTimer = window.setTimeout(() => {
      resyncTimer = 0;
      requestPage();
    }, wait);
    return;
  }
  lastResync = Date.now();
  socket.send(JSON.stringify({ t: 'resync' }));
}

// Focus never rests in the mirror, where the agent's keys would reach the visitor's links and
// fields: the frame is inert, but a modal dialog opened there still takes focus. It goes back to
// the viewer's page (not the overlay, whose focus ring would show over the mirror).
window.addEventListener('blur', () => {
  setTimeout(() => {
    if (document.activeElement === frame) frame.blur();
  });
});

/** @param {any} page */
async function renderPage(page) {
  await frameReady;
  // Any page answers a resync still waiting to be sent.
  clearTimeout(resyncTimer);
  resyncTimer = 0;
  if (mirrorLost()) replaceFrame();
  const doc = mirrorDoc;
  if (page.masked || page.toolarge) {
    // Nothing of a masked (or too large) page arrives: clear the old one, say why.
    mirror.reset();
    doc.body?.replaceChildren();
    doc.head?.replaceChildren();
    showCover(page.masked ? 'masked' : 'toolarge');
    screen.dataset.ready = '';
    if (page.load !== loadId) {
      loadId = page.load;
      pageUrl = '';
      emit('navigate', page.masked ? { masked: true } : { toolarge: true });
    }
    return;
  }
  // A late agent gets the frozen page after the pause notice: the server says when it ends.
  if (!paused) showCover(null);
  building = true;
  try {
    buildDocument(doc, page, mirror);
  } finally {
    building = false;
  }
  mirrorRoot = doc.documentElement;
  viewport = page.vp;
  fit();
  pendingScroll = page.sc;
  elementScrolls = [];
  collectElementScrolls(page.doc);
  restoreScroll();
  if (page.fc) applyFocus(doc, page.fc, mirror);
  if (page.sl) applySelection(doc, page.sl, mirror);
  document.title = `${page.title || page.url} — Tandem`;
  if (page.load !== loadId || page.url !== pageUrl) {
    loadId = page.load;
    pageUrl = page.url;
    emit('navigate', { url: page.url, title: page.title, browser: page.ua, viewport: page.vp });
  }
  emit('pagevisibility', page.vis === 'hidden' ? 'hidden' : 'visible');
  screen.dataset.ready = '1';
}

/** Element (and frame document) scroll offsets, through shadow roots and frames. @param {any} node */
function collectElementScrolls(node) {
  if (node.s) elementScrolls.push([node.i, node.s[0], node.s[1]]);
  for (const child of node.c || []) collectElementScrolls(child);
  if (node.sr) collectElementScrolls(node.sr);
  if (node.fd) collectElementScrolls(node.fd);
}

/** @param {any} delta */
function renderDelta(delta) {
  if (!screen.dataset.ready) return;
  if (mirrorLost()) return recoverMirror();
  const doc = mirrorDoc;
  const { missing } = applyDelta(doc, delta, mirror);
  // The page itself may replace its root element.
  mirrorRoot = doc.documentElement;
  if (missing > 0) requestPage();
  if (delta.vp) {
    viewport = delta.vp;
    fit();
  }
  for (const [id, x, y] of delta.sc || []) {
    if (id === 0) pendingScroll = [x, y];
    applyScroll(/** @type {Window} */ (frame.contentWindow), id, x, y, mirror);
  }
  if (delta.url) {
    pageUrl = delta.url[0];
    emit('navigate', { url: delta.url[0], title: delta.url[1] });
  }
}

/** @param {any} payload */
function renderPointer(payload) {
  if (!payload.pt) return;
  pointer.hidden = false;
  pointer.style.transform = `translate(${payload.pt[0]}px, ${payload.pt[1]}px)`;
}

// ---- The connection ----

let attempt = 0;
let droppedAt = 0;
let opened = false;
let lastEnded = /** @type {any} */ (null);
const GIVE_UP_MS = 60000;

function connect() {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/agent?key=${encodeURIComponent(/** @type {string} */ (key))}&v=${PROTOCOL_VERSION}${wait ? '&wait=1' : ''}`;
  const ws = new WebSocket(url);
  ws.binaryType = 'arraybuffer';
  socket = ws;
  ws.onopen = () => {
    opened = true;
    attempt = 0;
    droppedAt = 0;
  };
  ws.onmessage = (event) => {
    if (typeof event.data === 'string') return onControl(event.data);
    const frameData = decodeFrame(new Uint8Array(event.data));
    if (!frameData) return;
    if (frameData.kind === FrameKind.page) renderPage(frameData.payload);
    else if (frameData.kind === FrameKind.delta) renderDelta(frameData.payload);
    else renderPointer(frameData.payload);
  };
  ws.onclose = (event) => {
    if (socket !== ws) return;
    socket = null;
    if (event.code === CloseCode.superseded) {
      return finish({ reason: 'AgentRefresh', msg: 'This session was opened in another window.' });
    }
    if (isFinalClose(event.code)) return finish(lastEnded || { reason: 'ConnDrop', msg: event.reason || `closed (${event.code})` });
    if (!opened) {
      emit('connectfailed', { detail: 'could not reach the co-browse service' });
      setStatus('Cannot reach the server', 'error');
    }
    if (!droppedAt) droppedAt = Date.now();
    if (Date.now() - droppedAt > GIVE_UP_MS) return finish({ reason: 'ConnDrop', msg: 'The connection to the co-browse service dropped.' });
    setStatus('Reconnecting…', 'warn');
    setTimeout(connect, Math.min(250 * 2 ** attempt++, 4000));
  };
}

/** @param {string} text */
function onControl(text) {
  const parsed = parseMessage('server-to-agent', text);
  if (!parsed.ok) return;
  const msg = parsed.message;
  switch (msg.t) {
    case 'waiting':
      setStatus(`Waiting for session ${msg.key} to start…`, 'warn');
      break;
    case 'joined':
      // A guest only watches: none of the helping tools.
      if (msg.role === 'guest') {
        document.body.classList.add('guest');
        for (const id of ['rc-request', 'rc-stop', 'tool-draw', 'tool-highlight', 'nav-form', 'guest-form', 'end']) $(id).hidden = true;
      }
      Object.assign(userState, msg.userstate || {});
      if (msg.rc) setControl(msg.rc);
      $('session-info').textContent = `Session ${msg.key}${msg.visitor.name ? ` · ${msg.visitor.name}` : ''}`;
      setStatus(msg.visitorConnected ? 'Connected' : 'Visitor reconnecting…', msg.visitorConnected ? 'ok' : 'warn');
      showNotice('');
      showAgents(msg.agents);
      break;
    case 'agents':
      showAgents(msg);
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
        msg: msg.msg,
      });
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
    case 'guestinvite':
      if (msg.response === 'accepted') {
        const link = /** @type {HTMLInputElement} */ ($('guest-link'));
        link.value = msg.url;
        $('guest-panel').hidden = false;
        link.select();
        emit('addguestaccepted', { url: msg.url, expires: msg.expires });
      } else {
        showToast('The visitor declined the guest.');
        emit('addguestdeclined');
      }
      break;
  }
}

/** @type {Record<string, any>} */
const userState = {};

/** @param {{enabled: boolean, suspended: boolean}} state */
function setControl(state) {
  assist.setControl(state);
  emit('rc', { enabled: state.enabled, suspended: state.suspended });
}

/** @param {string} text */
function showToast(text) {
  const el = $('rc-status');
  el.textContent = text;
  setTimeout(() => el.textContent === text && (el.textContent = ''), 4000);
}

const assist = setUpAssist({
  send: (msg) => socket?.send(JSON.stringify(msg)),
  frame: () => frame,
  mirror,
  scale: () => Number(screen.dataset.scale || 1),
});

/** @param {boolean} value @param {string} [message] */
function setPaused(value, message) {
  paused = value;
  if (value) showCover('paused', message);
  else if ($('cover').dataset.kind === 'paused') showCover(null);
  emit('sessionpaused', message === undefined || !value ? { paused: value } : { paused: value, message });
}

/** @param {{count: number, agentlist: any[]}} list */
function showAgents(list) {
  const agents = { count: list.count, agentlist: list.agentlist };
  const guests = list.agentlist.filter((a) => a.role === 'guest').length;
  const staff = agents.count - guests;
  $('agents').textContent = `${staff} agent${staff === 1 ? '' : 's'}` + (guests ? `, ${guests} guest${guests === 1 ? '' : 's'}` : '');
  emit('agents', agents);
}

/** @param {{reason: string, msg?: string}} ended */
function finish(ended) {
  socket?.close();
  socket = null;
  setStatus('Session ended', 'ended');
  showNotice(`${ended.msg || 'The session ended.'} (${ended.reason})`);
  $('leave').hidden = $('end').hidden = true;
  emit('sessionend', ended);
}

/** @param {'leave' | 'end'} what */
function command(what) {
  socket?.send(JSON.stringify({ t: what }));
}

$('leave').addEventListener('click', () => command('leave'));
$('guest-form').addEventListener('submit', (/** @type {Event} */ e) => {
  e.preventDefault();
  const name = /** @type {HTMLInputElement} */ ($('guest-name')).value.trim();
  socket?.send(JSON.stringify(name ? { t: 'guestinvite', name } : { t: 'guestinvite' }));
});
$('end').addEventListener('click', () => command('end'));
window.addEventListener('message', (event) => {
  if (event.source !== window.parent || event.origin !== parentOrigin) return;
  const data = event.data;
  if (!data || data.tandem !== 'agent-command') return;
  if (data.cmd === 'leave' || data.cmd === 'end') command(data.cmd);
  else if (data.cmd === 'message' && typeof data.name === 'string') socket?.send(JSON.stringify({ t: 'message', name: data.name, data: data.data ?? null }));
  else if (data.cmd === 'rcrequest') socket?.send(JSON.stringify({ t: 'rcrequest' }));
  else if (data.cmd === 'addguest') socket?.send(JSON.stringify(typeof data.name === 'string' ? { t: 'guestinvite', name: data.name } : { t: 'guestinvite' }));
  else if (data.cmd === 'navigate' && typeof data.url === 'string') socket?.send(JSON.stringify({ t: 'navigate', url: data.url }));
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
  fit();
  connect();
}
