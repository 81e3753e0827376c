// @ts-check
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
 * @param {string} css
 * @returns {string}
 */
export function mirrorCss(css) {
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
 * Sets a document's or shadow root's adopted sheets: the mirror's base sheet (documents only),
 * then the visitor's sheets. Sheets are built in the root's own window, as the DOM requires.
 * @param {Document | ShadowRoot} root
 * @param {string[]} texts
 */
export function adoptSheets(root, texts) {
  const doc = root.nodeType === Node.DOCUMENT_NODE ? /** @type {Document} */ (root) : root.ownerDocument;
  const win = /** @type {any} */ (doc.defaultView);
  if (!win) return;
  /** @type {CSSStyleSheet[]} */
  const sheets = [];
  if (root.nodeType === Node.DOCUMENT_NODE) sheets.push(baseSheet(win));
  for (const text of texts) {
    const sheet = new win.CSSStyleSheet();
    try {
      sheet.replaceSync(mirrorCss(text));
    } catch {
      /* rules the browser refuses: an empty sheet keeps the order */
    }
    sheets.push(sheet);
  }
  root.adoptedStyleSheets = sheets;
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
