"""Shared documents in the agent's viewer (docs/protocol.md, "Shared documents"), real Chromium on
both sides: the agent shares a PDF through its preview (with and without the visitor's download),
asks the visitor for a document (accepted, declined), downloads the visitor's (allowed, refused by
the group), is refused without the documentshare privilege; a guest watches without leading; page,
zoom and scroll stay in step both ways; an xlsx with two sheets and a multi-page PDF render the
same on both sides and like a stored reference; a CRM page drives it all through
GLANCE.Cobrowse.Agent; a reloaded viewer finds the open document again.

Reference images live in tests/browser/refs/. After a deliberate change of the rendering, write
them again with TANDEM_UPDATE_REFS=1 (the tests that compare then save what they see and pass):
    TANDEM_UPDATE_REFS=1 python3 -m pytest -q tests/browser/test_documents_agent.py -k reference
and look at the new images before committing them."""

import json
import urllib.parse
import urllib.request
from pathlib import Path

from playwright.sync_api import expect

import doc_fixtures as fx
from screenshots import differing, image, matches_reference
from conftest import agent_page, events, start_session, wait_agent_event, wait_for_event, wait_ready


# Every agent event the viewer fires, in order, and the frames' own messages (tandemDoc) as the
# page holding each frame receives them.
AGENT_EVENTS = """window.__agentEvents = [];
document.addEventListener('tandem-agent-event', (e) => window.__agentEvents.push(JSON.parse(JSON.stringify(e.detail))));"""
FRAME_MESSAGES = """window.__frameMessages = [];
window.addEventListener('message', (e) => {
  if (e.data && typeof e.data === 'object' && typeof e.data.tandemDoc === 'string') window.__frameMessages.push(e.data);
});"""
# The visitor's document events (not docsharerequested: listening to it replaces the default prompt).
VISITOR_DOC_EVENTS = ["agentdocshare", "documentviewed", "docsharestatus", "visitordownload", "agentdownload",
                      "documentnotsent", "filedownloading", "filedownloaded"]
DOC_EVENT_NAMES = {"documentShared", "documentDownloaded", "startdocshare", "enddocshare", "startdocsharepreview",
                   "enddocsharepreview", "docsharestatus"}


# ---- Helpers -------------------------------------------------------------------------------

def agent_events(agent, type_=None):
    return [e for e in agent.evaluate("window.__agentEvents || []") if type_ is None or e["type"] == type_]


def doc_events(agent):
    """The agent's document events, in order, as [type, payload]."""
    return [[e["type"], e.get("data")] for e in agent_events(agent) if e["type"] in DOC_EVENT_NAMES]


def listen_visitor(visitor):
    visitor.evaluate("""(names) => names.forEach((t) => GLANCE.Cobrowse.Visitor.addEventListener(t, (d) =>
        window.__events.push({type: t, data: d === undefined ? null : JSON.parse(JSON.stringify(d))})))""", VISITOR_DOC_EVENTS)


def record_docs(page):
    """Keeps every `doc` message the page's sockets receive in page.doc_messages."""
    page.doc_messages = []

    def on_socket(ws):
        def received(payload):
            if isinstance(payload, str) and payload.startswith("{"):
                msg = json.loads(payload)
                if msg.get("t") == "doc":
                    page.doc_messages.append(msg)
                elif msg.get("t") == "joined" and msg.get("doc"):
                    page.doc_messages.append({**msg["doc"], "joined": True})
        ws.on("framereceived", received)
    page.on("websocket", on_socket)


def open_pair(tandem, site, visitor, agent, key, page="page1.html"):
    """The visitor in a session on `page`, the agent's viewer on it; both record what they see."""
    tandem.start()
    record_docs(agent)
    agent.context.add_init_script(AGENT_EVENTS + FRAME_MESSAGES)
    visitor.context.add_init_script(FRAME_MESSAGES)
    visitor.goto(f"{site}/{page}")
    start_session(visitor, repr(key))
    wait_ready(visitor)
    listen_visitor(visitor)
    agent.goto(f"{tandem.base}/agentjoin?SessionKey={key}")
    expect(agent.locator("#status")).to_have_text("Connected", timeout=15_000)


