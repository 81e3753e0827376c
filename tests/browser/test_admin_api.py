"""The REST admin API against the real server: every operation of the OpenAPI document the server
serves is called, each response's status must be declared there and its body must validate against
the declared schema; session records come from a real browser session; the CLI prints the same data."""

import csv
import io
import json
import urllib.error
import urllib.request

import jsonschema
import pytest

from conftest import start_session
from playwright.sync_api import expect

ADMIN, ADMIN_PASSWORD = "root", "root-password"


class AdminAPI:
    def __init__(self, tandem):
        self.base = tandem.base
        with urllib.request.urlopen(self.base + "/api/v1/openapi.json", timeout=10) as r:
            assert r.headers["Content-Type"].startswith("application/json")
            self.doc = json.loads(r.read())
        jsonschema.Draft202012Validator.check_schema({"components": self.doc["components"]})
        self.called = set()
        self.token = tandem.token(ADMIN, ADMIN_PASSWORD)

    def operation(self, method, template):
        path = self.doc["paths"].get(template)
        assert path is not None, f"{template} is not in the OpenAPI document"
        op = path.get(method.lower())
        assert op is not None, f"{method} {template} is not in the OpenAPI document"
        return op

    def call(self, method, template, expect, body=None, token="default", headers=None, raw=None, **params):
        """Calls `template` with `params` filled in; checks the status and validates the body."""
        op = self.operation(method, template)
        path = template
        query = {}
        for name, value in params.items():
            if "{" + name + "}" in path:
                path = path.replace("{" + name + "}", str(value))
            else:
                query[name] = value
        url = self.base + path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if token == "default":
            token = self.token
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        for k, v in (headers or {}).items():
            request.add_header(k, v)
        try:
            with urllib.request.urlopen(request, timeout=10) as r:
                status, ctype, payload = r.status, r.headers.get("Content-Type", ""), r.read()
        except urllib.error.HTTPError as e:
            status, ctype, payload = e.code, e.headers.get("Content-Type", ""), e.read()
        assert status == expect, f"{method} {path}: {status} {payload[:300]!r}"
        declared = op["responses"].get(str(status))
        assert declared is not None, f"{method} {template} answered {status}, which the document does not declare"
        self.called.add((method.lower(), template))
        content = declared.get("content")
        if not content:
            assert payload == b"", f"{status} declares no body"
            return None
        media = next(iter(content))
        assert ctype.startswith(media), f"{ctype} is not {media}"
        if media != "application/json":
            return payload.decode()
        value = json.loads(payload)
        schema = {**content[media]["schema"], "components": self.doc["components"]}
        jsonschema.validate(value, schema, cls=jsonschema.Draft202012Validator, format_checker=jsonschema.FormatChecker())
        return value


@pytest.fixture
def api(tandem):
    tandem.cli("agent", "add", "--username", ADMIN, "--password", ADMIN_PASSWORD, "--admin")
    tandem.start()
    return AdminAPI(tandem)


