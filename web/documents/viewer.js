// @ts-check
/**
 * The shared-document viewer (/web/documents/viewer.html), in a frame sandboxed to scripts only
 * (an opaque origin: no cookies, no access to its parent). Every participant runs one; the
 * parent page (the visitor's overlay or the agent viewer) keeps them in step by postMessage,
 * messages being objects with a `tandemDoc` member:
 *
 * parent → frame: `open {kind, src, name}`, `view {state}` (applied, never echoed back),
 * `pointer {x, y, label}` (`x: null` hides it), `readonly {value}` (nothing is reported).
 * frame → parent: `ready`, `loaded {pages}`, `view {state}` when the user moves (debounced),
 * `pointer {x, y}` (throttled; `x: null` when the pointer leaves), `error {msg}`.
 *
 * A view state is `{page, zoom, x, y, sheet?}`: page from 1 (a spreadsheet's row page), zoom
 * 0.25–5, x and y the scroll offset in document pixels at zoom 1, sheet from 0. The document is
 * laid out the same whatever the window's size (pages stacked at fixed places, a margin that
 * scales with the zoom), so the same state shows the same top-left point everywhere.
 *
 * PDFs are drawn by Debian's pdf.js 2.14 (served at /pdfjs/), its "worker" running on this
 * thread (a Worker cannot be created from an opaque origin), with `isEvalSupported: false`: that
 * pdf.js builds glyph-drawing code with `new Function` from font data (CVE-2024-4367), which
 * this, and the frame's CSP without 'unsafe-eval', stop. Spreadsheets arrive as HTML the server
 * made and escaped.
 */
