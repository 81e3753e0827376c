"""Cross-domain sessions (issue #18; docs/protocol.md "Cross-domain handoff"): three websites, two of
them the group's trusted domains and one not. A session goes on across the trusted ones by link
(same tab and new tab), by crossDomain({url}), by promptCrossDomain and by continueSessionAt before a
redirect; the agent's viewer follows without doing anything; the untrusted site gets nothing; a
replayed token is refused; the legacy urlstartwarning path asks (or not, with iewarningsuppressed).

The three sites are on 127.0.0.1, 127.0.0.2 and 127.0.0.3 (all loopback): cookies do not tell ports
apart, so three ports of one host would share the session cookie and prove nothing."""

import threading
import time
import urllib.parse
from functools import partial
from http.server import ThreadingHTTPServer

import pytest
from conftest import SiteHandler, events, join, mirror, wait_for_event, wait_ready
from playwright.sync_api import expect

KEY = "445566"


class XDHandler(SiteHandler):
    """The test site with the three sites' URLs filled in, `/redirect?to=URL` (a 302, as a
    payment provider's server-side redirect) and `/` serving the session helper page."""

    def __init__(self, *args, sites: dict, posts: list, **kwargs):
        self.sites = sites
        self.posts = posts
        super().__init__(*args, **kwargs)

    def send_head(self):
        parsed = urllib.parse.urlsplit(self.path)
        if parsed.path == "/redirect":
            target = urllib.parse.parse_qs(parsed.query).get("to", [""])[0]
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if parsed.path == "/":
            self.path = "/xd-helper.html" + (f"?{parsed.query}" if parsed.query else "")
        return super().send_head()

    def template_values(self) -> dict:
        return {**super().template_values(), **self.sites}

    def do_POST(self):
        """A form post (a payment page): the body is kept for the test, the page served as for GET."""
        length = int(self.headers.get("Content-Length") or 0)
        self.posts.append((self.path, self.rfile.read(length).decode()))
        self.do_GET()


@pytest.fixture
def xd(tandem):
    """{'A': url, 'B': url, 'C': url}: A and B trusted by group 1, C not."""
    sites: dict = {}
    posts: list = []
    servers = []
    for name, host in (("A", "127.0.0.1"), ("B", "127.0.0.2"), ("C", "127.0.0.3")):
        httpd = ThreadingHTTPServer((host, 0), partial(XDHandler, tandem_base=tandem.base, sites=sites, posts=posts))
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        sites[f"XD_{name}"] = f"http://{host}:{httpd.server_address[1]}"
        sites[f"XD_{name}_HOST"] = f"{host}:{httpd.server_address[1]}"
    tandem.cli("group", "set", "--id", "1", "--trusted-domain", sites["XD_A_HOST"], "--trusted-domain", sites["XD_B_HOST"])
    yield {**{name: sites[f"XD_{name}"] for name in "ABC"}, "posts": posts}
    for httpd in servers:
        httpd.shutdown()


def exactly(url):
    """A wait_for_url predicate for this address exactly (no glob: `?` and `#` are literal)."""
    return lambda current: current == url


def continued(page, key=KEY):
    """The page continued the session (not a new one) with this key."""
    wait_for_event(page, "statereceived")
    assert events(page, "sessioncontinue") and not events(page, "sessionstart")
    assert page.evaluate("GLANCE.Cobrowse.Visitor.getKey()") == key


def no_session(page, wait=1.5):
    wait_ready(page)
    time.sleep(wait)
    assert page.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is False
    assert not events(page, "sessioncontinue")


def test_link_carries_the_session_and_the_agent_follows(tandem, xd, visitor, agent):
    loaded = []
    visitor.on("request", lambda r: loaded.append(r.url))
    join(tandem, xd["A"], visitor, agent, KEY, page="xd-a.html")
    # The group trusts other domains: the cross-domain part (its own bundle) is loaded.
    assert [u.replace(tandem.base, "") for u in loaded if "/crossdomain/" in u] == ["/web/visitor/crossdomain/bundle.js"]
    committed = []
    visitor.on("framenavigated", lambda frame: frame == visitor.main_frame and committed.append(frame.url))
    visitor.click("#to-b")
    visitor.wait_for_url(exactly(f"{xd['B']}/xd-b.html#section-2"))
    continued(visitor)
    # The handoff was in the fragment (never the query), and is gone: the page's own fragment is back.
    assert any("#tandem=1." in url and url.endswith("!section-2") and "?" not in url for url in committed), committed
    assert visitor.url == f"{xd['B']}/xd-b.html#section-2"
    assert visitor.evaluate("location.hash") == "#section-2"
    expect(mirror(agent).locator("#title")).to_have_text("Site B")
    # The next page of site B continues from its own cookie, as on any site.
    visitor.reload()
    continued(visitor)
    # And back to site A by a link: A is trusted too.
    visitor.click("#to-a")
    visitor.wait_for_url(exactly(f"{xd['A']}/xd-a.html"))
    continued(visitor)
    expect(mirror(agent).locator("#title")).to_have_text("Site A")


