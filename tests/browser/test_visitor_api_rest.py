"""The rest of the visitor API (issue #18): glance_button / data-glancebutton, data-inputevents,
the accessibility event, glance_invoke sent before the visitor script is in, blur/focus across two
tabs, pagevisibility on the agent side, cookie values from sessioncontinue on; the demo widget's
connected state, the viewer toolbar at 1440 and 1280 pixels, and the default UI's terms dialog, key
display and button: screenshots at desktop and phone sizes, WCAG AA contrast, keyboard use.

Reference screenshots are in tests/browser/refs/ (ui-*.png); make them again with
    TANDEM_UPDATE_REFS=1 python3 -m pytest -q tests/browser/test_visitor_api_rest.py -k screenshots
and look at the new images before committing them."""

import re

import pytest
from playwright.sync_api import expect

from screenshots import matches_reference
from conftest import agent_page, events, mirror, start_session, wait_for_event, wait_ready



def errors(page, code):
    return [e["data"] for e in events(page, "error") if e["data"]["code"] == code]


# ---- Buttons and key combinations ------------------------------------------------------------

def test_glance_buttons_start_a_session_with_the_start_params_in_the_primary_group(tandem, site, visitor):
    tandem.cli("group", "add", "--name", "Sales", "--id", "2")
    tandem.start()
    visitor.goto(f"{site}/rest-buttons.html")
    wait_ready(visitor)
    # setStartParams applies to the buttons; the group is always the primary one (seed 004).
    visitor.evaluate("GLANCE.Cobrowse.Visitor.setStartParams({sessionKey: 'btn-1', name: 'Button', groupid: 2})")
    visitor.click("#gb-start")
    wait_for_event(visitor, "sessionstart")
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getKey()") == "btn-1"
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.sessionGroupId()") == 1
    assert "#not-followed" not in visitor.url, "the link's default action is prevented"
    visitor.evaluate("GLANCE.Cobrowse.Visitor.stopSession(); window.__events = []")

    # glance_button="startSession".
    visitor.evaluate("GLANCE.Cobrowse.Visitor.setStartParams({sessionKey: 'btn-2'})")
    visitor.click("#gb-named")
    wait_for_event(visitor, "sessionstart")
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getKey()") == "btn-2"
    visitor.evaluate("GLANCE.Cobrowse.Visitor.stopSession(); window.__events = []")

    # glance_button="showTerms": the terms dialog, then Accept starts with the start params.
    visitor.evaluate("GLANCE.Cobrowse.Visitor.setStartParams({sessionKey: 'btn-3'})")
    visitor.click("#gb-terms")
    expect(visitor.locator("#tandem-terms-prompt")).to_be_visible()
    assert not events(visitor, "sessionstarting")
    visitor.click("#tandem-terms-accept")
    wait_for_event(visitor, "sessionstart")
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getKey()") == "btn-3"
    assert visitor.evaluate("window.__terms") == ["displayed", "accepted"]
    visitor.evaluate("GLANCE.Cobrowse.Visitor.stopSession(); window.__events = []")

    # An element added after load (a click on its child) works too: clicks are caught on the document.
    visitor.evaluate("GLANCE.Cobrowse.Visitor.setStartParams({sessionKey: 'btn-4'})")
    visitor.click("#add-later")
    visitor.click("#gb-later-inner")
    wait_for_event(visitor, "sessionstart")
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getKey()") == "btn-4"
    visitor.evaluate("GLANCE.Cobrowse.Visitor.stopSession(); window.__events = []")

    # A value that names no method: a documented error, nothing starts.
    visitor.click("#gb-bad")
    wait_for_event(visitor, "error", predicate="e.data.code === 'invalidparam'")
    assert errors(visitor, "invalidparam")[0]["params"] == {"field": "data-glancebutton"}
    assert "hijack" in errors(visitor, "invalidparam")[0]["msg"]
    assert not events(visitor, "sessionstarting")


