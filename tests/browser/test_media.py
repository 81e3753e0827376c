"""Live media, agent to visitor: the agent's camera and screen reach the visitor's page over
WebRTC (Chromium's fake camera, microphone and screen), with consent, pause, navigation,
the seed's events on both sides, a custom UI, privileges, and TURN relay through coturn."""

import base64
from contextlib import contextmanager
import hashlib
import hmac
import json
import time
import urllib.parse

from media_events import assert_pinned
from conftest import agent_page, events, start_session, wait_agent_event, wait_for_event
from playwright.sync_api import expect

# Test-side only: keeps every peer connection a page makes, so getStats can be read.
PC_HOOK = """(() => {
  const Native = window.RTCPeerConnection;
  if (!Native) return;
  window.__pcs = [];
  const Wrapped = function (config) { const pc = new Native(config); window.__pcs.push(pc); return pc; };
  Wrapped.prototype = Native.prototype;
  window.RTCPeerConnection = Wrapped;
})();"""
ANIMATE = """(() => {
  const tick = document.createElement('div');
  tick.style.cssText = 'position:fixed;left:0;top:0;width:40px;height:40px;z-index:9;background:#000';
  document.body.appendChild(tick);
  let n = 0;
  setInterval(() => { tick.style.background = `hsl(${(n += 37) % 360} 80% 50%)`; }, 50);
})()"""
AGENT_EVENTS = """window.__agentEvents = [];
document.addEventListener('tandem-agent-event', (e) => window.__agentEvents.push(JSON.parse(JSON.stringify(e.detail))));"""

DECODED = """async () => {
  let n = 0;
  for (const pc of window.__pcs || []) {
    if (pc.connectionState === 'closed') continue;
    (await pc.getStats()).forEach((r) => { if (r.type === 'inbound-rtp' && r.kind === 'video') n += r.framesDecoded || 0; });
  }
  return n;
}"""


def frames_rise(page, timeout=20):
    """Decoded video frames on this page's peer connections, rising over a second."""
    deadline = time.time() + timeout
    first = 0
    while time.time() < deadline:
        first = page.evaluate(DECODED)
        if first > 0:
            break
        page.wait_for_timeout(250)
    assert first > 0, "no video frame decoded"
    page.wait_for_timeout(1200)
    later = page.evaluate(DECODED)
    assert later > first, f"decoded frames did not rise ({first} -> {later})"
    return later


def agent_events(agent, type_=None):
    return [e for e in agent.evaluate("window.__agentEvents || []") if type_ is None or e["type"] == type_]


def open_pair(browser, tandem, site, key, page="media.html", visitor_script=PC_HOOK, listen=None, visitor_context=None, **token_args):
    """A visitor in a session on `page` and the agent's viewer on it. A page whose query names
    `start=KEY` starts the session itself (no user activation: Playwright's evaluate counts as one)."""
    visitor_context = visitor_context or browser.new_context(viewport={"width": 1100, "height": 760})
    visitor_context.add_init_script(visitor_script)
    visitor = visitor_context.new_page()
    if listen:
        listen(visitor)
    agent = agent_page(browser, tandem, **token_args)
    agent.context.add_init_script(AGENT_EVENTS + PC_HOOK)
    visitor.goto(f"{site}/{page}")
    if "start=" not in page:
        start_session(visitor, repr(key))
    agent.goto(f"{tandem.base}/agentjoin?SessionKey={key}&wait=1")
    expect(agent.locator("#status")).to_have_text("Connected", timeout=15_000)
    return visitor, agent


@contextmanager
def paired(browser, tandem, site, key, **kwargs):
    """open_pair for a `with` block: at its end every recorded media event has its pinned shape,
    and both contexts close."""
    visitor, agent = open_pair(browser, tandem, site, key, **kwargs)
    try:
        yield visitor, agent
        assert_pinned(visitor, agent)
    finally:
        visitor.context.close()
        agent.context.close()


def view_frame(visitor, view):
    return visitor.frame_locator(f"#{view}")


