// @ts-check
import { MaskingPolicy } from './masking.js';
import { attributeValue, OWN_ATTRS } from './serialize.js';
import { read } from './natives.js';

/**
 * Sorts MutationObserver records into one batch (after rrweb's MutationBuffer):
 *   rm  ids removed
 *   add [{p: parentId, n: nextSiblingId | null, node}] in an order where `n` always exists when applied
 *   tx  [[id, text]]      at [[id, {name: value | null}]]
 * Nodes added and removed within the batch are never sent; text and attribute changes on nodes
 * that are new in this batch are covered by their serialization.
 */

/** @param {Node} node */
function isSheetOwner(node) {
  return node.nodeType === Node.ELEMENT_NODE && /** @type {Element} */ (node).localName === 'style';
}

/** @param {Node} node */
function isOpaque(node) {
  if (node.nodeType !== Node.ELEMENT_NODE) return false;
  const tag = /** @type {Element} */ (node).localName;
  return tag === 'script' || tag === 'noscript';
}

/**
 * @param {MutationRecord[]} records
 * @param {import('./serialize.js').Serializer} serializer
 * @param {{ skip: (node: Node) => boolean, masking: import('./masking.js').MaskingPolicy }} policy
 * @param {Set<Element>} dirtySheets style elements whose text changed (sent as whole sheets)
 * @param {Set<Element>} [resend] elements to send again whole (a frame with a new document,
 *   a host given a shadow root): removed and added like a moved node
 */
export function processMutations(records, serializer, policy, dirtySheets, resend = new Set()) {
  const mirror = serializer.mirror;
  const masking = policy.masking;
  /** Elements whose masking changed (a class, a type, private-mode content): sent again whole. */
  /** @type {Set<Element>} */
  const remask = new Set();
  /** Elements whose change can alter the masking of others (an ancestor's class under `.vault .field`). */
  /** @type {Set<Element>} */
  const reach = new Set();
  /** @type {Set<Node>} */
  const removed = new Set();
  /** @type {Set<Node>} */
  const added = new Set();
  /** @type {Set<Node>} */
  const texts = new Set();
  /** @type {Map<Element, Set<string>>} */
  const attrs = new Map();

  for (const r of records) {
    const target = /** @type {Element} */ (r.target);
    if (target.nodeType === Node.ELEMENT_NODE && mirror.has(target) && target.isConnected) {
      const box = serializer.masked.has(target);
      if (box !== masking.masksElement(target)) remask.add(target);
      if (masking.contextual && r.type !== 'characterData') reach.add(masking.relational ? topElement(target) : masking.siblings ? target.parentElement || target : target);
      // Nothing inside a masked box is ever sent; its own attributes only when they keep layout.
      if (box && !remask.has(target)) {
        if (r.type !== 'attributes' || !r.attributeName || !MaskingPolicy.keepsAttribute(r.attributeName)) continue;
      }
    }
    if (r.type === 'childList') {
      if (isSheetOwner(r.target)) {
        dirtySheets.add(/** @type {Element} */ (r.target));
        continue;
      }
      r.removedNodes.forEach((n) => removed.add(n));
      r.addedNodes.forEach((n) => added.add(n));
    } else if (r.type === 'characterData') {
      const parent = read(r.target, 'parentNode');
      if (parent && isSheetOwner(parent)) dirtySheets.add(/** @type {Element} */ (parent));
      else texts.add(r.target);
    } else if (r.type === 'attributes' && r.attributeName && !OWN_ATTRS.has(r.attributeName)) {
      const el = /** @type {Element} */ (r.target);
      let names = attrs.get(el);
      if (!names) attrs.set(el, (names = new Set()));
      names.add(r.attributeName);
    }
  }
  if (reach.size) recheckMasking(reach, serializer, masking, remask);

  for (const el of [...remask, ...resend]) {
    if (!el.isConnected || !mirror.has(el)) continue;
    removed.add(el);
    added.add(el);
  }

  /** @type {number[]} */
  const rm = [];
  for (const node of removed) {
    const id = mirror.idOf(node);
    if (id === undefined) continue;
    rm.push(id);
    mirror.removeSubtree(node);
    // Still in the page: moved. It is sent again only if its new place is sent (not into a
    // masked box, a masked shadow root or frame, or anything else never mirrored).
    if (node.isConnected) added.add(node);
  }
  if (rm.length && serializer.masked.size) serializer.dropGone();

  /** @type {Node[]} */
  const roots = [];
  for (const node of added) {
    const parent = read(node, 'parentNode');
    if (!node.isConnected || !parent || !mirror.has(parent) || mirror.has(node)) continue;
    if (isOpaque(parent) || serializer.masked.has(/** @type {Element} */ (parent)) || policy.skip(node)) continue;
    roots.push(node);
  }
  // Later siblings first, so each add's next sibling already exists on the agent side.
  roots.sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? 1 : -1));
  const add = [];
  for (const node of roots) {
    if (mirror.has(node)) continue;
    const parentId = /** @type {number} */ (mirror.idOf(read(node, 'parentNode')));
    let next = read(node, 'nextSibling');
    while (next && !mirror.has(next)) next = read(next, 'nextSibling');
    const serialized = serializer.tree(node);
    if (serialized) add.push({ p: parentId, n: next ? mirror.idOf(next) : null, node: serialized });
  }

  const tx = [];
  for (const node of texts) {
    const id = mirror.idOf(node);
    if (id === undefined || serializer.fresh.has(id) || !node.isConnected) continue;
    if (node.parentElement && serializer.masked.has(node.parentElement)) continue;
    tx.push([id, /** @type {CharacterData} */ (node).data]);
  }

  const at = [];
  for (const [el, names] of attrs) {
    const id = mirror.idOf(el);
    if (id === undefined || serializer.fresh.has(id) || !el.isConnected) continue;
    /** @type {Record<string, string | null>} */
    const changed = {};
    let any = false;
    for (const name of names) {
      const raw = el.getAttribute(name);
      const value = raw === null ? null : attributeValue(el, name, raw, masking);
      if (raw !== null && value === null) {
        // Dropped now (private mode, a script URL): the agent must not keep an older value.
        if (!MaskingPolicy.keepsAttribute(name)) {
          changed[name] = null;
          any = true;
        }
        continue;
      }
      changed[name] = value;
      any = true;
    }
    if (any) at.push([id, changed]);
  }
  return { rm, add, tx, at };
}