def pick(agent, name, data, download=False, mime="application/pdf"):
    """The agent picks a file with Share document (the box: the visitor may download it)."""
    agent.locator("#doc-download").set_checked(download)
    agent.set_input_files("#doc-file", files=[{"name": name, "mimeType": mime, "buffer": data}])


def agent_frame(agent):
    return agent.locator("#doc-view iframe")


def visitor_frame(visitor):
    return visitor.locator("#glance_document iframe")


def frame_of(page, locator):
    """The Playwright Frame of a document frame (an opaque origin: evaluated through Playwright)."""
    handle = locator.element_handle()
    frame = handle.content_frame()
    assert frame is not None
    return frame


def wait_loaded(page, count=1, timeout=20_000):
    """Until the page's document frames have said `loaded` `count` times in all."""
    page.wait_for_function(
        f"(window.__frameMessages || []).filter(m => m.tandemDoc === 'loaded').length >= {count}", timeout=timeout)


def loaded_pages(page):
    return [m.get("pages") for m in page.evaluate("window.__frameMessages || []") if m["tandemDoc"] == "loaded"]


def share_pdf(agent, name="guide.pdf", data=None, download=False):
    """Agent: pick, see the preview, Share."""
    pick(agent, name, data or fx.multipage_pdf(3), download)
    expect(agent.locator("#doc-panel")).to_have_attribute("data-mode", "preview")
    expect(agent.locator("#doc-confirm")).to_be_visible()
    agent.click("#doc-confirm")
    expect(agent.locator("#doc-panel")).to_have_attribute("data-mode", "open")


def viewer_url(tandem, key):
    return f"{tandem.base}/agentjoin?SessionKey={key}"


# ---- Agent → visitor -------------------------------------------------------------------------

def test_agent_shares_a_pdf_through_its_preview_with_every_event(tandem, site, visitor, agent):
    open_pair(tandem, site, visitor, agent, "docs-a1")
    pick(agent, "guide.pdf", fx.multipage_pdf(3))
    # The preview: only this agent sees it, in the viewer frame, with Share and Cancel.
    expect(agent.locator("#doc-panel")).to_have_attribute("data-mode", "preview")
    expect(agent.locator("#doc-name")).to_have_text("guide.pdf")
    expect(agent.locator("#doc-cancel")).to_be_visible()
    expect(agent.locator("#doc-close")).to_be_hidden()
    assert agent_frame(agent).get_attribute("sandbox") == "allow-scripts"
    assert agent_frame(agent).get_attribute("src") == "/web/documents/viewer.html"
    wait_loaded(agent)
    assert loaded_pages(agent)[0] == 3
    wait_agent_event(agent, "startdocsharepreview")
    visitor.wait_for_timeout(300)
    expect(visitor.locator("#glance_document")).to_have_count(0)

    agent.click("#doc-confirm")
    wait_agent_event(agent, "startdocshare")
    expect(visitor_frame(visitor)).to_be_visible()
    wait_for_event(visitor, "documentviewed")
    assert events(visitor, "documentviewed")[-1]["data"] == {"name": "guide.pdf", "agentselected": True}
    assert [e["data"] for e in events(visitor, "agentdocshare")] == [None]
    # Not downloadable for the visitor: no Download in the overlay, and the server refuses it.
    expect(visitor.locator("#glance_document_download")).to_be_hidden()
    wait_loaded(visitor)
    expect(agent.locator("#doc-panel")).to_have_attribute("data-mode", "open")
    expect(agent.locator("#doc-from")).to_contain_text("Shared with the visitor")
    expect(agent.locator("#doc-close")).to_be_visible()

    agent.click("#doc-close")
    wait_agent_event(agent, "enddocshare")
    expect(agent.locator("#doc-panel")).to_be_hidden()
    expect(visitor.locator("#glance_document")).to_have_count(0)
    assert doc_events(agent) == [
        ["startdocsharepreview", None],
        ["enddocsharepreview", None],
        ["documentShared", {"sharedBy": "agent", "name": "guide.pdf"}],
        ["startdocshare", None],
        ["enddocshare", None],
    ]


