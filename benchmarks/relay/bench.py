"""Relay fan-out benchmark: see README.md. Tandem and rrweb-relay 0.3.0, measured in the same run
with the same load client (relayload.c, compiled here): one visitor to 10 agents, and many
sessions with one agent each, on one node or on two nodes behind nginx."""

import argparse
import array
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from measure import free_port  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
AGENTS = 10
PASSWORD = "bench-password"
JWT_SECRET = "relay-benchmark-secret-of-at-least-32-bytes"

# name, sessions, agents per session, events per session (or per second), events per frame, rate (events/s per session)
FULL = [
    ("1 visitor → 10 agents, 1 event/frame", 1, AGENTS, 20000, 1, 0),
    ("1 visitor → 10 agents, 10 events/frame", 1, AGENTS, 20000, 10, 0),
    ("200 sessions × 50 events/s", 200, 1, None, 1, 50),
    ("1,000 sessions × 10 events/s", 1000, 1, None, 1, 10),
    ("2,000 sessions × 5 events/s", 2000, 1, None, 1, 5),
    ("1 visitor → 10 agents, paced 500 events/s", 1, AGENTS, 10000, 1, 500),
    # The memory target: what a busy session costs beyond its page (run it with --duration 60 or
    # more, so that each session sends more than the server's delta cache keeps).
    ("5,000 sessions × 5 events/s", 5000, 1, None, 1, 5),
]
QUICK = [
    ("1 visitor → 10 agents, 1 event/frame", 1, AGENTS, 2000, 1, 0),
    ("1 visitor → 10 agents, 10 events/frame", 1, AGENTS, 2000, 10, 0),
    ("50 sessions × 50 events/s", 50, 1, None, 1, 50),
    ("100 sessions × 10 events/s", 100, 1, None, 1, 10),
    ("200 sessions × 5 events/s", 200, 1, None, 1, 5),
    ("1 visitor → 10 agents, paced 500 events/s", 1, AGENTS, 1000, 1, 500),
    ("500 sessions × 5 events/s", 500, 1, None, 1, 5),
]

children = []  # every process this script started (stopped on exit, also on Ctrl-C)


def spawn(args, **kw):
    proc = subprocess.Popen(args, start_new_session=True, **kw)
    children.append(proc)
    return proc


def stop(proc, timeout=20):
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def stop_all():
    for proc in reversed(children):
        stop(proc, 10)


def wait_http(url, seconds=60):
    for _ in range(seconds * 10):
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"no answer from {url}")


# ---- what a process costs, from /proc ----

def descendants(pid):
    out = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            kids = (task / "children").read_text().split()
        except OSError:
            continue
        for kid in kids:
            out += descendants(int(kid))
    return out


def cpu_us(pid):
    """User + system CPU of the process (all threads), microseconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1_000_000 // TICK


def runqueue_wait_us(pid):
    """Time the process's threads spent runnable but waiting for a CPU (schedstat field 2)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[1])
        except (OSError, IndexError):
            pass
    return total // 1000


def status_kib(pid, field):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


class Sample:
    """CPU and run-queue wait of a set of processes (and their children) at one moment."""

    def __init__(self, pids):
        self.cpu, self.wait = {}, {}
        for root in pids:
            for pid in descendants(root):
                try:
                    self.cpu[pid], self.wait[pid] = cpu_us(pid), runqueue_wait_us(pid)
                except OSError:
                    pass


def delta(before, after, pids):
    cpu = wait = 0
    for root in pids:
        for pid in descendants(root):
            if pid in after.cpu:
                cpu += after.cpu[pid] - before.cpu.get(pid, 0)
                wait += after.wait[pid] - before.wait.get(pid, 0)
    return cpu, wait


# ---- the relays ----

