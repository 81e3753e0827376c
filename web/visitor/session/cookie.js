// @ts-check
/**
 * The session cookie `glance_ssn_info` on the website's own domain: what lets the session go on
 * after navigation and reload. A browser-session cookie (no expiry), so closing the browser
 * forgets it.
 */

export const COOKIE_NAME = 'glance_ssn_info';

/**
 * @typedef {object} SessionCookie
 * @property {string} k  session key
 * @property {number} c  call id
 * @property {number} g  group id
 * @property {string} t  resume token
 * @property {boolean} r random key
 * @property {Record<string,string>} [u] values from setCookieValue()
 * @property {boolean} [x] the group trusts other domains (the next page loads cross-domain code at once)
 */

/** @returns {SessionCookie | null} */
export function readSessionCookie() {
  const prefix = COOKIE_NAME + '=';
  for (const part of document.cookie.split(';')) {
    const item = part.trim();
    if (!item.startsWith(prefix)) continue;
    try {
      const value = JSON.parse(decodeURIComponent(item.slice(prefix.length)));
      if (value && typeof value.k === 'string' && typeof value.c === 'number' && typeof value.t === 'string') return value;
    } catch {
      /* a damaged cookie is as good as none */
    }
  }
  return null;
}

/** @param {SessionCookie} value @param {{cookiedomain?: string}} config */
export function writeSessionCookie(value, config) {
  document.cookie = `${COOKIE_NAME}=${encodeURIComponent(JSON.stringify(value))}${attributes(config)}`;
}

/** @param {{cookiedomain?: string}} config */
export function clearSessionCookie(config) {
  document.cookie = `${COOKIE_NAME}=; max-age=0${attributes(config)}`;
}

/** @param {{cookiedomain?: string}} config */
function attributes(config) {
  let attrs = '; path=/; samesite=lax';
  if (config.cookiedomain) attrs += `; domain=${config.cookiedomain}`;
  if (location.protocol === 'https:') attrs += '; secure';
  return attrs;
}
