"""Masking leak suite: every byte the server receives from the visitor is recorded (server test
hook) and searched for every planted secret, across the snapshot, mutations, typing, navigation
and rule changes. A visible marker proves the capture itself works."""


from conftest import agent_page, events, mirror, secrets_in, start_session, until, wait_for_event
from playwright.sync_api import expect


def test_nothing_masked_leaves_the_browser(tandem, site, visitor, agent):
    tandem.cli("group", "set", "--id", "1", "--mask", "#account", "--mask", ".ssn")
    tandem.start()
    visitor.goto(f"{site}/masking.html")
    start_session(visitor, "'leaks-1'")
    agent.goto(f"{tandem.base}/agentjoin?SessionKey=leaks-1")
    expect(mirror(agent).locator("#visible")).to_have_text("VISIBLE-TEXT-OK")

    # Masked boxes keep their size, so the layout does not shift.
    for selector in ["#account", "#class-masked", "#ssn", "#notes"]:
        want = visitor.locator(selector).bounding_box()
        got = mirror(agent).locator(selector).bounding_box()
        assert got and abs(got["width"] - want["width"]) <= 1 and abs(got["height"] - want["height"]) <= 1, (selector, want, got)
    expect(mirror(agent).locator("#account")).to_have_text("")

    # Typing into masked fields, a password shown by a toggle, framework-style value writes.
    visitor.fill("#pw", "PW-SECRET-4444")
    visitor.click("#show-pw")
    visitor.type("#pw", "PWTOGGLE-SECRET-4B")
    visitor.fill("#ssn", "TYPED-SECRET-5E")
    visitor.fill("#notes", "TYPEDNOTES-SECRET-6B")
    visitor.select_option("#card", index=1)
    visitor.evaluate("""() => {
        const c = document.getElementById('controlled');
        c.setAttribute('value', 'VALUEATTR-SECRET-A1');
        c.value = 'VALUEPROP-SECRET-A2';
        c.setAttribute('placeholder', 'PLACEHOLDER-SECRET-A3');
    }""")
    # Scripts changing masked content: text, children, attributes; a masked element added later;
    # a visible element that becomes masked before its content changes.
    visitor.evaluate("""() => {
        const d = document.getElementById('dyn');
        d.firstChild.data = 'DYN-SECRET-D2';
        const s = document.createElement('span'); s.textContent = 'DYN-SECRET-D3'; d.appendChild(s);
        d.setAttribute('data-note', 'DYN-SECRET-D4');
        const later = document.createElement('div');
        later.className = 'glance_masked';
        later.innerHTML = '<b>LATER-SECRET-D5</b><input value="LATER-SECRET-D6">';
        document.getElementById('later-parent').appendChild(later);
        const v = document.getElementById('visible');
        v.classList.add('glance_masked');
        v.textContent = 'BECAME-MASKED-SECRET-D7';
    }""")
    visitor.evaluate("document.getElementById('canvas').getContext('2d').fillRect(0, 0, 10, 10)")
    visitor.wait_for_timeout(400)
    expect(mirror(agent).locator("#visible")).to_have_text("")
    # Something visible still flows (the capture works), in the same batch as the masked writes.
    visitor.evaluate("document.body.insertAdjacentHTML('beforeend', '<p id=marker>AFTER-CHANGES-OK</p>')")
    expect(mirror(agent).locator("#marker")).to_have_text("AFTER-CHANGES-OK")
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.isPageMasked()") is False

    # Navigation: the next page's masked content and password value stay home too.
    visitor.click("#next")
    visitor.wait_for_url("**/masking2.html")
    expect(mirror(agent).locator("#visible2")).to_have_text("SECOND-PAGE-VISIBLE-OK")

    data = tandem.captured()
    assert b"VISIBLE-TEXT-OK" in data and b"SECOND-PAGE-VISIBLE-OK" in data and b"AFTER-CHANGES-OK" in data
    assert secrets_in(data) == [], secrets_in(data)
    # Not even in a different encoding: the planted suffixes never appear.
    for marker in [b"1111", b"2222", b"3333", b"4444", b"5555", b"6666", b"7777", b"8888", b"9999"]:
        assert marker not in data, marker


