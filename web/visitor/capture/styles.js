// @ts-check
import { pageHook } from './hooks.js';
/**
 * Stylesheet text from the CSSOM. Reading rules (not the element's text) includes rules that
 * CSS-in-JS libraries add with insertRule, and lets the agent style the mirror even when it
 * cannot fetch the sheet itself. URLs inside a linked sheet are resolved against the sheet.
 */

/**
 * @param {HTMLStyleElement | HTMLLinkElement} el
 * @returns {string | null} null when the rules cannot be read (not loaded, or cross-origin)
 */
export function sheetText(el) {
  const sheet = el.sheet;
  if (!sheet) return null;
  let rules;
  try {
    rules = sheet.cssRules;
  } catch {
    return null; // cross-origin: the agent loads the sheet by its (absolute) URL instead
  }
  let text = '';
  for (let i = 0; i < rules.length; i++) text += rules[i].cssText + '\n';
  return sheet.href ? absolutizeCssUrls(text, sheet.href) : text;
}

/**
 * @param {string} css
 * @param {string} base the stylesheet's URL
 */
export function absolutizeCssUrls(css, base) {
  return css.replace(/url\(\s*(['"]?)([^'")]+)\1\s*\)/g, (whole, quote, url) => {
    if (/^(data|blob|#)/i.test(url.trim())) return whole;
    try {
      return `url(${quote}${new URL(url.trim(), base).href}${quote})`;
    } catch {
      return whole;
    }
  });
}

/**
 * Reports every CSSOM change to a sheet (insertRule, deleteRule, replaceSync, …, including
 * rules nested in @media) to the current recorder.
 */
export const observeStyleSheets = pageHook((/** @type {(sheet: CSSStyleSheet) => void} */ notify) => {
  /** @param {any} proto @param {string} method @param {(self: any) => CSSStyleSheet | null} sheetOf */
  const wrap = (proto, method, sheetOf) => {
    const original = proto && proto[method];
    if (typeof original !== 'function') return;
    proto[method] = function (...args) {
      const result = original.apply(this, args);
      const sheet = sheetOf(this);
      if (sheet) notify(sheet);
      return result;
    };
  };
  const own = (/** @type {any} */ s) => s;
  for (const m of ['insertRule', 'deleteRule', 'addRule', 'removeRule', 'replaceSync']) wrap(CSSStyleSheet.prototype, m, own);
  if (typeof CSSGroupingRule !== 'undefined') {
    for (const m of ['insertRule', 'deleteRule']) wrap(CSSGroupingRule.prototype, m, (rule) => rule.parentStyleSheet);
  }
});
