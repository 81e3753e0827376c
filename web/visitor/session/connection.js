// @ts-check
import { CloseCode, isFinalClose } from '../../common/protocol.js';

/**
 * One logical connection to the Tandem server that survives drops: reconnects with exponential
 * backoff until `graceMs` has passed since the drop, then gives up (the `conndrop` case).
 * The owner says what to send on every (re)connect through `onopen`.
 */
export class Connection {
  /**
   * @param {string} url
   * @param {{
   *   onopen: (ws: WebSocket, reconnected: boolean) => void,
   *   onmessage: (data: string | ArrayBuffer) => void,
   *   onreconnecting: () => void,
   *   onclose: (code: number, reason: string) => void,
   *   ongiveup: () => void,
   *   ontoolarge?: () => void,
   *   graceMs?: number,
   *   resuming?: boolean,
   * }} handlers
   */
  constructor(url, handlers) {
    this.url = url;
    this.handlers = handlers;
    this.graceMs = handlers.graceMs ?? 40000;
    /** @type {WebSocket | null} */
    this.ws = null;
    this.closed = false;
    // Continuing a session (new page, server restart): a failed first connect is a drop to retry.
    this.everOpened = handlers.resuming ?? false;
    /** @type {number | null} */
    this.droppedAt = null;
    this.attempt = 0;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.timer = undefined;
  }

  open() {
    if (this.closed) return;
    const ws = new WebSocket(this.url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
      const reconnected = this.droppedAt !== null;
      this.droppedAt = null;
      this.attempt = 0;
      this.everOpened = true;
      this.handlers.onopen(ws, reconnected);
    };
    ws.onmessage = (event) => this.handlers.onmessage(event.data);
    ws.onclose = (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.closed) return;
      if (event.code === CloseCode.messageTooBig) {
        // Final for what was sent (it must not be uploaded again); the session itself goes on.
        this.handlers.ontoolarge?.();
      } else if (isFinalClose(event.code)) {
        this.closed = true;
        this.handlers.onclose(event.code, event.reason);
        return;
      }
      this.retry();
    };
  }

  /** @param {string | Uint8Array} data @returns {boolean} whether it was handed to the socket */
  send(data) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(data);
    return true;
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
        this.handlers.ongiveup();
        return;
      }
      this.handlers.onreconnecting();
    }
    if (now - this.droppedAt > this.graceMs) {
      this.closed = true;
      this.handlers.ongiveup();
      return;
    }
    const delay = Math.min(250 * 2 ** this.attempt, 4000) * (0.75 + Math.random() * 0.5);
    this.attempt++;
    this.timer = setTimeout(() => this.open(), delay);
  }
}
