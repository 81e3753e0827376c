"""Shared documents from the visitor's side (docs/protocol.md, "Shared documents"): the overlay
viewer in the visitor's page, the visitor's share asked for by an agent (default prompt and file
picker with a preview; a custom UI's accept/decline and sendDocument), the agent's share with and
without download, viewPDF / viewXLS from the site, refused files, navigation, and the seed's
events on both sides (`agentdocshare`, `documentviewed`, `docsharestatus`, `docsharerequested`,
`visitordownload`, `agentdownload`, Glance's `documentnotsent`)."""

from contextlib import contextmanager
import urllib.error
import urllib.request

import pytest

from conftest import agent_page, events, mirror, start_session, wait_for_event, wait_ready
from doc_fixtures import csv_text, multipage_pdf, xlsm_book, xlsx_book
from playwright.sync_api import expect
from test_media import AGENT_EVENTS, agent_events, wait_agent_event

# Test-side only: the visitor page's incoming `doc` messages (to read a capability URL).
WS_SPY = """(() => {
  const Native = window.WebSocket;
  window.__docMsgs = [];
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (e) => {
        if (typeof e.data !== 'string') return;
        try { const m = JSON.parse(e.data); if (m.t === 'doc' || (m.t === 'session' && m.doc)) window.__docMsgs.push(m); } catch {}
      });
    }
  };
})();"""

PDF = multipage_pdf(3)
XLSX = xlsx_book()
CSV = csv_text()
# An image named .pdf: refused by its bytes.
PNG = bytes([137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82]) + bytes(64)


def data_of(page, type_):
    return [e["data"] for e in events(page, type_)]


def doc_events(page):
    """The shared-document events this page heard, in order (type and payload)."""
    kinds = {"agentdocshare", "documentviewed", "docsharestatus", "docsharerequested", "visitordownload",
             "agentdownload", "documentnotsent", "filedownloading", "filedownloaded"}
    return [(e["type"], e["data"]) for e in events(page) if e["type"] in kinds]


def file_payload(name, data, mime="application/octet-stream"):
    return {"name": name, "mimeType": mime, "buffer": data}


def open_docs(browser, tandem, site, key, page="docs-default.html", visitor_script=WS_SPY):
    tandem.start()
    context = browser.new_context(viewport={"width": 1100, "height": 760}, accept_downloads=True)
    context.add_init_script(visitor_script)
    visitor = context.new_page()
    agent = agent_page(browser, tandem)
    agent.context.add_init_script(AGENT_EVENTS)
    visitor.goto(f"{site}/{page}")
    start_session(visitor, repr(key))
    agent.goto(f"{tandem.base}/agentjoin?SessionKey={key}&wait=1")
    expect(agent.locator("#status")).to_have_text("Connected", timeout=15_000)
    return visitor, agent


@contextmanager
def docs_pair(browser, tandem, site, key, **kwargs):
    visitor, agent = open_docs(browser, tandem, site, key, **kwargs)
    try:
        yield visitor, agent
    finally:
        visitor.context.close()
        agent.context.close()


def agent_shares(agent, name, data, download=False):
    """The agent shares a file from the viewer: the picker, the preview only it sees, Share."""
    box = agent.locator("#doc-download")
    if box.is_checked() != download:
        box.set_checked(download)
    agent.set_input_files("#doc-file", files=[file_payload(name, data)])
    expect(agent.locator("#doc-confirm")).to_be_visible(timeout=15_000)
    agent.click("#doc-confirm")


def visitor_accepts_with_file(visitor, agent, name, data):
    """The agent asks; the visitor allows in the default prompt and picks a file."""
    agent.click("#doc-request")
    expect(visitor.locator("#tandem-docshare-prompt")).to_contain_text("Agent One asks you to share a document")
    with visitor.expect_file_chooser() as chooser:
        visitor.click("#tandem-docshare-accept")
    assert chooser.value.element.get_attribute("accept") == ".pdf,.xlsx,.csv"
    chooser.value.set_files(files=[file_payload(name, data)])


def overlay(visitor):
    return visitor.locator("#glance_document")


def doc_messages(visitor, action):
    return [m for m in visitor.evaluate("window.__docMsgs || []") if m.get("action") == action]


# ---- The visitor shares ----