def test_agent_shares_with_download_allowed_and_the_visitor_downloads(tandem, site, visitor, agent):
    open_pair(tandem, site, visitor, agent, "docs-a2")
    share_pdf(agent, "price-list.pdf", download=True)
    wait_agent_event(agent, "documentShared")
    expect(visitor.locator("#glance_document_download")).to_be_visible()
    wait_loaded(visitor)
    visitor.click("#glance_document_download")
    wait_agent_event(agent, "documentDownloaded")
    assert agent_events(agent, "documentDownloaded")[-1]["data"] == {
        "sharedBy": "agent", "downloadedBy": "visitor", "name": "price-list.pdf"}
    wait_for_event(visitor, "visitordownload")


def test_agent_cancels_a_preview_and_nothing_reaches_the_visitor(tandem, site, visitor, agent):
    open_pair(tandem, site, visitor, agent, "docs-a3")
    pick(agent, "draft.pdf", fx.multipage_pdf(1))
    expect(agent.locator("#doc-cancel")).to_be_visible()
    agent.click("#doc-cancel")
    expect(agent.locator("#doc-panel")).to_be_hidden()
    wait_agent_event(agent, "enddocsharepreview")
    visitor.wait_for_timeout(300)
    expect(visitor.locator("#glance_document")).to_have_count(0)
    assert [t for t, _ in doc_events(agent)] == ["startdocsharepreview", "enddocsharepreview"]


def test_bad_uploads_show_the_servers_message_and_fire_error(tandem, site, visitor, agent):
    tandem.cli("group", "set", "--id", "1", "--pdf-max-bytes", "2000")
    open_pair(tandem, site, visitor, agent, "docs-a4")
    # Not a PDF behind a .pdf name: the type comes from the bytes.
    pick(agent, "invoice.pdf", b"MZ\x90\x00 this is no pdf at all" * 10)
    wait_agent_event(agent, "error")
    error = agent_events(agent, "error")[-1]["data"]
    assert error["code"] == "documentnotsent" and error["params"]["reason"] == "type" and error["params"]["name"] == "invoice.pdf"
    assert error["msg"]
    expect(agent.locator("#rc-status")).to_have_text(error["msg"])
    # Over the group's limit for PDFs.
    pick(agent, "big.pdf", fx.multipage_pdf(5) + b"%" + b"0" * 4000)
    wait_agent_event(agent, "error", "e.data.params.reason === 'size'")
    # A macro workbook is refused as well.
    pick(agent, "book.xlsm", fx.xlsm_book(), mime="application/octet-stream")
    wait_agent_event(agent, "error", "e.data.params.name === 'book.xlsm'")
    expect(agent.locator("#doc-panel")).to_be_hidden()
    assert not [t for t, _ in doc_events(agent) if t in ("startdocsharepreview", "documentShared")]
    # The session goes on.
    visitor.evaluate("document.getElementById('title').textContent = 'Still here'")
    expect(agent.frame_locator("#mirror").locator("#title")).to_have_text("Still here")


# ---- Visitor → agent -------------------------------------------------------------------------

