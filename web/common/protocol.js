// @ts-check
/**
 * The wire protocol shared by the visitor script and the agent viewer (docs/protocol.md).
 * Control messages are JSON text frames discriminated by `t`; page content travels in binary
 * frames whose first byte is the frame kind, so the server can relay it without parsing.
 */

export const PROTOCOL_VERSION = 1;

/** First byte of a binary frame. */
export const FrameKind = Object.freeze({ page: 1, delta: 2, transient: 3 });
export const COMPRESSED_FLAG = 0x80;

/** Close codes (Sources/TandemProtocol/CloseCode.swift). */
export const CloseCode = Object.freeze({
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

// ---- Control message shapes: required fields and their JSON types, per direction. ----

/** @typedef {'string'|'number'|'boolean'|'object'|'array'|'string?'|'number?'|'object?'|'string|null?'} FieldType */
/** @type {Record<string, Record<string, Record<string, FieldType>>>} */
const SHAPES = {
  visitor: {
    start: { v: 'number', groupid: 'number', key: 'string|null?', visitor: 'object?', page: 'object?' },
    continue: { v: 'number', groupid: 'number', key: 'string', callid: 'number', token: 'string', page: 'object?' },
    stop: {},
    visibility: { state: 'string' },
  },
  'server-to-visitor': {
    session: { key: 'string', callid: 'number', groupid: 'number', token: 'string', random: 'boolean', resumed: 'boolean', agents: 'object' },
    agents: { count: 'number', agentlist: 'array' },
    resync: {},
    ended: { reason: 'string', msg: 'string?' },
    error: { code: 'string', msg: 'string', params: 'object?' },
  },
  agent: { leave: {}, end: {}, resync: {} },
  'server-to-agent': {
    joined: { key: 'string', callid: 'number', groupid: 'number', visitor: 'object', num: 'number', agents: 'object', visitorConnected: 'boolean' },
    waiting: { key: 'string' },
    agents: { count: 'number', agentlist: 'array' },
    visitor: { connected: 'boolean' },
    visibility: { state: 'string' },
    ended: { reason: 'string', msg: 'string?' },
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
  for (const [field, type] of Object.entries(shape)) {
    if (!matches(value[field], type)) return { ok: false, error: 'invalid' };
  }
  return { ok: true, message: value };
}

/** @param {unknown} v @param {FieldType} type */
function matches(v, type) {
  const optional = type.endsWith('?');
  if (v === undefined) return optional;
  const base = optional ? type.slice(0, -1) : type;
  if (base === 'string|null') return v === null || typeof v === 'string';
  if (base === 'array') return Array.isArray(v);
  if (base === 'object') return v !== null && typeof v === 'object' && !Array.isArray(v);
  if (base === 'number') return typeof v === 'number' && Number.isFinite(v);
  return typeof v === base;
}
