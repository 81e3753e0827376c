// @ts-check
import { read } from './natives.js';

/**
 * MaskingPolicy: the one place that decides what of the page may leave the visitor's browser.
 * Every path that reads page content (snapshot, every kind of mutation, form values, selection,
 * canvases, frames, shadow roots, stylesheets, the URL) asks it.
 *
 * The rule, once: **a node is masked when the page is masked, or when the node or any ancestor
 * — across shadow hosts and frame elements — masks itself.** An element masks itself when it
 * matches the built-in or configured masked selectors, is (or ever was) a password field, is a
 * same-origin frame whose document URL is a masked page, or, private by default, holds content
 * and is not inside a visible selector. A change anywhere (an ancestor's class, a move, a new
 * URL) can change the answer for a whole subtree: the recorder asks again for every node such a
 * change can reach (see `needsSubtreeCheck`).
 *
 * Masked elements keep their box in the mirror (tag, class, measured size) but none of their
 * text, values, content-carrying attributes, children, pixels or media.
 */

/** Elements marked by the page itself, no configuration needed. */
const BUILT_IN = '[glance_masked="true"], .glance_masked, input[type="password"]';

/** Attributes a masked element keeps: layout, never content. */
const KEPT_ON_MASKED = new Set(['id', 'class', 'type', 'rows', 'cols', 'size', 'width', 'height', 'dir', 'hidden']);

/** Attributes whose value is content, not layout: private mode keeps them home, as it does text. */
const CONTENT_ATTRS = new Set([
  'title', 'alt', 'placeholder', 'value', 'label', 'summary', 'abbr', 'download', 'content', 'srcdoc',
]);
/** aria-* attributes that are states (and drive styles such as `[aria-expanded=true]`); every other aria-* is text or refers to content. */
const ARIA_STATES = new Set([
  'aria-hidden', 'aria-expanded', 'aria-selected', 'aria-checked', 'aria-pressed', 'aria-disabled',
  'aria-current', 'aria-invalid', 'aria-busy', 'aria-modal', 'aria-orientation', 'aria-sort',
  'aria-haspopup', 'aria-level', 'aria-readonly', 'aria-required', 'aria-multiselectable',
]);
/** Attributes holding one URL (their query string is content) and srcset lists. */
const URL_ATTRS = new Set(['href', 'src', 'poster', 'action', 'formaction', 'background', 'data', 'xlink:href', 'cite', 'ping']);

/**
 * @param {string} pattern a URL pattern with `*` wildcards @param {string} url
 * Matches the full URL, host + path, or the path.
 */
