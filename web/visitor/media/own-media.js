// @ts-check
import { once, showConsentPrompt } from '../assist/prompt.js';

const VIDEO_VIEW = 'glance_visitorvideo';
const SCREEN_VIEW = 'glance_visitorscreenshare';
/** The seed: the camera-timeout event comes after five seconds without an answer from the camera. */
const CAMERA_TIMEOUT_MS = 5000;
const PREVIEW = { small: [160, 120], large: [320, 240] };

/**
 * The visitor's own camera and screen, shown to the session's agents: asked for by an agent
 * (`visitorvideorequested`, `visitorscreensharerequested`) or started with the session
 * (`startSession({video:'large'})`), with the seed's visitor events, `toggleVideo()` and
 * `toggleVideoSize()`, a preview of the camera, and the camera again on every page. A shared
 * screen cannot be masked (the prompt says so) and ends with the page: a browser asks again for
 * every screen capture.
 */
export class OwnMedia {
  /**
   * @param {{
   *   send: (msg: any) => void,
   *   fire: (type: string, data?: any) => void,
   *   hasListener: (type: string) => boolean,
   *   custom: boolean,
   *   agentName: (num: number) => string,
   *   connectAll: () => void,
   *   tracksChanged: () => void,
   *   cookie: (name: string) => string | null,
   *   setCookie: (name: string, value: string) => void,
   * }} env
   */
  constructor(env) {
    this.env = env;
    /** @type {{stream: MediaStream | null, size: 'large' | 'small', paused: boolean, camerastatus: string, videosource?: string, previewId: string} | null} */
    this.video = null;
    /** @type {MediaStream | null} */
    this.screen = null;
    /** @type {HTMLElement | null} */
    this.prompt = null;
    /** @type {HTMLVideoElement | null} */
    this.ownPreview = null;
    this.onVisible = () => {
      if (document.visibilityState !== 'visible' || !this.video) return;
      // Back to this tab: the video goes on (again, if the browser stopped the camera).
      const track = this.video.stream?.getVideoTracks()[0];
      if (this.video.stream && track?.readyState === 'ended') this.capture({ size: this.video.size, paused: this.video.paused, videosource: this.video.videosource }, false);
      else this.env.fire('visitorvideo', { video: this.video.size, camerastatus: this.video.camerastatus });
    };
    document.addEventListener('visibilitychange', this.onVisible);
  }

  /** Streams every agent receives. */
  streams() {
    return /** @type {MediaStream[]} */ ([this.video?.stream, this.screen].filter(Boolean));
  }

  get isOn() {
    return this.streams().length > 0;
  }

  /** @param {any} msg a server `media` message about the visitor's camera or screen */
  onMedia(msg) {
    const video = msg.kind === 'visitorvideo';
    switch (msg.state) {
      case 'requested':
        return video ? this.askVideo(msg) : this.askScreen(msg);
      case 'paused':
      case 'resumed':
        // An agent paused (or resumed) the visitor's video.
        if (!video || !this.video) return;
        if (msg.paused) this.env.fire('participantvideopaused');
        this.setPaused(msg.paused, false);
        return;
      case 'ended':
        this.closePrompt();
        if (video) this.stopVideo(false);
        else if (this.screen) {
          this.env.fire('pausevisitorscreenshare');
          this.stopScreen(false);
        }
        return;
    }
  }

  /** What goes on from an earlier page (`session.media`). @param {any[]} entries */
  onSession(entries) {
    for (const entry of entries) {
      if (entry.kind === 'visitorvideo' && !this.video) {
        this.capture({ size: entry.size || 'small', paused: entry.paused, videosource: this.env.cookie('videosource') || undefined }, false);
      } else if (entry.kind === 'visitorscreen' && !this.screen) {
        // The capture ended with the page it was made in.
        this.env.send({ t: 'media', view: SCREEN_VIEW, state: 'ended' });
        this.env.fire('visitorscreenshareended');
      }
    }
  }

