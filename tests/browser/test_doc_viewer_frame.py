"""The shared-document viewer frame (web/documents/viewer.html) on its own, in real Chromium: a
small Python server plays Tandem (the repo's web/, Debian's pdf.js at /pdfjs/, documents with
CORS `*`, the frame's CSP, two stubbed spreadsheet endpoints), and a parent page on another
origin embeds the frame sandboxed to scripts only, as the visitor's page and the agent viewer do.

CVE-2024-4367 (pdf.js < 4.2.67 runs a font's /FontMatrix as script): the malicious PDF runs its
payload in bare pdf.js with `isEvalSupported: true` and no CSP (the control, so the guard test can
fail), not under the frame's CSP alone, and not in the viewer frame.

No test here bypasses the CSP (no `bypass_csp`): what runs in the frame is what the policy allows."""

import io
import json
import mimetypes
import threading
import time
import uuid
import zipfile
import xml.etree.ElementTree as ET
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

import doc_fixtures
from conftest import until

ROOT = Path(__file__).resolve().parents[2]
PDFJS = Path("/usr/share/javascript/pdf")
VIEWER_CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
              "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
              "base-uri 'none'; form-action 'none'")

pytestmark = pytest.mark.skipif(not (PDFJS / "build" / "pdf.js").exists(),
                                reason="Debian's libjs-pdf is not installed (/usr/share/javascript/pdf)")

# Renders page 1 of /doc/NAME with bare pdf.js (the control pages; an external script, so that
# it also runs under the CSP, which forbids inline script).
RENDER_JS = b"""
document.addEventListener('securitypolicyviolation', (e) => {
  document.documentElement.dataset.violations = (document.documentElement.dataset.violations || '') + e.blockedURI + ' ';
});
(async () => {
  const q = new URLSearchParams(location.search);
  try {
    const bytes = await (await fetch('/doc/' + q.get('doc'))).arrayBuffer();
    const pdf = await pdfjsLib.getDocument({
      data: new Uint8Array(bytes), isEvalSupported: q.get('eval') === '1',
      standardFontDataUrl: '/pdfjs/web/standard_fonts/',
    }).promise;
    const page = await pdf.getPage(1);
    const viewport = page.getViewport({ scale: 1 });
    const canvas = document.createElement('canvas');
    canvas.width = viewport.width;
    canvas.height = viewport.height;
    document.body.append(canvas);
    await page.render({ canvasContext: canvas.getContext('2d'), viewport }).promise;
    document.body.dataset.done = 'rendered';
  } catch (e) {
    document.body.dataset.done = 'error: ' + e;
  }
})();
"""


class DocServer:
    """The stand-in for Tandem. `docs` are served at /doc/NAME, `sheets` at
    /documents/TOKEN/sheets[/S/P]; every request path is kept in `hits`."""

    def __init__(self):
        self.docs: dict[str, bytes] = {}
        self.sheets: dict[str, dict] = {}
        self.hits: list[str] = []
        self.lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(DocHandler, self))
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        # The parent pages come from another origin, like a customer's site.
        self.parent_base = f"http://localhost:{self.port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def hit(self, prefix: str) -> list[str]:
        with self.lock:
            return [h for h in self.hits if h.startswith(prefix)]

    def add(self, name: str, data: bytes) -> str:
        self.docs[name] = data
        return f"{self.base}/doc/{name}"


