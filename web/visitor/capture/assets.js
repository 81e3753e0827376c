// @ts-check
/**
 * The session asset channel. An agent's browser cannot load a `blob:` URL of the visitor's page,
 * nor what sits behind the visitor's login cookie, on an intranet host or behind CORS. Such URLs
 * leave as `tandem-asset:KEY` (the group's asset rules say which origins; `blob:` always) and the
 * visitor's browser, which can read them, uploads the bytes once in an `asset` frame; the viewer
 * loads them from the server, which keeps them for the session's agents only. KEY comes from the
 * URL, so the other pages of the session reuse an upload (`sent` lives in the session's storage).
 */
import { CONTRACT } from '../../common/contract.js';

export const ASSET_SCHEME = 'tandem-asset:';

/** @typedef {{pattern: string, mode: 'direct' | 'visitor' | 'blocked'}} AssetRule */

/** The current session's channel; none: URLs leave as they are. @type {AssetChannel | null} */
let channel = null;

/** The URL an agent is given for `url` (absolute, or `blob:`). @param {string} url */
export const routeUrl = (url) => (channel ? channel.route(url) : url);

/** @param {AssetChannel | null} next */
export function useAssetChannel(next) {
  channel = next;
}

/** A 53-bit hash of the URL in base 36 (cyrb53): the asset's key. @param {string} text */
function keyOf(text) {
  let h1 = 0xdeadbeef, h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/** @param {string} pattern @param {URL} url */
function matches(pattern, url) {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return url.hostname.endsWith(pattern.slice(1));
  return pattern.includes('://') ? url.origin === pattern : url.hostname === pattern;
}

export class AssetChannel {
  /**
   * @param {AssetRule[]} rules first match wins; no match: direct
   * @param {(frame: Uint8Array) => void} send
   * @param {string} store sessionStorage key of what this session has uploaded
   */
  constructor(rules, send, store) {
    this.rules = rules;
    this.send = send;
    this.store = store;
    /** @type {{keys: string[], bytes: number}} */
    this.sent = { keys: [], bytes: 0 };
    try {
      Object.assign(this.sent, JSON.parse(sessionStorage.getItem(store) || '{}'));
    } catch {
      /* storage refused: uploads again on each page */
    }
  }

  /** @param {string} url */
  route(url) {
    let mode = 'visitor';
    if (!url.startsWith('blob:')) {
      let parsed;
      try {
        parsed = new URL(url);
      } catch {
        return url;
      }
      mode = this.rules.find((rule) => matches(rule.pattern, parsed))?.mode || 'direct';
    }
    if (mode === 'blocked') return '';
    if (mode !== 'visitor') return url;
    const key = keyOf(url);
    if (!this.sent.keys.includes(key)) this.upload(url, key);
    return ASSET_SCHEME + key;
  }

  /** @param {string} url @param {string} key */
  async upload(url, key) {
    this.sent.keys.push(key);
    try {
      // As the page's own requests: its cookies on its origin, a CORS request elsewhere.
      const response = await fetch(url, { credentials: 'same-origin' });
      if (!response.ok) return;
      const blob = await response.blob();
      const { assetBytes, sessionAssetBytes } = CONTRACT.limits;
      if (blob.size > assetBytes || this.sent.bytes + blob.size > sessionAssetBytes) return;
      const head = new TextEncoder().encode(`${JSON.stringify({ k: key, t: blob.type })}\n`);
      const frame = new Uint8Array(1 + head.length + blob.size);
      frame[0] = CONTRACT.frames.asset;
      frame.set(head, 1);
      frame.set(new Uint8Array(await blob.arrayBuffer()), 1 + head.length);
      this.sent.bytes += blob.size;
      sessionStorage.setItem(this.store, JSON.stringify(this.sent));
      this.send(frame);
    } catch {
      /* unreadable here too (network, CORS): the agent's request for it ends in a 404 */
    }
  }
}
