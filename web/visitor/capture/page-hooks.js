// @ts-check
import { pageHook } from './hooks.js';

/** Values set by scripts (`input.value = 'x'`, frameworks) fire no event: hook the setters. */
export const hookFormSetters = pageHook((/** @type {(el: Element) => void} */ notify, win) => {
  /** @type {[any, string][]} */
  const props = [
    [win.HTMLInputElement.prototype, 'value'], [win.HTMLInputElement.prototype, 'checked'],
    [win.HTMLInputElement.prototype, 'indeterminate'],
    [win.HTMLTextAreaElement.prototype, 'value'], [win.HTMLSelectElement.prototype, 'value'],
    [win.HTMLSelectElement.prototype, 'selectedIndex'], [win.HTMLOptionElement.prototype, 'selected'],
  ];
  for (const [proto, prop] of props) {
    const desc = Object.getOwnPropertyDescriptor(proto, prop);
    if (!desc || !desc.set) continue;
    const set = desc.set;
    Object.defineProperty(proto, prop, {
      ...desc,
      set(value) {
        set.call(this, value);
        const el = this.localName === 'option' ? this.parentElement?.closest('select') : this;
        if (el) notify(el);
      },
    });
  }
});

/** Single-page apps change the URL without a page load (the page's, or a same-origin frame's). */
export const hookHistory = pageHook((/** @type {(win: Window) => void} */ notify, win) => {
  for (const method of /** @type {const} */ (['pushState', 'replaceState'])) {
    const original = win.history[method];
    win.history[method] = function (...args) {
      const result = original.apply(this, /** @type {any} */ (args));
      notify(win);
      return result;
    };
  }
});

/**
 * A shadow root attached to an element already sent (a custom element upgraded late): the
 * recorder sends the host again, with its shadow root.
 */
export const hookAttachShadow = pageHook((/** @type {(host: Element) => void} */ notify, win) => {
  const proto = win.Element.prototype;
  const original = proto.attachShadow;
  if (typeof original !== 'function') return;
  proto.attachShadow = function (/** @type {ShadowRootInit} */ init) {
    const root = original.call(this, init);
    notify(this);
    return root;
  };
});
