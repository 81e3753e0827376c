"""The default visitor UI (GLANCE.Cobrowse.VisitorUI) with per-group button styles, the terms
dialog, and glance_invoke from a chat window on another origin, trusted per group."""

from conftest import events, wait_for_event, wait_for_new_event
from playwright.sync_api import expect


def style_of(page, selector):
    return page.eval_on_selector(selector, "el => [getComputedStyle(el).backgroundColor, el.textContent, el.dataset.group]")


def test_button_styles_per_group_badge_and_terms(tandem, site, visitor):
    tandem.cli("group", "set", "--id", "1", "--button-color", "#00aa00", "--button-label", "Help me", "--button-position", "bottom-left")
    tandem.cli("group", "add", "--name", "Sales", "--id", "2")
    tandem.cli("group", "set", "--id", "2", "--button-color", "#aa0000", "--button-label", "Sales help")
    tandem.start()
    visitor.goto(f"{site}/ui.html")
    visitor.evaluate("GLANCE.Cobrowse.VisitorUI.ready()")
    assert visitor.evaluate("GLANCE.Cobrowse.VisitorUI.loaded") is True
    assert visitor.evaluate("GLANCE.Cobrowse.VisitorUI.VERSION")
    button = visitor.locator("#tandem-button")
    expect(button).to_have_text("Help me")
    assert style_of(visitor, "#tandem-button") == ["rgb(0, 170, 0)", "Help me", "1"]
    box = button.bounding_box()
    assert box["x"] < 100, "bottom-left"

    assert visitor.evaluate("GLANCE.Cobrowse.VisitorUI.setStyle(2)") is True
    expect(button).to_have_text("Sales help")
    assert style_of(visitor, "#tandem-button") == ["rgb(170, 0, 0)", "Sales help", "2"]
    assert visitor.evaluate("GLANCE.Cobrowse.VisitorUI.setStyle(99)") is False, "an unknown group keeps the style"
    expect(button).to_have_text("Sales help")

    visitor.evaluate("GLANCE.Cobrowse.VisitorUI.toggleButton()")
    expect(button).to_be_hidden()
    visitor.evaluate("GLANCE.Cobrowse.VisitorUI.showButton()")
    expect(button).to_be_visible()

    # The button starts a session; the badge shows the key and stops it.
    button.click()
    wait_for_event(visitor, "sessionstart")
    key = visitor.evaluate("GLANCE.Cobrowse.Visitor.getKey()")
    expect(visitor.locator("#tandem-session-badge")).to_contain_text(f"key {key}")
    expect(button).to_be_hidden()
    visitor.click("#tandem-session-stop")
    wait_for_event(visitor, "sessionend")
    expect(visitor.locator("#tandem-session-badge")).to_be_hidden()

    # Terms: declining starts nothing, accepting starts the session with the given params.
    visitor.evaluate("window.__events = []; GLANCE.Cobrowse.VisitorUI.showTerms({sessionKey: 'terms-1'})")
    visitor.click("#tandem-terms-decline")
    expect(visitor.locator("#tandem-terms-prompt")).to_have_count(0)
    assert not events(visitor, "sessionstart")
    visitor.evaluate("GLANCE.Cobrowse.VisitorUI.showTerms({sessionKey: 'terms-1'})")
    visitor.click("#tandem-terms-accept")
    wait_for_event(visitor, "sessionstart")
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getKey()") == "terms-1"
    assert visitor.evaluate("window.__terms") == ["displayed", "declined", "displayed", "accepted"]


def test_glance_invoke_only_from_trusted_origins_and_glance_functions(tandem, site, visitor):
    chat_origin = site.replace("127.0.0.1", "localhost")
    tandem.cli("group", "add", "--name", "Sales", "--id", "2")
    tandem.cli("group", "set", "--id", "2", "--invoke-origin", chat_origin)
    tandem.cli("group", "add", "--name", "Elsewhere", "--id", "3")
    tandem.cli("group", "set", "--id", "3", "--invoke-origin", chat_origin)
    tandem.start()
    visitor.goto(f"{site}/ui.html")
    chat = visitor.frame_locator("#chat").locator("body")
    expect(chat).to_contain_text("Chat")
    frame = next(f for f in visitor.frames if f.url.startswith(chat_origin))

    def refused(groupid, func, args, reason):
        before = len(events(visitor, "error"))
        frame.evaluate("([g, f, a]) => invoke(g, f, a)", [groupid, func, args])
        # A new error (an earlier one may match the same reason), and only one.
        errors = wait_for_new_event(visitor, "error", before)
        assert len(errors) == before + 1, errors
        assert errors[-1]["data"]["code"] == "invokenotallowed" and reason in errors[-1]["data"]["msg"], errors[-1]
        assert visitor.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is False

    refused(1, "startSession", {"sessionKey": "inv-1"}, "origin not trusted by group 1")
    refused(3, "startSession", {"sessionKey": "inv-1"}, "group 3 is not allowed on this page")
    refused(2, "hijack", None, "'hijack' is not a function of GLANCE")
    refused(2, "window.hijack", None, "is not a function of GLANCE")
    refused(2, "GLANCE.Cobrowse.Visitor.constructor", None, "is not a function of GLANCE")
    refused(2, "startSession", {"sessionKey": "inv-1", "groupid": 1}, "conflicts with group 2")
    assert visitor.evaluate("window.__hijacked") is False

    frame.evaluate("invoke(2, 'GLANCE.Cobrowse.Visitor.startSession', {sessionKey: 'inv-1'})")
    wait_for_event(visitor, "sessionstart")
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getKey()") == "inv-1"
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.sessionGroupId()") == 2, "the group is passed on for a non-primary group"
