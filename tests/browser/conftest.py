"""Fixtures for the real-browser tests: a Tandem server on 127.0.0.1 with a fresh database, a test
website on another port (so the script tag loads cross-origin, as on a customer's site), and
Chromium from Debian driven by Playwright. Everything is started and stopped by the tests."""

import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("TANDEM_BINARY", ROOT / ".build" / "debug" / "tandem"))
SITE = Path(__file__).resolve().parent / "site"
AGENT_USER, AGENT_PASSWORD = "agent1", "agent1-password"
CHROMIUM = os.environ.get("TANDEM_CHROMIUM", "/usr/bin/chromium")


def free_port() -> int:
    """A free port below the ephemeral range: the server binds it a moment later, and a port the
    kernel hands out to outgoing connections could be taken in between."""
    import random
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0]) if Path(
        "/proc/sys/net/ipv4/ip_local_port_range").exists() else 32768
    for _ in range(200):
        port = random.randrange(10000, max(10001, low))
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TandemServer:
    """One tandem process over one database; can be stopped, killed and started again."""

    def __init__(self, workdir: Path, database: str | None = None):
        workdir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        # An SQLite file of its own, or a shared PostgreSQL URL (several nodes).
        self.database = database or workdir / "tandem.sqlite"
        self.log_path = workdir / "server.log"
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.capture_dir = workdir / "capture"
        # Origins allowed to frame the viewer and console (the test site's CRM pages).
        self.frame_ancestors: list[str] = []
        # The server's temporary files (session assets) live here, where a test can look.
        self.tmp_dir = workdir / "tmp"
        self.tmp_dir.mkdir(exist_ok=True)
        # More `serve` flags (limits and timeouts a test wants smaller).
        self.extra_args: list[str] = []

    def cli(self, *args: str) -> str:
        result = subprocess.run(
            [str(BINARY), *args, "--database", str(self.database)], capture_output=True, text=True, timeout=60
        )
        if result.returncode != 0:
            raise RuntimeError(f"tandem {' '.join(args)} failed: {result.stderr}{result.stdout}")
        return result.stdout

    def start(self, visitor_grace: int = 45, demo: bool = False) -> None:
        if self.proc and self.proc.poll() is None:
            return
        log = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            [str(BINARY), "serve", "--database", str(self.database), "--port", str(self.port),
             "--demo-root", str(ROOT / "demo") if demo else "none", "--visitor-grace", str(visitor_grace), "--log-level", "debug",
             *[arg for origin in self.frame_ancestors for arg in ("--frame-ancestor", origin)], *self.extra_args],
            stdout=log, stderr=subprocess.STDOUT, cwd=ROOT,
            env={**os.environ, "TANDEM_TEST_CAPTURE_DIR": str(self.capture_dir), "TMPDIR": str(self.tmp_dir)},
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"tandem exited early:\n{self.log_path.read_text()}")
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("tandem did not become healthy")

    def stop(self, sig=signal.SIGTERM) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def captured(self) -> bytes:
        """Every message the server received from visitors so far (the leak suite's evidence)."""
        if not self.capture_dir.exists():
            return b""
        return b"\n".join(p.read_bytes() for p in sorted(self.capture_dir.iterdir()))

    def token(self, username=AGENT_USER, password=AGENT_PASSWORD, **extra) -> str:
        body = json.dumps({"username": username, "password": password, **extra}).encode()
        req = urllib.request.Request(self.base + "/api/v1/authorize", data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())["token"]


@pytest.fixture
def tandem(tmp_path):
    server = TandemServer(tmp_path)
    server.cli("agent", "add", "--username", AGENT_USER, "--password", AGENT_PASSWORD, "--name", "Agent One", "--group", "1")
    yield server
    server.stop()


