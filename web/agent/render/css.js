// @ts-check
import { assetUrls } from './assets.js';
/**
 * Stylesheet text in the mirror. The visitor's focus is shown with attributes (the mirror's
 * elements cannot hold real focus without taking the agent's keyboard), so focus pseudo-classes
 * in the page's rules are rewritten to match those attributes, and a base sheet stands in for
 * the browser's own focus ring. `:defined` is rewritten too (see DEFINED).
 */

export const FOCUS_ATTR = 'data-tandem-focus';
export const FOCUS_WITHIN_ATTR = 'data-tandem-focus-within';

/**
 * Custom elements are never defined in the mirror (no scripts run there) but are on the
 * visitor's page, so `:defined` must match them: it becomes a selector of the same specificity
 * that matches every element.
 */
const DEFINED = ':not([data-tandem-undefined])';

/**
 * @param {string} text
 * @returns {string}
 */
export function mirrorCss(text) {
  const css = assetUrls(text);
  if (!css.includes(':focus') && !css.includes(':defined')) return css;
  return css
    .replace(/:focus-visible(?![\w-])/g, `[${FOCUS_ATTR}="1"]`)
    .replace(/:focus-within(?![\w-])/g, `[${FOCUS_WITHIN_ATTR}]`)
    .replace(/:focus(?![\w-])/g, `[${FOCUS_ATTR}]`)
    .replace(/:defined(?![\w-])/g, DEFINED);
}

/** What the browser's own stylesheet does that the mirror must imitate; lowest specificity. */
const BASE_RULES = `
:where([${FOCUS_ATTR}="1"]) { outline: -webkit-focus-ring-color auto 1px; }
:where(input, textarea, select)[${FOCUS_ATTR}="1"] { outline-offset: 0; }
video:not([controls])::-webkit-media-controls { display: none !important; }
`;

/** @type {WeakMap<Window, CSSStyleSheet>} */
const baseSheets = new WeakMap();

/**
 * The visitor's constructed sheets by id (`ss`), and the sheets built from them per window
 * (a constructed sheet can only be adopted in the document of its own window). A new text
 * replaces the rules of every built copy, so every root that adopted it follows.
 */
export class ConstructedSheets {
  constructor() {
    /** @type {Map<number, string>} */
    this.texts = new Map();
    /** @type {Map<Window, Map<number, CSSStyleSheet>>} */
    this.built = new Map();
  }

  reset() {
    this.texts.clear();
    this.built.clear();
  }

  /** @param {number} id @param {string} text */
  setText(id, text) {
    this.texts.set(id, text);
    for (const sheets of this.built.values()) {
      const sheet = sheets.get(id);
      if (sheet) replaceRules(sheet, text);
    }
  }

  /**
   * Sets a document's or shadow root's adopted sheets: the mirror's base sheet (documents
   * only), then the visitor's sheets by id.
   * @param {Document | ShadowRoot} root
   * @param {number[]} ids
   */
  adopt(root, ids) {
    const doc = root.nodeType === Node.DOCUMENT_NODE ? /** @type {Document} */ (root) : root.ownerDocument;
    const win = /** @type {any} */ (doc.defaultView);
    if (!win) return;
    let sheets = this.built.get(win);
    if (!sheets) this.built.set(win, (sheets = new Map()));
    /** @type {CSSStyleSheet[]} */
    const list = root.nodeType === Node.DOCUMENT_NODE ? [baseSheet(win)] : [];
    for (const id of ids) {
      let sheet = sheets.get(id);
      if (!sheet) {
        sheet = /** @type {CSSStyleSheet} */ (new win.CSSStyleSheet());
        replaceRules(sheet, this.texts.get(id) || '');
        sheets.set(id, sheet);
      }
      list.push(sheet);
    }
    root.adoptedStyleSheets = list;
  }
}

/** The mirror's constructed sheets (one mirror per viewer). */
export const constructedSheets = new ConstructedSheets();

/** @param {CSSStyleSheet} sheet @param {string} text */
function replaceRules(sheet, text) {
  try {
    sheet.replaceSync(mirrorCss(text));
  } catch {
    /* rules the browser refuses: the sheet stays empty, the order stays */
  }
}

/** @param {any} win */
function baseSheet(win) {
  let sheet = baseSheets.get(win);
  if (!sheet) {
    sheet = /** @type {CSSStyleSheet} */ (new win.CSSStyleSheet());
    sheet.replaceSync(BASE_RULES);
    baseSheets.set(win, sheet);
  }
  return sheet;
}
