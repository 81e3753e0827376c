// @ts-check
/**
 * Script URLs in every form a browser accepts, decided once for the visitor script (which never
 * sends them) and the viewer (which never rebuilds them).
 */

/** Character references a page can use to spell a scheme (`&#106;avascript:`, `&Tab;`, `&colon;`). */
const NAMED = /** @type {Record<string, string>} */ ({ tab: '\t', newline: '\n', colon: ':', nbsp: '\u00a0', amp: '&' });

/** Character references undone, repeatedly (`&amp;#106;` too), as a value still encoded would read. @param {string} value */
function decodeReferences(value) {
  let v = value;
  for (let i = 0; i < 4 && v.includes('&'); i++) {
    const decoded = v.replace(/&(?:#x([0-9a-f]+)|#([0-9]+)|([a-z]+));?/gi, (whole, hex, dec, name) => {
      if (hex || dec) {
        const code = parseInt((hex || dec).slice(-8), hex ? 16 : 10);
        return code > 0 && code < 0x110000 ? String.fromCodePoint(code) : '\ufffd';
      }
      return NAMED[name.toLowerCase()] ?? whole;
    });
    if (decoded === v) break;
    v = decoded;
  }
  return v;
}

/**
 * Whether following this URL would run script: the scheme as the URL parser reads it (leading
 * and trailing C0 controls and spaces dropped, tabs and newlines removed anywhere, any case),
 * also when the value still carries character references.
 * @param {string} value
 */
export function isScriptUrl(value) {
  // The common cases at once: a relative path, or an http(s) URL (no character references).
  if (!value.includes(':') && !value.includes('&')) return false;
  if (/^https?:/i.test(value)) return false;
  for (const candidate of [value, decodeReferences(value)]) {
    const scheme = candidate.replace(/^[\u0000-\u0020]+/, '').replace(/[\t\n\r]/g, '').slice(0, 16).toLowerCase();
    if (/^(javascript|vbscript|livescript):/.test(scheme)) return true;
  }
  return false;
}

/**
 * Whether an SVG animation's `attributeName` targets a link or an event handler (animating it
 * to a script URL would make a clickable script).
 * @param {string} attributeName
 */
export function targetsScript(attributeName) {
  const name = attributeName.trim().toLowerCase();
  return name.endsWith('href') || name.startsWith('on');
}

/**
 * Whether an SVG animation value list (`values="a;b"`, or `to`, `from`, `by`) holds a script URL,
 * references undone before the list is split (`&#x09;` has a `;` of its own).
 * @param {string} value
 */
export function listHasScriptUrl(value) {
  return decodeReferences(value).split(';').some(isScriptUrl);
}

/** SVG animation elements, by local name as either DOM spells it: each can write any attribute of its target. */
const ANIMATIONS = new Set(['set', 'animate', 'animateMotion', 'animateTransform', 'animateColor', 'animatemotion', 'animatetransform', 'animatecolor']);

/** @param {string} localName */
export function isAnimation(localName) {
  return ANIMATIONS.has(localName);
}

/**
 * Whether an SVG animation could make script: it targets a link or an event attribute, or
 * animates to a script URL. The visitor never sends such an element; the viewer never builds one.
 * @param {string} localName
 * @param {(name: string) => string | null | undefined} attribute the element's attribute by name
 */
export function animatesScript(localName, attribute) {
  if (!isAnimation(localName)) return false;
  if (targetsScript(attribute('attributeName') || '')) return true;
  return ['to', 'from', 'by', 'values'].some((name) => listHasScriptUrl(attribute(name) || ''));
}
