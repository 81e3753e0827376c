// @ts-check
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

/** @type {((sheet: CSSStyleSheet) => void) | null} */
let onChange = null;
let hooked = false;

/**
 * Reports every CSSOM change to a sheet (insertRule, deleteRule, replaceSync, …, including
 * rules nested in @media). One hook per page; the latest recorder receives the reports.
 * @param {(sheet: CSSStyleSheet) => void} callback
 */
export function observeStyleSheets(callback) {
  onChange = callback;
  if (hooked) return;
  hooked = true;
  /** @param {any} proto @param {string} method @param {(self: any) => CSSStyleSheet | null} sheetOf */
  const wrap = (proto, method, sheetOf) => {
    const original = proto && proto[method];
    if (typeof original !== 'function') return;
    proto[method] = function (...args) {
      const result = original.apply(this, args);
      const sheet = sheetOf(this);
      if (sheet && onChange) onChange(sheet);
      return result;
    };
  };
  const own = (/** @type {any} */ s) => s;
  for (const m of ['insertRule', 'deleteRule', 'addRule', 'removeRule', 'replaceSync']) wrap(CSSStyleSheet.prototype, m, own);
  if (typeof CSSGroupingRule !== 'undefined') {
    for (const m of ['insertRule', 'deleteRule']) wrap(CSSGroupingRule.prototype, m, (rule) => rule.parentStyleSheet);
  }
}