def test_forms_to_a_trusted_domain_carry_the_session(tandem, xd, visitor, agent):
    join(tandem, xd["A"], visitor, agent, KEY, page="xd-a.html")
    committed = []
    visitor.on("framenavigated", lambda frame: frame == visitor.main_frame and committed.append(frame.url))
    # A click from a script: no pointer came over the form first, so the token is asked at submit
    # and the form is submitted again with it (same submitter, same fields).
    visitor.evaluate("document.getElementById('pay').click()")
    visitor.wait_for_url(exactly(f"{xd['B']}/xd-b.html?via=form#receipt"))
    continued(visitor)
    assert xd["posts"] == [("/xd-b.html?via=form", "card=4111&pay=now")]
    assert any("#tandem=1." in url and url.endswith("!receipt") for url in committed), committed
    assert visitor.evaluate("location.hash") == "#receipt"
    expect(mirror(agent).locator("#title")).to_have_text("Site B")

    # Back on A; a GET form into a new tab, clicked by the visitor (the token was asked ahead).
    visitor.goto(f"{xd['A']}/xd-a.html")
    continued(visitor)
    with visitor.context.expect_page() as tab:
        visitor.click("#pay-get-btn")
    page = tab.value
    page.wait_for_load_state()
    continued(page)
    assert page.url == f"{xd['B']}/xd-b.html?via=form-get"
    expect(mirror(agent).locator("#title")).to_have_text("Site B")
    # The form is as it was (its action and target put back).
    assert visitor.evaluate("[document.getElementById('pay-get').getAttribute('action'), document.getElementById('pay-get').target]") == [f"{xd['B']}/xd-b.html", "_blank"]


def test_form_to_an_untrusted_site_carries_nothing(tandem, xd, visitor, agent):
    join(tandem, xd["A"], visitor, agent, KEY, page="xd-a.html")
    visitor.evaluate(f"document.getElementById('pay-form').action = '{xd['C']}/xd-b.html?via=form-c'")
    visitor.click("#pay")
    visitor.wait_for_url(exactly(f"{xd['C']}/xd-b.html?via=form-c"))
    no_session(visitor)
    assert xd["posts"] == [("/xd-b.html?via=form-c", "card=4111&pay=now")]


def test_link_in_a_new_tab(tandem, xd, visitor, agent):
    join(tandem, xd["A"], visitor, agent, KEY, page="xd-a.html")
    with visitor.context.expect_page() as tab:
        visitor.click("#to-b-blank")
    page = tab.value
    page.wait_for_load_state()
    continued(page)
    assert page.url == f"{xd['B']}/xd-b.html"
    expect(mirror(agent).locator("#title")).to_have_text("Site B")
    # The first tab handed the session over.
    wait_for_event(visitor, "blur")


def test_crossdomain_api(tandem, xd, visitor, agent):
    join(tandem, xd["A"], visitor, agent, KEY, page="xd-a.html")
    v = "GLANCE.Cobrowse.Visitor"
    assert visitor.evaluate(f"{v}.isCrossDomainDone()") is False
    assert visitor.evaluate(f"{v}.crossDomain().then(() => 'resolved')") == "resolved"
    assert visitor.evaluate(f"{v}.isCrossDomainDone()") is True
    # An untrusted site and a bad URL are refused with a reason, and nothing opens.
    refused = visitor.evaluate(f"{v}.crossDomain({{url: '{xd['C']}/xd-b.html'}}).then(() => 'opened', (e) => e.message)")
    assert "not one of the group's trusted domains" in refused
    error = wait_for_event(visitor, "error", predicate="e.data.code === 'crossdomain'")[-1]["data"]
    assert error["params"] == {"reason": "untrusted", "url": f"{xd['C']}/xd-b.html"}
    assert "not a URL" in visitor.evaluate(f"{v}.crossDomain({{url: 'http://'}}).then(() => 'opened', (e) => e.message)")
    assert visitor.url == f"{xd['A']}/xd-a.html"
    # target _blank: a new tab, opened within the click.
    with visitor.context.expect_page() as tab:
        visitor.click("#go-b-blank")
    page = tab.value
    page.wait_for_load_state()
    continued(page)
    assert page.url == f"{xd['B']}/xd-b.html?via=api-blank"
    visitor.wait_for_function("window.__xdDone === true")
    expect(mirror(agent).locator("#title")).to_have_text("Site B")
    page.close()
    # target _self, from site A again (the session comes back to the first tab when it is used).
    visitor.bring_to_front()
    visitor.evaluate("window.dispatchEvent(new Event('focus'))")
    visitor.wait_for_function("GLANCE.Cobrowse.Visitor.canSendDocument()")
    visitor.click("#go-b")
    visitor.wait_for_url(exactly(f"{xd['B']}/xd-b.html?via=api"))
    continued(visitor)
    expect(mirror(agent).locator("#title")).to_have_text("Site B")


