// @ts-check
/**
 * A group's public settings from the server (`/cobrowse/config`): the origins allowed to invoke
 * the visitor API and the default UI's button style. Fetched once per group and page.
 * @typedef {{color: string, textColor: string, position: string, label: string}} ButtonStyle
 * @typedef {{groupid: number, invokeOrigins: string[], buttonStyle: ButtonStyle}} GroupConfig
 */

/** @type {Map<string, Promise<GroupConfig | null>>} */
const cache = new Map();

/**
 * @param {string} server the Tandem server's origin
 * @param {number} groupid
 * @returns {Promise<GroupConfig | null>} null when the group is unknown or the server unreachable
 */
export function groupConfig(server, groupid) {
  const key = `${server}|${groupid}`;
  let pending = cache.get(key);
  if (!pending) {
    pending = fetch(`${server}/cobrowse/config?groupid=${encodeURIComponent(groupid)}`, { credentials: 'omit' })
      .then((r) => (r.ok ? r.json() : null))
      .catch(() => null);
    cache.set(key, pending);
  }
  return pending;
}