class SiteHandler(SimpleHTTPRequestHandler):
    """Serves tests/browser/site/ with {{TANDEM}} replaced by the server's URL."""

    def __init__(self, *args, tandem_base: str, **kwargs):
        self.tandem_base = tandem_base
        super().__init__(*args, directory=str(SITE), **kwargs)

    def template_values(self) -> dict:
        """What `{{NAME}}` in a page becomes (RCSUSPEND: `?rcsuspend=` in the address, else 600 ms)."""
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        return {"TANDEM": self.tandem_base, "RCSUSPEND": query.get("rcsuspend", ["600"])[0]}

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.suffix == ".html" and path.is_file():
            body = path.read_text()
            for name, value in self.template_values().items():
                body = body.replace("{{" + name + "}}", value)
            body = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            import io
            return io.BytesIO(body)
        return super().send_head()

    def log_message(self, *args):
        pass


@pytest.fixture
def site(tandem):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(SiteHandler, tandem_base=tandem.base))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    port = httpd.server_address[1]
    # The test site doubles as the CRM that embeds the viewer.
    tandem.frame_ancestors += [f"http://127.0.0.1:{port}", f"http://localhost:{port}"]
    yield f"http://127.0.0.1:{port}"
    httpd.shutdown()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--disable-dev-shm-usage", *MEDIA_ARGS])
        yield b
        b.close()


@pytest.fixture
def visitor(browser):
    context = browser.new_context(viewport={"width": 1000, "height": 700})
    page = context.new_page()
    yield page
    context.close()


def agent_page(browser, tandem, **token_args):
    """A browser context signed in as the test agent (token cookie set directly)."""
    tandem.start()
    # bypass_csp: Playwright evaluates strings, which the viewer's policy (rightly) forbids.
    context = browser.new_context(viewport={"width": 1300, "height": 900}, bypass_csp=True)
    context.add_cookies([{"name": "tandem_agent", "value": tandem.token(**token_args), "url": tandem.base}])
    return context.new_page()


@pytest.fixture
def agent(browser, tandem):
    page = agent_page(browser, tandem)
    yield page
    page.context.close()


def events(page, type_=None):
    all_events = page.evaluate("window.__events || []")
    return [e for e in all_events if type_ is None or e["type"] == type_]


def wait_for_event(page, type_, timeout=10_000, predicate="true"):
    page.wait_for_function(
        f"(window.__events || []).some(e => e.type === {json.dumps(type_)} && ((e) => {predicate})(e))", timeout=timeout
    )
    return [e for e in events(page, type_)]


def wait_for_new_event(page, type_, before, timeout=10_000):
    """Waits for more than `before` events of this type (an earlier one on the page does not count)."""
    page.wait_for_function(
        f"(window.__events || []).filter(e => e.type === {json.dumps(type_)}).length > {before}", timeout=timeout
    )
    return events(page, type_)


def until(check, timeout=10.0):
    """Polls `check()` from Python (server-side effects, files; or a frame whose CSP forbids
    Playwright's wait_for_function) until it returns something truthy; returns that."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            assert value, f"timed out: {check.__doc__ or check}"
            return value
        time.sleep(0.05)


def wait_agent_event(agent, type_, predicate="true", timeout=15_000):
    """Waits for an agent-side event a CRM page recorded in `window.__agentEvents`."""
    agent.wait_for_function(
        f"(window.__agentEvents || []).some(e => e.type === {json.dumps(type_)} && ((e) => {predicate})(e))", timeout=timeout)


def start_session(page, key_expr):
    # This start's statereceived: an earlier session's on the page does not count.
    before = len(events(page, "statereceived"))
    page.evaluate(f"GLANCE.Cobrowse.Visitor.startSession({key_expr})")
    wait_for_new_event(page, "statereceived", before)


# ---- Helpers shared by the browser tests ----

# Planted secrets in the leak suites: anything matching this in the captured bytes leaked.
SECRET = re.compile(rb"[A-Z]+(?:-[A-Z]+)*-SECRET-[0-9A-Z]+")


def secrets_in(data: bytes):
    return sorted(set(m.group().decode() for m in SECRET.finditer(data)))


def mirror(agent):
    """The visitor's page as the agent's viewer shows it."""
    return agent.frame_locator("#mirror")


def click_mirror(agent, selector):
    """Clicks where the element is shown in the agent's viewer (the overlay catches it)."""
    box = mirror(agent).locator(selector).bounding_box()
    agent.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def join(tandem, site, visitor, agent, key, page="rc.html"):
    """The visitor starts a session with this key on a test page; the agent joins and sees it."""
    tandem.start()
    visitor.goto(f"{site}/{page}")
    start_session(visitor, repr(key))
    agent.goto(f"{tandem.base}/agentjoin?SessionKey={key}")
    expect(mirror(agent).locator("#title")).to_be_visible()


