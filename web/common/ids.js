// @ts-check
/**
 * Implicit node ids. Almost every node of a serialized tree has the id of the node before it
 * plus one (ids are given out in document order), and the ids were over half of a compressed
 * snapshot. So a node's `i` is left out when it is the previous node's id + 1, the previous
 * node being the one before it in this walk: the node, its children `c` in order, then its
 * shadow root `sr`, then its frame document `fd`. The first node of a tree always has its id.
 * The visitor's serializer leaves them out as it writes each tree it sends (the page's `doc`,
 * each delta `add.node`: `Serializer.tree`); `compactIds` is the same rule on a finished tree.
 * The agent expands each tree before building.
 */

/** @param {any} node @param {(node: any) => void} visit */
function walk(node, visit) {
  visit(node);
  for (const child of node.c || []) walk(child, visit);
  if (node.sr) walk(node.sr, visit);
  if (node.fd) walk(node.fd, visit);
}

/** Removes the ids that follow from their predecessor (in place). @param {any} tree */
export function compactIds(tree) {
  let previous = NaN;
  walk(tree, (node) => {
    const id = node.i;
    if (id === previous + 1) delete node.i;
    previous = id;
  });
  return tree;
}

/** Puts back every id `compactIds` left out (in place). @param {any} tree */
export function expandIds(tree) {
  let previous = NaN;
  walk(tree, (node) => {
    if (typeof node.i !== 'number') node.i = previous + 1;
    previous = node.i;
  });
  return tree;
}
