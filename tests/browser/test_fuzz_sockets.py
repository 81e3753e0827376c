"""A seeded, bounded fuzz of the three sockets a stranger can open (visitor, agent, presence
visitor) and of the HTTP edge, while a healthy visitor + agent session keeps flowing.

Seed: env TANDEM_FUZZ_SEED (printed; rerun with it to replay a worker's sequence of cases —
the interleaving of the workers is not replayed). Asserts: the server stays up and healthy, the
healthy agent receives every delta and message the healthy visitor sent, every fuzzed
connection is closed by the server (by itself, or after our close frame) within a short
deadline, and the deterministic protocol violations get their documented close code."""

import json
import os
import random
import socket
import string
import threading
import time
import traceback

from conftest import ROOT
from rawws import (BINARY, CLOSE, CONT, KIB, MIB, PING, PONG, TEXT, VIOLATIONS, Deadline, HandshakeFailed, RawWS,
                   agent_socket, deflate, frame, healthz, http_connect, port_of, presence_socket, recv_until, start_message,
                   visitor_session)

SEED = int(os.environ.get("TANDEM_FUZZ_SEED", "20240917"))
WORKERS = 4
CASES_PER_WORKER = 400
BUDGET_SECONDS = 60          # the fuzzing phase stops here whatever is left (the test stays under 90 s)
REQUEST_TIMEOUT = 3
SELF_CLOSE_WAIT = 2.5        # how long a fuzzed socket may stay open before we close it ourselves
CLOSE_DEADLINE = 3           # after our close frame (or after the server's), the TCP close
CONTRACT = json.loads((ROOT / "protocol" / "contract.json").read_text())
HEALTHY_KEY = "healthy-fuzz"


# ---------------------------------------------------------------- random input

def rand_text(rng, n=None):
    n = rng.randint(0, 40) if n is None else n
    alphabet = string.printable + "éü€😀\u0000\u2028\ufeff"
    return "".join(rng.choice(alphabet) for _ in range(n))


def rand_value(rng, depth=0):
    kinds = ["null", "bool", "int", "bigint", "float", "str", "list", "dict"] if depth < 3 else ["null", "int", "str"]
    k = rng.choice(kinds)
    return {
        "null": lambda: None, "bool": lambda: rng.random() < 0.5, "int": lambda: rng.randint(-5, 5),
        "bigint": lambda: rng.choice([2 ** 63, -2 ** 63 - 1, 2 ** 64 + 7, 10 ** 30]),
        "float": lambda: rng.choice([0.5, -1e308, 1e300, 1.5]), "str": lambda: rand_text(rng),
        "list": lambda: [rand_value(rng, depth + 1) for _ in range(rng.randint(0, 4))],
        "dict": lambda: {rand_text(rng, 5): rand_value(rng, depth + 1) for _ in range(rng.randint(0, 4))},
    }[k]()


PLAUSIBLE = {"number": lambda r: r.randint(0, 3), "string": lambda r: "k" + str(r.randint(0, 99)), "boolean": lambda r: True,
             "float": lambda r: 1.5, "object": lambda r: {"a": "b"}, "array": lambda r: [], "any": lambda r: "x",
             "visibility": lambda r: "visible", "points": lambda r: [[1, 2]], "action": lambda r: "click",
             "strings": lambda r: {"a": "b"}}


def fuzz_message(rng, names: dict) -> dict:
    """A message of a type from the contract with fields missing, mistyped or plausible."""
    name = rng.choice(sorted(names))
    msg = {"t": name}
    for field, typ in names[name].items():
        if field == "?":
            continue
        roll = rng.random()
        if roll < 0.3:
            continue
        if roll < 0.65 or not isinstance(typ, str):
            msg[field] = rand_value(rng)
        else:
            msg[field] = PLAUSIBLE.get(typ.rstrip("?"), lambda r: None)(rng)
    if rng.random() < 0.1:
        msg["t"] = rng.choice([None, 7, "", "START", rand_text(rng, 8)])
    return msg


ABSURD_V = [-1, 0, 2, 1.5, 1e300, 2 ** 64, "1", True, {}, [1]]
ABSURD_QUERY_V = ["+1", "1.0", "", "-1", "2", "99999999999999999999999", "1e0", "%31%00"]