def test_admin_round_trips_match_the_openapi_document(tandem, site, visitor, agent, api):
    # Groups and settings.
    groups = api.call("GET", "/api/v1/groups", 200)
    assert [g["id"] for g in groups] == [1]
    sales = api.call("POST", "/api/v1/groups", 201, {"id": 7, "name": "Sales", "settings": {
        "invokeOrigins": ["https://Chat.Example.com/"], "allowMixedRoles": True}})
    assert sales["settings"]["invokeOrigins"] == ["https://chat.example.com"], "origins are normalised"
    assert api.call("POST", "/api/v1/groups", 201, {"name": "Auto"})["id"] > 7
    api.call("POST", "/api/v1/groups", 409, {"id": 7, "name": "Again"})
    api.call("POST", "/api/v1/groups", 422, {"name": " "})
    api.call("POST", "/api/v1/groups", 400, {"nam": "typo"})
    api.call("POST", "/api/v1/groups", 400, raw=b"{not json")
    assert api.call("GET", "/api/v1/groups/{group}", 200, group=7) == sales
    api.call("GET", "/api/v1/groups/{group}", 404, group=99)
    api.call("GET", "/api/v1/groups/{group}", 400, group="abc")
    assert api.call("PATCH", "/api/v1/groups/{group}", 200, {"name": "Sales EU"}, group=7)["name"] == "Sales EU"
    settings = api.call("PATCH", "/api/v1/groups/{group}/settings", 200, {
        "trustedCrossDomains": ["*.example.com", "shop.example.org"],
        "presenceAgentOrigins": ["https://crm.example.com"],
        "masking": {"selectors": [".card"], "maskedPages": [], "unmaskedPages": [], "privateByDefault": False, "visibleSelectors": []},
        "buttonStyle": {"color": "#aa0000", "textColor": "#fff", "position": "bottom-left", "label": "Get help"},
    }, group=7)
    assert settings["allowMixedRoles"] is True, "members left out keep their value"
    assert settings["buttonStyle"]["position"] == "bottom-left"
    assert api.call("GET", "/api/v1/groups/{group}/settings", 200, group=7) == settings
    for bad in ({"buttonStyle": {"color": "red;background:url(x)", "textColor": "#fff", "position": "bottom-left", "label": "x"}},
                {"visitorOrigins": ["javascript:alert(1)"]}, {"trustedCrossDomains": ["exa mple.com"]}):
        api.call("PATCH", "/api/v1/groups/{group}/settings", 422, bad, group=7)
    assert api.call("GET", "/api/v1/groups/{group}/settings", 200, group=7) == settings, "a refused change changes nothing"

    # API keys: shown once, then only a hint; rotation keeps the old key for the overlap.
    first = api.call("POST", "/api/v1/groups/{group}/apikeys", 201, group=7)
    assert len(first["key"]) >= 40 and first["hint"] == first["key"][-4:]
    second = api.call("POST", "/api/v1/groups/{group}/apikeys", 201, {"rotate": True, "overlapHours": 2}, group=7)
    keys = api.call("GET", "/api/v1/groups/{group}/apikeys", 200, group=7)
    assert [k["hint"] for k in keys] == [first["hint"], second["hint"]]
    assert all("key" not in k for k in keys), "listed keys are masked"
    assert "expiresAt" in keys[0] and "expiresAt" not in keys[1]
    api.call("POST", "/api/v1/groups/{group}/apikeys", 422, {"overlapHours": 100000}, group=7)

    # Agents and memberships; a generated password really signs in.
    created = api.call("POST", "/api/v1/agents", 201, {"username": "erin", "name": "Erin E.", "memberships": [
        {"groupId": 7, "role": "sales", "privileges": ["view", "addguests"]}]})
    erin = created["agent"]
    assert erin["memberships"] == [{"agentId": erin["id"], "groupId": 7, "role": "sales", "privileges": ["addguests", "view"]}]
    assert tandem.token("erin", created["password"], groupid=7)
    api.call("POST", "/api/v1/agents", 409, {"username": "ERIN", "password": "long-enough"})
    api.call("POST", "/api/v1/agents", 422, {"username": "bad name"})
    api.call("POST", "/api/v1/agents", 422, {"username": "short", "password": "short"})
    api.call("POST", "/api/v1/agents", 422, {"username": "frank", "memberships": [{"groupId": 7, "privileges": ["fly"]}]})
    api.call("POST", "/api/v1/agents", 404, {"username": "frank", "memberships": [{"groupId": 99}]})
    assert all(a["username"] != "frank" for a in api.call("GET", "/api/v1/agents", 200)), "a refused create creates nothing"
    assert api.call("GET", "/api/v1/agents/{agent}", 200, agent=erin["id"])["name"] == "Erin E."
    api.call("GET", "/api/v1/agents/{agent}", 404, agent=999)
    patched = api.call("PATCH", "/api/v1/agents/{agent}", 200, {"title": "Lead", "isAdmin": False}, agent=erin["id"])
    assert patched["title"] == "Lead" and patched["name"] == "Erin E."
    member = api.call("PUT", "/api/v1/groups/{group}/members/{agent}", 200, {"role": "support"}, group=1, agent=erin["id"])
    assert member["privileges"] == ["addguests", "documentshare", "remotecontrol", "screenshare", "video", "view"]
    assert {m["username"] for m in api.call("GET", "/api/v1/groups/{group}/members", 200, group=1)} >= {"erin", "agent1"}
    api.call("DELETE", "/api/v1/groups/{group}/members/{agent}", 204, group=1, agent=erin["id"])
    api.call("DELETE", "/api/v1/groups/{group}/members/{agent}", 404, group=1, agent=erin["id"])
    assert api.call("PUT", "/api/v1/agents/{agent}/password", 200, {"password": "erin-new-password"}, agent=erin["id"]) == {}
    assert tandem.token("erin", "erin-new-password")
    generated = api.call("PUT", "/api/v1/agents/{agent}/password", 200, agent=erin["id"])["password"]
    assert tandem.token("erin", generated)

    # Who may call it: distinct errors for each refusal.
    api.call("GET", "/api/v1/groups", 401, token=None)
    api.call("GET", "/api/v1/groups", 401, token="not.a.token")
    api.call("GET", "/api/v1/groups", 403, token=tandem.token())  # agent1 is no administrator
    api.call("GET", "/api/v1/groups", 403, token=tandem.token(ADMIN, ADMIN_PASSWORD, groupid=1))  # bound to one group
    cookie = {"Cookie": f"tandem_agent={api.token}"}
    api.call("POST", "/api/v1/groups", 403, {"name": "CSRF"}, token=None, headers=cookie)
    api.call("POST", "/api/v1/groups", 403, {"name": "CSRF"}, token=None, headers={**cookie, "Origin": "https://evil.example"})
    assert api.call("POST", "/api/v1/groups", 201, {"name": "Same origin"}, token=None, headers={**cookie, "Origin": tandem.base})

    # Session records from a real session: visitor fields, participants with roles and times, end reason.
    visitor.goto(f"{site}/page1.html")
    start_session(visitor, "{sessionKey: 'rec-1', name: 'Zoë Visitor', email: 'zoe@example.com', phone: '=1+2'}")
    agent.goto(f"{tandem.base}/agentjoin?SessionKey=rec-1")
    expect(agent.frame_locator("#mirror").locator("#title")).to_have_text("Hello from page one")
    visitor.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")
    agent.wait_for_function("(window.tandemViewerState || {}).ended === true || document.body.innerText.includes('ended')")

    sessions = api.call("GET", "/api/v1/groups/{group}/sessions", 200, group=1)
    assert len(sessions) == 1
    record = sessions[0]
    assert record["key"] == "rec-1" and record["randomKey"] is False
    assert record["visitor"] == {"name": "Zoë Visitor", "email": "zoe@example.com", "phone": "=1+2"}
    assert record["endReason"] and record["endedAt"] >= record["startedAt"]
    [p] = record["participants"]
    assert p["role"] == "agent" and p["username"] == "agent1" and p["num"] == 1 and p["leftAt"]
    assert api.call("GET", "/api/v1/groups/{group}/sessions", 200, group=1, **{"from": "2000-01-01", "to": "2000-02-01"}) == []
    api.call("GET", "/api/v1/groups/{group}/sessions", 400, group=1, **{"from": "yesterday"})
    api.call("GET", "/api/v1/groups/{group}/sessions", 400, group=1, **{"from": "2026-02-01", "to": "2026-01-01"})

    report = api.call("GET", "/api/v1/groups/{group}/report", 200, group=1)
    assert (report["sessions"], report["active"], report["joined"], report["agents"], report["guests"]) == (1, 0, 1, 1, 0)
    assert sum(report["byEndReason"].values()) == 1
    assert sum(d["sessions"] for d in report["byDay"]) == 1 and len(report["byDay"]) in (30, 31)
    text = api.call("GET", "/api/v1/groups/{group}/report.csv", 200, group=1)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["callid", "groupid", "key"] and len(rows) == 2
    line = dict(zip(rows[0], rows[1]))
    assert line["key"] == "rec-1" and line["visitor_name"] == "Zoë Visitor" and line["agents"] == "agent1"
    assert line["visitor_phone"] == "'=1+2", "a formula-looking cell is defused"
    api.call("GET", "/api/v1/groups/{group}/report", 404, group=99)

    # Deleting: a group with records is kept; an administrator cannot delete itself.
    api.call("DELETE", "/api/v1/groups/{group}", 409, group=1)
    api.call("DELETE", "/api/v1/groups/{group}", 204, group=7)
    api.call("DELETE", "/api/v1/groups/{group}", 404, group=7)
    me = next(a for a in api.call("GET", "/api/v1/agents", 200) if a["username"] == ADMIN)
    api.call("DELETE", "/api/v1/agents/{agent}", 409, agent=me["id"])
    api.call("DELETE", "/api/v1/agents/{agent}", 204, agent=erin["id"])
    api.call("DELETE", "/api/v1/agents/{agent}", 404, agent=erin["id"])

    # Every operation the document describes was exercised.
    declared = {(m, p) for p, ops in api.doc["paths"].items() for m in ops if m != "parameters"}
    assert declared - api.called == set(), f"not exercised: {sorted(declared - api.called)}"

    # The CLI prints the same data as the API.
    assert json.loads(tandem.cli("group", "list", "--json")) == api.call("GET", "/api/v1/groups", 200)
    assert json.loads(tandem.cli("agent", "list", "--json")) == api.call("GET", "/api/v1/agents", 200)
    assert json.loads(tandem.cli("member", "list", "--group", "1", "--json")) == api.call(
        "GET", "/api/v1/groups/{group}/members", 200, group=1)
    window = {"from": "2026-01-01", "to": "2030-01-01"}
    assert tandem.cli("report", "--group", "1", "--csv", "--from", window["from"], "--to", window["to"]).replace("\n", "\r\n") \
        .replace("\r\r\n", "\r\n") == api.call("GET", "/api/v1/groups/{group}/report.csv", 200, group=1, **window)
    assert json.loads(tandem.cli("report", "--group", "1", "--from", window["from"], "--to", window["to"])) == api.call(
        "GET", "/api/v1/groups/{group}/report", 200, group=1, **window)


