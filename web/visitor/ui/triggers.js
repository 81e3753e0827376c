// @ts-check
/**
 * What starts a session without the page's own code (seed 002, 004):
 * - an element with `data-glancebutton` or `glance_button` (its value names the method; empty is
 *   `startSession`, `start` is short for it): clicks are caught on the document, so elements
 *   added later work too;
 * - `data-inputevents` on the script tag: a JSON object of key combinations to methods, e.g.
 *   `{"ctrl-shift-y": "startSession", "ctrl-13": "showTerms"}`.
 * Both always use the primary group (seed 004) and the options of `setStartParams`.
 * Unknown methods and unreadable combinations fire `error {code: "invalidparam"}`, never throw.
 */

/**
 * @param {{V: any, config: any, fail: (code: string, msg: string, params?: any) => void}} env
 */
export function installTriggers(env) {
  const { V, config, fail } = env;
  const primary = Number(config.groupid);
  /** Start options at the moment of the click: setStartParams', in the primary group. */
  const params = () => ({ ...(V.getStartParams?.() || {}), groupid: primary });
  const ui = () => /** @type {any} */ (window).GLANCE.Cobrowse.VisitorUI;
  /** @type {Record<string, () => void>} */
  const methods = {
    startSession: () => V.startSession(params()),
    showTerms: () => V.showTerms(params()),
    stopSession: () => V.stopSession(),
    showButton: () => ui()?.showButton?.(),
    toggleButton: () => ui()?.toggleButton?.(),
  };
  methods.start = methods.startSession;
  methods.stop = methods.stopSession;
  /** @param {any} name */
  const method = (name) => (typeof name === 'string' && Object.prototype.hasOwnProperty.call(methods, name) ? methods[name] : null);

  document.addEventListener('click', (event) => {
    const target = /** @type {any} */ (event.target);
    const el = target && target.closest ? target.closest('[data-glancebutton],[glance_button]') : null;
    if (!el) return;
    const attr = el.hasAttribute('data-glancebutton') ? 'data-glancebutton' : 'glance_button';
    const name = el.getAttribute(attr) || 'startSession';
    const run = method(name);
    if (!run) return fail('invalidparam', `${attr}="${name}": not a method a button can call`, { field: attr });
    event.preventDefault();
    run();
  });

  if (config.inputevents === undefined || config.inputevents === null || config.inputevents === '') return;
  /** @type {any} */
  let map = config.inputevents;
  if (typeof map === 'string') {
    try {
      map = JSON.parse(map);
    } catch {
      map = null;
    }
  }
  if (!map || typeof map !== 'object' || Array.isArray(map)) {
    return fail('invalidparam', 'data-inputevents: not a JSON object like {"ctrl-shift-y": "startSession"}', { field: 'inputevents' });
  }
  /** @type {{combo: {ctrl: boolean, alt: boolean, shift: boolean, meta: boolean, key: string}, run: () => void}[]} */
  const bindings = [];
  for (const [text, name] of Object.entries(map)) {
    const combo = parseCombo(text);
    const run = method(name);
    if (!combo) fail('invalidparam', `data-inputevents: "${text}" is not a key combination like ctrl-shift-y or ctrl-13`, { field: 'inputevents' });
    else if (!run) fail('invalidparam', `data-inputevents: "${name}" is not a method a key can call`, { field: 'inputevents' });
    else bindings.push({ combo, run });
  }
  window.addEventListener(
    'keydown',
    (event) => {
      if (event.repeat) return;
      const hit = bindings.find(({ combo }) => matches(combo, event));
      if (!hit) return;
      event.preventDefault();
      hit.run();
    },
    true,
  );
}

/**
 * `ctrl-shift-y`, `alt+f2`, `ctrl-13` (a keyCode, the older form): modifiers ctrl, alt, shift,
 * meta in any order, then one key: a letter or digit, a key name (enter, f2, space…) or a number.
 * @param {string} text
 */
export function parseCombo(text) {
  const parts = String(text).toLowerCase().split(/[-+]/).map((p) => p.trim());
  const key = parts.pop();
  const combo = { ctrl: false, alt: false, shift: false, meta: false, key: key || '' };
  if (!key) return null;
  for (const part of parts) {
    if (part === 'control') combo.ctrl = true;
    else if (part === 'ctrl' || part === 'alt' || part === 'shift' || part === 'meta') combo[part] = true;
    else return null;
  }
  return combo;
}

/** @param {{ctrl: boolean, alt: boolean, shift: boolean, meta: boolean, key: string}} combo @param {KeyboardEvent} e */
function matches(combo, e) {
  if (combo.ctrl !== e.ctrlKey || combo.alt !== e.altKey || combo.shift !== e.shiftKey || combo.meta !== e.metaKey) return false;
  const key = combo.key;
  if (/^\d{2,3}$/.test(key)) return e.keyCode === Number(key);
  // Letters and digits by their place on the keyboard (alt and shift change e.key).
  if (/^[a-z]$/.test(key)) return e.code === `Key${key.toUpperCase()}`;
  if (/^\d$/.test(key)) return e.code === `Digit${key}` || e.code === `Numpad${key}`;
  if (key === 'space') return e.code === 'Space';
  return (e.key || '').toLowerCase() === key || (e.key === 'Escape' && key === 'esc');
}
