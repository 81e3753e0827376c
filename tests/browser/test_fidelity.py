"""Fidelity corpus (issue #3): each page in tests/browser/fidelity/ is opened by a visitor, mirrored
to an agent over the real server, and both are screenshotted at the same CSS size and compared
pixel by pixel. A pixel differs when any channel differs by more than CHANNEL_TOLERANCE (text
antialiasing differs slightly between a page and an iframe); a page fails when the share of
differing pixels is above its stated threshold. The table of thresholds and measured differences
is printed at the end of the run (conftest's terminal summary) and written to OUT/report.txt,
with the three images of every page (visitor, mirror, diff) beside it.

Each corpus page may define `window.fidelity = {act, ready, freeze}`: `act()` changes the page
after the agent has the first snapshot (so deltas are tested, not only snapshots), `ready()`
resolves when the visitor page is settled, `freeze()` stops a page that never stops changing.
"""

import io
import os
import re
import tempfile
import threading
import time
from dataclasses import dataclass, field
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Callable, Optional
from urllib.parse import parse_qs

import pytest
from PIL import Image, ImageChops
from playwright.sync_api import expect

from conftest import SiteHandler, agent_page, events, mirror, start_session, wait_for_event

CORPUS = Path(__file__).resolve().parent / "fidelity"
OUT = Path(os.environ.get("TANDEM_FIDELITY_OUT", Path(tempfile.gettempdir()) / "tandem-fidelity"))
CHANNEL_TOLERANCE = 40
#: (page, threshold %, measured %, note) per page run, for the summary.
RESULTS: list = []


class CorpusHandler(SiteHandler):
    """The test site plus the corpus under /fidelity/. Files under /fidelity/private/ are served
    only with the `fidelity_session` cookie that the corpus pages set: the visitor's browser
    has it, the agent's does not (a stylesheet or font behind a login). Asked for as
    localhost:PORT (another origin than the pages' 127.0.0.1:PORT), everything is served only to
    CORS requests from the pages' origin: the agent's requests come from Tandem's origin."""

    def translate_path(self, path):
        clean = path.split("?", 1)[0].split("#", 1)[0]
        if clean.startswith("/fidelity/"):
            return str(CORPUS / clean[len("/fidelity/"):])
        return super().translate_path(path)

    def send_head(self):
        clean, _, query = self.path.partition("?")
        delay = parse_qs(query).get("delay")
        if delay:
            time.sleep(int(delay[0]) / 1000)
        if clean.startswith("/fidelity/private/") and "fidelity_session=visitor" not in (self.headers.get("Cookie") or ""):
            self.send_error(403, "login required")
            return None
        if (self.headers.get("Host") or "").startswith("localhost:"):
            # "Another origin" (localhost vs 127.0.0.1) that answers only the visitor's pages,
            # as a font service limited to the customer's domains does.
            page_origin = f"http://127.0.0.1:{self.server.server_address[1]}"
            if self.headers.get("Origin") != page_origin:
                self.send_error(403, "origin not allowed")
                return None
            self._extra_headers = [("Access-Control-Allow-Origin", page_origin), ("Vary", "Origin")]
        if clean.endswith(".webm"):
            return self.send_range(Path(self.translate_path(self.path)))
        if clean.endswith(".html") and clean.startswith("/fidelity/"):
            # The login cookie for the private assets (the visitor's only).
            self._extra_headers = getattr(self, "_extra_headers", []) + [("Set-Cookie", "fidelity_session=visitor; Path=/fidelity; SameSite=Lax")]
        return super().send_head()

    def send_range(self, path):
        """Byte ranges, which a browser needs to seek in a video."""
        data = path.read_bytes()
        start, end = 0, len(data) - 1
        match = re.match(r"bytes=(\d*)-(\d*)", self.headers.get("Range") or "")
        if match:
            start = int(match.group(1) or 0)
            end = min(int(match.group(2) or end), end)
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(data)}")
        else:
            self.send_response(200)
        self.send_header("Content-Type", "video/webm")
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        return io.BytesIO(data[start:end + 1])

    def end_headers(self):
        for name, value in getattr(self, "_extra_headers", []):
            self.send_header(name, value)
        self._extra_headers = []
        super().end_headers()

    def guess_type(self, path):
        if str(path).endswith(".ttf"):
            return "font/ttf"
        return super().guess_type(path)


