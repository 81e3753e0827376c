// @ts-check
/**
 * Asset URLs in the mirror: what the visitor's page sent as `tandem-asset:KEY` (the session asset
 * channel, web/visitor/capture/assets.js) loads from this server, which serves the session's
 * agents only (the viewer's cookie goes along: the mirror is same-origin).
 */
const SCHEME = /tandem-asset:([A-Za-z0-9_-]{1,64})/g;

let base = '';
let suffix = '';

/** @param {number} callid @param {string} key the session key (routes the request to its node) */
export function setAssetSession(callid, key) {
  base = `${location.origin}/assets/${callid}/`;
  suffix = `?key=${encodeURIComponent(key)}`;
}

/** `text` (an attribute value or stylesheet) with its asset references made URLs. @param {string} text */
export const assetUrls = (text) => (text.includes('tandem-asset:') ? text.replace(SCHEME, (_, key) => base + key + suffix) : text);
