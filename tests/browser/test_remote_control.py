"""Remote control, gestures, agent navigation, session messages and user state, with a visitor
and an agent in two real browser contexts."""

import signal

from conftest import agent_page, click_mirror, enable_control, events, join, mirror, start_session, wait_for_event
from playwright.sync_api import expect


def gid(visitor, selector):
    return visitor.get_attribute(selector, "data-gid")


def test_consent_then_clicks_typing_and_selects_act_on_the_real_page(tandem, site, visitor, agent):
    tandem.start()
    join(tandem, site, visitor, agent, "rc-1")
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getSessionState('rc')") is None
    # Without control, clicks on the mirror do nothing.
    click_mirror(agent, "#buy")
    visitor.wait_for_timeout(300)
    expect(visitor.locator("#count")).to_have_text("0")

    agent.click("#rc-request")
    expect(visitor.locator("#tandem-rc-prompt")).to_contain_text("Agent One")
    # The consent prompt is the visitor's own: it never shows in the agent's mirror.
    assert mirror(agent).locator("#tandem-rc-prompt").count() == 0
    visitor.click("#tandem-rc-accept")
    agent.wait_for_function("(window.tandemViewerState.rcrequest || {}).response === 'accepted'")
    agent.wait_for_function("(window.tandemViewerState.rc || {}).enabled === true")
    types = [e["type"] for e in events(visitor)]
    assert "rcaccepted" in types and {"type": "rcenabled", "data": {"enabled": True}} in events(visitor)
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getSessionState('rc')") == {"enabled": True}

    # A button, an SVG icon inside a button, a label for a checkbox.
    click_mirror(agent, "#buy")
    expect(visitor.locator("#count")).to_have_text("1")
    clicks = wait_for_event(visitor, "rcevent", predicate="e.data.type === 'click'")
    assert clicks[-1]["data"] == {"type": "click", "agent": {"username": "agent1", "puid": "agent1", "num": 1},
                                  "path": f'[data-gid="{gid(visitor, "#buy")}"]'}
    click_mirror(agent, "#dot")
    expect(visitor.locator("#svg-clicks")).to_have_text("1")
    click_mirror(agent, "#agree-label")
    expect(visitor.locator("#agree")).to_be_checked()
    expect(mirror(agent).locator("#agree")).to_be_checked()

    # Typing into a controlled input updates the page's own state.
    click_mirror(agent, "#controlled")
    agent.keyboard.type("Ada")
    expect(visitor.locator("#greeting")).to_have_text("Hello Ada")
    expect(mirror(agent).locator("#greeting")).to_have_text("Hello Ada")
    typing = [e["data"] for e in events(visitor, "rcevent") if e["data"]["type"] == "agenttyping"]
    assert [t["value"] for t in typing] == ["A", "Ad", "Ada"]
    assert typing[0]["path"] == f'[data-gid="{gid(visitor, "#controlled")}"]'
    # Leaving the field fires inputchange.
    click_mirror(agent, "#buy")
    wait_for_event(visitor, "rcevent", predicate="e.data.type === 'inputchange'")
    change = [e["data"] for e in events(visitor, "rcevent") if e["data"]["type"] == "inputchange"][-1]
    assert change["path"] == typing[0]["path"] and "value" not in change

    # A select: the agent picks from its own list.
    click_mirror(agent, "#size")
    agent.select_option("#rc-select", index=2)
    expect(visitor.locator("#size")).to_have_value("L")

    # A masked field can be neither read nor typed into.
    click_mirror(agent, "#secret")
    agent.keyboard.type("hacked")
    visitor.wait_for_timeout(300)
    assert visitor.input_value("#secret") == "untouched"
    assert not [e for e in events(visitor, "rcevent") if e["data"]["path"] == f'[data-gid="{gid(visitor, "#secret")}"]']

    # The agent gives control back.
    agent.click("#rc-stop")
    wait_for_event(visitor, "rcenabled", predicate="e.data.enabled === false")
    agent.wait_for_function("(window.tandemViewerState.rc || {}).enabled === false")