class Nginx:
    """nginx on 127.0.0.1 in front of two nodes: WebSockets routed by a consistent hash of the
    session key (`key=` in every socket URL), as deploy/nginx.conf does."""

    def __init__(self, workdir, upstreams):
        self.port = free_port()
        d = Path(workdir) / f"nginx-{self.port}"
        d.mkdir()
        servers = "\n".join(f"    server 127.0.0.1:{p};" for p in upstreams)
        conf = f"""worker_processes 2;
worker_rlimit_nofile 20000;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 16000; }}
http {{
  access_log off;
  client_body_temp_path {d}/body; proxy_temp_path {d}/proxy; fastcgi_temp_path {d}/fastcgi;
  uwsgi_temp_path {d}/uwsgi; scgi_temp_path {d}/scgi;
  map $arg_key $route {{ "" $request_id; default $arg_key; }}
  map $http_upgrade $connection_upgrade {{ default upgrade; "" close; }}
  upstream relay {{
    hash $route consistent;
{servers}
  }}
  server {{
    listen 127.0.0.1:{self.port};
    location / {{
      proxy_pass http://relay;
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_read_timeout 300s;
      proxy_send_timeout 300s;
    }}
  }}
}}
"""
        (d / "nginx.conf").write_text(conf)
        self.proc = spawn(["/usr/sbin/nginx", "-p", str(d), "-c", str(d / "nginx.conf"), "-g", "daemon off;"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.5)
        if self.proc.poll() is not None:
            raise SystemExit(f"nginx did not start: {(d / 'error.log').read_text() if (d / 'error.log').exists() else ''}")


class Tandem:
    name = "Tandem"
    proto = "tandem"

    def __init__(self, binary, workdir, template, nodes=1, postgres=None):
        self.binary, self.workdir, self.template, self.nodes, self.postgres = binary, workdir, template, nodes, postgres

    @staticmethod
    def prepare(binary, database):
        # The first creates the database; the other nine at once (each CLI call takes a second).
        def add(i):
            return subprocess.Popen([binary, "agent", "add", "--database", database, "--username", f"bench{i}", "--password",
                                     PASSWORD, "--group", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        first = add(0)
        rest = [first] if first.wait() else [add(i) for i in range(1, AGENTS)]
        for p in rest:
            if p.wait():
                raise SystemExit(f"agent add failed: {p.stderr.read().decode()}")

    def start(self):
        if self.postgres:
            database = self.postgres
        else:
            database = str(Path(self.workdir) / f"tandem-{time.monotonic_ns()}.sqlite")
            shutil.copy(self.template, database)
        self.procs, ports = [], []
        for _ in range(self.nodes):
            port = free_port()
            self.procs.append(spawn(
                [self.binary, "serve", "--host", "127.0.0.1", "--port", str(port), "--database", database, "--demo-root", "none",
                 "--log-level", "warning", "--max-connections-per-address", "0"],
                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=open(Path(self.workdir) / f"tandem-{port}.log", "w")))
            ports.append(port)
        for port in ports:
            wait_http(f"http://127.0.0.1:{port}/healthz")
        self.nginx = Nginx(self.workdir, ports) if self.nodes > 1 else None
        self.port = self.nginx.port if self.nginx else ports[0]
        self.pids = [p.pid for p in self.procs]
        tokens = []
        for i in range(AGENTS):
            body = json.dumps({"username": f"bench{i}", "password": PASSWORD, "groupid": 1, "duration": 120}).encode()
            req = urllib.request.Request(f"http://127.0.0.1:{self.port}/api/v1/authorize", data=body,
                                         headers={"Content-Type": "application/json"})
            tokens.append(json.loads(urllib.request.urlopen(req).read())["token"])
        self.tokens, self.pub_token = tokens, ""

    def stop(self):
        if self.nginx:
            stop(self.nginx.proc)
        for p in self.procs:
            stop(p)


class Rrweb:
    name = "rrweb-relay 0.3.0"
    proto = "socketio"

    def __init__(self, workdir, nodes=1):
        self.workdir, self.nodes = workdir, nodes

    def start(self):
        import jwt
        self.procs, ports = [], []
        for _ in range(self.nodes):
            port = free_port()
            env = dict(os.environ, RELAY_JWT_SECRET=JWT_SECRET, RELAY_HOST="127.0.0.1", RELAY_PORT=str(port), RELAY_LOG_LEVEL="WARNING")
            self.procs.append(spawn([sys.executable, "-m", "rrweb_relay"], env=env, stdout=subprocess.DEVNULL,
                                    stderr=open(Path(self.workdir) / f"rrweb-{port}.log", "w")))
            ports.append(port)
        for port in ports:
            wait_http(f"http://127.0.0.1:{port}/socket.io/?EIO=4&transport=polling")
        self.nginx = Nginx(self.workdir, ports) if self.nodes > 1 else None
        self.port = self.nginx.port if self.nginx else ports[0]
        self.pids = [p.pid for p in self.procs]
        exp = int(time.time()) + 7200
        # The package's default role policy: "customer" publishes, "admin" watches.
        self.tokens = [jwt.encode({"user_id": 100 + i, "role": "admin", "exp": exp}, JWT_SECRET, algorithm="HS256") for i in range(AGENTS)]
        self.pub_token = jwt.encode({"user_id": 1, "role": "customer", "exp": exp}, JWT_SECRET, algorithm="HS256")

    def stop(self):
        if self.nginx:
            stop(self.nginx.proc)
        for p in self.procs:
            stop(p)


# ---- one scenario ----

def percentile(ordered, p):
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run_scenario(relay, client, workdir, scenario, args, tag):
    name, sessions, agents, events, per_frame, rate = scenario
    if events is None:
        events = int(rate * args.duration)
    elif args.events and not rate:
        events = args.events
    relay.start()
    try:
        token_file = Path(workdir) / f"tokens-{tag}.txt"
        token_file.write_text("\n".join(relay.tokens) + "\n")
        common = [client, "--proto", relay.proto, "--port", str(relay.port), "--events", str(events), "--per-frame", str(per_frame),
                  "--rate", str(rate), "--size", str(args.size), "--tokens", str(token_file), "--pub-token", relay.pub_token,
                  "--prefix", f"{tag}-", "--drain", str(args.drain)]
        plans = []  # (extra args, wait for ready before starting the next)
        if sessions == 1:
            # One process publishes; the agents are spread over the others.
            plans.append((["--sessions", "1", "--no-recv"], True))
            k = max(1, args.clients - 1)
            for i in range(k):
                lo, hi = agents * i // k, agents * (i + 1) // k
                if hi > lo:
                    plans.append((["--sessions", "1", "--no-pub", "--agents", str(hi - lo), "--agent-offset", str(lo)], False))
        else:
            k = args.clients
            for i in range(k):
                lo, hi = sessions * i // k, sessions * (i + 1) // k
                plans.append((["--sessions", str(hi - lo), "--offset", str(lo), "--agents", str(agents)], False))
        procs = []
        for i, (extra, wait_ready) in enumerate(plans):
            lat = Path(workdir) / f"lat-{tag}-{i}.bin"
            p = spawn(common + extra + ["--latency-file", str(lat)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            p.lat = lat
            procs.append(p)
            if wait_ready:
                p.ready = p.stdout.readline().split()
        for p in procs:
            if not hasattr(p, "ready"):
                p.ready = p.stdout.readline().split()
        connect_errors = sum(int(p.ready[2]) for p in procs if len(p.ready) > 2)
        connected = sum(int(p.ready[1]) for p in procs if len(p.ready) > 2)
        connect_s = max(float(p.ready[3]) for p in procs if len(p.ready) > 3)
        first_error = next((" ".join(p.ready[4:]) for p in procs if len(p.ready) > 4), "")
        server_pids = relay.pids + ([relay.nginx.proc.pid] if relay.nginx else [])
        # Everything connected, nothing sent yet: what the server spends holding the sessions.
        idle0 = Sample(relay.pids)
        idle_s = 0.5 if args.quick else 2
        time.sleep(idle_s)
        idle_cpu, _ = delta(idle0, Sample(relay.pids), relay.pids)
        idle_cpu /= idle_s
        rss_before = sum(status_kib(pid, "VmRSS") for pid in relay.pids)
        s0, c0 = Sample(server_pids), Sample([p.pid for p in procs])
        for p in reversed(procs):  # receivers first: the publisher-only process is the first one
            p.stdin.write("go\n")
            p.stdin.flush()
        results = []
        for p in procs:
            line = p.stdout.readline()
            results.append(json.loads(line) if line.strip() else {})
        s1 = Sample(server_pids)
        server_cpu, server_wait = delta(s0, s1, relay.pids)
        per_node = [delta(s0, s1, [pid])[0] / 1e6 for pid in relay.pids]
        nginx_cpu, nginx_wait = delta(s0, s1, [relay.nginx.proc.pid]) if relay.nginx else (0, 0)
        peak = sum(status_kib(pid, "VmHWM") for pid in relay.pids)
        rss_after = sum(status_kib(pid, "VmRSS") for pid in relay.pids)
        for p in procs:
            p.stdin.close()
        for p in procs:
            p.wait(timeout=30)
    finally:
        relay.stop()

    lat = array.array("I")
    for p in procs:
        if p.lat.exists():
            lat.frombytes(p.lat.read_bytes())
            p.lat.unlink()
    ordered = sorted(lat)
    r = {k: sum(x.get(k, 0) for x in results) for k in
         ("sent_events", "sent_frames", "recv_events", "recv_frames", "pages", "cpu_us", "runqueue_wait_us", "errors_run",
          "short_receivers", "late_start", "resyncs")}
    receivers = [x for x in results if x.get("recv_min", -1) >= 0]
    r["recv_min"] = min((x["recv_min"] for x in receivers), default=0)
    go = min(x["go_ns"] for x in results if x)
    last = max(max(x["last_recv_ns"], x["last_send_ns"]) for x in results if x)
    end = max(x["end_ns"] for x in results if x)
    wall = max(1e-9, (last - go) / 1e9)
    expected = r["sent_events"] * agents
    row = {
        "relay": relay.name, "scenario": name, "sessions": sessions, "agents": agents, "per_frame": per_frame, "rate": rate,
        "connected": connected, "connect_errors": connect_errors, "connect_s": connect_s, "first_error": first_error,
        "sent": r["sent_events"], "expected": expected, "delivered": r["recv_events"], "lost": expected - r["recv_events"],
        "delivered_frames": r["recv_frames"], "short_receivers": r["short_receivers"], "resyncs_answered": r["resyncs"], "late_start": r["late_start"], "recv_min": r["recv_min"], "resync_pages": r["pages"], "run_errors": r["errors_run"],
        "last_error": next((x.get("last_error") for x in results if x.get("last_error")), ""),
        "seconds": wall, "deliveries_per_s": r["recv_events"] / wall, "messages_per_s": r["recv_frames"] / wall,
        "p50_ms": percentile(ordered, 50) / 1000, "p99_ms": percentile(ordered, 99) / 1000, "max_ms": (ordered[-1] / 1000 if ordered else float("nan")),
        "server_cpu_s": server_cpu / 1e6, "server_cpu_us_per_delivery": server_cpu / max(1, r["recv_events"]),
        "server_runqueue_wait_s": server_wait / 1e6, "server_idle_cpu_pct": idle_cpu / 1e6 * 100, "cpu_per_node_s": per_node, "nginx_cpu_s": nginx_cpu / 1e6,
        "peak_mib": peak / 1024, "rss_before_mib": rss_before / 1024, "rss_after_mib": rss_after / 1024,
        # Beyond what holding the connected sessions with their pages costs (measured before the run).
        "growth_kb_per_session": (peak - rss_before) * 1.024 / sessions,
        "after_kb_per_session": (rss_after - rss_before) * 1.024 / sessions,
        "client_processes": len(procs), "client_cpu_s": r["cpu_us"] / 1e6, "client_runqueue_wait_s": r["runqueue_wait_us"] / 1e6,
        "measured_s": (end - go) / 1e9,
    }
    return row


def fmt_row(r):
    lost = f"{r['lost']:,}" + (f" ({r['resync_pages']} pages)" if r["resync_pages"] else "")
    if r["connect_errors"]:
        lost += f"; {r['connect_errors']} sockets failed to connect"
    if r["run_errors"]:
        lost += f"; {r['run_errors']} closed during the run"
    return (f"| {r['relay']} | {r['scenario']} | {r['deliveries_per_s']:,.0f} ({r['messages_per_s']:,.0f} msg/s) | "
            f"{r['p50_ms']:,.1f} / {r['p99_ms']:,.1f} | {lost} | {r['server_cpu_us_per_delivery']:,.1f} "
            f"({r['server_cpu_s']:.1f} s CPU, {r['server_runqueue_wait_s']:.1f} s waiting"
            + (f"; nginx {r['nginx_cpu_s']:.1f} s CPU" if r["nginx_cpu_s"] else "") + f") | {r['peak_mib']:,.0f} | "
            f"{r['client_cpu_s']:.1f} s CPU, {r['client_runqueue_wait_s']:.1f} s waiting ({r['client_processes']} proc.) |")


HEADER = ("| Relay | Scenario | Delivered events/s (messages/s) | Latency p50 / p99 ms | Lost | Server CPU µs / delivery "
          "(total, run-queue wait) | Peak memory MiB | Load client (CPU, run-queue wait) |\n|---|---|---|---|---|---|---|---|")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="small scale, well under 2 minutes")
    parser.add_argument("--nodes", type=int, default=1, help="1, or 2 behind nginx (Tandem on PostgreSQL)")
    parser.add_argument("--relays", default="tandem,rrweb", help="which relays (comma-separated)")
    parser.add_argument("--only", default="", help="scenario numbers to run, e.g. 1,3 (1-based)")
    parser.add_argument("--duration", type=float, default=None, help="seconds each many-sessions scenario publishes")
    parser.add_argument("--events", type=int, default=0, help="events in scenarios 1-2 (default 20,000; --quick 2,000)")
    parser.add_argument("--size", type=int, default=1024, help="bytes per event")
    parser.add_argument("--clients", type=int, default=2, help="load client processes per scenario")
    parser.add_argument("--drain", type=float, default=10, help="seconds of silence after the last send before counting the rest lost")
    parser.add_argument("--json", help="also write the rows to this file")
    parser.add_argument("--debug", action="store_true", help="(handled by ./run) use the debug build")
    args = parser.parse_args()
    if args.duration is None:
        args.duration = 2.5 if args.quick else 20
    if args.quick and args.drain == 10:
        args.drain = 5
    scenarios = QUICK if args.quick else FULL
    if args.only:
        scenarios = [scenarios[int(i) - 1] for i in args.only.split(",")]
    binary = os.environ["TANDEM_BINARY"]

    def interrupted(*_):
        stop_all()
        raise SystemExit(130)
    signal.signal(signal.SIGTERM, interrupted)

    workdir = tempfile.mkdtemp(prefix="tandem-relay-bench-")
    os.chmod(workdir, 0o755)  # the PostgreSQL cluster runs as the postgres user
    postgres_dir = None
    rows, details = [], []
    try:
        client = str(Path(workdir) / "relayload")
        subprocess.run(["cc", "-O2", "-o", client, str(HERE / "relayload.c")], check=True)
        relays = []
        for which in args.relays.split(","):
            if which == "tandem":
                if args.nodes > 1:
                    postgres_dir = str(Path(workdir) / "postgres")
                    url = subprocess.run([str(ROOT / "scripts/postgres-test-server"), "start", postgres_dir], check=True,
                                         capture_output=True, text=True).stdout.strip()
                    Tandem.prepare(binary, url)
                    relays.append(Tandem(binary, workdir, None, args.nodes, postgres=url))
                else:
                    template = str(Path(workdir) / "template.sqlite")
                    Tandem.prepare(binary, template)
                    relays.append(Tandem(binary, workdir, template))
            elif which == "rrweb":
                relays.append(Rrweb(workdir, args.nodes))
        print(f"relay benchmark {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC — {platform.node()}, {os.cpu_count()} cores, "
              f"load average {os.getloadavg()[0]:.1f}; Tandem: {binary}; {args.nodes} node(s); "
              f"{args.size} B events; many-sessions scenarios publish for {args.duration:g} s; {args.clients} client processes",
              flush=True)
        print(HEADER, flush=True)
        for n, scenario in enumerate(scenarios):
            for relay in relays:
                tag = f"{relay.proto}{n}x{int(time.time())}"
                row = run_scenario(relay, client, workdir, scenario, args, tag)
                rows.append(row)
                print(fmt_row(row), flush=True)
                details.append(f"{row['relay']}, {row['scenario']}: {row['connected']:,} sockets ready in {row['connect_s']:.1f} s; "
                               f"sent {row['sent']:,} events; delivered {row['delivered']:,} of {row['expected']:,} in "
                               f"{row['seconds']:.1f} s ({row['short_receivers']} receivers short, the least got {row['recv_min']:,}; {row['late_start']} missed the first event; the visitor answered {row['resyncs_answered']} resync requests); server RSS {row['rss_before_mib']:.0f} MiB before the run, "
                               f"{row['rss_after_mib']:.0f} after (beyond the sessions with their pages: peak "
                               f"{row['growth_kb_per_session']:,.0f} KB, after {row['after_kb_per_session']:,.0f} KB a session); "
                               + (f"CPU per node {' + '.join(f'{x:.1f}' for x in row['cpu_per_node_s'])} s; " if len(row['cpu_per_node_s']) > 1 else "")
                               + f"server CPU while idle before the run {row['server_idle_cpu_pct']:.0f}% of a core; latency max {row['max_ms']:,.0f} ms")
                if row["first_error"] or row["last_error"]:
                    print(f"  ({row['relay']}: {row['first_error'] or row['last_error']})", flush=True)
        print()
        for line in details:
            print("- " + line)
        if args.json:
            Path(args.json).write_text(json.dumps(rows, indent=1))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
    finally:
        stop_all()
        if postgres_dir:
            subprocess.run([str(ROOT / "scripts/postgres-test-server"), "stop", postgres_dir], capture_output=True)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
