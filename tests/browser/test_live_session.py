"""A real live session end to end: a page starts a session, an agent joins by key and follows
typing, script DOM changes, scrolling and navigation; the session ends with the right reasons."""

import re

import pytest

from conftest import events, mirror, start_session, wait_for_event
from playwright.sync_api import expect


def viewer_state(agent, name):
    return agent.evaluate(f"(window.tandemViewerState || {{}})[{name!r}] ?? null")


def test_events_in_documented_order_and_agent_follows_the_page(tandem, site, visitor, agent):
    tandem.start()
    visitor.goto(f"{site}/page1.html")
    start_session(visitor, "'live-1'")
    types = [e["type"] for e in events(visitor)]
    assert types[:5] == ["sessionstarting", "sessionstart", "sessioncontinue", "agents", "statereceived"], types
    assert events(visitor, "agents")[0]["data"] == {"count": 0, "agentlist": []}
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is True
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getKey()") == "live-1"
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.isRandomKey()") is False
    assert isinstance(visitor.evaluate("GLANCE.Cobrowse.Visitor.getCallId()"), int)
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.readyState") == "statereceived"
    # Every element carries the documented data-gid during the session (written just after the
    # page message is sent).
    visitor.wait_for_function("document.querySelectorAll('body *:not([data-gid]):not([data-tandem-ignore]):not([data-tandem-ignore] *)').length === 0")
    gid = visitor.get_attribute("#title", "data-gid")
    assert gid and gid.isdigit()
    assert visitor.evaluate(f"document.querySelector('[data-gid=\"{gid}\"]').id") == "title"

    agent.goto(f"{tandem.base}/agentjoin?SessionKey=live-1")
    expect(mirror(agent).locator("#title")).to_have_text("Hello from page one")
    # The visitor learns who joined.
    joined = wait_for_event(visitor, "agents", predicate="e.data.count === 1")[-1]["data"]
    assert joined["agentlist"][0]["username"] == "agent1"
    assert joined["agentlist"][0]["role"] == "agent" and joined["agentlist"][0]["num"] == 1
    # Styles arrive: the linked sheet's rule colours the heading.
    expect(mirror(agent).locator("h1")).to_have_css("color", "rgb(200, 0, 0)")
    # Images load on the agent side from absolute URLs.
    expect(mirror(agent).locator("#logo")).to_have_attribute("src", re.compile(r"^http://127\.0\.0\.1:\d+/img/dot\.svg$"))
    assert mirror(agent).locator("script").count() == 0 or all(
        t == "text/tandem-inert" for t in mirror(agent).locator("script").evaluate_all("els => els.map(e => e.type)")
    )

    # Typing and form state.
    visitor.fill("#name", "Ada Lovelace")
    visitor.fill("#notes", "two\nlines")
    visitor.select_option("#size", "L")
    visitor.check("#agree")
    expect(mirror(agent).locator("#name")).to_have_value("Ada Lovelace")
    expect(mirror(agent).locator("#notes")).to_have_value("two\nlines")
    expect(mirror(agent).locator("#size")).to_have_value("L")
    expect(mirror(agent).locator("#agree")).to_be_checked()
    # A value set by a script (no input event) arrives too.
    visitor.evaluate("document.getElementById('name').value = 'set by script'")
    expect(mirror(agent).locator("#name")).to_have_value("set by script")

    # DOM changes made by the page's own scripts.
    visitor.click("#add")
    visitor.click("#remove")
    expect(mirror(agent).locator("#items li")).to_have_text(["second", "added by script"])
    expect(mirror(agent).locator("#items li.dynamic")).to_have_css("color", "rgb(0, 128, 0)")
    visitor.evaluate("document.getElementById('title').textContent = 'Title changed'")
    visitor.evaluate("document.getElementById('title').setAttribute('data-state', 'changed')")
    expect(mirror(agent).locator("#title")).to_have_text("Title changed")
    expect(mirror(agent).locator("#title")).to_have_attribute("data-state", "changed")
    # CSSOM rule insertion (CSS-in-JS).
    visitor.evaluate("document.styleSheets[1].insertRule('.lead { color: rgb(1, 2, 3); }', 0)")
    expect(mirror(agent).locator(".lead")).to_have_css("color", "rgb(1, 2, 3)")

    # Window and element scrolling.
    visitor.evaluate("window.scrollTo(0, 1500)")
    agent.wait_for_function("document.getElementById('mirror').contentWindow.scrollY === 1500")
    visitor.evaluate("document.getElementById('box').scrollTop = 300")
    agent.wait_for_function(
        "document.getElementById('mirror').contentDocument.getElementById('box').scrollTop === 300"
    )
    # Viewport size.
    visitor.set_viewport_size({"width": 900, "height": 650})
    agent.wait_for_function("document.getElementById('mirror').style.width === '900px'")
    # The visitor's pointer.
    visitor.mouse.move(120, 80)
    # (Earlier clicks moved the pointer already: wait for this position, not for it to show.)
    agent.wait_for_function(
        "(p => !p.hidden && p.style.transform.includes('translate(120px, 80px)'))(document.getElementById('pointer'))"
    )

    # Navigation to another page of the site: the session continues, the agent follows.
    visitor.click("#next")
    visitor.wait_for_url("**/page2.html")
    wait_for_event(visitor, "statereceived")
    types = [e["type"] for e in events(visitor)]
    assert "sessionstart" not in types and types[:3] == ["sessioncontinue", "agents", "statereceived"], types
    assert events(visitor, "agents")[0]["data"]["count"] == 1
    expect(mirror(agent).locator("#title")).to_have_text("Welcome to page two")
    agent.wait_for_function("(window.tandemViewerState.navigate || {}).url?.endsWith('/page2.html')")

    # The visitor ends the session.
    visitor.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")
    ended = wait_for_event(visitor, "sessionend")
    assert ended[-1]["data"] == {"reason": "visitor"}
    assert [e["type"] for e in events(visitor)][-2:] == ["leavesession", "sessionend"]
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is False
    agent.wait_for_function("(window.tandemViewerState.sessionend || {}).reason === 'VisitorLeft'")
    expect(agent.locator("#notice")).to_contain_text("VisitorLeft")
    # The session cookie is gone: a reload does not continue anything.
    visitor.reload()
    visitor.wait_for_timeout(500)
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is False