def test_request_accepted_then_the_visitor_shares_and_the_agent_downloads(tandem, site, visitor, agent):
    open_pair(tandem, site, visitor, agent, "docs-v1")
    agent.click("#doc-request")
    expect(agent.locator("#doc-request")).to_have_text("Asking for a document…")
    # The visitor's default prompt: Allow opens the file picker; the file is previewed first.
    with visitor.expect_file_chooser() as chooser:
        visitor.click("#tandem-docshare-accept")
    wait_agent_event(agent, "docsharestatus", "e.data.status === 'accepted'")
    statement = fx.multipage_pdf(2)
    chooser.value.set_files(files=[{"name": "statement.pdf", "mimeType": "application/pdf", "buffer": statement}])
    expect(visitor.locator("#glance_document_share")).to_be_visible()
    wait_agent_event(agent, "startdocsharepreview")
    expect(agent.locator("#doc-panel")).to_be_hidden()  # the visitor's preview is the visitor's
    visitor.click("#glance_document_share")
    wait_agent_event(agent, "documentShared")
    expect(agent.locator("#doc-panel")).to_have_attribute("data-mode", "open")
    expect(agent.locator("#doc-from")).to_contain_text("Shared by the visitor")
    wait_loaded(agent)
    expect(agent.locator("#doc-save")).to_be_visible()
    with agent.expect_download() as download:
        agent.click("#doc-save")
    assert download.value.suggested_filename == "statement.pdf"
    assert Path(download.value.path()).read_bytes() == statement
    wait_agent_event(agent, "documentDownloaded")
    wait_for_event(visitor, "agentdownload")
    sequence = doc_events(agent)
    # `started` comes when the visitor shares: with the preview's end or the open, in either order.
    started = ["docsharestatus", {"status": "started"}]
    assert started in sequence and sequence.index(started) > sequence.index(["startdocsharepreview", None]), sequence
    assert [e for e in sequence if e != started] == [
        ["docsharestatus", {"status": "accepted"}],
        ["startdocsharepreview", None],
        ["enddocsharepreview", None],
        ["documentShared", {"sharedBy": "visitor", "name": "statement.pdf"}],
        ["startdocshare", None],
        ["documentDownloaded", {"sharedBy": "visitor", "downloadedBy": "agent", "name": "statement.pdf"}],
    ], sequence
    # The visitor closes it: the agent's panel goes.
    visitor.click("#glance_document_close")
    wait_agent_event(agent, "enddocshare")
    expect(agent.locator("#doc-panel")).to_be_hidden()


def test_request_declined(tandem, site, visitor, agent):
    open_pair(tandem, site, visitor, agent, "docs-v2")
    agent.click("#doc-request")
    visitor.click("#tandem-docshare-decline")
    wait_agent_event(agent, "docsharestatus", "e.data.status === 'declined'")
    expect(agent.locator("#rc-status")).to_contain_text("declined")
    expect(agent.locator("#doc-request")).to_have_text("Ask for document")
    assert doc_events(agent) == [["docsharestatus", {"status": "declined"}]]


def test_agent_download_of_a_visitor_file_refused_by_the_group(tandem, site, visitor, agent):
    tandem.cli("group", "set", "--id", "1", "--agent-document-download", "false")
    open_pair(tandem, site, visitor, agent, "docs-v3")
    visitor.evaluate("(b64) => GLANCE.Cobrowse.Visitor.sendDocument(new File([Uint8Array.from(atob(b64), c => c.charCodeAt(0))], 'id-card.pdf', {type: 'application/pdf'}))",
                     __import__("base64").b64encode(fx.multipage_pdf(1)).decode())
    wait_agent_event(agent, "documentShared")
    assert agent_events(agent, "documentShared")[-1]["data"] == {"sharedBy": "visitor", "name": "id-card.pdf"}
    wait_loaded(agent)
    expect(agent.locator("#doc-save")).to_be_hidden()
    opened = [m for m in agent.doc_messages if m["action"] == "open"][-1]
    assert opened["download"] is False and opened["sharedBy"] == "visitor"
    # The capability URL itself refuses a download for this side (and still serves the bytes).
    assert agent.evaluate("async (src) => (await fetch(src + '&download=1')).status", opened["src"]) == 403
    assert agent.evaluate("async (src) => (await fetch(src)).status", opened["src"]) == 200
    agent.wait_for_timeout(300)
    assert not agent_events(agent, "documentDownloaded")


