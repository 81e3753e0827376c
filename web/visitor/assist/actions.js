// @ts-check
/**
 * Performs an agent's action on the real page, through the browser's own event sequence, so
 * frameworks that keep state in JavaScript (React, Vue) see what a user's input would produce.
 * Only the documented action types, only on existing, unmasked elements; nothing here can run
 * a string as script.
 */

const valueSetter = (/** @type {any} */ proto) => Object.getOwnPropertyDescriptor(proto, 'value')?.set;
// The prototype setters, not an instance's: React wraps `value` on the node to track changes,
// and only a prototype write followed by an `input` event makes it notice.
/** @type {Map<object, ((v: any) => void) | undefined>} */
const SETTERS = new Map([
  [HTMLInputElement.prototype, valueSetter(HTMLInputElement.prototype)],
  [/** @type {object} */ (HTMLTextAreaElement.prototype), valueSetter(HTMLTextAreaElement.prototype)],
]);
const selectedIndexSetter = Object.getOwnPropertyDescriptor(HTMLSelectElement.prototype, 'selectedIndex')?.set;

/** @type {WeakSet<Element>} fields the agent edited since their last change event */
const edited = new WeakSet();

/**
 * @param {{action: any, agent: {username?: string, puid?: string, num: number}}} relayed
 * @param {{
 *   mirror: import('../../common/mirror.js').Mirror,
 *   isMasked: (el: Element) => boolean,
 *   fire: (type: string, data?: any) => void,
 * }} ctx
 * @returns {string | null} why the action was refused, or null when done
 */
export function performAction({ action, agent }, ctx) {
  if (action.type === 'scroll' && action.id === 0) {
    window.scrollBy(action.x || 0, action.y || 0);
    return null;
  }
  const node = ctx.mirror.get(action.id);
  if (!node || node.nodeType !== Node.ELEMENT_NODE || !node.isConnected) return 'no such element';
  const el = /** @type {HTMLElement} */ (node);
  if (ctx.isMasked(el)) return 'masked element';
  const path = `[data-gid="${action.id}"]`;
  const who = { username: agent.username, puid: agent.puid, num: agent.num };
  switch (action.type) {
    case 'click': {
      // The viewer names the shadow host or frame under the pointer: the click goes to what
      // is under that point inside it, and masking is checked again for that element.
      const inner = typeof action.x === 'number' && typeof action.y === 'number' ? innermost(el, action.x, action.y) : { el, x: action.x, y: action.y };
      if (inner.el !== el && ctx.isMasked(inner.el)) return 'masked element';
      click(inner.el, inner.x, inner.y);
      ctx.fire('rcevent', { type: 'click', agent: who, path });
      return null;
    }
    case 'input': {
      if (!(el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) || el.readOnly || el.disabled) return 'not a text field';
      if (document.activeElement !== el) el.focus();
      const value = String(action.value ?? '');
      const added = value.length > el.value.length ? value.slice(el.value.length) : '';
      for (const key of added) el.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, composed: true }));
      SETTERS.get(Object.getPrototypeOf(el))?.call(el, value);
      el.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, inputType: 'insertText', data: added || null }));
      for (const key of added) el.dispatchEvent(new KeyboardEvent('keyup', { key, bubbles: true, cancelable: true, composed: true }));
      edited.add(el);
      ctx.fire('rcevent', { type: 'agenttyping', agent: who, path, value: el.value });
      return null;
    }
    case 'change': {
      if (!edited.has(el)) return null; // documented: only after the agent edited the field
      edited.delete(el);
      el.dispatchEvent(new Event('change', { bubbles: true }));
      el.blur();
      ctx.fire('rcevent', { type: 'inputchange', agent: who, path });
      return null;
    }
    case 'select': {
      if (!(el instanceof HTMLSelectElement) || el.disabled) return 'not a select';
      const index = Number(action.index);
      if (!Number.isInteger(index) || index < -1 || index >= el.options.length) return 'no such option';
      el.focus();
      selectedIndexSetter?.call(el, index);
      el.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
      el.dispatchEvent(new Event('change', { bubbles: true }));
      ctx.fire('rcevent', { type: 'inputchange', agent: who, path });
      return null;
    }
    case 'scroll': {
      el.scrollBy(action.x || 0, action.y || 0);
      return null;
    }
    case 'key': {
      const key = String(action.key || '');
      if (!['Enter', 'Tab', 'Escape', 'Backspace', 'ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight'].includes(key)) return 'key not allowed';
      const init = { key, bubbles: true, cancelable: true, composed: true };
      const proceed = el.dispatchEvent(new KeyboardEvent('keydown', init));
      el.dispatchEvent(new KeyboardEvent('keyup', init));
      // A real Enter in a form field submits the form; a synthetic one does not by itself.
      if (proceed && key === 'Enter' && el instanceof HTMLInputElement && el.form) el.form.requestSubmit();
      return null;
    }
    default:
      return 'unknown action';
  }
}

