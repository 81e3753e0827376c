// @ts-check
/**
 * External SVG sprites (`<use href="/icons.svg#cart">`): the mirror is on Tandem's origin, where
 * the browser refuses another document's `<use>`. The visitor's script reads the sprite (on the
 * page's origin, as the browser requires too; cookies go along), once per page, and each
 * document gets a holder `<svg>` (in its head, where it renders nothing) with the elements it
 * references, renamed `tandem-sprite-<n>-<id>`; the `href` is sent as that local reference.
 * The holder is not in the page: the serializer adds it to the head it sends, and the recorder
 * sends what it gains as additions (`spriteAdds`). Inside a masked element nothing is read (its
 * attributes are never serialized). A `<use>` in a shadow root is not resolved (the holder is
 * not in its tree).
 */

/** Sprite files by URL: their number, and their document (null: unreadable). */
/** @type {Map<string, [number, Promise<Document | null>]>} */
const files = new Map();
/** @type {WeakMap<Document, Element>} */
const holders = new WeakMap();
/** Told of a document whose holder gained an element. */
export const sprites = { changed: (/** @type {Document} */ doc) => {} };

/** @param {Document} doc */
export const spriteHolder = (doc) => holders.get(doc);

/**
 * The `href` a `<use>` is sent with: another same-origin document's element becomes a local one.
 * @param {Document} doc @param {string} url absolute
 */
export function spriteRef(doc, url) {
  const [file, name] = url.split('#');
  if (name === undefined || !file.startsWith(location.origin + '/') || file === doc.URL.split('#')[0]) return url;
  if (!files.has(file)) files.set(file, [files.size, fetch(file).then((r) => r.text()).then((text) => new DOMParser().parseFromString(text, 'image/svg+xml'), () => null)]);
  const [n, sprite] = /** @type {[number, Promise<Document | null>]} */ (files.get(file));
  const id = `tandem-sprite-${n}-${name}`;
  if (!holders.has(doc)) holders.set(doc, doc.createElementNS('http://www.w3.org/2000/svg', 'svg'));
  const holder = /** @type {Element} */ (holders.get(doc));
  sprite.then((svg) => {
    const found = svg && svg.getElementById(name);
    if (!found || holder.querySelector(`[id="${CSS.escape(id)}"]`)) return;
    const copy = /** @type {Element} */ (doc.importNode(found, true));
    copy.id = id;
    holder.append(copy);
    sprites.changed(doc);
  });
  return '#' + id;
}

/**
 * Additions for what a document's holder gained since it was sent (the whole holder the first
 * time, under the head).
 * @param {Document} doc @param {import('./serialize.js').Serializer} ser @param {any[]} add
 */
export function spriteAdds(doc, ser, add) {
  const holder = holders.get(doc);
  const head = doc.head && ser.mirror.idOf(doc.head);
  if (!holder || !head) return;
  for (const el of ser.mirror.has(holder) ? holder.children : [holder]) {
    if (!ser.mirror.has(el)) add.push({ p: el === holder ? head : ser.mirror.idOf(holder), n: null, node: ser.tree(el) });
  }
}