def enable_control(visitor, agent):
    """The agent asks for remote control and the visitor accepts in the default prompt."""
    agent.click("#rc-request")
    visitor.click("#tandem-rc-accept")
    agent.wait_for_function("(window.tandemViewerState.rc || {}).enabled === true")


def wait_ready(page):
    """Waits until the visitor modules are installed (not only the loader)."""
    page.wait_for_function("typeof GLANCE.Cobrowse.Visitor.getSessionState === 'function'")


def pytest_terminal_summary(terminalreporter):
    """The fidelity corpus's per-page table (threshold and measured difference), shown even with -q."""
    module = __import__("sys").modules.get("test_fidelity")
    lines = module.summary_lines() if module else []
    if lines:
        terminalreporter.section("fidelity: share of differing pixels per page")
        for line in lines:
            terminalreporter.write_line(line)


# ---- Calls: fake media devices and a TURN server ----

# Without prompts: getUserMedia gets Chromium's test pattern camera and a beeping microphone, and
# getDisplayMedia a synthetic capture of a browser tab (displaySurface "browser"), with no picker.
MEDIA_ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream=display-media-type=browser"]


class TurnServer:
    """A coturn TURN server with TURN REST credentials (use-auth-secret): `url` ("turn:127.0.0.1:PORT"),
    `secret` (its static-auth-secret, Tandem's --turn-secret) and `credentials(id)`."""

    def __init__(self, url: str, secret: str):
        self.url, self.secret = url, secret

    def credentials(self, id: str, ttl: int = 600, now: float | None = None) -> tuple[str, str]:
        """(username, password): username "<expiry-unix-seconds>:<id>", password
        base64(HMAC-SHA1(secret, username)). A negative ttl gives an expired credential."""
        import base64, hashlib, hmac
        username = f"{int(time.time() if now is None else now) + ttl}:{id}"
        digest = hmac.new(self.secret.encode(), username.encode(), hashlib.sha1).digest()
        return username, base64.b64encode(digest).decode()


@pytest.fixture(scope="session")
def turn(tmp_path_factory):
    """The TURN server scripts/test started (TANDEM_TEST_TURN_URL, TANDEM_TEST_TURN_SECRET), or one of
    this session's own through scripts/turn-test-server. Fails (never skips) without coturn."""
    url, secret = os.environ.get("TANDEM_TEST_TURN_URL"), os.environ.get("TANDEM_TEST_TURN_SECRET")
    if url and secret:
        yield TurnServer(url, secret)
        return
    import shutil
    if not shutil.which("turnserver"):
        pytest.fail("coturn's turnserver is not installed (apt-get install coturn, or run scripts/test), "
                    "and TANDEM_TEST_TURN_URL/TANDEM_TEST_TURN_SECRET are not set")
    script = ROOT / "scripts" / "turn-test-server"
    workdir = tmp_path_factory.mktemp("turn")
    result = subprocess.run([str(script), "start", str(workdir)], capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        pytest.fail(f"scripts/turn-test-server could not start coturn:\n{result.stderr}{result.stdout}")
    url, secret = result.stdout.split()
    try:
        yield TurnServer(url, secret)
    finally:
        subprocess.run([str(script), "stop", str(workdir)], capture_output=True, timeout=30)