  // MARK: video

  /** @param {any} msg */
  askVideo(msg) {
    const { accept, decline } = once((accepted, params) => {
      this.closePrompt();
      if (!accepted) {
        this.env.send({ t: 'media', view: VIDEO_VIEW, state: 'declined' });
        this.env.fire('visitorvideodeclined');
        return;
      }
      const p = videoParams(params);
      this.env.send({ t: 'media', view: VIDEO_VIEW, state: 'accepted' });
      this.env.fire('visitorvideoaccepted', {
        camerastatus: 'available', video: p.size, videobgfilter: false, videobgtype: 'blur', videopaused: p.paused,
        videosource: p.videosource || '',
      });
      this.capture(p, true);
    });
    if (this.env.hasListener('visitorvideorequested')) {
      this.env.fire('visitorvideorequested', { accept, decline });
      return;
    }
    if (this.env.custom) return decline();
    this.prompt = showConsentPrompt({
      id: `tandem-${VIDEO_VIEW}`, text: `${this.env.agentName(msg.num)} asks to see you on camera.`,
      accept: () => accept(this.promptChoices()), decline,
    });
    this.addCameraChoices(this.prompt);
  }

  /** The default preview dialog: which camera, and whether to start paused. @param {HTMLElement} box */
  async addCameraChoices(box) {
    const select = document.createElement('select');
    select.id = 'tandem-camera-choice';
    select.style.cssText = 'display:block;margin:0 0 8px;max-width:100%';
    const paused = document.createElement('label');
    paused.style.cssText = 'display:block;margin:0 0 12px';
    const box2 = document.createElement('input');
    box2.type = 'checkbox';
    box2.id = 'tandem-camera-paused';
    paused.append(box2, ' Start with my video paused');
    box.querySelector('p')?.after(select, paused);
    try {
      const devices = await navigator.mediaDevices.enumerateDevices();
      for (const d of devices.filter((d) => d.kind === 'videoinput')) {
        const option = document.createElement('option');
        option.value = d.deviceId;
        option.textContent = d.label || `Camera ${select.options.length + 1}`;
        select.appendChild(option);
      }
    } catch {
      /* no list: the default camera */
    }
    if (!select.options.length) select.hidden = true;
  }

  promptChoices() {
    const select = /** @type {HTMLSelectElement | null} */ (document.getElementById('tandem-camera-choice'));
    const paused = /** @type {HTMLInputElement | null} */ (document.getElementById('tandem-camera-paused'));
    return { video: 'small', videosource: select?.value || undefined, videopaused: Boolean(paused?.checked) };
  }

