// @ts-check
import { routeUrl } from './assets.js';
/**
 * Element state that is not in the DOM tree: form values, a media element's play state, a
 * modal dialog, the image source the browser picked, a frame's document. Read by tag, not
 * instanceof, because a frame's elements come from another realm.
 */

const HTML_NS = 'http://www.w3.org/1999/xhtml';
/** The seed's media view ids: `glance_agentvideo`, `glance_screenshare`, `glance_agentvideo_2`, `glance_video_1`. */
const MEDIA_VIEW = /^glance_(agentvideo|screenshare|video)(_\d+)?$/;
/** The shared document's viewer (documents/overlay.js): never captured either. */
const DOCUMENT_VIEW = 'glance_document_frame';

/**
 * A same-origin frame's document; null for another origin's.
 * @param {Element} el
 * @returns {Document | null}
 */
export function frameDocument(el) {
  // An agent's video or screen share plays there (media/view.js): never captured.
  if (MEDIA_VIEW.test(el.id) || el.id === DOCUMENT_VIEW) return null;
  try {
    return /** @type {HTMLIFrameElement} */ (el).contentDocument;
  } catch {
    return null;
  }
}

/**
 * The image the visitor's browser picked from srcset or <picture>, when it is not `src`:
 * the agent's screen may have another pixel ratio or the sources other media.
 * @param {HTMLImageElement} img
 */
export function currentSource(img) {
  const current = img.currentSrc;
  if (!current || current === img.src || /^(blob|data):/i.test(current)) return null;
  if (!img.hasAttribute('srcset') && img.parentElement?.localName !== 'picture') return null;
  return routeUrl(current);
}


/**
 * Input types whose value is not typed (a button's label is its attribute) or never sent
 * (files, passwords).
 */
const VALUE_IS_ATTRIBUTE = new Set(['file', 'password', 'submit', 'reset', 'button', 'image', 'hidden']);

/**
 * Current form values (properties, not attributes: what the visitor typed).
 * @param {Element} el @param {any} out
 */
export function formState(el, out) {
  const tag = el.localName;
  const field = /** @type {any} */ (el);
  if (el.namespaceURI !== HTML_NS) return;
  if (tag === 'input') {
    if (field.type === 'checkbox' || field.type === 'radio') {
      out.k = field.checked;
      if (field.indeterminate) out.k = 'i';
    } else if (!VALUE_IS_ATTRIBUTE.has(field.type)) out.v = field.value;
  } else if (tag === 'textarea') {
    out.v = field.value;
  } else if (tag === 'select') {
    out.v = field.multiple ? Array.from(field.options, (/** @type {any} */ o) => o.selected) : field.selectedIndex;
  } else if (tag === 'dialog') {
    // Opened with showModal(): top layer, backdrop, centred; an `open` attribute alone is not that.
    if (field.open && isModal(el)) out.md = 1;
  } else if ((tag === 'video' || tag === 'audio') && field.networkState === 3) {
    // No source could be loaded: the agent's copy is shown failed too, not loading it again.
    out.me = 1;
  } else if ((tag === 'video' || tag === 'audio') && (!field.paused || field.currentTime > 0)) {
    // Play state: playing or not, and where (the agent's copy loads the media itself).
    out.pl = [field.paused ? 0 : 1, Math.round(field.currentTime * 1000) / 1000];
  }
}

/** Whether an element holds state beyond its DOM (form fields, media), in any realm. @param {any} el */
export function isFormField(el) {
  return Boolean(el) && el.nodeType === 1 && el.namespaceURI === HTML_NS && STATEFUL.has(el.localName);
}

const STATEFUL = new Set(['input', 'textarea', 'select', 'video', 'audio', 'dialog']);

/** @param {Element} el */
function isModal(el) {
  try {
    return el.matches(':modal');
  } catch {
    return false; // a browser without :modal
  }
}
