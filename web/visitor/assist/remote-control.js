// @ts-check
import { once, showConsentPrompt } from './prompt.js';
/**
 * Remote control on the visitor side: consent (rcrequested → rcaccepted / rcdeclined), on/off
 * (rcenabled, and `rc` which Glance also fires), and suspension while the visitor uses the page
 * (the agent's control pauses for `suspendMs` after the visitor's own mouse or keyboard input).
 */
export class RemoteControl {
  /**
   * @param {{
   *   send: (msg: any) => void,
   *   fire: (type: string, data?: any) => void,
   *   hasListener: (type: string) => boolean,
   *   suspendMs: number,
   * }} env
   */
  constructor(env) {
    this.env = env;
    this.enabled = false;
    this.suspended = false;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.timer = undefined;
    /** @type {HTMLElement | null} */
    this.prompt = null;
    this.onActivity = this.onActivity.bind(this);
    for (const type of ['mousedown', 'keydown', 'wheel', 'touchstart']) window.addEventListener(type, this.onActivity, { capture: true, passive: true });
  }

  /** The server's state on a new page: control stays on until stopped, and says so on each page. */
  /** @param {{enabled: boolean} | undefined} state */
  restore(state) {
    if (state && state.enabled) this.setEnabled(true, false);
  }

  /** An agent asks for control. @param {any} agent */
  requested(agent) {
    const { accept, decline } = once((accepted) => {
      this.closePrompt();
      this.env.send({ t: 'rcresponse', accepted });
      this.env.fire(accepted ? 'rcaccepted' : 'rcdeclined');
      if (accepted) this.setEnabled(true);
    });
    if (this.env.hasListener('rcrequested')) this.env.fire('rcrequested', { accept, decline });
    else {
      const who = agent?.name || agent?.username || 'The agent';
      this.prompt = showConsentPrompt({ id: 'tandem-rc', text: `${who} asks to control this page with you. Allow?`, accept, decline });
    }
  }

  /** @param {boolean} on @param {boolean} [report] tell the server */
  setEnabled(on, report = true) {
    if (!on) this.closePrompt();
    this.enabled = on;
    this.suspended = false;
    clearTimeout(this.timer);
    if (report) this.report();
    this.env.fire('rcenabled', { enabled: on });
    this.env.fire('rc', { enabled: on });
  }

  report() {
    this.env.send({ t: 'rc', enabled: this.enabled, suspended: this.suspended });
  }

  /** The visitor's own input (trusted events only: the agent's synthetic ones do not count). */
  /** @param {Event} event */
  onActivity(event) {
    if (!this.enabled || !event.isTrusted) return;
    if (this.prompt && this.prompt.contains(/** @type {Node} */ (event.target))) return;
    if (!this.suspended) {
      this.suspended = true;
      this.report();
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.suspended = false;
      this.report();
    }, this.env.suspendMs);
  }

  stop() {
    for (const type of ['mousedown', 'keydown', 'wheel', 'touchstart']) window.removeEventListener(type, this.onActivity, { capture: true });
    clearTimeout(this.timer);
    this.closePrompt();
  }

  closePrompt() {
    this.prompt?.remove();
    this.prompt = null;
  }
}
