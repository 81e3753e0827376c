// @ts-check
/**
 * The agent console: who is signed in, a form to join a session by key, and the viewer in an
 * iframe driven through the same GLANCE.Cobrowse.Agent API a CRM page would use.
 */
const $ = (/** @type {string} */ id) => /** @type {any} */ (document.getElementById(id));
const Agent = /** @type {any} */ (window).GLANCE.Cobrowse.Agent;

fetch('/api/v1/me', { credentials: 'same-origin' }).then(async (response) => {
  if (response.status === 401) {
    location.href = '/agent/login?next=/agent/';
    return;
  }
  const me = await response.json();
  $('me').textContent = `${me.name} (${me.username})`;
});

/** @param {string} type @param {any} data */
function log(type, data) {
  const item = document.createElement('li');
  item.dataset.event = type;
  item.textContent = `${new Date().toLocaleTimeString()} ${type} ${data === undefined ? '' : JSON.stringify(data)}`;
  $('console-log').prepend(item);
}

for (const type of ['agents', 'connectfailed', 'navigate', 'pagevisibility', 'sessionend', 'sessionpaused', 'rc', 'rcrequest', 'accessdenied', 'userstate']) {
  Agent.addEventListener(type, (/** @type {any} */ data) => {
    log(type, data);
    if (type === 'agents') $('console-agents').textContent = data.agentlist.map((/** @type {any} */ a) => `#${a.num} ${a.name || a.username}`).join(', ');
    if (type === 'navigate') $('console-status').textContent = `Visitor is on ${data.url}`;
    if (type === 'sessionend') $('console-status').textContent = `Session ended: ${data.reason}`;
  });
}

$('join-form').addEventListener('submit', (/** @type {Event} */ event) => {
  event.preventDefault();
  const key = $('join-key').value.trim();
  if (!key) return;
  const viewer = $('viewer');
  viewer.src = `/agentjoin?SessionKey=${encodeURIComponent(key)}${$('join-wait').checked ? '&wait=1' : ''}`;
  Agent.init(viewer);
  $('console-status').textContent = `Joining ${key}…`;
});