def test_decline_with_a_custom_ui_and_missing_privilege(tandem, site, visitor, agent, browser):
    tandem.cli("agent", "add", "--username", "viewer-only", "--password", "viewer-only-pass", "--group", "1", "--privileges", "view")
    tandem.start()
    join(tandem, site, visitor, agent, "rc-2", page="rc-custom.html")
    agent.click("#rc-request")
    agent.wait_for_function("(window.tandemViewerState.rcrequest || {}).response === 'declined'")
    wait_for_event(visitor, "rcdeclined")
    assert visitor.evaluate("window.__asked") == 1
    assert visitor.locator("#tandem-rc-prompt").count() == 0, "a custom UI replaces the default prompt"

    limited = agent_page(browser, tandem, username="viewer-only", password="viewer-only-pass")
    limited.goto(f"{tandem.base}/agentjoin?SessionKey=rc-2")
    expect(mirror(limited).locator("#title")).to_be_visible()
    limited.click("#rc-request")
    limited.wait_for_function("(window.tandemViewerState.accessdenied || {}).rcrequested === true")
    visitor.wait_for_timeout(300)
    assert visitor.evaluate("window.__asked") == 1, "the visitor is never asked for an agent without the privilege"
    limited.context.close()


def test_visitor_activity_suspends_control(tandem, site, visitor, agent):
    tandem.start()
    # Suspended for 3 s after the visitor's last action: long enough for the agent's click to
    # arrive within it on a slow machine.
    join(tandem, site, visitor, agent, "rc-3", page="rc.html?rcsuspend=3000")
    enable_control(visitor, agent)
    visitor.click("#title")
    agent.wait_for_function("(window.tandemViewerState.rc || {}).suspended === true")
    expect(agent.locator("#rc-status")).to_contain_text("visitor is active")
    # While suspended, agent clicks do nothing.
    click_mirror(agent, "#buy")
    agent.wait_for_function("(window.tandemViewerState.rc || {}).suspended === false", timeout=10_000)
    expect(visitor.locator("#count")).to_have_text("0")
    click_mirror(agent, "#buy")
    expect(visitor.locator("#count")).to_have_text("1")


def test_agent_navigation_same_site_only_and_control_survives_pages(tandem, site, visitor, agent):
    tandem.start()
    join(tandem, site, visitor, agent, "rc-4")
    enable_control(visitor, agent)
    agent.fill("#nav-url", "http://example.invalid/steal")
    agent.click("#nav-go")
    visitor.wait_for_timeout(400)
    assert visitor.url.endswith("/rc.html")
    agent.fill("#nav-url", f"{site}/rc2.html")
    agent.click("#nav-go")
    visitor.wait_for_url("**/rc2.html")
    expect(mirror(agent).locator("#title")).to_have_text("Second remote page")
    log = visitor.evaluate("JSON.parse(sessionStorage.getItem('__events'))")
    assert {"type": "navigation", "data": {"url": f"{site}/rc2.html"}} in log
    # Control stays on across the page load, and the new page says so.
    wait_for_event(visitor, "rcenabled", predicate="e.data.enabled === true")
    agent.click("#nav-back")
    visitor.wait_for_url("**/rc.html")
    expect(mirror(agent).locator("#title")).to_have_text("Remote control page")