def junk_text(rng) -> bytes:
    return rng.choice([
        lambda: rng.randbytes(rng.randint(0, 300)),
        lambda: b"[" * rng.randint(1000, 12000),                      # deep nesting
        lambda: b'{"t":"start","v":1,' * rng.randint(1, 300),
        lambda: json.dumps({"t": "start", "v": 1, "groupid": 1, "key": rand_text(rng, 200)}).encode(),
        lambda: b'{"t":"message","name":"x","data":"' + b"\\ud800" * rng.randint(1, 100) + b'"}',
        lambda: b"",
        lambda: json.dumps(rand_value(rng)).encode(),
    ])()


# ---------------------------------------------------------------- the cases

def run_case(rng, port, token, healthy_callid, case_no, worker):
    """One fuzzed connection. Returns (label, problem or None)."""
    kind = rng.choice(["visitor", "visitor", "agent", "presence", "http"])
    if kind == "http":
        return http_case(rng, port)
    deflate = rng.random() < 0.5
    action = rng.choice(["violation", "violation", "frames", "json", "json", "oversize", "junk", "continue", "version"])
    label = f"w{worker}#{case_no} {kind} {action}"
    uid = f"fz{worker}x{case_no}x{rng.randint(0, 10 ** 6)}"
    expected = None           # a set of close codes the server must answer with
    server_must_close = False
    try:
        if kind == "visitor":
            started = rng.random() < 0.5 and action not in ("continue", "version")
            if started:
                ws, _ = visitor_session(port, uid, deflate=deflate, page=rng.random() < 0.5)
            else:
                ws = RawWS(port, f"/ws/visitor?key={uid}", deflate=deflate)
        elif kind == "agent":
            if action == "version":
                v = rng.choice(ABSURD_QUERY_V)
                ws = RawWS(port, f"/ws/agent?key={uid}&wait=1&v={v}&token={token}", deflate=deflate)
                return label + f" v={v!r}", check(ws, {4426}, True)
            ws = agent_socket(port, uid, token, deflate=deflate)
        else:
            ws = presence_socket(port, uid, deflate=deflate)
    except HandshakeFailed as e:
        return label, f"upgrade refused: {e}"
    except (Deadline, EOFError, OSError) as e:
        return label, f"setup failed: {e!r}"

    with ws:
        if action == "violation":
            name, send, codes = rng.choice(VIOLATIONS)
            if name == "rsv1-without-deflate" and ws.deflate:
                name, send, codes = VIOLATIONS[0]
            label += f" {name}"
            send(ws)
            expected, server_must_close = codes, True
        elif action == "frames":
            for _ in range(rng.randint(1, 5)):
                opcode = rng.choice([TEXT, BINARY, CONT, CLOSE, PING, PONG, rng.randint(0, 15)])
                payload = rng.randbytes(rng.choice([0, 1, 2, 5, 125, 126, 300, 70000]))
                rsv1 = rng.random() < 0.3
                if rsv1 and rng.random() < 0.7:
                    payload = zlib_or_junk(rng, payload)
                ws.send_frame(opcode, payload, fin=rng.random() < 0.8, rsv1=rsv1, rsv2=rng.random() < 0.05,
                              rsv3=rng.random() < 0.05, mask=rng.random() < 0.95)
        elif action == "json":
            names = CONTRACT["messages"][{"visitor": "visitor", "agent": "agent", "presence": "presence-visitor"}[kind]]
            for _ in range(rng.randint(1, 5)):
                ws.send_json(fuzz_message(rng, names), compress=ws.deflate and rng.random() < 0.5)
        elif action == "junk":
            data = junk_text(rng)
            ws.send_frame(rng.choice([TEXT, BINARY]), data)
        elif action == "oversize":
            limit = 16 * KIB if kind == "presence" else (16 * MIB if kind == "visitor" else 68 * KIB)
            if ws.deflate and rng.random() < 0.6:
                label += " compressed"
                ws.send_binary(b"\x02" + b"\x00" * (limit + KIB), compress=True) if kind == "visitor" else \
                    ws.send_text(b"a" * (limit + KIB), compress=True)
            else:
                label += " declared"
                ws.send_raw(frame(rng.choice([TEXT, BINARY]), b"", length=rng.choice([17 * MIB, 2 ** 63 - 1, 2 ** 40])))
            expected, server_must_close = {1009}, True
        elif action == "continue":
            if kind == "visitor":
                forged_key = HEALTHY_KEY if rng.random() < 0.5 else uid
                ws.send_json({"t": "continue", "v": 1, "groupid": rng.choice([1, 1, 2, -1]), "key": forged_key,
                              "callid": healthy_callid if forged_key == HEALTHY_KEY else rng.randint(0, 10 ** 6),
                              "token": rng.choice(["", rand_text(rng, 20), "x" * 5000, rng.randbytes(16).hex()])})
                label += f" key={forged_key}"
                server_must_close = True
                res = ws.wait_close(5)
                if any(m[0] == TEXT and b'"session"' in m[1] for m in res.messages):
                    return label, f"forged continue was accepted: {res}"
                if not (res.got_close_frame and res.code and 4000 <= res.code < 5000 and res.tcp_closed):
                    return label, f"forged continue not refused with a 4xxx close: {res}"
                return label, None
            ws.send_json({"t": "continue", "token": rand_text(rng)})
        elif action == "version":
            if kind == "visitor":
                v = rng.choice(ABSURD_V + [None, "missing"])
                msg = start_message(uid)
                if v == "missing":
                    del msg["v"]
                else:
                    msg["v"] = v
                if rng.random() < 0.3:
                    msg["t"] = "continue"
                    msg.update(callid=1, token="t")
                label += f" v={v!r}"
                ws.send_json(msg)
                expected = {4400} if v in (None, "missing") else {4426}
                server_must_close = True
            else:
                ws.send_json({"t": "start", "v": rng.choice(ABSURD_V)})
        return label, verdict(ws, expected, server_must_close)


