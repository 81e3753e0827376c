// @ts-check
/**
 * Builds the visitor's serialized nodes as real DOM inside the viewer's sandboxed iframe
 * (rrweb's rebuild, defensive): no script can come alive — script elements are inert, inline
 * `on*` handlers and `javascript:` URLs (in every spelling a browser accepts) are dropped, <base>,
 * refresh/CSP <meta>, SVG animations that could write a link or a handler and nested frame
 * sources are disarmed — and the iframe itself has no `allow-scripts`. Nothing may loosen the
 * referrer policy either: the viewer's URL holds the session key. Same-origin frames are
 * rebuilt from the visitor's serialized frame document in a sandboxed frame of their own, open
 * shadow roots are attached, canvases painted from the visitor's pixels.
 */
import { assetUrls } from './assets.js';
import { expandIds } from '../../common/ids.js';
import { animatesScript, isAnimation, isScriptUrl } from '../../common/urls.js';
import { constructedSheets, mirrorCss } from './css.js';
import { applyFormState, paintCanvas, pinPicture, repaintCanvas, showModal } from './state.js';

/**
 * Work that needs the built nodes in a live document (a frame has a document only once
 * inserted): done by `finishBuild` after the caller has inserted them.
 * @typedef {{frames: [HTMLIFrameElement, any][], modals: HTMLDialogElement[]}} Pending
 */

/** @returns {Pending} */
export function pending() {
  return { frames: [], modals: [] };
}

const NS = { s: 'http://www.w3.org/2000/svg', m: 'http://www.w3.org/1998/Math/MathML' };
const XLINK = 'http://www.w3.org/1999/xlink';
/** Attributes that hold one URL (besides any name ending in `href` or `src`: xlink:href, lowsrc). */
const URL_ATTRS = new Set([
  'action', 'formaction', 'data', 'poster', 'background', 'cite', 'longdesc', 'usemap', 'codebase',
  'classid', 'archive', 'manifest', 'icon', 'profile', 'itemtype', 'itemid',
]);
/** Attributes that hold a list of URLs with descriptors. */
const URL_LIST_ATTRS = new Set(['srcset', 'imagesrcset']);

/**
 * Whether an attribute may be set in the mirror, and with what value.
 * @param {string} tag @param {string} name @param {string} value
 * @returns {string | null}
 */
