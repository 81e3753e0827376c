#!/usr/bin/env python3
"""Where Tandem's capture time and bytes go (evidence for optimizations, not a benchmark result):
  - CPU profile (Chromium's CDP Profiler, 100 µs sampling) of the full snapshot and of the
    100-task mutation burst on the largest page: self time by function;
  - what-if experiments patched into the page at run time (web/ is not changed): no data-gid
    attribute writes, no per-element masking check; and the JSON.stringify + UTF-8 share;
  - the page message's bytes by part (ids, tags, attributes, text, stylesheet text), raw and
    deflated, next to rrweb's.
Run by `benchmarks/mirror/run --profile`."""

import json
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from playwright.sync_api import sync_playwright

import bench
import pages

HERE = Path(__file__).resolve().parent

PATCH = """async (variant) => {
  const base = new URL(document.getElementById('glance-cobrowse').src).origin + '/web/';
  const { Serializer } = await import(base + 'visitor/capture/serialize.js');
  const { MaskingPolicy } = await import(base + 'visitor/capture/masking.js');
  if (variant.includes('no-gid')) {
    // idFor without the data-gid / data-gcid attribute writes.
    Serializer.prototype.idFor = function (node) {
      let id = this.mirror.idOf(node);
      if (id === undefined) { id = this.mirror.assign(node); this.fresh.add(id); }
      return id;
    };
  }
  if (variant.includes('no-mask')) MaskingPolicy.prototype.masksElement = () => false;
}"""

ENCODE_COST = """() => {
  const f = __bench.frames.find((f) => f.kind === 1);
  const obj = JSON.parse(new TextDecoder().decode(f.bytes.subarray(1)));
  const t0 = performance.now();
  const s = JSON.stringify(obj);
  const t1 = performance.now();
  new TextEncoder().encode(s);
  const t2 = performance.now();
  return { stringify: t1 - t0, utf8: t2 - t1 };
}"""


def self_times(profile, top=18):
    nodes = {n["id"]: n for n in profile["nodes"]}
    by_node = defaultdict(float)
    for sample, delta in zip(profile["samples"], profile["timeDeltas"]):
        by_node[sample] += delta / 1000.0
    agg = defaultdict(float)
    for node_id, ms in by_node.items():
        cf = nodes[node_id]["callFrame"]
        url = cf["url"].rsplit("/", 1)[-1]
        name = cf["functionName"] or "(anonymous)"
        agg[f"{name} {url}:{cf['lineNumber'] + 1}" if url else name] += ms
    total = sum(v for k, v in agg.items() if k not in ("(idle)", "(program)", "(garbage collector)"))
    rows = sorted(agg.items(), key=lambda kv: -kv[1])[:top]
    return total, rows


def start_tandem_page(browser, site, size, variant=""):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{site}/tandem-{size}.html", wait_until="load", timeout=120000)
    bench.wait_tandem_ready(page)
    page.evaluate("__bench.prepareTandem()")
    if variant:
        page.evaluate(PATCH, variant)
    page.wait_for_timeout(200)
    return context, page


def snapshot_with_variant(browser, site, size, variant):
    context, page = start_tandem_page(browser, site, size, variant)
    try:
        page.evaluate(f"GLANCE.Cobrowse.Visitor.startSession('{bench.session_key('p')}')")
        page.wait_for_function("__bench.snapT1 !== null", timeout=120000)
        t = page.evaluate("__bench.snapT1 - __bench.snapT0")
        enc = page.evaluate(ENCODE_COST)
        page.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")
    finally:
        context.close()
    return t, enc


def profiled(browser, site, size, what):
    context, page = start_tandem_page(browser, site, size)
    try:
        cdp = context.new_cdp_session(page)
        cdp.send("Profiler.enable")
        cdp.send("Profiler.setSamplingInterval", {"interval": 100})
        if what == "snapshot":
            cdp.send("Profiler.start")
            page.evaluate(f"GLANCE.Cobrowse.Visitor.startSession('{bench.session_key('p')}')")
            page.wait_for_function("__bench.snapT1 !== null", timeout=120000)
            prof = cdp.send("Profiler.stop")["profile"]
        else:
            page.evaluate(f"GLANCE.Cobrowse.Visitor.startSession('{bench.session_key('p')}')")
            page.wait_for_function("__bench.snapT1 !== null", timeout=120000)
            page.wait_for_timeout(500)
            cdp.send("Profiler.start")
            page.evaluate("(m) => __bench.burst(m, 42)", what)
            prof = cdp.send("Profiler.stop")["profile"]
        page.evaluate("GLANCE.Cobrowse.Visitor.stopSession()")
    finally:
        context.close()
    return self_times(prof)


def first_snapshot_text(browser, site, size, recorder):
    r = bench.capture_run(browser, site, recorder, size, "one", "x", want_text=True)
    return r["snap_texts"]