def test_agent_without_the_documentshare_privilege_is_refused(tandem, site, visitor, browser):
    tandem.cli("agent", "add", "--username", "viewonly", "--password", "viewonly-password", "--group", "1",
               "--privileges", "view,remotecontrol")
    tandem.start()
    agent = agent_page(browser, tandem, username="viewonly", password="viewonly-password")
    try:
        open_pair(tandem, site, visitor, agent, "docs-p1")
        pick(agent, "guide.pdf", fx.multipage_pdf(1))
        wait_agent_event(agent, "accessdenied", "e.data.docshare === true")
        expect(agent.locator("#doc-panel")).to_be_hidden()
        agent.click("#doc-request")
        agent.wait_for_function("(window.__agentEvents || []).filter(e => e.type === 'accessdenied').length >= 2")
        expect(agent.locator("#doc-request")).to_have_text("Ask for document")
        visitor.wait_for_timeout(300)
        expect(visitor.locator("#tandem-docshare-accept")).to_have_count(0)
        assert not [t for t, _ in doc_events(agent)]
    finally:
        agent.context.close()


# ---- Guests, co-viewing, rendering -------------------------------------------------------------

def in_frame(page, locator):
    """The document frame's own page (pages, zoom, tabs) as a FrameLocator."""
    return page.frame_locator(locator)


AGENT_DOC = "#doc-view iframe"
VISITOR_DOC = "#glance_document iframe"


def expect_view(page, frame_selector, page_number=None, zoom=None):
    doc = in_frame(page, frame_selector)
    if page_number is not None:
        expect(doc.locator("#doc-page")).to_have_value(str(page_number), timeout=10_000)
    if zoom is not None:
        expect(doc.locator("#doc-zoom")).to_have_text(zoom, timeout=10_000)


def scroll_top(page, frame_selector):
    return frame_of(page, page.locator(frame_selector)).evaluate("document.getElementById('doc-pages').scrollTop")


def test_coviewing_page_zoom_scroll_and_pointer_both_ways(tandem, site, visitor, agent):
    open_pair(tandem, site, visitor, agent, "docs-c1")
    share_pdf(agent, "manual.pdf", fx.multipage_pdf(4))
    wait_loaded(agent)
    wait_loaded(visitor)
    agent_doc, visitor_doc = in_frame(agent, AGENT_DOC), in_frame(visitor, VISITOR_DOC)
    # Agent leads: next page, zoom in.
    agent_doc.locator("#doc-next").click()
    expect_view(agent, AGENT_DOC, page_number=2)
    expect_view(visitor, VISITOR_DOC, page_number=2)
    agent_doc.locator("#doc-zoom-in").click()
    expect_view(visitor, VISITOR_DOC, zoom="110%")
    # Scrolling with the wheel moves the visitor's document to the same point.
    box = agent.locator(AGENT_DOC).bounding_box()
    agent.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    before = scroll_top(agent, AGENT_DOC)
    agent.mouse.wheel(0, 500)
    tops = (0, 0)
    for _ in range(50):
        visitor.wait_for_timeout(100)
        tops = (scroll_top(agent, AGENT_DOC), scroll_top(visitor, VISITOR_DOC))
        if tops[0] > before and abs(tops[0] - tops[1]) <= 2:
            break
    assert tops[0] > before and abs(tops[0] - tops[1]) <= 2, (before, tops)
    # The agent's pointer over the document shows in the visitor's frame.
    agent.mouse.move(box["x"] + 200, box["y"] + 200)
    agent.mouse.move(box["x"] + 220, box["y"] + 230)
    expect(visitor_doc.locator("#doc-remote-pointer")).to_be_visible(timeout=10_000)

    # The visitor leads back: previous page and zoom out reach the agent.
    visitor_doc.locator("#doc-zoom-out").click()
    expect_view(agent, AGENT_DOC, zoom="100%")
    visitor_doc.locator("#doc-page").fill("4")
    visitor_doc.locator("#doc-page").press("Enter")
    expect_view(agent, AGENT_DOC, page_number=4)
    vbox = visitor.locator(VISITOR_DOC).bounding_box()
    visitor.mouse.move(vbox["x"] + 150, vbox["y"] + 150)
    visitor.mouse.move(vbox["x"] + 170, vbox["y"] + 160)
    expect(agent_doc.locator("#doc-remote-pointer")).to_be_visible(timeout=10_000)
    expect(agent_doc.locator("#doc-remote-label")).to_have_text("Visitor")
    # Only real moves were sent: no echo ping-pong (a handful of views, not a stream).
    views = [m for m in agent.doc_messages if m["action"] == "view"]
    assert 1 <= len(views) <= 12, views


