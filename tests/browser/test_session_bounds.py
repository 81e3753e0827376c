"""Per-session bounds in a real browser (issue #13): the visitor API refuses user state past the
session's limits with a documented `error` event and sends nothing; the session goes on and the
agent keeps what fit."""

from conftest import events, start_session, wait_for_event


def test_user_state_past_the_session_limits_is_refused_with_an_error(tandem, site, visitor, agent):
    tandem.start()
    visitor.goto(f"{site}/page1.html")
    start_session(visitor, "'bounds-1'")
    agent.goto(f"{tandem.base}/agentjoin?SessionKey=bounds-1")
    wait_for_event(visitor, "agents", predicate="e.data.count === 1")

    # 64 names fit; replacing one takes no new place.
    visitor.evaluate("for (let i = 0; i < 64; i++) GLANCE.Cobrowse.Visitor.setUserState('n' + i, {i})")
    visitor.evaluate("GLANCE.Cobrowse.Visitor.setUserState('n0', 'again')")
    assert not [e for e in events(visitor, "error")], events(visitor, "error")
    # The 65th name is refused in the browser: an error event, nothing sent, the session goes on.
    visitor.evaluate("GLANCE.Cobrowse.Visitor.setUserState('n64', 1)")
    error = wait_for_event(visitor, "error")[-1]["data"]
    assert error["code"] == "invalidparam" and error["params"] == {"field": "data"}, error
    assert "user state is full" in error["msg"]
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getUserState('n64')") is None
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is True

    # Total bytes: a fresh session, 60,000-character values until the next would pass 1 MiB.
    visitor.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")
    wait_for_event(visitor, "sessionend")
    start_session(visitor, "'bounds-2'")
    visitor.evaluate("window.__events = []")
    visitor.evaluate("for (let i = 0; i < 17; i++) GLANCE.Cobrowse.Visitor.setUserState('v' + i, 'x'.repeat(60000))")
    assert not events(visitor, "error")
    visitor.evaluate("GLANCE.Cobrowse.Visitor.setUserState('v17', 'x'.repeat(60000))")
    assert wait_for_event(visitor, "error")[-1]["data"]["code"] == "invalidparam"
    # The server holds what fit: an agent joining now gets 17 values, and the session is alive.
    agent.goto(f"{tandem.base}/agentjoin?SessionKey=bounds-2")
    agent.wait_for_function("Object.keys(window.tandemUserState || {}).length === 17", timeout=10_000)
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is True