def test_key_combinations_from_data_inputevents(tandem, site, visitor):
    tandem.start()
    visitor.goto(f"{site}/rest-buttons.html")
    wait_ready(visitor)
    assert not events(visitor, "error"), events(visitor, "error")
    visitor.evaluate("GLANCE.Cobrowse.Visitor.setStartParams({sessionKey: 'keys-1'})")
    # Other keys, and the letter without all its modifiers, start nothing.
    visitor.keyboard.press("Control+y")
    visitor.keyboard.press("Shift+Y")
    visitor.wait_for_timeout(200)
    assert not events(visitor, "sessionstarting")
    visitor.focus("#typing")
    visitor.keyboard.press("Control+Shift+Y")
    wait_for_event(visitor, "sessionstart")
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getKey()") == "keys-1"
    assert visitor.input_value("#typing") == "", "the combination is not typed"
    # alt-s: stopSession.
    visitor.keyboard.press("Alt+s")
    wait_for_event(visitor, "sessionend")
    # ctrl-13 (the keyCode form): showTerms.
    visitor.keyboard.press("Control+Enter")
    expect(visitor.locator("#tandem-terms-prompt")).to_be_visible()
    visitor.keyboard.press("Escape")
    expect(visitor.locator("#tandem-terms-prompt")).to_have_count(0)
    assert visitor.evaluate("window.__terms") == ["displayed", "declined"]


def test_bad_data_inputevents_are_documented_errors_never_throws(tandem, site, visitor):
    tandem.start()
    thrown = []
    visitor.on("pageerror", lambda e: thrown.append(str(e)))
    visitor.goto(f"{site}/rest-keys-bad.html")
    wait_ready(visitor)
    wait_for_event(visitor, "error", predicate="e.data.code === 'invalidparam'")
    assert errors(visitor, "invalidparam") == [{"code": "invalidparam", "params": {"field": "inputevents"},
                                               "msg": 'data-inputevents: not a JSON object like {"ctrl-shift-y": "startSession"}'}]
    # The API works as ever.
    start_session(visitor, "'keys-bad-1'")
    visitor.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")

    visitor.goto(f"{site}/rest-keys-mixed.html")
    wait_ready(visitor)
    wait_for_event(visitor, "error", predicate="e.data.code === 'invalidparam'")
    msgs = sorted(e["msg"] for e in errors(visitor, "invalidparam"))
    assert len(msgs) == 2, msgs
    assert '"hijack" is not a method' in msgs[0] + msgs[1] and '"hyper-q" is not a key combination' in msgs[0] + msgs[1]
    visitor.keyboard.press("Control+Shift+Y")
    visitor.wait_for_timeout(200)
    assert visitor.evaluate("window.__hijacked") is None
    # showTerms with data-ui="custom" (no dialog): a documented error.
    visitor.keyboard.press("Control+Enter")
    wait_for_event(visitor, "error", predicate="e.data.params && e.data.params.field === 'showTerms'")
    visitor.keyboard.press("Control+Shift+U")
    wait_for_event(visitor, "sessionstart")
    assert not thrown, thrown


# ---- accessibility ---------------------------------------------------------------------------

def test_accessibility_fires_when_the_browsers_accessibility_settings_change(tandem, site, visitor, browser):
    tandem.start()
    visitor.goto(f"{site}/rest-buttons.html")
    wait_ready(visitor)
    visitor.wait_for_timeout(200)
    assert visitor.evaluate("window.__a11y") == [], "nothing at load while every setting is off"

    def a11y(n):
        visitor.wait_for_function(f"window.__a11y.length >= {n}")
        visitor.wait_for_timeout(100)
        return visitor.evaluate("window.__a11y")

    visitor.emulate_media(reduced_motion="reduce")
    assert a11y(1) == [{"enabled": True}]
    visitor.emulate_media(forced_colors="active")
    visitor.wait_for_timeout(200)
    assert a11y(1) == [{"enabled": True}], "still on: no event"
    visitor.emulate_media(reduced_motion="no-preference", forced_colors="none")
    assert a11y(2) == [{"enabled": True}, {"enabled": False}]
    visitor.emulate_media(forced_colors="active")
    assert a11y(3)[-1] == {"enabled": True}
    visitor.emulate_media(forced_colors="none")
    assert a11y(4)[-1] == {"enabled": False}
    visitor.emulate_media(contrast="more")
    assert a11y(5)[-1] == {"enabled": True}
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getSessionState('accessibility')") == {"enabled": True}

    # Already on when the page loads: it fires once at load.
    context = browser.new_context(reduced_motion="reduce")
    page = context.new_page()
    page.goto(f"{site}/rest-buttons.html")
    page.wait_for_function("window.__a11y.length === 1")
    assert page.evaluate("window.__a11y") == [{"enabled": True}]
    context.close()


