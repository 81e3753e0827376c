// @ts-check
import { routeUrl } from './assets.js';
import { MaskingPolicy } from './masking.js';
import { absolutizeCssUrls, ConstructedSheets, sheetText } from './styles.js';
import { animatesScript, isAnimation, isScriptUrl, listHasScriptUrl, targetsScript } from '../../common/urls.js';
import { canvasData } from './canvas.js';
import { spriteHolder, spriteRef } from './sprites.js';
import { GidWriter } from './gids.js';
import { read } from './natives.js';
import { currentSource, formState, frameDocument } from './state.js';

/**
 * Turns DOM nodes into plain JSON with mirror ids (rrweb's snapshot idea, compact keys):
 *   element  {i, t: tag, a?: {attr: value}, c?: [children], ns?: 's'|'m', v?: value, k?: checked,
 *             css?: text, s?: [x, y], sr?: shadow root, fd?: frame document, cv?: canvas PNG, cs?: current source,
 *             pl?: [playing, seconds] for video and audio, md?: 1 for a modal dialog}
 *   text     {i, x: text}     comment {i, m: ''}     doctype {i, d: name}
 *   document {i, c: [...], as?: [adopted sheet ids], q?: 1 (quirks mode); a frame's also s?: [x, y], u: base URL}
 *   shadow root {i, c: [...], as?: [adopted sheet ids]}     (sheet texts travel once, in `ss`)
 * Decisions made here, at the source: script text and inline handlers never leave the page;
 * URLs are made absolute so the agent's browser can load them; stylesheet text is read from
 * the CSSOM so rules added by scripts are included; open shadow roots and same-origin frames
 * go through the same masking as the page.
 */

const SVG_NS = 'http://www.w3.org/2000/svg';
const MATH_NS = 'http://www.w3.org/1998/Math/MathML';
/** Attributes that hold one URL. */
const URL_ATTRS = new Set(['href', 'src', 'poster', 'action', 'formaction', 'background', 'data', 'xlink:href', 'cite']);
/** Elements whose URLs the mirror never loads. */
const NOT_LOADED = /^(a|area|link|script|noscript|iframe|frame|form|base|object|embed)$/;
/** Our own attributes: the ids themselves travel as `i`. */
export const OWN_ATTRS = new Set(['data-gid', 'data-gcid']);

/**
 * @param {string} value @param {string} [base] the document's base URL (a frame's own)
 */
export function absoluteUrl(value, base = document.baseURI) {
  const trimmed = value.trim();
  if (!trimmed || trimmed.startsWith('#') || /^(data|blob|about|mailto|tel):/i.test(trimmed)) return value;
  try {
    return new URL(trimmed, base).href;
  } catch {
    return value;
  }
}

/** @param {string} value @param {string} base */
function absoluteSrcset(value, base) {
  return value
    .split(',')
    .map((part) => {
      const [url, ...descriptor] = part.trim().split(/\s+/);
      return [routeUrl(absoluteUrl(url, base)), ...descriptor].join(' ');
    })
    .join(', ');
}

/**
 * The value an attribute is sent with, or null when it is not sent at all.
 * @param {Element} el @param {string} name @param {string} value
 * @param {import('./masking.js').MaskingPolicy} masking private mode keeps content attributes home
 */
