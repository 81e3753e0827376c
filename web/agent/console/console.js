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
  for (const group of me.groups) {
    const option = document.createElement('option');
    option.value = String(group.id);
    option.textContent = `${group.id} ${group.name}`;
    $('presence-group').append(option);
  }
  refreshPresence();
  setInterval(refreshPresence, 2000);
});

/** Who is browsing the group's sites now (Presence), refreshed every two seconds. */
async function refreshPresence() {
  const group = $('presence-group').value;
  if (!group) return;
  const response = await fetch(`/api/v1/presence/visitors?groupid=${encodeURIComponent(group)}`, { credentials: 'same-origin' });
  if (!response.ok) return;
  /** @type {any[]} */
  const visitors = await response.json();
  const body = $('presence-list').querySelector('tbody');
  body.replaceChildren(
    ...visitors.map((v) => {
      const row = document.createElement('tr');
      row.dataset.visitorid = v.visitorid;
      const { url, title, browser, browserver, platform, ...custom } = v.data;
      const cells = [v.visitorid, title || url || '', Object.entries(custom).map(([k, x]) => `${k}: ${x}`).join(', ')];
      for (const text of cells) {
        const cell = document.createElement('td');
        cell.textContent = String(text);
        row.append(cell);
      }
      const actions = document.createElement('td');
      const signal = button('Signal', 'presence-signal', () => {
        const text = prompt(`Message to ${v.visitorid}`);
        if (text) presenceSignal(group, v.visitorid, { mtype: 'signal', data: { message: text } });
      });
      const offer = button('Offer session', 'presence-offer', () => offerSession(group, v.visitorid));
      actions.append(signal, offer);
      row.append(actions);
      return row;
    }),
  );
  $('presence-empty').hidden = visitors.length > 0;
}

/** @param {string} label @param {string} className @param {() => void} onclick */
function button(label, className, onclick) {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = className;
  b.textContent = label;
  b.addEventListener('click', onclick);
  return b;
}

/** @param {string} group @param {string} visitorid @param {any} body */
function presenceSignal(group, visitorid, body) {
  const query = `groupid=${encodeURIComponent(group)}&visitorid=${encodeURIComponent(visitorid)}`;
  return fetch(`/api/v1/presence/signal?${query}`, {
    method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  }).then((r) => {
    log('presence', { visitorid, mtype: body.mtype, status: r.status });
    return r.ok;
  });
}

/**
 * One click: the visitor is asked (the default UI's terms dialog) to share a session whose key is
 * the visitor id, in this group, and the viewer waits for it.
 * @param {string} group @param {string} visitorid
 */
async function offerSession(group, visitorid) {
  const ok = await presenceSignal(group, visitorid, {
    mtype: 'invoke', data: { func: 'GLANCE.Cobrowse.VisitorUI.showTerms', args: { sessionKey: visitorid, groupid: Number(group) } },
  });
  if (!ok) return;
  $('join-key').value = visitorid;
  $('join-wait').checked = true;
  $('join-form').requestSubmit();
}

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