# ---- glance_invoke before the visitor script is in -------------------------------------------

def test_glance_invoke_at_load_is_queued_then_checked(tandem, site, visitor):
    chat_origin = site.replace("127.0.0.1", "localhost")
    tandem.cli("group", "add", "--name", "Sales", "--id", "2")
    tandem.cli("group", "set", "--id", "2", "--invoke-origin", chat_origin)
    tandem.start()
    # The visitor modules are held back until both invocations have reached the page.
    held, released = [], []

    def hold(route):
        if released:
            route.continue_()
        else:
            held.append(route)

    visitor.route(re.compile(r".*/web/visitor/(bundle|main)\.js.*"), hold)
    visitor.goto(f"{site}/rest-invoke.html")
    visitor.wait_for_function("window.__invokes === 2")
    visitor.wait_for_timeout(100)
    assert visitor.evaluate("typeof GLANCE.Cobrowse.Visitor.getSessionState") == "undefined", "not loaded yet"
    assert held, "the visitor modules were requested"
    released.append(True)
    for route in held:
        route.continue_()
    wait_for_event(visitor, "sessionstart")
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getKey()") == "early-2"
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.sessionGroupId()") == 2
    refused = errors(visitor, "invokenotallowed")
    assert len(refused) == 1 and "origin not trusted by group 1" in refused[0]["msg"], refused
    assert refused[0]["params"] == {"origin": chat_origin}


# ---- blur / focus, pagevisibility, cookie values ---------------------------------------------

def focus_window(page):
    """The window gets the visitor's attention: brought to the front, and its window `focus` event
    (headless Chromium does not send one on its own)."""
    page.bring_to_front()
    page.evaluate("window.dispatchEvent(new Event('focus'))")


def test_blur_and_focus_across_two_tabs_of_one_session(tandem, site, visitor, agent):
    tandem.start()
    visitor.goto(f"{site}/page1.html")
    start_session(visitor, "'tabs-1'")
    agent.goto(f"{tandem.base}/agentjoin?SessionKey=tabs-1")
    expect(mirror(agent).locator("#title")).to_have_text("Hello from page one")

    # Another tab of the same site opens: it takes the session, the first tab gets blur.
    second = visitor.context.new_page()
    second.goto(f"{site}/page2.html")
    wait_for_event(second, "statereceived")
    wait_for_event(visitor, "blur")
    assert not events(second, "blur")
    expect(mirror(agent).locator("#title")).to_have_text("Welcome to page two")
    assert second.evaluate("GLANCE.Cobrowse.Visitor.getKey()") == "tabs-1"

    # The visitor clicks the first window: it becomes the session window again (focus), the other blurs.
    focus_window(visitor)
    wait_for_event(visitor, "focus")
    wait_for_event(second, "blur")
    expect(mirror(agent).locator("#title")).to_have_text("Hello from page one")
    # And back.
    focus_window(second)
    wait_for_event(second, "focus")
    visitor.wait_for_function("window.__events.filter(e => e.type === 'blur').length === 2")
    expect(mirror(agent).locator("#title")).to_have_text("Welcome to page two")
    assert [e["type"] for e in events(visitor) if e["type"] in ("blur", "focus")] == ["blur", "focus", "blur"]
    assert [e["type"] for e in events(second) if e["type"] in ("blur", "focus")] == ["blur", "focus"]
    assert not events(visitor, "sessionend") and not events(second, "sessionend")
    second.close()


