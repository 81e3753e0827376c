// @ts-check
import { CloseCode, isFinalClose } from './protocol.js';

/**
 * One logical connection to the Tandem server that survives drops, for every socket the browser
 * code holds (the visitor's session, the agent viewer, presence): reconnects after a wait that
 * grows with each attempt until `graceMs` has passed since the drop, then gives up (the
 * `conndrop` case). The owner says what to send on every (re)connect through `onopen`.
 *
 * - A close code that is final (`isFinal`, the contract's finality by default) ends it:
 *   `onclose(code, reason)`.
 * - `moved` (4012): another node holds the session now; the first reconnect goes at once.
 * - 1009: what was sent is over the server's limit and must not be sent again (`ontoolarge`);
 *   the connection itself goes on.
 * - `resuming`: the first connect may fail like any later one (a new page of a session, a
 *   viewer that waits); otherwise a first connect that never opened gives up at once (`service`).
 */
export class Connection {
  /**
   * @param {string} url
   * @param {{
   *   onopen: (ws: WebSocket, reconnected: boolean) => void,
   *   onmessage: (data: string | ArrayBuffer) => void,
   *   onclose: (code: number, reason: string) => void,
   *   onreconnecting?: (opened: boolean) => void,
   *   onsocketclose?: (code: number, reason: string) => void,
   *   ongiveup?: () => void,
   *   ontoolarge?: () => void,
   *   graceMs?: number,
   *   resuming?: boolean,
   *   delayMs?: (attempt: number) => number,
   *   isFinal?: (code: number) => boolean,
   * }} handlers
   */
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    this.graceMs = handlers.graceMs ?? 40000;
    this.delayMs = handlers.delayMs ?? backoff;
    this.isFinal = handlers.isFinal ?? isFinalClose;
    /** @type {WebSocket | null} */
    this.ws = null;
    this.closed = false;
    this.everOpened = handlers.resuming ?? false;
    /** Whether a socket of this connection ever opened (`everOpened` also counts resuming). */
    this.opened = false;
    /** @type {number | null} */
    this.droppedAt = null;
    this.attempt = 0;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.timer = undefined;
  }

  open() {
    if (this.closed) return;
    clearTimeout(this.timer);
    const ws = new WebSocket(this.url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
      const reconnected = this.droppedAt !== null;
      this.droppedAt = null;
      this.attempt = 0;
      this.everOpened = this.opened = true;
      this.handlers.onopen(ws, reconnected);
    };
    ws.onmessage = (event) => this.handlers.onmessage(event.data);
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.closed) return;
      this.handlers.onsocketclose?.(event.code, event.reason);
      if (event.code === CloseCode.messageTooBig && this.handlers.ontoolarge) {
        // Final for what was sent (it must not be uploaded again); the connection goes on.
        this.handlers.ontoolarge();
      } else if (this.isFinal(event.code)) {
        this.closed = true;
        this.handlers.onclose(event.code, event.reason);
        return;
      }
      // Another node holds the session now: the first try goes at once (a small jitter only).
      if (event.code === CloseCode.moved && this.droppedAt === null) this.attempt = -1;
      this.retry();
    };
  }

  /** @param {string | Uint8Array} data @returns {boolean} whether it was handed to the socket */
  send(data) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(data);
    return true;
  }

  /** Whether a message sent now would go out. */
  get isOpen() {
    return Boolean(this.ws && this.ws.readyState === WebSocket.OPEN);
  }

  get bufferedAmount() {
    return this.ws ? this.ws.bufferedAmount : 0;
  }

  close(code = 1000, reason = '') {
    this.closed = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close(code, reason);
    this.ws = null;
  }

  retry() {
    const now = Date.now();
    if (this.droppedAt === null) {
      this.droppedAt = now;
      // A first connect that never opened is a service error, not a dropped session.
      if (!this.everOpened) {
        this.closed = true;
        this.handlers.ongiveup?.();
        return;
      }
      this.handlers.onreconnecting?.(this.opened);
    }
    if (now - this.droppedAt > this.graceMs) {
      this.closed = true;
      this.handlers.ongiveup?.();
      return;
    }
    const delay = this.delayMs(this.attempt);
    this.attempt++;
    this.timer = setTimeout(() => this.open(), delay);
  }
}

/**
 * 250 ms doubling to 4 s, with ±25% jitter so many clients of a restarted server spread out;
 * attempt -1 (a `moved` close) is 0–50 ms.
 * @param {number} attempt
 */
export function backoff(attempt) {
  if (attempt < 0) return Math.random() * 50;
  return Math.min(250 * 2 ** attempt, 4000) * (0.75 + Math.random() * 0.5);
}