def test_prompt_cross_domain(tandem, xd, visitor, agent):
    join(tandem, xd["A"], visitor, agent, KEY, page="xd-a.html")
    visitor.click("#prompt-b")
    dialog = visitor.locator("#tandem-crossdomain-prompt")
    expect(dialog).to_be_visible()
    assert dialog.get_attribute("role") == "alertdialog"
    # Keyboard: Yes has focus; Escape answers No and nothing happens.
    assert visitor.evaluate("document.activeElement.id") == "tandem-crossdomain-accept"
    visitor.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    time.sleep(0.5)
    assert visitor.url == f"{xd['A']}/xd-a.html"
    visitor.click("#prompt-b")
    visitor.click("#tandem-crossdomain-accept")
    visitor.wait_for_url(exactly(f"{xd['B']}/xd-b.html?via=prompt"))
    continued(visitor)
    expect(mirror(agent).locator("#title")).to_have_text("Site B")
    # Without a session it resolves at once and asks nothing.
    visitor.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")
    assert visitor.evaluate("GLANCE.Cobrowse.VisitorUI.promptCrossDomain({url: 'http://127.0.0.1:1/'}).then(() => 'resolved')") == "resolved"
    expect(visitor.locator("#tandem-crossdomain-prompt")).to_have_count(0)


def test_untrusted_site_gets_no_token(tandem, xd, visitor, agent):
    join(tandem, xd["A"], visitor, agent, KEY, page="xd-a.html")
    committed = []
    visitor.on("framenavigated", lambda frame: frame == visitor.main_frame and committed.append(frame.url))
    visitor.click("#to-c")
    visitor.wait_for_url(exactly(f"{xd['C']}/xd-b.html"))
    no_session(visitor)
    assert not any("tandem" in url for url in committed), committed
    expect(agent.locator("#status")).to_contain_text("Visitor reconnecting")


def test_replayed_or_misplaced_token_is_refused(tandem, xd, visitor, agent):
    join(tandem, xd["A"], visitor, agent, KEY, page="xd-a.html")
    committed = []
    visitor.on("framenavigated", lambda frame: frame == visitor.main_frame and committed.append(frame.url))
    visitor.click("#to-b")
    visitor.wait_for_url(exactly(f"{xd['B']}/xd-b.html#section-2"))
    continued(visitor)
    with_token = next(url for url in committed if "#tandem=" in url)
    # The same link again, in another tab: used up.
    other = visitor.context.new_page()
    other.goto(with_token)
    error = wait_for_event(other, "error")[-1]["data"]
    assert error["code"] == "service" and "used up" in error["msg"], error
    assert other.url == f"{xd['B']}/xd-b.html#section-2"
    assert other.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is False
    assert not events(other, "sessioncontinue") and not events(other, "sessionend")
    other.close()
    # The first tab's session goes on (a refused token ends nothing).
    visitor.reload()
    continued(visitor)
    # A fresh token taken to another origin than its own (site C's address with B's token):
    # refused there, and used up for B too. (The page's window.open keeps the address instead.)
    visitor.click("#to-a")
    visitor.wait_for_url(exactly(f"{xd['A']}/xd-a.html"))
    continued(visitor)
    visitor.evaluate("window.open = (url) => { window.__opened = url; return null; }")
    visitor.click("#to-b-blank")
    visitor.wait_for_function("(window.__opened || '').includes('#tandem=')")
    stolen = visitor.evaluate("window.__opened")
    assert stolen.startswith(f"{xd['B']}/xd-b.html#tandem=1.{KEY}.")
    misplaced = visitor.context.new_page()
    misplaced.goto(stolen.replace(xd["B"], xd["C"]))
    error = wait_for_event(misplaced, "error")[-1]["data"]
    assert error["code"] == "service" and "another site" in error["msg"], error
    assert misplaced.url == f"{xd['C']}/xd-b.html"
    misplaced.goto(stolen)
    error = wait_for_event(misplaced, "error")[-1]["data"]
    assert error["code"] == "service", error
    assert misplaced.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is False
    misplaced.close()


