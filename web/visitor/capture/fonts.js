// @ts-check
/**
 * Web fonts travel inside the stylesheet text as data: URLs, read by the visitor's browser.
 * The agent's browser often cannot fetch them: behind the visitor's login cookie, or on a font
 * service that only answers the customer's origin. The visitor's browser has already loaded
 * them (so the fetch is usually served from its cache), and only fonts the page really uses
 * (a loaded FontFace of that family) are inlined, at most MAX_BYTES each.
 *
 * The first time a face is seen its data is not there yet: the rule goes with its URL and the
 * sheet is sent again (through `onReady`) once the data has arrived.
 */

const MAX_BYTES = 1024 * 1024;
/** Fonts per page: a cap on what one page can make the visitor download again. */
const MAX_FONTS = 24;

export class FontInliner {
  /** @param {(owners: Set<object>) => void} onReady sheets (their owners) to send again */
  constructor(onReady) {
    this.onReady = onReady;
    /** url → data: URL, or null while fetching / when it cannot be inlined */
    /** @type {Map<string, string | null>} */
    this.data = new Map();
    /** Owners whose sheets have faces waiting for data or for the font to load. */
    /** @type {Set<object>} */
    this.waiting = new Set();
    this.onLoadingDone = () => this.flushWaiting();
    document.fonts?.addEventListener?.('loadingdone', this.onLoadingDone);
  }

  stop() {
    document.fonts?.removeEventListener?.('loadingdone', this.onLoadingDone);
    this.waiting.clear();
  }

  /**
   * The rule's text with its first font URL replaced by the font's data when known.
   * @param {CSSFontFaceRule} rule @param {string} base @param {object} [owner]
   */
  rewrite(rule, base, owner) {
    const text = rule.cssText;
    const src = rule.style.getPropertyValue('src');
    const match = /url\(\s*(['"]?)([^'")]+)\1\s*\)/.exec(src);
    if (!match || /^data:/i.test(match[2])) return text;
    let url;
    try {
      url = new URL(match[2], base).href;
    } catch {
      return text;
    }
    const known = this.data.get(url);
    if (known) return text.split(match[0]).join(`url("${known}")`);
    if (owner) this.waiting.add(owner);
    if (known === undefined && this.data.size < MAX_FONTS && isUsed(rule)) this.fetch(url);
    return text;
  }

  /** @param {string} url */
  async fetch(url) {
    this.data.set(url, null);
    try {
      // The same credentials as the browser's own font requests.
      const response = await fetch(url, { credentials: 'same-origin' });
      if (!response.ok) return;
      const blob = await response.blob();
      if (blob.size > MAX_BYTES) return;
      this.data.set(url, await dataUrl(blob));
      this.flushWaiting();
    } catch {
      /* not readable (CORS, network): the agent tries the URL itself */
    }
  }

  flushWaiting() {
    if (!this.waiting.size) return;
    const owners = this.waiting;
    this.waiting = new Set();
    this.onReady(owners);
  }
}

/**
 * Whether the page uses this face: a FontFace of its family has loaded in the document.
 * @param {CSSFontFaceRule} rule
 */
function isUsed(rule) {
  const family = unquote(rule.style.getPropertyValue('font-family'));
  let sheet = rule.parentStyleSheet;
  while (sheet && !sheet.ownerNode && sheet.ownerRule) sheet = sheet.ownerRule.parentStyleSheet;
  const fonts = (sheet?.ownerNode?.ownerDocument || document).fonts;
  if (!fonts) return true;
  for (const face of /** @type {any} */ (fonts)) {
    if (face.status === 'loaded' && unquote(face.family) === family) return true;
  }
  return false;
}

/** @param {string} name */
function unquote(name) {
  return name.trim().replace(/^(['"])(.*)\1$/, '$2');
}

/** @param {Blob} blob @returns {Promise<string>} */
function dataUrl(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}
