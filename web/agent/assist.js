// @ts-check
/**
 * The agent's helping tools in the viewer: remote control (request, act on the mirror by
 * element id, type, pick options, scroll), drawing and highlighting, agent navigation.
 * Everything goes to the server as typed messages; the visitor's browser decides what runs.
 */

const SVG = 'http://www.w3.org/2000/svg';
const $ = (/** @type {string} */ id) => /** @type {any} */ (document.getElementById(id));

/**
 * @param {{
 *   send: (msg: any) => void,
 *   frame: () => HTMLIFrameElement,
 *   mirror: import('../common/mirror.js').Mirror,
 *   scale: () => number,
 * }} env
 */
export function setUpAssist(env) {
  const overlay = $('overlay');
  const ink = $('ink');
  const select = $('rc-select');
  let rc = { enabled: false, suspended: false };
  /** @type {'control' | 'draw' | 'highlight' | ''} */
  let tool = '';
  /**
   * The text field the agent is typing into, with the agent's own copy of its value: the
   * visitor's echo of earlier keystrokes may land between two keys and must not rewind it.
   * @type {{id: number, el: any, value: string} | null}
   */
  let typing = null;

  const mode = () => (tool || (rc.enabled ? 'control' : ''));
  const refresh = () => {
    overlay.dataset.mode = mode();
    // A guest's viewer has no helping tools (body.guest).
    const guest = document.body.classList.contains('guest');
    $('rc-request').hidden = rc.enabled || guest;
    $('rc-stop').hidden = !rc.enabled || guest;
    $('tool-draw').setAttribute('aria-pressed', String(tool === 'draw'));
    $('tool-highlight').setAttribute('aria-pressed', String(tool === 'highlight'));
    $('rc-status').textContent = rc.enabled ? (rc.suspended ? 'Control paused: the visitor is active' : 'You have control') : '';
  };

  /** Viewport coordinates of the mirrored page under the agent's pointer. @param {MouseEvent} e */
  const point = (e) => {
    const rect = overlay.getBoundingClientRect();
    return { x: (e.clientX - rect.left) / env.scale(), y: (e.clientY - rect.top) / env.scale() };
  };
  /**
   * The mirrored element under a point and its id, looking inside shadow roots and frames (the
   * visitor's side does the same for clicks; for typing the field itself must be known here).
   * @param {{x: number, y: number}} p @param {boolean} [deep] look inside (else the host or frame)
   */
  const target = (p, deep = false) => {
    let x = p.x;
    let y = p.y;
    /** @type {any} */
    let el = env.frame().contentDocument?.elementFromPoint(x, y);
    for (let depth = 0; deep && el && depth < 16; depth++) {
      const inShadow = el.shadowRoot?.elementFromPoint(x, y);
      if (inShadow && inShadow !== el) {
        el = inShadow;
        continue;
      }
      if (el.localName === 'iframe' && el.contentDocument) {
        const rect = el.getBoundingClientRect();
        const inner = el.contentDocument.elementFromPoint(x - rect.left - el.clientLeft, y - rect.top - el.clientTop);
        if (inner) {
          x -= rect.left + el.clientLeft;
          y -= rect.top + el.clientTop;
          el = inner;
          continue;
        }
      }
      break;
    }
    for (; el; el = el.parentElement || el.getRootNode()?.host || null) {
      const id = env.mirror.idOf(el);
      if (id !== undefined) return { id, el };
    }
    return null;
  };
  const finishTyping = () => {
    if (typing) env.send({ t: 'action', type: 'change', id: typing.id });
    typing = null;
    select.hidden = true;
  };

  $('rc-request').addEventListener('click', () => env.send({ t: 'rcrequest' }));
  $('rc-stop').addEventListener('click', () => env.send({ t: 'rcstop' }));
  for (const name of /** @type {const} */ (['draw', 'highlight'])) {
    $(`tool-${name}`).addEventListener('click', () => {
      tool = tool === name ? '' : name;
      refresh();
    });
  }
  $('nav-form').addEventListener('submit', (/** @type {Event} */ e) => {
    e.preventDefault();
    const url = $('nav-url').value.trim();
    if (url) env.send({ t: 'navigate', url });
  });
  $('nav-back').addEventListener('click', () => env.send({ t: 'navigate', direction: 'back' }));
  $('nav-forward').addEventListener('click', () => env.send({ t: 'navigate', direction: 'forward' }));

  // ---- Remote control on the mirror ----
  overlay.addEventListener('click', (/** @type {MouseEvent} */ e) => {
    const p = point(e);
    if (mode() === 'highlight') return gesture('highlight', [[p.x + scrollX(), p.y + scrollY()]]);
    if (mode() !== 'control') return;
    overlay.focus();
    const outer = target(p);
    const hit = target(p, true);
    if (!outer || !hit) return;
    if (typing && typing.id !== hit.id) finishTyping();
    // The click names the host or frame at the point (the visitor's side finds what is inside,
    // in its own coordinates); typing and selects need the field itself.
    env.send({ t: 'action', type: 'click', id: outer.id, x: p.x, y: p.y });
    const tag = hit.el.localName;
    const type = (hit.el.getAttribute('type') || 'text').toLowerCase();
    if (tag === 'textarea' || (tag === 'input' && !['checkbox', 'radio', 'button', 'submit', 'reset', 'file', 'image', 'range', 'color'].includes(type))) {
      if (!typing) typing = { ...hit, value: String(/** @type {any} */ (hit.el).value ?? '') };
    } else if (tag === 'select') {
      showSelect(hit, p);
    }
  });
  overlay.addEventListener('keydown', (/** @type {KeyboardEvent} */ e) => {
    if (mode() !== 'control' || !typing || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key.length === 1) typing.value += e.key;
    else if (e.key === 'Backspace') typing.value = typing.value.slice(0, -1);
    else if (e.key === 'Enter' && typing.el.localName === 'textarea') typing.value += '\n';
    else {
      if (['Enter', 'Tab', 'Escape'].includes(e.key)) {
        env.send({ t: 'action', type: 'key', id: typing.id, key: e.key });
        if (e.key !== 'Enter') finishTyping();
        e.preventDefault();
      }
      return;
    }
    e.preventDefault();
    typing.el.value = typing.value;
    env.send({ t: 'action', type: 'input', id: typing.id, value: typing.value });
  });
  overlay.addEventListener('wheel', (/** @type {WheelEvent} */ e) => {
    if (mode() !== 'control') return;
    e.preventDefault();
    env.send({ t: 'action', type: 'scroll', id: 0, x: e.deltaX, y: e.deltaY });
  }, { passive: false });
  let pointerQueued = false;
  overlay.addEventListener('mousemove', (/** @type {MouseEvent} */ e) => {
    if (mode() !== 'control' || pointerQueued) return;
    pointerQueued = true;
    const p = point(e);
    requestAnimationFrame(() => {
      pointerQueued = false;
      env.send({ t: 'pointer', x: p.x, y: p.y });
    });
  });

  /** @param {{id: number, el: any}} hit @param {{x: number, y: number}} p */
  function showSelect(hit, p) {
    select.replaceChildren(...Array.from(hit.el.options).map((/** @type {any} */ o, /** @type {number} */ i) => new Option(o.text, String(i), false, i === hit.el.selectedIndex)));
    select.style.left = `${p.x}px`;
    select.style.top = `${p.y}px`;
    select.size = Math.min(hit.el.options.length, 8);
    select.hidden = false;
    select.onchange = () => {
      env.send({ t: 'action', type: 'select', id: hit.id, index: Number(select.value) });
      hit.el.selectedIndex = Number(select.value);
      select.hidden = true;
    };
    select.focus();
  }

  // ---- Drawing ----
  /** @type {number[][] | null} */
  let stroke = null;
  /** @type {SVGPolylineElement | null} */
  let line = null;
  const scrollX = () => env.frame().contentWindow?.scrollX || 0;
  const scrollY = () => env.frame().contentWindow?.scrollY || 0;
  overlay.addEventListener('mousedown', (/** @type {MouseEvent} */ e) => {
    if (mode() !== 'draw') return;
    const p = point(e);
    stroke = [[p.x + scrollX(), p.y + scrollY()]];
    line = /** @type {SVGPolylineElement} */ (document.createElementNS(SVG, 'polyline'));
    line.setAttribute('fill', 'none');
    line.setAttribute('stroke', '#e5534b');
    line.setAttribute('stroke-width', '4');
    ink.appendChild(line);
  });
  overlay.addEventListener('mousemove', (/** @type {MouseEvent} */ e) => {
    if (!stroke || !line) return;
    const p = point(e);
    stroke.push([p.x + scrollX(), p.y + scrollY()]);
    line.setAttribute('points', stroke.map(([x, y]) => `${x - scrollX()},${y - scrollY()}`).join(' '));
  });
  window.addEventListener('mouseup', () => {
    if (!stroke) return;
    gesture('outline', stroke, line);
    stroke = null;
    line = null;
  });

  /** @param {string} kind @param {number[][]} points @param {Element | null} [drawn] */
  function gesture(kind, points, drawn = null) {
    env.send({ t: 'gesture', kind, points: points.map(([x, y]) => [Math.round(x), Math.round(y)]) });
    let mark = drawn;
    if (!mark) {
      mark = document.createElementNS(SVG, 'circle');
      mark.setAttribute('cx', String(points[0][0] - scrollX()));
      mark.setAttribute('cy', String(points[0][1] - scrollY()));
      mark.setAttribute('r', '28');
      mark.setAttribute('fill', 'rgba(240, 180, 41, 0.3)');
      mark.setAttribute('stroke', '#e5534b');
      mark.setAttribute('stroke-width', '4');
      ink.appendChild(mark);
    }
    const done = mark;
    setTimeout(() => done.setAttribute('opacity', '0'), 4000);
    setTimeout(() => done.remove(), 5000);
  }

  refresh();
  return {
    /** @param {{enabled: boolean, suspended: boolean}} state */
    setControl(state) {
      rc = { enabled: state.enabled, suspended: state.suspended };
      if (!rc.enabled) finishTyping();
      refresh();
    },
  };
}
