#!/usr/bin/env python3
"""Tandem's DOM mirroring against rrweb 1.1.3: full snapshot, mutation bursts, end-to-end latency
over the real server, and the visitor script's weight. Started by `benchmarks/mirror/run`
(see benchmarks/mirror/README.md). A benchmark, not a test: nothing here asserts."""

import argparse
import gzip
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import zlib
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import sync_playwright

import pages

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CHROMIUM = os.environ.get("TANDEM_CHROMIUM", "/usr/bin/chromium")
AGENT_USER, AGENT_PASSWORD = "bench-agent", "bench-agent-password"

# ---------------------------------------------------------------- helpers


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def median(values):
    return statistics.median(values) if values else float("nan")


def percentile(values, p):
    """Nearest-rank percentile."""
    s = sorted(values)
    if not s:
        return float("nan")
    k = max(0, min(len(s) - 1, int(round(p / 100 * len(s) + 0.5)) - 1))
    return s[k]


def deflated(messages) -> int:
    """Bytes on the wire with permessage-deflate: deflate-raw, zlib level 6, 15-bit window, one
    stream per connection (context takeover), a sync flush per message, minus its 4-byte tail."""
    c = zlib.compressobj(6, zlib.DEFLATED, -15, 8)
    total = 0
    for m in messages:
        total += len(c.compress(m) + c.flush(zlib.Z_SYNC_FLUSH)) - 4
    return total


_keys = iter(range(1, 1 << 30))


def session_key(_label) -> str:
    """A fresh session key (letters, digits, '-' only)."""
    return f"bench-{os.getpid()}-{next(_keys)}"


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


# ---------------------------------------------------------------- servers