@pytest.fixture
def corpus(tandem):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(CorpusHandler, tandem_base=tandem.base))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/fidelity"
    httpd.shutdown()


@dataclass
class Case:
    name: str
    threshold: float  # % of pixels allowed to differ
    viewport: tuple = (800, 600)
    dpr: float = 1
    #: Playwright steps after the agent has the first snapshot: steps(visitor, agent).
    steps: Optional[Callable] = None
    note: str = ""
    extra: dict = field(default_factory=dict)


def type_into_forms(visitor, agent):
    visitor.fill("#text", "typed by the visitor")
    visitor.fill("#area", "line one\nline two")
    visitor.select_option("#multi", ["b", "d"])
    visitor.check("#cb2")
    visitor.check("#r3")
    visitor.fill("#range", "80")
    visitor.click("#editable")
    visitor.keyboard.press("End")
    visitor.keyboard.type(" and more")
    visitor.focus("#text")
    # Select "by the" in the focused field.
    visitor.evaluate("document.getElementById('text').setSelectionRange(6, 12)")


def select_text(visitor, agent):
    visitor.evaluate("""() => {
        const p = document.getElementById('para');
        getSelection().setBaseAndExtent(p.firstChild, 4, p.firstChild, 25);
    }""")


def scroll_around(visitor, agent):
    visitor.evaluate("document.getElementById('box').scrollTop = 230")
    visitor.evaluate("document.getElementById('hbox').scrollLeft = 150")
    visitor.mouse.wheel(0, 700)
    visitor.wait_for_function("scrollY >= 700")


def resize_window(visitor, agent):
    visitor.set_viewport_size({"width": 560, "height": 520})


def video_played(visitor, agent):
    """While the visitor's video plays, the mirror's plays too (checked before it ends)."""
    agent.wait_for_function(
        "() => { const d = document.getElementById('mirror').contentDocument; const v = d && d.getElementById('played'); return v && !v.paused; }",
        timeout=5_000)


#: Thresholds: most pages render identically (0.000 measured), so 0.05% (240 of 480,000 pixels)
#: catches a missing icon, font or image while leaving room for an antialiased edge.
STRICT = 0.05

