// @ts-check
/**
 * Builds the visitor's serialized nodes as real DOM inside the viewer's sandboxed iframe
 * (rrweb's rebuild, defensive): no script can come alive — script elements are inert, inline
 * `on*` handlers and `javascript:` URLs are dropped, <base>, refresh/CSP <meta> and nested frame
 * sources are disarmed — and the iframe itself has no `allow-scripts`.
 */

const NS = { s: 'http://www.w3.org/2000/svg', m: 'http://www.w3.org/1998/Math/MathML' };
const XLINK = 'http://www.w3.org/1999/xlink';
const URL_ATTRS = new Set(['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'poster', 'background']);

/**
 * Whether an attribute may be set in the mirror, and with what value.
 * @param {string} tag @param {string} name @param {string} value
 * @returns {string | null}
 */
export function safeAttribute(tag, name, value) {
  const lower = name.toLowerCase();
  if (lower.startsWith('on')) return null;
  if (URL_ATTRS.has(lower) && /^\s*(javascript|vbscript):/i.test(value)) return null;
  if (lower === 'srcdoc') return null;
  if (tag === 'iframe' || tag === 'frame' || tag === 'object' || tag === 'embed') {
    if (lower === 'src' || lower === 'data') return null;
  }
  if (tag === 'meta' && lower === 'http-equiv') return null;
  if ((tag === 'form' && lower === 'action') || lower === 'formaction') return null;
  if (tag === 'script' && lower !== 'id' && lower !== 'class') return null;
  return value;
}

/** Tags never built as themselves (kept as inert placeholders so ids still resolve). */
const DISARMED = new Set(['base']);

/**
 * @param {Element} el @param {string} name @param {string | null} value
 */
export function setAttribute(el, name, value) {
  const tag = el.localName;
  if (value === null) {
    el.removeAttribute(name);
    return;
  }
  const safe = safeAttribute(tag, name, value);
  if (safe === null) return;
  try {
    if (name.startsWith('xlink:')) el.setAttributeNS(XLINK, name, safe);
    else el.setAttribute(name, safe);
  } catch {
    /* an attribute name the DOM refuses: skip it */
  }
}

/**
 * @param {Document} doc the iframe's document
 * @param {any} n a serialized node
 * @param {import('../../common/mirror.js').Mirror} mirror
 * @returns {Node | null}
 */
export function buildNode(doc, n, mirror) {
  /** @type {Node} */
  let node;
  if (n.x !== undefined) node = doc.createTextNode(n.x);
  else if (n.m !== undefined) node = doc.createComment('');
  else if (n.d !== undefined) node = doc.implementation.createDocumentType(n.d || 'html', '', '');
  else if (n.t !== undefined) node = buildElement(doc, n, mirror);
  else return null;
  mirror.set(n.i, node);
  return node;
}

/**
 * @param {Document} doc @param {any} n @param {import('../../common/mirror.js').Mirror} mirror
 */
function buildElement(doc, n, mirror) {
  let tag = n.t;
  if (DISARMED.has(tag)) tag = 'tandem-disarmed';
  // A stylesheet link whose rules the visitor could read becomes a <style>: the agent may not
  // be able to fetch the sheet (cookies, another origin).
  const inlineSheet = tag === 'link' && typeof n.css === 'string';
  if (inlineSheet) tag = 'style';
  const el = n.ns && NS[n.ns] ? doc.createElementNS(NS[n.ns], tag) : doc.createElement(tag);
  for (const [name, value] of Object.entries(n.a || {})) {
    if (inlineSheet && name !== 'media' && name !== 'id' && name !== 'class') continue;
    setAttribute(el, name, /** @type {string} */ (value));
  }
  if (n.mk) maskedBox(el, n.mk);
  if (tag === 'script') el.setAttribute('type', 'text/tandem-inert');
  if (tag === 'iframe') el.setAttribute('sandbox', '');
  if (typeof n.css === 'string') {
    el.textContent = n.css;
  } else if (n.c) {
    for (const child of n.c) {
      const built = buildNode(doc, child, mirror);
      if (built) el.appendChild(built);
    }
  }
  applyFormState(el, n);
  return el;
}

/**
 * A masked element: the visitor's box size, a neutral striped placeholder, no content.
 * @param {Element} el @param {[number, number, number]} mk width, height, 1 when inline
 */
function maskedBox(el, [width, height, inline]) {
  el.setAttribute(
    'style',
    `width:${width}px !important;height:${height}px !important;min-width:0 !important;min-height:0 !important;` +
      `box-sizing:border-box !important;overflow:hidden !important;${inline ? 'display:inline-block !important;' : ''}` +
      'background:repeating-linear-gradient(45deg,#d5d9e2 0 6px,#e8ebf1 6px 12px) !important;color:transparent !important;',
  );
  el.setAttribute('data-tandem-masked', '');
}

/**
 * Sets what the visitor typed or picked.
 * @param {Element} el @param {{v?: any, k?: boolean}} state
 */
export function applyFormState(el, state) {
  const any = /** @type {any} */ (el);
  if (state.k !== undefined && 'checked' in any) any.checked = state.k;
  if (state.v === undefined) return;
  if (el.localName === 'select') {
    if (Array.isArray(state.v)) state.v.forEach((selected, i) => any.options[i] && (any.options[i].selected = selected));
    else any.selectedIndex = state.v;
  } else if ('value' in any) {
    any.value = state.v;
  }
}

/**
 * Replaces the iframe's document content with a full page.
 * @param {Document} doc
 * @param {any} page the `page` frame payload
 * @param {import('../../common/mirror.js').Mirror} mirror
 */
export function buildDocument(doc, page, mirror) {
  mirror.reset();
  while (doc.firstChild) doc.removeChild(doc.firstChild);
  mirror.set(page.doc.i, doc);
  for (const child of page.doc.c || []) {
    const built = buildNode(doc, child, mirror);
    if (built) doc.appendChild(built);
  }
  // Relative URLs left in the content (style attributes, <style> text) resolve against the
  // visitor's page, as they do for the visitor.
  const head = doc.head || doc.documentElement?.insertBefore(doc.createElement('head'), doc.documentElement.firstChild);
  if (head) {
    const base = doc.createElement('base');
    base.href = page.url;
    head.insertBefore(base, head.firstChild);
  }
}
