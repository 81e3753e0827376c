// @ts-check
import { sanitizeHtml } from '../render/sanitize.js';

/**
 * The viewer's own page around the mirror: status, session line, agents, notices, the cover
 * over the mirror (masked, too large, paused) and short messages.
 */

export const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @param {string} text @param {string} [kind] */
export function setStatus(text, kind = '') {
  const el = $('status');
  el.textContent = text;
  el.dataset.kind = kind;
}

/** @param {string} text */
export function showNotice(text) {
  const el = $('notice');
  el.textContent = text;
  el.hidden = !text;
}

/**
 * Covers the mirror: a masked page, a page too large to show, a page the visitor's script could
 * not capture, or a paused session with the visitor's message (formatting only, see sanitize.js).
 * @param {'masked' | 'toolarge' | 'capturefailed' | 'paused' | null} kind @param {string} [html]
 */
export function showCover(kind, html) {
  const el = $('cover');
  el.hidden = !kind;
  el.dataset.kind = kind || '';
  el.replaceChildren();
  if (kind === 'masked') el.textContent = 'This page is masked: the visitor\'s page is not shown.';
  else if (kind === 'toolarge') el.textContent = 'This page is too large to show. The session goes on; the visitor\'s next page will show.';
  else if (kind === 'capturefailed') el.textContent = 'The visitor\'s page could not be captured. Trying again…';
  else if (kind === 'paused') el.append(html ? sanitizeHtml(html) : 'The visitor paused the session.');
}

/** What the cover shows now ('' when hidden). */
export function coverKind() {
  return $('cover').dataset.kind || '';
}

/** A short message beside the tools, gone after 4 s. @param {string} text */
export function showToast(text) {
  const el = $('rc-status');
  el.textContent = text;
  setTimeout(() => el.textContent === text && (el.textContent = ''), 4000);
}

/** @param {{count: number, agentlist: any[]}} list */
export function showAgents(list) {
  const guests = list.agentlist.filter((a) => a.role === 'guest').length;
  const staff = list.count - guests;
  $('agents').textContent = `${staff} agent${staff === 1 ? '' : 's'}` + (guests ? `, ${guests} guest${guests === 1 ? '' : 's'}` : '');
}

/** A guest only watches: none of the helping tools. */
export function showGuestMode() {
  document.body.classList.add('guest');
  for (const id of ['rc-request', 'rc-stop', 'tool-draw', 'tool-highlight', 'nav-form', 'guest-form', 'end', 'media-video', 'media-screen', 'media-reverse']) $(id).hidden = true;
}

/** @param {string} url the one-time guest link */
export function showGuestLink(url) {
  const link = /** @type {HTMLInputElement} */ ($('guest-link'));
  link.value = url;
  $('guest-panel').hidden = false;
  link.select();
}

/** @param {{reason: string, msg?: string}} ended */
export function showEnded(ended) {
  setStatus('Session ended', 'ended');
  showNotice(`${ended.msg || 'The session ended.'} (${ended.reason})`);
  $('leave').hidden = $('end').hidden = true;
}
