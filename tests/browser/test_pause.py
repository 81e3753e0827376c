"""pauseSession: nothing of the page leaves while paused; agents see the frozen view under the
message (HTML rendered without script); late agents see the pause; unpausing sends the page."""

from conftest import agent_page, events, start_session, wait_for_event
from playwright.sync_api import expect

MESSAGE = "<b>Paused</b> for privacy<script>window.parent.pwned = 1</script><img src=x onerror=\"window.parent.pwned = 2\">"


def test_pause_freezes_covers_and_resumes(tandem, site, visitor, agent, browser):
    tandem.start()
    visitor.goto(f"{site}/pause.html")
    start_session(visitor, "'pause-1'")
    agent.goto(f"{tandem.base}/agentjoin?SessionKey=pause-1")
    mirror = agent.frame_locator("#mirror")
    expect(mirror.locator("#title")).to_have_text("PAUSE-PAGE-VISIBLE-OK")

    visitor.evaluate(f"GLANCE.Cobrowse.Visitor.pauseSession({{pause: true, message: {MESSAGE!r}}})")
    assert wait_for_event(visitor, "sessionpaused")[-1]["data"] == {"paused": True}
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.isSessionPaused()") is True
    expect(agent.locator("#cover b")).to_have_text("Paused")
    expect(agent.locator("#cover")).to_contain_text("for privacy")
    assert agent.locator("#cover script, #cover img").count() == 0
    agent.wait_for_function("(window.tandemViewerState.sessionpaused || {}).paused === true")
    assert "Paused" in agent.evaluate("window.tandemViewerState.sessionpaused.message")
    assert agent.evaluate("window.pwned === undefined")

    before = len(tandem.captured())
    visitor.fill("#field", "TYPED-WHILE-PAUSED-SECRET-K1")
    visitor.evaluate("document.getElementById('log').textContent = 'SCRIPT-WHILE-PAUSED-SECRET-K2'")
    visitor.mouse.move(50, 50)
    visitor.wait_for_timeout(400)
    sent_while_paused = tandem.captured()[before:]
    assert b"SECRET" not in sent_while_paused
    assert b"B " not in sent_while_paused, "no page frame at all while paused"

    # An agent joining now sees the pause too.
    tandem.cli("agent", "add", "--username", "late", "--password", "late-agent-pass", "--group", "1")
    late = agent_page(browser, tandem, username="late", password="late-agent-pass")
    late.goto(f"{tandem.base}/agentjoin?SessionKey=pause-1")
    expect(late.locator("#cover b")).to_have_text("Paused")
    late.context.close()

    visitor.evaluate("GLANCE.Cobrowse.Visitor.pauseSession({pause: false})")
    assert events(visitor, "sessionpaused")[-1]["data"] == {"paused": False}
    expect(agent.locator("#cover")).to_be_hidden()
    # Unpausing sends a full update with what changed meanwhile.
    expect(mirror.locator("#field")).to_have_value("TYPED-WHILE-PAUSED-SECRET-K1")
    expect(mirror.locator("#log")).to_have_text("SCRIPT-WHILE-PAUSED-SECRET-K2")


def test_pause_is_per_page_and_startpaused_uploads_nothing(tandem, site, visitor, agent):
    tandem.start()
    visitor.goto(f"{site}/pause.html")
    start_session(visitor, "'pause-2'")
    visitor.evaluate("GLANCE.Cobrowse.Visitor.pauseSession({pause: true})")
    agent.goto(f"{tandem.base}/agentjoin?SessionKey=pause-2")
    expect(agent.locator("#cover")).to_contain_text("paused")
    # A page tagged data-startpaused="1" is paused before anything is uploaded.
    visitor.goto(f"{site}/startpaused.html")
    wait_for_event(visitor, "statereceived")
    visitor.wait_for_timeout(400)
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.isSessionPaused()") is True
    assert b"STARTPAUSED-SECRET-J1" not in tandem.captured()
    expect(agent.locator("#cover")).to_be_visible()
    # The next page without the attribute is not paused.
    visitor.goto(f"{site}/page2.html")
    wait_for_event(visitor, "statereceived")
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.isSessionPaused()") is False
    expect(agent.frame_locator("#mirror").locator("#title")).to_have_text("Welcome to page two")
    expect(agent.locator("#cover")).to_be_hidden()
