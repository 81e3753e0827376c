"""Presence in real browsers: a visitor browsing with GLANCE.Presence.Visitor, an agent's CRM page
(another origin) with GLANCE.Presence.Agent: lookup, presence updates, signals live and within the
5-second window across a navigation (not after it), invoke of a GLANCE function that starts a
session the agent joins, refused invokes, token and origin refusals, visibility and terms events,
visitorconn versus visitorsock across a navigation, and the console's live list."""

import json
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from conftest import agent_page, wait_for_event
from playwright.sync_api import expect


def crm_origin(site):
    return site.replace("127.0.0.1", "localhost")


@pytest.fixture
def crm(tandem, site, browser):
    """The agent's CRM page on an allowed agent origin, with a presence token set."""
    tandem.cli("group", "set", "--id", "1", "--presence-origin", crm_origin(site))
    tandem.start()
    page = browser.new_context().new_page()
    page.goto(f"{crm_origin(site)}/presence-agent.html")
    page.evaluate("(t) => GLANCE.Presence.Agent.setAuthorizationToken(t)", tandem.token(groupid=1))
    yield page
    page.context.close()


def agent_events(page, type_=None):
    return [e for e in page.evaluate("window.__agent") if type_ is None or e["type"] == type_]


def wait_agent_event(page, type_, predicate="true", timeout=10_000):
    page.wait_for_function(f"window.__agent.some(e => e.type === {json.dumps(type_)} && ((e) => {predicate})(e))", timeout=timeout)
    return agent_events(page, type_)


def presence_events(page, type_):
    return [e for e in page.evaluate("window.__presence || []") if e["type"] == type_]


def open_visitor(visitor, site, vid="visitor-1"):
    visitor.goto(f"{site}/presence.html?vid={vid}")
    visitor.wait_for_function("(window.__presence || []).some(e => e.type === 'connected')")


def test_lookup_presence_updates_and_live_signal(tandem, site, visitor, crm):
    assert crm.evaluate("call('nobody', 'lookupVisitor')") == {"ok": False, "reason": "visitornotpresent"}
    open_visitor(visitor, site)
    found = crm.evaluate("call('visitor-1', 'lookupVisitor')")
    assert found["ok"], found
    info = found["info"]
    assert info["visitorpresent"] is True and info["socket"] is True and info["visitorid"] == "visitor-1"
    assert info["data"]["cart"] == 2 and info["data"]["tier"] == "gold"
    assert info["data"]["url"].startswith(f"{site}/presence.html") and info["data"]["browser"] == "Chrome"

    crm.evaluate("window.watch('visitor-1')")
    wait_agent_event(crm, "visitorconn", "e.data.connected === true")
    visitor.evaluate("pv.presence({data: {cart: 3}})")
    update = wait_agent_event(crm, "presence")[-1]["data"]
    assert update == {"cart": 3}, "the agent gets the data just sent"
    assert crm.evaluate("call('visitor-1', 'lookupVisitor')")["info"]["data"]["tier"] == "gold", "later calls merge"

    assert crm.evaluate("call('visitor-1', 'signalVisitor', {data: {hello: 'there'}})")["ok"]
    visitor.wait_for_function("window.__presence.some(e => e.type === 'signal')")
    assert presence_events(visitor, "signal")[0]["data"] == {"hello": "there"}


def test_signal_within_five_seconds_of_a_navigation_and_not_after(tandem, site, visitor, crm):
    open_visitor(visitor, site)
    crm.evaluate("window.watch('visitor-1')")
    wait_agent_event(crm, "visitorconn", "e.data.connected === true")
    # Between two pages: the socket is closed (the server has seen it: a signal now is kept, not
    # sent down the closing socket), the visitor still counts as connected.
    visitor.evaluate("pv.disconnect()")
    wait_agent_event(crm, "visitorsock", "e.data.connected === false")
    queued = crm.evaluate("call('visitor-1', 'signalVisitor', {data: 'welcome back'})")
    assert queued["ok"], queued
    visitor.goto(f"{site}/presence.html?vid=visitor-1&page=2")
    visitor.wait_for_function("(window.__presence || []).some(e => e.type === 'signal')")
    assert presence_events(visitor, "signal")[0]["data"] == "welcome back"

    # Gone for longer than the window: the agent hears that the visitor is not present.
    visitor.evaluate("pv.disconnect()")
    time.sleep(6.5)
    assert crm.evaluate("call('visitor-1', 'signalVisitor', {data: 'too late'})") == {"ok": False, "reason": "visitornotpresent"}
    assert crm.evaluate("call('visitor-1', 'lookupVisitor')") == {"ok": False, "reason": "visitornotpresent"}


