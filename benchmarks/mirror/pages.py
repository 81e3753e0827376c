"""Generates the benchmark pages: the same deterministic body (cards, tables, a large form,
nested lists) at about 2.5k, 10k and 20k elements, plus a 600-rule stylesheet, once per
recorder (Tandem's script tag, or rrweb's record bundle)."""

import html
import random
from pathlib import Path

SIZES = {"2.5k": 2500, "10k": 10000, "20k": 20000}

WORDS = (
    "account order invoice shipping support billing address plan upgrade renew monthly annual "
    "device network router setting profile security password reset verify payment card refund "
    "delivery tracking status pending active closed review rating product catalog search filter "
    "customer agent ticket priority message history details summary balance credit limit region"
).split()


def words(r: random.Random, n: int) -> str:
    return " ".join(r.choice(WORDS) for _ in range(n))


def stylesheet(rules: int = 600) -> str:
    """600 style rules: classes, descendants, states, custom properties, 10 @media blocks."""
    r = random.Random(600)
    out = [":root { --accent: #3558d6; --muted: #667085; --radius: 6px; --gap: 12px; }"]
    count = 1
    props = [
        "color: var(--muted)", "margin: 0 0 var(--gap)", "padding: 4px 8px", "border-radius: var(--radius)",
        "font-weight: 600", "font-size: 13px", "line-height: 1.4", "background: #f7f8fa",
        "border: 1px solid #e4e7ec", "display: flex", "gap: var(--gap)", "text-decoration: none",
        "box-shadow: 0 1px 2px rgba(16, 24, 40, 0.06)", "letter-spacing: 0.01em", "white-space: nowrap",
    ]
    selectors = [
        ".card", ".card-head", ".card .title", ".card .desc", ".badge", ".tags li", ".btn", ".btn-secondary",
        "table.grid", ".grid th", ".grid td", ".grid tr:nth-child(2n) td", ".field", ".field label",
        ".field input", ".field select", ".field textarea", "ul.tree", ".tree li", ".tree .label",
        ".tree .leaf", "nav.top a", "nav.top a:hover", ".section h2", "footer.page", ".num", ".is-active",
    ]
    media = 0
    while count < rules:
        if count % 60 == 30 and media < 10:
            media += 1
            inner = []
            for _ in range(5):
                inner.append(f"  {r.choice(selectors)}.m{count} {{ {r.choice(props)}; {r.choice(props)}; }}")
                count += 1
            out.append(f"@media (max-width: {400 + 60 * media}px) {{\n" + "\n".join(inner) + "\n}")
            continue
        sel = r.choice(selectors) if count < len(selectors) * 2 else f"{r.choice(selectors)} .v{count}"
        out.append(f"{sel} {{ {r.choice(props)}; {r.choice(props)}; {r.choice(props)}; }}")
        count += 1
    return "\n".join(out) + "\n"


