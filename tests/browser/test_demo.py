"""The demo site as `swift run tandem` serves it: the widget starts a session, an agent watches."""

from playwright.sync_api import expect


def test_demo_widget_session_watched_by_an_agent(tandem, browser):
    tandem.start(demo=True)
    visitor = browser.new_context().new_page()
    visitor.goto(f"{tandem.base}/demo/product.html?id=2")
    visitor.click("#demo-start")
    key_locator = visitor.locator("#demo-session-key")
    expect(key_locator).not_to_be_empty()
    key = key_locator.inner_text().strip()
    assert key.isdigit() and len(key) == 6, key

    context = browser.new_context(bypass_csp=True)
    context.add_cookies([{"name": "tandem_agent", "value": tandem.token(), "url": tandem.base}])
    agent = context.new_page()
    agent.goto(f"{tandem.base}/agentjoin?SessionKey={key}")
    mirror = agent.frame_locator("#mirror")
    expect(mirror.locator("#fullname")).to_be_visible()
    expect(visitor.locator("#demo-agents")).to_contain_text("1")
    visitor.fill("#fullname", "Grace Hopper")
    expect(mirror.locator("#fullname")).to_have_value("Grace Hopper")
    visitor.click("#add-review")
    expect(mirror.locator("#reviews li")).to_have_count(visitor.locator("#reviews li").count())
    # The widget itself is part of the page the agent sees; navigation keeps the session.
    visitor.click("nav a[href*='list']")
    visitor.wait_for_url("**/list.html")
    expect(mirror.locator("#long-list li")).to_have_count(300)
    expect(visitor.locator("#demo-session-key")).to_have_text(key)
    visitor.click("#demo-stop")
    agent.wait_for_function("(window.tandemViewerState.sessionend || {}).reason === 'VisitorLeft'")
    context.close()
    visitor.context.close()


def test_health_and_metrics(tandem, site, visitor):
    import urllib.request

    from conftest import start_session, until

    tandem.start()
    with urllib.request.urlopen(tandem.base + "/healthz") as r:
        assert r.status == 200 and b'"ok"' in r.read()
    visitor.goto(f"{site}/page1.html")
    start_session(visitor, "'metrics-1'")
    visitor.evaluate("document.getElementById('title').textContent = 'changed'")

    def metrics():
        with urllib.request.urlopen(tandem.base + "/metrics") as r:
            text = r.read().decode()
        return 'tandem_page_frames_total{kind="delta"}' in text and text

    # The counters appear with the first frame of their kind: wait for the delta's.
    text = until(metrics)
    assert "tandem_sessions_started_total 1" in text, text
    assert "tandem_sessions_active 1" in text
    assert 'tandem_page_frames_total{kind="page"}' in text
    assert 'tandem_page_frames_total{kind="delta"}' in text
