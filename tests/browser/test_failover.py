"""Failover and rolling restarts on three nodes behind the shipped deploy/nginx.conf (issue #19):
kill -9 of the node holding a session (twice in a row), SIGTERM of the holder (it drains), and a
rolling restart of every node while the session runs with page changes between. Each time the
visitor sees `connection {status:'reconnecting'}` then `'ok'`, the agent sees live changes again
within 5 seconds, and the key, call id, user state and agent list are kept; nothing ends. The
shipped deploy/haproxy.cfg is run too (kill -9 and a drain), and both balancers must send a
WebSocket upgrade on a fresh connection to its node."""

import base64
import os
import signal
import time

import pytest
from cluster import HAPROXY, holding, needs_cluster, run_cluster
from conftest import AGENT_USER, events, start_session, wait_for_event
from playwright.sync_api import expect
from rawws import http_connect, read_response

pytestmark = needs_cluster

# From the moment a node goes to the agent seeing the visitor's next change.
LIVE_AGAIN_MS = 5000


@pytest.fixture
def cluster(tmp_path):
    yield from run_cluster(tmp_path, count=3, visitor_grace=30)


@pytest.fixture
def haproxy_cluster(tmp_path):
    if not HAPROXY:
        pytest.skip("SKIPPED: needs haproxy (scripts/test installs it)")
    yield from run_cluster(tmp_path, count=3, visitor_grace=30, balancer="haproxy")


def open_session(cluster, browser, key):
    base, site, nodes = cluster["base"], cluster["site"], cluster["nodes"]
    visitor = browser.new_context(viewport={"width": 1000, "height": 700}).new_page()
    visitor.goto(f"{site}/page1.html")
    start_session(visitor, repr(key))
    visitor.evaluate("GLANCE.Cobrowse.Visitor.setUserState('cart', {items: 3})")
    agent_context = browser.new_context(viewport={"width": 1300, "height": 900}, bypass_csp=True)
    agent_context.add_cookies([{"name": "tandem_agent", "value": nodes[0].token(), "url": base}])
    agent = agent_context.new_page()
    agent.goto(f"{base}/agentjoin?SessionKey={key}")
    expect(agent.frame_locator("#mirror").locator("#title")).to_have_text("Hello from page one")
    wait_for_event(visitor, "agents", predicate="e.data.count === 1")
    return visitor, agent, visitor.evaluate("GLANCE.Cobrowse.Visitor.getCallId()")


def the_holder(nodes):
    deadline = time.time() + 5
    while time.time() < deadline:
        held = holding(nodes)
        if len(held) == 1:
            return held[0]
        time.sleep(0.1)
    raise AssertionError(f"expected exactly one node to hold the session, got {len(holding(nodes))}")


def live_again(visitor, agent, text):
    """The visitor's page changes now; the agent must see it within LIVE_AGAIN_MS."""
    visitor.evaluate(f"document.getElementById('title').textContent = {text!r}")
    expect(agent.frame_locator("#mirror").locator("#title")).to_have_text(text, timeout=LIVE_AGAIN_MS)


def reconnected(visitor, since):
    """The visitor said `reconnecting` then `ok` after event number `since`, and nothing ended."""
    wait_for_event(visitor, "connection", predicate="e.data.status === 'ok'", timeout=LIVE_AGAIN_MS)
    visitor.wait_for_function(
        f"(() => {{ const s = window.__events.slice({since}).filter(e => e.type === 'connection').map(e => e.data.status);"
        " return s.length >= 2 && s[s.length - 2] === 'reconnecting' && s[s.length - 1] === 'ok'; })()",
        timeout=LIVE_AGAIN_MS)


def kept(visitor, key, call_id):
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getKey()") == key
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getCallId()") == call_id
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getUserState('cart')") == {"items": 3}
    wait_for_event(visitor, "agents")
    last = events(visitor, "agents")[-1]["data"]
    assert last["count"] == 1 and [a["username"] for a in last["agentlist"]] == [AGENT_USER], last
    assert not events(visitor, "sessionend") and not [e for e in events(visitor, "error")], events(visitor, "error")


def test_kill_9_of_the_holder_twice_in_a_row(cluster, browser):
    kill_twice(cluster, browser)