def body(target: int, seed: int = 1) -> str:
    """About `target` elements: 30% cards, 30% tables, 15% form, 25% nested lists."""
    r = random.Random(seed)
    parts = ['<nav class="top">' + "".join(f'<a href="/section/{i}">{words(r, 1).title()}</a>' for i in range(8)) + "</nav>"]
    parts.append('<p id="seq-text">seq -1</p><ul id="seq-list"></ul>')

    # Cards: 13 elements each.
    cards = int(target * 0.30 / 13)
    parts.append('<section class="section cards"><h2>Cards</h2><div class="card-grid">')
    for i in range(cards):
        parts.append(
            f'<article class="card card-{i % 7}" data-id="{1000 + i}"><header class="card-head">'
            f'<h3 class="title">{html.escape(words(r, 3).title())}</h3><span class="badge">{r.randint(1, 99)}</span></header>'
            f'<p class="desc">{html.escape(words(r, 14))}</p>'
            f'<ul class="tags"><li>{words(r, 1)}</li><li>{words(r, 1)}</li><li>{words(r, 1)}</li></ul>'
            f'<footer><a class="btn" href="/item/{i}">View</a><button class="btn-secondary" type="button">Save</button>'
            f'<span class="num">{r.randint(100, 9999)}</span></footer></article>'
        )
    parts.append("</div></section>")

    # Tables: 8 columns, a row is 9 elements.
    rows = int(target * 0.30 / 9)
    per_table = 100
    parts.append('<section class="section tables"><h2>Tables</h2>')
    for t in range(0, rows, per_table):
        parts.append('<table class="grid"><thead><tr>' + "".join(f"<th>{words(r, 1)}</th>" for _ in range(8)) + "</tr></thead><tbody>")
        for i in range(t, min(rows, t + per_table)):
            cells = [f'<td class="num">{i}</td>', f"<td>{words(r, 2)}</td>", f"<td>{words(r, 1)}</td>",
                     f'<td class="num">{r.randint(1, 99999) / 100:.2f}</td>', f"<td>{words(r, 3)}</td>",
                     f'<td><a href="/row/{i}">open</a></td>', f"<td>{r.choice(['open', 'closed', 'pending'])}</td>",
                     f'<td class="num">{r.randint(0, 100)}%</td>']
            parts.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("</tbody></table>")
    parts.append("</section>")

    # A large form: field blocks of about 3.5 elements.
    fields = int(target * 0.15 / 3.5)
    parts.append('<section class="section form"><h2>Form</h2><form class="big" onsubmit="return false">')
    for i in range(fields):
        kind = i % 8
        label = f'<label for="f{i}">{html.escape(words(r, 2).title())}</label>'
        if kind == 0:
            ctl = f'<select id="f{i}" name="f{i}">' + "".join(f"<option>{words(r, 1)}</option>" for _ in range(4)) + "</select>"
        elif kind == 1:
            ctl = f'<textarea id="f{i}" name="f{i}" rows="2">{html.escape(words(r, 6))}</textarea>'
        elif kind == 2:
            ctl = f'<input id="f{i}" name="f{i}" type="checkbox"{" checked" if i % 3 else ""}>'
        elif kind == 3:
            ctl = f'<input id="f{i}" name="f{i}" type="email" value="user{i}@example.com">'
        elif kind == 4:
            ctl = f'<input id="f{i}" name="f{i}" type="number" value="{i}">'
        else:
            ctl = f'<input id="f{i}" name="f{i}" type="text" placeholder="{words(r, 2)}" value="{html.escape(words(r, 2))}">'
        parts.append(f'<div class="field">{label}{ctl}</div>')
    parts.append('<button type="submit">Send</button></form></section>')

    # Nested lists: trees of depth 3, 2 elements per node (li + span.label).
    nodes = int(target * 0.25 / 2)
    parts.append('<section class="section lists"><h2>Lists</h2>')
    made = 0
    while made < nodes:
        tree = ['<ul class="tree">']
        for _ in range(5):
            tree.append(f'<li><span class="label">{words(r, 2)}</span><ul>')
            made += 1
            for _ in range(4):
                tree.append(f'<li><span class="label">{words(r, 2)}</span><ul>')
                made += 1
                for _ in range(3):
                    tree.append(f'<li class="leaf"><span class="label">{words(r, 3)}</span></li>')
                    made += 1
                tree.append("</ul></li>")
            tree.append("</ul></li>")
        tree.append("</ul>")
        parts.append("".join(tree))
    parts.append('</section><footer class="page">The end.</footer>')
    return "\n".join(parts)


def head(recorder: str, tandem_base: str) -> str:
    if recorder == "tandem":
        capture = f'<script id="glance-cobrowse" src="{tandem_base}/cobrowse.js" data-groupid="1"></script>'
    elif recorder == "rrweb":
        capture = '<script src="rrweb-record.js"></script>'
    else:
        capture = ""
    # harness.js first: it wraps WebSocket.send and MutationObserver before any capture code runs.
    return f'<script src="harness.js"></script>{capture}<link rel="stylesheet" href="bench.css">'


def write_site(out: Path, tandem_base: str, rrweb_bundle: Path, harness: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.css").write_text(stylesheet())
    (out / "rrweb-record.js").write_bytes(rrweb_bundle.read_bytes())
    (out / "harness.js").write_bytes(harness.read_bytes())
    for size, target in SIZES.items():
        b = body(target)
        for recorder in ("tandem", "rrweb", "plain"):
            (out / f"{recorder}-{size}.html").write_text(
                f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Benchmark page {size}</title>'
                f"{head(recorder, tandem_base)}</head>\n<body>\n{b}\n</body></html>\n"
            )
    return SIZES
