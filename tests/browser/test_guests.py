"""Guests in real browsers: an agent invites, the visitor consents in the default prompt (or a
custom UI declines), the guest opens the one-time link without an account, watches the live page,
appears as role "guest" to the visitor and the agent, and cannot use the helping tools."""

from conftest import agent_page, events, mirror, start_session, wait_for_event
from playwright.sync_api import expect


def agent_events(page, type_):
    return page.evaluate(
        "(t) => (window.__agentEvents || []).filter(e => e.type === t).map(e => e.data ?? null)", type_)


def record_agent_events(page):
    page.add_init_script(
        "window.__agentEvents = []; document.addEventListener('tandem-agent-event', e => window.__agentEvents.push(e.detail));")


def test_guest_invited_admitted_and_watching(tandem, site, visitor, agent, browser):
    tandem.start()
    record_agent_events(agent)
    visitor.goto(f"{site}/page1.html")
    start_session(visitor, "'guest-1'")
    agent.goto(f"{tandem.base}/agentjoin?SessionKey=guest-1")
    expect(mirror(agent).locator("#title")).to_have_text("Hello from page one")

    agent.fill("#guest-name", "Sam Supervisor")
    agent.click("#guest-invite")
    expect(visitor.locator("#tandem-guest-prompt")).to_contain_text("invite a guest (Sam Supervisor)")
    assert mirror(agent).locator("#tandem-guest-prompt").count() == 0, "the prompt is never mirrored"
    visitor.click("#tandem-guest-accept")
    wait_for_event(visitor, "addguestaccepted")
    assert [e["type"] for e in events(visitor) if e["type"].startswith("addguest")] == ["addguestaccepted"]
    expect(agent.locator("#guest-panel")).to_be_visible()
    link = agent.input_value("#guest-link")
    assert link.startswith(f"{tandem.base}/guest?SessionKey=guest-1&code=")
    agent.wait_for_function("(window.__agentEvents || []).some(e => e.type === 'addguestaccepted')")
    assert agent_events(agent, "addguestaccepted")[0]["url"] == link

    # The guest: a fresh browser without any account.
    guest_context = browser.new_context(viewport={"width": 1300, "height": 900})
    guest = guest_context.new_page()
    guest.goto(link)
    guest.wait_for_url(f"{tandem.base}/agentjoin?SessionKey=guest-1")
    expect(mirror(guest).locator("#title")).to_have_text("Hello from page one")
    for tool in ("#rc-request", "#tool-draw", "#nav-form", "#guest-form", "#end"):
        expect(guest.locator(tool)).to_be_hidden()
    expect(guest.locator("#leave")).to_be_visible()
    # It follows the live page.
    visitor.evaluate("document.getElementById('title').textContent = 'Changed for everyone'")
    expect(mirror(guest).locator("#title")).to_have_text("Changed for everyone")

    # Everyone sees the guest in the participant list.
    wait_for_event(visitor, "agents", predicate="e.data.count === 2")
    listed = events(visitor, "agents")[-1]["data"]["agentlist"]
    assert [p["role"] for p in listed] == ["agent", "guest"]
    assert listed[1]["name"] == "Sam Supervisor" and "username" not in listed[1] and listed[1]["guestid"]
    expect(agent.locator("#agents")).to_have_text("1 agent, 1 guest")

    # The link worked once.
    second = browser.new_context()
    response = second.new_page().goto(link)
    assert response.status == 410
    second.close()

    # The last agent leaves: the guest's view ends too.
    agent.click("#leave")
    expect(guest.locator("#status")).to_have_text("Session ended")
    guest_context.close()


def test_custom_ui_declines_and_privilege_is_checked(tandem, site, visitor, browser):
    tandem.cli("agent", "add", "--username", "no-guests", "--password", "no-guests-pass", "--group", "1",
               "--privileges", "view,remotecontrol")
    tandem.start()
    visitor.goto(f"{site}/page1.html")
    visitor.evaluate("""GLANCE.Cobrowse.Visitor.addEventListener('addguestrequested', (e) => {
        window.__guestAsked = (window.__guestAsked || 0) + 1; e.decline(); e.accept(); })""")
    start_session(visitor, "'guest-2'")

    limited = agent_page(browser, tandem, username="no-guests", password="no-guests-pass")
    record_agent_events(limited)
    limited.goto(f"{tandem.base}/agentjoin?SessionKey=guest-2")
    expect(mirror(limited).locator("#title")).to_have_text("Hello from page one")
    limited.click("#guest-invite")
    limited.wait_for_function("(window.__agentEvents || []).some(e => e.type === 'accessdenied')")
    assert agent_events(limited, "accessdenied")[0]["addguest"] is True
    assert visitor.evaluate("window.__guestAsked || 0") == 0, "the visitor is never asked"
    limited.context.close()

    helper = agent_page(browser, tandem)
    record_agent_events(helper)
    helper.goto(f"{tandem.base}/agentjoin?SessionKey=guest-2")
    expect(mirror(helper).locator("#title")).to_have_text("Hello from page one")
    helper.click("#guest-invite")
    wait_for_event(visitor, "addguestdeclined")
    assert visitor.evaluate("window.__guestAsked") == 1
    assert visitor.locator("#tandem-guest-prompt").count() == 0, "a custom UI replaces the default prompt"
    assert not events(visitor, "addguestaccepted"), "the first answer wins"
    helper.wait_for_function("(window.__agentEvents || []).some(e => e.type === 'addguestdeclined')")
    expect(helper.locator("#guest-panel")).to_be_hidden()
    helper.context.close()
