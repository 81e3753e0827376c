// @ts-check
import { routeUrl } from './assets.js';
import { pageHook } from './hooks.js';
/**
 * Stylesheet text from the CSSOM. Reading rules (not the element's text) includes rules that
 * CSS-in-JS libraries add with insertRule, and lets the agent style the mirror even when it
 * cannot fetch the sheet itself. URLs inside a linked sheet are resolved against the sheet.
 */

/** CSSRule.type values (frames' rules come from other realms: no instanceof). */
const MEDIA_RULE = 4;
const IMPORT_RULE = 3;
const FONT_FACE_RULE = 5;
/** Media features of the screen, not the viewport: the agent's screen would answer them differently. */
const SCREEN_FEATURE = /\([^()]*(?:resolution|device-pixel-ratio)[^()]*\)/gi;

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
    text += (rule.type === MEDIA_RULE ? screenMediaText(/** @type {CSSMediaRule} */ (rule), sheet) : rule.cssText) + '\n';
  }
  // Absolute at the source: the mirror's document has another URL.
  return absolutizeCssUrls(text, base);
}

/**
 * A media rule whose query asks about the visitor's screen (resolution, pixel ratio) is sent
 * with those features answered as the visitor's browser answers them: an always-true or
 * always-false feature in their place. Width queries stay: the mirror has the visitor's viewport.
 * @param {CSSMediaRule} rule @param {CSSStyleSheet} sheet
 */
function screenMediaText(rule, sheet) {
  const text = rule.cssText;
  const media = rule.media.mediaText;
  if (!/resolution|device-pixel-ratio/i.test(media)) return text;
  const win = /** @type {Window} */ (sheet.ownerNode?.ownerDocument?.defaultView || window);
  const answered = media.replace(SCREEN_FEATURE, (feature) => (win.matchMedia(feature).matches ? '(min-width: 0px)' : '(max-width: -1px)'));
  const at = text.indexOf(media);
  return at < 0 ? text : text.slice(0, at) + answered + text.slice(at + media.length);
}

/**
 * Constructed sheets (adoptedStyleSheets) have ids: one sheet adopted by a thousand shadow roots
 * travels once (`ss: [[sheetId, text]]`), and each root names the ids it adopted (`as`).
 */
export class ConstructedSheets {
  constructor() {
    /** @type {WeakMap<CSSStyleSheet, number>} */
    this.ids = new WeakMap();
    this.nextId = 1;
    /** Sheets whose text the agents have (since the last full page). */
    /** @type {WeakSet<CSSStyleSheet>} */
    this.sent = new WeakSet();
    /** Texts to send with the current page or delta. @type {[number, string][]} */
    this.pending = [];
    /** @type {import('./fonts.js').FontInliner | undefined} */
    this.fonts = undefined;
  }

  /** A full page follows: every sheet it names goes with it. */
  resetSent() {
    this.sent = new WeakSet();
    this.pending = [];
  }

  /** The texts gathered since the last call. */
  take() {
    const out = this.pending;
    this.pending = [];
    return out;
  }

  /**
   * The ids of the sheets a document or shadow root adopted; texts not yet sent are queued.
   * @param {Document | ShadowRoot} root
   * @returns {number[]}
   */
  adoptedBy(root) {
    return Array.from(root.adoptedStyleSheets || [], (sheet) => {
      const id = this.idOf(sheet);
      if (!this.sent.has(sheet)) {
        this.sent.add(sheet);
        this.pending.push([id, rulesText(sheet, this.fonts, sheet) || '']);
      }
      return id;
    });
  }

  /** A sheet's rules changed: send its text again if the agents have it. @param {CSSStyleSheet} sheet */
  changed(sheet) {
    const id = this.ids.get(sheet);
    if (id === undefined || !this.sent.has(sheet)) return;
    this.pending = this.pending.filter(([known]) => known !== id);
    this.pending.push([id, rulesText(sheet, this.fonts, sheet) || '']);
  }

  /** @param {CSSStyleSheet} sheet */
  idOf(sheet) {
    let id = this.ids.get(sheet);
    if (id === undefined) this.ids.set(sheet, (id = this.nextId++));
    return id;
  }
}

/**
 * @param {string} css
 * @param {string} base the stylesheet's URL
 */
export function absolutizeCssUrls(css, base) {
  return css.replace(/url\(\s*(['"]?)([^'")]+)\1\s*\)/g, (whole, quote, url) => {
    if (/^(data|#)/i.test(url.trim())) return whole;
    try {
      return `url(${quote}${routeUrl(new URL(url.trim(), base).href)}${quote})`;
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
