"""Live media, visitor to agents: the visitor's camera and screen, asked for by an agent (or the
camera started with the session), with the seed's events on both sides, toggleVideo /
toggleVideoSize, the camera again after a navigation, cameras refused, absent or silent, and
visitor screen share requested, declined, stopped from either side, unsupported or turned off."""

from conftest import CHROMIUM, agent_page, events, wait_for_event
from playwright.sync_api import expect
from test_media import ANIMATE, PC_HOOK, agent_events, frames_rise, paired, wait_agent_event

def visitor_events(visitor, type_):
    return [e["data"] for e in events(visitor, type_)]


def test_visitor_video_requested_accepted_toggled_and_continued(tandem, site, browser):
    tandem.start()
    with paired(browser, tandem, site, "vm-1") as (visitor, agent):
        agent.click("#media-ask-video")
        expect(visitor.locator("#tandem-glance_visitorvideo-prompt")).to_contain_text("Agent One asks to see you on camera")
        expect(visitor.locator("#tandem-camera-choice option")).not_to_have_count(0)
        source = visitor.locator("#tandem-camera-choice").input_value()
        visitor.click("#tandem-glance_visitorvideo-accept")

        accepted = wait_for_event(visitor, "visitorvideoaccepted")[0]["data"]
        assert accepted == {"camerastatus": "available", "video": "small", "videobgfilter": False, "videobgtype": "blur",
                            "videopaused": False, "videosource": source}
        wait_for_event(visitor, "visitorvideocreated")
        assert visitor_events(visitor, "visitorvideo")[0] == {"video": "small", "camerastatus": "available"}
        started = wait_for_event(visitor, "visitorvideostarted")[0]["data"]
        assert started["width"] > 0 and started["height"] > 0
        expect(visitor.locator("video#glance_videopreview[data-tandem-ignore]")).to_be_visible()

        frames_rise(agent)
        expect(agent.locator("#visitor-video")).to_be_visible()
        wait_agent_event(agent, "visitorvideorequest", "e.data.response === 'accepted'")
        wait_agent_event(agent, "visitorvideo")
        assert agent_events(agent, "visitorvideo")[0]["data"] == {
            "agentviewerelementid": "visitor-video", "camerastatus": "available", "paused": False,
            "previewelementid": "glance_videopreview", "sessionkey": "vm-1", "video": "small"}

        # toggleVideo: paused, then resumed (both of the seed's names).
        visitor.evaluate("GLANCE.Cobrowse.Visitor.toggleVideo()")
        wait_for_event(visitor, "visitorvideopaused")
        wait_agent_event(agent, "visitorvideo", "e.data.paused === true")
        expect(agent.locator("#visitor-video.paused")).to_be_visible()
        visitor.evaluate("GLANCE.Cobrowse.Visitor.toggleVideo()")
        wait_for_event(visitor, "visitorvideoresume")
        wait_for_event(visitor, "visitorvideoresumed")
        agent.wait_for_function("(window.__agentEvents || []).filter(e => e.type === 'visitorvideo').at(-1).data.paused === false")
        # toggleVideoSize: small -> large.
        visitor.evaluate("GLANCE.Cobrowse.Visitor.toggleVideoSize()")
        wait_for_event(visitor, "visitorvideoresize")
        wait_agent_event(agent, "visitorvideo", "e.data.video === 'large'")
        assert visitor.locator("#glance_videopreview").bounding_box()["width"] == 320

        # Paused, the visitor goes to the next page: the camera goes on there (no new question),
        # `visitorvideo` and then `visitorvideopaused` again; unpaused, the agent decodes it again.
        visitor.evaluate("GLANCE.Cobrowse.Visitor.toggleVideo()")
        wait_agent_event(agent, "visitorvideo", "e.data.paused === true && e.data.video === 'large'")
        visitor.click("#next")
        visitor.wait_for_url("**/media2.html")
        wait_for_event(visitor, "visitorvideopaused")
        order = [e["type"] for e in events(visitor) if e["type"] in ("visitorvideo", "visitorvideopaused")]
        assert order == ["visitorvideo", "visitorvideopaused"]
        assert visitor_events(visitor, "visitorvideo") == [{"video": "large", "camerastatus": "available"}]
        assert visitor.locator("#tandem-glance_visitorvideo-prompt").count() == 0
        visitor.evaluate("GLANCE.Cobrowse.Visitor.toggleVideo()")
        wait_for_event(visitor, "visitorvideoresumed")
        agent.wait_for_timeout(1500)
        frames_rise(agent)

        # The tab goes to the background and comes back (headless Chromium keeps every tab visible:
        # the page's visibility is played here): `visitorvideo` again.
        visitor.evaluate("""() => {
            for (const state of ['hidden', 'visible']) {
                Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
                document.dispatchEvent(new Event('visibilitychange'));
            }
        }""")
        visitor.wait_for_function("window.__events.filter(e => e.type === 'visitorvideo').length === 2")

        # The agent's viewer is reloaded: it asks the visitor for a new connection and decodes again.
        agent.reload()
        expect(agent.locator("#status")).to_have_text("Connected", timeout=15_000)
        frames_rise(agent)
        expect(agent.locator("#visitor-video")).to_be_visible()

        # The agent pauses the visitor's video: participantvideopaused.
        agent.click("#media-visitor-pause")
        wait_for_event(visitor, "participantvideopaused")
        wait_for_event(visitor, "visitorvideopaused")
        # The agent ends it.
        agent.click("#media-ask-video")
        wait_for_event(visitor, "visitorvideoended")
        wait_for_event(visitor, "visitorvideostopped")
        expect(visitor.locator("#glance_videopreview")).to_have_count(0)
        expect(agent.locator("#visitor-video")).to_be_hidden()