def test_invoke_starts_a_session_the_agent_joins_and_non_glance_is_refused(tandem, site, visitor, crm, browser):
    open_visitor(visitor, site)
    refused = crm.evaluate("call('visitor-1', 'invokeVisitor', {func: 'alert', args: 'hi'})")
    assert refused["ok"] is False
    # Straight to the server, bypassing the agent script's own check.
    request = urllib.request.Request(
        f"{tandem.base}/api/v1/presence/signal?groupid=1&visitorid=visitor-1", method="POST",
        data=json.dumps({"mtype": "invoke", "data": {"func": "window.alert", "args": None}}).encode(),
        headers={"Authorization": f"Bearer {tandem.token(groupid=1)}", "Content-Type": "application/json"})
    with pytest.raises(urllib.error.HTTPError) as refusal:
        urllib.request.urlopen(request)
    assert refusal.value.code == 400 and "GLANCE" in json.loads(refusal.value.read())["error"]["message"]

    crm.evaluate("window.watch('visitor-1')")
    started = crm.evaluate(
        "call('visitor-1', 'invokeVisitor', {func: 'GLANCE.Cobrowse.Visitor.startSession', args: {sessionKey: 'pres-1'}})")
    assert started["ok"], started
    wait_for_event(visitor, "sessionstart")
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getKey()") == "pres-1"
    wait_agent_event(crm, "visitorsessionstart")
    viewer = agent_page(browser, tandem)
    viewer.goto(f"{tandem.base}/agentjoin?SessionKey=pres-1")
    expect(viewer.frame_locator("#mirror").locator("#title")).to_have_text("Browsing with presence")
    viewer.context.close()
    visitor.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")
    wait_agent_event(crm, "visitorsessionend")


def test_tokens_and_origins_are_checked(tandem, site, visitor, browser):
    tandem.cli("group", "add", "--name", "Other", "--id", "2")
    tandem.cli("agent", "add", "--username", "other", "--password", "other-password", "--group", "2")
    tandem.cli("group", "set", "--id", "1", "--presence-origin", crm_origin(site))
    tandem.start()
    open_visitor(visitor, site)
    crm = browser.new_context().new_page()
    crm.goto(f"{crm_origin(site)}/presence-agent.html")
    lookup = "call('visitor-1', 'lookupVisitor')"
    assert crm.evaluate(lookup) == {"ok": False, "reason": "authorization"}, "no token"
    for token in ("not-a-token", tandem.token("other", "other-password", groupid=2), tandem.token(groupid=1)[:-3] + "abc"):
        crm.evaluate("(t) => GLANCE.Presence.Agent.setAuthorizationToken(t)", token)
        assert crm.evaluate(lookup) == {"ok": False, "reason": "authorization"}, token[:20]
    crm.evaluate("(t) => GLANCE.Presence.Agent.setAuthorizationToken(t)", tandem.token(groupid=1))
    assert crm.evaluate(lookup)["ok"] is True
    # The events socket refuses the same way.
    crm.evaluate("GLANCE.Presence.Agent.setAuthorizationToken('not-a-token'); window.watch('visitor-1')")
    assert wait_agent_event(crm, "error")[0]["data"] == {"error": "connfail", "detail": "authorization"}

    # A page on an origin the group does not allow, with a good token.
    stranger = browser.new_context().new_page()
    stranger.goto(f"{site}/presence-agent.html")  # 127.0.0.1 is the visitor's site, not an agent origin
    stranger.evaluate("(t) => GLANCE.Presence.Agent.setAuthorizationToken(t)", tandem.token(groupid=1))
    assert stranger.evaluate(lookup) == {"ok": False, "reason": "authorization"}
    stranger.evaluate("window.watch('visitor-1')")
    assert wait_agent_event(stranger, "error")[0]["data"]["detail"] == "authorization"
    crm.context.close()
    stranger.context.close()


def test_visibility_terms_and_connection_events_across_a_navigation(tandem, site, visitor, crm):
    open_visitor(visitor, site)
    crm.evaluate("window.watch('visitor-1')")
    wait_agent_event(crm, "visitorconn", "e.data.connected === true")

    visitor.evaluate("""Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'});
                        document.dispatchEvent(new Event('visibilitychange'))""")
    assert wait_agent_event(crm, "visibility")[0]["data"] == {"visibility": "hidden"}

    visitor.evaluate("GLANCE.Cobrowse.VisitorUI.showTerms({sessionKey: 'terms-p'})")
    wait_agent_event(crm, "terms", "e.data.status === 'displayed'")
    visitor.click("#tandem-terms-accept")
    wait_agent_event(crm, "terms", "e.data.status === 'accepted'")
    wait_agent_event(crm, "visitorsessionstart")
    visitor.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")

    # A navigation: the socket closes and reopens, the visitor stays connected.
    crm.evaluate("window.__agent = []")
    visitor.click("#next")
    visitor.wait_for_url("**page=2")
    visitor.wait_for_function("(window.__presence || []).some(e => e.type === 'connected')")
    wait_agent_event(crm, "visitorsock", "e.data.connected === true")
    socks = [e["data"]["connected"] for e in agent_events(crm, "visitorsock")]
    assert socks == [False, True], socks
    assert [e["data"]["connected"] for e in agent_events(crm, "visitorsocket")] == socks, "also fired as visitorsocket"
    assert not agent_events(crm, "visitorconn"), "no visitorconn during a navigation"

    # Leaving the site: after the grace period the visitor is gone.
    visitor.goto("about:blank")
    wait_agent_event(crm, "visitorconn", "e.data.connected === false", timeout=15_000)