class Tandem:
    def __init__(self, binary: Path, workdir: Path, web_root: Path = ROOT / "web"):
        self.binary = binary
        self.web_root = web_root
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.database = workdir / "bench.sqlite"
        self.log_path = workdir / "server.log"
        self.proc = None

    def cli(self, *args):
        subprocess.run([str(self.binary), *args, "--database", str(self.database)], check=True, capture_output=True, timeout=60)

    def start(self):
        self.cli("agent", "add", "--username", AGENT_USER, "--password", AGENT_PASSWORD, "--name", "Bench Agent", "--group", "1")
        self.proc = subprocess.Popen(
            [str(self.binary), "serve", "--database", str(self.database), "--host", "127.0.0.1", "--port", str(self.port),
             "--demo-root", "none", "--web-root", str(self.web_root), "--visitor-grace", "5", "--log-level", "warning"],
            stdout=open(self.log_path, "a"), stderr=subprocess.STDOUT, cwd=ROOT,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("tandem exited early:\n" + self.log_path.read_text())
            try:
                with urllib.request.urlopen(self.base + "/healthz", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("tandem did not become healthy")

    def token(self) -> str:
        body = json.dumps({"username": AGENT_USER, "password": AGENT_PASSWORD}).encode()
        req = urllib.request.Request(self.base + "/api/v1/authorize", data=body, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read())["token"]

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve_site(directory: Path):
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(QuietHandler, directory=str(directory)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


# ---------------------------------------------------------------- script weight


IMPORT_RE = re.compile(r"""(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|(?:^|[\s;])import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)""", re.M)


def strip_comments(js: str) -> str:
    """Block comments (JSDoc `import('...')` types are not imports) and whole-line // comments."""
    js = re.sub(r"/\*[\s\S]*?\*/", "", js)
    return re.sub(r"(?m)^\s*//.*$", "", js)


def import_graph(entry: Path) -> list:
    """Every module reachable from entry by static imports (and literal dynamic imports)."""
    seen, order, todo = set(), [], [entry.resolve()]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        order.append(path)
        for m in IMPORT_RE.finditer(strip_comments(path.read_text())):
            spec = next(g for g in m.groups() if g)
            if spec.startswith("."):
                todo.append((path.parent / spec).resolve())
    return sorted(order)


def script_weight(rrweb_bundle: Path, web: Path, base: str) -> dict:
    """The visitor script as the server sends it (comments and indentation stripped, see
    docs/decisions.md), and as written in web/ for reference."""
    loader = web / "visitor" / "cobrowse.js"
    modules = import_graph(web / "visitor" / "main.js")
    # What a visitor's browser loads: the loader and the server's one-file bundle of the modules
    # (`visitor/bundle.js`, made from them; no such file on disk).
    files = [loader, web / "visitor" / "bundle.js"]

    def served(f: Path) -> bytes:
        url = base + ("/cobrowse.js" if f == loader else "/web/" + f.relative_to(web).as_posix())
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read()

    data = [served(f) for f in files]
    separately = [served(f) for f in modules]
    written = [f.read_bytes() for f in [loader] + modules]
    rr = rrweb_bundle.read_bytes()
    return {
        "loader_raw": len(data[0]), "loader_gz": gz(data[0]),
        "full_files": ["web/" + str(f.relative_to(web)) for f in files],
        "full_raw": sum(len(d) for d in data),
        "full_gz_concat": gz(b"".join(data)),
        "full_gz_per_file": sum(gz(d) for d in data),
        "modules_gz_per_file": gz(data[0]) + sum(gz(d) for d in separately), "modules": len(modules),
        "written_gz_concat": gz(b"".join(written)), "written_raw": sum(len(d) for d in written),
        "rrweb_raw": len(rr), "rrweb_gz": gz(rr),
    }


# ---------------------------------------------------------------- capture runs


def wait_tandem_ready(page):
    page.wait_for_function("window.GLANCE && typeof GLANCE.Cobrowse.Visitor.getSessionState === 'function'", timeout=60000)


def retried(fn, attempts=3):
    """A run that fails (a stall on a busy machine) is run again, and says so."""
    for attempt in range(attempts):
        try:
            return fn()
        except Exception as e:  # noqa: BLE001 - reported, then retried
            if attempt == attempts - 1:
                raise
            log(f"  run failed ({str(e).splitlines()[0]}); retrying")


def capture_run(browser, site, recorder, size, mode, _label, want_text):
    """One fresh page load: start capture, take the snapshot, then one mutation burst."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    # The harness times Tandem's Recorder by importing its module: the loader must load the
    # modules themselves (its fallback), not the one-file bundle, whose copy the harness cannot
    # reach. The same code runs either way; the bundle's weight is measured in script_weight.
    page.route("**/web/visitor/bundle.js", lambda route: route.fulfill(status=404, body=""))
    console = []
    page.on("console", lambda m: console.append(m.text))
    page.on("pageerror", lambda e: console.append(str(e)))
    page.on("requestfailed", lambda r: console.append(f"request failed: {r.url} {r.failure}"))
    try:
        page.goto(f"{site}/{recorder}-{size}.html", wait_until="load", timeout=120000)
        elements = page.evaluate("document.getElementsByTagName('*').length")
        if recorder == "tandem":
            wait_tandem_ready(page)
            page.evaluate("__bench.prepareTandem()")
            page.wait_for_timeout(200)
            page.evaluate(f"GLANCE.Cobrowse.Visitor.startSession('{session_key(None)}')")
            page.wait_for_function("__bench.snapT1 !== null", timeout=120000)
        else:
            page.wait_for_timeout(200)
            page.evaluate("__bench.startRrweb()")
        page.wait_for_timeout(500)
        snap = page.evaluate("(t) => __bench.snapshot(t)", want_text)
        loaded = page.evaluate("() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname)")
        burst = page.evaluate("(m) => __bench.burst(m, 42)", mode)
        deltas = page.evaluate("() => __bench.framesOf(2, true)")
        if recorder == "tandem":
            page.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")
    except Exception:
        log(f"  {recorder} {size} {mode} failed; page console:\n    " + "\n    ".join(console[-20:]))
        raise
    finally:
        context.close()
    result = {
        "elements": elements,
        "loaded": sorted(p for p in loaded if p.endswith(".js") and p.startswith("/web/") or p == "/cobrowse.js"),
        "snap_time": snap["time"],
        "snap_bytes": sum(f["n"] for f in snap["frames"]),
        "snap_messages": len(snap["frames"]),
        "snap_gid_time": snap.get("gidTime") or 0.0,
        "snap_gid_slices": snap.get("gidSlices") or 0,
        "burst_time": burst["captureTime"],
        "burst_detail": burst,
        "burst_bytes": sum(f["n"] for f in deltas),
        "burst_messages": len(deltas),
        "burst_deflated": deflated([f["text"].encode() for f in deltas]),
    }
    if want_text:
        texts = [f["text"].encode() for f in snap["frames"]]
        result["snap_deflated"] = deflated(texts)
        result["snap_texts"] = texts
    return result


def run_capture(browser, site, sizes, reps):
    """Recorders alternate within each repetition, so background load hits both alike."""
    results = {}
    for recorder in ("tandem", "rrweb"):  # warm-up (browser caches, first-load costs): not counted
        capture_run(browser, site, recorder, sizes[0], "one", "warm-up", want_text=False)
    for size in sizes:
        runs = {(rec, mode): [] for rec in ("tandem", "rrweb") for mode in ("one", "spread")}
        for rep in range(reps):
            for mode in ("one", "spread"):
                for recorder in (("tandem", "rrweb") if rep % 2 == 0 else ("rrweb", "tandem")):
                    r = retried(lambda: capture_run(browser, site, recorder, size, mode, None, want_text=(rep == 0 and mode == "one")))
                    runs[(recorder, mode)].append(r)
                    log(f"  {size:>4} {recorder:<6} {mode:<6} rep {rep}: snapshot {r['snap_time']:.1f} ms {r['snap_bytes']} B; "
                        f"burst {r['burst_time']:.1f} ms (+ {r['burst_detail']['sendTime']:.1f} ms in WebSocket.send) {r['burst_bytes']} B in {r['burst_messages']} msgs")
        for recorder in ("tandem", "rrweb"):
            by_mode = {mode: runs[(recorder, mode)] for mode in ("one", "spread")}
            snaps = by_mode["one"] + by_mode["spread"]
            first = by_mode["one"][0]
            results[(size, recorder)] = {
                "elements": first["elements"],
                "loaded": first["loaded"],
                "snap_time": median([r["snap_time"] for r in snaps]),
                "snap_times": [round(r["snap_time"], 2) for r in snaps],
                "snap_bytes": median([r["snap_bytes"] for r in snaps]),
                "snap_gid_time": median([r["snap_gid_time"] for r in snaps]),
                "snap_gid_slices": median([r["snap_gid_slices"] for r in snaps]),
                "snap_deflated": first["snap_deflated"],
                "snap_texts": first["snap_texts"],
                **{f"{mode}_{k}": median([r[f"burst_{k}"] for r in by_mode[mode]]) for mode in by_mode for k in ("time", "bytes", "deflated", "messages")},
                **{f"{mode}_times": [round(r["burst_time"], 2) for r in by_mode[mode]] for mode in by_mode},
                **{f"{mode}_ops": median([r["burst_detail"]["opsTime"] for r in by_mode[mode]]) for mode in by_mode},
                **{f"{mode}_split": {k: median([r["burst_detail"][k] for r in by_mode[mode]]) for k in ("mo", "flush", "moCalls", "flushCalls", "gid", "sendTime")} for mode in by_mode},
            }
    return results


# ---------------------------------------------------------------- latency


AGENT_OBSERVER = """() => {
  const seen = (window.__seen = {});
  const doc = document.getElementById('mirror').contentDocument;
  const mark = (k, t) => { if (k !== null && !(k in seen)) seen[k] = t; };
  new MutationObserver((records) => {
    const t = performance.timeOrigin + performance.now();
    for (const r of records) {
      if (r.type === 'characterData') {
        const m = /^seq (\\d+)$/.exec(r.target.data);
        if (m) mark(m[1], t);
      } else if (r.type === 'attributes') {
        mark(r.target.getAttribute('data-seq'), t);
      } else {
        for (const n of r.addedNodes) {
          if (n.nodeType === 1 && n.hasAttribute('data-seq')) mark(n.getAttribute('data-seq'), t);
          if (n.nodeType === 3) { const m = /^seq (\\d+)$/.exec(n.data); if (m) mark(m[1], t); }
        }
      }
    }
  }).observe(doc, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['data-seq'] });
}"""


def latency_run(browser, tandem, site, size, changes, run_id, seed):
    vctx = browser.new_context(viewport={"width": 1280, "height": 800})
    actx = browser.new_context(viewport={"width": 1400, "height": 900}, bypass_csp=True)
    try:
        actx.add_cookies([{"name": "tandem_agent", "value": tandem.token(), "url": tandem.base}])
        actx.add_init_script(AGENT_RECEIVE_LOG)
        visitor = vctx.new_page()
        visitor.goto(f"{site}/tandem-{size}.html", wait_until="load", timeout=120000)
        wait_tandem_ready(visitor)
        key = session_key(run_id)
        visitor.evaluate(f"GLANCE.Cobrowse.Visitor.startSession('{key}')")
        visitor.wait_for_function("__bench.snapT1 !== null", timeout=120000)
        agent = actx.new_page()
        agent.goto(f"{tandem.base}/agentjoin?SessionKey={key}", timeout=120000)
        agent.wait_for_function(
            "document.getElementById('screen').dataset.ready === '1' && !!document.getElementById('mirror').contentDocument.getElementById('seq-text')",
            timeout=120000,
        )
        agent.wait_for_timeout(500)
        agent.evaluate(AGENT_OBSERVER)
        agent.evaluate("() => { window.__recv.length = 0; }")
        visitor.evaluate("() => { __bench.frames = []; }")
        for page in (agent, visitor):
            page.evaluate(LONG_TASKS)
        # Both pages' clocks against the system clock: their difference is the cross-process skew.
        skew = agent.evaluate("() => (" + CLOCK_OFFSET + ")(300)") - visitor.evaluate("() => (" + CLOCK_OFFSET + ")(300)")
        sent = visitor.evaluate(f"() => __bench.latencyRun({changes}, {seed})")
        agent.wait_for_timeout(1000)
        seen = agent.evaluate("() => window.__seen")
        received = agent.evaluate(DECODE_RECEIVED)
        long_tasks = {"agent": agent.evaluate("() => window.__long"), "visitor": visitor.evaluate("() => window.__long")}
        origin = visitor.evaluate("performance.timeOrigin")
        sent_frames = [(origin + f["t"], f["text"]) for f in visitor.evaluate("() => __bench.frames.map((f) => ({t: f.t, text: new TextDecoder().decode(f.bytes)}))")]
        visitor.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")
    finally:
        actx.close()
        vctx.close()
    lat = [seen[str(k)] - t for k, t in enumerate(sent) if str(k) in seen]
    # Where each change's time went: first frame carrying it sent, then received by the agent.
    sent_at, recv_at = first_carrying(sent_frames), first_carrying(received)
    phases = {"visitor (change to frame sent)": [], "server and network (sent to received)": [], "agent (received to applied)": []}
    for k, t in enumerate(sent):
        if k in sent_at and k in recv_at and str(k) in seen:
            phases["visitor (change to frame sent)"].append(sent_at[k] - t)
            phases["server and network (sent to received)"].append(recv_at[k] - sent_at[k])
            phases["agent (received to applied)"].append(seen[str(k)] - recv_at[k])
    return {"latencies": lat, "missing": len(sent) - len(lat), "skew": skew, "phases": phases, "long_tasks": long_tasks}


LONG_TASKS = """() => {
  // Main-thread tasks over 50 ms during the run (a busy renderer delays frames and events).
  window.__long = { count: 0, ms: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) { window.__long.count++; window.__long.ms += e.duration; }
  }).observe({ type: 'longtask' });
}"""


SEQ_RE = re.compile(r'seq(?:\\?":\\?"| )(\d+)')


def first_carrying(frames):
    """seq number -> time of the first frame that carries it."""
    out = {}
    for t, text in frames:
        for m in SEQ_RE.finditer(text):
            out.setdefault(int(m.group(1)), t)
    return out


AGENT_RECEIVE_LOG = """(() => {
  // Receive time of every binary frame, before the viewer's own handler runs.
  const Native = window.WebSocket;
  window.__recv = [];
  function LoggedWebSocket(...args) {
    const ws = new Native(...args);
    ws.addEventListener('message', (e) => {
      if (typeof e.data !== 'string') window.__recv.push([performance.timeOrigin + performance.now(), e.data]);
    });
    return ws;
  }
  LoggedWebSocket.prototype = Native.prototype;
  for (const k of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) LoggedWebSocket[k] = Native[k];
  window.WebSocket = LoggedWebSocket;
})();"""

DECODE_RECEIVED = """() => {
  const d = new TextDecoder();
  return window.__recv.map(([t, data]) => [t, d.decode(data instanceof ArrayBuffer ? new Uint8Array(data) : data)]);
}"""


CLOCK_OFFSET = """async (samples) => {
  let sum = 0;
  for (let i = 0; i < samples; i++) {
    sum += performance.timeOrigin + performance.now() - Date.now();
    await new Promise((r) => setTimeout(r, Math.random() * 3));
  }
  return sum / samples;
}"""


def run_latency(browser, tandem, site, sizes, reps, changes):
    out = {}
    for size in sizes:
        runs = []
        for rep in range(reps):
            r = retried(lambda: latency_run(browser, tandem, site, size, changes, None, seed=7 + rep))
            lat = r["latencies"]
            r.update(p50=percentile(lat, 50), p99=percentile(lat, 99), max=max(lat) if lat else float("nan"))
            runs.append(r)
            log(f"  latency {size:>4} rep {rep}: p50 {r['p50']:.2f} ms, p99 {r['p99']:.2f} ms, max {r['max']:.1f} ms, "
                f"{len(lat)} changes, {r['missing']} missing, clock skew {r['skew']:+.3f} ms; long tasks: "
                + ", ".join(f"{who} {v['count']} ({v['ms']:.0f} ms)" for who, v in r["long_tasks"].items()))
        pooled = [x for r in runs for x in r["latencies"]]
        out[size] = {
            "p50": median([r["p50"] for r in runs]), "p99": median([r["p99"] for r in runs]),
            "pooled_p50": percentile(pooled, 50), "pooled_p99": percentile(pooled, 99),
            "count": len(pooled), "missing": sum(r["missing"] for r in runs),
            "skew": median([r["skew"] for r in runs]), "runs": [(round(r["p50"], 2), round(r["p99"], 2)) for r in runs],
            "long_tasks": [r["long_tasks"] for r in runs],
            "phases": {name: {"p50": percentile(v, 50), "p99": percentile(v, 99)}
                       for name, v in ((n, [x for r in runs for x in r["phases"][n]]) for n in runs[0]["phases"])},
        }
        log("    phases (pooled): " + "; ".join(f"{n} p50 {v['p50']:.2f} / p99 {v['p99']:.2f} ms" for n, v in out[size]["phases"].items()))
    return out


# ---------------------------------------------------------------- report


def verdict(ok):
    return "met" if ok else "NOT met"


def fmt_kb(n):
    return f"{n / 1024:,.1f} KB"


def report(weight, capture, latency, sizes, machine):
    lines = []
    w = lines.append
    w("| Measure | Page | Tandem | rrweb 1.1.3 | Tandem / rrweb | Target | Status |")
    w("|---|---|---:|---:|---:|---|---|")
    for size in sizes:
        if (size, "tandem") not in capture:
            continue
        t, r = capture[(size, "tandem")], capture[(size, "rrweb")]
        page = f"{size} ({t['elements']:,} el.)"
        ratio = t["snap_time"] / r["snap_time"]
        w(f"| Full snapshot: time to first page message | {page} | {t['snap_time']:.1f} ms | {r['snap_time']:.1f} ms | {ratio:.2f}× | ≤ 0.5× | {verdict(ratio <= 0.5)} |")
        w(f"| Full snapshot: then the data-gid attributes, in {t['snap_gid_slices']:.0f} later tasks (not counted above) | {page} | {t['snap_gid_time']:.1f} ms | — (writes none) | — | — | — |")
        ratio = t["snap_bytes"] / r["snap_bytes"]
        w(f"| Full snapshot: bytes as sent | {page} | {fmt_kb(t['snap_bytes'])} | {fmt_kb(r['snap_bytes'])} | {ratio:.2f}× | — | — |")
        ratio = t["snap_deflated"] / r["snap_deflated"]
        w(f"| Full snapshot: bytes deflated | {page} | {fmt_kb(t['snap_deflated'])} | {fmt_kb(r['snap_deflated'])} | {ratio:.2f}× | ≤ 0.7× | {verdict(ratio <= 0.7)} |")
        for mode, label in (("one", "1,000 mutations in 1 task"), ("spread", "1,000 mutations over 100 tasks")):
            ratio = t[f"{mode}_time"] / r[f"{mode}_time"]
            w(f"| {label}: capture time | {page} | {t[f'{mode}_time']:.2f} ms | {r[f'{mode}_time']:.2f} ms | {ratio:.2f}× | ≤ 0.5× | {verdict(ratio <= 0.5)} |")
            w(f"| {label}: + WebSocket.send (not counted above) | {page} | {t[f'{mode}_split']['sendTime']:.2f} ms | — (no socket) | — | — | — |")
            ratio = t[f"{mode}_bytes"] / r[f"{mode}_bytes"]
            w(f"| {label}: bytes as sent ({t[f'{mode}_messages']:.0f} / {r[f'{mode}_messages']:.0f} msgs) | {page} | {fmt_kb(t[f'{mode}_bytes'])} | {fmt_kb(r[f'{mode}_bytes'])} | {ratio:.2f}× | — | — |")
            ratio = t[f"{mode}_deflated"] / r[f"{mode}_deflated"]
            w(f"| {label}: bytes deflated | {page} | {fmt_kb(t[f'{mode}_deflated'])} | {fmt_kb(r[f'{mode}_deflated'])} | {ratio:.2f}× | ≤ 0.7× | {verdict(ratio <= 0.7)} |")
    for size, l in latency.items():
        ph = l["phases"]
        split = "; ".join(f"{n.split(' (')[0]} {v['p50']:.1f} / {v['p99']:.1f}" for n, v in ph.items())
        w(f"| End-to-end latency: p50 / p99 by leg ({split} ms) | {size} | — | — | — | — | — |")
        w(f"| End-to-end latency p50 ({l['count']} changes, {len(l['runs'])} runs) | {size} | {l['p50']:.2f} ms | — | — | ≤ 10 ms | {verdict(l['p50'] <= 10)} |")
        w(f"| End-to-end latency p99 | {size} | {l['p99']:.2f} ms | — | — | ≤ 30 ms | {verdict(l['p99'] <= 30)} |")
    if weight:
        w(f"| Loader (cobrowse.js) as served, gzip -9 | — | {weight['loader_gz']:,} B ({weight['loader_raw']:,} B raw) | — | — | ≤ 3 KB | {verdict(weight['loader_gz'] <= 3 * 1024)} |")
        w(f"| Full visitor script as served ({len(weight['full_files'])} files), gzip -9 of the concatenation | — | {weight['full_gz_concat']:,} B ({weight['full_raw']:,} B raw) | {weight['rrweb_gz']:,} B ({weight['rrweb_raw']:,} B raw, record bundle) | {weight['full_gz_concat'] / weight['rrweb_gz']:.2f}× | ≤ 40 KB | {verdict(weight['full_gz_concat'] <= 40 * 1024)} |")
        w(f"| Full visitor script, sum of per-file gzip -9 | — | {weight['full_gz_per_file']:,} B | — | — | ≤ 40 KB | {verdict(weight['full_gz_per_file'] <= 40 * 1024)} |")
        w(f"| (the loader and the {weight['modules']} modules as separate files, the fallback) | — | {weight['modules_gz_per_file']:,} B | — | — | — | — |")
        w(f"| Full visitor script as written in web/ (with comments), gzip -9 | — | {weight['written_gz_concat']:,} B ({weight['written_raw']:,} B raw) | — | — | — | — |")
    # The same time ratios from each recorder's fastest run: less sensitive to other work on the machine.
    w("")
    w("Fastest run of each (a check on the medians above when the machine is busy):")
    w("")
    w("| Measure | Page | Tandem | rrweb 1.1.3 | Tandem / rrweb | Target | Status |")
    w("|---|---|---:|---:|---:|---|---|")
    for size in sizes:
        if (size, "tandem") not in capture:
            continue
        t, r = capture[(size, "tandem")], capture[(size, "rrweb")]
        for key, label, target in (("snap_times", "Full snapshot time", 0.5), ("one_times", "1,000 mutations in 1 task: capture time", 0.5),
                                   ("spread_times", "1,000 mutations over 100 tasks: capture time", 0.5)):
            a, b = min(t[key]), min(r[key])
            w(f"| {label} | {size} | {a:.1f} ms | {b:.1f} ms | {a / b:.2f}× | ≤ {target}× | {verdict(a / b <= target)} |")
    return "\n".join(lines)


def machine_info(browser_version, binary):
    def sh(cmd):
        try:
            return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=10).stdout.strip()
        except Exception:
            return "?"
    return {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "nproc": sh("nproc"), "mem": sh("free -g | awk '/Mem:/ {print $2\" GB total, \"$7\" GB available\"}'"),
        "cpu": sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip(),
        "load": sh("cut -d' ' -f1-3 /proc/loadavg"),
        "chromium": browser_version, "python": platform.python_version(),
        "source": source_state(),
        "server": f"{binary} ({'release' if '/release/' in str(binary) else 'debug' if '/debug/' in str(binary) else 'unknown'} build)",
    }


# ---------------------------------------------------------------- main


def snapshot_web(dest: Path) -> Path:
    shutil.copytree(ROOT / "web", dest)
    return dest


def source_state() -> str:
    def git(*args):
        return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = git("status", "--porcelain", "--", "web")
    return f"commit {git('rev-parse', '--short', 'HEAD')}" + (" with uncommitted changes in web/" if dirty else ", web/ clean")


def find_binary(given=None) -> Path:
    for candidate in (given, os.environ.get("TANDEM_BINARY")):
        if candidate:
            if not Path(candidate).exists():
                sys.exit(f"no tandem binary at {candidate}")
            return Path(candidate).resolve()
    # The newer build: a release binary left from an older checkout would serve old code.
    built = [p for p in (ROOT / ".build/release/tandem", ROOT / ".build/debug/tandem") if p.exists()]
    if not built:
        sys.exit("no tandem binary: build it (swift build) or set TANDEM_BINARY")
    return max(built, key=lambda p: p.stat().st_mtime)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--rrweb", type=Path, required=True, help="rrweb's record bundle (rrweb-record-1-1-3.js)")
    ap.add_argument("--binary", type=Path, default=None, help="the tandem server binary")
    ap.add_argument("--sizes", default="2.5k,10k,20k")
    ap.add_argument("--reps", type=int, default=5, help="page loads per recorder, page and burst mode")
    ap.add_argument("--latency-reps", type=int, default=3)
    ap.add_argument("--changes", type=int, default=600, help="changes per latency run")
    ap.add_argument("--only", default="weight,capture,latency")
    ap.add_argument("--json", type=Path, default=None, help="also write the raw results here")
    ap.add_argument("--keep-site", type=Path, default=None, help="write the generated pages here (for a look)")
    args = ap.parse_args()
    sizes = [s for s in args.sizes.split(",") if s]
    only = set(args.only.split(","))

    binary = find_binary(args.binary)
    capture, latency = {}, {}
    load_at_start = Path("/proc/loadavg").read_text().split()[:3]
    with tempfile.TemporaryDirectory(prefix="tandem-bench-") as tmp:
        tmp = Path(tmp)
        # One version of the browser code for the whole run, even if web/ is edited meanwhile.
        web = snapshot_web(tmp / "web")
        tandem = Tandem(binary, tmp, web)
        tandem.start()
        weight = script_weight(args.rrweb, web, tandem.base) if "weight" in only else None
        site_dir = args.keep_site or tmp / "site"
        pages.write_site(site_dir, tandem.base, args.rrweb, HERE / "harness.js")
        httpd, site = serve_site(site_dir)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--disable-dev-shm-usage"])
                machine = machine_info(browser.version, binary)
                log(f"tandem {tandem.base}, site {site}, chromium {browser.version}")
                if "capture" in only:
                    log("== full snapshot and mutation bursts")
                    capture = run_capture(browser, site, sizes, args.reps)
                if "latency" in only:
                    log("== end-to-end latency")
                    latency = run_latency(browser, tandem, site, sizes, args.latency_reps, args.changes)
                browser.close()
        finally:
            httpd.shutdown()
            tandem.stop()

    if weight and capture:
        loaded = next(d["loaded"] for (s, r), d in capture.items() if r == "tandem")
        static = sorted("/" + f if f != "web/visitor/cobrowse.js" else "/cobrowse.js" for f in weight["full_files"])
        weight["browser_loaded_same_set"] = loaded == static
        if loaded != static:
            log(f"NOTE: the browser loaded {loaded}, the import graph says {static}")
    print()
    print(f"Machine: {machine['nproc']} CPUs ({machine['cpu']}), {machine['mem']}; load average {' '.join(load_at_start)} at the start, {machine['load']} at the end; "
          f"Chromium {machine['chromium']} headless; server {machine['server']}; code: {machine['source']}; {machine['date']}")
    print("Times: median over runs. Compression: deflate-raw (zlib level 6, 15-bit window, context takeover, "
          "sync flush per message), as permessage-deflate sends it.")
    print()
    print(report(weight, capture, latency, sizes, machine))
    if weight:
        print()
        print("Full visitor script files (import graph from web/visitor/main.js"
              + (", the same set the browser loaded" if weight.get("browser_loaded_same_set") else "") + "): " + ", ".join(weight["full_files"]))
    if args.json:
        serial = {
            "machine": machine, "weight": weight, "latency": latency,
            "capture": {f"{s}/{r}": {k: v for k, v in d.items() if k != "snap_texts"} for (s, r), d in capture.items()},
        }
        args.json.write_text(json.dumps(serial, indent=1))


if __name__ == "__main__":
    main()
