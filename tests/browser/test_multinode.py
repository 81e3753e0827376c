"""Two Tandem nodes behind nginx, sharing one PostgreSQL database (deploy/nginx.conf's routing):
every connection of a session reaches the node that holds it, whatever node served the rest;
tokens, records and the duplicate-key rule are shared; restarting the other node does not end
the session. The nodes run behind the shipped deploy/nginx.conf (tests/browser/cluster.py)."""

import json
import threading
import time
import urllib.request
from functools import partial
from http.server import ThreadingHTTPServer

import pytest

from cluster import metric, needs_cluster, run_cluster
from conftest import AGENT_USER, SiteHandler, events, start_session, wait_for_event
from playwright.sync_api import expect

pytestmark = needs_cluster


@pytest.fixture
def cluster(tmp_path):
    yield from run_cluster(tmp_path, count=2)


def test_a_session_lives_on_one_node_behind_nginx(cluster, browser):
    nodes, base, site = cluster["nodes"], cluster["base"], cluster["site"]
    # A token from one node works on the other: they share the signing secret.
    token = nodes[0].token()
    with urllib.request.urlopen(urllib.request.Request(nodes[1].base + "/api/v1/me", headers={"Authorization": f"Bearer {token}"})) as r:
        assert json.loads(r.read())["username"] == AGENT_USER

    visitor = browser.new_context(viewport={"width": 1000, "height": 700}).new_page()
    visitor.goto(f"{site}/page1.html")
    start_session(visitor, "'multi-1'")
    agent_context = browser.new_context(viewport={"width": 1300, "height": 900}, bypass_csp=True)
    agent_context.add_cookies([{"name": "tandem_agent", "value": token, "url": base}])
    agent = agent_context.new_page()
    agent.goto(f"{base}/agentjoin?SessionKey=multi-1")
    mirror = agent.frame_locator("#mirror")
    expect(mirror.locator("#title")).to_have_text("Hello from page one")

    holder = [n for n in nodes if metric(n, "tandem_sessions_active") == 1]
    assert len(holder) == 1, "exactly one node holds the session"
    holder, other = holder[0], next(n for n in nodes if n is not holder[0])
    assert metric(other, "tandem_page_frames_total") == 0, "no page frame went through the other node"

    # A new page continues on the same node (the key routes the continue too).
    visitor.click("#next")
    expect(mirror.locator("#title")).to_have_text("Welcome to page two")
    assert metric(other, "tandem_sessions_active") == 0

    # The duplicate-key rule holds across nodes: the same key, sent straight to the other node.
    clash = browser.new_context().new_page()
    other_site = ThreadingHTTPServer(("127.0.0.1", 0), partial(SiteHandler, tandem_base=other.base))
    threading.Thread(target=other_site.serve_forever, daemon=True).start()
    clash.goto(f"http://127.0.0.1:{other_site.server_address[1]}/page1.html")
    clash.evaluate("GLANCE.Cobrowse.Visitor.startSession('multi-1')")
    wait_for_event(clash, "error")
    assert events(clash, "error")[-1]["data"]["code"] == "dupkey"
    other_site.shutdown()

    # Restarting the other node (visitor grace 3 s) does not end the session it never held.
    other.stop()
    other.start(visitor_grace=3)
    time.sleep(5)
    visitor.evaluate("document.getElementById('title').textContent = 'Still live'")
    expect(mirror.locator("#title")).to_have_text("Still live")

    # Records are shared: an administrator on either node sees the session with its agent.
    other.cli("agent", "add", "--username", "root", "--password", "root-password", "--admin")
    admin = other.token("root", "root-password")
    request = urllib.request.Request(base + "/api/v1/groups/1/sessions", headers={"Authorization": f"Bearer {admin}"})
    with urllib.request.urlopen(request) as r:
        sessions = json.loads(r.read())
    assert [(s["key"], s.get("endedAt")) for s in sessions] == [("multi-1", None)]
    assert [p["username"] for p in sessions[0]["participants"]] == [AGENT_USER]
    agent_context.close()
    visitor.context.close()
    clash.context.close()