@pytest.mark.parametrize("button", ["#end", "#leave"])
def test_agent_ending_or_last_agent_leaving_ends_the_session(tandem, site, visitor, agent, button):
    tandem.start()
    visitor.goto(f"{site}/page1.html")
    start_session(visitor, "'end-by-agent'")
    agent.goto(f"{tandem.base}/agentjoin?VisitorId=end-by-agent")
    expect(mirror(agent).locator("#title")).to_have_text("Hello from page one")
    agent.click(button)
    assert wait_for_event(visitor, "sessionend")[-1]["data"] == {"reason": "agent"}
    agent.wait_for_function("(window.tandemViewerState.sessionend || {}).reason === 'AgentLeft'")


def test_random_key_and_wait_for_session(tandem, site, visitor, agent, browser):
    tandem.start()
    visitor.goto(f"{site}/page1.html")
    start_session(visitor, "")
    key = visitor.evaluate("GLANCE.Cobrowse.Visitor.getKey()")
    assert re.fullmatch(r"[1-9]\d{5}", key), key
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.isRandomKey()") is True
    # An agent waiting for a key that has not started yet gets it when it starts.
    agent.goto(f"{tandem.base}/agentjoin?SessionKey=later-1&wait=1")
    expect(agent.locator("#status")).to_contain_text("Waiting")
    other = browser.new_context().new_page()
    other.goto(f"{site}/page2.html")
    start_session(other, "'later-1'")
    expect(mirror(agent).locator("#title")).to_have_text("Welcome to page two")
    other.context.close()


def test_agent_errors_for_unknown_key_and_missing_sign_in(tandem, site, browser, agent):
    tandem.start()
    agent.goto(f"{tandem.base}/agentjoin?SessionKey=nobody-here")
    agent.wait_for_function("(window.tandemViewerState.sessionend || {}).reason === 'NoSession'")
    # Not signed in: the viewer sends the browser to the sign-in page.
    anonymous = browser.new_context().new_page()
    anonymous.goto(f"{tandem.base}/agentjoin?SessionKey=x1")
    assert "/agent/login" in anonymous.url
    anonymous.context.close()


def test_session_ended_during_navigation_is_reported_on_the_next_page(tandem, site, visitor, agent):
    tandem.start()
    visitor.goto(f"{site}/page1.html")
    start_session(visitor, "'ended-while-away'")
    agent.goto(f"{tandem.base}/agentjoin?SessionKey=ended-while-away")
    expect(mirror(agent).locator("#title")).to_have_text("Hello from page one")
    # The visitor leaves for a page without the script; the agent ends the session meanwhile.
    visitor.goto("about:blank")
    agent.click("#end")
    agent.wait_for_function("(window.tandemViewerState.sessionend || {}).reason === 'AgentLeft'")
    visitor.goto(f"{site}/page2.html")
    assert wait_for_event(visitor, "sessionend")[-1]["data"] == {"reason": "agent"}
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is False


def test_same_agent_in_a_second_window_takes_over(tandem, site, visitor, agent, browser):
    from conftest import agent_page

    tandem.start()
    visitor.goto(f"{site}/page1.html")
    start_session(visitor, "'two-windows'")
    agent.goto(f"{tandem.base}/agentjoin?SessionKey=two-windows")
    expect(mirror(agent).locator("#title")).to_have_text("Hello from page one")
    second = agent_page(browser, tandem)
    second.goto(f"{tandem.base}/agentjoin?SessionKey=two-windows")
    expect(mirror(second).locator("#title")).to_have_text("Hello from page one")
    agent.wait_for_function("(window.tandemViewerState.sessionend || {}).reason === 'AgentRefresh'")
    # Still one participant, and the session goes on.
    assert events(visitor, "agents")[-1]["data"]["count"] == 1
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is True
    second.context.close()
