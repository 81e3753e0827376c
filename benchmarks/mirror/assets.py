"""The session asset channel's cost on the 10k page (issue #14). The same page is captured with
no asset rule (every URL loads directly: the default) and with every origin sent through the
visitor (`--asset-rule '*=visitor'`); then the page with 40 images added, which the channel has
to upload. For each: the snapshot's time and bytes (median of --reps page loads), and what the
server received on the channel (asset frames and their bytes, from its /metrics). A benchmark:
nothing passes or fails.
    python3 benchmarks/mirror/assets.py [--reps 5] [--binary PATH]"""

import argparse
import random
import re
import tempfile
import time
import urllib.request
import zlib
import struct
from pathlib import Path

from playwright.sync_api import sync_playwright

import bench
import pages

HERE = Path(__file__).resolve().parent


def png(seed: int, size: int = 96) -> bytes:
    """A noisy RGB image (about 27 KB: photos do not compress)."""
    r = random.Random(seed)
    rows = b"".join(b"\x00" + bytes(r.getrandbits(8) for _ in range(size * 3)) for _ in range(size))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def metric(base: str, kind: str) -> tuple:
    text = urllib.request.urlopen(base + "/metrics", timeout=5).read().decode()
    frames = re.search(rf'tandem_page_frames_total\{{kind="{kind}"\}} (\d+)', text)
    return int(frames.group(1)) if frames else 0


def asset_bytes(base: str) -> int:
    text = urllib.request.urlopen(base + "/metrics", timeout=5).read().decode()
    m = re.search(r"tandem_session_asset_bytes_total (\d+)", text)
    return int(m.group(1)) if m else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--binary", type=Path, default=None)
    args = ap.parse_args()
    binary = bench.find_binary(args.binary)
    with tempfile.TemporaryDirectory(prefix="tandem-assets-bench-") as tmp:
        tmp = Path(tmp)
        web = bench.snapshot_web(tmp / "web")
        tandem = bench.Tandem(binary, tmp, web)
        tandem.start()
        site_dir = tmp / "site"
        stub = tmp / "rrweb-stub.js"
        stub.write_text("// rrweb is not part of this benchmark\n")
        pages.write_site(site_dir, tandem.base, stub, HERE / "harness.js")
        (site_dir / "img").mkdir()
        images = "".join(f'<img src="img/{i}.png" width="96" height="96" alt="">' for i in range(40))
        for i in range(40):
            (site_dir / "img" / f"{i}.png").write_bytes(png(i))
        page = (site_dir / "tandem-10k.html").read_text()
        (site_dir / "tandem-10kimg.html").write_text(page.replace("<body>\n", f"<body>\n<div>{images}</div>\n", 1))
        httpd, site = bench.serve_site(site_dir)
        rows = []
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=bench.CHROMIUM, args=["--disable-dev-shm-usage"])
                bench.capture_run(browser, site, "tandem", "10k", "one", None, want_text=False)  # warm-up
                for size, label, rule in [("10k", "direct (no rule)", "none"), ("10k", "'*=visitor'", "*=visitor"),
                                          ("10kimg", "direct (no rule)", "none"), ("10kimg", "'*=visitor'", "*=visitor")]:
                    tandem.cli("group", "set", "--id", "1", "--asset-rule", rule)
                    frames_before, bytes_before = metric(tandem.base, "asset"), asset_bytes(tandem.base)
                    runs = []
                    for _ in range(args.reps):
                        started = time.monotonic()
                        runs.append(bench.capture_run(browser, site, "tandem", size, "one", None, want_text=False))
                        runs[-1]["wall"] = time.monotonic() - started
                    frames = metric(tandem.base, "asset") - frames_before
                    sent = asset_bytes(tandem.base) - bytes_before
                    rows.append((size, label, bench.median([r["snap_time"] for r in runs]), bench.median([r["snap_bytes"] for r in runs]),
                                 frames / args.reps, sent / args.reps))
                    bench.log(f"  {size} {label}: snapshot {rows[-1][2]:.1f} ms, {rows[-1][3]:,.0f} B; asset frames {rows[-1][4]:.1f}, {rows[-1][5]:,.0f} B per load")
                browser.close()
        finally:
            httpd.shutdown()
            tandem.stop()
    print("| Page | Asset rule | Snapshot time (median) | Snapshot bytes | Asset frames per load | Asset bytes per load |")
    print("|---|---|---|---|---|---|")
    for size, label, t, b, f, s in rows:
        name = "10k" if size == "10k" else "10k + 40 images (27 KB each)"
        print(f"| {name} | {label} | {t:.1f} ms | {b:,.0f} B | {f:.1f} | {s:,.0f} B |")


if __name__ == "__main__":
    main()
