"""The session asset channel (issue #14): what only the visitor's browser can load (behind its
login cookie; blob: URLs) reaches the agents through the server, once per session, bounded,
for that session's agents only, and is gone when the session ends."""

import json
import re
import urllib.error
import urllib.request

from conftest import AGENT_PASSWORD, agent_page, mirror, start_session, wait_for_event
from playwright.sync_api import expect
from test_fidelity import corpus  # noqa: F401 (the corpus site: pages and cookie-only assets)


def metric(tandem, name, **labels):
    text = urllib.request.urlopen(tandem.base + "/metrics", timeout=5).read().decode()
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    for line in text.splitlines():
        if line.startswith(name) and (not want or "{" + want + "}" in line or want in line):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def asset_src(agent, selector):
    return mirror(agent).locator(selector).evaluate("el => el.src")


def loaded(agent, selector):
    expect(mirror(agent).locator(selector)).to_have_js_property("complete", True, timeout=15_000)
    assert mirror(agent).locator(selector).evaluate("el => el.naturalWidth") > 0, f"{selector} did not load in the mirror"


def open_session(tandem, corpus, visitor, agent, key, page="asset-images.html"):
    origin = corpus.rsplit("/fidelity", 1)[0]
    tandem.cli("group", "set", "--id", "1", "--asset-rule", f"{origin}=visitor")
    visitor.goto(f"{corpus}/{page}")
    start_session(visitor, repr(key))
    agent.goto(f"{tandem.base}/agentjoin?SessionKey={key}")
    loaded(agent, "#badge")


def test_assets_travel_once_per_session_and_only_to_its_agents(tandem, corpus, browser, visitor, agent):  # noqa: F811
    tandem.start()
    open_session(tandem, corpus, visitor, agent, "assets-1")
    url = asset_src(agent, "#badge")
    assert re.match(rf"^{re.escape(tandem.base)}/assets/\d+/[a-z0-9]+\?key=assets-1$", url), url
    sent = metric(tandem, "tandem_page_frames_total", kind="asset")
    assert sent == 2, sent  # the image and the CSS background
    # Another page of the session with the same assets: nothing is sent again.
    visitor.goto(f"{corpus}/asset-images.html?second")
    visitor.wait_for_function("GLANCE.Cobrowse.Visitor.readyState === 'statereceived'")
    mirror(agent).locator("#badge").wait_for()
    loaded(agent, "#badge")
    assert metric(tandem, "tandem_page_frames_total", kind="asset") == sent

    # Only the session's own agents: another agent of the group is refused (403), nobody
    # signed in gets 401.
    tandem.cli("agent", "add", "--username", "agent2", "--password", AGENT_PASSWORD, "--name", "Agent Two", "--group", "1")
    other = agent_page(browser, tandem, username="agent2")
    try:
        answer = other.request.get(url)
        assert answer.status == 403, answer.status
        assert "only the session's agents" in answer.json()["error"]["message"]
    finally:
        other.context.close()
    try:
        urllib.request.urlopen(url, timeout=5)
        raise AssertionError("an anonymous request got the asset")
    except urllib.error.HTTPError as error:
        assert error.code == 401

    # Gone with the session: the URL answers 404 and no file is left.
    visitor.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")
    wait_for_event(visitor, "sessionend")
    # The visitor's sessionend is local; the agent's `ended` comes after the server removed the files.
    agent.wait_for_function("(window.tandemViewerState.sessionend || {}).reason === 'VisitorLeft'")
    answer = agent.request.get(url)
    assert answer.status == 404, answer.status
    left = [p for p in tandem.tmp_dir.rglob("*") if p.is_file()]
    assert not left, left


def test_blob_images_reach_the_mirror_without_any_rule(tandem, corpus, visitor, agent):  # noqa: F811
    tandem.start()
    tandem.cli("group", "set", "--id", "1", "--asset-rule", "none")
    visitor.goto(f"{corpus}/blob-images.html")
    visitor.evaluate("window.fidelity.ready()")
    start_session(visitor, "'assets-2'")
    agent.goto(f"{tandem.base}/agentjoin?SessionKey=assets-2")
    loaded(agent, "#avatar")
    assert "/assets/" in asset_src(agent, "#avatar")
    visitor.evaluate("window.fidelity.act()")
    loaded(agent, "#later")
    inner = mirror(agent).frame_locator("#frame").locator("#inner")
    expect(inner).to_have_js_property("complete", True, timeout=15_000)
    assert inner.evaluate("el => el.naturalWidth") == 120


def test_the_per_session_bound_is_enforced_with_a_clear_message(tandem, corpus, browser, visitor):  # noqa: F811
    # The `agent` fixture would start the server before the lower limit is set.
    tandem.extra_args += ["--session-asset-limit", "1"]
    tandem.start()
    agent = agent_page(browser, tandem)
    tandem.cli("group", "set", "--id", "1", "--asset-rule", "none")
    visitor.goto(f"{corpus}/blob-images.html")
    start_session(visitor, "'assets-3'")
    agent.goto(f"{tandem.base}/agentjoin?SessionKey=assets-3")
    loaded(agent, "#avatar")
    # 1.5 MB of generated bytes as an image: past this server's 1 MiB for the session.
    visitor.evaluate("""() => {
        const bytes = new Uint8Array(1536 * 1024);
        for (let i = 0; i < bytes.length; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
        const img = new Image(10, 10);
        img.id = 'huge';
        img.src = URL.createObjectURL(new Blob([bytes], {type: 'image/png'}));
        document.body.appendChild(img);
    }""")
    error = wait_for_event(visitor, "error", predicate="e.data.code === 'assetlimit'")[-1]["data"]
    assert "1 MiB" in error["msg"], error
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is True
    agent.context.close()


def test_masked_content_sends_no_assets(tandem, corpus, visitor, agent):  # noqa: F811
    """An image inside masked content is never fetched or uploaded: masking comes first."""
    tandem.start()
    origin = corpus.rsplit("/fidelity", 1)[0]
    tandem.cli("group", "set", "--id", "1", "--asset-rule", f"{origin}=visitor", "--mask", "#badge")
    visitor.goto(f"{corpus}/asset-images.html")
    start_session(visitor, "'assets-4'")
    agent.goto(f"{tandem.base}/agentjoin?SessionKey=assets-4")
    expect(mirror(agent).locator("#badge[data-tandem-masked]")).to_have_count(1)
    visitor.evaluate("window.fidelity.act()")  # one more image, unmasked
    loaded(agent, "#later")
    # The CSS background and the later image; never the masked badge.
    assert metric(tandem, "tandem_page_frames_total", kind="asset") == 2
    assert b"badge.svg\"" not in tandem.captured()