CASES = [
    Case("stylesheets", STRICT, note="link, style, @import (with media), CSSOM insert/deleteRule, custom properties, media queries"),
    Case("private-assets", STRICT, note="sheets and fonts only the visitor can fetch (cookie; CORS for its origin only)"),
    Case("fonts", STRICT, note="@font-face, a late font, a face added by script"),
    Case("adopted", STRICT, note="adoptedStyleSheets on the document and shadow roots, push, replaceSync"),
    Case("shadow", STRICT, note="custom elements, nested shadow roots, slots, attachShadow later"),
    Case("iframes", STRICT, note="nested same-origin frames, srcdoc, own scroll, added and removed"),
    Case("canvas", STRICT, note="notifyChanged with data-gcid, drawing detected without it"),
    Case("media", STRICT, note="inline SVG, <use>, <picture>, srcset, video poster"),
    Case("forms", 0.2, steps=type_into_forms, note="every input type, focus ring; a text field's selection is not shown"),
    Case("details-dialog", STRICT, steps=select_text, note="details, dialog, text selection"),
    Case("modal", STRICT, note="dialogs opened with showModal(): top layer and backdrop"),
    Case("scrolling", STRICT, steps=scroll_around, note="scroll containers, fixed, sticky, window scroll"),
    Case("resize", STRICT, steps=resize_window, note="window resized to 560x520"),
    Case("dpr", 0.3, dpr=2, note="visitor at 2x, agent at 1x: compared at CSS size, edges antialiased differently"),
    Case("large", STRICT, note="20k elements"),
    Case("ticker", STRICT, note="mutates every 16 ms; frozen before the screenshot"),
    Case("late-images", STRICT, note="slow images, src set later, lazy, CSS background"),
    Case("quirks", STRICT, note="no doctype: the mirror renders in quirks mode too"),
    Case("video", STRICT, steps=video_played, note="a video paused where the visitor sought, one played to its end"),
    Case("hijacked-observer", STRICT, note="window.MutationObserver replaced before the script: observing the document throws"),
    Case("patched-dom", STRICT, note="appendChild, document.createElement and Node getters patched (LWC-like hidden children)"),
    Case("webgl", STRICT, note="WebGL canvases: preserveDrawingBuffer drawn at load, default contexts drawn once (webgl, webgl2), animated"),
    Case("video-states", STRICT, extra={"settle_ms": 1500},
         note="a video whose source failed (with and without controls), a muted video with controls"),
    Case("sprites", STRICT, note="external SVG sprite <use href> on the page's origin (href, xlink:href, added later, in a frame)"),
    Case("asset-images", STRICT, extra={"asset_rules": ["{origin}=visitor", "{other}=visitor"]},
         note="images and a CSS background behind the visitor's cookie, an image refused by CORS: the session asset channel"),
    Case("blob-images", STRICT, note="blob: images in the page, added later and in a same-origin frame"),
]


