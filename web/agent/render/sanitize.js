// @ts-check
/**
 * Turns the HTML of a pause message into safe DOM: parsed inertly (DOMParser runs no script),
 * then only allow-listed elements and text are copied, with no attributes except a checked
 * href on links. Anything else is dropped with its content, or (formatting) kept as its text.
 */

const KEEP = new Set(['b', 'strong', 'i', 'em', 'u', 'p', 'br', 'span', 'div', 'ul', 'ol', 'li', 'h1', 'h2', 'h3', 'a', 'small', 'code']);
const DROP_WITH_CONTENT = new Set(['script', 'style', 'template', 'iframe', 'object', 'embed', 'svg', 'math', 'noscript', 'title', 'head']);

/**
 * @param {string} html
 * @param {Document} doc where the result will live
 * @returns {DocumentFragment}
 */
export function sanitizeHtml(html, doc = document) {
  const parsed = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html');
  const out = doc.createDocumentFragment();
  copyChildren(parsed.body, out, doc);
  return out;
}

/** @param {Node} from @param {Node} to @param {Document} doc */
function copyChildren(from, to, doc) {
  for (let node = from.firstChild; node; node = node.nextSibling) {
    if (node.nodeType === Node.TEXT_NODE) {
      to.appendChild(doc.createTextNode(/** @type {Text} */ (node).data));
    } else if (node.nodeType === Node.ELEMENT_NODE) {
      const el = /** @type {Element} */ (node);
      const tag = el.localName;
      if (DROP_WITH_CONTENT.has(tag)) continue;
      if (!KEEP.has(tag)) {
        copyChildren(el, to, doc);
        continue;
      }
      const copy = doc.createElement(tag);
      const href = tag === 'a' ? el.getAttribute('href') : null;
      if (href && /^https?:\/\//i.test(href.trim())) {
        copy.setAttribute('href', href.trim());
        copy.setAttribute('target', '_blank');
        copy.setAttribute('rel', 'noopener noreferrer');
      }
      copyChildren(el, copy, doc);
      to.appendChild(copy);
    }
  }
}
