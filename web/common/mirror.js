// @ts-check
/**
 * Mirror: the two-way map between node ids and nodes, used by the visitor (ids become the
 * documented `data-gid`) and by the agent's rebuilt copy, so both ends speak the same ids.
 * Node → id lives in a WeakMap so removed nodes can be collected.
 */
export class Mirror {
  constructor() {
    /** @type {Map<number, Node>} */
    this.nodes = new Map();
    /** @type {WeakMap<Node, number>} */
    this.ids = new WeakMap();
    this.nextId = 1;
    /** Roots hanging off a node outside its children: a shadow root, an iframe's document. */
    /** @type {WeakMap<Node, Node[]>} */
    this.attached = new WeakMap();
  }

  /**
   * Records a shadow root or frame document under its host, so removing the host forgets it.
   * Replaces what was attached before (an iframe that loaded a new document).
   * @param {Node} host @param {Node[]} roots
   */
  attach(host, roots) {
    for (const old of this.attached.get(host) || []) if (!roots.includes(old)) this.removeSubtree(old);
    this.attached.set(host, roots);
  }

  /** @param {Node} node @returns {number | undefined} */
  idOf(node) {
    return this.ids.get(node);
  }

  /** @param {number} id @returns {Node | undefined} */
  get(id) {
    return this.nodes.get(id);
  }

  /** @param {Node} node @returns {boolean} */
  has(node) {
    return this.ids.has(node);
  }

  /** Gives a node the next id (visitor side). @param {Node} node @returns {number} */
  assign(node) {
    const id = this.nextId++;
    this.set(id, node);
    return id;
  }

  /** @param {number} id @param {Node} node */
  set(id, node) {
    this.nodes.set(id, node);
    this.ids.set(node, id);
  }

  /** Forgets a node and everything below it. @param {Node} node */
  removeSubtree(node) {
    const id = this.ids.get(node);
    if (id !== undefined) {
      this.nodes.delete(id);
      this.ids.delete(node);
    }
    for (let child = node.firstChild; child; child = child.nextSibling) this.removeSubtree(child);
    for (const root of this.attached.get(node) || []) this.removeSubtree(root);
  }

  reset() {
    this.nodes.clear();
    this.ids = new WeakMap();
    this.attached = new WeakMap();
    this.nextId = 1;
  }
}