def test_visitor_previews_then_shares_on_request_and_the_agent_downloads(tandem, site, browser):
    with docs_pair(browser, tandem, site, "doc-v1") as (visitor, agent):
        visitor_accepts_with_file(visitor, agent, "statement.pdf", PDF)
        wait_for_event(visitor, "docsharestatus", predicate="e.data.status === 'accepted'")
        wait_agent_event(agent, "docsharestatus", "e.data.status === 'accepted'")

        # The preview: only the visitor sees it, with Share and Cancel (no Download).
        expect(overlay(visitor)).to_be_visible()
        expect(visitor.locator("#glance_document_name")).to_have_text("statement.pdf")
        expect(visitor.locator("#glance_document_share")).to_be_visible()
        expect(visitor.locator("#glance_document_cancel")).to_be_visible()
        expect(visitor.locator("#glance_document_download")).to_be_hidden()
        expect(visitor.locator("#glance_document_frame")).to_have_attribute("sandbox", "allow-scripts")
        assert visitor.locator("#glance_document_frame").get_attribute("src") == f"{tandem.base}/web/documents/viewer.html"
        wait_agent_event(agent, "startdocsharepreview")
        expect(agent.locator("#doc-panel")).to_be_hidden()
        assert not data_of(visitor, "documentviewed")

        visitor.click("#glance_document_share")
        wait_for_event(visitor, "documentviewed")
        assert doc_events(visitor) == [
            ("docsharestatus", {"status": "accepted"}),
            ("docsharestatus", {"status": "started"}),
            ("documentviewed", {"name": "statement.pdf", "visitorselected": True}),
        ]
        expect(visitor.locator("#glance_document_share")).to_be_hidden()
        expect(visitor.locator("#glance_document_close")).to_be_visible()
        expect(agent.locator("#doc-panel")).to_be_visible()
        expect(agent.locator("#doc-name")).to_have_text("statement.pdf")
        wait_agent_event(agent, "docsharestatus", "e.data.status === 'started'")
        wait_agent_event(agent, "documentShared", "e.data.sharedBy === 'visitor' && e.data.name === 'statement.pdf'")

        # The agent saves the visitor's file: `agentdownload {name}` in the visitor's page.
        with agent.expect_download() as download:
            agent.click("#doc-save")
        assert open(download.value.path(), "rb").read() == PDF
        wait_for_event(visitor, "agentdownload")
        assert data_of(visitor, "agentdownload") == [{"name": "statement.pdf"}]
        assert not data_of(visitor, "visitordownload")

        # The visitor closes it for everyone.
        visitor.click("#glance_document_close")
        expect(overlay(visitor)).to_have_count(0)
        expect(agent.locator("#doc-panel")).to_be_hidden()
        wait_agent_event(agent, "enddocshare")


def test_visitor_cancels_the_preview(tandem, site, browser):
    with docs_pair(browser, tandem, site, "doc-v2") as (visitor, agent):
        visitor_accepts_with_file(visitor, agent, "prices.csv", CSV)
        expect(visitor.locator("#glance_document_cancel")).to_be_visible()
        wait_agent_event(agent, "startdocsharepreview")
        visitor.click("#glance_document_cancel")
        expect(overlay(visitor)).to_have_count(0)
        wait_agent_event(agent, "enddocsharepreview")
        visitor.wait_for_timeout(500)
        expect(agent.locator("#doc-panel")).to_be_hidden()
        assert doc_events(visitor) == [("docsharestatus", {"status": "accepted"})]
        assert not agent_events(agent, "documentShared")


def test_visitor_declines_in_the_default_prompt(tandem, site, browser):
    with docs_pair(browser, tandem, site, "doc-v3") as (visitor, agent):
        agent.click("#doc-request")
        expect(visitor.locator("#tandem-docshare-prompt")).to_be_visible()
        visitor.click("#tandem-docshare-decline")
        expect(visitor.locator("#tandem-docshare-prompt")).to_have_count(0)
        wait_for_event(visitor, "docsharestatus")
        assert doc_events(visitor) == [("docsharestatus", {"status": "declined"})]
        wait_agent_event(agent, "docsharestatus", "e.data.status === 'declined'")


