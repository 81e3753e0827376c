"""Documented errors (invalid key, duplicate key, field limits, scripts that fail to load) and
the session surviving a server restart within the grace period."""

import re
import signal
import subprocess
import time

import pytest
from conftest import BINARY, ROOT, events, free_port, start_session, wait_for_event, wait_ready
from rawws import CLOSE, TEXT, Deadline, healthz, visitor_session
from playwright.sync_api import expect


def test_invalid_key_gives_an_error_and_no_session(tandem, site, visitor):
    tandem.start()
    visitor.goto(f"{site}/page1.html")
    wait_ready(visitor)
    visitor.evaluate("GLANCE.Cobrowse.Visitor.startSession('not a valid key!')")
    error = wait_for_event(visitor, "error")[-1]["data"]
    assert error["code"] == "invalidkey" and "letters, digits" in error["msg"]
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is False
    visitor.evaluate("GLANCE.Cobrowse.Visitor.startSession('x' * 1)".replace("'x' * 1", "'x'.repeat(101)"))
    visitor.wait_for_function("window.__events.filter(e => e.type === 'error').length === 2")
    assert "longer than 100" in events(visitor, "error")[-1]["data"]["msg"]


def test_field_limits_name_the_field(tandem, site, visitor):
    tandem.start()
    visitor.goto(f"{site}/page1.html")
    wait_ready(visitor)
    visitor.evaluate("GLANCE.Cobrowse.Visitor.startSession({sessionKey: 'f1', phone: '1'.repeat(32)})")
    error = wait_for_event(visitor, "error")[-1]["data"]
    assert error["code"] == "invalidparam" and error["params"] == {"field": "phone"}
    visitor.evaluate("GLANCE.Cobrowse.Visitor.startSession({sessionKey: 'f1', email: 'snow\u2603@example.com'})")
    visitor.wait_for_function("window.__events.filter(e => e.type === 'error').length === 2")
    assert events(visitor, "error")[-1]["data"]["params"] == {"field": "email"}
    # Within limits the session starts, with the fields stored on the record.
    visitor.evaluate("GLANCE.Cobrowse.Visitor.startSession({sessionKey: 'f1', name: 'Zoë Ünicode', email: 'zoe@example.com'})")
    wait_for_event(visitor, "statereceived")


def test_duplicate_key_with_group_setting(tandem, site, browser):
    tandem.cli("group", "set", "--id", "1", "--prevent-duplicate-keys", "true")
    tandem.start()
    first = browser.new_context().new_page()
    first.goto(f"{site}/page1.html")
    start_session(first, "'dup-1'")
    second = browser.new_context().new_page()
    second.goto(f"{site}/page1.html")
    wait_ready(second)
    second.evaluate("GLANCE.Cobrowse.Visitor.startSession('dup-1')")
    error = wait_for_event(second, "error")[-1]["data"]
    assert error["code"] == "dupkey"
    assert [e["type"] for e in events(second)] == ["sessionstarting", "error"]
    assert second.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is False
    first.context.close()
    second.context.close()


def test_duplicate_key_allowed_without_the_setting(tandem, site, browser):
    tandem.start()
    pages = []
    for _ in range(2):
        page = browser.new_context().new_page()
        page.goto(f"{site}/page1.html")
        start_session(page, "'dup-2'")
        pages.append(page)
    assert all(p.evaluate("GLANCE.Cobrowse.Visitor.inSession()") for p in pages)
    for p in pages:
        p.context.close()


def test_script_not_loaded(tandem, site, visitor):
    tandem.start()
    visitor.goto(f"{site}/badscripts.html")
    error = wait_for_event(visitor, "error")[-1]["data"]
    assert error["code"] == "SCRIPT_NOT_LOADED"
    assert error["params"]["script"].endswith("/no-such-folder/visitor/main.js")