def zlib_or_junk(rng, payload):
    return deflate(payload) if rng.random() < 0.5 else rng.randbytes(len(payload) or 4)


def check(ws, expected, must_close):
    with ws:
        return verdict(ws, expected, must_close)


def verdict(ws, expected, server_must_close):
    """The server closes the socket (itself, or after our close) within the deadlines; with
    `expected`, its close frame carries one of those codes."""
    res = ws.wait_close(SELF_CLOSE_WAIT if not server_must_close else 5)
    if res.got_close_frame or res.tcp_closed:
        if expected is not None and not (res.got_close_frame and res.code in expected):
            return f"expected close {sorted(expected)}, got {res}"
        if not res.tcp_closed:
            return f"close frame {res.code} but the TCP connection stayed open: {res}"
        return None
    if server_must_close:
        return f"no close from the server: {res}"
    ws.send_close(1000)
    res = ws.wait_close(CLOSE_DEADLINE, echo=False)
    if not res.tcp_closed:
        return f"still open {CLOSE_DEADLINE}s after our close frame: {res}"
    return None


def http_case(rng, port):
    style = rng.choice(["random", "partial-head", "garbage-head", "half-closed"])
    label = f"http {style}"
    data = {
        "random": lambda: rng.randbytes(rng.randint(1, 4096)),
        "partial-head": lambda: b"GET /ws/visitor HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n" + rng.randbytes(rng.randint(0, 50)),
        "garbage-head": lambda: rng.choice([b"GET ", b"POST ", b"PRI * ", b""]) + rng.randbytes(rng.randint(1, 200)) + b"\r\n\r\n",
        "half-closed": lambda: rng.randbytes(rng.randint(1, 500)),
    }[style]()
    try:
        with http_connect(port) as s:
            try:
                s.sendall(data)
                if style == "half-closed":
                    s.shutdown(socket.SHUT_WR)
            except OSError:
                return label, None
            _, closed = recv_until(s, lambda d: False, REQUEST_TIMEOUT + 3)
            return label, None if closed else f"connection still open {REQUEST_TIMEOUT + 3}s after {data[:40]!r}"
    except OSError as e:
        return label, f"connect failed: {e!r}"


# ---------------------------------------------------------------- the healthy session