def test_custom_ui_answers_the_request_and_sends_at_once(tandem, site, browser):
    tandem.start()
    context = browser.new_context(viewport={"width": 1100, "height": 760})
    visitor = context.new_page()
    visitor.goto(f"{site}/docs-custom.html")
    wait_ready(visitor)
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.canSendDocument()") is False
    context.close()
    with docs_pair(browser, tandem, site, "doc-v4", page="docs-custom.html") as (visitor, agent):
        assert visitor.evaluate("GLANCE.Cobrowse.Visitor.canSendDocument()") is True
        # Declined first, through the page's own UI.
        agent.click("#doc-request")
        wait_for_event(visitor, "docsharerequested")
        assert visitor.locator("#tandem-docshare-prompt").count() == 0
        visitor.evaluate("window.__docRequest.decline(); window.__docRequest.accept()")  # only the first answer counts
        wait_agent_event(agent, "docsharestatus", "e.data.status === 'declined'")
        # Then accepted, and the page sends a file with sendDocument(): shared without a preview.
        agent.click("#doc-request")
        visitor.wait_for_function("window.__events.filter(e => e.type === 'docsharerequested').length === 2")
        visitor.evaluate("window.__docRequest.accept()")
        wait_agent_event(agent, "docsharestatus", "e.data.status === 'accepted'")
        visitor.set_input_files("#doc-file", files=[file_payload("book.xlsx", XLSX)])
        visitor.click("#send-doc")
        wait_for_event(visitor, "documentviewed")
        assert doc_events(visitor) == [
            ("docsharerequested", {}),
            ("docsharestatus", {"status": "declined"}),
            ("docsharerequested", {}),
            ("docsharestatus", {"status": "accepted"}),
            ("docsharestatus", {"status": "started"}),
            ("documentviewed", {"name": "book.xlsx", "visitorselected": True}),
        ]
        expect(overlay(visitor)).to_be_visible()
        expect(visitor.locator("#glance_document_share")).to_be_hidden()
        expect(agent.locator("#doc-name")).to_have_text("book.xlsx")
        wait_agent_event(agent, "docsharestatus", "e.data.status === 'started'")

        # sendDocument(file, {preview: true}) previews first, like the default UI.
        visitor.evaluate("""() => GLANCE.Cobrowse.Visitor.sendDocument(
            new File([new TextEncoder().encode('a,b\\n1,2\\n')], 'small.csv'), { preview: true })""")
        expect(visitor.locator("#glance_document_name")).to_have_text("small.csv")
        expect(visitor.locator("#glance_document_share")).to_be_visible()
        visitor.click("#glance_document_share")
        expect(agent.locator("#doc-name")).to_have_text("small.csv")


# ---- The agent shares ----

def test_agent_shares_with_download_allowed(tandem, site, browser):
    with docs_pair(browser, tandem, site, "doc-a1") as (visitor, agent):
        agent_shares(agent, "contract.pdf", PDF, download=True)
        wait_for_event(visitor, "documentviewed")
        assert doc_events(visitor) == [("agentdocshare", None), ("documentviewed", {"name": "contract.pdf", "agentselected": True})]
        expect(visitor.locator("#glance_document_name")).to_have_text("contract.pdf")
        expect(visitor.locator("#glance_document_download")).to_be_visible()
        expect(visitor.locator("#glance_document_share")).to_be_hidden()

        with visitor.expect_download() as download:
            visitor.click("#glance_document_download")
        assert download.value.suggested_filename == "contract.pdf"
        assert open(download.value.path(), "rb").read() == PDF
        wait_for_event(visitor, "visitordownload")
        assert data_of(visitor, "visitordownload") == [{"name": "contract.pdf", "agentselected": True}]
        assert data_of(visitor, "filedownloading") == [{"name": "contract.pdf"}]
        assert data_of(visitor, "filedownloaded") == [{"name": "contract.pdf"}]
        assert not data_of(visitor, "agentdownload")
        wait_agent_event(agent, "documentDownloaded", "e.data.downloadedBy === 'visitor' && e.data.name === 'contract.pdf'")

        # The agent closes it: gone from the visitor's page.
        agent.click("#doc-close")
        expect(overlay(visitor)).to_have_count(0)


def test_agent_shares_without_download(tandem, site, browser):
    with docs_pair(browser, tandem, site, "doc-a2") as (visitor, agent):
        agent_shares(agent, "quote.xlsx", XLSX, download=False)
        wait_for_event(visitor, "documentviewed")
        expect(visitor.locator("#glance_document_name")).to_have_text("quote.xlsx")
        expect(visitor.locator("#glance_document_close")).to_be_visible()
        expect(visitor.locator("#glance_document_download")).to_be_hidden()
        opened = doc_messages(visitor, "open")[-1]
        assert opened["download"] is False and opened["sharedBy"] == "agent"
        # The capability URL itself refuses a download to this side (and counts none).
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(tandem.base + opened["src"] + "&download=1", timeout=10)
        assert refused.value.code == 403
        visitor.wait_for_timeout(300)
        assert not data_of(visitor, "visitordownload")

        # The visitor closes it: the agent's panel closes too.
        visitor.click("#glance_document_close")
        expect(agent.locator("#doc-panel")).to_be_hidden()


