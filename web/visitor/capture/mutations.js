// @ts-check
import { MaskingPolicy } from './masking.js';
import { attributeValue, OWN_ATTRS } from './serialize.js';

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
  /** Elements whose masking changed (a class, a type, private-mode content): sent again whole. */
  /** @type {Set<Element>} */
  const remask = new Set();
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
      if (serializer.masked.has(target) !== policy.masking.masksElement(target)) remask.add(target);
      // Nothing inside a masked box is ever sent; its own attributes only when they keep layout.
      if (serializer.masked.has(target) && !remask.has(target)) {
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
      const parent = r.target.parentNode;
      if (parent && isSheetOwner(parent)) dirtySheets.add(/** @type {Element} */ (parent));
      else texts.add(r.target);
    } else if (r.type === 'attributes' && r.attributeName && !OWN_ATTRS.has(r.attributeName)) {
      const el = /** @type {Element} */ (r.target);
      let names = attrs.get(el);
      if (!names) attrs.set(el, (names = new Set()));
      names.add(r.attributeName);
    }
  }

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
    // Still in the page only if moved: then it is removed here and added again below.
    if (node.isConnected && !added.has(node)) continue;
    rm.push(id);
    mirror.removeSubtree(node);
  }

  /** @type {Node[]} */
  const roots = [];
  for (const node of added) {
    const parent = node.parentNode;
    if (!node.isConnected || !parent || !mirror.has(parent) || mirror.has(node)) continue;
    if (isOpaque(parent) || serializer.masked.has(/** @type {Element} */ (parent)) || policy.skip(node)) continue;
    roots.push(node);
  }
  // Later siblings first, so each add's next sibling already exists on the agent side.
  roots.sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? 1 : -1));
  const add = [];
  for (const node of roots) {
    if (mirror.has(node)) continue;
    const parentId = /** @type {number} */ (mirror.idOf(/** @type {Node} */ (node.parentNode)));
    let next = node.nextSibling;
    while (next && !mirror.has(next)) next = next.nextSibling;
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
      const value = raw === null ? null : attributeValue(el, name, raw);
      if (raw !== null && value === null) continue;
      changed[name] = value;
      any = true;
    }
    if (any) at.push([id, changed]);
  }
  return { rm, add, tx, at };
}
