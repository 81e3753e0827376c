"""Presence benchmark: see README.md. One Tandem server on 127.0.0.1, N idle presence visitors
(one WebSocket each, as every visitor on a website holds), agents doing lookups and signals."""

import argparse
import asyncio
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from measure import free_port, rss_kib  # noqa: E402


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Server:
    def __init__(self, binary, workdir):
        self.binary, self.port = binary, free_port()
        self.db = str(Path(workdir) / "bench.sqlite")
        self.base = f"http://127.0.0.1:{self.port}"

    def cli(self, *args):
        subprocess.run([self.binary, *args, "--database", self.db], check=True, capture_output=True)

    def start(self):
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--port", str(self.port), "--database", self.db, "--demo-root", "none", "--log-level", "error",
             # Every simulated visitor comes from 127.0.0.1: no per-address limit here.
             "--max-connections-per-address", "0"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("server did not start")

    def token(self):
        body = json.dumps({"username": "bench", "password": "bench-password", "groupid": 1, "duration": 120}).encode()
        req = urllib.request.Request(self.base + "/api/v1/authorize", data=body, headers={"Content-Type": "application/json"})
        return json.loads(urllib.request.urlopen(req).read())["token"]


class AgentConnection:
    """An agent page's HTTP/1.1 connection to the server: kept alive between requests, as a
    browser's fetch keeps it (or a fresh connection per request with keepalive=False)."""

    def __init__(self, host, port, token, keepalive=True):
        self.host, self.port, self.token, self.keepalive = host, port, token, keepalive
        self.reader = self.writer = None

    async def request(self, method, path, body=None):
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        payload = json.dumps(body).encode() if body is not None else b""
        head = (f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nAuthorization: Bearer {self.token}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
                + ("" if self.keepalive else "Connection: close\r\n") + "\r\n")
        self.writer.write(head.encode() + payload)
        await self.writer.drain()
        header = await self.reader.readuntil(b"\r\n\r\n")
        length = next((int(line.split(b":", 1)[1]) for line in header.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0)
        await self.reader.readexactly(length)
        if not self.keepalive or b"connection: close" in header.lower():
            self.writer.close()
            self.reader = self.writer = None
        return int(header.split(b" ", 2)[1])


async def idle_worker(args):
    """Holds visitors [start, start+count) open until stdin closes (a process has at most as many
    sockets as its open-files limit, so idle visitors are spread over worker processes)."""
    sockets = []
    limit = asyncio.Semaphore(args.parallel)

    async def one(i):
        async with limit:
            ws = await websockets.connect(
                f"ws://127.0.0.1:{args.port}/ws/presence/visitor?groupid=1&visitorid=v{i}",
                max_size=1 << 16, compression=None, ping_interval=None, open_timeout=120)
            await ws.recv()
            await ws.send(json.dumps({"t": "presence", "data": {"url": f"https://shop.example.com/p/{i}", "cart": i % 7}}))
            sockets.append(ws)

    await asyncio.gather(*(one(i) for i in range(args.start, args.start + args.count)))
    print("connected", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


async def main(args):
    workdir = tempfile.mkdtemp(prefix="tandem-presence-bench-")
    server = Server(os.environ["TANDEM_BINARY"], workdir)
    server.cli("agent", "add", "--username", "bench", "--password", "bench-password", "--group", "1")
    server.start()
    token = server.token()
    pid = server.proc.pid
    await asyncio.sleep(1)
    base_rss = rss_kib(pid)

    received = {}   # signal id -> perf_counter when the visitor got it
    sockets = []

    async def visitor(i):
        ws = await websockets.connect(
            f"ws://127.0.0.1:{server.port}/ws/presence/visitor?groupid=1&visitorid=v{i}",
            max_size=1 << 16, compression=None, ping_interval=None, open_timeout=60)
        await ws.recv()  # connected
        await ws.send(json.dumps({"t": "presence", "data": {"url": f"https://shop.example.com/p/{i}", "cart": i % 7}}))
        sockets.append(ws)

        async def listen():
            try:
                async for message in ws:
                    msg = json.loads(message)
                    if msg.get("t") == "signal":
                        received[msg["data"]["id"]] = time.perf_counter()
            except websockets.ConnectionClosed:
                pass
        asyncio.get_running_loop().create_task(listen())

    limit = asyncio.Semaphore(args.parallel)

    async def bounded(i):
        async with limit:
            await visitor(i)

    # This process holds the visitors that get signals; workers hold the rest, idle.
    own = min(args.visitors, args.own)
    rest = args.visitors - own
    workers = []
    t0 = time.perf_counter()
    per_worker = -(-rest // args.workers) if rest else 0
    for w in range(args.workers if rest else 0):
        start = own + w * per_worker
        count = min(per_worker, args.visitors - start)
        if count <= 0:
            continue
        workers.append(subprocess.Popen(
            [sys.executable, __file__, "--idle-worker", "--port", str(server.port), "--start", str(start), "--count", str(count),
             "--parallel", str(args.parallel)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
    await asyncio.gather(*(bounded(i) for i in range(own)))
    for worker in workers:
        line = await asyncio.get_running_loop().run_in_executor(None, worker.stdout.readline)
        assert line.strip() == "connected", f"worker failed: {line!r}"
    connect_seconds = time.perf_counter() - t0
    await asyncio.sleep(3)
    idle_rss = rss_kib(pid)
    per_visitor = (idle_rss - base_rss) * 1024 / args.visitors

    # Agents: lookups and signals to random visitors, a few at a time.
    latencies, lookups = [], []
    sent = {}
    agents = asyncio.Queue()
    for _ in range(args.agents):
        agents.put_nowait(AgentConnection("127.0.0.1", server.port, token, keepalive=not args.fresh_connections))

    async def signal(n):
        agent = await agents.get()
        try:
            target = random.randrange(own)
            t_lookup = time.perf_counter()
            status = await agent.request("GET", f"/api/v1/presence/visitor?groupid=1&visitorid=v{target}")
            lookups.append(time.perf_counter() - t_lookup)
            assert status == 200, status
            sent[n] = time.perf_counter()
            status = await agent.request("POST", f"/api/v1/presence/signal?groupid=1&visitorid=v{target}", {"mtype": "signal", "data": {"id": n}})
            assert status == 200, status
        finally:
            agents.put_nowait(agent)

    t1 = time.perf_counter()
    await asyncio.gather(*(signal(n) for n in range(args.signals)))
    for _ in range(100):
        if len(received) == args.signals:
            break
        await asyncio.sleep(0.05)
    signal_seconds = time.perf_counter() - t1
    latencies = [(received[n] - sent[n]) * 1000 for n in sent if n in received]
    busy_rss = rss_kib(pid)

    for ws in sockets:
        await ws.close()
    for worker in workers:
        worker.stdin.close()
        worker.wait()
    server.proc.terminate()
    server.proc.wait()

    rows = [
        ("presence visitors connected", f"{args.visitors:,} ({own:,} signalled, the rest idle in {len(workers)} processes)"),
        ("connect rate", f"{args.visitors / connect_seconds:,.0f} /s ({connect_seconds:.1f} s)"),
        ("server RSS before / idle / after signals", f"{base_rss / 1024:.1f} / {idle_rss / 1024:.1f} / {busy_rss / 1024:.1f} MiB"),
        ("server memory per idle visitor", f"{per_visitor / 1024:.1f} KiB (target <= 16 KiB: {'met' if per_visitor <= 16 * 1024 else 'NOT met'})"),
        ("signals delivered", f"{len(latencies)} of {args.signals} in {signal_seconds:.1f} s, {args.agents} agents at a time"
                              + (", a new connection per request" if args.fresh_connections else ", keep-alive connections")),
        ("lookup latency p50 / p99", f"{percentile(lookups, 50) * 1000:.2f} / {percentile(lookups, 99) * 1000:.2f} ms"),
        ("signal latency p50 / p99 (POST sent -> visitor socket)",
         f"{percentile(latencies, 50):.2f} / {percentile(latencies, 99):.2f} ms "
         f"(target p99 <= 20 ms: {'met' if percentile(latencies, 99) <= 20 else 'NOT met'})"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"\nTandem presence benchmark — {platform.node()}, {os.cpu_count()} cores, {os.environ['TANDEM_BINARY']}")
    for name, value in rows:
        print(f"  {name.ljust(width)}  {value}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--visitors", type=int, default=20000)
    parser.add_argument("--signals", type=int, default=2000)
    parser.add_argument("--agents", type=int, default=20, help="agent connections, each with one request at a time")
    parser.add_argument("--fresh-connections", action="store_true", help="a new TCP connection per request (no keep-alive)")
    parser.add_argument("--parallel", type=int, default=500, help="visitor connects in flight")
    parser.add_argument("--debug", action="store_true", help="(handled by ./run) use the debug build")
    parser.add_argument("--own", type=int, default=2000, help="visitors held by this process (the ones signalled)")
    parser.add_argument("--workers", type=int, default=3, help="processes holding the other, idle visitors")
    parser.add_argument("--idle-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--start", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    parsed = parser.parse_args()
    asyncio.run(idle_worker(parsed) if parsed.idle_worker else main(parsed))