(() => {
  'use strict';

  /** @typedef {{page: number, zoom: number, x: number, y: number, sheet?: number}} ViewState */
  /** @typedef {{name: string, pages: number, rows: number, columns: number}} SheetInfo */

  const PDFJS = '/pdfjs/';
  /** Space around the document and between pages, in document pixels. */
  const MARGIN = 16;
  const GAP = 12;
  const ZOOMS = [0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1, 1.1, 1.25, 1.5, 1.75, 2, 2.5, 3, 4, 5];
  const MIN_ZOOM = 0.25;
  const MAX_ZOOM = 5;
  const VIEW_DEBOUNCE_MS = 100;
  const POINTER_THROTTLE_MS = 50;
  /** Largest canvas bitmap (pixels) a page is drawn into; beyond it the resolution drops. */
  const MAX_CANVAS_PIXELS = 16_777_216;

  const byId = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));
  const scroller = byId('doc-pages');
  const sizer = byId('doc-sizer');
  const statusBox = byId('doc-status');
  const pageInput = /** @type {HTMLInputElement} */ (byId('doc-page'));
  const pageCount = byId('doc-page-count');
  const zoomLabel = byId('doc-zoom');
  const sheetTabs = byId('doc-sheets');
  const remotePointer = byId('doc-remote-pointer');
  const remoteLabel = byId('doc-remote-label');
  const buttons = {
    prev: /** @type {HTMLButtonElement} */ (byId('doc-prev')),
    next: /** @type {HTMLButtonElement} */ (byId('doc-next')),
    zoomIn: /** @type {HTMLButtonElement} */ (byId('doc-zoom-in')),
    zoomOut: /** @type {HTMLButtonElement} */ (byId('doc-zoom-out')),
  };

  /**
   * What is open. `pdf`: the pdf.js document, each page's size at zoom 1 and its top in document
   * pixels. `sheets`: the sheet list, the shown sheet and row page, and the URL they come from.
   */
  const doc = {
    /** @type {'' | 'pdf' | 'xlsx' | 'csv'} */ kind: '',
    /** Bumped by every `open`: work for an older document stops. */ generation: 0,
    loaded: false,
    zoom: 1,
    /** @type {any} */ pdf: null,
    /** @type {{width: number, height: number, top: number}[]} */ pages: [],
    /** @type {Map<number, {zoom: number, task: any, done: Promise<void>}>} */ renders: new Map(),
    /** @type {SheetInfo[]} */ sheets: [],
    sheet: 0,
    rowPage: 1,
    /** @type {URL | null} */ base: null,
    /** @type {HTMLElement | null} */ sheetBox: null,
  };
  let readonly = false;
  /** The last view reported or applied: a scroll that ends there is not the user's. @type {ViewState | null} */
  let lastView = null;
  /** @type {{x: number, y: number, label: string} | null} */
  let remote = null;

  // --- Messages -------------------------------------------------------------------------------

  /** @param {any} message */
  function post(message) {
    // Our origin is opaque and the parent's unknown to us: '*' is the only target. Nothing sent
    // is secret (view states, pointer positions, errors).
    if (window.parent !== window) window.parent.postMessage(message, '*');
  }

  window.addEventListener('message', (event) => {
    if (event.source !== window.parent || window.parent === window) return;
    const data = event.data;
    if (!data || typeof data !== 'object' || typeof data.tandemDoc !== 'string') return;
    switch (data.tandemDoc) {
      case 'open':
        if (['pdf', 'xlsx', 'csv'].includes(data.kind) && typeof data.src === 'string') {
          open(data.kind, data.src, typeof data.name === 'string' ? data.name : '');
        } else {
          fail('This document type cannot be shown.');
        }
        break;
      case 'view':
        if (data.state && typeof data.state === 'object') applyView(data.state);
        break;
      case 'pointer':
        showRemotePointer(data.x, data.y, data.label);
        break;
      case 'readonly':
        readonly = data.value === true;
        document.body.classList.toggle('readonly', readonly);
        break;
    }
  });

  // --- Opening --------------------------------------------------------------------------------

  /** @param {'pdf' | 'xlsx' | 'csv'} kind @param {string} src @param {string} name */
  async function open(kind, src, name) {
    const generation = ++doc.generation;
    closeDocument();
    doc.kind = kind;
    byId('doc-name').textContent = name;
    document.title = name || 'Shared document';
    setStatus('Loading…');
    let url;
    try {
      url = new URL(src, location.href);
    } catch {
      fail('The document address is not valid.');
      return;
    }
    // Only Tandem's own documents (the frame's CSP would refuse others anyway).
    if (url.origin !== new URL(location.href).origin) {
      fail('The document is not on this server.');
      return;
    }
    try {
      const count = kind === 'pdf' ? await openPdf(url, generation) : await openSheets(url, generation);
      if (generation !== doc.generation) return;
      doc.loaded = true;
      setStatus('');
      updateToolbar();
      lastView = readView();
      post({ tandemDoc: 'loaded', pages: count });
    } catch (error) {
      if (generation !== doc.generation) return;
      fail(describe(error));
    }
  }

  function closeDocument() {
    for (const { task } of doc.renders.values()) task?.cancel();
    doc.renders.clear();
    doc.pdf?.destroy?.();
    Object.assign(doc, { kind: '', loaded: false, zoom: 1, pdf: null, pages: [], sheets: [], sheet: 0, rowPage: 1, base: null, sheetBox: null });
    for (const child of [...sizer.children]) if (child !== remotePointer) child.remove();
    sheetTabs.replaceChildren();
    sheetTabs.hidden = true;
    remote = null;
    remotePointer.hidden = true;
    lastView = null;
    updateToolbar();
  }

  /** @param {string} msg */
  function fail(msg) {
    setStatus(msg, true);
    post({ tandemDoc: 'error', msg });
  }

  /** @param {string} text @param {boolean} [error] */
  function setStatus(text, error = false) {
    statusBox.textContent = text;
    statusBox.classList.toggle('error', error);
  }

  /** A message for an error, in words a participant can act on. @param {any} error */
  function describe(error) {
    const name = error && error.name;
    if (name === 'PasswordException') return 'This PDF is protected by a password and cannot be shown.';
    if (name === 'InvalidPDFException') return 'This file is not a valid PDF.';
    if (name === 'HttpError') return error.message;
    return `The document could not be shown${error && error.message ? `: ${error.message}` : '.'}`;
  }

  /** @param {URL} url */
  async function fetchOk(url) {
    let response;
    try {
      response = await fetch(url.href, { credentials: 'omit', cache: 'no-store' });
    } catch {
      throw Object.assign(new Error('The document could not be downloaded.'), { name: 'HttpError' });
    }
    if (!response.ok) {
      const msg = response.status === 404 || response.status === 410
        ? 'The document is no longer available.'
        : `The document could not be downloaded (HTTP ${response.status}).`;
      throw Object.assign(new Error(msg), { name: 'HttpError' });
    }
    return response;
  }

  // --- PDF ------------------------------------------------------------------------------------

  /** @type {Promise<any> | null} */
  let pdfjsLoading = null;

  /** Loads pdf.js and its worker code (as classic scripts: the worker runs on this thread). */
  function loadPdfjs() {
    /** @param {string} src @returns {Promise<void>} */
    const script = (src) => new Promise((resolve, reject) => {
      const element = document.createElement('script');
      element.src = src;
      element.onload = () => resolve();
      element.onerror = () => reject(new Error('the PDF viewer could not be loaded'));
      document.head.append(element);
    });
    pdfjsLoading ||= script(`${PDFJS}build/pdf.js`)
      .then(() => script(`${PDFJS}build/pdf.worker.js`))
      .then(() => /** @type {any} */ (globalThis).pdfjsLib);
    pdfjsLoading.catch(() => { pdfjsLoading = null; });
    return pdfjsLoading;
  }

  /** @param {URL} url @param {number} generation @returns {Promise<number>} */
  async function openPdf(url, generation) {
    const [pdfjsLib, bytes] = await Promise.all([loadPdfjs(), fetchOk(url).then((r) => r.arrayBuffer())]);
    if (generation !== doc.generation) return 0;
    const loading = pdfjsLib.getDocument({
      data: new Uint8Array(bytes),
      // CVE-2024-4367: never compile font programs (or PostScript functions) into code.
      isEvalSupported: false,
      cMapUrl: `${PDFJS}web/cmaps/`,
      cMapPacked: true,
      standardFontDataUrl: `${PDFJS}web/standard_fonts/`,
      // pdf.js's own copies of the 14 standard fonts: the same rendering on every machine.
      useSystemFonts: false,
      enableXfa: false,
    });
    const pdf = await loading.promise;
    if (generation !== doc.generation) {
      pdf.destroy();
      return 0;
    }
    doc.pdf = pdf;
    /** @type {{width: number, height: number, top: number}[]} */
    const pages = [];
    let top = MARGIN;
    for (let n = 1; n <= pdf.numPages; n++) {
      const page = await pdf.getPage(n);
      if (generation !== doc.generation) return 0;
      const { width, height } = page.getViewport({ scale: 1 });
      pages.push({ width, height, top });
      top += height + GAP;
    }
    doc.pages = pages;
    for (let n = 1; n <= pages.length; n++) {
      const box = document.createElement('div');
      box.className = 'doc-page-box';
      box.dataset.page = String(n);
      const canvas = document.createElement('canvas');
      canvas.className = 'doc-page';
      canvas.dataset.page = String(n);
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', `Page ${n}`);
      box.append(canvas);
      sizer.append(box);
    }
    layout();
    scroller.scrollTo(0, 0);
    renderVisible();
    return pdf.numPages;
  }

  /** Places the pages (or the sheet) for the current zoom; scroll positions are left to the caller. */
  function layout() {
    const zoom = doc.zoom;
    if (doc.kind === 'pdf') {
      const widest = Math.max(0, ...doc.pages.map((p) => p.width));
      const last = doc.pages[doc.pages.length - 1];
      const width = (widest + 2 * MARGIN) * zoom;
      const height = last ? (last.top + last.height + MARGIN) * zoom : 0;
      setSizer(width, height);
      doc.pages.forEach((page, i) => {
        const box = /** @type {HTMLElement} */ (sizer.querySelector(`.doc-page-box[data-page="${i + 1}"]`));
        box.style.left = `${(MARGIN + (widest - page.width) / 2) * zoom}px`;
        box.style.top = `${page.top * zoom}px`;
        box.style.width = `${page.width * zoom}px`;
        box.style.height = `${page.height * zoom}px`;
      });
    } else if (doc.sheetBox) {
      const box = doc.sheetBox;
      box.style.transform = `scale(${zoom})`;
      box.style.left = box.style.top = `${MARGIN * zoom}px`;
      setSizer((box.offsetWidth + 2 * MARGIN) * zoom, (box.offsetHeight + 2 * MARGIN) * zoom);
    }
    placeRemotePointer();
  }

  /** The document's area at this zoom; centered while narrower than the window. @param {number} width @param {number} height */
  function setSizer(width, height) {
    sizer.style.width = `${width}px`;
    sizer.style.height = `${height}px`;
    sizer.style.marginLeft = doc.kind === 'pdf' ? `${Math.max(0, (scroller.clientWidth - width) / 2)}px` : '0';
  }

  let renderScheduled = false;
  function scheduleRender() {
    if (renderScheduled) return;
    renderScheduled = true;
    requestAnimationFrame(() => {
      renderScheduled = false;
      renderVisible();
    });
  }

  /** Draws the pages in or near the window at the current zoom; forgets far ones' pixels. */
  function renderVisible() {
    if (doc.kind !== 'pdf' || !doc.pdf) return;
    const zoom = doc.zoom;
    const top = scroller.scrollTop / zoom - scroller.clientHeight / zoom / 2;
    const bottom = (scroller.scrollTop + scroller.clientHeight * 1.5) / zoom;
    doc.pages.forEach((page, i) => {
      const n = i + 1;
      const near = page.top + page.height >= top && page.top <= bottom;
      const canvas = /** @type {HTMLCanvasElement} */ (sizer.querySelector(`canvas.doc-page[data-page="${n}"]`));
      if (near) {
        const current = doc.renders.get(n);
        if (!current || current.zoom !== zoom) renderPage(n, canvas);
      } else if (doc.renders.has(n) && (page.top > bottom + 3 * scroller.clientHeight / zoom || page.top + page.height < top - 3 * scroller.clientHeight / zoom)) {
        doc.renders.get(n)?.task?.cancel();
        doc.renders.delete(n);
        canvas.width = canvas.height = 0;
        delete canvas.dataset.rendered;
      }
    });
  }

  /** @param {number} n @param {HTMLCanvasElement} canvas */
  async function renderPage(n, canvas) {
    const zoom = doc.zoom;
    const generation = doc.generation;
    const previous = doc.renders.get(n);
    /** @type {{zoom: number, task: any, done: Promise<void>}} */
    const entry = { zoom, task: null, done: Promise.resolve() };
    doc.renders.set(n, entry);
    entry.done = (async () => {
      if (previous) {
        previous.task?.cancel();
        await previous.done;
      }
      if (generation !== doc.generation || doc.renders.get(n) !== entry) return;
      try {
        const page = await doc.pdf.getPage(n);
        if (generation !== doc.generation || doc.renders.get(n) !== entry) return;
        const base = page.getViewport({ scale: zoom });
        const ratio = Math.min(window.devicePixelRatio || 1, Math.sqrt(MAX_CANVAS_PIXELS / (base.width * base.height)));
        const viewport = page.getViewport({ scale: zoom * ratio });
        // Drawn off screen, then copied: the canvas keeps its old pixels until the new ones are ready.
        const scratch = document.createElement('canvas');
        scratch.width = Math.floor(viewport.width);
        scratch.height = Math.floor(viewport.height);
        const context = /** @type {CanvasRenderingContext2D} */ (scratch.getContext('2d', { alpha: false }));
        entry.task = page.render({ canvasContext: context, viewport });
        await entry.task.promise;
        if (generation !== doc.generation || doc.renders.get(n) !== entry) return;
        canvas.width = scratch.width;
        canvas.height = scratch.height;
        canvas.getContext('2d')?.drawImage(scratch, 0, 0);
        canvas.dataset.rendered = String(zoom);
      } catch (error) {
        if (error && /** @type {any} */ (error).name === 'RenderingCancelledException') return;
        if (generation === doc.generation && doc.renders.get(n) === entry) {
          doc.renders.delete(n);
          fail(`Page ${n} could not be drawn${error && /** @type {any} */ (error).message ? `: ${/** @type {any} */ (error).message}` : '.'}`);
        }
      }
    })();
  }

  // --- Spreadsheets ---------------------------------------------------------------------------

  /** @param {URL} url @param {string} suffix */
  function sheetUrl(url, suffix) {
    const result = new URL(url.href);
    result.pathname = `${url.pathname.replace(/\/+$/, '')}/sheets${suffix}`;
    return result;
  }

  /** @param {URL} url @param {number} generation @returns {Promise<number>} */
  async function openSheets(url, generation) {
    doc.base = url;
    const list = await (await fetchOk(sheetUrl(url, ''))).json();
    if (generation !== doc.generation) return 0;
    const sheets = Array.isArray(list && list.sheets) ? list.sheets : [];
    if (!sheets.length) throw new Error('the spreadsheet has no sheets');
    doc.sheets = sheets.map((/** @type {any} */ s, /** @type {number} */ i) => ({
      name: typeof s.name === 'string' ? s.name : `Sheet ${i + 1}`,
      pages: Math.max(1, Number(s.pages) || 1),
      rows: Number(s.rows) || 0,
      columns: Number(s.columns) || 0,
    }));
    doc.sheets.forEach((sheet, i) => {
      const tab = document.createElement('button');
      tab.type = 'button';
      tab.className = 'doc-sheet-tab';
      tab.dataset.sheet = String(i);
      tab.setAttribute('role', 'tab');
      tab.textContent = sheet.name;
      tab.addEventListener('click', () => userMove(() => showSheet(i, 1, 0, 0)));
      sheetTabs.append(tab);
    });
    sheetTabs.hidden = false;
    const box = document.createElement('div');
    box.id = 'doc-sheet';
    sizer.append(box);
    doc.sheetBox = box;
    await showSheet(0, 1, 0, 0);
    return doc.sheets.length;
  }

  let sheetRequest = 0;
  /**
   * Shows row page `page` of sheet `index` scrolled to (x, y) document pixels.
   * @param {number} index @param {number} page @param {number} x @param {number} y
   */
  async function showSheet(index, page, x, y) {
    const sheet = doc.sheets[index];
    if (!sheet || !doc.base || !doc.sheetBox) return;
    page = Math.min(Math.max(1, Math.round(page)), sheet.pages);
    const request = ++sheetRequest;
    const generation = doc.generation;
    if (index !== doc.sheet || page !== doc.rowPage || !doc.sheetBox.firstChild) {
      // The server counts row pages from 0; the view state from 1.
      const response = await fetchOk(sheetUrl(doc.base, `/${index}/${page - 1}`));
      const body = await response.json();
      if (request !== sheetRequest || generation !== doc.generation) return;
      // The server's HTML: a table whose every text and attribute it escaped.
      doc.sheetBox.innerHTML = typeof body.html === 'string' ? body.html : '';
      doc.sheet = index;
      doc.rowPage = page;
    }
    layout();
    scroller.scrollTo(x * doc.zoom, y * doc.zoom);
    updateToolbar();
  }

  // --- View state -----------------------------------------------------------------------------

  /** The current view. @returns {ViewState} */
  function readView() {
    const zoom = doc.zoom;
    /** @type {ViewState} */
    const view = {
      page: doc.kind === 'pdf' ? currentPage() : doc.rowPage,
      zoom,
      x: Math.round(scroller.scrollLeft / zoom),
      y: Math.round(scroller.scrollTop / zoom),
    };
    if (doc.kind === 'xlsx' || doc.kind === 'csv') view.sheet = doc.sheet;
    return view;
  }

  /**
   * The PDF page at the top of the window (the same for every window showing the same point),
   * or the last page once scrolled to the end.
   */
  function currentPage() {
    if (!doc.pages.length) return 1;
    const max = scroller.scrollHeight - scroller.clientHeight;
    if (max > 0 && scroller.scrollTop >= max - 1) return doc.pages.length;
    const y = scroller.scrollTop / doc.zoom;
    let page = 1;
    doc.pages.forEach((p, i) => { if (p.top - GAP <= y) page = i + 1; });
    return page;
  }

  /** @param {ViewState | null} a @param {ViewState | null} b */
  const sameView = (a, b) => !!a && !!b && a.page === b.page && a.zoom === b.zoom && a.x === b.x && a.y === b.y && a.sheet === b.sheet;

  /** Another participant's view: shown, and remembered so that it is not sent back. @param {any} state */
  async function applyView(state) {
    if (!doc.loaded) return;
    const num = (/** @type {any} */ v, /** @type {number} */ fallback) => (Number.isFinite(v) ? Number(v) : fallback);
    const zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, num(state.zoom, doc.zoom)));
    const page = Math.max(1, Math.round(num(state.page, 1)));
    clearTimeout(viewTimer);
    if (doc.kind === 'pdf') {
      const target = doc.pages[Math.min(page, doc.pages.length) - 1];
      const x = num(state.x, 0);
      const y = num(state.y, target ? target.top : 0);
      setZoom(zoom);
      scroller.scrollTo(x * zoom, y * zoom);
      renderVisible();
    } else {
      const sheet = Math.min(Math.max(0, Math.round(num(state.sheet, 0))), doc.sheets.length - 1);
      const generation = doc.generation;
      doc.zoom = zoom;
      try {
        await showSheet(sheet, page, num(state.x, 0), num(state.y, 0));
      } catch (error) {
        if (generation === doc.generation) fail(describe(error));
        return;
      }
    }
    updateToolbar();
    lastView = readView();
  }

  let viewTimer = 0;
  /** Reports the view after the user moved it (debounced; guests report nothing). */
  function scheduleViewReport() {
    clearTimeout(viewTimer);
    viewTimer = window.setTimeout(() => {
      if (!doc.loaded) return;
      const view = readView();
      if (sameView(view, lastView)) return;
      lastView = view;
      if (!readonly) post({ tandemDoc: 'view', state: view });
    }, VIEW_DEBOUNCE_MS);
  }

  /** Runs a change the user asked for (a button, a tab), then reports the view. @param {() => any} change */
  async function userMove(change) {
    if (!doc.loaded) return;
    try {
      await change();
    } catch (error) {
      fail(describe(error));
      return;
    }
    updateToolbar();
    scheduleViewReport();
  }

  /** Sets the zoom, keeping the document point at `anchor` (window coordinates, default the window's center) in place. @param {number} zoom @param {{x: number, y: number}} [anchor] */
  function setZoom(zoom, anchor) {
    zoom = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, Math.round(zoom * 100) / 100));
    const old = doc.zoom;
    const ax = anchor ? anchor.x : scroller.clientWidth / 2;
    const ay = anchor ? anchor.y : scroller.clientHeight / 2;
    const docX = (scroller.scrollLeft + ax) / old;
    const docY = (scroller.scrollTop + ay) / old;
    doc.zoom = zoom;
    layout();
    if (anchor !== undefined || zoom !== old) scroller.scrollTo(docX * zoom - ax, docY * zoom - ay);
    scheduleRender();
    updateToolbar();
  }

  /** @param {number} direction +1 in, -1 out */
  function stepZoom(direction) {
    const zoom = doc.zoom;
    const next = direction > 0 ? ZOOMS.find((z) => z > zoom + 0.001) : [...ZOOMS].reverse().find((z) => z < zoom - 0.001);
    if (next !== undefined) setZoom(next);
  }

  /** @param {number} page */
  function goToPage(page) {
    if (doc.kind === 'pdf') {
      const target = doc.pages[Math.min(Math.max(1, page), doc.pages.length) - 1];
      if (target) scroller.scrollTo(scroller.scrollLeft, (target.top - GAP / 2) * doc.zoom);
      return undefined;
    }
    return showSheet(doc.sheet, page, 0, 0);
  }

  function updateToolbar() {
    const pdf = doc.kind === 'pdf';
    const total = pdf ? doc.pages.length : (doc.sheets[doc.sheet]?.pages || 0);
    const page = pdf ? currentPage() : doc.rowPage;
    const ready = doc.loaded || (doc.kind !== '' && total > 0);
    if (document.activeElement !== pageInput) pageInput.value = String(total ? page : 1);
    pageInput.max = String(Math.max(1, total));
    pageInput.disabled = !ready;
    pageInput.setAttribute('aria-label', pdf ? 'Page' : 'Row page');
    pageCount.textContent = `of ${total}`;
    buttons.prev.disabled = !ready || page <= 1;
    buttons.next.disabled = !ready || page >= total;
    buttons.zoomOut.disabled = !ready || doc.zoom <= MIN_ZOOM;
    buttons.zoomIn.disabled = !ready || doc.zoom >= MAX_ZOOM;
    zoomLabel.textContent = `${Math.round(doc.zoom * 100)}%`;
    for (const tab of sheetTabs.querySelectorAll('.doc-sheet-tab')) {
      tab.setAttribute('aria-selected', String(Number(/** @type {HTMLElement} */ (tab).dataset.sheet) === doc.sheet));
    }
  }

  // --- Pointers -------------------------------------------------------------------------------

  /** @param {any} x @param {any} y @param {any} label */
  function showRemotePointer(x, y, label) {
    if (!Number.isFinite(x) || !Number.isFinite(y)) {
      remote = null;
      remotePointer.hidden = true;
      return;
    }
    remote = { x: Number(x), y: Number(y), label: typeof label === 'string' ? label.slice(0, 64) : '' };
    remoteLabel.textContent = remote.label;
    placeRemotePointer();
  }

  function placeRemotePointer() {
    if (!remote || !doc.loaded) {
      remotePointer.hidden = true;
      return;
    }
    remotePointer.style.left = `${remote.x * doc.zoom}px`;
    remotePointer.style.top = `${remote.y * doc.zoom}px`;
    remotePointer.hidden = false;
  }

  /** @type {{x: number | null, y: number | null} | null} */
  let pointerPending = null;
  let pointerTimer = 0;
  let pointerSentAt = 0;
  function flushPointer() {
    pointerTimer = 0;
    if (!pointerPending) return;
    pointerSentAt = performance.now();
    post({ tandemDoc: 'pointer', x: pointerPending.x, y: pointerPending.y });
    pointerPending = null;
  }
  /** @param {number | null} x @param {number | null} y */
  function reportPointer(x, y) {
    if (readonly || !doc.loaded) return;
    pointerPending = { x, y };
    if (x === null) {
      clearTimeout(pointerTimer);
      flushPointer();
      return;
    }
    if (pointerTimer) return;
    const wait = Math.max(0, POINTER_THROTTLE_MS - (performance.now() - pointerSentAt));
    pointerTimer = window.setTimeout(flushPointer, wait);
  }

  scroller.addEventListener('pointermove', (event) => {
    const rect = sizer.getBoundingClientRect();
    const x = (event.clientX - rect.left) / doc.zoom;
    const y = (event.clientY - rect.top) / doc.zoom;
    if (x < 0 || y < 0 || x > rect.width / doc.zoom || y > rect.height / doc.zoom) return;
    reportPointer(Math.round(x), Math.round(y));
  });
  scroller.addEventListener('pointerleave', () => reportPointer(null, null));

  // --- Controls -------------------------------------------------------------------------------

  buttons.prev.addEventListener('click', () => userMove(() => goToPage((doc.kind === 'pdf' ? currentPage() : doc.rowPage) - 1)));
  buttons.next.addEventListener('click', () => userMove(() => goToPage((doc.kind === 'pdf' ? currentPage() : doc.rowPage) + 1)));
  pageInput.addEventListener('change', () => {
    const page = Math.round(Number(pageInput.value));
    if (Number.isFinite(page)) userMove(() => goToPage(page));
    pageInput.blur();
  });
  buttons.zoomIn.addEventListener('click', () => userMove(() => stepZoom(1)));
  buttons.zoomOut.addEventListener('click', () => userMove(() => stepZoom(-1)));
  scroller.addEventListener('wheel', (event) => {
    if (!event.ctrlKey || !doc.loaded) return;
    event.preventDefault();
    const rect = scroller.getBoundingClientRect();
    const anchor = { x: event.clientX - rect.left, y: event.clientY - rect.top };
    userMove(() => setZoom(doc.zoom * (event.deltaY < 0 ? 1.1 : 1 / 1.1), anchor));
  }, { passive: false });
  scroller.addEventListener('scroll', () => {
    if (!doc.loaded) return;
    scheduleRender();
    updateToolbar();
    scheduleViewReport();
  }, { passive: true });
  // A new window size re-centers the pages; a scroll the browser clamps then is not the user's.
  new ResizeObserver(() => {
    if (!doc.loaded) return;
    layout();
    scheduleRender();
    lastView = readView();
  }).observe(scroller);

  updateToolbar();
  post({ tandemDoc: 'ready' });
})();
