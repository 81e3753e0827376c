// @ts-check
import { pageHook } from './hooks.js';
/**
 * Stylesheet text from the CSSOM. Reading rules (not the element's text) includes rules that
 * CSS-in-JS libraries add with insertRule, and lets the agent style the mirror even when it
 * cannot fetch the sheet itself. URLs inside a linked sheet are resolved against the sheet.
 */

/** CSSRule.type values (frames' rules come from other realms: no instanceof). */
const IMPORT_RULE = 3;
const FONT_FACE_RULE = 5;

/**
 * @param {HTMLStyleElement | HTMLLinkElement} el
 * @param {import('./fonts.js').FontInliner} [fonts] inlines the web fonts the page uses
 * @returns {string | null} null when the rules cannot be read (not loaded, or cross-origin)
 */
export function sheetText(el, fonts) {
  const sheet = el.sheet;
  if (!sheet) return null;
  return rulesText(sheet, fonts, el);
}

/**
 * A sheet's rules as text; `@import`ed sheets that can be read are inlined in their place (the
 * agent may not be able to fetch them), inside `@media` when the import had a media list.
 * @param {CSSStyleSheet} sheet
 * @param {import('./fonts.js').FontInliner} [fonts]
 * @param {object} [owner] told again (through `fonts`) when a font's data arrives
 * @returns {string | null}
 */
export function rulesText(sheet, fonts, owner) {
  let rules;
  try {
    rules = sheet.cssRules;
  } catch {
    return null; // cross-origin: the agent loads the sheet by its (absolute) URL instead
  }
  const base = sheet.href || (sheet.ownerNode && sheet.ownerNode.ownerDocument ? sheet.ownerNode.ownerDocument.baseURI : document.baseURI);
  let text = '';
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    if (rule.type === IMPORT_RULE && /** @type {CSSImportRule} */ (rule).styleSheet) {
      const imported = /** @type {CSSImportRule} */ (rule);
      const inner = rulesText(imported.styleSheet, fonts, owner);
      if (inner !== null) {
        const media = imported.media.mediaText;
        text += media ? `@media ${media} {\n${inner}}\n` : inner;
        continue;
      }
    }
    if (fonts && rule.type === FONT_FACE_RULE) {
      text += fonts.rewrite(/** @type {CSSFontFaceRule} */ (rule), base, owner) + '\n';
      continue;
    }
    text += rule.cssText + '\n';
  }
  return sheet.href ? absolutizeCssUrls(text, sheet.href) : text;
}

/**
 * The text of each sheet a document or shadow root adopted (constructed stylesheets).
 * @param {Document | ShadowRoot} root
 * @param {import('./fonts.js').FontInliner} [fonts]
 * @returns {string[]}
 */
export function adoptedText(root, fonts) {
  const sheets = root.adoptedStyleSheets || [];
  return Array.from(sheets, (sheet) => rulesText(sheet, fonts, root) || '');
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
export const observeStyleSheets = pageHook((/** @type {(sheet: CSSStyleSheet) => void} */ notify, win) => {
  /** @param {any} proto @param {string} method @param {(self: any) => CSSStyleSheet | null} sheetOf */
  const wrap = (proto, method, sheetOf) => {
    const original = proto && proto[method];
    if (typeof original !== 'function') return;
    proto[method] = function (/** @type {any[]} */ ...args) {
      const result = original.apply(this, args);
      const sheet = sheetOf(this);
      if (sheet) notify(sheet);
      return result;
    };
  };
  const own = (/** @type {any} */ s) => s;
  const sheetProto = win.CSSStyleSheet.prototype;
  for (const m of ['insertRule', 'deleteRule', 'addRule', 'removeRule', 'replaceSync']) wrap(sheetProto, m, own);
  // replace() resolves later, once the new rules are in.
  const replace = sheetProto.replace;
  if (typeof replace === 'function') {
    sheetProto.replace = function (/** @type {string} */ text) {
      return replace.call(this, text).then((/** @type {CSSStyleSheet} */ sheet) => (notify(this), sheet));
    };
  }
  if (win.CSSGroupingRule) {
    for (const m of ['insertRule', 'deleteRule']) wrap(win.CSSGroupingRule.prototype, m, (rule) => rule.parentStyleSheet);
  }
});
