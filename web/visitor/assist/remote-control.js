// @ts-check
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
    let answered = false;
    const accept = () => {
      if (answered) return;
      answered = true;
      this.closePrompt();
      this.env.send({ t: 'rcresponse', accepted: true });
      this.env.fire('rcaccepted');
      this.setEnabled(true);
    };
    const decline = () => {
      if (answered) return;
      answered = true;
      this.closePrompt();
      this.env.send({ t: 'rcresponse', accepted: false });
      this.env.fire('rcdeclined');
    };
    if (this.env.hasListener('rcrequested')) this.env.fire('rcrequested', { accept, decline });
    else this.showPrompt(agent, accept, decline);
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

  /** The default consent prompt; never mirrored (data-tandem-ignore). */
  /** @param {any} agent @param {() => void} accept @param {() => void} decline */
  showPrompt(agent, accept, decline) {
    this.closePrompt();
    const box = document.createElement('div');
    box.id = 'tandem-rc-prompt';
    box.setAttribute('data-tandem-ignore', '');
    box.setAttribute('role', 'dialog');
    box.style.cssText =
      'position:fixed;z-index:2147483647;right:20px;bottom:20px;max-width:320px;padding:16px;background:#fff;color:#1d2433;' +
      'font:15px/1.4 system-ui,sans-serif;border-radius:10px;box-shadow:0 4px 24px rgba(0,0,0,.25)';
    const text = document.createElement('p');
    text.style.margin = '0 0 12px';
    text.textContent = `${agent?.name || agent?.username || 'The agent'} asks to control this page with you. Allow?`;
    const yes = document.createElement('button');
    yes.id = 'tandem-rc-accept';
    yes.textContent = 'Allow';
    const no = document.createElement('button');
    no.id = 'tandem-rc-decline';
    no.textContent = 'Decline';
    no.style.marginLeft = '8px';
    yes.addEventListener('click', accept);
    no.addEventListener('click', decline);
    box.append(text, yes, no);
    document.body.appendChild(box);
    this.prompt = box;
  }

  closePrompt() {
    this.prompt?.remove();
    this.prompt = null;
  }
}
