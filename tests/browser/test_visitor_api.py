"""Visitor API details: visitorid as the default key, setStartParams, reload, and the documented
`service` and `conndrop` errors."""

import signal

from conftest import events, start_session, wait_for_event, wait_ready
from playwright.sync_api import expect


def test_visitorid_is_the_default_key_and_fields_reach_the_agent(tandem, site, visitor, agent):
    tandem.start()
    visitor.goto(f"{site}/visitorid.html")
    start_session(visitor, "")
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getKey()") == "cust-42"
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.isRandomKey()") is False
    agent.goto(f"{tandem.base}/agentjoin?VisitorId=cust-42")
    expect(agent.locator("#session-info")).to_contain_text("Ada Lovelace")
    # A reload keeps the session (the cookie on the website's domain).
    call_id = visitor.evaluate("GLANCE.Cobrowse.Visitor.getCallId()")
    visitor.reload()
    wait_for_event(visitor, "statereceived")
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getCallId()") == call_id
    assert [e["type"] for e in events(visitor)][:3] == ["sessioncontinue", "agents", "statereceived"]
    # GLANCE_KEYTYPE_RANDOM overrides the visitorid.
    visitor.evaluate("GLANCE.Cobrowse.Visitor.stopSession(); window.__events = []")
    visitor.evaluate("GLANCE.Cobrowse.Visitor.startSession('GLANCE_KEYTYPE_RANDOM')")
    wait_for_event(visitor, "sessionstart")
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.isRandomKey()") is True


def test_set_start_params_are_used_by_an_argless_start(tandem, site, visitor):
    tandem.start()
    visitor.goto(f"{site}/page1.html")
    wait_ready(visitor)
    visitor.evaluate("GLANCE.Cobrowse.Visitor.setStartParams({sessionKey: 'preset-1', name: 'Preset'})")
    start_session(visitor, "")
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getKey()") == "preset-1"
    visitor.evaluate("GLANCE.Cobrowse.Visitor.stopSession(); GLANCE.Cobrowse.Visitor.setStartParams(); window.__events = []")
    start_session(visitor, "")
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.isRandomKey()") is True


def test_unreachable_service_gives_service_error(tandem, site, visitor):
    tandem.start()
    visitor.goto(f"{site}/page1.html")
    wait_ready(visitor)
    tandem.stop()
    visitor.evaluate("GLANCE.Cobrowse.Visitor.startSession('nobody-home')")
    error = wait_for_event(visitor, "error")[-1]["data"]
    assert error["code"] == "service"
    assert [e["type"] for e in events(visitor)] == ["sessionstarting", "error"]
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is False


def test_connection_lost_past_the_grace_period_is_conndrop(tandem, site, visitor):
    tandem.start()
    visitor.goto(f"{site}/visitorid.html")  # reconnectgrace: 2.5 s
    start_session(visitor, "")
    tandem.stop(signal.SIGKILL)
    wait_for_event(visitor, "connection", predicate="e.data.status === 'reconnecting'")
    error = wait_for_event(visitor, "error", timeout=15_000)[-1]["data"]
    assert error["code"] == "conndrop"
    assert events(visitor, "sessionend")[-1]["data"] == {"reason": "error"}
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is False


def test_a_taken_random_key_is_replaced_silently(tandem, site, visitor, browser):
    """The script proposes random keys (they route connections behind a load balancer); when the
    server says one is taken, it proposes another without bothering the page."""
    tandem.start()
    holder = browser.new_context().new_page()
    holder.goto(f"{site}/page1.html")
    start_session(holder, "'123456'")
    # The next random key this page draws would be 123456.
    visitor.add_init_script("""(() => {
        const real = crypto.getRandomValues.bind(crypto);
        let first = true;
        crypto.getRandomValues = (array) => {
            if (first && array.length === 6) { first = false; window.__proposedTaken = true; [0, 2, 3, 4, 5, 6].forEach((v, i) => (array[i] = v)); return array; }
            return real(array);
        };
    })()""")
    visitor.goto(f"{site}/page1.html")
    start_session(visitor, "'GLANCE_KEYTYPE_RANDOM'")
    key = visitor.evaluate("GLANCE.Cobrowse.Visitor.getKey()")
    assert key != "123456" and key.isdigit() and len(key) == 6
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.isRandomKey()") is True
    assert visitor.evaluate("window.__proposedTaken") is True, "the taken key was proposed first"
    assert not events(visitor, "error"), "the retry is silent"
    holder.context.close()
