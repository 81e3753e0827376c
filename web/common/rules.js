// @ts-check
/**
 * The documented session key and visitor field rules (seed 002), checked in the browser before
 * anything is sent; the server checks them again (Sources/TandemDomain).
 */

export const RANDOM_KEY = 'GLANCE_KEYTYPE_RANDOM';
export const KEY_MAX_LENGTH = 100;
const KEY_PATTERN = /^[A-Za-z0-9_~-]+$/;

/**
 * @param {unknown} key
 * @returns {string | null} the broken rule, or null when the key is valid
 */
export function keyProblem(key) {
  if (typeof key !== 'string' || key.length === 0) return 'session key is empty';
  if (key.length > KEY_MAX_LENGTH) return `session key is longer than ${KEY_MAX_LENGTH} characters`;
  if (!KEY_PATTERN.test(key)) return "session key may contain only letters, digits, '_', '-' and '~'";
  return null;
}

export const FIELD_LIMITS = Object.freeze({ name: 63, email: 127, phone: 31 });

/**
 * Checks one visitor field.
 * @param {'name'|'email'|'phone'|'visitorid'} field
 * @param {unknown} value
 * @returns {string | null} what is wrong, or null
 */
export function fieldProblem(field, value) {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') return 'must be a string';
  if (field === 'visitorid') return keyProblem(value);
  const chars = Array.from(value); // Unicode scalars, as the server counts
  if (field !== 'name' && chars.some((c) => /** @type {number} */ (c.codePointAt(0)) > 0xff)) {
    return 'contains characters outside Latin-1';
  }
  const max = FIELD_LIMITS[field];
  if (chars.length > max) return `longer than ${max} characters`;
  return null;
}
