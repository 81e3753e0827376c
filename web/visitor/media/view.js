// @ts-check
/**
 * Where an agent's video or screen shows in the visitor's page: an iframe with the seed's id
 * (`glance_agentvideo`, `glance_screenshare`, `glance_agentvideo_N`). With the default UI Tandem
 * makes it: a small window in a corner that can be dragged (it snaps to the nearest corner) and
 * made small or large. With `data-ui="custom"` the page's own hidden iframe is used and the page
 * places it on the `screenshare` event. Either way the iframe's document is ours (same origin,
 * about:blank): the page's styles cannot reach the player, and the mirror never captures it
 * (data-tandem-ignore on ours; capture skips frames with these ids).
 */

const SIZES = { small: { video: [240, 180], screen: [400, 250] }, large: { video: [480, 360], screen: [800, 500] } };
const MARGIN = 16;

export class MediaView {
  /**
   * @param {{view: string, kind: 'video' | 'screen', custom: boolean, label: string, onclose: () => void}} options
   */
  constructor(options) {
    this.options = options;
    this.view = options.view;
    this.kind = options.kind;
    /** @type {HTMLIFrameElement | null} */
    this.frame = null;
    /** @type {HTMLVideoElement | null} */
    this.video = null;
    /** @type {HTMLElement | null} */
    this.cover = null;
    /** @type {HTMLButtonElement | null} */
    this.unmute = null;
    this.size = /** @type {'small' | 'large'} */ (options.kind === 'screen' ? 'large' : 'small');
    this.corner = 'bottom-right';
    /** @type {MediaStream | null} */
    this.stream = null;
    this.owned = false;
  }

  /** The page's iframe for this view (custom UI), if it has one. */
  pageFrame() {
    const el = document.getElementById(this.view);
    return el instanceof HTMLIFrameElement ? el : null;
  }

  /**
   * Makes (or takes) the iframe and puts the player in it.
   * @returns {Promise<boolean>} false when a custom page has no iframe for this view
   */
  async open() {
    let frame = this.options.custom ? this.pageFrame() : null;
    if (this.options.custom && !frame) return false;
    if (!frame) {
      frame = document.createElement('iframe');
      frame.id = this.view;
      frame.setAttribute('data-tandem-ignore', '');
      frame.setAttribute('title', this.options.label);
      frame.setAttribute('allow', 'autoplay');
      Object.assign(frame.style, {
        position: 'fixed', zIndex: '2147483645', border: '0', borderRadius: '10px', background: '#111',
        boxShadow: '0 4px 24px rgba(0,0,0,.35)', colorScheme: 'normal',
      });
      this.owned = true;
      document.body.appendChild(frame);
      this.place();
    }
    this.frame = frame;
    const doc = await blankDocument(frame);
    if (!doc) return false;
    this.build(doc);
    return true;
  }

  /** @param {Document} doc */
  build(doc) {
    doc.body.replaceChildren();
    Object.assign(doc.documentElement.style, { height: '100%' });
    Object.assign(doc.body.style, {
      margin: '0', height: '100%', background: '#111', overflow: 'hidden', position: 'relative',
      font: '13px/1.3 system-ui,sans-serif', color: '#fff', userSelect: 'none',
    });
    const video = doc.createElement('video');
    video.autoplay = true;
    video.playsInline = true;
    video.setAttribute('playsinline', '');
    Object.assign(video.style, { width: '100%', height: '100%', objectFit: 'contain', display: 'block' });
    const cover = doc.createElement('div');
    cover.className = 'paused';
    cover.textContent = 'Paused';
    Object.assign(cover.style, {
      position: 'absolute', inset: '0', display: 'none', alignItems: 'center', justifyContent: 'center',
      background: 'rgba(17,17,17,.92)', fontSize: '15px',
    });
    const unmute = doc.createElement('button');
    unmute.className = 'unmute';
    unmute.type = 'button';
    unmute.textContent = '🔇 Unmute';
    unmute.hidden = true;
    styleButton(unmute, { left: '8px', bottom: '8px' });
    unmute.addEventListener('click', () => this.setMuted(false));
    doc.body.append(video, cover, unmute);
    this.video = video;
    this.cover = cover;
    this.unmute = unmute;
    if (this.owned) this.addWindowControls(doc);
  }

  /** Default UI: a title strip to drag, size and close buttons. @param {Document} doc */
  addWindowControls(doc) {
    const bar = doc.createElement('div');
    bar.className = 'bar';
    Object.assign(bar.style, {
      position: 'absolute', left: '0', right: '0', top: '0', height: '28px', display: 'flex', alignItems: 'center',
      gap: '6px', padding: '0 6px', background: 'linear-gradient(rgba(0,0,0,.6), rgba(0,0,0,0))', cursor: 'move',
    });
    const title = doc.createElement('span');
    title.textContent = this.options.label;
    title.style.flex = '1';
    const size = doc.createElement('button');
    size.className = 'size';
    size.type = 'button';
    size.textContent = '⤢';
    size.title = 'Larger / smaller';
    const close = doc.createElement('button');
    close.className = 'close';
    close.type = 'button';
    close.textContent = '×';
    close.title = 'Close';
    for (const b of [size, close]) styleButton(b, { position: 'static' });
    size.addEventListener('click', () => this.toggleSize());
    close.addEventListener('click', () => this.options.onclose());
    bar.append(title, size, close);
    doc.body.appendChild(bar);
    this.dragWith(bar);
  }

