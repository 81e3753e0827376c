"""What permessage-deflate adds to a session's memory (issue #19; docs/decisions.md, "Compression
state per socket"). relayload.c does not negotiate compression; browsers do. This starts one
Tandem node on 127.0.0.1, opens N sessions (a visitor socket with a small page and an agent socket
each, both offering permessage-deflate as Chromium does, or neither), then the visitors send
1 KB deltas at 5/s for S seconds; it prints the node's resident memory per session before and
after. A benchmark, not a test.

    python3 benchmarks/relay/compression.py [--sessions 500] [--seconds 20] [--binary PATH]
"""

import argparse
import asyncio
import base64
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import status_kib, wait_http  # noqa: E402
from measure import free_port  # noqa: E402

PAGE = (b'\x01{"url":"https://example.test/","load":"L1","vp":[800,600],"dpr":1,"sc":[0,0],"ua":"x","vis":"visible",'
        b'"doc":{"i":1,"c":[{"i":2,"d":"html"},{"i":3,"t":"html","c":[{"i":4,"t":"body"}]}]}}')


def frame(op, payload):
    """A masked client frame (mask key 0: RFC 6455 allows it), uncompressed (RSV1 clear)."""
    n = len(payload)
    head = bytes([0x80 | op]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + n.to_bytes(2, "big"))
    return head + b"\0\0\0\0" + payload


async def read_frame(reader):
    """One server frame (unmasked): (opcode, payload)."""
    head = await reader.readexactly(2)
    n = head[1] & 0x7F
    if n == 126:
        n = int.from_bytes(await reader.readexactly(2), "big")
    elif n == 127:
        n = int.from_bytes(await reader.readexactly(8), "big")
    return head[0] & 0x0F, await reader.readexactly(n)


async def drain(reader, writer):
    """Reads and drops what the server sends, answering its pings (it closes sockets that do not)."""
    try:
        while True:
            opcode, payload = await read_frame(reader)
            if opcode == 0x9:
                writer.write(frame(0xA, payload))
    except (OSError, asyncio.IncompleteReadError):
        pass


async def connect(port, path, deflate):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    key = base64.b64encode(os.urandom(16)).decode()
    ext = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n" if deflate else ""
    writer.write((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n{ext}Origin: http://127.0.0.1\r\n\r\n").encode())
    head = await reader.readuntil(b"\r\n\r\n")
    if b" 101 " not in head.split(b"\r\n", 1)[0]:
        raise SystemExit(f"upgrade refused: {head[:200]!r}")
    return reader, writer


async def session(port, i, token, deflate, go, seconds):
    reader, writer = await connect(port, f"/ws/visitor?key=c{i}&groupid=1&v=1", deflate)
    writer.write(frame(1, json.dumps({"t": "start", "v": 1, "groupid": 1, "key": f"c{i}"}).encode()))
    await read_frame(reader)  # the session message
    writer.write(frame(2, PAGE))
    asyncio.ensure_future(drain(reader, writer))
    agent_reader, agent_writer = await connect(port, f"/ws/agent?key=c{i}&v=1&token={token}", deflate)
    asyncio.ensure_future(drain(agent_reader, agent_writer))
    await go.wait()
    seq, end = 0, time.monotonic() + seconds
    while time.monotonic() < end:
        body = json.dumps({"ev": [{"s": seq, "t": 0, "p": os.urandom(450).hex()}]}).encode()  # ~1 KB, little to compress
        writer.write(frame(2, b"\x02" + body))
        seq += 1
        await asyncio.sleep(0.2)


async def measure(binary, sessions, seconds, deflate, workdir):
    database = str(Path(workdir) / f"t-{deflate}.sqlite")
    subprocess.run([binary, "agent", "add", "--database", database, "--username", "bench", "--password", "bench-password",
                    "--group", "1"], check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen([binary, "serve", "--host", "127.0.0.1", "--port", str(port), "--database", database,
                               "--demo-root", "none", "--log-level", "warning", "--max-connections-per-address", "0"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http(f"http://127.0.0.1:{port}/healthz")
        body = json.dumps({"username": "bench", "password": "bench-password", "groupid": 1, "duration": 120}).encode()
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/v1/authorize", data=body, headers={"Content-Type": "application/json"})
        token = json.loads(urllib.request.urlopen(req).read())["token"]
        empty = status_kib(server.pid, "VmRSS")
        go = asyncio.Event()
        tasks = []
        for start in range(0, sessions, 50):
            tasks += [asyncio.ensure_future(session(port, i, token, deflate, go, seconds)) for i in range(start, min(sessions, start + 50))]
            await asyncio.sleep(0.3)
        await asyncio.sleep(5)
        before = status_kib(server.pid, "VmRSS")
        go.set()
        await asyncio.gather(*tasks)
        await asyncio.sleep(2)
        after = status_kib(server.pid, "VmRSS")
        return empty, before, after
    finally:
        server.kill()  # measured; its clients are still connected (this loop ends with them)
        server.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--binary", default=os.environ.get("TANDEM_BINARY") or str(ROOT / ".build/release/tandem"))
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="tandem-compression-")
    try:
        print(f"{args.sessions} sessions (visitor + agent), 1 KB deltas at 5/s for {args.seconds:g} s; {args.binary}")
        for deflate in (False, True):
            empty, before, after = asyncio.run(measure(args.binary, args.sessions, args.seconds, deflate, workdir))
            print(f"permessage-deflate {'offered' if deflate else 'not offered'}: "
                  f"{(before - empty) / args.sessions:.0f} KiB a session connected with its page, "
                  f"+{(after - before) / args.sessions:.0f} KiB a session after the deltas", flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