/**
 * The element under a viewport point, inside open shadow roots and same-origin frames, with the
 * point in that element's own viewport.
 * @param {HTMLElement} el @param {number} x @param {number} y
 * @returns {{el: HTMLElement, x: number, y: number}}
 */
function innermost(el, x, y) {
  for (let depth = 0; depth < 16; depth++) {
    if (el.shadowRoot) {
      const hit = /** @type {HTMLElement | null} */ (el.shadowRoot.elementFromPoint(x, y));
      if (hit && hit !== el) {
        el = hit;
        continue;
      }
    }
    if (el.localName === 'iframe') {
      let doc = null;
      try {
        doc = /** @type {HTMLIFrameElement} */ (el).contentDocument;
      } catch {
        /* another origin's frame */
      }
      const rect = el.getBoundingClientRect();
      const fx = x - rect.left - el.clientLeft;
      const fy = y - rect.top - el.clientTop;
      const hit = doc && /** @type {HTMLElement | null} */ (doc.elementFromPoint(fx, fy));
      if (hit) {
        el = hit;
        x = fx;
        y = fy;
        continue;
      }
    }
    break;
  }
  return { el, x, y };
}

/**
 * The pointer and mouse sequence a real click produces, then the click itself (which runs the
 * element's activation: toggling a checkbox, following a link, submitting a form, a label
 * clicking its control).
 * @param {HTMLElement} el @param {number} [x] @param {number} [y]
 */
function click(el, x, y) {
  const rect = el.getBoundingClientRect();
  const clientX = typeof x === 'number' ? x : rect.left + rect.width / 2;
  const clientY = typeof y === 'number' ? y : rect.top + rect.height / 2;
  const view = el.ownerDocument.defaultView || window;
  const init = { bubbles: true, cancelable: true, composed: true, clientX, clientY, view, button: 0, detail: 1 };
  const Pointer = /** @type {typeof PointerEvent} */ (/** @type {any} */ (view).PointerEvent || PointerEvent);
  const Mouse = /** @type {typeof MouseEvent} */ (/** @type {any} */ (view).MouseEvent || MouseEvent);
  el.dispatchEvent(new Pointer('pointerdown', { ...init, pointerId: 1, pointerType: 'mouse', isPrimary: true, buttons: 1 }));
  el.dispatchEvent(new Mouse('mousedown', { ...init, buttons: 1 }));
  const focusable = /** @type {HTMLElement | null} */ (el.closest('input, textarea, select, button, a[href], [tabindex], [contenteditable=""], [contenteditable="true"]'));
  if (focusable && typeof focusable.focus === 'function') focusable.focus();
  el.dispatchEvent(new Pointer('pointerup', { ...init, pointerId: 1, pointerType: 'mouse', isPrimary: true }));
  el.dispatchEvent(new Mouse('mouseup', init));
  el.dispatchEvent(new Mouse('click', init));
}
