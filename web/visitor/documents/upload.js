// @ts-check
import { CONTRACT } from '../../common/contract.js';

/** The `document` frame's kind byte. */
export const DOCUMENT_FRAME = /** @type {number} */ (CONTRACT.frames.document ?? 5);
/** The largest frame the server takes (a larger one closes the socket: never sent). */
const MAX_FRAME = /** @type {number} */ (CONTRACT.limits.frameBytes);

const encoder = new TextEncoder();

/** The frame's JSON line. @param {number} r @param {string} name @param {string | undefined} url */
function head(r, name, url) {
  return encoder.encode(`${JSON.stringify(url ? { r, n: name, u: url } : { r, n: name })}\n`);
}

/**
 * Whether a file of `size` bytes fits in one frame (the group's own limits are the server's to
 * check: it answers `refused` with its reason).
 * @param {string} name @param {string | undefined} url @param {number} size
 */
export function frameFits(name, url, size) {
  return 1 + head(0, name, url).length + 16 + size <= MAX_FRAME;
}

/**
 * A `document` frame: the kind byte, `{r, n, u?}` and LF, then the file's bytes.
 * @param {number} r @param {string} name @param {string | undefined} url @param {Uint8Array} bytes
 */
export function documentFrame(r, name, url, bytes) {
  const line = head(r, name, url);
  const frame = new Uint8Array(1 + line.length + bytes.length);
  frame[0] = DOCUMENT_FRAME;
  frame.set(line, 1);
  frame.set(bytes, 1 + line.length);
  return frame;
}

/** A document's name from its URL: the last path segment, else the host. @param {string} url */
export function nameFromUrl(url) {
  try {
    const parsed = new URL(url);
    const last = parsed.pathname.split('/').filter(Boolean).pop();
    if (last) {
      try {
        return decodeURIComponent(last);
      } catch {
        return last;
      }
    }
    return parsed.hostname || 'document';
  } catch {
    return 'document';
  }
}

/**
 * The URL viewPDF / viewXLS were given (`url` or `{url}`), made absolute; or what is wrong with it.
 * @param {any} params
 * @returns {{url: string} | {problem: string}}
 */
export function documentUrl(params) {
  const raw = typeof params === 'string' ? params : params && typeof params === 'object' ? params.url : undefined;
  if (typeof raw !== 'string' || !raw.trim()) return { problem: 'url: required (a string, or {url})' };
  let url;
  try {
    url = new URL(raw.trim(), location.href);
  } catch {
    return { problem: `url: not a URL (${raw.slice(0, 100)})` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { problem: `url: only http and https documents can be opened, not ${url.protocol}` };
  return { url: url.href };
}