export function safeAttribute(tag, name, value) {
  const lower = name.toLowerCase();
  if (lower.startsWith('on')) return null;
  if ((URL_ATTRS.has(lower) || /(?:href|src)$/.test(lower)) && isScriptUrl(value)) return null;
  if (URL_LIST_ATTRS.has(lower) && value.split(',').some(isScriptUrl)) return null;
  // Hyperlink auditing would send the mirror's URL along; a link there is never followed anyway.
  if (lower === 'ping') return null;
  // The viewer's URL holds the session key: nothing may send it as a Referer.
  if (lower === 'referrerpolicy') return 'no-referrer';
  if (tag === 'meta' && lower === 'name' && value.trim().toLowerCase() === 'referrer') return null;
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
const DISARMED_TAG = 'tandem-disarmed';

/**
 * Whether an animation element with these attributes could write a link or an event handler
 * (`animatesScript`; names matched in any case, as a crafted payload may spell them).
 * @param {string} tag @param {Record<string, string | null>} attrs
 */
export function armedAnimation(tag, attrs) {
  if (!isAnimation(tag)) return false;
  const lower = new Map(Object.entries(attrs).map(([name, value]) => [name.toLowerCase(), value]));
  return animatesScript(tag, (name) => lower.get(name.toLowerCase()));
}

/**
 * Sets an attribute the visitor's page has (null: removes it). A value that may not be in the
 * mirror removes the attribute: the old, safe value would no longer be the visitor's.
 * @param {Element} el @param {string} name @param {string | null} value
 */
export function setAttribute(el, name, value) {
  const tag = el.localName;
  if (value === null) {
    el.removeAttribute(name);
    return;
  }
  const safe = safeAttribute(tag, name, assetUrls(value));
  if (safe === null) {
    el.removeAttribute(name);
    return;
  }
  try {
    if (name.startsWith('xlink:')) el.setAttributeNS(XLINK, name, safe);
    else el.setAttribute(name, safe);
  } catch {
    /* an attribute name the DOM refuses: skip it */
  }
  if (name === 'style') repaintCanvas(el);
}

/**
 * Applies a delta's attribute changes to one element. An animation element that would come to
 * write a link or a handler becomes an inert placeholder first, keeping its id and children.
 * @param {Element} el @param {Record<string, string | null>} attrs
 * @param {import('../../common/mirror.js').Mirror} mirror
 */
export function setAttributes(el, attrs, mirror) {
  let target = el;
  if (isAnimation(el.localName)) {
    /** @type {Record<string, string | null>} */
    const next = {};
    for (const attr of el.attributes) next[attr.name] = attr.value;
    Object.assign(next, attrs);
    if (armedAnimation(el.localName, next)) target = disarm(el, mirror);
  }
  for (const [name, value] of Object.entries(attrs)) setAttribute(target, name, value);
}

/**
 * Replaces a built element with an inert placeholder (same id, attributes and children).
 * @param {Element} el @param {import('../../common/mirror.js').Mirror} mirror
 */
function disarm(el, mirror) {
  const id = mirror.idOf(el);
  const placeholder = /** @type {Document} */ (el.ownerDocument).createElementNS(el.namespaceURI, DISARMED_TAG);
  for (const attr of el.attributes) {
    try {
      placeholder.setAttributeNS(attr.namespaceURI, attr.name, attr.value);
    } catch {
      /* a prefixed name in no namespace: not needed on a placeholder */
    }
  }
  placeholder.append(...el.childNodes);
  el.replaceWith(placeholder);
  mirror.removeSubtree(el);
  if (id !== undefined) mirror.set(id, placeholder);
  return placeholder;
}

/**
 * @param {Document} doc the iframe's document
 * @param {any} n a serialized node
 * @param {import('../../common/mirror.js').Mirror} mirror
 * @param {Pending} later frames to fill once inserted
 * @returns {Node | null}
 */
export function buildNode(doc, n, mirror, later) {
  /** @type {Node} */
  let node;
  if (n.x !== undefined) node = doc.createTextNode(n.x);
  else if (n.m !== undefined) node = doc.createComment('');
  else if (n.d !== undefined) node = doc.implementation.createDocumentType(n.d || 'html', '', '');
  else if (n.t !== undefined) node = buildElement(doc, n, mirror, later);
  else return null;
  mirror.set(n.i, node);
  return node;
}

/**
 * @param {Document} doc @param {any} n @param {import('../../common/mirror.js').Mirror} mirror
 * @param {Pending} later
 */
function buildElement(doc, n, mirror, later) {
  let tag = n.t;
  if (DISARMED.has(tag) || armedAnimation(tag, n.a || {})) tag = DISARMED_TAG;
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
  if (tag === 'iframe' || tag === 'frame') {
    // Never the visitor's source: a same-origin frame's document is rebuilt here, inert.
    el.setAttribute('sandbox', n.fd ? 'allow-same-origin' : '');
    if (n.fd) later.frames.push([/** @type {HTMLIFrameElement} */ (el), n.fd]);
  }
  if (typeof n.css === 'string') {
    el.textContent = mirrorCss(n.css);
  } else if (n.c) {
    for (const child of n.c) {
      const built = buildNode(doc, child, mirror, later);
      if (built) el.appendChild(built);
    }
  }
  if (n.sr) buildShadowRoot(doc, el, n.sr, mirror, later);
  if (n.md && tag === 'dialog') later.modals.push(/** @type {HTMLDialogElement} */ (el));
  if (n.cv) paintCanvas(/** @type {HTMLElement} */ (el), n.cv);
  if (tag === 'picture') {
    for (const child of el.children) if (child.localName === 'img' && child.hasAttribute('data-tandem-current')) pinPicture(el);
  }
  applyFormState(el, n);
  return el;
}

/**
 * @param {Document} doc @param {Element} host @param {any} sr @param {import('../../common/mirror.js').Mirror} mirror
 * @param {Pending} later
 */
function buildShadowRoot(doc, host, sr, mirror, later) {
  let root;
  try {
    root = host.attachShadow({ mode: 'open' });
  } catch {
    return; // an element that cannot host one here
  }
  mirror.set(sr.i, root);
  mirror.attach(host, [root]);
  for (const child of sr.c || []) {
    const built = buildNode(doc, child, mirror, later);
    if (built) root.appendChild(built);
  }
  if (sr.as) constructedSheets.adopt(root, sr.as);
}

/**
 * Builds the frames collected while building nodes, now that they are in a live document
 * (frames inside them are collected and built in turn).
 * @param {Pending} later @param {import('../../common/mirror.js').Mirror} mirror
 */
export function finishBuild(later, mirror) {
  while (later.frames.length) {
    const [frame, fd] = /** @type {[HTMLIFrameElement, any]} */ (later.frames.shift());
    const doc = frame.contentDocument;
    if (!doc) continue; // not in a live document after all
    // A new document in the mode the visitor's frame has (the initial one is in quirks mode).
    resetMode(doc, Boolean(fd.q), true);
    fillDocument(doc, fd, fd.u || '', mirror, later);
    mirror.attach(frame, [doc]);
    if (fd.s) {
      const [x, y] = fd.s;
      doc.defaultView?.scrollTo(x, y);
      requestAnimationFrame(() => doc.defaultView?.scrollTo(x, y));
    }
  }
  for (const dialog of later.modals.splice(0)) showModal(dialog);
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
 * Replaces the iframe's document content with a full page.
 * @param {Document} doc
 * @param {any} page the `page` frame payload
 * @param {import('../../common/mirror.js').Mirror} mirror
 */
export function buildDocument(doc, page, mirror) {
  expandIds(page.doc);
  mirror.reset();
  resetMode(doc, Boolean(page.doc.q), false);
  constructedSheets.reset();
  for (const [id, text] of page.ss || []) constructedSheets.setText(id, text);
  const later = pending();
  fillDocument(doc, page.doc, page.url, mirror, later);
  finishBuild(later, mirror);
}

/**
 * Gives a document the visitor's rendering mode (quirks or standards): only the parser sets
 * it, so the document is opened and written anew (done only when the mode must change).
 * @param {Document} doc @param {boolean} quirks @param {boolean} always
 */
function resetMode(doc, quirks, always) {
  if (!always && (doc.compatMode === 'BackCompat') === quirks) return;
  doc.open();
  doc.write(quirks ? '<html></html>' : '<!DOCTYPE html><html></html>');
  doc.close();
}

/**
 * Fills a document (the mirror's, or a mirrored frame's) with a serialized document node.
 * @param {Document} doc @param {any} node @param {string} url the visitor's document URL
 * @param {import('../../common/mirror.js').Mirror} mirror @param {Pending} later
 */
function fillDocument(doc, node, url, mirror, later) {
  while (doc.firstChild) doc.removeChild(doc.firstChild);
  mirror.set(node.i, doc);
  for (const child of node.c || []) {
    const built = buildNode(doc, child, mirror, later);
    if (built) doc.appendChild(built);
  }
  // Relative URLs left in the content (style attributes, <style> text) resolve against the
  // visitor's page, as they do for the visitor.
  const head = doc.head || doc.documentElement?.insertBefore(doc.createElement('head'), doc.documentElement.firstChild);
  if (head && /^https?:/i.test(url)) {
    const base = doc.createElement('base');
    base.href = url;
    head.insertBefore(base, head.firstChild);
  }
  constructedSheets.adopt(doc, node.as || []);
}