def test_agent_video_with_consent_pause_navigation_and_events(tandem, site, browser):
    tandem.start()
    with paired(browser, tandem, site, "media-1") as (visitor, agent):
        agent.click("#media-video")
        # Asked first; nothing flows before the answer.
        expect(visitor.locator("#tandem-glance_agentvideo-prompt")).to_contain_text("Agent One wants to show you their camera")
        assert visitor.evaluate("(window.__pcs || []).length") == 0
        expect(agent.locator("#media-status")).to_contain_text("asking the visitor")
        visitor.click("#tandem-glance_agentvideo-accept")

        frames_rise(visitor)
        new = wait_for_event(visitor, "screenshare", predicate="e.data.state === 'new'")[0]["data"]
        assert new == {"screenshareView": "glance_agentvideo", "agentnum": 1, "state": "new", "paused": False,
                       "params": {"type": "forward"}}
        assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getSessionState('screenshare', 'glance_agentvideo')") == new
        assert visitor.evaluate("GLANCE.Cobrowse.Visitor.getSessionState('screenshare', 'glance_screenshare')") is None
        # The player is Tandem's own window, never part of the mirror.
        expect(visitor.locator("iframe#glance_agentvideo[data-tandem-ignore]")).to_be_visible()
        expect(agent.frame_locator("#mirror").locator("#title")).to_have_text("Agent media, default UI")
        assert agent.frame_locator("#mirror").locator("#glance_agentvideo").count() == 0

        wait_agent_event(agent, "screenshare", "e.data.state === 'accepted'")
        wait_agent_event(agent, "screenshare", "e.data.state === 'joined'")
        states = [e["data"] for e in agent_events(agent, "screenshare")]
        assert states == [{"screenshareView": "glance_agentvideo", "state": "accepted"},
                          {"screenshareView": "glance_agentvideo", "state": "joined"}]
        expect(agent.locator("#media-status")).to_have_text("Visitor sees: your video")
        expect(agent.locator("#self-view")).to_be_visible()

        # viewerinfo from getStats: the camera's size, the shown size, frame rates.
        info = wait_for_event(visitor, "viewerinfo", predicate="e.data.screen && e.data.screen.width > 0")[0]["data"]
        assert info["screenshareView"] == "glance_agentvideo"
        assert info["screen"]["width"] > 0 and info["scaledview"]["width"] > 0
        assert set(info["glance_viewer"]["stats"]) == {"fpslimit", "viewerfps", "displayfps"}

        # Pause and resume.
        agent.click("#media-video-pause")
        wait_for_event(visitor, "screensharepaused")
        assert events(visitor, "screensharepaused")[-1]["data"] == {"screenshareView": "glance_agentvideo"}
        expect(view_frame(visitor, "glance_agentvideo").locator(".paused")).to_be_visible()
        expect(agent.locator("#media-status")).to_contain_text("(paused)")
        agent.click("#media-video-pause")
        wait_for_event(visitor, "screenshareresumed")
        expect(view_frame(visitor, "glance_agentvideo").locator(".paused")).to_be_hidden()

        # The visitor goes to the next page: the video continues there.
        visitor.click("#next")
        visitor.wait_for_url("**/media2.html")
        cont = wait_for_event(visitor, "screenshare", predicate="e.data.state === 'continued'")[0]["data"]
        assert cont == {"screenshareView": "glance_agentvideo", "agentnum": 1, "state": "continued", "paused": False,
                        "params": {"type": "forward"}}
        frames_rise(visitor)
        # No new consent on the next page, and agents hear `joined` only once.
        assert visitor.locator("#tandem-glance_agentvideo-prompt").count() == 0
        visitor.wait_for_timeout(500)
        assert [e["data"]["state"] for e in agent_events(agent, "screenshare")] == ["accepted", "joined"]

        # The agent stops: the view goes, both sides hear `ended`.
        agent.click("#media-video")
        wait_for_event(visitor, "screenshare", predicate="e.data.state === 'ended'")
        expect(visitor.locator("#glance_agentvideo")).to_have_count(0)
        wait_agent_event(agent, "screenshare", "e.data.state === 'ended'")
        expect(agent.locator("#self-view")).to_be_hidden()