export function urlMatches(pattern, url) {
  const regex = new RegExp('^' + pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*') + '$');
  let u;
  try {
    u = new URL(url);
  } catch {
    return regex.test(url);
  }
  return regex.test(url) || regex.test(u.host + u.pathname) || regex.test(u.pathname);
}

/**
 * The group's URL rules: masked pages (deny list) and, when not empty, unmasked pages (allow list).
 * @param {{maskedPages?: string[], unmaskedPages?: string[]}} rules @param {string} url
 */
export function pageMaskedByRules(rules, url) {
  if ((rules.maskedPages || []).some((p) => urlMatches(p, url))) return true;
  const allow = rules.unmaskedPages || [];
  return allow.length > 0 && !allow.some((p) => urlMatches(p, url));
}

export class MaskingPolicy {
  /**
   * @param {{
   *   maskPage?: boolean,
   *   masked?: string[],
   *   visible?: string[] | null,
   *   pages?: {maskedPages?: string[], unmaskedPages?: string[]},
   * }} rules `visible` non-null = private by default: only elements inside a visible match show;
   *   `pages` = the group's URL rules, applied to same-origin frames too
   */
  constructor(rules = {}) {
    const masked = rules.masked || [];
    const visible = rules.visible || [];
    /** Selectors the browser refuses. Fail closed: they mask the whole page (see MaskingRules). */
    this.invalid = [...masked, ...visible].filter((s) => !isValidSelector(s));
    this.maskPage = Boolean(rules.maskPage) || this.invalid.length > 0;
    this.maskedSelector = [BUILT_IN, ...masked.filter(isValidSelector)].join(', ');
    this.visibleSelector = rules.visible ? visible.filter(isValidSelector).join(', ') || ':not(*)' : null;
    this.pages = { maskedPages: rules.pages?.maskedPages || [], unmaskedPages: rules.pages?.unmaskedPages || [] };
    this.masksFrames = this.pages.maskedPages.length > 0 || this.pages.unmaskedPages.length > 0;
    /**
     * Whether an element's masked state can depend on other elements than itself: a combinator,
     * a relational or structural pseudo-class, or private mode (a visible ancestor). Then a
     * change is checked for the whole subtree (and siblings) it can reach.
     */
    this.contextual = this.visibleSelector !== null || masked.some((s) => /[\s>+~]|:(has|is|where|not|nth|first|last|only|empty|scope|host)/.test(s.trim()));
    /** `:has()` makes an element depend on its descendants: a change is checked from the root. */
    this.relational = masked.some((s) => s.includes(':has('));
    /** Sibling combinators: a change reaches the element's siblings too. */
    this.siblings = masked.some((s) => /[+~](?!=)/.test(s));
  }

  /** A key that changes whenever the rules do: a change means a full page with the new rules. */
  get signature() {
    return JSON.stringify([this.maskPage, this.maskedSelector, this.visibleSelector, this.pages]);
  }

  /** Private by default: content shows only inside the visible selectors. */
  get privateMode() {
    return this.visibleSelector !== null;
  }
  /**
   * The elements of one document or shadow root that match the masked selectors, found in one
   * native pass: the serializer asks `masksElement(el, set)` for each element of a whole tree,
   * and one query is cheaper than a `matches` call per element. Only valid while the DOM does
   * not change (one synchronous serialization).
   * @param {Document | ShadowRoot} root
   * @returns {Set<Element> | null} null when the query fails (then each element is matched)
   */
  matchingIn(root) {
    // `:scope` means the root in a query and the element itself in `matches`: not the same.
    if (this.maskedSelector.includes(':scope')) return null;
    try {
      return new Set(root.querySelectorAll(this.maskedSelector));
    } catch {
      return null;
    }
  }

  /**
   * Whether this element itself starts a masked region (the rule's second half; `isMasked`
   * adds the ancestors).
   * @param {Element} el
   * @param {Set<Element> | null} [matched] `matchingIn` of the element's root, in this same task
   */
  masksElement(el, matched = null) {
    // By tag, not instanceof: elements in a frame come from another realm.
    if (el.localName === 'input' && /** @type {HTMLInputElement} */ (el).type === 'password') everPassword.add(el);
    if (everPassword.has(el)) return true;
    if (matched) {
      if (matched.has(el)) return true;
    } else {
      try {
        if (el.matches(this.maskedSelector)) return true;
      } catch {
        /* selector validated at construction */
      }
    }
    if (this.masksFrames && (el.localName === 'iframe' || el.localName === 'frame') && this.masksFrame(el)) return true;
    if (this.visibleSelector !== null) {
      // Private by default: elements that hold content are masked unless inside a visible match.
      if (!holdsContent(el)) return false;
      return !this.insideVisible(el);
    }
    return false;
  }

  /**
   * A same-origin frame whose document is a masked page (by the group's URL rules). Frames
   * whose document has no URL of its own (about:blank, srcdoc) are part of the page around them.
   * @param {Element} frame
   */
  masksFrame(frame) {
    let url = '';
    try {
      url = /** @type {HTMLIFrameElement} */ (frame).contentDocument?.URL || '';
    } catch {
      return false; // another origin's frame: nothing of it is ever read
    }
    if (!/^https?:/i.test(url)) {
      // Not loaded yet: judge by its src, so content never shows before the rules could apply.
      const src = frame.getAttribute('src');
      if (!src) return false;
      try {
        url = new URL(src, frame.ownerDocument.baseURI).href;
      } catch {
        return false;
      }
      if (!/^https?:/i.test(url)) return false;
    }
    return pageMaskedByRules(this.pages, url);
  }

  /** Private mode: whether an element is inside a visible match (across shadow hosts and frames). @param {Element} el */
  insideVisible(el) {
    if (this.visibleSelector === null) return true;
    for (let n = /** @type {Element | null} */ (el); n; n = hostOf(n.getRootNode())) {
      try {
        if (n.closest(this.visibleSelector)) return true;
      } catch {
        return false;
      }
    }
    return false;
  }

  /**
   * THE rule: whether a node is in a masked region (the page masked, the node or an ancestor
   * across shadow hosts and frame elements masking itself).
   * @param {Node} node
   */
  isMasked(node) {
    if (this.maskPage) return true;
    for (let n = node.nodeType === Node.ELEMENT_NODE ? /** @type {Element | null} */ (node) : outerParent(node); n; n = outerParent(n)) {
      if (this.masksElement(n)) return true;
    }
    return false;
  }

  /**
   * The value an unmasked element's attribute leaves with, under private mode: content-bearing
   * attributes (title, alt, aria text, placeholder, value, data-*) stay home outside the visible
   * selectors, and URLs lose their query (and any fragment but a plain `#id`).
   * @param {Element} el @param {string} name @param {string} value an already absolute value
   * @returns {string | null}
   */
  visibleAttribute(el, name, value) {
    if (this.visibleSelector === null || this.insideVisible(el)) return value;
    if (CONTENT_ATTRS.has(name) || name.startsWith('data-')) {
      // The viewport meta is layout, not content.
      if (name === 'content' && el.localName === 'meta' && (el.getAttribute('name') || '').toLowerCase() === 'viewport') return value;
      return null;
    }
    if (name.startsWith('aria-')) return ARIA_STATES.has(name) ? value : null;
    if (URL_ATTRS.has(name)) return withoutQuery(value);
    if (name === 'srcset' || name === 'imagesrcset') return value.split(',').map((part) => withoutQuery(part.trim())).join(', ');
    return value;
  }

  /**
   * The page URL as agents may see it: none for a masked page, no query in private mode.
   * @param {string} href
   * @returns {string | null}
   */
  visibleUrl(href) {
    if (this.maskPage) return null;
    return this.visibleSelector === null ? href : withoutQuery(href);
  }

  /** @param {string} name */
  static keepsAttribute(name) {
    return KEPT_ON_MASKED.has(name);
  }
}

/**
 * A URL without its query; a fragment is kept only when it names an element (`#icon-cart`).
 * Descriptors after the URL (srcset's `2x`) are kept.
 * @param {string} value
 */
function withoutQuery(value) {
  const [url, ...rest] = value.trim().split(/\s+/);
  const hash = url.indexOf('#');
  const fragment = hash >= 0 && /^#[\w-]+$/.test(url.slice(hash)) ? url.slice(hash) : '';
  const cut = url.search(/[?#]/);
  const bare = cut >= 0 ? url.slice(0, cut) : url;
  return [bare + fragment, ...rest].join(' ');
}

/**
 * The element a shadow root or a frame's document hangs from: its host, its frame.
 * @param {Node} root
 * @returns {Element | null}
 */
function hostOf(root) {
  if (/** @type {ShadowRoot} */ (root).host) return /** @type {ShadowRoot} */ (root).host;
  if (root.nodeType !== Node.DOCUMENT_NODE) return null;
  try {
    return /** @type {Document} */ (root).defaultView?.frameElement || null;
  } catch {
    return null; // a frame of another origin
  }
}

/**
 * A node's parent element, across shadow roots (the host) and same-origin frames (the frame).
 * @param {Node} node
 * @returns {Element | null}
 */
export function outerParent(node) {
  // The browser's own getter: a page that patched `parentNode` must not hide a masked ancestor.
  const parent = read(node, 'parentNode');
  if (parent && parent.nodeType === Node.ELEMENT_NODE) return parent;
  if (node.nodeType === Node.DOCUMENT_NODE) return hostOf(node);
  return parent ? hostOf(parent) : null;
}

/** @type {WeakSet<Element>} */
const everPassword = new WeakSet();

/**
 * In private mode: leaf-ish elements whose own content would show. Structural containers
 * (body, div with only element children) stay visible so the page's layout is recognisable.
 * @param {Element} el
 */
function holdsContent(el) {
  const tag = el.localName;
  if (tag === 'input' || tag === 'textarea' || tag === 'select') return true;
  if (tag === 'img' || tag === 'canvas' || tag === 'video' || tag === 'svg' || tag === 'iframe' || tag === 'picture') return true;
  for (let child = read(el, 'firstChild'); child; child = read(child, 'nextSibling')) {
    if (child.nodeType === Node.TEXT_NODE && /\S/.test(/** @type {Text} */ (child).data)) return true;
  }
  return false;
}

/** @param {unknown} selector */
function isValidSelector(selector) {
  if (typeof selector !== 'string' || !selector.trim()) return false;
  try {
    document.createDocumentFragment().querySelector(selector);
    return true;
  } catch {
    return false;
  }
}