def test_pagevisibility_reaches_the_agent_api(tandem, site, visitor, browser):
    tandem.start()
    visitor.goto(f"{site}/page1.html")
    start_session(visitor, "'vis-1'")
    console = agent_page(browser, tandem)
    console.goto(f"{tandem.base}/agent/")
    console.evaluate("window.__vis = []; GLANCE.Cobrowse.Agent.addEventListener('pagevisibility', v => window.__vis.push(v))")
    console.fill("#join-key", "vis-1")
    console.click("#join")
    expect(console.frame_locator("#viewer").frame_locator("#mirror").locator("#title")).to_be_visible()
    # Each page the agent receives states its visibility once (the visitor's tab is in front).
    console.wait_for_function("window.__vis.length === 1")
    assert console.evaluate("window.__vis") == ["visible"]
    # The visitor's tab is hidden (another tab in front, the window minimised), then shown again.
    visitor.evaluate("""Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'});
                        document.dispatchEvent(new Event('visibilitychange'))""")
    console.wait_for_function("window.__vis.length === 2")
    visitor.evaluate("""Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'visible'});
                        document.dispatchEvent(new Event('visibilitychange'))""")
    console.wait_for_function("window.__vis.length === 3")
    assert console.evaluate("window.__vis") == ["visible", "hidden", "visible"]
    # The console's event log lists them too.
    expect(console.locator("#console-log li[data-event=pagevisibility]")).to_have_count(3)
    console.context.close()


def test_cookie_values_from_sessioncontinue_on(tandem, site, visitor):
    tandem.start()
    visitor.goto(f"{site}/rest-cookie.html")
    wait_ready(visitor)
    # Before any session: nothing is stored.
    visitor.evaluate("GLANCE.Cobrowse.Visitor.setCookieValue('panel', 'early')")
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getCookieValue('panel')") is None
    assert "glance_ssn_info" not in visitor.evaluate("document.cookie")
    start_session(visitor, "'cookie-1'")
    # In the sessioncontinue listener: read (nothing yet), then written.
    assert visitor.evaluate("window.__atContinue") == [{"pages": None, "panel": None}]
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getCookieValue('pages')") == "1"
    visitor.evaluate("GLANCE.Cobrowse.Visitor.setCookieValue('panel', 'open')")
    assert "glance_ssn_info" in visitor.evaluate("document.cookie"), "a cookie on the website's domain"
    # Too large for a cookie: a documented error, the session cookie is kept.
    visitor.evaluate("GLANCE.Cobrowse.Visitor.setCookieValue('huge', 'x'.repeat(5000))")
    assert errors(visitor, "invalidparam")[-1]["params"] == {"field": "value"}
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getCookieValue('huge')") is None

    # The next page: the values are there at sessioncontinue.
    visitor.click("#next")
    visitor.wait_for_url("**n=2")
    wait_for_event(visitor, "statereceived")
    assert visitor.evaluate("window.__atContinue") == [{"pages": "1", "panel": "open"}]
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getCookieValue('pages')") == "2"
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getKey()") == "cookie-1"

    # After the session: gone.
    visitor.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getCookieValue('pages')") is None
    visitor.evaluate("GLANCE.Cobrowse.Visitor.setCookieValue('pages', '9')")
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getCookieValue('pages')") is None


# ---- Demo widget and viewer toolbar ----------------------------------------------------------

def test_demo_widget_shows_connected_for_the_whole_session(tandem, browser):
    tandem.start(demo=True)
    page = browser.new_context().new_page()
    page.goto(f"{tandem.base}/demo/index.html")
    page.click("#demo-start")
    expect(page.locator("#demo-session-key")).not_to_be_empty()
    expect(page.locator("#demo-connection")).to_have_text("connected")
    expect(page.locator("#demo-connection")).to_have_class("ok")
    # A new page of the session: connected again once it is continued.
    page.reload()
    expect(page.locator("#demo-connection")).to_have_text("connected")
    page.click("#demo-stop")
    expect(page.locator("#demo-start")).to_be_visible()
    page.context.close()