class DocHandler(BaseHTTPRequestHandler):
    def __init__(self, server_state: DocServer, *args, **kwargs):
        self.state = server_state
        super().__init__(*args, **kwargs)

    def log_message(self, *args):
        pass

    def reply(self, status: int, body: bytes, ctype: str, headers: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Cache-Control", "no-store")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def file(self, root: Path, rel: str, headers: dict | None = None):
        path = (root / rel).resolve()
        if not path.is_relative_to(root.resolve()) or not path.is_file():
            return self.reply(404, b"not found", "text/plain")
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if path.suffix == ".js":
            ctype = "text/javascript"
        self.reply(200, path.read_bytes(), ctype, headers)

    def do_GET(self):
        url = urlsplit(self.path)
        path, query = url.path, parse_qs(url.query)
        with self.state.lock:
            self.state.hits.append(self.path)
        if path == "/web/documents/viewer.html":
            return self.file(ROOT / "web", "documents/viewer.html", {"Content-Security-Policy": VIEWER_CSP})
        if path.startswith("/web/"):
            return self.file(ROOT / "web", path[len("/web/"):])
        if path.startswith("/pdfjs/"):
            return self.file(PDFJS, path[len("/pdfjs/"):])
        if path.startswith("/doc/") and path[5:] in self.state.docs:
            # As Tandem serves document bytes.
            return self.reply(200, self.state.docs[path[5:]], "application/octet-stream", {
                "Content-Disposition": "attachment", "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": "sandbox; default-src 'none'"})
        if path.startswith("/documents/"):
            return self.sheet_stub(path.split("/")[2:], query)
        if path == "/parent.html":
            return self.reply(200, self.parent_page(query), "text/html; charset=utf-8")
        if path == "/control.html":
            # Bare pdf.js; with csp=1 under the viewer's policy.
            headers = {"Content-Security-Policy": VIEWER_CSP} if query.get("csp") == ["1"] else {}
            body = (b"<!doctype html><meta charset=utf-8><title>control</title>"
                    b"<script src=/pdfjs/build/pdf.js></script><script src=/pdfjs/build/pdf.worker.js></script>"
                    b"<script src=/test/render.js></script>")
            return self.reply(200, body, "text/html; charset=utf-8", headers)
        if path == "/test/render.js":
            return self.reply(200, RENDER_JS, "text/javascript")
        self.reply(404, b"not found", "text/plain")

    def sheet_stub(self, parts: list[str], query: dict):
        book = self.state.sheets.get(parts[0]) if parts else None
        if not book or query.get("key") != [book["key"]] or len(parts) < 2 or parts[1] != "sheets":
            return self.reply(404, b'{"error":"not found"}', "application/json")
        if len(parts) == 2:
            return self.reply(200, json.dumps({"sheets": book["sheets"]}).encode(), "application/json")
        html = book["html"].get((int(parts[2]), int(parts[3]))) if len(parts) == 4 else None
        if html is None:
            return self.reply(404, b'{"error":"not found"}', "application/json")
        self.reply(200, json.dumps({"html": html}).encode(), "application/json")

    def parent_page(self, query: dict) -> bytes:
        sizes = (query.get("frames") or ["800x600"])[0].split(",")
        frames = "".join(
            f'<iframe sandbox="allow-scripts" src="{self.state.base}/web/documents/viewer.html" '
            f'style="width:{w}px;height:{h}px;border:1px solid #888;display:block;margin:4px"></iframe>'
            for w, h in (s.split("x") for s in sizes))
        return (f"""<!doctype html><meta charset=utf-8><title>parent</title><body style="margin:0">{frames}
<script>
window.__msgs = [];
const frames = [...document.querySelectorAll('iframe')];
addEventListener('message', (e) => {{
  const i = frames.findIndex((f) => f.contentWindow === e.source);
  window.__msgs.push({{frame: i, data: e.data, t: performance.now()}});
}});
window.send = (i, m) => frames[i].contentWindow.postMessage(m, '*');
</script>""").encode()


@pytest.fixture(scope="module")
def docserver():
    server = DocServer()
    yield server
    server.httpd.shutdown()


@pytest.fixture
def page(browser):
    # No bypass_csp: the frame runs under its real policy.
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    p = context.new_page()
    yield p
    context.close()


def messages(page, kind=None, frame=None):
    return [m["data"] for m in page.evaluate("window.__msgs")
            if isinstance(m["data"], dict) and (kind is None or m["data"].get("tandemDoc") == kind)
            and (frame is None or m["frame"] == frame)]


def wait_message(page, kind, frame=0, count=1, timeout=15000):
    page.wait_for_function(
        """([kind, frame, count]) => window.__msgs.filter((m) => m.frame === frame && m.data
             && m.data.tandemDoc === kind).length >= count""", arg=[kind, frame, count], timeout=timeout)
    return messages(page, kind, frame)[count - 1]


def open_parent(page, docserver, frames="800x600"):
    page.goto(f"{docserver.parent_base}/parent.html?frames={frames}")
    n = len(frames.split(","))
    for i in range(n):
        wait_message(page, "ready", i)
    return [f for f in page.frames if f.url.endswith("/web/documents/viewer.html")]


def send(page, frame, message):
    page.evaluate("([i, m]) => window.send(i, m)", [frame, message])


def scroll_state(frame):
    return frame.evaluate("""() => { const s = document.getElementById('doc-pages');
        return {left: s.scrollLeft, top: s.scrollTop, width: s.clientWidth, height: s.clientHeight}; }""")



def near(state, left, top):
    return abs(state["left"] - left) <= 1 and abs(state["top"] - top) <= 1


def dominant_color(png: bytes):
    """The most common clearly colored (not white, grey or black) pixel of a screenshot."""
    image = Image.open(io.BytesIO(png)).convert("RGB").resize((120, 160))
    counts = {}
    for r, g, b in image.get_flattened_data() if hasattr(image, "get_flattened_data") else image.getdata():
        if max(r, g, b) - min(r, g, b) > 80:
            key = (r // 32, g // 32, b // 32)
            counts[key] = counts.get(key, 0) + 1
    return max(counts, key=counts.get) if counts else None


# --- PDF ---------------------------------------------------------------------------------------

def test_pdf_renders_pages_and_reports_user_views(page, docserver):
    src = docserver.add(f"multi-{uuid.uuid4().hex}.pdf", doc_fixtures.multipage_pdf(3))
    refused = []
    page.on("console", lambda m: "Content Security Policy" in m.text and refused.append(m.text))
    (frame,) = open_parent(page, docserver)
    send(page, 0, {"tandemDoc": "open", "kind": "pdf", "src": src, "name": "multi.pdf"})
    assert wait_message(page, "loaded")["pages"] == 3
    assert not messages(page, "error")
    viewer = page.frame_locator("iframe").first
    page1 = viewer.locator('canvas.doc-page[data-page="1"][data-rendered]')
    page1.wait_for()
    # 'self' in the policy matches the frame's URL origin although the sandboxed frame's own origin
    # is opaque: viewer.js, pdf.js and its font data (fetched) all loaded.
    assert docserver.hit("/pdfjs/build/pdf.worker.js") and docserver.hit("/pdfjs/web/standard_fonts/FoxitSans.pfb")
    assert viewer.locator("canvas.doc-page").count() == 3
    assert viewer.locator("#doc-page-count").inner_text() == "of 3"
    red = dominant_color(page1.screenshot())
    assert red is not None and red[0] > red[1] and red[0] > red[2], red  # page 1's red rectangle

    # (An element screenshot scrolls it into view, which is a move of this window's user.)
    page.wait_for_timeout(300)
    seen = len(messages(page, "view"))

    # Next page: one `view` (debounced) with page 2, and page 2 drawn in another color.
    viewer.locator("#doc-next").click()
    view = wait_message(page, "view", count=seen + 1)["state"]
    assert view["page"] == 2 and view["zoom"] == 1 and view["x"] == 0 and view["y"] > 700, view
    page.wait_for_timeout(300)
    assert len(messages(page, "view")) == seen + 1
    assert viewer.locator("#doc-page").input_value() == "2"
    page2 = viewer.locator('canvas.doc-page[data-page="2"][data-rendered]')
    page2.wait_for()
    green = dominant_color(page2.screenshot())
    assert green is not None and green[1] > green[0] and green[1] > green[2], green
    page.wait_for_timeout(300)
    seen = len(messages(page, "view"))

    # Zoom in: a view at 110 %, the same page.
    viewer.locator("#doc-zoom-in").click()
    view = wait_message(page, "view", count=seen + 1)["state"]
    assert view["zoom"] == 1.1 and view["page"] == 2, view
    assert viewer.locator("#doc-zoom").inner_text() == "110%"
    viewer.locator('canvas.doc-page[data-page="2"][data-rendered="1.1"]').wait_for()

    # A view from elsewhere is applied, and not sent back.
    before = len(messages(page, "view"))
    send(page, 0, {"tandemDoc": "view", "state": {"page": 3, "zoom": 1.5, "x": 40, "y": 1640}})
    viewer.locator("#doc-zoom", has_text="150%").wait_for()
    until(lambda: near(scroll_state(frame), 40 * 1.5, 1640 * 1.5))
    assert viewer.locator("#doc-page").input_value() == "3"
    viewer.locator('canvas.doc-page[data-page="3"][data-rendered="1.5"]').wait_for()
    page.wait_for_timeout(400)
    assert len(messages(page, "view")) == before, messages(page, "view")[before:]
    assert not refused, refused


def test_views_bring_other_window_sizes_to_the_same_place(page, docserver):
    src = docserver.add(f"multi-{uuid.uuid4().hex}.pdf", doc_fixtures.multipage_pdf(5))
    frames = open_parent(page, docserver, "900x700,420x380")
    for i in range(2):
        send(page, i, {"tandemDoc": "open", "kind": "pdf", "src": src, "name": "five.pdf"})
        assert wait_message(page, "loaded", i)["pages"] == 5
    big, small = frames if frames[0].evaluate("innerWidth") > frames[1].evaluate("innerWidth") else frames[::-1]

    # The user scrolls the big one with the wheel; its view goes to the small one.
    box = page.locator("iframe").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, 1500)
    view = wait_message(page, "view", 0)["state"]
    assert view["y"] > 1000 and view["page"] >= 2, view
    send(page, 1, {"tandemDoc": "view", "state": view})
    until(lambda: abs(scroll_state(big)["top"] - scroll_state(small)["top"]) <= 1)
    page.wait_for_timeout(300)
    assert page.frame_locator("iframe").nth(1).locator("#doc-page").input_value() == str(view["page"])
    assert not messages(page, "view", 1)  # applied, not echoed

    # Zoomed in, the small window scrolls sideways too; the big one follows to the same point.
    send(page, 1, {"tandemDoc": "view", "state": {"page": 2, "zoom": 2.5, "x": 200, "y": 1200}})
    until(lambda: near(scroll_state(small), 500, 3000))
    send(page, 0, {"tandemDoc": "view", "state": {"page": 2, "zoom": 2.5, "x": 200, "y": 1200}})
    until(lambda: near(scroll_state(big), 500, 3000))


def test_pointer_is_reported_and_shown(page, docserver):
    src = docserver.add(f"multi-{uuid.uuid4().hex}.pdf", doc_fixtures.multipage_pdf(2))
    open_parent(page, docserver, "700x600,700x600")
    for i in range(2):
        send(page, i, {"tandemDoc": "open", "kind": "pdf", "src": src, "name": "two.pdf"})
        wait_message(page, "loaded", i)
    box = page.locator("iframe").first.bounding_box()
    # 200, 300 CSS pixels into the frame's scroller (the toolbar is above it).
    toolbar = page.frame_locator("iframe").first.locator("#doc-toolbar").bounding_box()
    x0, y0 = box["x"] + 1, toolbar["y"] + toolbar["height"]
    started = time.monotonic()
    for step in range(10):
        page.mouse.move(x0 + 150 + step * 5, y0 + 250 + step * 5)
        page.wait_for_timeout(10)
    wait_message(page, "pointer", 0)
    # Until the trailing one has arrived (nothing new for 300 ms).
    count, quiet_since = 0, time.monotonic()
    while time.monotonic() - quiet_since < 0.3:
        if len(messages(page, "pointer", 0)) != count:
            count, quiet_since = len(messages(page, "pointer", 0)), time.monotonic()
        time.sleep(0.05)
    elapsed_ms = (quiet_since - started) * 1000  # from the first move to the last message
    pointers = messages(page, "pointer", 0)
    assert len(pointers) <= elapsed_ms / 50 + 2, (len(pointers), elapsed_ms)  # one per ~50 ms at most
    last = pointers[-1]
    assert isinstance(last["x"], int) and isinstance(last["y"], int), last

    send(page, 1, {"tandemDoc": "pointer", "x": last["x"], "y": last["y"], "label": "Agent <b>1</b>"})
    other = page.frame_locator("iframe").nth(1)
    dot = other.locator("#doc-remote-pointer")
    dot.wait_for(state="visible")
    assert other.locator("#doc-remote-label").inner_text() == "Agent <b>1</b>"
    here = dot.bounding_box()
    frame1 = page.locator("iframe").nth(1).bounding_box()
    # Same window size, same scroll: the dot is where the mouse was, in the other frame.
    assert abs((here["x"] + here["width"] / 2 - frame1["x"]) - (x0 + 195 - box["x"])) <= 3, (here, frame1)
    send(page, 1, {"tandemDoc": "pointer", "x": None})
    dot.wait_for(state="hidden")

    # Leaving the document (here for the toolbar) hides this pointer elsewhere. (Leaving the frame
    # for the parent page fires no leave event in the frame in headless Chromium: the parent
    # hides the pointer itself then.)
    page.mouse.move(toolbar["x"] + 50, toolbar["y"] + toolbar["height"] / 2)
    until(lambda: (messages(page, "pointer", 0) or [None])[-1] == {"tandemDoc": "pointer", "x": None, "y": None})


def test_readonly_reports_nothing(page, docserver):
    src = docserver.add(f"multi-{uuid.uuid4().hex}.pdf", doc_fixtures.multipage_pdf(3))
    open_parent(page, docserver)
    send(page, 0, {"tandemDoc": "readonly", "value": True})
    send(page, 0, {"tandemDoc": "open", "kind": "pdf", "src": src, "name": "guest.pdf"})
    wait_message(page, "loaded")
    viewer = page.frame_locator("iframe").first
    viewer.locator("#doc-next").click()
    viewer.locator("#doc-zoom-in").click()
    page.mouse.move(300, 300)
    page.mouse.move(320, 320)
    page.wait_for_timeout(400)
    assert viewer.locator("#doc-page").input_value() == "2"
    assert not messages(page, "view") and not messages(page, "pointer")
    send(page, 0, {"tandemDoc": "readonly", "value": False})
    viewer.locator("#doc-next").click()
    assert wait_message(page, "view")["state"]["page"] == 3


@pytest.mark.parametrize("case", ["missing", "notpdf", "otherorigin", "badkind"])
def test_unloadable_documents_say_so(page, docserver, case):
    name = f"bad-{uuid.uuid4().hex}"
    if case == "notpdf":
        src = docserver.add(name, b"PK\x03\x04 this is not a PDF at all" * 20)
    elif case == "otherorigin":
        src = docserver.add(name, doc_fixtures.multipage_pdf(1)).replace("127.0.0.1", "localhost")
    else:
        src = f"{docserver.base}/doc/{name}"
    open_parent(page, docserver)
    send(page, 0, {"tandemDoc": "open", "kind": "docx" if case == "badkind" else "pdf", "src": src, "name": "x"})
    error = wait_message(page, "error")
    assert isinstance(error["msg"], str) and error["msg"], error
    assert not messages(page, "loaded")
    page.frame_locator("iframe").first.locator("#doc-status.error").wait_for()


# --- CVE-2024-4367 -----------------------------------------------------------------------------

def test_control_bare_pdfjs_with_eval_runs_the_payload(page, docserver):
    """Without this, the guard tests below could pass for the wrong reason (a PDF that does not
    exploit this pdf.js)."""
    marker = uuid.uuid4().hex
    docserver.add(f"evil-{marker}.pdf", doc_fixtures.malicious_font_pdf(marker))
    page.goto(f"{docserver.base}/control.html?doc=evil-{marker}.pdf&eval=1")
    page.wait_for_selector("body[data-done]")
    page.wait_for_timeout(300)
    assert page.title() == f"PWNED-{marker}"
    assert docserver.hit(f"/pwned-{marker}")


def test_csp_alone_stops_the_payload(page, docserver):
    """pdf.js asked to use eval, but under the frame's policy: `new Function` is refused."""
    marker = uuid.uuid4().hex
    docserver.add(f"evil-{marker}.pdf", doc_fixtures.malicious_font_pdf(marker))
    page.goto(f"{docserver.base}/control.html?doc=evil-{marker}.pdf&eval=1&csp=1")
    page.wait_for_selector("body[data-done]")
    page.wait_for_timeout(300)
    assert page.get_attribute("body", "data-done") == "rendered"
    assert page.title() == "control"
    assert not docserver.hit(f"/pwned-{marker}")
    # pdf.js's probe (`new Function("")`) was refused by the policy.
    assert "eval" in (page.get_attribute("html", "data-violations") or ""), page.content()[:300]


def test_iseval_false_alone_stops_the_payload(page, docserver):
    """No policy, but pdf.js told not to use eval: glyphs are drawn by interpreting the commands."""
    marker = uuid.uuid4().hex
    docserver.add(f"evil-{marker}.pdf", doc_fixtures.malicious_font_pdf(marker))
    page.goto(f"{docserver.base}/control.html?doc=evil-{marker}.pdf&eval=0")
    page.wait_for_selector("body[data-done]")
    page.wait_for_timeout(300)
    assert page.get_attribute("body", "data-done") == "rendered"
    assert page.title() == "control"
    assert not docserver.hit(f"/pwned-{marker}")


def test_viewer_frame_does_not_run_the_payload(page, docserver):
    marker = uuid.uuid4().hex
    src = docserver.add(f"evil-{marker}.pdf", doc_fixtures.malicious_font_pdf(marker))
    (frame,) = open_parent(page, docserver)
    send(page, 0, {"tandemDoc": "open", "kind": "pdf", "src": src, "name": "evil.pdf"})
    assert wait_message(page, "loaded")["pages"] == 1
    page.frame_locator("iframe").first.locator('canvas.doc-page[data-page="1"][data-rendered]').wait_for()
    page.wait_for_timeout(500)
    assert not docserver.hit(f"/pwned-{marker}")
    assert frame.title() != f"PWNED-{marker}"
    assert not [m for m in messages(page) if "pwned" in m]
    assert docserver.hit(f"/doc/evil-{marker}.pdf")  # the frame did fetch and draw it


# --- Spreadsheets (stubbed endpoints; the real conversion is tested against the server) ----------

def test_spreadsheet_tabs_and_row_pages(page, docserver):
    token = uuid.uuid4().hex
    docserver.sheets[token] = {
        "key": "k1",
        "sheets": [{"name": "Summary", "pages": 2, "rows": 700, "columns": 3},
                   {"name": "Data <2>", "pages": 1, "rows": 3, "columns": 2}],
        "html": {
            # Row pages count from 0 in the server's addresses (from 1 in the view state).
            (0, 0): "<table><tr><td>Summary page one</td><td>1,234</td></tr></table>",
            (0, 1): "<table><tr><td>Summary page two</td></tr></table>",
            (1, 0): "<table>" + "".join(f"<tr><td>Data row {i}</td><td>{'x' * 80}</td></tr>" for i in range(80))
                    + "</table>",
        },
    }
    open_parent(page, docserver, "600x400")
    send(page, 0, {"tandemDoc": "open", "kind": "xlsx", "src": f"{docserver.base}/documents/{token}?key=k1",
                   "name": "book.xlsx"})
    assert wait_message(page, "loaded")["pages"] == 2
    viewer = page.frame_locator("iframe").first
    tabs = viewer.locator(".doc-sheet-tab")
    assert tabs.all_inner_texts() == ["Summary", "Data <2>"]
    viewer.locator("#doc-sheet", has_text="Summary page one").wait_for()
    assert viewer.locator("#doc-page-count").inner_text() == "of 2"

    viewer.locator("#doc-next").click()
    viewer.locator("#doc-sheet", has_text="Summary page two").wait_for()
    assert wait_message(page, "view")["state"] == {"page": 2, "zoom": 1, "x": 0, "y": 0, "sheet": 0}

    tabs.nth(1).click()
    viewer.locator("#doc-sheet", has_text="Data row 79").wait_for()
    assert wait_message(page, "view", count=2)["state"] == {"page": 1, "zoom": 1, "x": 0, "y": 0, "sheet": 1}
    assert tabs.nth(1).get_attribute("aria-selected") == "true"

    # Applied from elsewhere: sheet, zoom and scroll; not echoed.
    send(page, 0, {"tandemDoc": "view", "state": {"page": 1, "zoom": 1, "x": 0, "y": 0, "sheet": 0}})
    viewer.locator("#doc-sheet", has_text="Summary page one").wait_for()
    send(page, 0, {"tandemDoc": "view", "state": {"page": 1, "zoom": 2, "x": 100, "y": 600, "sheet": 1}})
    viewer.locator("#doc-sheet", has_text="Data row 79").wait_for()
    frame = [f for f in page.frames if f.url.endswith("viewer.html")][0]
    until(lambda: near(scroll_state(frame), 200, 1200))
    page.wait_for_timeout(300)
    assert viewer.locator("#doc-zoom").inner_text() == "200%"
    assert len(messages(page, "view")) == 2


# --- Fixtures themselves -----------------------------------------------------------------------

def test_fixtures_are_what_they_claim():
    pdf = doc_fixtures.multipage_pdf(4)
    assert pdf.startswith(b"%PDF-") and pdf.count(b"/Type /Page ") == 4 and b"(Page 4 of 4)" in pdf
    assert b"/FontMatrix [0.001 0 0 0.001 0 (0\\);" in doc_fixtures.malicious_font_pdf("m")
    for book in (doc_fixtures.xlsx_book(), doc_fixtures.xlsm_book()):
        with zipfile.ZipFile(io.BytesIO(book)) as z:
            for name in z.namelist():
                if name.endswith((".xml", ".rels")):
                    ET.fromstring(z.read(name))  # well-formed
            assert {"xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "xl/sharedStrings.xml"} <= set(z.namelist())
    with zipfile.ZipFile(io.BytesIO(doc_fixtures.xlsm_book())) as z:
        assert "xl/vbaProject.bin" in z.namelist() and b"macroEnabled" in z.read("[Content_Types].xml")
    bomb = doc_fixtures.zip_bomb_xlsx()
    with zipfile.ZipFile(io.BytesIO(bomb)) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
        assert info.file_size >= 8 * 1024 * 1024 - 1024 and info.file_size / info.compress_size > 200
    with zipfile.ZipFile(io.BytesIO(doc_fixtures.xxe_xlsx())) as z:
        assert b'<!ENTITY xxe SYSTEM "file:///etc/passwd">' in z.read("xl/worksheets/sheet1.xml")
    assert doc_fixtures.csv_text().startswith(b"Name,City,Amount,Note\r\n")