  /** Drags the iframe by a strip inside it; on release it snaps to the nearest corner. @param {HTMLElement} handle */
  dragWith(handle) {
    handle.addEventListener('pointerdown', (e) => {
      if (e.target !== handle && /** @type {Element} */ (e.target).tagName === 'BUTTON') return;
      const frame = this.frame;
      if (!frame) return;
      const start = { x: e.screenX, y: e.screenY, rect: frame.getBoundingClientRect() };
      handle.setPointerCapture(e.pointerId);
      const move = (/** @type {PointerEvent} */ m) => {
        frame.style.left = `${start.rect.left + m.screenX - start.x}px`;
        frame.style.top = `${start.rect.top + m.screenY - start.y}px`;
        frame.style.right = frame.style.bottom = 'auto';
      };
      const up = () => {
        handle.removeEventListener('pointermove', move);
        handle.removeEventListener('pointerup', up);
        const r = frame.getBoundingClientRect();
        const cx = r.left + r.width / 2;
        const cy = r.top + r.height / 2;
        this.corner = `${cy < innerHeight / 2 ? 'top' : 'bottom'}-${cx < innerWidth / 2 ? 'left' : 'right'}`;
        this.place();
      };
      handle.addEventListener('pointermove', move);
      handle.addEventListener('pointerup', up);
    });
  }

  toggleSize() {
    this.size = this.size === 'small' ? 'large' : 'small';
    this.place();
  }

  /** Puts our window in its corner at its size (within the viewport). */
  place() {
    const frame = this.frame || /** @type {HTMLIFrameElement | null} */ (document.getElementById(this.view));
    if (!frame || !this.owned) return;
    const [w, h] = SIZES[this.size][this.kind];
    const width = Math.min(w, innerWidth - 2 * MARGIN);
    const height = Math.min(h, Math.round((width * h) / w));
    const [v, horizontal] = this.corner.split('-');
    Object.assign(frame.style, {
      width: `${width}px`, height: `${height}px`, left: 'auto', right: 'auto', top: 'auto', bottom: 'auto',
      [v]: `${MARGIN}px`, [horizontal]: `${MARGIN + (this.kind === 'video' && this.view !== 'glance_agentvideo' ? width + MARGIN : 0)}px`,
    });
  }

  /** @param {MediaStream} stream */
  async show(stream) {
    const video = this.video;
    if (!video) return;
    if (this.stream !== stream) {
      this.stream = stream;
      // The microphone's track may arrive after the camera's.
      stream.addEventListener('addtrack', () => this.sound());
    }
    if (video.srcObject !== stream) video.srcObject = stream;
    video.muted = true;
    try {
      await video.play();
    } catch {
      /* the tab is in the background: it plays when it comes back */
    }
    await this.sound();
  }

  /**
   * Autoplay: sound at once only after the visitor used the page; otherwise muted, with a
   * visible Unmute (a refused unmuted play falls back to muted, never to silence unexplained).
   */
  async sound() {
    const video = this.video;
    if (!video || !this.stream) return;
    const hasAudio = this.stream.getAudioTracks().length > 0;
    if (hasAudio && video.muted && /** @type {any} */ (navigator).userActivation?.hasBeenActive) {
      video.muted = false;
      try {
        await video.play();
      } catch {
        video.muted = true;
        video.play().catch(() => {});
      }
    }
    if (this.unmute) this.unmute.hidden = !(hasAudio && video.muted);
  }

  /** @param {boolean} muted */
  setMuted(muted) {
    if (!this.video) return;
    this.video.muted = muted;
    this.video.play().catch(() => {});
    if (this.unmute) this.unmute.hidden = !muted || !this.stream?.getAudioTracks().length;
  }

  /** @param {boolean} paused */
  setPaused(paused) {
    // Inline display, not `hidden`: the cover is a flex box.
    if (this.cover) this.cover.style.display = paused ? 'flex' : 'none';
  }

  close() {
    if (this.video) this.video.srcObject = null;
    if (this.owned) this.frame?.remove();
    else if (this.frame?.contentDocument) this.frame.contentDocument.body.replaceChildren();
    this.frame = null;
    this.video = null;
  }
}

/**
 * The iframe's document once it is an empty same-origin one (a page's iframe may still be
 * loading, or point elsewhere: it is pointed at about:blank).
 * @param {HTMLIFrameElement} frame @returns {Promise<Document | null>}
 */
async function blankDocument(frame) {
  const usable = () => {
    try {
      const doc = frame.contentDocument;
      return doc && doc.body && doc.readyState === 'complete' && (doc.URL === 'about:blank' || doc.URL === 'about:srcdoc') ? doc : null;
    } catch {
      return null;
    }
  };
  const now = usable();
  if (now && !frame.getAttribute('src')) return now;
  frame.removeAttribute('srcdoc');
  const loaded = new Promise((resolve) => frame.addEventListener('load', resolve, { once: true }));
  frame.src = 'about:blank';
  await Promise.race([loaded, new Promise((r) => setTimeout(r, 2000))]);
  return usable();
}

/** @param {HTMLButtonElement} b @param {Record<string, string>} at */
function styleButton(b, at) {
  Object.assign(b.style, {
    position: 'absolute', padding: '3px 8px', border: '0', borderRadius: '6px', background: 'rgba(255,255,255,.92)',
    color: '#111', font: 'inherit', cursor: 'pointer', ...at,
  });
}
