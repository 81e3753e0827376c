// @ts-check
import { MaskingPolicy, pageMaskedByRules } from '../capture/masking.js';

/**
 * Combines the group's masking configuration (sent by the server) with the page's
 * `GLANCE_COBROWSE.getMaskingDescriptor(params)` hook, as documented:
 * - `maskpage`, when given, overrides the group's URL-based decision;
 * - `maskedelements` add to the group's selectors;
 * - a hook that rejects or throws masks the whole page and reports `maskingerror`.
 * Calls are made one at a time, in order, so a slow hook cannot apply stale rules last.
 */

/**
 * @typedef {object} GroupMasking
 * @property {string[]} [selectors]        masked elements
 * @property {string[]} [maskedPages]      URL patterns (`*` wildcard) of pages masked whole
 * @property {string[]} [unmaskedPages]    when not empty: only matching pages are shown
 * @property {boolean} [privateByDefault]  only elements inside `visibleSelectors` are shown
 * @property {string[]} [visibleSelectors]
 */

export class MaskingRules {
  /**
   * @param {any} config window.GLANCE_COBROWSE
   * @param {(type: string, data?: any) => void} fire
   */
  constructor(config, fire) {
    this.config = config;
    this.fire = fire;
    /** @type {GroupMasking} */
    this.group = {};
    /** @type {Promise<MaskingPolicy>} */
    this.queue = Promise.resolve(new MaskingPolicy({ maskPage: true }));
  }

  /**
   * @param {{agents?: any}} params what the hook is called with
   * @returns {Promise<MaskingPolicy>}
   */
  resolve(params) {
    this.queue = this.queue.then(() => this.compute(params));
    return this.queue;
  }

  /** @param {{agents?: any}} params */
  async compute(params) {
    const group = this.group;
    const hook = this.config.getMaskingDescriptor;
    /** @type {any} */
    let descriptor = {};
    if (typeof hook === 'function') {
      try {
        descriptor = (await hook.call(this.config, params)) || {};
      } catch (error) {
        return this.failed(String(error && error.message ? error.message : error));
      }
    }
    const rules = {
      maskPage: typeof descriptor.maskpage === 'boolean' ? descriptor.maskpage : pageMaskedByRules(group, location.href),
      masked: [...(group.selectors || []), ...(Array.isArray(descriptor.maskedelements) ? descriptor.maskedelements : [])],
      visible: group.privateByDefault ? group.visibleSelectors || [] : null,
      pages: { maskedPages: group.maskedPages, unmaskedPages: group.unmaskedPages },
    };
    const policy = new MaskingPolicy(rules);
    if (policy.invalid.length) return this.failed(`invalid masking selector: ${policy.invalid.join(', ')}`, policy);
    return policy;
  }

  /** Fail closed: the whole page is masked. @param {string} reason @param {MaskingPolicy} [policy] */
  failed(reason, policy = new MaskingPolicy({ maskPage: true })) {
    this.fire('error', { code: 'maskingerror', msg: reason });
    this.fire('maskingerror', { reason });
    return policy;
  }
}