def test_a_guest_sees_the_document_but_cannot_lead(tandem, site, visitor, agent, browser):
    open_pair(tandem, site, visitor, agent, "docs-g1")
    share_pdf(agent, "contract.pdf", fx.multipage_pdf(3))
    wait_loaded(visitor)
    agent.fill("#guest-name", "Sam Supervisor")
    agent.click("#guest-invite")
    visitor.click("#tandem-guest-accept")
    expect(agent.locator("#guest-panel")).to_be_visible()
    link = agent.input_value("#guest-link")
    guest_context = browser.new_context(viewport={"width": 1300, "height": 900}, bypass_csp=True)
    guest_context.add_init_script(AGENT_EVENTS + FRAME_MESSAGES)
    guest = guest_context.new_page()
    try:
        guest.goto(link)
        # Joined while the document is open: it shows at once (joined.doc).
        expect(guest.locator("#doc-panel")).to_have_attribute("data-mode", "open", timeout=15_000)
        wait_loaded(guest)
        for tool in ("#doc-close", "#doc-share", "#doc-request", "#doc-download-label", "#doc-confirm"):
            expect(guest.locator(tool)).to_be_hidden()
        guest.wait_for_function("(window.__agentEvents || []).some(e => e.type === 'startdocshare')")
        # It follows the agent...
        in_frame(agent, AGENT_DOC).locator("#doc-next").click()
        expect_view(guest, AGENT_DOC, page_number=2)
        # ...and leads nobody: its own move stays its own.
        in_frame(guest, AGENT_DOC).locator("#doc-next").click()
        expect_view(guest, AGENT_DOC, page_number=3)
        visitor.wait_for_timeout(800)
        expect_view(visitor, VISITOR_DOC, page_number=2)
        expect_view(agent, AGENT_DOC, page_number=2)
        # The agent closes: the guest's panel goes too.
        agent.click("#doc-close")
        expect(guest.locator("#doc-panel")).to_be_hidden()
        guest.wait_for_function("(window.__agentEvents || []).some(e => e.type === 'enddocshare')")
    finally:
        guest_context.close()


def test_a_reloaded_viewer_finds_the_open_document_and_its_view(tandem, site, visitor, agent):
    open_pair(tandem, site, visitor, agent, "docs-r1")
    share_pdf(agent, "terms.pdf", fx.multipage_pdf(3))
    wait_loaded(visitor)
    in_frame(visitor, VISITOR_DOC).locator("#doc-next").click()
    expect_view(agent, AGENT_DOC, page_number=2)
    agent.reload()
    expect(agent.locator("#doc-panel")).to_have_attribute("data-mode", "open", timeout=15_000)
    expect(agent.locator("#doc-name")).to_have_text("terms.pdf")
    expect_view(agent, AGENT_DOC, page_number=2)
    assert [t for t, _ in doc_events(agent)] == ["startdocshare"]


# ---- Rendering: both sides the same, and like the reference -----------------------------------

def canvas_png(page, frame_selector, n) -> bytes:
    """Page n's canvas bitmap, as pdf.js drew it (wherever the page sits on the screen)."""
    url = frame_of(page, page.locator(frame_selector)).evaluate(
        f"document.querySelector('canvas.doc-page[data-page=\"{n}\"]').toDataURL('image/png')")
    return __import__("base64").b64decode(url.split(",", 1)[1])


def wait_rendered(page, frame_selector, n, zoom):
    frame_of(page, page.locator(frame_selector)).wait_for_function(
        f"document.querySelector('canvas.doc-page[data-page=\"{n}\"]')?.dataset.rendered === '{zoom}'", timeout=15_000)