def breakdown_tandem(text: bytes):
    """Bytes of the page message by part: each part's share is what removing it saves."""
    page = json.loads(text[1:])
    full = json.dumps(page, separators=(",", ":"), ensure_ascii=False).encode()

    def variant(strip):
        def walk(n):
            n = dict(n)
            strip(n)
            if "c" in n:
                n["c"] = [walk(c) for c in n["c"]]
            return n
        return json.dumps({**page, "doc": walk(page["doc"])}, separators=(",", ":"), ensure_ascii=False).encode()

    def no_key(key):
        return lambda n: n.pop(key, None)

    def no_attr(pred):
        def strip(n):
            if "a" in n:
                n["a"] = {k: v for k, v in n["a"].items() if not pred(k, v)}
        return strip

    origin = page["url"].split("/", 3)[:3]
    origin = "/".join(origin)
    parts = {
        "ids (i)": variant(no_key("i")),
        "tag names (t)": variant(no_key("t")),
        "all attributes (a)": variant(no_key("a")),
        "  class attributes": variant(no_attr(lambda k, v: k == "class")),
        "  URL attributes (href/src)": variant(no_attr(lambda k, v: k in ("href", "src"))),
        "  empty a:{} objects": variant(lambda n: n.pop("a") if n.get("a") == {} else None),
        "text nodes (x)": variant(lambda n: n.update(x="") if "x" in n else None),
        "whitespace-only text nodes": variant(lambda n: n.update(x="") if "x" in n and not n["x"].strip() else None),
        "stylesheet text (css)": variant(no_key("css")),
        "form values (v, k)": variant(lambda n: (n.pop("v", None), n.pop("k", None))),
    }
    base_raw, base_z = len(full), bench.deflated([full])
    rows = [("whole page message", base_raw, base_z)]
    for name, data in parts.items():
        rows.append((name, base_raw - len(data), base_z - bench.deflated([data])))
    origin_bytes = full.count(origin.encode()) * len(origin)
    rows.append((f"  of which the origin {origin} repeated in absolute URLs", origin_bytes, None))
    return rows


def breakdown_rrweb(texts):
    events = [json.loads(t) for t in texts]
    snap = next(e for e in events if e["type"] == 2)
    full = json.dumps(snap, separators=(",", ":"), ensure_ascii=False).encode()

    def variant(strip):
        def walk(n):
            n = dict(n)
            strip(n)
            if "childNodes" in n:
                n["childNodes"] = [walk(c) for c in n["childNodes"]]
            return n
        return json.dumps({**snap, "data": {**snap["data"], "node": walk(snap["data"]["node"])}}, separators=(",", ":"), ensure_ascii=False).encode()

    def css_strip(n):
        a = n.get("attributes")
        if a and "_cssText" in a:
            n["attributes"] = {k: v for k, v in a.items() if k != "_cssText"}
        if n.get("isStyle"):
            n["textContent"] = ""

    parts = {
        "ids (id)": variant(lambda n: n.pop("id", None)),
        "node types (type)": variant(lambda n: n.pop("type", None)),
        "all attributes": variant(lambda n: n.pop("attributes", None)),
        "stylesheet text (_cssText)": variant(css_strip),
    }
    base_raw, base_z = len(full), bench.deflated([full])
    rows = [("whole FullSnapshot event", base_raw, base_z)]
    for name, data in parts.items():
        rows.append((name, base_raw - len(data), base_z - bench.deflated([data])))
    return rows


def table(rows, title):
    print(f"\n{title}\n")
    print("| Part | Raw bytes | Deflated bytes |")
    print("|---|---:|---:|")
    for name, raw, z in rows:
        print(f"| {name} | {raw:,} | {'' if z is None else f'{z:,}'} |")


def main(rrweb: Path, binary: Path, size: str, reps: int):
    with tempfile.TemporaryDirectory(prefix="tandem-profile-") as tmp:
        tmp = Path(tmp)
        tandem = bench.Tandem(binary, tmp)
        tandem.start()
        pages.write_site(tmp / "site", tandem.base, rrweb, HERE / "harness.js")
        httpd, site = bench.serve_site(tmp / "site")
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=bench.CHROMIUM, args=["--disable-dev-shm-usage"])
                print(f"# Profile of Tandem's capture on the {size} page (Chromium {browser.version})")

                print("\n## Snapshot what-ifs (median of", reps, "page loads; patched at run time, web/ unchanged)\n")
                print("| Variant | Snapshot time | JSON.stringify of the payload | UTF-8 encode |")
                print("|---|---:|---:|---:|")
                for variant in ("", "no-gid", "no-mask", "no-gid,no-mask"):
                    runs = [snapshot_with_variant(browser, site, size, variant) for _ in range(reps)]
                    t = bench.median([r[0] for r in runs])
                    s = bench.median([r[1]["stringify"] for r in runs])
                    u = bench.median([r[1]["utf8"] for r in runs])
                    label = {"": "as is", "no-gid": "without data-gid writes", "no-mask": "without masksElement per element",
                             "no-gid,no-mask": "without both"}[variant]
                    print(f"| {label} | {t:.1f} ms | {s:.1f} ms | {u:.1f} ms |")

                for what, title in (("snapshot", "full snapshot"), ("spread", "1,000 mutations over 100 tasks"), ("one", "1,000 mutations in 1 task")):
                    total, rows = profiled(browser, site, size, what)
                    print(f"\n## CPU profile: {title} (self time, ms; {total:.1f} ms of script and native work sampled)\n")
                    print("| Function | Self ms |")
                    print("|---|---:|")
                    for name, ms in rows:
                        print(f"| `{name}` | {ms:.1f} |")

                table(breakdown_tandem(first_snapshot_text(browser, site, size, "tandem")[0]), "## Tandem page message by part (bytes saved if the part were left out)")
                table(breakdown_rrweb(first_snapshot_text(browser, site, size, "rrweb")), "## rrweb FullSnapshot event by part")
                browser.close()
        finally:
            httpd.shutdown()
            tandem.stop()


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--rrweb", type=Path, required=True)
    ap.add_argument("--binary", type=Path, default=None)
    ap.add_argument("--size", default="20k")
    ap.add_argument("--reps", type=int, default=5)
    a = ap.parse_args()
    main(a.rrweb, bench.find_binary(a.binary), a.size, a.reps)