def test_kill_9_and_a_drain_behind_haproxy(haproxy_cluster, browser):
    """The same with deploy/haproxy.cfg in front, then a SIGTERM of the holder."""
    kill_twice(haproxy_cluster, browser, rounds=1)
    nodes = haproxy_cluster["nodes"]
    visitor, agent = haproxy_cluster["pages"]
    holder = the_holder(nodes)
    since = len(events(visitor))
    holder.stop(signal.SIGTERM)
    live_again(visitor, agent, "after the drain")
    reconnected(visitor, since)


def upgrade_after_a_request(base, site):
    """On one client connection: a plain request, then a WebSocket upgrade for the same key (so
    the balancer picks the same node). Returns the upgrade's status line."""
    port = int(base.rsplit(":", 1)[1])
    with http_connect(port) as s:
        s.sendall(f"GET /healthz?key=same-1 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        read_response(s, want_close=False)
        key = base64.b64encode(os.urandom(16)).decode()
        s.sendall((f"GET /ws/visitor?key=same-1&groupid=1&v=1 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                   f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: {site}\r\n\r\n").encode())
        return read_response(s, want_close=False).status_line


@pytest.mark.parametrize("balancer", ["cluster", "haproxy_cluster"])
def test_a_websocket_upgrade_after_a_plain_request_reaches_a_node(balancer, request):
    """Tandem upgrades only the first request of a connection (a later one gets a 307 browsers do
    not follow): the shipped balancer configs must not send an upgrade on a reused connection."""
    c = request.getfixturevalue(balancer)
    assert [upgrade_after_a_request(c["base"], c["site"]) for _ in range(3)] == ["HTTP/1.1 101 Switching Protocols"] * 3


def kill_twice(cluster, browser, rounds=2):
    nodes = cluster["nodes"]
    visitor, agent, call_id = open_session(cluster, browser, "failover-1")
    cluster["pages"] = (visitor, agent)
    for round_ in range(1, rounds + 1):
        holder = the_holder(nodes)
        since = len(events(visitor))
        holder.stop(signal.SIGKILL)
        live_again(visitor, agent, f"after kill {round_}")
        reconnected(visitor, since)
        assert the_holder(nodes) is not holder
        kept(visitor, "failover-1", call_id)
    # The next page still reaches the holder (nginx routes the key to a living node).
    visitor.click("#next")
    expect(agent.frame_locator("#mirror").locator("#title")).to_have_text("Welcome to page two", timeout=LIVE_AGAIN_MS)
    kept(visitor, "failover-1", call_id)


def test_sigterm_of_the_holder_drains_it(cluster, browser):
    nodes = cluster["nodes"]
    visitor, agent, call_id = open_session(cluster, browser, "drain-1")
    holder = the_holder(nodes)
    since = len(events(visitor))
    started = time.monotonic()
    holder.stop(signal.SIGTERM)
    assert time.monotonic() - started < 10, "the drained node exits promptly"
    live_again(visitor, agent, "after the drain")
    reconnected(visitor, since)
    assert holder.proc is None
    kept(visitor, "drain-1", call_id)
    # The node comes back: the key hashes to it again and it takes the session back, with the
    # agent following (the node that held it meanwhile lets go with `moved`).
    holder.start(visitor_grace=30)
    visitor.click("#next")
    expect(agent.frame_locator("#mirror").locator("#title")).to_have_text("Welcome to page two", timeout=LIVE_AGAIN_MS)
    assert the_holder(nodes) is holder
    live_again(visitor, agent, "back on the first node")
    kept(visitor, "drain-1", call_id)


def test_rolling_restart_of_every_node(cluster, browser):
    nodes = cluster["nodes"]
    visitor, agent, call_id = open_session(cluster, browser, "rolling-1")
    pages = ["#next", "#back"]
    for i, node in enumerate(nodes):
        since = len(events(visitor))
        was_holder = node is the_holder(nodes)
        node.stop(signal.SIGTERM)
        live_again(visitor, agent, f"{i}: {node.port} stopped")
        if was_holder:
            reconnected(visitor, since)
        node.start(visitor_grace=30)
        # The visitor goes on browsing: each page lands on the node that holds the key now.
        visitor.click(pages[i % 2])
        wait_for_event(visitor, "statereceived")
        live_again(visitor, agent, f"{i}: {node.port} back")
        kept(visitor, "rolling-1", call_id)
        assert len(holding(nodes)) == 1, "one node holds the session; the others let go"
    agent_status = agent.locator("#status").text_content()
    assert "Connected" in agent_status, agent_status