def test_shared_documents_reach_the_node_that_holds_the_session(cluster):
    """Uploads and reads carry the session key, so nginx sends them to the session's node, which
    keeps the file; a different key reaches no file."""
    import doc_fixtures as fx
    from rawws import agent_socket, visitor_session

    base = cluster["base"]
    port = int(base.rsplit(":", 1)[1])
    token = cluster["nodes"][0].token()
    pdf = fx.multipage_pdf(2)
    # Keys until both nodes held one (nginx's hash spreads them; the ports differ every run).
    for i in range(16):
        if i >= 2 and all(metric(n, "tandem_sessions_started_total") > 0 for n in cluster["nodes"]):
            break
        key = f"docs-{i}"
        visitor, session = visitor_session(port, key)
        agent = agent_socket(port, key, token)
        assert agent.recv_json(5, want="joined")
        request = urllib.request.Request(f"{base}/documents/{session['callid']}?key={key}&name=a.pdf", data=pdf, method="POST",
                                         headers={"Authorization": f"Bearer {token}"})
        with urllib.request.urlopen(request, timeout=20) as r:
            assert r.status == 201
            preview = json.loads(r.read())
        agent.send_json({"t": "doc", "action": "share", "id": preview["id"]})
        opened = visitor.recv_json(10, want="doc")
        assert opened["action"] == "open", opened
        with urllib.request.urlopen(base + opened["src"], timeout=10) as r:
            assert r.read() == pdf
        wrong = opened["src"].replace(f"key={key}", "key=elsewhere")
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(base + wrong, timeout=10)
        visitor.close()
        agent.close()
    assert all(metric(n, "tandem_sessions_started_total") > 0 for n in cluster["nodes"]), "both nodes held documents"


def test_presence_across_nodes(cluster, browser):
    """A visitor whose presence socket is on node A is listed, watched, signalled and invited
    by an agent whose CRM talks to node B only (no load balancer between: each page is pointed
    at one node), and a signal sent while it is between two pages reaches its next page on B."""
    a, b = cluster["nodes"]
    sites = {}
    for name, node in (("a", a), ("b", b)):
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(SiteHandler, tandem_base=node.base))
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        sites[name] = httpd
    site_a = f"http://127.0.0.1:{sites['a'].server_address[1]}"
    site_b = f"http://127.0.0.1:{sites['b'].server_address[1]}"
    crm_b = site_b.replace("127.0.0.1", "localhost")
    b.cli("group", "set", "--id", "1", "--presence-origin", crm_b)
    token = b.token(groupid=1)

    visitor = browser.new_context().new_page()
    visitor.goto(f"{site_a}/presence.html?vid=cross-1")
    visitor.wait_for_function("(window.__presence || []).some(e => e.type === 'connected')")
    crm = browser.new_context().new_page()
    crm.goto(f"{crm_b}/presence-agent.html")
    crm.evaluate("(t) => GLANCE.Presence.Agent.setAuthorizationToken(t)", token)

    # Listed and looked up on B.
    crm.wait_for_function("call('cross-1', 'lookupVisitor').then(r => r.ok)", timeout=5000)
    found = crm.evaluate("call('cross-1', 'lookupVisitor')")["info"]
    assert found["visitorpresent"] and found["socket"] and found["data"]["cart"] == 2, found
    request = urllib.request.Request(f"{b.base}/api/v1/presence/visitors?groupid=1", headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request) as r:
        assert [v["visitorid"] for v in json.loads(r.read())] == ["cross-1"]
    assert metric(b, "tandem_sessions_active") == 0

    # Watched from B: events from A's socket reach it.
    crm.evaluate("window.watch('cross-1')")
    crm.wait_for_function("window.__agent.some(e => e.type === 'visitorconn' && e.data.connected === true)")
    visitor.evaluate("pv.presence({data: {cart: 4}})")
    crm.wait_for_function("window.__agent.some(e => e.type === 'presence' && e.data.cart === 4)", timeout=5000)

    # Signalled from B.
    assert crm.evaluate("call('cross-1', 'signalVisitor', {data: {hello: 'from B'}})")["ok"]
    visitor.wait_for_function("window.__presence.some(e => e.type === 'signal' && e.data.hello === 'from B')", timeout=5000)

    # Between two pages (its socket closed on A), a signal from B waits; its next page, on
    # B this time, gets it within the 5-second window.
    visitor.evaluate("pv.disconnect()")
    crm.wait_for_function("window.__agent.some(e => e.type === 'visitorsock' && e.data.connected === false)", timeout=5000)
    time.sleep(0.5)
    assert crm.evaluate("call('cross-1', 'signalVisitor', {data: {hello: 'queued'}})")["ok"]
    visitor.goto(f"{site_b}/presence.html?vid=cross-1&page=2")
    visitor.wait_for_function("(window.__presence || []).some(e => e.type === 'signal' && e.data.hello === 'queued')", timeout=5000)

    # Invited from B: the session starts on the visitor's page, and B's watcher hears of it.
    visitor.goto(f"{site_a}/presence.html?vid=cross-1&page=3")
    visitor.wait_for_function("(window.__presence || []).some(e => e.type === 'connected')")
    time.sleep(0.5)
    invoked = crm.evaluate(
        "call('cross-1', 'invokeVisitor', {func: 'GLANCE.Cobrowse.Visitor.startSession', args: {sessionKey: 'cross-key'}})")
    assert invoked["ok"], invoked
    wait_for_event(visitor, "sessionstart")
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getKey()") == "cross-key"
    crm.wait_for_function("window.__agent.some(e => e.type === 'visitorsessionstart')", timeout=5000)
    for httpd in sites.values():
        httpd.shutdown()
    visitor.context.close()
    crm.context.close()
