// @ts-check
/**
 * Element state in the mirror beyond attributes and children: form values, canvas pixels, the
 * image source the visitor's browser picked, media play state, modal dialogs.
 */
import { assetUrls } from './assets.js';

/**
 * Shows the visitor's canvas pixels (a PNG data URL). Without scripting a canvas renders as
 * its fallback content, so the pixels become the element's CSS content: an image of the
 * canvas's own size, which makes it a replaced element like a live canvas.
 * @param {HTMLElement} canvas @param {string} data
 */
export function paintCanvas(canvas, data) {
  if (!/^data:image\/png;base64,[A-Za-z0-9+/=]*$/.test(data)) return;
  canvasPixels.set(canvas, data);
  canvas.style.setProperty('content', `url("${data}")`, 'important');
}

/** The pixels shown in each canvas, put back when the visitor's script rewrites its style. */
/** @type {WeakMap<Element, string>} */
const canvasPixels = new WeakMap();

/** A canvas's style attribute was replaced: show its pixels again. @param {Element} el */
export function repaintCanvas(el) {
  const pixels = canvasPixels.get(el);
  if (pixels) paintCanvas(/** @type {HTMLElement} */ (el), pixels);
}

/**
 * The visitor's browser picked this image source (srcset, <picture>): show the same one, not
 * what the agent's screen would pick.
 * @param {Element} img @param {string} src
 */
export function pinImage(img, src) {
  img.setAttribute('src', assetUrls(src));
  img.removeAttribute('srcset');
  img.removeAttribute('sizes');
  img.setAttribute('data-tandem-current', '');
  if (img.parentElement?.localName === 'picture') pinPicture(img.parentElement);
}

/** A <picture> whose image is pinned: its sources must not override it. @param {Element} picture */
export function pinPicture(picture) {
  for (const source of picture.querySelectorAll(':scope > source')) source.removeAttribute('srcset');
}

/**
 * A dialog the visitor opened with showModal(): in the top layer, over its backdrop, as there.
 * Opening it moves focus into the mirror, so the viewer's focus is given back at once.
 * @param {HTMLDialogElement} dialog
 */
export function showModal(dialog) {
  if (!dialog.isConnected || dialog.matches(':modal')) return;
  const active = /** @type {HTMLElement | null} */ (document.activeElement);
  try {
    if (dialog.open) dialog.close();
    dialog.showModal();
  } catch {
    /* not allowed here: it stays an open dialog */
    dialog.setAttribute('open', '');
  }
  active?.focus({ preventScroll: true });
}

/**
 * Sets what the visitor typed or picked.
 * @param {Element} el @param {{v?: any, k?: boolean | 'i', cs?: string, pl?: [number, number], me?: number}} state
 *   k: 'i' = indeterminate; cs: the image source the visitor's browser picked; pl: media play state;
 *   me: the media found no source
 */
export function applyFormState(el, state) {
  const any = /** @type {any} */ (el);
  if (state.k !== undefined && 'checked' in any) {
    any.indeterminate = state.k === 'i';
    if (state.k !== 'i') any.checked = state.k;
  }
  if (typeof state.cs === 'string' && el.localName === 'img') pinImage(el, state.cs);
  if (el.localName === 'video' || el.localName === 'audio') {
    // The attribute makes an element muted only when the parser creates it: the control bar
    // would show the speaker until the first play.
    if (el.hasAttribute('muted')) any.muted = true;
    // The visitor's copy found no source (me): loading it here would show a spinner, or play
    // what the visitor does not see; with no source it looks as the visitor's does.
    if (state.me) {
      el.removeAttribute('src');
      for (const source of el.querySelectorAll('source')) source.removeAttribute('src');
      any.load();
    }
    if (Array.isArray(state.pl)) playState(any, state.pl);
  }
  if (state.v === undefined) return;
  if (el.localName === 'select') {
    if (Array.isArray(state.v)) state.v.forEach((selected, i) => any.options[i] && (any.options[i].selected = selected));
    else any.selectedIndex = state.v;
  } else if ('value' in any) {
    any.value = state.v;
  }
}

/**
 * Plays or pauses the mirrored media where the visitor's is; muted, so the agent hears nothing
 * the visitor did not choose to share.
 * @param {HTMLMediaElement} media @param {[number, number]} pl playing (1) or not, seconds
 */
function playState(media, [playing, seconds]) {
  media.muted = true;
  if (Math.abs(media.currentTime - seconds) > 0.25) media.currentTime = seconds;
  if (playing) media.play().catch(() => {});
  else media.pause();
}
