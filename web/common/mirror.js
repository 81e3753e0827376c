// @ts-check
/**
 * Mirror: the two-way map between node ids and nodes, used by the visitor (ids become the
 * documented `data-gid`) and by the agent's rebuilt copy, so both ends speak the same ids.
 * Node → id is a property on the node under a symbol of this mirror's own (as frameworks keep
 * their fibers): a snapshot sets tens of thousands, and a WeakMap costs several times more per
 * entry. The symbol is not enumerable by the page's for…in or Object.keys, removed nodes can
 * be collected, and a new symbol forgets every id at once.
 */
export class Mirror {
  constructor() {
    /** @type {Map<number, Node>} */
    this.nodes = new Map();
    this.key = Symbol('tandem-id');
    this.nextId = 1;
    /** Roots hanging off a node outside its children: a shadow root, an iframe's document. */
    /** @type {WeakMap<Node, Node[]>} */
    this.attached = new WeakMap();
    this.attachedAny = false;
  }

  /**
   * Records a shadow root or frame document under its host, so removing the host forgets it.
   * Replaces what was attached before (an iframe that loaded a new document).
   * @param {Node} host @param {Node[]} roots
   */
  attach(host, roots) {
    for (const old of this.attached.get(host) || []) if (!roots.includes(old)) this.removeSubtree(old);
    this.attached.set(host, roots);
    this.attachedAny = true;
  }

  /** Whether a host has roots recorded (cheap when no host ever had any). @param {Node} host */
  hasAttached(host) {
    return this.attachedAny && this.attached.has(host);
  }

  /** @param {Node} node @returns {number | undefined} */
  idOf(node) {
    return /** @type {any} */ (node)[this.key];
  }

  /** @param {number} id @returns {Node | undefined} */
  get(id) {
    return this.nodes.get(id);
  }

  /** @param {Node} node @returns {boolean} */
  has(node) {
    return /** @type {any} */ (node)[this.key] !== undefined;
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
    /** @type {any} */ (node)[this.key] = id;
  }

  /** Forgets a node and everything below it. @param {Node} node */
  removeSubtree(node) {
    const id = this.idOf(node);
    if (id !== undefined) {
      this.nodes.delete(id);
      /** @type {any} */ (node)[this.key] = undefined; // not `delete`: that slows the node's object down
    }
    for (let child = node.firstChild; child; child = child.nextSibling) this.removeSubtree(child);
    if (this.attachedAny) for (const root of this.attached.get(node) || []) this.removeSubtree(root);
  }

  reset() {
    this.nodes.clear();
    this.key = Symbol('tandem-id');
    this.attached = new WeakMap();
    this.attachedAny = false;
    this.nextId = 1;
  }
}
