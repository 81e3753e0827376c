// @ts-check
import { groupConfig } from './group-config.js';
import { focusRing, once, showConsentPrompt } from '../assist/prompt.js';

export const VERSION = '1.0.0';

/**
 * GLANCE.Cobrowse.VisitorUI, the default UI (absent with data-ui="custom"): a button that starts
 * a session (hidden until `showButton()`, or shown at load with data-button="on"), a badge while
 * a session runs (its key and a Stop button), a terms dialog, and the group's button style —
 * the session's group, or the one `setStyle(groupid)` picked. Nothing of it is mirrored.
 * @param {{
 *   V: any,
 *   config: any,
 *   server: string,
 *   crossDomain: () => Promise<import('../crossdomain/cross-domain.js').CrossDomain>,
 *   on: (type: string, fn: (data?: any) => void) => void,
 * }} env
 */
export function createVisitorUI(env) {
  const { V, config, server } = env;
  /** The group whose style is shown; null: the session's group, else the primary group. */
  let styleGroup = /** @type {number | null} */ (null);
  let buttonShown = config.button === 'on' || config.button === '1' || config.button === 'true';

  const button = element('button', 'tandem-button');
  button.type = 'button';
  button.addEventListener('click', () => V.startSession());
  focusRing(button);
  const badge = element('div', 'tandem-session-badge');
  badge.setAttribute('role', 'status');
  const badgeText = document.createElement('span');
  const stop = document.createElement('button');
  stop.id = 'tandem-session-stop';
  stop.type = 'button';
  stop.textContent = 'Stop';
  stop.style.cssText = 'margin-left:10px;font:inherit;padding:4px 12px;border-radius:4px;border:0;cursor:pointer';
  stop.setAttribute('aria-label', 'Stop sharing this page');
  stop.addEventListener('click', () => V.stopSession());
  focusRing(stop);
  badge.append(badgeText, stop);

  const render = () => {
    const inSession = V.inSession();
    button.hidden = !buttonShown || inSession;
    badge.hidden = !inSession;
    if (inSession) badgeText.textContent = `Sharing this page · key ${V.getKey()}`;
    mount(button);
    mount(badge);
  };

  const applyStyle = async () => {
    const group = styleGroup ?? (V.inSession() ? V.sessionGroupId() : null) ?? Number(config.groupid);
    const settings = await groupConfig(server, group);
    if (!settings) return false;
    const s = settings.buttonStyle;
    const [vertical, horizontal] = s.position.split('-');
    for (const el of [button, badge]) {
      // Colours are hex only (checked by the server), so they cannot break out of the style.
      el.style.cssText =
        `position:fixed;z-index:2147483646;${vertical}:20px;${horizontal}:20px;padding:10px 16px;border-radius:22px;border:0;` +
        `background:${s.color};color:${s.textColor};font:600 14px/1.3 system-ui,sans-serif;box-shadow:0 2px 12px rgba(0,0,0,.25)`;
      el.dataset.group = String(group);
    }
    button.textContent = s.label;
    stop.style.color = s.color;
    stop.style.background = s.textColor;
    render();
    return true;
  };

  for (const type of ['sessionstart', 'sessioncontinue', 'sessionend']) {
    env.on(type, () => {
      applyStyle();
      render();
    });
  }
  /** @type {HTMLElement | null} */
  let terms = null;

  const ui = {
    VERSION,
    loaded: true,
    ready: () => Promise.resolve(),
    /** @param {boolean} [show] */
    showButton(show = true) {
      buttonShown = Boolean(show);
      render();
    },
    toggleButton() {
      buttonShown = !buttonShown;
      render();
    },
    /**
     * Shows another group's button style (seed 004); resolves false when that group is unknown.
     * @param {number | string} groupid
     */
    setStyle(groupid) {
      const group = Number(groupid);
      if (!Number.isInteger(group) || group <= 0) return Promise.resolve(false);
      styleGroup = group;
      return applyStyle();
    },
    /**
     * The terms dialog: accepting starts a session with `params` (as startSession takes them).
     * Each step is announced for Presence (`tandem-terms` window event: displayed, accepted, declined).
     * @param {any} [params]
     */
    showTerms(params) {
      terms?.remove();
      const announce = (/** @type {string} */ status) => window.dispatchEvent(new CustomEvent('tandem-terms', { detail: { status } }));
      const { accept, decline } = once((accepted) => {
        terms?.remove();
        terms = null;
        announce(accepted ? 'accepted' : 'declined');
        if (accepted) V.startSession(params);
      });
      terms = showConsentPrompt({
        id: 'tandem-terms',
        text: 'Share this browser tab with a support agent? The agent sees this page (never masked fields) and can point at things; nothing else on your computer.',
        accept,
        decline,
        focus: true,
        acceptLabel: 'Accept',
      });
      announce('displayed');
    },
    /**
     * Asks the visitor first, then Visitor.crossDomain(options) (Yes is the user's gesture, so a
     * `_blank` window opens). Resolves at once without a session or when it is already done, and
     * on No (nothing is handed over).
     * @param {{url?: string, target?: string}} [options]
     * @returns {Promise<void>}
     */
    promptCrossDomain(options) {
      if (!V.inSession() || V.isCrossDomainDone()) return Promise.resolve();
      // The question and what follows are in the cross-domain part.
      return env.crossDomain().then((part) => part.prompt(options));
    },
  };
  applyStyle();
  return ui;
}

/** @param {string} tag @param {string} id */
function element(tag, id) {
  const el = /** @type {any} */ (document.createElement(tag));
  el.id = id;
  el.hidden = true;
  el.setAttribute('data-tandem-ignore', '');
  return el;
}

/** Adds the element once the body exists (the script may run in <head>). @param {HTMLElement} el */
function mount(el) {
  if (el.isConnected) return;
  if (document.body) document.body.appendChild(el);
  else document.addEventListener('DOMContentLoaded', () => document.body.appendChild(el), { once: true });
}