class Healthy:
    def __init__(self, port, token):
        self.visitor, self.session = visitor_session(port, HEALTHY_KEY, deflate=True)
        self.agent = agent_socket(port, HEALTHY_KEY, token, deflate=True, wait=False)
        self.agent.recv_json(5, want="joined")
        self.sent_deltas, self.sent_messages = [], []
        self.got_deltas, self.got_messages = set(), set()
        self.errors = []
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._agent_reader, daemon=True),
                        threading.Thread(target=self._visitor_reader, daemon=True)]
        for t in self.threads:
            t.start()

    def _read(self, name, sock, handle):
        """Reads one healthy socket until the run stops; anything that ends it is an error."""
        while not self.stop.is_set():
            try:
                m = sock.recv_message(0.5)
            except Deadline:
                continue
            except Exception as e:  # noqa: BLE001
                self.errors.append(f"{name} reader: {e!r}")
                return
            if m is None or m[0] == "close":
                self.errors.append(f"healthy {name} socket closed: {m}")
                return
            handle(*m)

    def _agent_reader(self):
        self._read("agent", self.agent, self._on_agent)

    def _visitor_reader(self):
        self._read("visitor", self.visitor, self._on_visitor)

    def _on_agent(self, opcode, data):
        if opcode == BINARY and data[:1] == b"\x02":
            tx = json.loads(data[1:]).get("tx", [])
            for _, text in tx:
                if text.startswith("seq-"):
                    self.got_deltas.add(int(text[4:]))
        elif opcode == TEXT:
            obj = json.loads(data)
            if obj.get("t") == "message" and obj.get("name") == "seq":
                self.got_messages.add(obj["data"])
            elif obj.get("t") == "ended":
                self.errors.append(f"healthy session ended for the agent: {obj}")

    def _on_visitor(self, opcode, data):
        if opcode == TEXT:
            obj = json.loads(data)
            if obj.get("t") == "resync":
                self.visitor.send_binary(b"\x01" + json.dumps({"url": "https://example.test/", "load": "L1", "vp": [800, 600],
                                                               "dpr": 1, "sc": [0, 0], "ua": "raw", "vis": "visible",
                                                               "doc": {"i": 1, "c": []}}).encode(), compress=True)
            elif obj.get("t") in ("ended", "error"):
                self.errors.append(f"healthy visitor got {obj}")

    def send(self, n):
        delta = {"tx": [[4, f"seq-{n}"]]}
        if self.visitor.send_binary(b"\x02" + json.dumps(delta).encode(), compress=n % 2 == 0):
            self.sent_deltas.append(n)
        if n % 4 == 0 and self.visitor.send_json({"t": "message", "name": "seq", "data": n}, compress=n % 8 == 0):
            self.sent_messages.append(n)

    def missing(self):
        return sorted(set(self.sent_deltas) - self.got_deltas), sorted(set(self.sent_messages) - self.got_messages)

    def close(self):
        self.stop.set()
        for t in self.threads:
            t.join(2)
        self.visitor.close()
        self.agent.close()


# ---------------------------------------------------------------- the test

def test_fuzz_the_sockets_while_a_session_flows(tandem):
    print(f"\nTANDEM_FUZZ_SEED={SEED}")
    tandem.extra_args += ["--request-timeout", str(REQUEST_TIMEOUT)]
    tandem.start()
    port = port_of(tandem)
    token = tandem.token()
    healthy = Healthy(port, token)
    problems, done = [], []
    lock = threading.Lock()
    started = time.monotonic()

    def worker(w):
        rng = random.Random(SEED * 1000 + w)
        for case_no in range(CASES_PER_WORKER):
            if time.monotonic() - started > BUDGET_SECONDS:
                break
            try:
                label, problem = run_case(rng, port, token, healthy.session["callid"], case_no, w)
            except Exception:  # noqa: BLE001 — a harness error is reported, not hidden
                label, problem = f"w{w}#{case_no}", "harness error: " + traceback.format_exc(limit=3)
            with lock:
                done.append(label)
                if problem:
                    problems.append(f"{label}: {problem}")

    threads = [threading.Thread(target=worker, args=(w,), daemon=True) for w in range(WORKERS)]
    for t in threads:
        t.start()
    n = 0
    while any(t.is_alive() for t in threads) and time.monotonic() - started < BUDGET_SECONDS + 15:
        n += 1
        healthy.send(n)
        time.sleep(0.05)
    for t in threads:
        t.join(1)
    stuck = [t for t in threads if t.is_alive()]

    # Everything the healthy visitor sent reaches its agent.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(healthy.missing()):
        time.sleep(0.1)
    missing_deltas, missing_messages = healthy.missing()
    healthy.close()

    alive = tandem.proc.poll() is None
    health = healthz(port) if alive else None
    print(f"fuzz: {len(done)} cases in {time.monotonic() - started:.1f}s, healthy session sent "
          f"{len(healthy.sent_deltas)} deltas / {len(healthy.sent_messages)} messages")
    for p in problems[:40]:
        print("PROBLEM", p)
    assert alive, f"the server died (seed {SEED})"
    assert health == 200, f"/healthz answered {health}"
    assert not stuck, f"{len(stuck)} fuzz workers still running (a connection hung)"
    assert not healthy.errors, f"healthy session broke: {healthy.errors[:5]}"
    assert not missing_deltas and not missing_messages, \
        f"the agent missed {len(missing_deltas)} deltas ({missing_deltas[:10]}) and {len(missing_messages)} messages ({missing_messages[:10]})"
    assert not problems, f"{len(problems)} fuzzed connections misbehaved (seed {SEED}):\n" + "\n".join(problems[:30])
