"""A tiny raw WebSocket (RFC 6455 + permessage-deflate, RFC 7692) and HTTP client over plain
sockets, for the hostile-input tests: it sends whatever bytes a test asks for (unmasked frames,
reserved bits and opcodes, broken fragmentation, illegal close codes, bad deflate data) and reads
the server's answer with a deadline on every read, so a server that does not answer fails the
test instead of hanging it. Also the socket-level Tandem helpers (a visitor that started a
session, an agent that joined it) and the list of deterministic protocol violations shared by
test_hostile_edge.py and test_fuzz_sockets.py."""

import base64
import json
import os
import select
import socket
import struct
import threading
import time
import zlib
from dataclasses import dataclass, field

CONT, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA
MIB, KIB = 1 << 20, 1 << 10

VISITOR_PATH = "/ws/visitor"
PRESENCE_PATH = "/ws/presence/visitor?groupid=1&visitorid={vid}"
AGENT_PATH = "/ws/agent?key={key}&wait=1&v=1&token={token}"


def port_of(tandem) -> int:
    return int(tandem.base.rsplit(":", 1)[1])


# ---- Raw HTTP ----

class Deadline(Exception):
    """A read that did not complete before its deadline."""


def recv_until(sock: socket.socket, predicate, timeout: float) -> tuple[bytes, bool]:
    """Reads until predicate(data) holds, EOF, or the deadline. Returns (data, eof)."""
    data = b""
    end = time.monotonic() + timeout
    while not predicate(data):
        left = end - time.monotonic()
        if left <= 0:
            return data, False
        if not select.select([sock], [], [], left)[0]:
            return data, False
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        except OSError:  # reset
            return data, True
        if not chunk:
            return data, True
        data += chunk
    return data, False


def send_all(sock: socket.socket, data: bytes, chunk: int = 16384) -> bool:
    """Sends data in chunks, stopping early when the server has answered or closed (a server may
    refuse an oversized head before reading it all). Returns whether everything was sent."""
    for i in range(0, len(data), chunk):
        readable, _, _ = select.select([sock], [], [], 0)
        if readable:
            return False
        try:
            sock.sendall(data[i:i + chunk])
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            return False
    return True


@dataclass
class HTTPResponse:
    raw: bytes
    status: int | None
    status_line: str
    headers: dict
    body: bytes
    closed: bool  # the server closed the connection (EOF/reset) within the deadline


def parse_head(raw: bytes):
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status_line = lines[0] if lines else ""
    parts = status_line.split(" ", 2)
    status = int(parts[1]) if len(parts) >= 2 and parts[0].startswith("HTTP/") and parts[1].isdigit() else None
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    return status, status_line, headers, body


def read_response(sock: socket.socket, timeout: float = 3.0, want_close: bool = True) -> HTTPResponse:
    """Reads one response (head + Content-Length body); with want_close, then waits (same deadline)
    for the server to close the connection."""
    end = time.monotonic() + timeout

    def complete(data):
        if b"\r\n\r\n" not in data:
            return False
        _, _, headers, body = parse_head(data)
        return len(body) >= int(headers.get("content-length", "0") or 0)

    data, eof = recv_until(sock, complete, max(0.05, end - time.monotonic()))
    if want_close and not eof:
        more, eof = recv_until(sock, lambda d: False, max(0.05, end - time.monotonic()))
        data += more
    status, status_line, headers, body = parse_head(data)
    return HTTPResponse(data, status, status_line, headers, body, eof)


def http_connect(port: int, timeout: float = 5) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def healthz(port: int, timeout: float = 5) -> int | None:
    with http_connect(port) as s:
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        return read_response(s, timeout, want_close=False).status


# ---- WebSocket frames ----

def deflate(data: bytes) -> bytes:
    """One permessage-deflate message body: raw deflate, sync-flushed, trailing 00 00 ff ff removed
    (a fresh compressor per message: valid whatever context takeover was negotiated)."""
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    out = c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)
    assert out.endswith(b"\x00\x00\xff\xff")
    return out[:-4]