def toolbar_outside(page, frame_width=None):
    """Toolbar items (visible ones) that are cut off: not wholly inside the window."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth, height = window.innerHeight;
        return Array.from(document.querySelectorAll('.bar button, .bar input:not([type=file]), .bar label'))
            .filter(el => el.offsetParent !== null && !el.closest('[hidden]'))
            .map(el => [el.id || el.textContent, el.getBoundingClientRect()])
            .filter(([, r]) => r.left < 0 || r.right > width + 0.5 || r.top < 0 || r.bottom > height)
            .map(([id, r]) => `${id}: ${Math.round(r.left)}..${Math.round(r.right)} of ${width}`);
    }""")


@pytest.mark.parametrize("width", [1440, 1280])
def test_viewer_toolbar_fits_at_common_window_widths(tandem, site, visitor, browser, width):
    tandem.start()
    visitor.goto(f"{site}/page1.html")
    start_session(visitor, f"'bar-{width}'")
    # The viewer in its own window, and inside the agent console (the frame beside the side panel).
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    context.add_cookies([{"name": "tandem_agent", "value": tandem.token(), "url": tandem.base}])
    viewer = context.new_page()
    viewer.goto(f"{tandem.base}/agentjoin?SessionKey=bar-{width}")
    expect(mirror(viewer).locator("#title")).to_be_visible()
    for button in ("#leave", "#end", "#rc-request", "#doc-share"):
        expect(viewer.locator(button)).to_be_visible()
    assert toolbar_outside(viewer) == []
    # The stage is what is left under the (wrapped) toolbar: the mirror is fitted into it.
    stage_top = viewer.evaluate("document.getElementById('stage').getBoundingClientRect().top")
    bar_bottom = viewer.evaluate("document.querySelector('.bar').getBoundingClientRect().bottom")
    assert stage_top >= bar_bottom - 0.5

    console = context.new_page()
    console.goto(f"{tandem.base}/agent/")
    console.fill("#join-key", f"bar-{width}")
    console.click("#join")
    frame = console.frame_locator("#viewer")
    expect(frame.frame_locator("#mirror").locator("#title")).to_be_visible()
    inner = console.query_selector("#viewer").content_frame()
    assert toolbar_outside(inner) == []
    expect(frame.locator("#end")).to_be_in_viewport()
    expect(frame.locator("#leave")).to_be_in_viewport()
    context.close()


# ---- The default UI: screenshots, contrast, keyboard -----------------------------------------

CONTRAST = """(el) => {
    const rgba = (s) => { const m = s.match(/[\\d.]+/g).map(Number); return [m[0], m[1], m[2], m.length > 3 ? m[3] : 1]; };
    let bg = null;
    for (let n = el; n; n = n.parentElement) {
        const c = rgba(getComputedStyle(n).backgroundColor);
        if (c[3] > 0) { bg = c; break; }
    }
    bg = bg || [255, 255, 255, 1];
    const fg = rgba(getComputedStyle(el).color);
    const mix = fg.slice(0, 3).map((v, i) => v * fg[3] + bg[i] * (1 - fg[3]));
    const lum = (c) => { const [r, g, b] = c.map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; }); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
    const [a, b] = [lum(mix), lum(bg.slice(0, 3))].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
}"""


def contrast(page, selector):
    return page.eval_on_selector(selector, CONTRAST)


def assert_inside(page, selector):
    box = page.locator(selector).bounding_box()
    vp = page.viewport_size
    assert box and box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= vp["width"] and box["y"] + box["height"] <= vp["height"], (selector, box, vp)