def test_a_multipage_pdf_renders_the_same_on_both_sides_and_like_the_reference(tandem, site, visitor, agent):
    open_pair(tandem, site, visitor, agent, "docs-s1")
    share_pdf(agent, "report.pdf", fx.multipage_pdf(3))
    wait_loaded(agent)
    wait_loaded(visitor)
    assert loaded_pages(agent)[-1] == loaded_pages(visitor)[-1] == 3
    # Half size, so a whole page fits in both frames; the visitor follows the agent's zoom.
    agent_doc = in_frame(agent, AGENT_DOC)
    for _ in range(4):
        agent_doc.locator("#doc-zoom-out").click()
    expect_view(agent, AGENT_DOC, zoom="50%")
    expect_view(visitor, VISITOR_DOC, zoom="50%")
    for n in (1, 2):
        if n == 2:
            agent_doc.locator("#doc-next").click()
            expect_view(visitor, VISITOR_DOC, page_number=2)
        wait_rendered(agent, AGENT_DOC, n, "0.5")
        wait_rendered(visitor, VISITOR_DOC, n, "0.5")
        # The bitmaps pdf.js drew on each side: the same bytes give the same pixels.
        a, v = canvas_png(agent, AGENT_DOC, n), canvas_png(visitor, VISITOR_DOC, n)
        # US Letter at 50 % (device pixel ratio 1): 306 × 396.
        assert image(a).size == (306, 396), image(a).size
        assert image(a).tobytes() == image(v).tobytes(), f"page {n}: the agent's and the visitor's renderings differ"
        matches_reference(f"documents-pdf-page{n}", a, tolerance=0.01)


