// @ts-check
/**
 * The wire protocol shared by the visitor script and the agent viewer (docs/protocol.md).
 * Control messages are JSON text frames discriminated by `t`; page content travels in binary
 * frames whose first byte is the frame kind, so the server can relay it without parsing.
 */

export const PROTOCOL_VERSION = 1;

/** The largest message the server takes (docs/protocol.md): a larger page is not sent at all. */
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

/** First byte of a binary frame. */
export const FrameKind = Object.freeze({ page: 1, delta: 2, transient: 3 });
export const COMPRESSED_FLAG = 0x80;

/** Close codes (Sources/TandemProtocol/CloseCode.swift). */
export const CloseCode = Object.freeze({
  /** A frame over the server's limit: that content must not be sent again. */
  messageTooBig: 1009,
  sessionEnded: 4000,
  superseded: 4001,
  badMessage: 4400,
  unauthorized: 4401,
  forbidden: 4403,
  noSession: 4404,
  handshakeTimeout: 4408,
  duplicateKey: 4409,
  invalidInput: 4422,
  unsupportedVersion: 4426,
});

/** Whether a client must not reconnect after this close code. */
export function isFinalClose(code) {
  return code >= 4000 && code !== CloseCode.handshakeTimeout;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * @param {number} kind one of FrameKind
 * @param {unknown} payload JSON-serialisable
 * @returns {Uint8Array}
 */
export function encodeFrame(kind, payload) {
  const body = encoder.encode(JSON.stringify(payload));
  const frame = new Uint8Array(body.length + 1);
  frame[0] = kind;
  frame.set(body, 1);
  return frame;
}

/**
 * Reads a frame's kind byte.
 * @param {Uint8Array} bytes
 * @returns {{kind: number, compressed: boolean} | null} null for an empty frame or unknown kind
 */
export function decodeFrameHeader(bytes) {
  if (bytes.length === 0) return null;
  const kind = bytes[0] & ~COMPRESSED_FLAG;
  if (kind !== FrameKind.page && kind !== FrameKind.delta && kind !== FrameKind.transient) return null;
  return { kind, compressed: (bytes[0] & COMPRESSED_FLAG) !== 0 };
}

/**
 * @param {Uint8Array} bytes an uncompressed frame
 * @returns {{kind: number, payload: any} | null}
 */
export function decodeFrame(bytes) {
  const header = decodeFrameHeader(bytes);
  if (!header || header.compressed) return null;
  return { kind: header.kind, payload: JSON.parse(decoder.decode(bytes.subarray(1))) };
}

// ---- Control message shapes: members and their JSON types, per direction (mirrors the Swift
// Codable types, so both ends accept exactly the same messages; see test-vectors/wire). ----

/**
 * A member type: 'string' | 'number' (an integer) | 'boolean' | 'object' | 'array', a nested
 * shape object, or [shape] for an array of them; a trailing '?' (or {optional: true}) makes it
 * optional, and an optional member may also be null.
 * @typedef {string | {[member: string]: any}} FieldType
 */
const VISITOR_FIELDS = { name: 'string?', email: 'string?', phone: 'string?', visitorid: 'string?' };
const PAGE = { url: 'string', title: 'string?' };
const AGENT = {
  username: 'string?', partnerid: 'number?', partneruserid: 'string?', name: 'string?', title: 'string?',
  role: 'string', guestid: 'number?', num: 'number', agentrole: 'string?',
};
const AGENT_LIST = { count: 'number', agentlist: [AGENT] };
const RC = { enabled: 'boolean', suspended: 'boolean' };
const ACTION = {
  type: 'action', id: 'number', x: 'float?', y: 'float?', value: 'string?', index: 'number?', key: 'string?',
};
const NAVIGATION = { url: 'string?', direction: 'string?' };
const GESTURE = { kind: 'string', points: 'points', num: 'number?' };
const POINTER = { x: 'float', y: 'float', num: 'number?' };
const MESSAGE = { name: 'string', data: 'any', num: 'number?' };
const USER_STATE = { name: 'string', data: 'any' };
const MASKING = {
  selectors: 'array?', maskedPages: 'array?', unmaskedPages: 'array?', privateByDefault: 'boolean?', visibleSelectors: 'array?',
};
const optional = (/** @type {any} */ shape) => ({ ...shape, [OPTIONAL]: true });
const OPTIONAL = Symbol('optional');

/** @type {Record<string, Record<string, Record<string, any>>>} */
const SHAPES = {
  visitor: {
    start: { v: 'number', groupid: 'number', key: 'string?', random: 'boolean?', visitor: optional(VISITOR_FIELDS), page: optional(PAGE) },
    continue: { v: 'number', groupid: 'number', key: 'string', callid: 'number', token: 'string', page: optional(PAGE) },
    stop: {},
    visibility: { state: 'visibility' },
    pause: { paused: 'boolean', message: 'string?' },
    rc: RC,
    rcresponse: { accepted: 'boolean' },
    message: MESSAGE,
    userstate: USER_STATE,
    guestresponse: { accepted: 'boolean' },
  },
  'server-to-visitor': {
    session: {
      key: 'string', callid: 'number', groupid: 'number', token: 'string', random: 'boolean', resumed: 'boolean', agents: AGENT_LIST,
      masking: optional(MASKING), rc: optional(RC), userstate: 'object?',
    },
    agents: AGENT_LIST,
    resync: {},
    ended: { reason: 'string', msg: 'string?' },
    error: { code: 'string', msg: 'string', params: 'strings?' },
    rcrequest: { agent: AGENT },
    rcstop: {},
    action: { action: ACTION, agent: { username: 'string?', puid: 'string?', num: 'number' } },
    navigate: NAVIGATION,
    gesture: GESTURE,
    pointer: POINTER,
    message: MESSAGE,
    guestrequest: { agent: AGENT, name: 'string?' },
  },
  agent: {
    leave: {}, end: {}, resync: {}, rcrequest: {}, rcstop: {},
    action: ACTION, navigate: NAVIGATION, gesture: GESTURE, pointer: POINTER, message: MESSAGE,
    guestinvite: { name: 'string?' },
  },
  'server-to-agent': {
    joined: {
      key: 'string', callid: 'number', groupid: 'number', visitor: VISITOR_FIELDS, num: 'number', agents: AGENT_LIST,
      visitorConnected: 'boolean', rc: optional(RC), userstate: 'object?', role: 'string?',
    },
    waiting: { key: 'string' },
    agents: AGENT_LIST,
    visitor: { connected: 'boolean' },
    visibility: { state: 'visibility' },
    paused: { paused: 'boolean', message: 'string?' },
    ended: { reason: 'string', msg: 'string?' },
    accessdenied: { rcrequested: 'boolean?', addguest: 'boolean?', msg: 'string' },
    rcrequest: { response: 'string' },
    rc: RC,
    message: MESSAGE,
    userstate: USER_STATE,
    guestinvite: { response: 'string', url: 'string?', expires: 'number?' },
  },
};

/**
 * Parses and checks a control message.
 * @param {'visitor'|'server-to-visitor'|'agent'|'server-to-agent'} direction
 * @param {string} text
 * @returns {{ok: true, message: any} | {ok: false, error: string}}
 */
export function parseMessage(direction, text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, error: 'malformed' };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, error: 'malformed' };
  const shape = SHAPES[direction][value.t];
  if (!shape) return { ok: false, error: 'unknowntype' };
  if (!fits(value, shape)) return { ok: false, error: 'invalid' };
  return { ok: true, message: value };
}