def test_console_lists_visitors_live_and_offers_a_session(tandem, site, visitor, browser):
    tandem.start()
    console = agent_page(browser, tandem)
    console.goto(f"{tandem.base}/agent/")
    expect(console.locator("#presence-empty")).to_be_visible()
    open_visitor(visitor, site, vid="shopper-7")
    row = console.locator("#presence-list tr[data-visitorid='shopper-7']")
    expect(row).to_contain_text("Presence page")
    expect(row).to_contain_text("tier: gold")
    visitor.evaluate("pv.presence({data: {cart: 5}})")
    expect(row).to_contain_text("cart: 5")
    row.locator(".presence-offer").click()
    expect(visitor.locator("#tandem-terms-prompt")).to_be_visible()
    visitor.click("#tandem-terms-accept")
    wait_for_event(visitor, "sessionstart")
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getKey()") == "shopper-7"
    viewer = console.frame_locator("#viewer")
    expect(viewer.frame_locator("#mirror").locator("#title")).to_have_text("Browsing with presence")
    console.context.close()


def test_a_server_shutdown_closes_presence_sockets_with_going_away(tandem, site, visitor):
    """Visitor presence sockets are served without a Hummingbird task: the server still closes
    them with 1001 when it shuts down, so pages reconnect."""
    tandem.start()
    visitor.goto(f"{site}/page1.html")
    visitor.evaluate(
        """([url]) => new Promise((resolve) => {
            const ws = new WebSocket(url);
            window.__presenceClose = null;
            ws.onmessage = (e) => { if (JSON.parse(e.data).t === 'connected') resolve(); };
            ws.onclose = (e) => { window.__presenceClose = [e.code, e.reason]; };
        })""",
        [tandem.base.replace("http", "ws") + "/ws/presence/visitor?groupid=1&visitorid=shutdown-1"],
    )
    tandem.stop(signal.SIGTERM)
    visitor.wait_for_function("window.__presenceClose !== null")
    assert visitor.evaluate("window.__presenceClose") == [1001, "server shutting down"]


def test_a_connection_that_sends_nothing_does_not_hold_up_shutdown(tandem):
    """Every connection's first bytes are read to find presence sockets; one that sends nothing
    (a browser's preconnect) is closed at shutdown instead of keeping the server up."""
    tandem.start()
    port = int(tandem.base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)):
        time.sleep(0.3)
        proc = tandem.proc
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pytest.fail("the server was still running 5 s after SIGTERM")
        assert time.monotonic() - started < 5
    tandem.proc = None


def test_several_tabs_of_one_visitor_are_one_presence(tandem, site, visitor, crm):
    open_visitor(visitor, site, vid="tabs-9")
    crm.evaluate("window.watch('tabs-9')")
    wait_agent_event(crm, "visitorconn", "e.data.connected === true")
    second = visitor.context.new_page()
    second.goto(f"{site}/presence.html?vid=tabs-9&page=2")
    second.wait_for_function("(window.__presence || []).some(e => e.type === 'connected')")
    second.evaluate("pv.presence({data: {cart: 7}})")
    wait_agent_event(crm, "presence", "e.data.cart === 7")
    info = crm.evaluate("call('tabs-9', 'lookupVisitor')")["info"]
    assert "page=2" in info["data"]["url"] and info["data"]["cart"] == 7, info

    # The second tab closes: the first is still open, so the socket is still connected, and the
    # visitor's data is the open tab's again (not the closed tab's URL).
    crm.evaluate("window.__agent = []")
    second.close()
    update = wait_agent_event(crm, "presence")[-1]["data"]
    assert "page=2" not in update["url"] and update["cart"] == 2, update
    time.sleep(1)
    assert not agent_events(crm, "visitorsock"), agent_events(crm, "visitorsock")
    info = crm.evaluate("call('tabs-9', 'lookupVisitor')")["info"]
    assert info["socket"] is True and "page=2" not in info["data"]["url"], info

    # The last tab closes: now the socket is gone (and after the grace, the visitor).
    visitor.goto("about:blank")
    wait_agent_event(crm, "visitorsock", "e.data.connected === false")
    assert [e["data"]["connected"] for e in agent_events(crm, "visitorsock")] == [False]
    wait_agent_event(crm, "visitorconn", "e.data.connected === false", timeout=15_000)