def test_agent_screen_share_and_video_together_then_visitor_closes(tandem, site, browser):
    tandem.start()
    with paired(browser, tandem, site, "media-2") as (visitor, agent):
        # Chromium's fake screen is this tab: a capture sends frames when the tab changes.
        agent.evaluate(ANIMATE)
        agent.click("#media-screen")  # a real click: screen capture needs a user gesture
        visitor.click("#tandem-glance_screenshare-accept")
        wait_for_event(visitor, "screenshare", predicate="e.data.screenshareView === 'glance_screenshare' && e.data.state === 'new'")
        frames_rise(visitor)
        wait_agent_event(agent, "screenshare", "e.data.screenshareView === 'glance_screenshare' && e.data.state === 'joined'")
        # Video added to the running call (one peer connection carries both).
        agent.click("#media-video")
        visitor.click("#tandem-glance_agentvideo-accept")
        wait_agent_event(agent, "screenshare", "e.data.screenshareView === 'glance_agentvideo' && e.data.state === 'joined'")
        assert visitor.evaluate("(window.__pcs || []).filter(pc => pc.connectionState !== 'closed').length") == 1
        tracks = visitor.evaluate("""() => ['glance_screenshare', 'glance_agentvideo'].map((id) => {
            const v = document.getElementById(id).contentDocument.querySelector('video');
            return v && v.srcObject ? v.srcObject.getVideoTracks().length : 0; })""")
        assert tracks == [1, 1]
        # The visitor closes the screen share window: the agent hears `ended` and its capture stops.
        view_frame(visitor, "glance_screenshare").locator("button.close").click()
        wait_agent_event(agent, "screenshare", "e.data.screenshareView === 'glance_screenshare' && e.data.state === 'ended'")
        expect(agent.locator("#media-screen")).to_have_text("Share screen")
        expect(agent.locator("#media-status")).to_have_text("Visitor sees: your video")
        # The window can be made larger and dragged; it snaps to a corner.
        frame = visitor.locator("#glance_agentvideo")
        small = frame.bounding_box()
        view_frame(visitor, "glance_agentvideo").locator("button.size").click()
        assert frame.bounding_box()["width"] > small["width"]
        bar = view_frame(visitor, "glance_agentvideo").locator(".bar")
        box = bar.bounding_box()
        visitor.mouse.move(box["x"] + 20, box["y"] + 10)
        visitor.mouse.down()
        visitor.mouse.move(60, 60, steps=8)
        visitor.mouse.up()
        placed = frame.bounding_box()
        assert placed["x"] == 16 and placed["y"] == 16, placed


def test_two_agents_show_their_cameras_side_by_side(tandem, site, browser):
    tandem.cli("agent", "add", "--username", "agent2", "--password", "agent2-password", "--name", "Agent Two", "--group", "1")
    tandem.start()
    with paired(browser, tandem, site, "media-11") as (visitor, agent):
        second = agent_page(browser, tandem, username="agent2", password="agent2-password")
        second.context.add_init_script(AGENT_EVENTS)
        try:
            second.goto(f"{tandem.base}/agentjoin?SessionKey=media-11")
            expect(second.locator("#status")).to_have_text("Connected")
            agent.click("#media-video")
            visitor.click("#tandem-glance_agentvideo-accept")
            second.click("#media-video")
            expect(visitor.locator("#tandem-glance_agentvideo_2-prompt")).to_contain_text("Agent Two")
            visitor.click("#tandem-glance_agentvideo_2-accept")
            wait_agent_event(second, "screenshare", "e.data.screenshareView === 'glance_agentvideo_2' && e.data.state === 'joined'")
            wait_agent_event(agent, "screenshare", "e.data.screenshareView === 'glance_agentvideo' && e.data.state === 'joined'")
            # One peer connection per agent, both decoding; the two windows do not overlap.
            assert visitor.evaluate("window.__pcs.filter(pc => pc.connectionState === 'connected').length") == 2
            frames_rise(visitor)
            a = visitor.locator("#glance_agentvideo").bounding_box()
            b = visitor.locator("#glance_agentvideo_2").bounding_box()
            assert a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"], (a, b)
            # The second agent leaves: its view ends, the first goes on.
            second.click("#leave")
            wait_for_event(visitor, "screenshare", predicate="e.data.screenshareView === 'glance_agentvideo_2' && e.data.state === 'ended'")
            expect(visitor.locator("#glance_agentvideo")).to_be_visible()
            frames_rise(visitor)
        finally:
            second.context.close()