/** @param {any} value @param {Record<string, any>} shape */
function fits(value, shape) {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.entries(shape).every(([member, type]) => matches(value[member], type));
}

/** @param {unknown} v @param {FieldType} type */
function matches(v, type) {
  const isOptional = typeof type === 'string' ? type.endsWith('?') : Boolean(/** @type {any} */ (type)[OPTIONAL]);
  // An optional member may be absent or null (as Swift's decodeIfPresent reads it).
  if (v === undefined || (v === null && isOptional)) return isOptional;
  if (Array.isArray(type)) return Array.isArray(v) && v.every((item) => fits(item, type[0]));
  if (typeof type !== 'string') return fits(v, type);
  const base = isOptional ? type.slice(0, -1) : type;
  if (base === 'visibility') return v === 'visible' || v === 'hidden';
  if (base === 'any') return true;
  if (base === 'points') return Array.isArray(v) && v.every((p) => Array.isArray(p) && p.every((n) => typeof n === 'number' && Number.isFinite(n)));
  if (base === 'float') return typeof v === 'number' && Number.isFinite(v);
  if (base === 'action') return ['click', 'input', 'change', 'select', 'scroll', 'key'].includes(/** @type {string} */ (v));
  if (base === 'array') return Array.isArray(v);
  if (base === 'strings') return matches(v, 'object') && Object.values(/** @type {object} */ (v)).every((s) => typeof s === 'string');
  if (base === 'object') return v !== null && typeof v === 'object' && !Array.isArray(v);
  // Every number in the control messages is an integer (Int / Int64 in Swift).
  if (base === 'number') return Number.isSafeInteger(v);
  return typeof v === base;
}
