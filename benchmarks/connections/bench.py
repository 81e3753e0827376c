"""Connections benchmark: see README.md. One Tandem server on 127.0.0.1; N client sockets that
send nothing (or dribble a request head), counted on the server side through /proc."""

import argparse
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from measure import free_port, rss_kib  # noqa: E402


def sockets_held(pid):
    """Sockets the server process has open (its listening socket included)."""
    count = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            if os.readlink(fd).startswith("socket:"):
                count += 1
        except OSError:
            pass
    return count


class Server:
    def __init__(self, binary, workdir, *flags):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        db = str(Path(workdir) / f"bench-{self.port}.sqlite")
        self.proc = subprocess.Popen(
            [binary, "serve", "--port", str(self.port), "--database", db, "--demo-root", "none", "--log-level", "critical", *flags],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=1)
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=20)


def open_idle(port, count):
    held = []
    for _ in range(count):
        s = socket.socket()
        s.setblocking(True)
        s.connect(("127.0.0.1", port))
        held.append(s)
    return held


def settle(pid, expected, seconds=10):
    """Waits until the server holds `expected` sockets or `seconds` pass; returns what it holds."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        held = sockets_held(pid)
        if held == expected:
            return held
        time.sleep(0.2)
    return sockets_held(pid)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, default=5000)
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args()
    binary = os.environ["TANDEM_BINARY"]
    n = args.connections
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; binary: {binary}")
    with tempfile.TemporaryDirectory() as workdir:
        # 1. What an idle connection costs: no per-address limit, a timeout longer than the run.
        server = Server(binary, workdir, "--max-connections-per-address", "0", "--request-timeout", "600")
        pid = server.proc.pid
        time.sleep(1)
        base_rss, base_sockets = rss_kib(pid), sockets_held(pid)
        started = time.time()
        held = open_idle(server.port, n)
        opened_in = time.time() - started
        sockets = settle(pid, base_sockets + n)
        rss = rss_kib(pid)
        print(f"idle, held: {sockets - base_sockets} of {n} connections opened in {opened_in:.1f} s; "
              f"RSS {base_rss} -> {rss} KiB: {(rss - base_rss) / max(1, sockets - base_sockets):.1f} KiB per idle connection")
        for s in held:
            s.close()
        server.stop()

        # 2. The request timeout: idle and dribbling connections are answered 408 and let go.
        timeout = 10
        server = Server(binary, workdir, "--max-connections-per-address", "0", "--request-timeout", str(timeout))
        pid = server.proc.pid
        time.sleep(1)
        base_sockets = sockets_held(pid)
        held = open_idle(server.port, n)
        dribblers = held[: min(200, n)]
        started = time.time()
        while time.time() - started < timeout + 5:
            for s in dribblers:
                try:
                    s.send(b"G")
                except OSError:
                    pass
            if sockets_held(pid) == base_sockets:
                break
            time.sleep(0.5)
        cleared = time.time() - started
        print(f"timeout {timeout} s: {n} idle connections ({len(dribblers)} dribbling a head) all closed after {cleared:.1f} s "
              f"(server sockets left: {sockets_held(pid) - base_sockets})")
        for s in held:
            s.close()
        server.stop()

        # 3. The per-address limit at its default (1024): one address cannot hold more.
        server = Server(binary, workdir, "--request-timeout", "600")
        pid = server.proc.pid
        time.sleep(1)
        base_sockets = sockets_held(pid)
        held = open_idle(server.port, min(n, 3000))
        time.sleep(2)
        print(f"default per-address limit: {len(held)} connections opened from one address, server holds {sockets_held(pid) - base_sockets}; "
              f"one more request from that address: {answer(server.base)}")
        for s in held:
            s.close()
        server.stop()


def answer(base):
    try:
        with urllib.request.urlopen(base + "/healthz", timeout=5) as response:
            return str(response.status)
    except urllib.error.HTTPError as error:
        return str(error.code)
    except OSError as error:
        return f"no answer ({error})"


if __name__ == "__main__":
    sys.exit(main())