def test_cli_admin_commands_round_trip(tandem):
    out = tandem.cli("group", "add", "--name", "Support", "--id", "5")
    assert "group 5" in out
    tandem.cli("group", "set", "--id", "5", "--trusted-domain", "*.example.com", "--invoke-origin", "https://chat.example.com",
               "--presence-origin", "https://crm.example.com", "--button-color", "#123456", "--button-label", "Help me")
    shown = json.loads(tandem.cli("group", "show", "--id", "5"))
    assert shown["settings"]["trustedCrossDomains"] == ["*.example.com"]
    assert shown["settings"]["invokeOrigins"] == ["https://chat.example.com"]
    assert shown["settings"]["buttonStyle"]["color"] == "#123456" and shown["settings"]["buttonStyle"]["label"] == "Help me"
    with pytest.raises(RuntimeError, match="hex colour"):
        tandem.cli("group", "set", "--id", "5", "--button-color", "red")
    tandem.cli("group", "set", "--id", "5", "--trusted-domain", "none")
    assert json.loads(tandem.cli("group", "show", "--id", "5"))["settings"]["trustedCrossDomains"] == []
    tandem.cli("group", "rename", "--id", "5", "--name", "Support EU")
    tandem.cli("agent", "add", "--username", "gina", "--password", "gina-password", "--group", "5", "--role", "tier1")
    tandem.cli("member", "set", "--group", "1", "--username", "gina", "--privileges", "view")
    members = json.loads(tandem.cli("member", "list", "--group", "1", "--json"))
    assert {"username": "gina", "privileges": ["view"]}.items() <= next(m for m in members if m["username"] == "gina").items()
    tandem.cli("agent", "set", "--username", "gina", "--title", "Tier 1", "--admin", "true")
    gina = json.loads(tandem.cli("agent", "show", "--username", "gina"))
    assert gina["title"] == "Tier 1" and gina["isAdmin"] is True and [m["groupId"] for m in gina["memberships"]] == [1, 5]
    tandem.cli("member", "remove", "--group", "5", "--username", "gina")
    with pytest.raises(RuntimeError, match="not a member"):
        tandem.cli("member", "remove", "--group", "5", "--username", "gina")
    tandem.cli("agent", "remove", "--username", "gina")
    with pytest.raises(RuntimeError, match="no agent named"):
        tandem.cli("agent", "show", "--username", "gina")
    with pytest.raises(RuntimeError, match="at most 3660 days"):
        tandem.cli("report", "--group", "1", "--from", "2000-01-01", "--to", "2030-01-01")
    tandem.cli("group", "remove", "--id", "5")
    assert [g["id"] for g in json.loads(tandem.cli("group", "list", "--json"))] == [1]