@pytest.mark.parametrize("size,viewport", [("desktop", {"width": 1280, "height": 800}), ("phone", {"width": 390, "height": 844})])
def test_default_ui_screenshots_and_contrast(tandem, site, browser, size, viewport):
    tandem.start()
    context = browser.new_context(viewport=viewport, device_scale_factor=1)
    page = context.new_page()
    page.goto(f"{site}/rest-ui.html")
    page.evaluate("GLANCE.Cobrowse.VisitorUI.ready()")
    button = page.locator("#tandem-button")
    expect(button).to_be_visible()
    expect(button).to_have_text("Share screen")
    page.wait_for_timeout(200)
    assert_inside(page, "#tandem-button")
    assert contrast(page, "#tandem-button") >= 4.5
    matches_reference(f"ui-button-{size}", button.screenshot(animations="disabled"), tolerance=0.02)

    page.click("#open-terms")
    dialog = page.locator("#tandem-terms-prompt")
    expect(dialog).to_be_visible()
    assert_inside(page, "#tandem-terms-prompt")
    for selector in ("#tandem-terms-text", "#tandem-terms-accept", "#tandem-terms-decline"):
        assert contrast(page, selector) >= 4.5, selector
    assert dialog.get_attribute("role") == "dialog"
    # Screenshots without the focus ring (the keyboard test checks that).
    page.evaluate("document.activeElement.blur()")
    matches_reference(f"ui-terms-{size}", dialog.screenshot(animations="disabled"), tolerance=0.02)

    page.click("#tandem-terms-accept")
    wait_for_event(page, "sessionstart")
    page.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")
    page.evaluate("window.__events = []; GLANCE.Cobrowse.Visitor.startSession('ui-key-1')")
    wait_for_event(page, "sessionstart")
    badge = page.locator("#tandem-session-badge")
    expect(badge).to_contain_text("key ui-key-1")
    page.wait_for_timeout(200)
    assert_inside(page, "#tandem-session-badge")
    assert contrast(page, "#tandem-session-badge span") >= 4.5
    assert contrast(page, "#tandem-session-stop") >= 4.5
    matches_reference(f"ui-badge-{size}", badge.screenshot(animations="disabled"), tolerance=0.02)
    context.close()


def focused(page):
    return page.evaluate("document.activeElement && document.activeElement.id")


def ring(page):
    """The focused element's outline: visible (solid, at least 2px) when focused by keyboard."""
    return page.evaluate("(() => { const s = getComputedStyle(document.activeElement); return [s.outlineStyle, parseFloat(s.outlineWidth)]; })()")


def tab_to(page, element_id, limit=10):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(page) == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id} (last: {focused(page)})")


def test_default_ui_keyboard_use(tandem, site, visitor):
    tandem.start()
    visitor.goto(f"{site}/rest-ui.html")
    visitor.evaluate("GLANCE.Cobrowse.VisitorUI.ready()")
    expect(visitor.locator("#tandem-button")).to_be_visible()
    # Tab reaches the button, its focus is visible, Space starts the session.
    tab_to(visitor, "tandem-button")
    style, width = ring(visitor)
    assert style != "none" and width >= 2, (style, width)
    visitor.keyboard.press(" ")
    wait_for_event(visitor, "sessionstart")
    # Tab reaches the badge's Stop, Enter ends the session.
    tab_to(visitor, "tandem-session-stop")
    style, width = ring(visitor)
    assert style != "none" and width >= 2, (style, width)
    visitor.keyboard.press("Enter")
    wait_for_event(visitor, "sessionend")

    # The terms dialog: opened from the keyboard, it takes the focus (Accept); Tab reaches Decline;
    # Escape closes it (declined) and the focus goes back to what opened it.
    visitor.focus("#open-terms")
    visitor.keyboard.press("Enter")
    expect(visitor.locator("#tandem-terms-prompt")).to_be_visible()
    assert focused(visitor) == "tandem-terms-accept"
    visitor.keyboard.press("Tab")
    assert focused(visitor) == "tandem-terms-decline"
    style, width = ring(visitor)
    assert style != "none" and width >= 2, (style, width)
    visitor.keyboard.press("Escape")
    expect(visitor.locator("#tandem-terms-prompt")).to_have_count(0)
    assert focused(visitor) == "open-terms"
    # Space on Accept starts the session.
    visitor.evaluate("window.__events = []")
    visitor.keyboard.press("Enter")
    expect(visitor.locator("#tandem-terms-prompt")).to_be_visible()
    visitor.keyboard.press(" ")
    wait_for_event(visitor, "sessionstart")
    assert visitor.evaluate("window.__terms") == ["displayed", "declined", "displayed", "accepted"]
