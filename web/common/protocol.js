// @ts-check
/**
 * The wire protocol shared by the visitor script and the agent viewer: everything here comes
 * from the one contract, protocol/contract.json (explained in docs/protocol.md), which the Swift
 * server's tests load too. Control messages are JSON text frames discriminated by `t`; page
 * content travels in binary frames whose first byte is the frame kind, so the server can relay
 * it without parsing.
 */
import { CONTRACT } from './contract.js';

export const PROTOCOL_VERSION = /** @type {number} */ (CONTRACT.version.current);

/** First byte of a binary frame. */
export const FrameKind = /** @type {Readonly<{page: number, delta: number, transient: number}>} */ (Object.freeze({ ...CONTRACT.frames }));

/** The largest message the server takes: a larger page is not sent at all. */
export const MAX_FRAME_BYTES = /** @type {number} */ (CONTRACT.limits.frameBytes);

/** Session messages and user state, each (JSON text). */
export const MAX_SESSION_MESSAGE_BYTES = /** @type {number} */ (CONTRACT.limits.sessionMessageBytes);

/**
 * Close codes by name.
 * @type {Readonly<{normal: number, goingAway: number, abnormal: number, messageTooBig: number,
 *   sessionEnded: number, superseded: number, badMessage: number, unauthorized: number,
 *   forbidden: number, noSession: number, handshakeTimeout: number, duplicateKey: number,
 *   invalidInput: number, unsupportedVersion: number, moved: number}>}
 */
export const CloseCode = /** @type {any} */ (Object.freeze(Object.fromEntries(CONTRACT.closeCodes.map((/** @type {any} */ c) => [c.name, c.code]))));

/** @type {Map<number, boolean>} */
const FINAL = new Map(CONTRACT.closeCodes.map((/** @type {any} */ c) => [c.code, c.final]));

/**
 * Whether a client must not reconnect after this close code (with the same content: see 1009).
 * Codes the contract does not list are final in the application range, retried below it.
 * @param {number} code
 */
export function isFinalClose(code) {
  return FINAL.get(code) ?? code >= 4000;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * @param {number} kind one of FrameKind
 * @param {unknown} payload JSON-serialisable
 * @param {(value: unknown) => string} [stringify] the browser's own (a page may replace JSON's)
 * @returns {Uint8Array}
 */
export function encodeFrame(kind, payload, stringify = JSON.stringify) {
  const body = encoder.encode(stringify(payload));
  const frame = new Uint8Array(body.length + 1);
  frame[0] = kind;
  frame.set(body, 1);
  return frame;
}

/**
 * Reads a frame's kind byte.
 * @param {Uint8Array} bytes
 * @returns {{kind: number} | null} null for an empty frame or unknown kind
 */
export function decodeFrameHeader(bytes) {
  if (bytes.length === 0) return null;
  const kind = bytes[0];
  if (kind !== FrameKind.page && kind !== FrameKind.delta && kind !== FrameKind.transient) return null;
  return { kind };
}

/**
 * @param {Uint8Array} bytes
 * @returns {{kind: number, payload: any} | null}
 */
export function decodeFrame(bytes) {
  const header = decodeFrameHeader(bytes);
  if (!header) return null;
  return { kind: header.kind, payload: JSON.parse(decoder.decode(bytes.subarray(1))) };
}

// ---- Control message shapes, per direction, from the contract (the Swift Codable types decode
// the same vectors, so both ends accept exactly the same messages). ----

/**
 * A member type: 'string' | 'number' (an integer) | 'float' | 'boolean' | 'object' | 'array' |
 * 'any' | 'strings' | an enum name, a nested shape object, or [shape] for an array of them; a
 * trailing '?' (or the member "?": true in a nested shape) makes it optional, and an optional
 * member may also be null. The member "!": [a, b] says exactly one of those members is present.
 * @typedef {string | {[member: string]: any}} FieldType
 */

/**
 * The directions a message travels: visitor → server, server → visitor, agent → server,
 * server → agent, and the presence sockets'.
 * @typedef {'visitor'|'server-to-visitor'|'agent'|'server-to-agent'|'presence-visitor'|'server-to-presence-visitor'|'server-to-presence-agent'} Direction
 */

/**
 * The shapes of the messages visitor pages receive (what they send, the server checks; agent
 * pages pass `AGENT_MESSAGES` from web/agent/agent-contract.js, the tests the whole contract's).
 * @type {Partial<Record<Direction, Record<string, Record<string, FieldType>>>>}
 */
const SHAPES = CONTRACT.messages;
/** @type {Record<string, string[]>} */
const ENUMS = CONTRACT.enums;

/**
 * Parses and checks a control message.
 * @param {Direction} direction
 * @param {string} text
 * @param {Partial<Record<Direction, Record<string, Record<string, FieldType>>>>} [shapes] where
 *   the direction's shapes are (by default those visitor pages receive)
 * @returns {{ok: true, message: any} | {ok: false, error: string}}
 */
export function parseMessage(direction, text, shapes = SHAPES) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: 'malformed' };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, error: 'malformed' };
  const known = shapes[direction] || {};
  // Own members only: `t: "constructor"` is not a message type.
  const shape = typeof value.t === 'string' && Object.hasOwn(known, value.t) ? known[value.t] : null;
  if (!shape) return { ok: false, error: 'unknowntype' };
  if (!fits(value, shape)) return { ok: false, error: 'invalid' };
  return { ok: true, message: value };
}

/** @param {any} value @param {Record<string, any>} shape */
function fits(value, shape) {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  if (Array.isArray(shape['!']) && shape['!'].filter((/** @type {string} */ m) => value[m] != null).length !== 1) return false;
  return Object.entries(shape).every(([member, type]) => member === '?' || member === '!' || matches(value[member], type));
}

/** @param {unknown} v @param {FieldType} type */
function matches(v, type) {
  const isOptional = typeof type === 'string' ? type.endsWith('?') : !Array.isArray(type) && type['?'] === true;
  // An optional member may be absent or null (as Swift's decodeIfPresent reads it).
  if (v === undefined || (v === null && isOptional)) return isOptional;
  if (Array.isArray(type)) return Array.isArray(v) && v.every((item) => fits(item, type[0]));
  if (typeof type !== 'string') return fits(v, type);
  const base = isOptional ? type.slice(0, -1) : type;
  if (base in ENUMS) return ENUMS[base].includes(/** @type {string} */ (v));
  if (base === 'any') return true;
  if (base === 'points') return Array.isArray(v) && v.every((p) => Array.isArray(p) && p.every((n) => typeof n === 'number' && Number.isFinite(n)));
  if (base === 'float') return typeof v === 'number' && Number.isFinite(v);
  if (base === 'array') return Array.isArray(v);
  if (base === 'strings') return matches(v, 'object') && Object.values(/** @type {object} */ (v)).every((s) => typeof s === 'string');
  if (base === 'object') return v !== null && typeof v === 'object' && !Array.isArray(v);
  // Every number in the control messages is an integer (Int / Int64 in Swift).
  if (base === 'number') return Number.isSafeInteger(v);
  return typeof v === base;
}
