"""Authorization matrix against the real server: agent × group × privilege × token state →
joined, or the exact documented refusal (sessionend reason, close code, message)."""

import base64
import hashlib
import hmac
import json
import sqlite3
import time
import urllib.error
import urllib.request

import pytest
from conftest import start_session


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def sign(claims: dict, secret: bytes) -> str:
    """An HS256 JWT made independently of the server's code."""
    head = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64url(json.dumps(claims).encode())
    mac = hmac.new(secret, f"{head}.{body}".encode(), hashlib.sha256).digest()
    return f"{head}.{body}.{b64url(mac)}"


def server_secret(tandem) -> bytes:
    with sqlite3.connect(tandem.database) as db:
        (value,) = db.execute("SELECT value FROM setting WHERE name = 'token-secret'").fetchone()
    return base64.b64decode(value)


def agent_id(tandem, username) -> int:
    with sqlite3.connect(tandem.database) as db:
        return db.execute("SELECT id FROM agent WHERE username = ?", (username,)).fetchone()[0]


def open_agent_socket(page, base, key, token, then=None):
    """Opens /ws/agent from a page (another origin, so only bearer tokens count), returns what it got."""
    url = base.replace("http", "ws") + f"/ws/agent?key={key}&v=1" + (f"&token={token}" if token else "")
    return page.evaluate(
        """([url, then]) => new Promise((resolve) => {
            const got = [];
            const ws = new WebSocket(url);
            const done = (code, reason) => resolve({ got, code, reason });
            ws.onmessage = (e) => {
                const m = JSON.parse(e.data);
                got.push(m);
                if (m.t === 'joined' && then) ws.send(JSON.stringify(then));
                if (m.t === 'joined' && !then) { ws.close(); }
                if (m.t === 'accessdenied') ws.close();
            };
            ws.onclose = (e) => done(e.code, e.reason);
            setTimeout(() => { ws.close(); done(-1, 'timeout'); }, 5000);
        })""",
        [url, then],
    )


def me(tandem, token):
    req = urllib.request.Request(tandem.base + "/api/v1/me", headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


@pytest.fixture
def world(tandem, site, visitor):
    tandem.cli("group", "add", "--name", "Other", "--id", "2")
    tandem.cli("agent", "add", "--username", "bob", "--password", "bob-password", "--group", "1", "--privileges", "view")
    tandem.cli("agent", "add", "--username", "carol", "--password", "carol-password", "--group", "2")
    tandem.start()
    visitor.goto(f"{site}/page1.html")
    start_session(visitor, "'matrix-1'")
    return visitor


def test_token_states_and_groups(tandem, world, visitor):
    secret = server_secret(tandem)
    now = int(time.time())
    agent1 = agent_id(tandem, "agent1")
    valid = tandem.token()
    head, body, mac = valid.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=="))
    claims["username"] = "someone-else"
    tampered = f"{head}.{b64url(json.dumps(claims).encode())}.{mac}"
    expired = sign({"sub": str(agent1), "exp": now - 60, "iat": now - 3600, "username": "agent1", "services": ["cobrowse"]}, secret)
    forged = sign({"sub": str(agent1), "exp": now + 600, "iat": now, "username": "agent1", "services": ["cobrowse"]}, b"x" * 48)
    bound_to_group_2 = sign({"sub": str(agent1), "exp": now + 600, "iat": now, "username": "agent1", "groupid": 2, "services": ["cobrowse"]}, secret)
    bound_to_group_1 = sign({"sub": str(agent1), "exp": now + 600, "iat": now, "username": "agent1", "groupid": 1, "services": ["cobrowse"]}, secret)
    carol = tandem.token("carol", "carol-password")
    bob = tandem.token("bob", "bob-password")

    cases = [
        ("no token", None, 4401, "AuthError", "not signed in"),
        ("tampered", tampered, 4401, "AuthError", "invalid token"),
        ("signed with another key", forged, 4401, "AuthError", "invalid token"),
        ("expired", expired, 4401, "AuthError", "token expired"),
        ("agent of another group", carol, 4403, "AuthError", "not a member"),
        ("token bound to another group", bound_to_group_2, 4403, "AuthError", "not a member"),
        ("token bound to the session's group", bound_to_group_1, None, None, None),
        ("valid, all privileges", valid, None, None, None),
        ("valid, view only", bob, None, None, None),
    ]
    page = visitor.context.new_page()
    page.goto(visitor.url.replace("page1.html", "style.css"))
    for name, token, code, reason, text in cases:
        result = open_agent_socket(page, tandem.base, "matrix-1", token)
        if code is None:
            assert result["got"] and result["got"][0]["t"] == "joined", (name, result)
        else:
            assert result["code"] == code, (name, result)
            assert result["got"] and result["got"][-1] == {"t": "ended", "reason": reason, "msg": result["got"][-1]["msg"]}, (name, result)
            assert text in result["got"][-1]["msg"] and text in result["reason"], (name, result)

    # The same token states on the HTTP API.
    assert me(tandem, None) == (401, {"error": {"message": "missing token"}})
    assert me(tandem, tampered) == (401, {"error": {"message": "invalid token"}})
    assert me(tandem, forged) == (401, {"error": {"message": "invalid token"}})
    assert me(tandem, expired) == (401, {"error": {"message": "token expired"}})
    status, body = me(tandem, valid)
    assert status == 200 and body["username"] == "agent1"
    status, body = me(tandem, bound_to_group_2)
    assert status == 200 and body["groups"] == [], "a token bound to a group the agent is not in grants no group"


def test_privileges(tandem, world, visitor):
    page = visitor.context.new_page()
    page.goto(visitor.url.replace("page1.html", "style.css"))
    bob = tandem.token("bob", "bob-password")
    result = open_agent_socket(page, tandem.base, "matrix-1", bob, then={"t": "rcrequest"})
    assert result["got"][-1] == {"t": "accessdenied", "rcrequested": True, "msg": "You do not have the remote control privilege."}
    result = open_agent_socket(page, tandem.base, "matrix-1", bob, then={"t": "action", "type": "click", "id": 5})
    assert result["got"][-1]["t"] == "accessdenied" and "privilege" in result["got"][-1]["msg"]
    # An agent with the privilege but without the visitor's consent.
    result = open_agent_socket(page, tandem.base, "matrix-1", tandem.token(), then={"t": "action", "type": "click", "id": 5})
    assert result["got"][-1] == {"t": "accessdenied", "msg": "The visitor has not given remote control."}