def test_the_overlay_and_prompt_are_never_mirrored(tandem, site, browser):
    with docs_pair(browser, tandem, site, "doc-a3") as (visitor, agent):
        agent.click("#doc-request")
        expect(visitor.locator("#tandem-docshare-prompt")).to_be_visible()
        visitor.click("#tandem-docshare-decline")
        agent_shares(agent, "contract.pdf", PDF)
        expect(overlay(visitor)).to_be_visible()
        # The page goes on being mirrored (a change after the overlay arrived is seen)…
        visitor.evaluate("document.getElementById('title').textContent = 'Changed under the document'")
        expect(mirror(agent).locator("#title")).to_have_text("Changed under the document")
        # …but nothing of the overlay or the prompt is.
        assert mirror(agent).locator("#glance_document, #glance_document_frame, [id^='tandem-docshare']").count() == 0
        captured = tandem.captured()
        assert b"glance_document" not in captured and b"tandem-docshare" not in captured

        # The session ends: the viewer goes, and the file with it.
        src = doc_messages(visitor, "open")[-1]["src"]
        agent.click("#end")
        wait_for_event(visitor, "sessionend")
        expect(overlay(visitor)).to_have_count(0)
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(tandem.base + src, timeout=10)


def test_the_document_is_shown_again_after_navigation(tandem, site, browser):
    with docs_pair(browser, tandem, site, "doc-a4") as (visitor, agent):
        agent_shares(agent, "contract.pdf", PDF)
        wait_for_event(visitor, "documentviewed")
        visitor.click("#next")
        visitor.wait_for_url("**/docs-next.html")
        expect(overlay(visitor)).to_be_visible()
        expect(visitor.locator("#glance_document_name")).to_have_text("contract.pdf")
        wait_for_event(visitor, "documentviewed")
        # A new page: the viewer opens again (`documentviewed`), the share is not new (no agentdocshare).
        assert doc_events(visitor) == [("documentviewed", {"name": "contract.pdf", "agentselected": True})]
        # Closed on this page: not shown on the next.
        visitor.click("#glance_document_close")
        expect(agent.locator("#doc-panel")).to_be_hidden()
        visitor.click("#next")
        visitor.wait_for_url("**/docs-default.html")
        wait_for_event(visitor, "statereceived")
        visitor.wait_for_timeout(500)
        expect(overlay(visitor)).to_have_count(0)


def test_viewing_in_step_both_ways(tandem, site, browser):
    with docs_pair(browser, tandem, site, "doc-a5") as (visitor, agent):
        agent_shares(agent, "contract.pdf", PDF)
        visitor_frame = visitor.frame_locator("#glance_document_frame")
        agent_frame = agent.frame_locator("#doc-view iframe")
        expect(visitor_frame.locator("#doc-page-count")).to_have_text("of 3", timeout=15_000)
        expect(agent_frame.locator("#doc-page-count")).to_have_text("of 3", timeout=15_000)
        visitor_frame.locator("#doc-next").click()
        expect(agent_frame.locator("#doc-page")).to_have_value("2", timeout=10_000)
        agent_frame.locator("#doc-next").click()
        expect(visitor_frame.locator("#doc-page")).to_have_value("3", timeout=10_000)
        visitor_frame.locator("#doc-zoom-in").click()
        expect(agent_frame.locator("#doc-zoom")).to_have_text(visitor_frame.locator("#doc-zoom").inner_text(), timeout=10_000)
        # Pointers: the visitor's over the agent's copy, the agent's (with its name) over the visitor's.
        box = visitor.locator("#glance_document_frame").bounding_box()
        visitor.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        visitor.mouse.move(box["x"] + box["width"] / 2 + 20, box["y"] + box["height"] / 2 + 20)
        expect(agent_frame.locator("#doc-remote-pointer")).to_be_visible(timeout=10_000)
        box = agent.locator("#doc-view iframe").bounding_box()
        agent.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        agent.mouse.move(box["x"] + box["width"] / 2 + 20, box["y"] + box["height"] / 2 + 20)
        expect(visitor_frame.locator("#doc-remote-pointer")).to_be_visible(timeout=10_000)
        expect(visitor_frame.locator("#doc-remote-label")).to_have_text("Agent One")