export function attributeValue(el, name, value, masking) {
  // Inline handlers (any case), our ids, and srcdoc (a frame's content travels as its
  // serialized, masked document instead) never leave; nor do pings (tracking, not rendering).
  if (((name.charCodeAt(0) | 32) === 111 && (name.charCodeAt(1) | 32) === 110) || OWN_ATTRS.has(name) || name === 'srcdoc' || name === 'ping') return null;
  let out = value;
  if (URL_ATTRS.has(name)) {
    if (isScriptUrl(value)) return null;
    out = absoluteUrl(value, el.ownerDocument.baseURI);
    // Another document's SVG element: sent with the page (sprites.js), the mirror cannot load it.
    if (el.localName === 'use') out = spriteRef(el.ownerDocument, out);
    // What the mirror loads (images, media, SVG references) may take the asset channel; not links,
    // forms, scripts, frames (their documents travel) or <link> (sheets travel as text).
    if (!/^(action|formaction|cite)$/.test(name) && !NOT_LOADED.test(el.localName)) out = routeUrl(out);
  } else if (name === 'srcset' || name === 'imagesrcset') {
    if (value.split(',').some(isScriptUrl)) return null;
    out = absoluteSrcset(value, el.ownerDocument.baseURI);
  } else if (name === 'style') {
    // Relative url() resolves against the visitor's page, not the viewer's origin.
    if (value.includes('url(')) out = absolutizeCssUrls(value, el.ownerDocument.baseURI);
  } else if (isAnimation(el.localName)) {
    if (name.toLowerCase() === 'attributename' ? targetsScript(value) : listHasScriptUrl(value)) return null;
  }
  if (el.localName === 'script' || el.localName === 'noscript') return name === 'id' || name === 'class' ? out : null;
  return masking.privateMode ? masking.visibleAttribute(el, name, out) : out;
}

export class Serializer {
  /**
   * @param {import('../../common/mirror.js').Mirror} mirror
   * @param {{ skip: (node: Node) => boolean, masking: import('./masking.js').MaskingPolicy }} policy
   *   which nodes never leave the page, and which leave only as masked boxes
   * @param {{ scrolled: Set<Element> }} scrollState elements seen scrolling
   */
  constructor(mirror, policy, scrollState) {
    this.mirror = mirror;
    this.policy = policy;
    this.scrollState = scrollState;
    /** Ids given out by the current serialization (new nodes), while `trackFresh` (a full
     * page needs no list: nothing else goes with it). */
    this.fresh = new Set();
    this.trackFresh = true;
    /** Masked-selector matches of the document or shadow root being serialized whole. */
    /** @type {Set<Element> | null} */
    this.matched = null;
    /** The id of the node serialized last in the current tree (for implicit ids). */
    this.previous = NaN;
    /** Writes the documented data-gid attributes (the recorder connects it to its observer). */
    this.gids = new GidWriter(mirror, { pause() {}, resume() {} });
    /** Elements sent as masked boxes: their content never leaves, now or in later changes.
     * A Set, not a WeakSet: a change can unmask them, so the recorder goes through them
     * (`Recorder.dropGone` forgets those no longer sent). */
    /** @type {Set<Element>} */
    this.masked = new Set();
    /** The size each masked box was sent with, to notice one that grows or shrinks. */
    /** @type {WeakMap<Element, number[]>} */
    this.boxSizes = new WeakMap();
    /** Told of every masked box measured (the recorder watches its size). */
    this.onMaskedBox = (/** @type {Element} */ el) => {};
    /** Masked boxes serialized since the last `measure()`: [element, its JSON]. */
    this.toMeasure = [];
    /** Told of every shadow root and frame document serialized, so changes in it are watched. */
    this.onRoot = (/** @type {Document | ShadowRoot} */ root) => {};
    /** @type {import('./fonts.js').FontInliner | undefined} */
    this.fonts = undefined;
    this.constructed = new ConstructedSheets();
  }

  /**
   * Gives masked boxes their size, in one layout pass after a serialization (measuring between
   * DOM writes would force a layout per element).
   */
  measure() {
    for (const [el, out] of this.toMeasure) {
      const rect = el.getBoundingClientRect();
      const inline = getComputedStyle(el).display === 'inline';
      out.mk = [Math.round(rect.width), Math.round(rect.height), inline ? 1 : 0];
      this.boxSizes.set(el, out.mk);
      this.onMaskedBox(el);
    }
    this.toMeasure = [];
  }