def test_destination_must_allow_the_group(tandem, xd, visitor, agent):
    tandem.cli("group", "add", "--name", "Other", "--id", "2")
    join(tandem, xd["A"], visitor, agent, KEY, page="xd-a.html")
    visitor.evaluate(f"document.getElementById('to-b').href = '{xd['B']}/xd-other-group.html'")
    visitor.click("#to-b")
    visitor.wait_for_url(exactly(f"{xd['B']}/xd-other-group.html"))
    error = wait_for_event(visitor, "error")[-1]["data"]
    assert error["code"] == "groupnotallowed" and error["params"] == {"groupid": 1}
    no_session(visitor, wait=0.5)


def test_continue_session_at_before_a_redirect(tandem, xd, visitor, agent):
    join(tandem, xd["A"], visitor, agent, KEY, page="xd-a.html")
    visitor.click("#redirect-b")
    # continueSessionAt's small window came and went; then the site's redirect (a 302 by site A).
    visitor.wait_for_url(exactly(f"{xd['B']}/xd-b.html?via=redirect"), timeout=20000)
    continued(visitor)
    expect(mirror(agent).locator("#title")).to_have_text("Site B")
    deadline = time.time() + 5
    while len(visitor.context.pages) > 1 and time.time() < deadline:
        time.sleep(0.1)
    assert len(visitor.context.pages) == 1
    # The kept handoff was used once: another page of B has it no more (its cookie continues).
    assert visitor.evaluate("localStorage.getItem('tandem_handoff')") is None


def test_continue_session_at_warns_by_default(tandem, xd, visitor, agent):
    join(tandem, xd["A"], visitor, agent, KEY, page="xd-a.html")
    visitor.click("#redirect-b-warn")
    visitor.wait_for_url(exactly(f"{xd['B']}/xd-b.html?via=redirect-warn"), timeout=20000)
    # No listener on this page: the default UI asks.
    expect(visitor.locator("#tandem-urlstart-prompt")).to_be_visible()
    time.sleep(0.5)
    assert not events(visitor, "sessioncontinue")
    visitor.click("#tandem-urlstart-accept")
    continued(visitor)
    expect(mirror(agent).locator("#title")).to_have_text("Site B")


def test_urlstartwarning_legacy_parameters(tandem, xd, visitor, agent):
    join(tandem, xd["A"], visitor, agent, KEY, page="xd-a.html")
    # A pop-up blocker: continueSessionAt hands the legacy parameters to oncomplete.
    visitor.evaluate("window.open = () => null")
    visitor.click("#redirect-legacy")
    visitor.wait_for_url(exactly(f"{xd['B']}/xd-warn.html?via=legacy#kept"))
    visitor.wait_for_function("window.__warning !== undefined")
    # The parameters left the address bar at once; the page's own query and fragment stay.
    assert visitor.url == f"{xd['B']}/xd-warn.html?via=legacy#kept"
    time.sleep(0.5)
    assert not events(visitor, "sessioncontinue")
    # Declined: no session here.
    visitor.evaluate("window.__warning.decline()")
    no_session(visitor, wait=1)

    # Back to A (the session waited), and again: accepted this time.
    visitor.goto(f"{xd['A']}/xd-a.html")
    continued(visitor)
    visitor.evaluate("window.open = () => null")
    visitor.click("#redirect-legacy")
    visitor.wait_for_url(exactly(f"{xd['B']}/xd-warn.html?via=legacy#kept"))
    visitor.wait_for_function("window.__warning !== undefined")
    visitor.evaluate("window.__warning.accept()")
    continued(visitor)
    expect(mirror(agent).locator("#title")).to_have_text("Site B warns")

    # iewarningsuppressed: accepted without asking.
    visitor.goto(f"{xd['A']}/xd-a.html")
    continued(visitor)
    visitor.evaluate("window.open = () => null; window.__suppress = true")
    visitor.click("#redirect-legacy")
    visitor.wait_for_url(exactly(f"{xd['B']}/xd-warn.html?via=legacy#kept"))
    continued(visitor)
    assert visitor.evaluate("window.__warning") is None
