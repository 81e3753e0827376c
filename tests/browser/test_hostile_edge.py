"""Hostile input at the edge, over raw sockets (no browser): malformed and oversized HTTP request
heads, slow and idle connections, a per-address connection cap, and WebSocket frames that break
RFC 6455 / RFC 7692 on the visitor, agent and presence visitor sockets. Every read has a deadline:
a server that does not answer fails a test, it never hangs it."""

import itertools
import json
import random
import struct
import time

import pytest

from conftest import AGENT_PASSWORD, AGENT_USER, TandemServer
from rawws import (BINARY, CONT, KIB, MIB, TEXT, VIOLATIONS, Deadline, RawWS, agent_socket, frame, healthz,
                   http_connect, port_of, presence_socket, read_response, recv_until, send_all, start_message,
                   visitor_session)

REQUEST_TIMEOUT = 2


def port(tandem):
    return port_of(tandem)


# ======================================================================== HTTP


def _headers(n):
    return "".join(f"X-H{i}: v\r\n" for i in range(n)).encode()


_rng = random.Random(20240601)
RANDOM_BYTES = bytes(b for b in _rng.randbytes(2048) if b not in (10, 13))[:600] + b"\r\n\r\n"

MALFORMED = [
    ("header-without-colon", b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nThisHeaderHasNoColon\r\n\r\n", {400}),
    ("lf-only-line-ends", b"GET /healthz HTTP/1.1\nHost: 127.0.0.1\nAccept: */*\n\n", {400}),
    ("unknown-method", b"FOO / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", {400, 501}),
    ("content-length-and-transfer-encoding",
     b"POST /api/v1/authorize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", {400}),
    ("negative-content-length", b"POST /api/v1/authorize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -1\r\n\r\n", {400}),
    ("two-content-lengths",
     b"POST /api/v1/authorize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", {400}),
    ("random-bytes", RANDOM_BYTES, {400}),
    ("http2-preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", set(range(400, 500)) | {505}),
    ("100kb-header-value", b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * (100 * KIB) + b"\r\n\r\n", {431}),
    ("5000-headers", b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" + _headers(5000) + b"\r\n", {431}),
    ("http-3.0", b"GET / HTTP/3.0\r\nHost: 127.0.0.1\r\n\r\n", {505}),
    ("http-1.2", b"GET / HTTP/1.2\r\nHost: 127.0.0.1\r\n\r\n", {505}),
]


@pytest.mark.parametrize("name,request_bytes,statuses", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_request_head_is_refused_and_closed(tandem, name, request_bytes, statuses):
    tandem.start()
    with http_connect(port(tandem)) as s:
        send_all(s, request_bytes)
        r = read_response(s, timeout=3)
    assert r.status in statuses, f"{name}: expected {sorted(statuses)[:4]}…, got {r.status_line!r} (closed={r.closed}) raw={r.raw[:200]!r}"
    assert r.status_line.startswith("HTTP/1.1 "), r.status_line
    assert "close" in r.headers.get("connection", "").lower(), f"{name}: no Connection: close in {r.headers}"
    body = json.loads(r.body)
    assert isinstance(body.get("error", {}).get("message"), str), f"{name}: body {r.body[:200]!r}"
    assert r.closed, f"{name}: the server kept the connection open after {r.status}"
    assert healthz(port(tandem)) == 200


def test_idle_connection_gets_408_or_a_close(tandem):
    tandem.extra_args += ["--request-timeout", str(REQUEST_TIMEOUT)]
    tandem.start()
    with http_connect(port(tandem)) as s:
        started = time.monotonic()
        r = read_response(s, timeout=REQUEST_TIMEOUT + 3)
        elapsed = time.monotonic() - started
    assert r.closed and elapsed <= REQUEST_TIMEOUT + 2.5, f"idle connection still open after {elapsed:.1f}s ({r.raw[:80]!r})"
    if r.raw:
        assert r.status == 408, r.status_line
    assert healthz(port(tandem)) == 200


@pytest.mark.parametrize("head", [
    b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"s" * 200,
    b"GET /ws/presence/visitor?groupid=1&visitorid=slow HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"s" * 200,
], ids=["healthz", "presence-path"])
def test_dribbled_head_times_out(tandem, head):
    """One byte every 0.5 s, never finishing the head: the request timeout counts from the
    connection, not from the last byte."""
    tandem.extra_args += ["--request-timeout", str(REQUEST_TIMEOUT)]
    tandem.start()
    with http_connect(port(tandem)) as s:
        started = time.monotonic()
        data, closed = b"", False
        for byte in head:
            if time.monotonic() - started > REQUEST_TIMEOUT + 3:
                break
            try:
                s.sendall(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
            got, closed = recv_until(s, lambda d: False, 0.5)
            data += got
            if closed:
                break
        elapsed = time.monotonic() - started
    assert closed and elapsed <= REQUEST_TIMEOUT + 2.5, f"dribbled head still open after {elapsed:.1f}s ({data[:80]!r})"
    if data:
        assert data.startswith(b"HTTP/1.1 408"), data[:80]
    assert healthz(port(tandem)) == 200


def test_idle_keep_alive_connection_is_closed(tandem):
    tandem.extra_args += ["--request-timeout", str(REQUEST_TIMEOUT)]
    tandem.start()
    with http_connect(port(tandem)) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        r = read_response(s, timeout=3, want_close=False)
        assert r.status == 200
        started = time.monotonic()
        _, closed = recv_until(s, lambda d: False, REQUEST_TIMEOUT + 4)
        elapsed = time.monotonic() - started
    assert closed and elapsed <= REQUEST_TIMEOUT + 3, f"idle keep-alive connection open {elapsed:.1f}s after its response"
    assert healthz(port(tandem)) == 200


def test_healthy_request_after_hostile_ones(tandem):
    tandem.start()
    for _, request_bytes, _ in MALFORMED:
        with http_connect(port(tandem)) as s:
            send_all(s, request_bytes)
            read_response(s, timeout=1)
    with http_connect(port(tandem)) as s:  # half a head, abandoned
        s.sendall(b"GET /healthz HTTP/1.1\r\nHo")
    assert healthz(port(tandem)) == 200


def test_connection_cap_per_address(tandem):
    tandem.extra_args += ["--max-connections-per-address", "20", "--request-timeout", "30"]
    tandem.start()
    time.sleep(0.3)  # the start-up health check's connection is gone
    idle = [http_connect(port(tandem)) for _ in range(20)]
    try:
        time.sleep(0.3)
        with http_connect(port(tandem)) as extra:
            started = time.monotonic()
            try:
                extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            except (BrokenPipeError, ConnectionResetError):
                pass
            r = read_response(extra, timeout=3)
            elapsed = time.monotonic() - started
        assert r.status in (None, 503) and (r.status == 503 or r.closed), \
            f"21st connection was served: {r.status_line!r} closed={r.closed}"
        assert r.closed and elapsed < 3, f"21st connection not closed at once ({elapsed:.1f}s)"
        # The idle ones are still open (the long request timeout).
        for s in idle[:5]:
            s.close()
        time.sleep(0.5)
        assert healthz(port(tandem)) == 200, "a connection under the cap again is served"
    finally:
        for s in idle:
            s.close()


# ================================================================== WebSocket

@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = TandemServer(tmp_path_factory.mktemp("hostile-ws"))
    srv.cli("agent", "add", "--username", AGENT_USER, "--password", AGENT_PASSWORD, "--name", "Agent One", "--group", "1")
    srv.start()
    srv.cached_token = srv.token()
    yield srv
    srv.stop()


@pytest.fixture
def ws_server(server):
    """The module's server, started again if a previous case brought it down (that case failed)."""
    if server.proc is None or server.proc.poll() is not None:
        server.proc = None
        server.start()
    yield server
    assert server.proc.poll() is None, "the server process died"


_ids = itertools.count(1)
KINDS = ["visitor", "agent", "presence"]


def open_socket(srv, kind, deflate=False) -> RawWS:
    """A socket past its upgrade, in its normal reading state: a visitor with a started session,
    an agent waiting for a session (wait=1), a presence visitor that got `connected`."""
    n = next(_ids)
    p = port_of(srv)
    if kind == "visitor":
        ws, _ = visitor_session(p, f"hostile-{n}", deflate=deflate, page=False)
    elif kind == "agent":
        ws = agent_socket(p, f"nosuch-{n}", srv.cached_token, deflate=deflate)
        ws.recv_json(5, want="waiting")
    else:
        ws = presence_socket(p, f"hostile-{n}", deflate=deflate)
        ws.recv_json(5, want="connected")
    return ws


def assert_closed_with(ws, codes, what, timeout=5):
    r = ws.wait_close(timeout)
    assert r.got_close_frame and r.code in codes, f"{what}: expected close {sorted(codes)}, got {r}"
    assert r.tcp_closed, f"{what}: close frame {r.code} but the TCP connection stayed open"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name,send,codes", VIOLATIONS, ids=[v[0] for v in VIOLATIONS])
def test_protocol_violation_closes_with_code(ws_server, kind, name, send, codes):
    with open_socket(ws_server, kind) as ws:
        assert not ws.deflate
        send(ws)
        assert_closed_with(ws, codes, f"{kind}/{name}")


def test_valid_utf8_split_across_fragments_visitor(ws_server):
    """A `start` whose visitor name has a 4-byte character split between two fragments."""
    with RawWS(port_of(ws_server), "/ws/visitor") as ws:
        text = json.dumps(start_message("split-utf8", visitor={"name": "Zoë 😀"}), ensure_ascii=False).encode()
        cut = text.index("😀".encode()) + 2
        ws.send_frame(TEXT, text[:cut], fin=False)
        ws.send_frame(CONT, text[cut:])
        session = ws.recv_json(5, want="session")
        assert session["key"] == "split-utf8"


def test_valid_utf8_split_across_fragments_agent(ws_server):
    """A waiting agent's `leave` split inside a multibyte character ends the wait (4000)."""
    with open_socket(ws_server, "agent") as ws:
        text = '{"t":"leave","note":"€😀"}'.encode()
        cut = text.index("€".encode()) + 1
        ws.send_frame(TEXT, text[:cut], fin=False)
        ws.send_frame(CONT, text[cut:])
        r = ws.wait_close(5)
        assert r.code == 4000, f"fragmented valid UTF-8: {r}"


def test_valid_utf8_split_across_fragments_presence(ws_server):
    with open_socket(ws_server, "presence") as ws:
        text = '{"t":"presence","data":{"name":"€😀"}}'.encode()
        cut = text.index("😀".encode()) + 3
        ws.send_frame(TEXT, text[:cut], fin=False)
        ws.send_frame(CONT, text[cut:])
        if not ws.open_for(1.5):
            m = ws.last
            code = struct.unpack("!H", m[1].payload[:2])[0] if m and len(m[1].payload) >= 2 else None
            assert code not in (1002, 1007), f"a valid fragmented message closed with {code}"


@pytest.mark.parametrize("kind", KINDS)
def test_valid_close_is_answered_with_1000(ws_server, kind):
    with open_socket(ws_server, kind) as ws:
        ws.send_close(1000, b"bye")
        r = ws.wait_close(5, echo=False)
        assert r.code in (1000, None) and r.tcp_closed, f"{kind}: {r}"


@pytest.mark.parametrize("kind", KINDS)
def test_invalid_deflate_data(ws_server, kind):
    with open_socket(ws_server, kind, deflate=True) as ws:
        ws.send_frame(TEXT, b"\xff\xff\xff\xff\xff\xff", rsv1=True)
        assert_closed_with(ws, {1002, 1007}, f"{kind}: RSV1 frame with invalid deflate data (deflate={ws.deflate})")


@pytest.mark.parametrize("kind", KINDS)
def test_compressed_message_inflating_over_the_limit(ws_server, kind):
    limit = 16 * KIB if kind == "presence" else 16 * MIB
    with open_socket(ws_server, kind, deflate=True) as ws:
        if kind == "visitor":
            ws.send_binary(b"\x02" + b"\x00" * (limit + KIB - 1), compress=True)
        else:
            ws.send_text(b"a" * (limit + (KIB if kind == "agent" else 1)), compress=True)
        if ws.deflate:
            assert_closed_with(ws, {1009}, f"{kind}: compressed message inflating over {limit}")
        else:  # not negotiated: RSV1 is itself the violation
            assert_closed_with(ws, {1002}, f"{kind}: RSV1 without permessage-deflate")


@pytest.mark.parametrize("kind", KINDS)
def test_declared_length_over_the_limit_closes_at_once(ws_server, kind):
    with open_socket(ws_server, kind) as ws:
        ws.send_raw(frame(BINARY if kind == "visitor" else TEXT, b"", length=17 * MIB))  # the header only
        started = time.monotonic()
        r = ws.wait_close(3)
        assert r.got_close_frame and r.code == 1009, f"{kind}: 17 MiB header only: {r}"
        assert time.monotonic() - started < 3


# ---- Tandem messages at the edge ----

AGENT_LIMIT = 64 * KIB


@pytest.mark.parametrize("chars", [AGENT_LIMIT - 2, AGENT_LIMIT - 1, AGENT_LIMIT + 1, AGENT_LIMIT + 2 * KIB,
                                   AGENT_LIMIT + 4 * KIB - 100, AGENT_LIMIT + 4 * KIB + 100],
                         ids=["at-limit", "limit+1", "limit+3", "limit+2KiB", "limit+4KiB-98", "limit+4KiB+102"])
def test_agent_message_data_limit(ws_server, chars):
    """`data` is a string of `chars` letters: its JSON is chars + 2 bytes. Over 64 KiB of data the
    socket is closed with 4400 (docs/protocol.md, agentMessageBytes), or with 1009 when the whole
    message is over 64 KiB + 4 KiB; nothing of it reaches the visitor."""
    p = port_of(ws_server)
    key = f"agentmsg-{next(_ids)}"
    visitor, _ = visitor_session(p, key)
    with visitor, agent_socket(p, key, ws_server.cached_token, wait=False) as agent:
        agent.recv_json(5, want="joined")
        data = "a" * chars
        text = json.dumps({"t": "message", "name": "big", "data": data})
        agent.send_text(text)
        if chars + 2 <= AGENT_LIMIT:
            got = visitor.recv_json(5, want="message")
            assert got["name"] == "big" and got["data"] == data
            assert agent.open_for(0.5), "the agent socket was closed for a message at the limit"
        else:
            r = agent.wait_close(5)
            code = 4400 if len(text) <= AGENT_LIMIT + 4 * KIB else 1009
            assert r.got_close_frame and r.code == code, f"{chars + 2} bytes of data ({len(text)}-byte message): expected {code}, got {r}"
            with pytest.raises((Deadline, EOFError)):
                visitor.recv_json(1, want="message")


@pytest.mark.parametrize("text", [
    b"\xef\xbb\xbf" + json.dumps(start_message("bom-key")).encode(),
    b'{"t":"start","v":1,"groupid":1,"key":"comma-key",}',
], ids=["utf8-bom", "trailing-comma"])
def test_start_json_reader_is_strict(ws_server, text):
    with RawWS(port_of(ws_server), "/ws/visitor") as ws:
        ws.send_frame(TEXT, text)
        r = ws.wait_close(5)
        assert not any(m[0] == TEXT and b'"session"' in m[1] for m in r.messages), f"accepted: {r}"
        assert r.got_close_frame and r.code == 4400, f"{r}"