def test_visitor_declines_and_the_agent_capture_stops(tandem, site, browser):
    tandem.start()
    with paired(browser, tandem, site, "media-3") as (visitor, agent):
        agent.click("#media-video")
        visitor.click("#tandem-glance_agentvideo-decline")
        wait_agent_event(agent, "screenshare", "e.data.state === 'declined'")
        expect(agent.locator("#media-video")).to_have_text("Video")
        expect(agent.locator("#self-view")).to_be_hidden()
        assert visitor.evaluate("(window.__pcs || []).length") == 0
        assert not events(visitor, "screenshare")


def test_custom_ui_uses_the_pages_iframes_and_starts_muted(tandem, site, browser):
    tandem.start()
    # The page starts its own session, and nothing here touches it before the video plays: every
    # Playwright evaluate or locator in a page counts as a user gesture there. So the visitor has
    # not used the page, and the agent side tells when the video is playing.
    with paired(browser, tandem, site, "media-4", page="media-custom.html?start=media-4") as (visitor, agent):
        agent.click("#media-video")
        wait_agent_event(agent, "screenshare", "e.data.state === 'joined'")
        agent.wait_for_timeout(1000)
        player = view_frame(visitor, "glance_agentvideo")
        expect(player.locator("button.unmute")).to_be_visible()
        # No prompt of Tandem's: the page's own iframe is the consent, shown by its listener.
        wait_for_event(visitor, "screenshare", predicate="e.data.state === 'new'")
        expect(visitor.locator("#tandem-glance_agentvideo-prompt")).to_have_count(0)
        expect(visitor.locator("iframe#glance_agentvideo")).to_be_visible()
        assert visitor.locator("iframe#glance_agentvideo").get_attribute("data-tandem-ignore") is None
        frames_rise(visitor)
        # The visitor never used the page: sound waits for a click on Unmute.
        assert visitor.evaluate("document.getElementById('glance_agentvideo').contentDocument.querySelector('video').muted") is True
        player.locator("button.unmute").click()
        expect(player.locator("button.unmute")).to_be_hidden()
        assert visitor.evaluate("document.getElementById('glance_agentvideo').contentDocument.querySelector('video').muted") is False
        # The page's iframe is in the mirror, its player is not.
        mirror = agent.frame_locator("#mirror")
        expect(mirror.locator("#glance_agentvideo")).to_have_count(1)
        assert mirror.frame_locator("#glance_agentvideo").locator("video").count() == 0
        # No glance_screenshare iframe on this page: a screen share is declined.
        agent.click("#media-screen")
        wait_agent_event(agent, "screenshare", "e.data.screenshareView === 'glance_screenshare' && e.data.state === 'declined'")
        wait_agent_event(agent, "screensharedeclined")
        # The page reloads: it continues in the page's iframe again.
        visitor.click("#next")
        wait_for_event(visitor, "screenshare", predicate="e.data.state === 'continued'")
        frames_rise(visitor)


def test_privileges_and_a_browser_that_cannot_play(tandem, site, browser):
    tandem.cli("agent", "add", "--username", "viewer-only", "--password", "viewer-only-pass", "--group", "1", "--privileges", "view")
    tandem.start()
    with paired(browser, tandem, site, "media-5", username="viewer-only", password="viewer-only-pass") as (visitor, agent):
        agent.click("#media-video")
        wait_agent_event(agent, "accessdenied", "e.data.media === 'video'")
        agent.click("#media-screen")
        wait_agent_event(agent, "accessdenied", "e.data.media === 'screen'")
        # Nor ask for the visitor's camera or screen.
        agent.click("#media-ask-video")
        wait_agent_event(agent, "accessdenied", "e.data.media === 'visitorvideo'")
        agent.click("#media-ask-screen")
        wait_agent_event(agent, "accessdenied", "e.data.media === 'visitorscreen'")
        expect(agent.locator("#media-video")).to_have_text("Video")
        visitor.wait_for_timeout(300)
        assert visitor.locator("[id^='tandem-glance_']").count() == 0
        assert not agent_events(agent, "screenshare")

    # A browser without WebRTC: viewerclosing on both sides, the agent's capture stops.
    no_rtc = "delete window.RTCPeerConnection; delete window.webkitRTCPeerConnection;"
    with paired(browser, tandem, site, "media-6", visitor_script=no_rtc) as (visitor, agent):
        agent.click("#media-video")
        wait_for_event(visitor, "viewerclosing")
        assert events(visitor, "viewerclosing")[0]["data"] == {"closereason": "PlayerTooSlow"}
        wait_agent_event(agent, "viewerclosing", "e.data.closereason === 'PlayerTooSlow'")
        wait_agent_event(agent, "screenshare", "e.data.state === 'declined'")


