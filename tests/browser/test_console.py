"""The agent console: sign in with the form, join by key, watch; and group membership."""

from conftest import AGENT_PASSWORD, AGENT_USER, agent_page, start_session, wait_for_event
from playwright.sync_api import expect


def test_sign_in_and_join_from_the_console(tandem, site, visitor, browser):
    tandem.start()
    visitor.goto(f"{site}/page1.html")
    start_session(visitor, "'console-1'")

    page = browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=True).new_page()
    page.goto(f"{tandem.base}/agent/")
    assert "/agent/login" in page.url
    page.fill("#username", AGENT_USER)
    page.fill("#password", "wrong password")
    page.click("button[type=submit]")
    expect(page.locator("#login-error")).to_be_visible()
    page.fill("#username", AGENT_USER)
    page.fill("#password", AGENT_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{tandem.base}/agent/")
    expect(page.locator("#me")).to_contain_text("Agent One")
    cookie = [c for c in page.context.cookies() if c["name"] == "tandem_agent"][0]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"

    page.fill("#join-key", "console-1")
    page.click("#join")
    viewer = page.frame_locator("#viewer")
    expect(viewer.frame_locator("#mirror").locator("#title")).to_have_text("Hello from page one")
    # GLANCE.Cobrowse.Agent in the console received the viewer's events.
    expect(page.locator("#console-log li[data-event=agents]").first).to_contain_text('"count":1')
    expect(page.locator("#console-log li[data-event=navigate]").first).to_contain_text("page1.html")
    wait_for_event(visitor, "agents", predicate="e.data.count === 1")
    page.evaluate("GLANCE.Cobrowse.Agent.endSession()")
    assert wait_for_event(visitor, "sessionend")[-1]["data"] == {"reason": "agent"}
    expect(page.locator("#console-log li[data-event=sessionend]").first).to_contain_text("AgentLeft")
    page.context.close()


def test_agent_of_another_group_cannot_join(tandem, site, visitor, browser):
    tandem.cli("group", "add", "--name", "Other", "--id", "2")
    tandem.cli("agent", "add", "--username", "outsider", "--password", "outsider-pass", "--group", "2")
    tandem.start()
    visitor.goto(f"{site}/page1.html")
    start_session(visitor, "'group-1-only'")
    outsider = agent_page(browser, tandem, username="outsider", password="outsider-pass")
    outsider.goto(f"{tandem.base}/agentjoin?SessionKey=group-1-only")
    outsider.wait_for_function("(window.tandemViewerState.sessionend || {}).reason === 'AuthError'")
    expect(outsider.locator("#notice")).to_contain_text("not a member")
    outsider.context.close()