def test_an_xlsx_with_two_sheets_renders_the_same_on_both_sides_and_like_the_reference(tandem, site, visitor, agent):
    open_pair(tandem, site, visitor, agent, "docs-s2")
    pick(agent, "book.xlsx", fx.xlsx_book(), mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    expect(agent.locator("#doc-panel")).to_have_attribute("data-kind", "xlsx")
    agent.click("#doc-confirm")
    expect(agent.locator("#doc-panel")).to_have_attribute("data-mode", "open")
    wait_loaded(agent)  # the preview's frame, kept once shared
    wait_loaded(visitor)
    assert loaded_pages(agent)[-1] == loaded_pages(visitor)[-1] == 2  # two sheets
    agent_doc, visitor_doc = in_frame(agent, AGENT_DOC), in_frame(visitor, VISITOR_DOC)
    expect(agent_doc.locator(".doc-sheet-tab")).to_have_text(["Summary", "Data"])
    for n, name in ((0, "Summary"), (1, "Data")):
        if n == 1:
            agent_doc.locator('.doc-sheet-tab[data-sheet="1"]').click()
        expect(visitor_doc.locator(f'.doc-sheet-tab[data-sheet="{n}"]')).to_have_attribute("aria-selected", "true")
        expect(agent_doc.locator("#doc-sheet table")).to_be_visible()
        expect(visitor_doc.locator("#doc-sheet table")).to_be_visible()
        agent.wait_for_timeout(300)
        a = agent_doc.locator("#doc-sheet").screenshot()
        v = visitor_doc.locator("#doc-sheet").screenshot()
        # Screenshots (HTML): the frames sit at other fractions of a pixel in their pages, which moves
        # antialiasing a little; the content must be the same.
        assert differing(image(a), image(v)) <= 0.02, f"sheet {name}: the agent's and the visitor's renderings differ"
        matches_reference(f"documents-xlsx-{name.lower()}", a, tolerance=0.01)
    # The visitor goes back to the first sheet: the agent follows.
    visitor_doc.locator('.doc-sheet-tab[data-sheet="0"]').click()
    expect(agent_doc.locator('.doc-sheet-tab[data-sheet="0"]')).to_have_attribute("aria-selected", "true")


# ---- A CRM page through GLANCE.Cobrowse.Agent ---------------------------------------------------

def crm_events(crm, type_=None):
    return [e for e in crm.evaluate("window.__agentEvents") if type_ is None or e["type"] == type_]


def wait_crm(crm, type_, predicate="true", timeout=15_000):
    crm.wait_for_function(
        f"window.__agentEvents.some(e => e.type === {json.dumps(type_)} && ((e) => {predicate})(e))", timeout=timeout)


def test_a_crm_page_shares_requests_and_closes_through_the_agent_api(tandem, site, visitor, browser):
    tandem.start()
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    context.add_cookies([{"name": "tandem_agent", "value": tandem.token(), "url": tandem.base}])
    crm = context.new_page()
    try:
        visitor.goto(f"{site}/page1.html")
        start_session(visitor, "'docs-crm'")
        wait_ready(visitor)
        listen_visitor(visitor)
        viewer = viewer_url(tandem, "docs-crm")
        crm.goto(f"{site}/crm-docs.html?viewer={urllib.parse.quote(viewer, safe='')}")
        wait_crm(crm, "agents")
        # The CRM's own picker: sendDocument(file, {download: true}) shares at once.
        crm.set_input_files("#crm-file", files=[{"name": "offer.pdf", "mimeType": "application/pdf", "buffer": fx.multipage_pdf(2)}])
        wait_crm(crm, "startdocshare")
        assert crm_events(crm, "documentShared")[-1]["data"] == {"sharedBy": "agent", "name": "offer.pdf"}
        expect(visitor.locator("#glance_document_download")).to_be_visible()
        assert crm.evaluate("GLANCE.Cobrowse.Agent.getSessionState('documentShared')") == {"sharedBy": "agent", "name": "offer.pdf"}
        # Close it from the CRM.
        crm.evaluate("GLANCE.Cobrowse.Agent.closeDocument()")
        wait_crm(crm, "enddocshare")
        expect(visitor.locator("#glance_document")).to_have_count(0)
        # Ask the visitor; the visitor declines.
        crm.evaluate("GLANCE.Cobrowse.Agent.requestDocShare()")
        visitor.click("#tandem-docshare-decline")
        wait_crm(crm, "docsharestatus", "e.data.status === 'declined'")
        # A bad file from the CRM: an error event with the server's reason.
        crm.evaluate("GLANCE.Cobrowse.Agent.sendDocument(new Blob([new Uint8Array([0x4d, 0x5a, 0, 1, 2, 255, 0, 0])]), {download: false})")
        wait_crm(crm, "error", "e.data.code === 'documentnotsent'")
        assert crm_events(crm, "error")[-1]["data"]["params"]["reason"] == "type"
        # Ask again; the visitor accepts and picks a CSV, previews it and shares it: the CRM hears every step.
        crm.evaluate("GLANCE.Cobrowse.Agent.requestDocShare()")
        with visitor.expect_file_chooser() as chooser:
            visitor.click("#tandem-docshare-accept")
        wait_crm(crm, "docsharestatus", "e.data.status === 'accepted'")
        chooser.value.set_files(files=[{"name": "figures.csv", "mimeType": "text/csv", "buffer": fx.csv_text()}])
        visitor.click("#glance_document_share")
        wait_crm(crm, "documentShared", "e.data.sharedBy === 'visitor'")
        assert crm_events(crm, "documentShared")[-1]["data"] == {"sharedBy": "visitor", "name": "figures.csv"}
        wait_crm(crm, "docsharestatus", "e.data.status === 'started'")
    finally:
        context.close()


def test_a_group_that_forbids_agents_to_share_refuses_the_upload(tandem, site, visitor, agent):
    tandem.cli("group", "set", "--id", "1", "--agent-document-share", "false")
    open_pair(tandem, site, visitor, agent, "docs-p2")
    pick(agent, "guide.pdf", fx.multipage_pdf(1))
    wait_agent_event(agent, "accessdenied", "e.data.docshare === true")
    denied = agent_events(agent, "accessdenied")[-1]["data"]
    assert denied["msg"]
    expect(agent.locator("#rc-status")).to_have_text(denied["msg"])
    expect(agent.locator("#doc-panel")).to_be_hidden()
    visitor.wait_for_timeout(300)
    expect(visitor.locator("#glance_document")).to_have_count(0)
    assert not doc_events(agent)