/**
 * A change to these elements can change whether other elements are masked (selectors with
 * combinators or relational pseudo-classes, private mode's visible ancestors): every sent
 * element they can reach is asked again, both ways — newly matched elements become masked
 * boxes, boxes that no longer match are sent with their content.
 * @param {Set<Element>} reach
 * @param {import('./serialize.js').Serializer} serializer
 * @param {import('./masking.js').MaskingPolicy} masking
 * @param {Set<Element>} remask filled with the elements whose masking changed
 */
function recheckMasking(reach, serializer, masking, remask) {
  const mirror = serializer.mirror;
  /** Outermost regions only: one inside another is covered by it. */
  const regions = new Set();
  for (const el of reach) {
    if (!el.isConnected) continue;
    let inner = false;
    for (let n = el.parentElement; n && !inner; n = n.parentElement) inner = reach.has(n);
    if (!inner) regions.add(el);
  }
  const selector = masking.privateMode ? '*' : masking.maskedSelector;
  for (const region of regions) {
    /** @type {Iterable<Element>} */
    let below;
    try {
      below = region.querySelectorAll(selector);
    } catch {
      below = region.querySelectorAll('*');
    }
    for (const el of [region, ...below]) {
      if (mirror.has(el) && !serializer.masked.has(el) && masking.masksElement(el)) remask.add(el);
    }
  }
  for (const box of serializer.masked) {
    if (!mirror.has(box) || !box.isConnected) continue;
    let inside = false;
    for (let n = /** @type {Element | null} */ (box); n && !inside; n = n.parentElement) inside = regions.has(n);
    if (inside && !masking.masksElement(box)) remask.add(box);
  }
}

/** The outermost element of an element's tree (document or shadow root). @param {Element} el */
function topElement(el) {
  let top = el;
  while (top.parentElement) top = top.parentElement;
  return top;
}
