"""Hostile documents end to end in Chromium, through the real server (issue #17): a PDF carrying
the CVE-2024-4367 font exploit is shown on both sides without running anything (no request, no
title change, no message from its payload; the frame test shows the same file does run script
when both guards are removed); a zip bomb, an XML external entity and text named .pdf are refused
with documentnotsent while the session goes on."""

from playwright.sync_api import expect

from conftest import events, wait_for_event
from doc_fixtures import csv_text, malicious_font_pdf, xxe_xlsx, zip_bomb_xlsx
from test_documents_visitor import agent_shares, data_of, docs_pair, overlay
from test_media import agent_events

PWN_SPY = """(() => {
  window.__pwned = [];
  window.addEventListener('message', (e) => { if (e.data && e.data.pwned) window.__pwned.push(e.data.pwned); });
})();"""


def watch_requests(page, seen):
    page.context.on("request", lambda request: seen.append(request.url))


def viewer_frame(page, timeout=15.0):
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [f for f in page.frames if f.url.endswith("/web/documents/viewer.html")]
        if found:
            return found[0]
        page.wait_for_timeout(100)
    raise AssertionError(f"no viewer frame in {[f.url for f in page.frames]}")


def test_a_pdf_with_a_malicious_font_runs_nothing_on_either_side(tandem, site, browser):
    marker = "tandem17"
    with docs_pair(browser, tandem, site, "doc-cve") as (visitor, agent):
        seen = []
        for page in (visitor, agent):
            page.evaluate(PWN_SPY)
            watch_requests(page, seen)
        agent_shares(agent, "invoice.pdf", malicious_font_pdf(marker))
        expect(overlay(visitor)).to_be_visible(timeout=15_000)
        # Both viewers drew the page (the text is there, as harmless paths or not at all).
        for page in (visitor, agent):
            frame = viewer_frame(page)
            frame.wait_for_selector("canvas.doc-page[data-rendered]", state="attached", timeout=20_000)
        visitor.wait_for_timeout(1500)
        assert not [url for url in seen if "pwned" in url], seen
        for page in (visitor, agent):
            assert page.evaluate("window.__pwned") == []
            for frame in page.frames:
                assert "PWNED" not in frame.evaluate("document.title")
        assert data_of(visitor, "documentviewed") == [{"name": "invoice.pdf", "agentselected": True}]


def test_bombs_entities_and_disguised_files_are_refused_and_the_session_goes_on(tandem, site, browser):
    with docs_pair(browser, tandem, site, "doc-bombs", page="docs-custom.html") as (visitor, agent):
        def send(name, data):
            visitor.evaluate("([name, bytes]) => GLANCE.Cobrowse.Visitor.sendDocument(new File([new Uint8Array(bytes)], name))",
                             [name, list(data)])

        files = [("bomb.xlsx", zip_bomb_xlsx()), ("entity.xlsx", xxe_xlsx()), ("page.pdf", b"<html><script>alert(1)</script></html>")]
        for i, (name, data) in enumerate(files, 1):
            send(name, data)
            visitor.wait_for_function(f"window.__events.filter(e => e.type === 'documentnotsent').length === {i}", timeout=20_000)
        assert data_of(visitor, "documentnotsent") == [{"name": n, "reason": "type", "size": len(d)} for n, d in files]
        assert overlay(visitor).count() == 0
        assert not agent_events(agent, "documentShared")
        assert not agent_events(agent, "startdocsharepreview")
        send("rates.csv", csv_text())
        expect(agent.locator("#doc-name")).to_have_text("rates.csv", timeout=15_000)
        wait_for_event(visitor, "documentviewed")
        assert [e["data"] for e in events(visitor, "documentviewed")] == [{"name": "rates.csv", "visitorselected": True}]