  /** Forgets masked boxes no longer sent (removed, or sent again unmasked). */
  dropGone() {
    for (const el of this.masked) if (!this.mirror.has(el)) this.masked.delete(el);
  }

  /** @param {Node} node @returns {number} */
  idFor(node) {
    let id = this.mirror.idOf(node);
    if (id === undefined) {
      id = this.mirror.assign(node);
      if (this.trackFresh) this.fresh.add(id);
      if (node.nodeType === Node.ELEMENT_NODE) {
        const el = /** @type {Element} */ (node);
        // The documented data-gid, written after the message is sent; a canvas's data-gcid
        // at once (few, and pages read it right away to call notifyChanged).
        if (el.localName === 'canvas') this.gids.now(el);
        else this.gids.add(el);
      }
    }
    return id;
  }

  /**
   * One tree as sent (the page's document, a delta's added node), with implicit ids
   * (`web/common/ids.js`): a node's `i` is written only when it is not the previous node's + 1.
   * Done while serializing, in the walk order the agent expands them in, so no second walk and
   * no `delete` (which would make every node object slow to stringify).
   * @param {Node} node
   * @returns {any | null} null when the node is not sent
   */
  tree(node) {
    this.previous = NaN;
    return this.serialize(node);
  }

  /**
   * The JSON of a node: `i` when it does not follow from the previous node's, then the fields.
   * @param {Node} node @returns {any}
   */
  start(node) {
    const id = this.idFor(node);
    const out = id === this.previous + 1 ? {} : { i: id };
    this.previous = id;
    return out;
  }

  /**
   * @param {Node} node
   * @returns {any | null} null when the node is not sent
   */
  serialize(node) {
    if (this.policy.skip(node)) return null;
    switch (node.nodeType) {
      case Node.DOCUMENT_NODE:
        return this.document(/** @type {Document} */ (node));
      case Node.DOCUMENT_TYPE_NODE: {
        const out = this.start(node);
        out.d = /** @type {DocumentType} */ (node).name;
        return out;
      }
      case Node.TEXT_NODE:
      case Node.CDATA_SECTION_NODE: {
        const out = this.start(node);
        out.x = /** @type {Text} */ (node).data;
        return out;
      }
      case Node.COMMENT_NODE: {
        const out = this.start(node);
        out.m = '';
        return out;
      }
      case Node.ELEMENT_NODE:
        return this.element(/** @type {Element} */ (node));
      default:
        return null;
    }
  }

  /** @param {Element} el */
  element(el) {
    const tag = el.localName;
    const ns = el.namespaceURI;
    // An animation that could make script is never sent (the viewer refuses it too).
    if (ns === SVG_NS && animatesScript(tag, (name) => el.getAttribute(name))) return null;
    /** @type {any} */
    const out = this.start(el);
    out.t = tag;
    if (ns === SVG_NS) out.ns = 's';
    else if (ns === MATH_NS) out.ns = 'm';
    if (this.policy.masking.masksElement(el, this.matched)) return this.maskedBox(el, out);
    if (this.masked.size) this.masked.delete(el);
    const list = el.attributes;
    if (list.length) {
      /** @type {Record<string, string>} */
      const attrs = {};
      let any = false;
      for (let k = 0; k < list.length; k++) {
        const attr = list[k];
        const value = attributeValue(el, attr.name, attr.value, this.policy.masking);
        if (value !== null) {
          attrs[attr.name] = value;
          any = true;
        }
      }
      if (any) out.a = attrs;
    }
    formState(el, out);
    const scrolled = this.scrollState.scrolled;
    if (scrolled.size && scrolled.has(el) && (el.scrollLeft || el.scrollTop)) out.s = [el.scrollLeft, el.scrollTop];
    // Script and noscript content is never sent (and noscript would render in the viewer).
    if (tag === 'script' || tag === 'noscript') return out;
    if (tag === 'style' || (tag === 'link' && isStylesheetLink(el))) {
      const css = sheetText(/** @type {HTMLStyleElement | HTMLLinkElement} */ (el), this.fonts);
      if (css !== null) {
        out.css = css;
        // The text children are covered by `css`; give them ids so mutations can find the owner.
        for (let child = el.firstChild; child; child = child.nextSibling) this.idFor(child);
        return out;
      }
    }
    if (read(el, 'firstChild')) {
      const children = this.children(el);
      if (children.length) out.c = children;
    }
    const sprites = tag === 'head' && spriteHolder(el.ownerDocument);
    if (sprites && sprites.firstChild) (out.c ||= []).push(this.serialize(sprites));
    /** @type {Node[] | null} */
    let roots = null;
    const shadow = read(el, 'shadowRoot');
    if (shadow) {
      out.sr = this.shadowRoot(shadow);
      roots = [shadow];
    }
    if (tag === 'iframe' || tag === 'frame') {
      const doc = frameDocument(el);
      if (doc) {
        out.fd = this.document(doc);
        (roots ||= []).push(doc);
      }
    } else if (tag === 'canvas') {
      const data = canvasData(/** @type {HTMLCanvasElement} */ (el));
      if (data) out.cv = data;
    } else if (tag === 'img') {
      const src = currentSource(/** @type {HTMLImageElement} */ (el));
      if (src) out.cs = src;
    }
    if (roots || this.mirror.hasAttached(el)) this.mirror.attach(el, roots || []);
    return out;
  }