# ---- Site documents: viewPDF / viewXLS ----

def serve_site_documents(context, site):
    """docs-files/*: the site's documents, behind the site's login cookie (the page's own
    credentials must reach them)."""
    context.add_cookies([{"name": "site_login", "value": "yes", "url": site}])
    bodies = {"terms.pdf": PDF, "prices.xlsx": XLSX, "rates.csv": CSV}

    def handle(route):
        name = route.request.url.rsplit("/", 1)[-1]
        cookie = route.request.headers.get("cookie", "")
        if name not in bodies:
            return route.fulfill(status=404, body="missing")
        if "site_login=yes" not in cookie:
            return route.fulfill(status=401, body="login first")
        # The type is the server's to find in the bytes; text/plain lets a tab show it.
        route.fulfill(status=200, body=bodies[name], headers={"Content-Type": "text/plain"})

    context.route("**/docs-files/*", handle)


def test_view_pdf_and_xls_from_the_site(tandem, site, browser):
    with docs_pair(browser, tandem, site, "doc-s1") as (visitor, agent):
        serve_site_documents(visitor.context, site)
        visitor.evaluate("GLANCE.Cobrowse.Visitor.viewPDF({url: 'docs-files/terms.pdf'})")
        wait_for_event(visitor, "documentviewed")
        assert doc_events(visitor) == [("documentviewed", {"url": f"{site}/docs-files/terms.pdf"})]
        expect(visitor.locator("#glance_document_name")).to_have_text("terms.pdf")
        expect(visitor.locator("#glance_document_share")).to_be_hidden()  # no preview
        expect(agent.locator("#doc-name")).to_have_text("terms.pdf")
        wait_agent_event(agent, "documentShared", "e.data.sharedBy === 'visitor' && e.data.name === 'terms.pdf'")

        visitor.evaluate("GLANCE.Cobrowse.Visitor.viewXLS({url: 'docs-files/prices.xlsx'})")
        expect(visitor.locator("#glance_document_name")).to_have_text("prices.xlsx")
        expect(agent.locator("#doc-name")).to_have_text("prices.xlsx")
        visitor.evaluate(f"GLANCE.Cobrowse.Visitor.viewXLS('{site}/docs-files/rates.csv')")
        expect(agent.locator("#doc-name")).to_have_text("rates.csv")
        # The agent's `open` and the visitor's are sent apart: wait for the visitor's third.
        visitor.wait_for_function("window.__events.filter(e => e.type === 'documentviewed').length === 3")
        assert [d for t, d in doc_events(visitor)] == [
            {"url": f"{site}/docs-files/terms.pdf"}, {"url": f"{site}/docs-files/prices.xlsx"}, {"url": f"{site}/docs-files/rates.csv"}]
        assert not data_of(visitor, "docsharestatus")


def test_view_pdf_bad_input_and_without_a_session(tandem, site, browser):
    tandem.start()
    context = browser.new_context(viewport={"width": 1100, "height": 760})
    visitor = context.new_page()
    serve_site_documents(context, site)
    visitor.goto(f"{site}/docs-default.html")
    wait_ready(visitor)
    # Without a session the document opens in a new tab.
    with context.expect_page() as tab:
        visitor.evaluate("GLANCE.Cobrowse.Visitor.viewPDF('docs-files/terms.pdf')")
    tab.value.wait_for_load_state()
    assert tab.value.url == f"{site}/docs-files/terms.pdf"
    assert tab.value.evaluate("window.opener === null")
    tab.value.close()
    # sendDocument needs a session.
    visitor.evaluate("GLANCE.Cobrowse.Visitor.sendDocument(new File(['x'], 'a.pdf'))")
    assert data_of(visitor, "documentnotsent") == [{"name": "a.pdf", "reason": "nosession", "size": 1}]

    start_session(visitor, "'doc-s2'")
    for call in ["viewPDF()", "viewPDF({})", "viewPDF('javascript:alert(1)')", "viewXLS({url: 'data:text/csv,a,b'})", "sendDocument('not a file')"]:
        visitor.evaluate(f"GLANCE.Cobrowse.Visitor.{call}")
    errors = data_of(visitor, "error")
    assert [e["code"] for e in errors] == ["invalidparam"] * 5, errors
    assert [e["params"]["field"] for e in errors] == ["url", "url", "url", "url", "file"]
    assert "http" in errors[2]["msg"]
    # A site URL that cannot be read: documentnotsent, nothing opened.
    visitor.evaluate("GLANCE.Cobrowse.Visitor.viewPDF('docs-files/missing.pdf')")
    visitor.wait_for_function("window.__events.filter(e => e.type === 'documentnotsent').length === 2")
    assert data_of(visitor, "documentnotsent")[1] == {"name": "missing.pdf", "reason": "failed", "size": None}
    expect(visitor.locator("#glance_document_notice")).to_contain_text("missing.pdf")
    assert overlay(visitor).count() == 0
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is True
    context.close()


