// @ts-check
/**
 * Performs an agent's action on the real page, through the browser's own event sequence, so
 * frameworks that keep state in JavaScript (React, Vue) see what a user's input would produce.
 * Only the documented action types, only on existing, unmasked elements; nothing here can run
 * a string as script.
 */

/**
 * The prototype's setter, not an instance's: React wraps `value` on the node to track changes,
 * and only a prototype write followed by an `input` event makes it notice. Looked up on the
 * element's own realm's prototype, so fields inside frames work too.
 * @param {Element} el @param {string} name
 */
const protoSetter = (el, name) => {
  const proto = el instanceof Element ? Object.getPrototypeOf(el) : null;
  return proto ? Object.getOwnPropertyDescriptor(proto, name)?.set : undefined;
};

/** @type {WeakSet<Element>} fields the agent edited since their last change event */
const edited = new WeakSet();

/**
 * @param {{action: any, agent: {username?: string, puid?: string, num: number}}} relayed
 * @param {{
 *   mirror: import('../../common/mirror.js').Mirror,
 *   isMasked: (el: Element) => boolean,
 *   fire: (type: string, data?: any) => void,
 *   identify: (el: Element) => void,
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
  ctx.identify(el); // the page may look the path up in its rcevent handler at once
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
      // localName, not instanceof: a field inside a frame belongs to that frame's realm.
      const field = /** @type {HTMLInputElement} */ (el);
      if (!['input', 'textarea'].includes(el.localName) || field.readOnly || field.disabled) return 'not a text field';
      if (el.ownerDocument.activeElement !== el && (el.getRootNode() === el.ownerDocument || !el.matches(':focus'))) el.focus();
      const value = String(action.value ?? '');
      const added = value.length > field.value.length ? value.slice(field.value.length) : '';
      for (const key of added) el.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true, composed: true }));
      const setter = protoSetter(el, 'value');
      if (setter) setter.call(el, value);
      else field.value = value;
      el.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, inputType: 'insertText', data: added || null }));
      for (const key of added) el.dispatchEvent(new KeyboardEvent('keyup', { key, bubbles: true, cancelable: true, composed: true }));
      edited.add(el);
      ctx.fire('rcevent', { type: 'agenttyping', agent: who, path, value: field.value });
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
      const list = /** @type {HTMLSelectElement} */ (el);
      if (el.localName !== 'select' || list.disabled) return 'not a select';
      const index = Number(action.index);
      if (!Number.isInteger(index) || index < -1 || index >= list.options.length) return 'no such option';
      el.focus();
      const setIndex = protoSetter(el, 'selectedIndex');
      if (setIndex) setIndex.call(el, index);
      else list.selectedIndex = index;
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
      const form = el.localName === 'input' ? /** @type {HTMLInputElement} */ (el).form : null;
      if (proceed && key === 'Enter' && form) form.requestSubmit();
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