def test_the_page_answers_with_video_params_or_declines(tandem, site, browser):
    tandem.start()
    with paired(browser, tandem, site, "vm-2", page="media-own.html") as (visitor, agent):
        agent.click("#media-ask-video")
        wait_for_event(visitor, "visitorvideorequested")
        assert visitor.locator("#tandem-glance_visitorvideo-prompt").count() == 0
        visitor.evaluate("window.__visitorvideorequested.decline()")
        wait_for_event(visitor, "visitorvideodeclined")
        wait_agent_event(agent, "visitorvideorequest", "e.data.response === 'declined'")

        agent.click("#media-ask-video")
        visitor.wait_for_function("window.__events.filter(e => e.type === 'visitorvideorequested').length === 2")
        visitor.evaluate("window.__visitorvideorequested.accept({video: 'large', videopaused: true, previewelementid: 'my-preview'})")
        accepted = wait_for_event(visitor, "visitorvideoaccepted")[0]["data"]
        assert accepted["video"] == "large" and accepted["videopaused"] is True
        wait_for_event(visitor, "visitorvideopaused")
        wait_agent_event(agent, "visitorvideo", "e.data.paused === true && e.data.video === 'large'")
        # The page's own preview element shows the camera; Tandem adds none.
        visitor.wait_for_function("document.getElementById('my-preview').srcObject !== null")
        assert visitor.locator("#glance_videopreview").count() == 0


def test_camera_refused_absent_or_silent_still_reports(tandem, site, browser):
    tandem.start()
    # Real browsers: a camera whose permission is refused (blocked), and permission given on a
    # machine without a camera (nocamera). visitorvideo fires in both, and agents hear of it.
    cases = (("vm-3b", ["--use-fake-device-for-media-stream"], [], "blocked"), ("vm-4b", [], ["camera", "microphone"], "nocamera"))
    for key, args, permissions, status in cases:
        other = browser.browser_type.launch(executable_path=CHROMIUM, args=["--disable-dev-shm-usage", *args])
        try:
            with paired(browser, tandem, site, key, visitor_context=other.new_context(permissions=permissions)) as (visitor, agent):
                agent.click("#media-ask-video")
                visitor.click("#tandem-glance_visitorvideo-accept")
                wait_for_event(visitor, "visitorvideo")
                assert visitor_events(visitor, "visitorvideo")[0] == {"video": "small", "camerastatus": status}
                wait_agent_event(agent, "visitorvideo", f"e.data.camerastatus === '{status}'")
                assert not events(visitor, "visitorvideostarted")
                expect(agent.locator("#visitor-video")).to_be_hidden()
        finally:
            other.close()

    # A camera that never answers (an unanswered permission prompt): the timeout event after 5 s.
    script = PC_HOOK + "\nnavigator.mediaDevices.getUserMedia = () => new Promise(() => {});"
    with paired(browser, tandem, site, "vm-5", visitor_script=script) as (visitor, agent):
        agent.click("#media-ask-video")
        visitor.click("#tandem-glance_visitorvideo-accept")
        visitor.wait_for_timeout(2500)
        assert not events(visitor, "visitorvideotimeout")
        wait_for_event(visitor, "visitorvideotimeout", timeout=6000)


