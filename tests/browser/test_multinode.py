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
