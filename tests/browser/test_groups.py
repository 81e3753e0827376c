"""Multiple groups (seed 004): a session starts and continues only in the page's primary or
additional groups; agents of that group watch it."""

from conftest import agent_page, events, start_session, wait_for_event, wait_ready
from playwright.sync_api import expect


def test_additional_groups_on_start_and_on_every_page(tandem, site, visitor, browser):
    tandem.cli("group", "add", "--name", "Sales", "--id", "2")
    tandem.cli("agent", "add", "--username", "sales", "--password", "sales-agent-pass", "--group", "2")
    tandem.start()
    visitor.goto(f"{site}/groups.html")
    wait_ready(visitor)
    visitor.evaluate("GLANCE.Cobrowse.Visitor.startSession({groupid: 3, sessionKey: 'g-1'})")
    error = wait_for_event(visitor, "error")[-1]["data"]
    assert error["code"] == "groupnotallowed" and error["params"] == {"groupid": 3}
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is False

    start_session(visitor, "{groupid: 2, sessionKey: 'g-1'}")
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.sessionGroupId()") == 2
    sales = agent_page(browser, tandem, username="sales", password="sales-agent-pass")
    sales.goto(f"{tandem.base}/agentjoin?SessionKey=g-1")
    expect(sales.frame_locator("#mirror").locator("#title")).to_have_text("Page for groups 1 and 2")

    # A page tagged for group 1 only: the group-2 session does not continue there.
    visitor.click("#other")
    visitor.wait_for_url("**/page1.html")
    error = wait_for_event(visitor, "error")[-1]["data"]
    assert error["code"] == "groupnotallowed"
    assert not events(visitor, "sessioncontinue")
    expect(sales.locator("#status")).to_contain_text("Visitor reconnecting")
    # Back on a page that allows group 2 (plural attribute spelling): it goes on.
    visitor.goto(f"{site}/groups-plural.html")
    wait_for_event(visitor, "statereceived")
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.sessionGroupId()") == 2
    expect(sales.frame_locator("#mirror").locator("#title")).to_have_text("Page for groups 1, 3 and 2")
    sales.context.close()
