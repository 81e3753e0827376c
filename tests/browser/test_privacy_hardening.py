"""Privacy and viewer hardening at the edges the masking suites do not cover: script URLs and SVG
animations never leave the visitor's browser, style attributes keep their visitor-relative URLs,
agent pages carry the header discipline, a page over the frame limit is not uploaded forever,
and the first-run output reaches a pipe at once."""

import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from conftest import BINARY, ROOT, TandemServer, events, start_session, wait_for_event
from playwright.sync_api import expect


def test_script_urls_and_script_animations_never_leave_the_page(tandem, site, visitor, agent):
    tandem.start()
    visitor.goto(f"{site}/hardening.html")
    start_session(visitor, "'hard-1'")
    agent.goto(f"{tandem.base}/agentjoin?SessionKey=hard-1")
    mirror = agent.frame_locator("#mirror")
    expect(mirror.locator("#visible")).to_have_text("HARDENING-VISIBLE-OK")
    # Added later, and changed later, too.
    visitor.evaluate("""() => {
        const a = document.createElement('a'); a.id = 'late'; a.textContent = 'late';
        a.setAttribute('href', '\\tjavascript\\n:alert("JSURL-LATE")'); document.body.appendChild(a);
        document.getElementById('plain').setAttribute('href', 'JAVASCRIPT:alert("JSURL-CHANGED")');
        const ok = document.getElementById('ok-anim'); ok.setAttribute('attributeName', 'href'); ok.setAttribute('values', 'javascript:alert("ANIM-CHANGED")');
        document.body.insertAdjacentHTML('beforeend', '<p id="marker">HARDENING-AFTER-OK</p>');
    }""")
    expect(mirror.locator("#marker")).to_have_text("HARDENING-AFTER-OK")
    visitor.wait_for_timeout(300)
    data = tandem.captured()
    assert b"HARDENING-VISIBLE-OK" in data
    for word in [b"JSURL-", b"ANIMSET-", b"ANIMATE-", b"ANIMEVENT-", b"ANIM-CHANGED", b"avascript", b"vbscript"]:
        assert word not in data, word
    # The elements still arrive, without the URLs; the animations that target links do not.
    expect(mirror.locator("#js1")).to_have_text("one")
    assert mirror.locator("#js1").get_attribute("href") is None
    assert mirror.locator("#plain").get_attribute("href") is None
    assert mirror.locator("svg set").count() == 0
    assert mirror.locator("svg animate").count() <= 1
    # A relative url() in a style attribute resolves against the visitor's page.
    style = mirror.locator("#styled").get_attribute("style")
    assert f"{site}/img/dot.svg" in style, style


def test_every_agent_page_has_the_header_discipline(tandem):
    tandem.frame_ancestors.append("https://crm.example.com")
    tandem.start()
    token = tandem.token()
    for path, signed_in in [("/agent/login", False), ("/agent/", True), ("/agentjoin?SessionKey=h1", True), ("/agentjoin/AgentView.aspx?SessionKey=h1", True)]:
        request = urllib.request.Request(tandem.base + path, headers={"Cookie": f"tandem_agent={token}"} if signed_in else {})
        with urllib.request.urlopen(request, timeout=10) as response:
            headers = response.headers
            assert response.status == 200, path
            csp = headers["Content-Security-Policy"] or ""
            assert "frame-ancestors 'self' https://crm.example.com" in csp, (path, csp)
            assert "script-src 'self'" in csp and "object-src 'none'" in csp, (path, csp)
            assert headers["X-Content-Type-Options"] == "nosniff", path
            assert headers["Referrer-Policy"] == "no-referrer", path
    # Redirects and errors too: the sign-in redirect carries the session key in `next`.
    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(tandem.base + "/agentjoin?SessionKey=secret-key-1", timeout=10)
        raise AssertionError("expected a redirect")
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 303 and redirect.headers["Referrer-Policy"] == "no-referrer"
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(tandem.base + "/no/such/page", timeout=10)
    assert missing.value.headers["Referrer-Policy"] == "no-referrer"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_viewer_embedded_by_an_unlisted_origin_is_refused_by_the_browser(tandem, site, browser):
    """frame-ancestors: the test site is listed (the conftest adds it); a page on another port is not."""
    tandem.frame_ancestors.clear()
    tandem.start()
    context = browser.new_context()
    context.add_cookies([{"name": "tandem_agent", "value": tandem.token(), "url": tandem.base}])
    page = context.new_page()
    url = f"{tandem.base}/agentjoin?SessionKey=emb-1"
    page.goto(f"{site}/crm.html?viewer={urllib.parse.quote(url, safe='')}")
    page.wait_for_timeout(1500)
    frame = page.frame_locator("#viewer")
    # A refused frame shows Chromium's error page, not the viewer.
    assert frame.locator("#mirror").count() == 0
    context.close()


def test_bad_frame_ancestor_is_refused_at_start(tmp_path):
    result = subprocess.run([str(BINARY), "serve", "--database", str(tmp_path / "t.sqlite"), "--frame-ancestor", "http://*.example.com/x"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "is not an origin" in result.stderr, result.stderr


def test_first_run_password_and_banner_reach_a_pipe_at_once(tmp_path):
    server = TandemServer(tmp_path)
    proc = subprocess.Popen([str(BINARY), "serve", "--database", str(server.database), "--port", str(server.port), "--demo-root", "none"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=ROOT, text=True)
    try:
        lines = []
        deadline = time.time() + 30
        while time.time() < deadline and not any("listening" in l for l in lines):
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
        text = "".join(lines)
        assert "password:" in text and "Tandem listening" in text, text
        assert "/demo/" not in text, text
    finally:
        proc.terminate()
        proc.wait(timeout=15)


def test_page_over_the_frame_limit_is_not_uploaded_again_and_the_session_goes_on(tandem, site, visitor, agent):
    tandem.start()
    visitor.goto(f"{site}/page1.html")
    # About 26 MB of text that does not compress: over the 16 MiB frame limit even deflated.
    visitor.evaluate("""() => {
        const bytes = new Uint8Array(19 * 1024 * 1024); crypto.getRandomValues(bytes.subarray(0, 65536));
        for (let i = 65536; i < bytes.length; i += 65536) crypto.getRandomValues(bytes.subarray(i, i + 65536));
        let text = ''; for (let i = 0; i < bytes.length; i += 8192) text += btoa(String.fromCharCode(...bytes.subarray(i, i + 8192)));
        const p = document.createElement('p'); p.id = 'huge'; p.textContent = text; p.style.display = 'none';
        document.body.appendChild(p);
    }""")
    visitor.evaluate("GLANCE.Cobrowse.Visitor.startSession('big-1')")
    error = wait_for_event(visitor, "error", timeout=30_000)[-1]["data"]
    assert error["code"] == "pagetoolarge" and "too large" in error["msg"], error
    agent.goto(f"{tandem.base}/agentjoin?SessionKey=big-1")
    expect(agent.locator("#cover")).to_contain_text("too large", timeout=15_000)
    visitor.wait_for_timeout(3000)
    # Not uploaded again and again: one refused connection and the one that goes on.
    connections = len(list(tandem.capture_dir.iterdir()))
    assert connections <= 3, connections
    assert len(events(visitor, "error")) == 1
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is True
    assert not events(visitor, "sessionend")
    # The next page is shared as usual.
    visitor.click("#next")
    visitor.wait_for_url("**/page2.html")
    expect(agent.frame_locator("#mirror").locator("#title")).to_have_text("Welcome to page two", timeout=15_000)
    expect(agent.locator("#cover")).to_be_hidden()
