"""Single sign-on by login key: a CRM page (another origin) opens the viewer for its agent with
partnerid + partneruserid + loginkey, no Tandem password; API keys rotate with an overlap."""

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from conftest import AGENT_USER, start_session
from playwright.sync_api import expect


def login_key(partner_id, user, api_key, expires):
    """What the customer's backend computes (independently of Tandem's code)."""
    mac = hmac.new(api_key.encode(), f"{partner_id}{user}1{expires}".encode(), hashlib.sha256).digest()
    return f"$1${expires}${base64.urlsafe_b64encode(mac).decode()[:43]}"


def viewer_url(tandem, key, partner_id, user, lk):
    query = urllib.parse.urlencode({"SessionKey": key, "partnerid": partner_id, "partneruserid": user, "loginkey": lk})
    return f"{tandem.base}/agentjoin?{query}"


def open_crm(browser, site, url):
    page = browser.new_context(bypass_csp=True).new_page()
    page.goto(f"{site}/crm.html?viewer={urllib.parse.quote(url, safe='')}")
    return page


def test_login_key_signs_the_crm_agent_into_the_viewer(tandem, site, visitor, browser):
    api_key = tandem.cli("group", "apikey", "--id", "1").strip()
    tandem.start()
    visitor.goto(f"{site}/page1.html")
    start_session(visitor, "'crm-1'")
    expires = int(time.time()) + 600

    crm = open_crm(browser, site, viewer_url(tandem, "crm-1", 1, AGENT_USER, login_key(1, AGENT_USER, api_key, expires)))
    viewer = crm.frame_locator("#viewer")
    expect(viewer.frame_locator("#mirror").locator("#title")).to_have_text("Hello from page one")
    crm.wait_for_function("window.__agentEvents.some(e => e.type === 'agents' && e.data.count === 1)")
    # The credentials do not linger in the viewer's address.
    frame_url = crm.frame_locator("#viewer").locator("body").evaluate("() => location.href")
    assert "loginkey" not in frame_url and "SessionKey=crm-1" in frame_url
    crm.context.close()

    # A wrong key, another agent's key, an expired key: SSOError, no session.
    for bad in [login_key(1, AGENT_USER, "not-the-api-key", expires), login_key(1, "someone-else", api_key, expires),
                login_key(1, AGENT_USER, api_key, int(time.time()) - 5)]:
        crm = open_crm(browser, site, viewer_url(tandem, "crm-1", 1, AGENT_USER, bad))
        crm.wait_for_function("window.__agentEvents.some(e => e.type === 'sessionend' && e.data.reason === 'SSOError')")
        crm.context.close()


def test_api_key_rotation_and_authorize_by_login_key(tandem, site):
    old = tandem.cli("group", "apikey", "--id", "1").strip()
    new = tandem.cli("group", "apikey", "--id", "1", "--rotate", "--overlap-hours", "1").strip()
    tandem.start()
    expires = int(time.time()) + 600

    def authorize(lk):
        body = json.dumps({"partnerid": 1, "partneruserid": AGENT_USER, "loginkey": lk}).encode()
        req = urllib.request.Request(tandem.base + "/api/v1/authorize", data=body, headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req) as r:
                return r.status, json.loads(r.read())
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read())

    for key in (old, new):  # both work during the overlap
        status, body = authorize(login_key(1, AGENT_USER, key, expires))
        assert status == 200 and body["groupid"] == 1 and body["token"]
    status, body = authorize(login_key(1, AGENT_USER, "unknown", expires))
    assert status == 401 and "not valid" in json.dumps(body)
    status, body = authorize(login_key(1, AGENT_USER, new, expires + 3 * 86400))
    assert status == 401 and "more than a day" in json.dumps(body)