def test_a_session_started_with_video(tandem, site, browser):
    tandem.start()
    context = browser.new_context()
    visitor = context.new_page()
    agent = None
    try:
        visitor.goto(f"{site}/media.html")
        visitor.evaluate("GLANCE.Cobrowse.Visitor.startSession({sessionKey: 'vm-6', video: 'small'})")
        wait_for_event(visitor, "visitorvideostarted")
        agent = agent_page(browser, tandem)
        agent.context.add_init_script(PC_HOOK)
        agent.goto(f"{tandem.base}/agentjoin?SessionKey=vm-6")
        frames_rise(agent)
        expect(agent.locator("#visitor-video")).to_be_visible()
    finally:
        context.close()
        if agent:
            agent.context.close()


def test_visitor_screen_share_from_both_sides(tandem, site, browser):
    tandem.start()
    with paired(browser, tandem, site, "vm-7") as (visitor, agent):
        visitor.evaluate(ANIMATE)  # the fake screen is the visitor's tab: it changes, frames flow
        agent.click("#media-ask-screen")
        expect(visitor.locator("#tandem-glance_visitorscreenshare-prompt")).to_contain_text("Masking cannot hide anything")
        visitor.click("#tandem-glance_visitorscreenshare-decline")
        wait_for_event(visitor, "visitorscreensharedeclined")
        wait_agent_event(agent, "screensharedeclined")

        agent.click("#media-ask-screen")
        visitor.click("#tandem-glance_visitorscreenshare-accept")
        wait_for_event(visitor, "visitorscreenshareaccepted")
        wait_for_event(visitor, "visitorscreensharestarted")
        wait_agent_event(agent, "visitorscreensharestarted")
        frames_rise(agent)
        expect(agent.locator("#visitor-screen")).to_be_visible()
        # The agent stops it.
        agent.click("#media-ask-screen")
        wait_for_event(visitor, "pausevisitorscreenshare")
        wait_for_event(visitor, "visitorscreenshareended")
        wait_agent_event(agent, "visitorscreensharestopped")
        expect(agent.locator("#visitor-screen")).to_be_hidden()

        # Shared again, then stopped by the visitor (the browser's own "Stop sharing").
        agent.click("#media-ask-screen")
        visitor.click("#tandem-glance_visitorscreenshare-accept")
        wait_agent_event(agent, "visitorscreensharestarted", "true")
        visitor.wait_for_function("window.__events.filter(e => e.type === 'visitorscreensharestarted').length === 2")
        visitor.evaluate("""() => { for (const pc of window.__pcs) for (const s of pc.getSenders())
            if (s.track && s.track.kind === 'video') s.track.dispatchEvent(new Event('ended')); }""")
        visitor.wait_for_function("window.__events.filter(e => e.type === 'visitorscreenshareended').length === 2")
        agent.wait_for_function("window.__agentEvents.filter(e => e.type === 'visitorscreensharestopped').length === 2")

        # Shared again, then the visitor leaves the page: a capture ends with its page.
        agent.click("#media-ask-screen")
        visitor.click("#tandem-glance_visitorscreenshare-accept")
        agent.wait_for_function("window.__agentEvents.filter(e => e.type === 'visitorscreensharestarted').length === 3")
        visitor.click("#next")
        agent.wait_for_function("window.__agentEvents.filter(e => e.type === 'visitorscreensharestopped').length === 3")


def test_visitor_screen_share_unsupported_or_turned_off(tandem, site, browser):
    tandem.start()
    script = PC_HOOK + "\ndelete MediaDevices.prototype.getDisplayMedia;"
    with paired(browser, tandem, site, "vm-8", visitor_script=script) as (visitor, agent):
        agent.click("#media-ask-screen")
        wait_agent_event(agent, "visitorscreensharenotsupported")
        assert visitor.locator("#tandem-glance_visitorscreenshare-prompt").count() == 0

    tandem.cli("group", "set", "--id", "1", "--visitor-screenshare", "false")
    with paired(browser, tandem, site, "vm-9") as (visitor, agent):
        agent.click("#media-ask-screen")
        wait_agent_event(agent, "accessdenied", "e.data.media === 'visitorscreen'")
        visitor.wait_for_timeout(300)
        assert visitor.locator("#tandem-glance_visitorscreenshare-prompt").count() == 0
        # The visitor's video is still allowed.
        agent.click("#media-ask-video")
        expect(visitor.locator("#tandem-glance_visitorvideo-prompt")).to_be_visible()