def test_relay_only_through_coturn_with_minted_credentials(tandem, site, browser, turn):
    tandem.extra_args += ["--turn-url", turn.url, "--turn-secret", turn.secret, "--turn-ttl", "10"]
    tandem.cli("group", "set", "--id", "1", "--relay-only", "true")
    tandem.start()
    received = []

    def listen(visitor):
        visitor.on("websocket", lambda ws: ws.on("framereceived", lambda f: received.append(f) if isinstance(f, str) else None))

    with paired(browser, tandem, site, "media-7", listen=listen) as (visitor, agent):
        agent.click("#media-video")
        visitor.click("#tandem-glance_agentvideo-accept")
        frames_rise(visitor)
        pair = visitor.evaluate("""async () => {
            const pc = window.__pcs.find((p) => p.connectionState === 'connected');
            const stats = await pc.getStats();
            let pair = null;
            stats.forEach((r) => { if (r.type === 'transport' && r.selectedCandidatePairId) pair = stats.get(r.selectedCandidatePairId); });
            return { local: stats.get(pair.localCandidateId).candidateType, remote: stats.get(pair.remoteCandidateId).candidateType,
                     policy: pc.getConfiguration().iceTransportPolicy };
        }""")
        assert pair == {"local": "relay", "remote": "relay", "policy": "relay"}
        # Credentials the server minted for this visitor: HMAC of expiry:CALLID-v, expiring in 10 s.
        ice = [json.loads(t) for t in received if '"t":"ice"' in t]
        assert ice, "the visitor got its ICE configuration"
        server = ice[0]["iceServers"][0]
        expiry, who = server["username"].split(":", 1)
        assert who.endswith("-v") and abs(int(expiry) - time.time() - 10) < 5
        expected = base64.b64encode(hmac.new(turn.secret.encode(), server["username"].encode(), hashlib.sha1).digest()).decode()
        assert server["credential"] == expected and ice[0]["policy"] == "relay"
        # The static secret itself never reaches the browser.
        assert all(turn.secret not in t for t in received)
        # Before they expire the visitor asks again and the running connection takes the new ones.
        deadline = time.time() + 15
        while time.time() < deadline and len([t for t in received if '"t":"ice"' in t]) < 2:
            visitor.wait_for_timeout(250)
        renewed = [json.loads(t) for t in received if '"t":"ice"' in t]
        assert len(renewed) >= 2 and renewed[-1]["iceServers"][0]["username"] != server["username"]
        in_use = visitor.evaluate("window.__pcs.find((p) => p.connectionState === 'connected').getConfiguration().iceServers[0].username")
        assert in_use == renewed[-1]["iceServers"][0]["username"]
        frames_rise(visitor)


def test_relay_only_without_a_turn_server_is_refused_clearly(tandem, site, browser):
    tandem.cli("group", "set", "--id", "1", "--relay-only", "true")
    tandem.start()
    with paired(browser, tandem, site, "media-8") as (visitor, agent):
        agent.click("#media-video")
        wait_agent_event(agent, "accessdenied", "e.data.media === 'video' && e.data.msg.includes('TURN')")
        assert visitor.locator("#tandem-glance_agentvideo-prompt").count() == 0