def test_server_killed_and_restarted_within_grace(tandem, site, visitor, agent):
    tandem.start(visitor_grace=45)
    visitor.goto(f"{site}/page1.html")
    start_session(visitor, "'survivor'")
    call_id = visitor.evaluate("GLANCE.Cobrowse.Visitor.getCallId()")
    agent.goto(f"{tandem.base}/agentjoin?SessionKey=survivor")
    mirror = agent.frame_locator("#mirror")
    expect(mirror.locator("#title")).to_have_text("Hello from page one")

    tandem.stop(signal.SIGKILL)
    wait_for_event(visitor, "connection", predicate="e.data.status === 'reconnecting'")
    tandem.start(visitor_grace=45)
    wait_for_event(visitor, "connection", predicate="e.data.status === 'ok'", timeout=20_000)
    statuses = [e["data"]["status"] for e in events(visitor, "connection")]
    assert statuses[-2:] == ["reconnecting", "ok"]
    assert not events(visitor, "sessionend") and not events(visitor, "error")
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getCallId()") == call_id
    # The agent's viewer reconnects too, and the session goes on live.
    visitor.evaluate("document.getElementById('title').textContent = 'after the restart'")
    expect(mirror.locator("#title")).to_have_text("after the restart", timeout=20_000)


def test_graceful_shutdown_reconnects(tandem, site, visitor):
    tandem.start()
    visitor.goto(f"{site}/page1.html")
    start_session(visitor, "'graceful'")
    # A live agent socket, to see the close code the server sends on SIGTERM.
    token = tandem.token()
    visitor.evaluate(
        """([url]) => new Promise((resolve) => {
            const ws = new WebSocket(url);
            window.__agentClose = null;
            ws.onmessage = (e) => { if (JSON.parse(e.data).t === 'joined') resolve(); };
            ws.onclose = (e) => { window.__agentClose = [e.code, e.reason]; };
        })""",
        [tandem.base.replace("http", "ws") + f"/ws/agent?key=graceful&token={token}"],
    )
    tandem.stop(signal.SIGTERM)
    visitor.wait_for_function("window.__agentClose !== null")
    # 4012 moved: the node drains, the client reconnects at once (to the next node, or here).
    assert visitor.evaluate("window.__agentClose") == [4012, "server shutting down"]
    wait_for_event(visitor, "connection", predicate="e.data.status === 'reconnecting'")
    tandem.start()
    wait_for_event(visitor, "connection", predicate="e.data.status === 'ok'", timeout=20_000)
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is True


def test_a_client_that_ignores_the_close_frame_does_not_keep_the_node_alive(tandem):
    """SIGTERM: the node drains (4012) and exits with status 0 within its bound, even when a
    client never answers the close frame and keeps talking."""
    tandem.start()
    ws, _ = visitor_session(tandem.port, "stubborn-1")
    proc = tandem.proc
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    closes = []
    while proc.poll() is None and time.monotonic() - started < 30:
        frame = None
        try:
            frame = ws.recv_frame(timeout=0.2)
        except Deadline:  # nothing arrived
            pass
        if frame is not None and frame.opcode == CLOSE:
            closes.append(int.from_bytes(frame.payload[:2], "big"))
        if not ws.eof:
            ws.send_frame(TEXT, b'{"t":"visibility","state":"visible"}')  # never the close reply
    elapsed = time.monotonic() - started
    assert closes[:1] == [4012], closes
    assert proc.poll() == 0, "a stop is a normal exit"
    assert elapsed < 12, f"the node took {elapsed:.1f} s to stop"
    tandem.proc = None


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_exits_0_and_warning_level_logs_no_info(tmp_path, sig):
    """`tandem serve --log-level warning`: a session starts (an info line at other levels), then
    SIGINT or SIGTERM is a normal stop: status 0, and no line below warning on either stream."""
    port = free_port()
    proc = subprocess.Popen([str(BINARY), "serve", "--database", str(tmp_path / "t.db"), "--port", str(port),
                             "--demo-root", "none", "--log-level", "warning"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        for _ in range(100):
            try:
                if healthz(port, timeout=1) == 200:
                    break
            except OSError:  # not listening yet
                pass
            time.sleep(0.1)
        ws, _ = visitor_session(port, "quiet-1")
        ws.close()
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    below = [line for line in (out + err).splitlines() if re.search(r"\b(trace|debug|info|notice)\b", line)]
    assert not below, below
