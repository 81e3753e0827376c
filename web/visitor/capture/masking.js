// @ts-check
/**
 * MaskingPolicy: the one place that decides what of the page may leave the visitor's browser.
 * Every path that reads page content (snapshot, mutations, form values, stylesheets) asks it.
 *
 * Masked elements keep their box in the mirror (tag, class, measured size) but none of their
 * text, values, content-carrying attributes, children, pixels or media. Deny by default: once an
 * element is masked, everything under it is masked.
 */

/** Elements marked by the page itself, no configuration needed. */
const BUILT_IN = '[glance_masked="true"], .glance_masked, input[type="password"]';

/** Attributes a masked element keeps: layout, never content. */
const KEPT_ON_MASKED = new Set(['id', 'class', 'type', 'rows', 'cols', 'size', 'width', 'height', 'dir', 'hidden']);

export class MaskingPolicy {
  /**
   * @param {{
   *   maskPage?: boolean,
   *   masked?: string[],
   *   visible?: string[] | null,
   * }} rules `visible` non-null = private by default: only elements inside a visible match show
   */
  constructor(rules = {}) {
    const masked = rules.masked || [];
    const visible = rules.visible || [];
    /** Selectors the browser refuses. Fail closed: they mask the whole page (see MaskingRules). */
    this.invalid = [...masked, ...visible].filter((s) => !isValidSelector(s));
    this.maskPage = Boolean(rules.maskPage) || this.invalid.length > 0;
    this.maskedSelector = [BUILT_IN, ...masked.filter(isValidSelector)].join(', ');
    this.visibleSelector = rules.visible ? visible.filter(isValidSelector).join(', ') || ':not(*)' : null;
  }

  /** A key that changes whenever the rules do: a change means a full page with the new rules. */
  get signature() {
    return JSON.stringify([this.maskPage, this.maskedSelector, this.visibleSelector]);
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
   * Whether this element itself starts a masked region.
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
    if (this.visibleSelector !== null) {
      // Private by default: elements that hold content are masked unless inside a visible match.
      if (!holdsContent(el)) return false;
      return !el.closest(this.visibleSelector);
    }
    return false;
  }

  /**
   * Whether a node is inside a masked region (itself or an ancestor masked).
   * @param {Node} node
   */
  isMasked(node) {
    for (let n = node.nodeType === Node.ELEMENT_NODE ? /** @type {Element | null} */ (node) : node.parentElement; n; n = outerParent(n)) {
      if (this.masksElement(n)) return true;
    }
    return false;
  }

  /** @param {string} name */
  static keepsAttribute(name) {
    return KEPT_ON_MASKED.has(name);
  }
}

/**
 * The parent element, across shadow roots (the host) and same-origin frames (the iframe).
 * @param {Element} el
 * @returns {Element | null}
 */
function outerParent(el) {
  if (el.parentElement) return el.parentElement;
  const parent = el.parentNode;
  if (parent && /** @type {ShadowRoot} */ (parent).host) return /** @type {ShadowRoot} */ (parent).host;
  if (parent && parent.nodeType === Node.DOCUMENT_NODE) {
    try {
      return /** @type {Document} */ (parent).defaultView?.frameElement || null;
    } catch {
      return null;
    }
  }
  return null;
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
  for (let child = el.firstChild; child; child = child.nextSibling) {
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