# ---- Refused files ----

def test_refused_files_fire_documentnotsent_and_the_session_goes_on(tandem, site, browser):
    tandem.cli("group", "set", "--id", "1", "--pdf-max-bytes", "1000")
    with docs_pair(browser, tandem, site, "doc-r1", page="docs-custom.html") as (visitor, agent):
        def send(name, data):
            visitor.evaluate("([name, bytes]) => GLANCE.Cobrowse.Visitor.sendDocument(new File([new Uint8Array(bytes)], name))",
                             [name, list(data)])

        send("fake.pdf", PNG)                                               # not a PDF by its bytes
        visitor.wait_for_function("window.__events.filter(e => e.type === 'documentnotsent').length === 1")
        send("macro.xlsm", xlsm_book())                                     # a macro workbook
        visitor.wait_for_function("window.__events.filter(e => e.type === 'documentnotsent').length === 2")
        send("big.pdf", PDF)                                                # over the group's 1000 bytes
        visitor.wait_for_function("window.__events.filter(e => e.type === 'documentnotsent').length === 3")
        # Over the socket's frame limit: refused here, never sent.
        visitor.evaluate("GLANCE.Cobrowse.Visitor.sendDocument(new File([new Uint8Array(17 * 1024 * 1024)], 'huge.pdf'))")
        visitor.wait_for_function("window.__events.filter(e => e.type === 'documentnotsent').length === 4", timeout=20_000)
        assert data_of(visitor, "documentnotsent") == [
            {"name": "fake.pdf", "reason": "type", "size": len(PNG)},
            {"name": "macro.xlsm", "reason": "type", "size": len(xlsm_book())},
            {"name": "big.pdf", "reason": "size", "size": len(PDF)},
            {"name": "huge.pdf", "reason": "size", "size": 17 * 1024 * 1024},
        ]
        assert overlay(visitor).count() == 0
        assert not agent_events(agent, "documentShared")
        # A custom UI gets the events only (no notice of ours).
        assert visitor.locator("#glance_document_notice").count() == 0
        # The session goes on: a good file is shared.
        send("rates.csv", CSV)
        expect(agent.locator("#doc-name")).to_have_text("rates.csv")
        wait_for_event(visitor, "documentviewed")
        assert data_of(visitor, "documentviewed") == [{"name": "rates.csv", "visitorselected": True}]
        assert visitor.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is True


def test_the_default_ui_says_why_a_file_was_refused(tandem, site, browser):
    with docs_pair(browser, tandem, site, "doc-r2") as (visitor, agent):
        visitor_accepts_with_file(visitor, agent, "photo.pdf", PNG)
        wait_for_event(visitor, "documentnotsent")
        assert data_of(visitor, "documentnotsent") == [{"name": "photo.pdf", "reason": "type", "size": len(PNG)}]
        expect(visitor.locator("#glance_document_notice")).to_be_visible()
        assert overlay(visitor).count() == 0


def test_group_settings_refuse_the_visitors_share_and_download(tandem, site, browser):
    tandem.cli("group", "set", "--id", "1", "--visitor-document-share", "false", "--visitor-document-download", "false")
    with docs_pair(browser, tandem, site, "doc-r3", page="docs-custom.html") as (visitor, agent):
        visitor.evaluate("GLANCE.Cobrowse.Visitor.sendDocument(new File([new TextEncoder().encode('a,b\\n1,2\\n')], 'rates.csv'))")
        wait_for_event(visitor, "documentnotsent")
        assert data_of(visitor, "documentnotsent") == [{"name": "rates.csv", "reason": "notallowed", "size": 8}]
        assert overlay(visitor).count() == 0
        # The agent allows a download, the group does not: this visitor gets no Download button.
        agent_shares(agent, "contract.pdf", PDF, download=True)
        wait_for_event(visitor, "documentviewed")
        expect(visitor.locator("#glance_document_close")).to_be_visible()
        expect(visitor.locator("#glance_document_download")).to_be_hidden()
        assert doc_messages(visitor, "open")[-1]["download"] is False