def test_masking_hook_call_order_and_role_based_rules(tandem, site, visitor, browser):
    tandem.cli("agent", "add", "--username", "ne-agent", "--password", "ne-agent-pass", "--group", "1", "--role", "Northeast Region")
    tandem.start()
    visitor.goto(f"{site}/role-masking.html")
    start_session(visitor, "'roles-1'")
    def first_page():
        data = tandem.captured()
        return b"ROLE-PAGE-VISIBLE-OK" in data and data

    # First call: params.agents undefined; nothing role-restricted has left the page.
    data = until(first_page)
    assert visitor.evaluate("window.__maskCalls") == [None]
    assert b"NORTHEAST-ONLY-F1" not in data and secrets_in(data) == []

    agent = agent_page(browser, tandem, username="ne-agent", password="ne-agent-pass")
    agent.goto(f"{tandem.base}/agentjoin?SessionKey=roles-1")
    # The agent joined: the hook is called with the agents, and the changed rules send a full page.
    visitor.wait_for_function("window.__maskCalls.length >= 2")
    calls = visitor.evaluate("window.__maskCalls")
    assert calls[-1]["count"] == 1 and calls[-1]["agentlist"][0]["agentrole"] == "Northeast Region"
    expect(mirror(agent).locator("#ne")).to_have_text("NORTHEAST-ONLY-F1")
    expect(mirror(agent).locator("#sw")).to_have_text("")
    assert secrets_in(tandem.captured()) == []
    agent.context.close()


def test_rejecting_hook_masks_the_page(tandem, site, visitor, agent):
    tandem.start()
    visitor.goto(f"{site}/masking-error.html")
    start_session(visitor, "'hookfail'")
    error = wait_for_event(visitor, "maskingerror")[-1]["data"]
    assert "rules service down" in error["reason"]
    assert [e["data"]["code"] for e in events(visitor, "error")] == ["maskingerror"]
    wait_for_event(visitor, "pagemasked")
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.isPageMasked()") is True
    agent.goto(f"{tandem.base}/agentjoin?SessionKey=hookfail")
    expect(agent.locator("#cover")).to_contain_text("masked")
    assert mirror(agent).locator("h1").count() == 0
    assert secrets_in(tandem.captured()) == []


def test_group_url_rules_mask_whole_pages(tandem, site, visitor, agent):
    tandem.cli("group", "set", "--id", "1", "--masked-page", "*/secret-page.html")
    tandem.start()
    visitor.goto(f"{site}/page1.html")
    start_session(visitor, "'urlmask'")
    agent.goto(f"{tandem.base}/agentjoin?SessionKey=urlmask")
    expect(mirror(agent).locator("#title")).to_have_text("Hello from page one")
    visitor.goto(f"{site}/secret-page.html")
    wait_for_event(visitor, "pagemasked")
    expect(agent.locator("#cover")).to_contain_text("masked")
    visitor.fill("#field", "TYPED-URLMASKED-SECRET-H2")
    visitor.wait_for_timeout(300)
    assert secrets_in(tandem.captured()) == []
    # Back on an allowed page the agent sees it again.
    visitor.goto(f"{site}/page2.html")
    expect(mirror(agent).locator("#title")).to_have_text("Welcome to page two")
    expect(agent.locator("#cover")).to_be_hidden()


def test_invalid_selector_fails_closed(tandem, site, visitor):
    tandem.cli("group", "set", "--id", "1", "--mask", "div[[broken")
    tandem.start()
    visitor.goto(f"{site}/masking.html")
    start_session(visitor, "'badselector'")
    assert "invalid masking selector" in wait_for_event(visitor, "maskingerror")[-1]["data"]["reason"]
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.isPageMasked()") is True
    visitor.wait_for_timeout(300)
    assert b"VISIBLE-TEXT-OK" not in tandem.captured()


def test_private_by_default_shows_only_the_allow_list(tandem, site, visitor, agent):
    tandem.cli("group", "set", "--id", "1", "--private-by-default", "true", "--visible", "#visible", "--visible", "#next")
    tandem.start()
    visitor.goto(f"{site}/masking.html")
    start_session(visitor, "'private'")
    agent.goto(f"{tandem.base}/agentjoin?SessionKey=private")
    expect(mirror(agent).locator("#visible")).to_have_text("VISIBLE-TEXT-OK")
    expect(mirror(agent).locator("#next")).to_have_text("Next page")
    data = tandem.captured()
    assert secrets_in(data) == [] and b"Next page" in data