def frame(opcode: int, payload: bytes = b"", fin: bool = True, rsv1=False, rsv2=False, rsv3=False,
          mask: bool = True, length: int | None = None) -> bytes:
    """One client frame. length overrides the declared payload length (send a header only)."""
    b0 = (0x80 if fin else 0) | (0x40 if rsv1 else 0) | (0x20 if rsv2 else 0) | (0x10 if rsv3 else 0) | (opcode & 0x0F)
    n = len(payload) if length is None else length
    m = 0x80 if mask else 0
    if n < 126:
        head = struct.pack("!BB", b0, m | n)
    elif n <= 0xFFFF:
        head = struct.pack("!BBH", b0, m | 126, n)
    else:
        head = struct.pack("!BBQ", b0, m | 127, n)
    if not mask:
        return head + payload
    key = os.urandom(4)
    return head + key + xor_mask(payload, key)


def xor_mask(payload: bytes, key: bytes) -> bytes:
    if not payload:
        return b""
    k = (key * (len(payload) // 4 + 1))[:len(payload)]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(k, "big")).to_bytes(len(payload), "big")


def close_payload(code: int | None = None, reason: bytes = b"") -> bytes:
    return b"" if code is None else struct.pack("!H", code) + reason


@dataclass
class Frame:
    fin: bool
    rsv: int
    opcode: int
    payload: bytes


@dataclass
class CloseResult:
    code: int | None          # the close frame's status code (None: no close frame, or an empty one)
    got_close_frame: bool
    tcp_closed: bool          # EOF/reset seen before the deadline
    reason: bytes = b""
    messages: list = field(default_factory=list)  # data messages that came before the close

    def __repr__(self):
        return (f"CloseResult(code={self.code}, close_frame={self.got_close_frame}, tcp_closed={self.tcp_closed}, "
                f"reason={self.reason[:80]!r}, messages={[m[:80] for _, m in self.messages][:4]})")


class HandshakeFailed(Exception):
    pass


class RawWS:
    """One client WebSocket over a raw socket."""

    def __init__(self, port: int, path: str, deflate: bool = False, headers: dict | None = None, timeout: float = 5):
        self.sock = http_connect(port, timeout)
        self.lock = threading.Lock()  # one writer at a time (a reader thread answers pings)
        self.last = None
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Upgrade: websocket", "Connection: Upgrade",
                 f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
        if deflate:
            lines.append("Sec-WebSocket-Extensions: permessage-deflate")
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        data, eof = recv_until(self.sock, lambda d: b"\r\n\r\n" in d, timeout)
        head, sep, rest = data.partition(b"\r\n\r\n")
        status, self.status_line, self.headers, _ = parse_head(head + b"\r\n\r\n")
        if status != 101:
            self.sock.close()
            raise HandshakeFailed(f"{path}: {self.status_line!r} (eof={eof})")
        self.buf = rest
        self.eof = False
        self.deflate = "permessage-deflate" in self.headers.get("sec-websocket-extensions", "")
        self.inflater = zlib.decompressobj(-15)

    # -- sending --
    def send_raw(self, data: bytes) -> bool:
        try:
            with self.lock:
                self.sock.sendall(data)
            return True
        except (BrokenPipeError, ConnectionResetError, socket.timeout, OSError):
            return False

    def send_frame(self, opcode: int, payload: bytes = b"", **kw) -> bool:
        return self.send_raw(frame(opcode, payload, **kw))

    def send_text(self, text: str | bytes, compress: bool = False) -> bool:
        data = text.encode() if isinstance(text, str) else text
        if compress:
            return self.send_frame(TEXT, deflate(data), rsv1=True)
        return self.send_frame(TEXT, data)

    def send_json(self, obj, compress: bool = False) -> bool:
        return self.send_text(json.dumps(obj), compress)

    def send_binary(self, data: bytes, compress: bool = False) -> bool:
        if compress:
            return self.send_frame(BINARY, deflate(data), rsv1=True)
        return self.send_frame(BINARY, data)

    def send_close(self, code: int | None = 1000, reason: bytes = b"") -> bool:
        return self.send_frame(CLOSE, close_payload(code, reason))

    # -- reading --
    def _fill(self, n: int, end: float) -> bool:
        while len(self.buf) < n:
            if self.eof:
                return False
            left = end - time.monotonic()
            if left <= 0:
                raise Deadline()
            if not select.select([self.sock], [], [], left)[0]:
                raise Deadline()
            try:
                chunk = self.sock.recv(1 << 20)
            except socket.timeout:
                continue
            except OSError:  # reset
                chunk = b""
            if not chunk:
                self.eof = True
                return False
            self.buf += chunk
        return True

    def recv_frame(self, timeout: float = 5) -> Frame | None:
        """The next server frame; None at EOF; raises Deadline."""
        end = time.monotonic() + timeout
        if not self._fill(2, end):
            return None
        b0, b1 = self.buf[0], self.buf[1]
        n, pos = b1 & 0x7F, 2
        if n == 126:
            if not self._fill(4, end):
                return None
            n, pos = struct.unpack("!H", self.buf[2:4])[0], 4
        elif n == 127:
            if not self._fill(10, end):
                return None
            n, pos = struct.unpack("!Q", self.buf[2:10])[0], 10
        if b1 & 0x80:
            pos += 4  # a server must not mask; read past a key anyway
        if not self._fill(pos + n, end):
            return None
        payload = self.buf[pos:pos + n]
        if b1 & 0x80:
            payload = xor_mask(payload, self.buf[pos - 4:pos])
        self.buf = self.buf[pos + n:]
        return Frame(bool(b0 & 0x80), (b0 >> 4) & 0x7, b0 & 0x0F, payload)

    def recv_message(self, timeout: float = 5):
        """The next data message (opcode, bytes) — pings answered, compressed messages inflated —
        or ('close', Frame) for a close frame, or None at EOF. Raises Deadline."""
        end = time.monotonic() + timeout
        parts, first = [], None
        while True:
            f = self.recv_frame(max(0.01, end - time.monotonic()))
            if f is None:
                return None
            if f.opcode == PING:
                self.send_frame(PONG, f.payload)
                continue
            if f.opcode == PONG:
                continue
            if f.opcode == CLOSE:
                return ("close", f)
            if first is None:
                first = f
            parts.append(f.payload)
            if f.fin:
                data = b"".join(parts)
                if first.rsv & 0x4:
                    data = self.inflater.decompress(data + b"\x00\x00\xff\xff")
                return (first.opcode, data)

    def recv_json(self, timeout: float = 5, want: str | None = None):
        """The next text message as JSON (skipping binary ones, and other types when want is given)."""
        end = time.monotonic() + timeout
        while True:
            m = self.recv_message(max(0.01, end - time.monotonic()))
            if m is None:
                raise EOFError("connection closed")
            if m[0] == "close":
                code = struct.unpack("!H", m[1].payload[:2])[0] if len(m[1].payload) >= 2 else None
                raise EOFError(f"closed with {code} {m[1].payload[2:]!r}")
            if m[0] == TEXT:
                obj = json.loads(m[1])
                if want is None or obj.get("t") == want:
                    return obj

    def wait_close(self, timeout: float = 5, echo: bool = True, eof_timeout: float = 3) -> CloseResult:
        """Reads until the server's close frame (answering it like a client would) and then the TCP
        close; or until EOF; or until the deadline."""
        end = time.monotonic() + timeout
        result = CloseResult(None, False, False)
        try:
            while True:
                m = self.recv_message(max(0.01, end - time.monotonic()))
                if m is None:
                    result.tcp_closed = True
                    return result
                if m[0] == "close":
                    p = m[1].payload
                    result.got_close_frame = True
                    if len(p) >= 2:
                        result.code = struct.unpack("!H", p[:2])[0]
                        result.reason = p[2:]
                    if echo:
                        self.send_frame(CLOSE, p[:2])
                    break
                result.messages.append(m)
        except Deadline:
            return result
        except (zlib.error, ValueError):
            pass
        # After the close frame: the server closes the TCP connection.
        end = time.monotonic() + eof_timeout
        try:
            while self.recv_frame(max(0.01, end - time.monotonic())) is not None:
                pass
            result.tcp_closed = True
        except Deadline:
            pass
        return result

    def open_for(self, seconds: float) -> bool:
        """Whether the server keeps the socket open (no close frame, no EOF) for this long."""
        end = time.monotonic() + seconds
        try:
            while True:
                m = self.recv_message(max(0.01, end - time.monotonic()))
                if m is None or m[0] == "close":
                    self.last = m
                    return False
        except Deadline:
            return True

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# ---- Tandem at the socket level ----

def start_message(key: str, **extra) -> dict:
    return {"t": "start", "v": 1, "groupid": 1, "key": key, **extra}


def visitor_session(port: int, key: str, deflate: bool = False, page: bool = True) -> tuple[RawWS, dict]:
    """A visitor socket that sent `start` and got its `session` (and sent a first page)."""
    ws = RawWS(port, VISITOR_PATH + f"?key={key}", deflate=deflate)
    ws.send_json(start_message(key))
    session = ws.recv_json(5, want="session")
    if page:
        ws.send_binary(b"\x01" + json.dumps(page_payload()).encode())
    return ws, session


def page_payload() -> dict:
    return {"url": "https://example.test/", "load": "L1", "vp": [800, 600], "dpr": 1, "sc": [0, 0], "ua": "raw",
            "vis": "visible", "doc": {"i": 1, "c": [{"i": 2, "d": "html"}, {"i": 3, "t": "html", "c": [{"i": 4, "t": "body"}]}]}}


def agent_socket(port: int, key: str, token: str, deflate: bool = False, wait: bool = True) -> RawWS:
    path = f"/ws/agent?key={key}&v=1&token={token}" + ("&wait=1" if wait else "")
    return RawWS(port, path, deflate=deflate)


def presence_socket(port: int, vid: str, deflate: bool = False) -> RawWS:
    return RawWS(port, PRESENCE_PATH.format(vid=vid), deflate=deflate)


# ---- Deterministic protocol violations (after a valid upgrade) ----
# (name, what to send, the close codes the server must answer with). Each entry's sender gets the
# RawWS; "rsv1-without-deflate" needs a socket without permessage-deflate negotiated.

def _fragmented_interleaved(ws):
    ws.send_frame(TEXT, b'{"t":', fin=False)
    ws.send_frame(TEXT, b'{"t":"x"}')


VIOLATIONS = [
    ("unmasked-frame", lambda ws: ws.send_frame(TEXT, b'{"t":"visibility","state":"visible"}', mask=False), {1002}),
    ("rsv2", lambda ws: ws.send_frame(TEXT, b'{"t":"x"}', rsv2=True), {1002}),
    ("rsv3", lambda ws: ws.send_frame(TEXT, b'{"t":"x"}', rsv3=True), {1002}),
    ("rsv1-without-deflate", lambda ws: ws.send_frame(TEXT, deflate(b'{"t":"x"}'), rsv1=True), {1002}),
    ("reserved-opcode-3", lambda ws: ws.send_frame(0x3, b"abc"), {1002}),
    ("reserved-opcode-0xB", lambda ws: ws.send_frame(0xB, b"abc"), {1002}),
    ("orphan-continuation", lambda ws: ws.send_frame(CONT, b'{"t":"x"}'), {1002}),
    ("interleaved-new-message", _fragmented_interleaved, {1002}),
    ("control-frame-fin0", lambda ws: ws.send_frame(PING, b"p", fin=False), {1002}),
    ("control-frame-126-bytes", lambda ws: ws.send_frame(PING, b"p" * 126), {1002}),
    ("close-code-1005", lambda ws: ws.send_close(1005), {1002}),
    ("close-code-1006", lambda ws: ws.send_close(1006), {1002}),
    ("close-code-0", lambda ws: ws.send_close(0), {1002}),
    ("close-code-999", lambda ws: ws.send_close(999), {1002}),
    ("close-code-5000", lambda ws: ws.send_close(5000), {1002}),
    ("close-code-65535", lambda ws: ws.send_close(65535), {1002}),
    ("close-payload-1-byte", lambda ws: ws.send_frame(CLOSE, b"\x03"), {1002}),
    ("invalid-utf8-text", lambda ws: ws.send_frame(TEXT, b'{"t":"message","name":"n","data":"\xc3\x28\xff"}'), {1007}),
    ("invalid-utf8-across-fragments", lambda ws: (
        ws.send_frame(TEXT, b'{"t":"message","name":"n","data":"\xe2\x82', fin=False),
        ws.send_frame(CONT, b'\x28"}')), {1007}),
]
VIOLATION_NAMES = [v[0] for v in VIOLATIONS]