def test_reverse_session_confirm_accept_decline_and_end(tandem, site, browser):
    tandem.start()
    with paired(browser, tandem, site, "media-9", page="media-reverse.html") as (visitor, agent):
        agent.evaluate(ANIMATE)
        # Invited; the page's reverseconfirm listener declines.
        agent.click("#media-reverse")
        wait_for_event(visitor, "reverseconfirm")
        assert visitor.locator("#tandem-glance_screenshare-prompt").count() == 0  # the page answers, not Tandem
        visitor.evaluate("window.__reverse.decline()")
        wait_agent_event(agent, "screenshare", "e.data.screenshareView === 'glance_screenshare' && e.data.state === 'declined'")
        expect(agent.locator("#media-reverse")).to_be_visible()
        assert visitor.evaluate("(window.__pcs || []).length") == 0

        # Invited again and accepted: the visitor views the agent's screen, type reverse.
        agent.click("#media-reverse")
        visitor.wait_for_function("window.__events.filter(e => e.type === 'reverseconfirm').length === 2")
        visitor.evaluate("window.__reverse.accept()")
        shown = wait_for_event(visitor, "screenshare", predicate="e.data.state === 'new'")[0]["data"]
        assert shown["params"] == {"type": "reverse"} and shown["screenshareView"] == "glance_screenshare"
        frames_rise(visitor)
        expect(agent.locator("#media-status")).to_contain_text("reverse session")
        # The agent ends it: reverseended, and the view goes.
        agent.click("#media-screen")
        wait_for_event(visitor, "reverseended")
        ended = wait_for_event(visitor, "screenshare", predicate="e.data.state === 'ended'")[0]["data"]
        assert ended["params"] == {"type": "reverse"}
        expect(visitor.locator("#glance_screenshare")).to_have_count(0)

        # Ended while the invitation is still unanswered: reverseended tells the page to hide it.
        agent.click("#media-reverse")
        visitor.wait_for_function("window.__events.filter(e => e.type === 'reverseconfirm').length === 3")
        agent.click("#media-screen")
        visitor.wait_for_function("window.__events.filter(e => e.type === 'reverseended').length === 2")


def test_reverse_session_with_the_default_prompt(tandem, site, browser):
    tandem.start()
    with paired(browser, tandem, site, "media-10") as (visitor, agent):
        agent.evaluate(ANIMATE)
        agent.click("#media-reverse")
        expect(visitor.locator("#tandem-glance_screenshare-prompt")).to_contain_text("invites you to view their screen")
        visitor.click("#tandem-glance_screenshare-accept")
        frames_rise(visitor)
        wait_agent_event(agent, "screenshare", "e.data.screenshareView === 'glance_screenshare' && e.data.state === 'joined'")


def test_a_crm_page_drives_media_through_the_agent_api(tandem, site, browser):
    tandem.start()
    context = browser.new_context()
    context.add_cookies([{"name": "tandem_agent", "value": tandem.token(), "url": tandem.base}])
    crm = context.new_page()
    visitor_context = browser.new_context()
    visitor_context.add_init_script(PC_HOOK)
    visitor = visitor_context.new_page()
    try:
        visitor.goto(f"{site}/media.html")
        start_session(visitor, "'media-12'")
        viewer = f"{tandem.base}/agentjoin?SessionKey=media-12"
        crm.goto(f"{site}/crm-media.html?viewer={urllib.parse.quote(viewer, safe='')}")
        crm.wait_for_function("window.__agentEvents.some(e => e.type === 'agents')")
        crm.evaluate("GLANCE.Cobrowse.Agent.agentVideoStart()")
        visitor.click("#tandem-glance_agentvideo-accept")
        frames_rise(visitor)
        wait_agent_event(crm, "screenshare", "e.data.state === 'joined'")
        assert crm.evaluate("GLANCE.Cobrowse.Agent.getSessionState('screenshare', 'glance_agentvideo')") == {
            "screenshareView": "glance_agentvideo", "state": "joined"}
        crm.evaluate("GLANCE.Cobrowse.Agent.toggleAgentVideo()")
        wait_for_event(visitor, "screensharepaused")
        crm.evaluate("GLANCE.Cobrowse.Agent.toggleAgentVideo()")
        wait_for_event(visitor, "screenshareresumed")
        # The visitor's video, asked for from the CRM page.
        crm.evaluate("GLANCE.Cobrowse.Agent.requestVisitorVideo(true)")
        visitor.click("#tandem-glance_visitorvideo-accept")
        wait_agent_event(crm, "visitorvideorequest", "e.data.response === 'accepted'")
        wait_agent_event(crm, "visitorvideo", "e.data.camerastatus === 'available' && e.data.sessionkey === 'media-12'")
        crm.evaluate("GLANCE.Cobrowse.Agent.requestVisitorVideo(false)")
        wait_for_event(visitor, "visitorvideoended")
        crm.evaluate("GLANCE.Cobrowse.Agent.agentVideoEnd()")
        wait_for_event(visitor, "screenshare", predicate="e.data.state === 'ended'")
        assert_pinned(visitor, crm)
    finally:
        context.close()
        visitor_context.close()