def test_gesture_lands_on_the_content_after_scrolling(tandem, site, visitor, agent):
    tandem.start()
    join(tandem, site, visitor, agent, "rc-5")
    visitor.evaluate("window.scrollTo(0, 800)")
    agent.wait_for_function("document.getElementById('mirror').contentWindow.scrollY === 800")
    agent.click("#tool-highlight")
    overlay = agent.locator("#overlay").bounding_box()
    scale = float(agent.get_attribute("#screen", "data-scale"))
    agent.mouse.click(overlay["x"] + 100 * scale, overlay["y"] + 120 * scale)
    wait_for_event(visitor, "outline")
    circle = visitor.locator("svg.tandem-gesture circle")
    expect(circle).to_have_count(1)
    assert abs(float(circle.get_attribute("cx")) - 100) <= 2
    assert abs(float(circle.get_attribute("cy")) - 920) <= 2
    # It sits at that spot of the document: on screen it is 120 px down now, 920 after scrolling back.
    box = circle.bounding_box()
    assert abs(box["y"] + box["height"] / 2 - 120) <= 3
    assert mirror(agent).locator("svg.tandem-gesture").count() == 0, "the overlay is not mirrored back"
    # The agent draws a freehand outline too.
    agent.click("#tool-draw")
    agent.mouse.move(overlay["x"] + 50 * scale, overlay["y"] + 50 * scale)
    agent.mouse.down()
    agent.mouse.move(overlay["x"] + 150 * scale, overlay["y"] + 80 * scale, steps=5)
    agent.mouse.up()
    expect(visitor.locator("svg.tandem-gesture polyline")).to_have_count(1)


def test_messages_user_state_and_cookie_values(tandem, site, visitor, browser):
    tandem.start()
    visitor.goto(f"{site}/rc.html")
    start_session(visitor, "'msg-1'")
    console = agent_page(browser, tandem)
    console.goto(f"{tandem.base}/agent/")
    console.fill("#join-key", "msg-1")
    console.click("#join")
    expect(console.frame_locator("#viewer").frame_locator("#mirror").locator("#title")).to_be_visible()

    # Agent → visitor.
    visitor.evaluate("window.__msgs = []; GLANCE.Cobrowse.Visitor.addSessionMessageListener('chat', (n, m) => window.__msgs.push([n, m]))")
    console.evaluate("GLANCE.Cobrowse.Agent.sendSessionMessage('chat', {text: 'hello visitor', n: 1})")
    visitor.wait_for_function("window.__msgs.length === 1")
    assert visitor.evaluate("window.__msgs") == [["chat", {"text": "hello visitor", "n": 1}]]
    # Visitor → agent.
    console.evaluate("window.__got = []; GLANCE.Cobrowse.Agent.addSessionMessageListener('reply', (n, m) => window.__got.push([n, m]))")
    visitor.evaluate("GLANCE.Cobrowse.Visitor.sendSessionMessage('reply', ['ok', 2])")
    console.wait_for_function("window.__got.length === 1")
    assert console.evaluate("window.__got") == [["reply", ["ok", 2]]]
    # Too large: a documented error, nothing sent.
    visitor.evaluate("GLANCE.Cobrowse.Visitor.sendSessionMessage('reply', 'x'.repeat(70000))")
    assert wait_for_event(visitor, "error")[-1]["data"]["code"] == "invalidparam"

    # User state reaches the agent, survives navigation and a server restart.
    visitor.evaluate("GLANCE.Cobrowse.Visitor.setUserState('cart', {items: 2, total: 19.5})")
    console.wait_for_function("JSON.stringify(GLANCE.Cobrowse.Agent.getUserState('cart')) === JSON.stringify({items: 2, total: 19.5})")
    expect(console.locator("#console-log li[data-event=userstate]").first).to_contain_text("items")
    visitor.evaluate("GLANCE.Cobrowse.Visitor.setCookieValue('panel', 'open')")
    visitor.click("#next")
    visitor.wait_for_url("**/rc2.html")
    wait_for_event(visitor, "statereceived")
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getUserState('cart')") == {"items": 2, "total": 19.5}
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getCookieValue('panel')") == "open"
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getSessionState('agents')")["count"] == 1
    tandem.stop(signal.SIGKILL)
    tandem.start()
    wait_for_event(visitor, "connection", predicate="e.data.status === 'ok'", timeout=20_000)
    visitor.goto(f"{site}/rc.html")
    wait_for_event(visitor, "statereceived")
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getUserState('cart')") == {"items": 2, "total": 19.5}
    console.context.close()