  /**
   * Starts (or, on a new page, resumes) the camera. Fires `visitorvideo` even when the camera is
   * unavailable (`blocked`, `nocamera`, `error`), and the camera-timeout event after 5 s of silence.
   * @param {{size: 'large' | 'small', paused: boolean, videosource?: string, previewId?: string}} p
   * @param {boolean} first the video session starts now (not continued on a new page)
   */
  async capture(p, first) {
    this.stopTracks(this.video?.stream || null);
    const previewId = this.video?.previewId || p.previewId || 'glance_videopreview';
    this.video = { stream: null, size: p.size, paused: p.paused, camerastatus: 'available', videosource: p.videosource, previewId };
    const current = this.video;
    if (p.videosource) this.env.setCookie('videosource', p.videosource);
    const timer = setTimeout(() => this.env.fire('visitorvideotimeout', {}), CAMERA_TIMEOUT_MS);
    /** @type {MediaStream | null} */
    let stream = null;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: p.videosource ? { deviceId: { ideal: p.videosource } } : true, audio: true });
    } catch (error) {
      const name = /** @type {any} */ (error)?.name;
      current.camerastatus = name === 'NotAllowedError' || name === 'SecurityError' ? 'blocked' : name === 'NotFoundError' || name === 'OverconstrainedError' ? 'nocamera' : 'error';
      if (current.camerastatus === 'error') this.env.fire('visitorvideoerror', { error: name || 'error' });
    } finally {
      clearTimeout(timer);
    }
    if (this.video !== current) return this.stopTracks(stream); // stopped meanwhile
    current.stream = stream;
    if (first) this.env.fire('visitorvideocreated');
    for (const track of stream?.getTracks() || []) track.enabled = !current.paused;
    this.env.send({
      t: 'media', view: VIDEO_VIEW, state: 'started', camerastatus: current.camerastatus, size: current.size, paused: current.paused,
      ...(stream ? { stream: stream.id } : {}),
    });
    this.env.fire('visitorvideo', { video: current.size, camerastatus: current.camerastatus });
    if (!stream) return;
    const settings = stream.getVideoTracks()[0]?.getSettings() || {};
    this.env.fire('visitorvideostarted', { width: settings.width || 0, height: settings.height || 0 });
    if (current.paused) this.env.fire('visitorvideopaused', {});
    this.showPreview();
    this.env.connectAll();
    this.env.tracksChanged();
  }

  /** The session starts with the visitor's video (`startSession` VideoParams). @param {any} params */
  startWith(params) {
    if (!this.video) this.capture(videoParams(params), true);
  }

  /** `toggleVideo()`: pause or unpause (only once the video has started). */
  toggleVideo() {
    if (!this.video?.stream) return false;
    this.setPaused(!this.video.paused, true);
    return true;
  }

  /** @param {boolean} paused @param {boolean} report tell the agents (the visitor did it) */
  setPaused(paused, report) {
    const video = this.video;
    if (!video || video.paused === paused) return;
    video.paused = paused;
    for (const track of video.stream?.getTracks() || []) track.enabled = !paused;
    if (report) this.env.send({ t: 'media', view: VIDEO_VIEW, state: paused ? 'paused' : 'resumed', size: video.size });
    if (paused) this.env.fire('visitorvideopaused', {});
    else {
      // The seed's text says `visitorvideoresume`, its API `visitorvideoresumed`: both.
      this.env.fire('visitorvideoresume', {});
      this.env.fire('visitorvideoresumed', {});
    }
  }

  /** `toggleVideoSize()`: small ↔ large. */
  toggleVideoSize() {
    const video = this.video;
    if (!video) return false;
    video.size = video.size === 'small' ? 'large' : 'small';
    this.env.send({ t: 'media', view: VIDEO_VIEW, state: video.paused ? 'paused' : 'resumed', size: video.size });
    this.showPreview();
    this.env.fire('visitorvideoresize', { video: video.size });
    return true;
  }

  /** The visitor sees its own camera: the page's `previewelementid` video, or Tandem's corner preview. */
  showPreview() {
    const video = this.video;
    if (!video?.stream) return;
    const own = document.getElementById(video.previewId);
    /** @type {HTMLVideoElement} */
    let preview;
    if (own instanceof HTMLVideoElement && own !== this.ownPreview) preview = own;
    else if (this.env.custom) return;
    else {
      preview = this.ownPreview || document.createElement('video');
      if (!this.ownPreview) {
        preview.id = video.previewId;
        preview.setAttribute('data-tandem-ignore', '');
        preview.muted = true;
        preview.autoplay = true;
        preview.playsInline = true;
        Object.assign(preview.style, {
          position: 'fixed', left: '16px', bottom: '16px', zIndex: '2147483645', borderRadius: '8px', background: '#000',
          boxShadow: '0 2px 12px rgba(0,0,0,.4)', objectFit: 'cover', transform: 'scaleX(-1)',
        });
        document.body.appendChild(preview);
        this.ownPreview = preview;
      }
      const [w, h] = PREVIEW[video.size];
      Object.assign(preview.style, { width: `${w}px`, height: `${h}px` });
    }
    preview.muted = true; // never the visitor's own voice back
    if (preview.srcObject !== video.stream) preview.srcObject = video.stream;
    preview.play().catch(() => {});
  }

  /** @param {boolean} report the visitor ended it (agents are told) */
  stopVideo(report) {
    const video = this.video;
    if (!video) return;
    this.video = null;
    this.stopTracks(video.stream);
    this.ownPreview?.remove();
    this.ownPreview = null;
    if (report) this.env.send({ t: 'media', view: VIDEO_VIEW, state: 'ended' });
    this.env.fire('visitorvideoended');
    this.env.fire('visitorvideostopped', {});
    this.env.tracksChanged();
  }

  // MARK: screen

  /** @param {any} msg */
  askScreen(msg) {
    if (typeof navigator.mediaDevices?.getDisplayMedia !== 'function') {
      this.env.send({ t: 'media', view: SCREEN_VIEW, state: 'declined', closereason: 'NotSupported' });
      return;
    }
    const { accept, decline } = once((accepted) => {
      this.closePrompt();
      if (!accepted) {
        this.env.send({ t: 'media', view: SCREEN_VIEW, state: 'declined' });
        this.env.fire('visitorscreensharedeclined');
        return;
      }
      this.env.send({ t: 'media', view: SCREEN_VIEW, state: 'accepted' });
      this.env.fire('visitorscreenshareaccepted');
      this.shareScreen();
    });
    this.env.fire('visitorscreensharerequested', { accept, decline });
    if (this.env.hasListener('visitorscreensharerequested')) return;
    if (this.env.custom) return decline();
    this.prompt = showConsentPrompt({
      id: `tandem-${SCREEN_VIEW}`,
      text:
        `${this.env.agentName(msg.num)} asks to see your screen. Masking cannot hide anything on a shared screen: ` +
        'share only a window or tab with nothing private in it.',
      accept,
      decline,
    });
  }

  async shareScreen() {
    /** @type {MediaStream} */
    let stream;
    try {
      // Called from the visitor's click (accept): browsers require that gesture.
      stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { max: 15 } }, audio: false });
    } catch {
      this.env.send({ t: 'media', view: SCREEN_VIEW, state: 'declined' });
      this.env.fire('visitorscreensharedeclined');
      return;
    }
    this.screen = stream;
    // The browser's own "Stop sharing" ends it.
    for (const track of stream.getTracks()) track.addEventListener('ended', () => this.stopScreen(true));
    this.env.send({ t: 'media', view: SCREEN_VIEW, state: 'started', stream: stream.id });
    this.env.fire('visitorscreensharestarted');
    this.env.connectAll();
    this.env.tracksChanged();
  }

  /** @param {boolean} report the visitor ended it */
  stopScreen(report) {
    const screen = this.screen;
    if (!screen) return;
    this.screen = null;
    this.stopTracks(screen);
    if (report) this.env.send({ t: 'media', view: SCREEN_VIEW, state: 'ended' });
    this.env.fire('visitorscreenshareended');
    this.env.tracksChanged();
  }

  /** @param {MediaStream | null} stream */
  stopTracks(stream) {
    for (const track of stream?.getTracks() || []) track.stop();
  }

  closePrompt() {
    this.prompt?.remove();
    this.prompt = null;
  }

  /** The session ended. */
  stop() {
    this.closePrompt();
    this.stopVideo(false);
    this.stopScreen(false);
    document.removeEventListener('visibilitychange', this.onVisible);
  }
}

/**
 * The seed's VideoParams: `{video:'large'|'small', videosource, previewelementid, videopaused}`.
 * @param {any} params
 * @returns {{size: 'large' | 'small', paused: boolean, videosource?: string, previewId?: string}}
 */
export function videoParams(params) {
  const p = params && typeof params === 'object' ? params : {};
  return {
    size: p.video === 'large' ? 'large' : 'small',
    paused: p.videopaused === true,
    ...(typeof p.videosource === 'string' && p.videosource ? { videosource: p.videosource } : {}),
    ...(typeof p.previewelementid === 'string' && p.previewelementid ? { previewId: p.previewelementid } : {}),
  };
}