class Network:
    """Requests in flight on a page (images, fonts, CSS backgrounds in the mirror), so a test
    can wait until nothing is loading any more."""

    def __init__(self, page):
        self.page = page
        self.pending = set()
        self.last_change = time.monotonic()
        page.on("request", self._start)
        page.on("requestfinished", self._end)
        page.on("requestfailed", self._end)

    def _start(self, request):
        self.pending.add(request)
        self.last_change = time.monotonic()

    def _end(self, request):
        self.pending.discard(request)
        self.last_change = time.monotonic()

    def wait_idle(self, quiet=0.4, timeout=15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.pending and time.monotonic() - self.last_change >= quiet:
                return
            self.page.wait_for_timeout(50)
        raise AssertionError(f"still loading after {timeout}s: {[r.url for r in self.pending]}")


def mirror_settled(agent, sync):
    """The mirror has applied every change up to `sync` and its fonts and images are in."""
    agent.wait_for_function(
        """(sync) => {
            const frame = document.getElementById('mirror');
            const doc = frame.contentDocument;
            if (!doc || doc.documentElement?.getAttribute('data-fidelity-sync') !== String(sync)) return false;
            const docs = [doc];
            for (let i = 0; i < docs.length; i++) {
                for (const f of docs[i].querySelectorAll('iframe')) if (f.contentDocument) docs.push(f.contentDocument);
            }
            return docs.every((d) => d.fonts.status === 'loaded' &&
                Array.from(d.images).every((img) => img.complete) &&
                Array.from(d.querySelectorAll('video[src]')).every((v) => v.error || (v.readyState >= 2 && !v.seeking && v.paused)));
        }""",
        arg=sync,
        timeout=15_000,
    )


def visitor_settled(visitor):
    visitor.evaluate("""async () => {
        await document.fonts.ready;
        if (window.fidelity && window.fidelity.ready) await window.fidelity.ready();
        await Promise.all(Array.from(document.images).map((img) => img.complete ? null : new Promise((r) => { img.onload = img.onerror = r; })));
    }""")


def sync_mark(visitor, n):
    """An invisible change at the end of the visitor's changes: when the mirror has it, it has
    everything before it (deltas apply in order)."""
    visitor.evaluate(
        "(n) => new Promise((r) => requestAnimationFrame(() => { document.documentElement.setAttribute('data-fidelity-sync', String(n)); r(); }))",
        n,
    )


def difference(a: Image.Image, b: Image.Image):
    """Share of pixels (in %) where some channel differs by more than the tolerance, and a diff image."""
    diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
    r, g, bl = diff.split()
    peak = ImageChops.lighter(ImageChops.lighter(r, g), bl)
    mask = peak.point(lambda v: 255 if v > CHANNEL_TOLERANCE else 0)
    differing = mask.histogram()[255]
    total = a.size[0] * a.size[1]
    highlight = Image.composite(Image.new("RGB", a.size, (255, 0, 0)), a.convert("RGB").point(lambda v: 128 + v // 2), mask)
    return 100.0 * differing / total, highlight


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_mirror_matches_the_visitor_page(case, tandem, corpus, browser):
    tandem.start()
    width, height = case.viewport
    vcontext = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=case.dpr)
    visitor = vcontext.new_page()
    agent = agent_page(browser, tandem)
    visitor_net, agent_net = Network(visitor), Network(agent)
    try:
        origin = corpus.rsplit("/fidelity", 1)[0]
        other = origin.replace("127.0.0.1", "localhost")
        rules = [rule.format(origin=origin, other=other) for rule in case.extra.get("asset_rules", [])]
        tandem.cli("group", "set", "--id", "1", *[a for rule in (rules or ["none"]) for a in ("--asset-rule", rule)])
        visitor.goto(f"{corpus}/{case.name}.html")
        key = f"fid-{case.name}"[:20]
        start_session(visitor, repr(key))
        agent.goto(f"{tandem.base}/agentjoin?SessionKey={key}")
        agent.wait_for_selector("#screen[data-ready='1']", state="attached")
        sync_mark(visitor, 1)
        mirror_settled(agent, 1)
        # Changes after the first snapshot travel as deltas.
        visitor.evaluate("async () => { if (window.fidelity && window.fidelity.act) await window.fidelity.act(); }")
        if case.steps:
            case.steps(visitor, agent)
        visitor.evaluate("() => { if (window.fidelity && window.fidelity.freeze) window.fidelity.freeze(); }")
        visitor_net.wait_idle()
        visitor_settled(visitor)
        sync_mark(visitor, 2)
        mirror_settled(agent, 2)
        agent_net.wait_idle()
        mirror_settled(agent, 2)
        # A page may need the mirror to run a while longer (a media control bar's loading spinner
        # goes away at the end of its animation's iteration).
        agent.wait_for_timeout(case.extra.get("settle_ms", 0))
        agent.evaluate("document.getElementById('pointer').hidden = true")
        scale = agent.evaluate("Number(document.getElementById('screen').dataset.scale)")
        assert scale == 1, f"the viewer scaled the mirror ({scale}); the agent window must fit the visitor's viewport"
        vw, vh = visitor.viewport_size["width"], visitor.viewport_size["height"]
        # Tandem's own UI on the visitor's page (the session badge) is never mirrored, on purpose.
        visitor.evaluate("document.querySelectorAll('[data-tandem-ignore]').forEach(el => el.style.visibility = 'hidden')")
        # Two frames for the last layout and paint in both.
        for p in (visitor, agent):
            p.evaluate("() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))")
        shot_v = Image.open(io.BytesIO(visitor.screenshot(scale="css", animations="disabled", caret="hide")))
        shot_m = Image.open(io.BytesIO(agent.screenshot(
            scale="css", animations="disabled", caret="hide", clip={**_frame_origin(agent), "width": vw, "height": vh})))
        assert shot_v.size == shot_m.size == (vw, vh), (shot_v.size, shot_m.size)
        measured, highlight = difference(shot_v, shot_m)
        OUT.mkdir(parents=True, exist_ok=True)
        shot_v.save(OUT / f"{case.name}.visitor.png")
        shot_m.save(OUT / f"{case.name}.mirror.png")
        highlight.save(OUT / f"{case.name}.diff.png")
        RESULTS.append((case.name, case.threshold, measured, case.note))
        print(f"fidelity {case.name}: {measured:.3f}% of pixels differ (threshold {case.threshold}%)")
        assert measured <= case.threshold, (
            f"{case.name}: {measured:.3f}% of pixels differ, threshold {case.threshold}% (see {OUT}/{case.name}.diff.png)")
    finally:
        vcontext.close()
        agent.context.close()


def _frame_origin(agent):
    box = agent.locator("#mirror").bounding_box()
    return {"x": box["x"], "y": box["y"]}


def summary_lines():
    """The per-page table for the end of the run (conftest's pytest_terminal_summary)."""
    if not RESULTS:
        return []
    lines = [f"{'page':<16} {'threshold %':>11} {'measured %':>11}  result  note"]
    for name, threshold, measured, note in RESULTS:
        lines.append(f"{name:<16} {threshold:>11.2f} {measured:>11.3f}  {'pass' if measured <= threshold else 'FAIL':<6}  {note}")
    lines.append(f"(a pixel differs when a channel differs by > {CHANNEL_TOLERANCE}/255; images in {OUT})")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "report.txt").write_text("\n".join(lines) + "\n")
    return lines


def test_masked_content_inside_shadow_roots_and_frames_never_leaves(tandem, corpus, visitor, agent):
    """The leak check of test_masking.py, inside open shadow roots (nested) and same-origin
    frames (src and srcdoc): every byte the server received is searched for the secrets, and
    the visible markers prove that the content around them was captured."""
    tandem.cli("group", "set", "--id", "1", "--mask", "#frame-account")
    tandem.start()
    visitor.goto(f"{corpus}/masked-inside.html")
    visitor.wait_for_function("document.getElementById('f').contentDocument?.getElementById('frame-visible')")
    start_session(visitor, "'masked-inside'")
    agent.goto(f"{tandem.base}/agentjoin?SessionKey=masked-inside")
    frame = agent.frame_locator("#mirror")
    expect(frame.locator("#shadow-visible")).to_have_text("SHADOW-VISIBLE-OK")
    expect(frame.locator("#inner-visible")).to_have_text("INNER-VISIBLE-OK")
    expect(frame.frame_locator("#f").locator("#frame-visible")).to_have_text("FRAME-VISIBLE-OK")
    expect(frame.frame_locator("#s").locator("#srcdoc-visible")).to_have_text("SRCDOC-VISIBLE-OK")
    expect(frame.locator("#shadow-masked")).to_have_text("")
    # Changes after the snapshot: typing, script writes, a shadow root on a masked host, a canvas.
    visitor.frame_locator("#f").locator("#frame-pw").fill("FRAME-TYPED-SECRET-MA")
    visitor.frame_locator("#f").locator("#frame-ssn").fill("FRAME-TYPED-SECRET-MB")
    visitor.locator("#shadow-pw").fill("SHADOW-TYPED-SECRET-MC")
    visitor.evaluate("""() => {
        const root = document.getElementById('card').shadowRoot;
        root.getElementById('shadow-masked').textContent = 'SHADOW-DYN-SECRET-MD';
        root.appendChild(Object.assign(document.createElement('p'), {className: 'glance_masked', textContent: 'SHADOW-ADDED-SECRET-ME'}));
        root.getElementById('shadow-canvas').getContext('2d').fillText('x', 1, 1);
        GLANCE.Cobrowse.Visitor.notifyChanged({canvas: {gcids: [root.getElementById('shadow-canvas').getAttribute('data-gcid')]}});
        document.getElementById('late-host').attachShadow({mode: 'open'}).innerHTML = '<b>MASKED-HOST-SECRET-MF</b>';
        const doc = document.getElementById('f').contentDocument;
        doc.body.insertAdjacentHTML('beforeend', '<p class="glance_masked">FRAME-ADDED-SECRET-MG</p><p id="frame-later">FRAME-LATER-OK</p>');
    }""")
    expect(frame.frame_locator("#f").locator("#frame-later")).to_have_text("FRAME-LATER-OK")
    data = tandem.captured()
    for marker in [b"SHADOW-VISIBLE-OK", b"INNER-VISIBLE-OK", b"FRAME-VISIBLE-OK", b"SRCDOC-VISIBLE-OK", b"FRAME-LATER-OK"]:
        assert marker in data, marker
    leaked = sorted(set(m.decode() for m in re.findall(rb"[A-Z]+(?:-[A-Z]+)*-SECRET-M[0-9A-Z]", data)))
    assert leaked == [], leaked


def test_agent_clicks_reach_inside_shadow_roots_and_frames(tandem, corpus, visitor, agent):
    """The viewer names the host or frame under the agent's pointer; the visitor's script finds
    the element under that point inside it and clicks that."""
    tandem.start()
    visitor.goto(f"{corpus}/interactive.html")
    visitor.wait_for_function("document.getElementById('f').contentDocument?.getElementById('frame-button')")
    start_session(visitor, "'rc-inside'")
    agent.goto(f"{tandem.base}/agentjoin?SessionKey=rc-inside")
    mirror = agent.frame_locator("#mirror")
    expect(mirror.locator("#shadow-button")).to_have_text("shadow button")
    expect(mirror.frame_locator("#f").locator("#frame-button")).to_have_text("frame button")
    agent.click("#rc-request")
    visitor.click("#tandem-rc-accept")
    agent.wait_for_function("(window.tandemViewerState.rc || {}).enabled === true")
    for locator in (mirror.locator("#shadow-button"), mirror.frame_locator("#f").locator("#frame-button")):
        box = locator.bounding_box()
        agent.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    expect(visitor.locator("#shadow-button")).to_have_text("shadow clicked 1")
    expect(visitor.frame_locator("#f").locator("#frame-button")).to_have_text("frame clicked 1")
    # And the mirror follows the changes inside both.
    expect(mirror.locator("#shadow-button")).to_have_text("shadow clicked 1")
    expect(mirror.frame_locator("#f").locator("#frame-button")).to_have_text("frame clicked 1")
    # Typing reaches fields inside both too, through the real input events.
    for field, visitor_field in ((mirror.locator("#shadow-field"), visitor.locator("#shadow-field")),
                                 (mirror.frame_locator("#f").locator("#frame-field"), visitor.frame_locator("#f").locator("#frame-field"))):
        box = field.bounding_box()
        agent.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        agent.keyboard.type("hi!")
        expect(visitor_field).to_have_value("hi!")
        expect(field).to_have_value("hi!")
    assert visitor.evaluate("window.__shadowInputs") == 3, "the page heard each keystroke as input"
    # The visitor's pointer over the frame shows where it is on the page, not in the frame.
    box = visitor.frame_locator("#f").locator("#frame-button").bounding_box()
    x, y = round(box["x"] + 5), round(box["y"] + 5)
    visitor.mouse.move(x, y)
    agent.wait_for_function(
        "([x, y]) => document.getElementById('pointer').style.transform === `translate(${x}px, ${y}px)`", arg=[x, y])


def test_a_sheet_adopted_by_many_roots_travels_once(tandem, corpus, visitor, agent):
    """32 shadow roots adopt one constructed sheet: the snapshot carries its text once, and a
    rule inserted later sends it once more, not once per root."""
    tandem.start()
    visitor.goto(f"{corpus}/adopted.html")
    start_session(visitor, "'adopted-once'")
    agent.goto(f"{tandem.base}/agentjoin?SessionKey=adopted-once")
    badges = agent.frame_locator("#mirror").locator("fancy-badge .b")
    expect(badges).to_have_count(32)
    visitor.evaluate("window.fidelity.act()")
    # The inserted border shows in every mirrored badge.
    agent.wait_for_function("""() => {
        const doc = document.getElementById('mirror').contentDocument;
        const all = Array.from(doc.querySelectorAll('fancy-badge'), (b) => b.shadowRoot && b.shadowRoot.querySelector('.b'));
        return all.length === 32 && all.every((b) => b && getComputedStyle(b).borderTopWidth === '3px');
    }""")
    copies = tandem.captured().count(b"rgb(30, 130, 90)")
    assert 1 <= copies <= 2, f"the shared sheet's text was sent {copies} times"


def test_sprites_are_read_once_and_never_for_masked_content(tandem, corpus, visitor, agent):
    """External SVG sprites: the visitor's script reads a sprite file once per page (the page and
    its frame share it) and sends the symbols used; a `<use>` inside a masked element reads
    nothing and its reference never leaves."""
    tandem.start()
    fetched = []
    visitor.on("request", lambda r: r.resource_type == "fetch" and "icons.svg" in r.url and fetched.append(r.url))
    visitor.goto(f"{corpus}/sprites.html")
    start_session(visitor, "'sprites-masked'")
    agent.goto(f"{tandem.base}/agentjoin?SessionKey=sprites-masked")
    mirror = agent.frame_locator("#mirror")
    expect(mirror.locator("head > svg > [id^='tandem-sprite-']")).to_have_count(3)  # cart, heart, plain
    expect(mirror.frame_locator("#f").locator("head > svg > [id^='tandem-sprite-']")).to_have_count(2)
    visitor.evaluate("window.fidelity.act()")
    expect(mirror.locator("#later use")).to_have_attribute("href", re.compile(r"^#tandem-sprite-\d+-square$"))
    expect(mirror.locator("head > svg > [id$='-square']")).to_have_count(1)
    assert [u.rsplit("/", 1)[1] for u in fetched] == ["icons.svg"], fetched
    assert b"masked=1" not in tandem.captured()


def test_a_capture_that_fails_is_reported_and_tried_again(tandem, corpus, visitor, agent):
    """A page whose patched native makes the capture throw: the visitor hears `error
    {code:'capturefailed'}` once per failure, the agent sees a notice instead of a blank or stale
    mirror, and a full page is tried again (after 1 s, then 5 s) until one goes."""
    tandem.start()
    # The first snapshot throws once; the retry a second later sends the page.
    visitor.goto(f"{corpus}/capture-fails.html?fail=1")
    start_session(visitor, "'capture-fails'")
    [error] = wait_for_event(visitor, "error", predicate="e.data.code === 'capturefailed'")
    assert "hasAttribute was broken by the page" in error["data"]["msg"], error
    agent.goto(f"{tandem.base}/agentjoin?SessionKey=capture-fails")
    expect(mirror(agent).locator("#status")).to_have_text("All good")
    expect(agent.locator("#cover")).to_be_hidden()
    # Now a delta throws, and so does the retry a second later: the agent is told at once.
    visitor.evaluate("window.breakCapture(2); document.getElementById('status').innerHTML = '<b>Changed while broken</b>'")
    expect(agent.locator("#cover")).to_have_text("The visitor's page could not be captured. Trying again…")
    wait_for_event(visitor, "error", predicate="e.data.code === 'capturefailed' && window.__events.filter((x) => x.type === 'error').length === 2")
    # The retry five seconds later sends the whole page, with the change; deltas follow again.
    expect(mirror(agent).locator("#status")).to_have_text("Changed while broken", timeout=15_000)
    expect(agent.locator("#cover")).to_be_hidden()
    visitor.evaluate("document.getElementById('status').append(' and live again')")
    expect(mirror(agent).locator("#status")).to_have_text("Changed while broken and live again")
    assert [e["data"]["code"] for e in events(visitor, "error")] == ["capturefailed", "capturefailed"]