  /**
   * The page, or a same-origin frame's document (with its own scroll offset and mode).
   * @param {Document} doc
   */
  document(doc) {
    /** @type {any} */
    const out = this.start(doc);
    out.c = this.childrenOfRoot(doc);
    const adopted = this.constructed.adoptedBy(doc);
    if (adopted.length) out.as = adopted;
    if (doc.compatMode === 'BackCompat') out.q = 1;
    if (doc !== document) {
      const win = doc.defaultView;
      if (win && (win.scrollX || win.scrollY)) out.s = [win.scrollX, win.scrollY];
      out.u = doc.baseURI;
      this.onRoot(doc);
    }
    return out;
  }

  /** An open shadow root: its children and adopted sheets; masking applies inside as outside. @param {ShadowRoot} root */
  shadowRoot(root) {
    /** @type {any} */
    const out = this.start(root);
    out.c = this.childrenOfRoot(root);
    const adopted = this.constructed.adoptedBy(root);
    if (adopted.length) out.as = adopted;
    this.onRoot(root);
    return out;
  }

  /**
   * A masked element: its tag and layout attributes only; size filled in by `measure()`.
   * @param {Element} el @param {any} out
   */
  maskedBox(el, out) {
    this.masked.add(el);
    /** @type {Record<string, string>} */
    const attrs = {};
    for (const attr of Array.from(el.attributes)) {
      if (MaskingPolicy.keepsAttribute(attr.name)) attrs[attr.name] = attr.value;
    }
    if (Object.keys(attrs).length) out.a = attrs;
    out.mk = [0, 0, 0];
    this.toMeasure.push([el, out]);
    return out;
  }

  /**
   * A whole document's or shadow root's children, with its masked-selector matches found in
   * one query (`MaskingPolicy.matchingIn`).
   * @param {Document | ShadowRoot} root
   */
  childrenOfRoot(root) {
    const outer = this.matched;
    this.matched = this.policy.masking.matchingIn(root);
    try {
      return this.children(root);
    } finally {
      this.matched = outer;
    }
  }

  /** @param {Node} node */
  children(node) {
    const list = [];
    for (let child = read(node, 'firstChild'); child; child = read(child, 'nextSibling')) {
      const s = this.serialize(child);
      if (s) list.push(s);
    }
    return list;
  }
}

/** @param {Element} el */
export function isStylesheetLink(el) {
  return /(^|\s)stylesheet(\s|$)/i.test(el.getAttribute('rel') || '');
}
