"""What the visitor script really sends follows the node format of protocol/contract.json: every
page, delta and transient frame the server received in a session over pages that use most of
the format (forms, shadow roots, frames, canvases, masking, later changes), checked member by
member."""

import json

from conftest import ROOT, join, mirror
from playwright.sync_api import expect

CONTRACT = json.loads((ROOT / "protocol" / "contract.json").read_text())
NODES = CONTRACT["nodes"]
NODE_KINDS = ("element", "text", "comment", "doctype", "document", "shadowRoot")


def frames(captured: bytes):
    """(kind, payload) of every binary frame in the capture (one message a line)."""
    for line in captured.split(b"\n"):
        if line.startswith(b"B ") and len(line) > 2:
            yield line[2], json.loads(line[3:])


def check_members(obj, shape, where, problems):
    for member in obj:
        if member not in shape:
            problems.append(f"{where}: member {member!r} is not in the contract")


def check_node(node, where, problems):
    kinds = [k for k in NODE_KINDS if all(m in NODES[k] for m in node)]
    if not kinds:
        problems.append(f"{where}: node with members {sorted(node)} fits no node kind")
    for child in node.get("c", []) or []:
        check_node(child, where, problems)
    for key in ("sr", "fd"):
        if isinstance(node.get(key), dict):
            check_node(node[key], where, problems)


def test_frames_follow_the_node_format(tandem, site, visitor, agent):
    tandem.cli("group", "set", "--id", "1", "--mask", "#account")
    join(tandem, site, visitor, agent, "wire-1", page="page1.html")
    visitor.fill("#name", "typed")
    visitor.evaluate("document.getElementById('add').click(); document.title = 'changed'; history.pushState({}, '', '#moved')")
    visitor.mouse.move(50, 60)
    visitor.click("#next")
    visitor.wait_for_url("**/page2.html")
    expect(mirror(agent).locator("#title")).to_have_text("Welcome to page two")
    visitor.goto(f"{site}/masking.html")
    expect(mirror(agent).locator("#visible")).to_have_text("VISIBLE-TEXT-OK")
    visitor.evaluate("document.body.insertAdjacentHTML('beforeend', '<p id=marker>WIRE-OK</p>')")
    expect(mirror(agent).locator("#marker")).to_have_text("WIRE-OK")

    problems, seen = [], {1: 0, 2: 0, 3: 0}
    for kind, payload in frames(tandem.captured()):
        seen[kind] += 1
        if kind == CONTRACT["frames"]["page"]:
            check_members(payload, NODES["page"], "page", problems)
            if "doc" in payload:
                check_node(payload["doc"], "page doc", problems)
        elif kind == CONTRACT["frames"]["delta"]:
            check_members(payload, NODES["delta"], "delta", problems)
            for add in payload.get("add", []):
                check_members(add, {"p", "n", "node"}, "delta add", problems)
                check_node(add["node"], "delta add", problems)
        else:
            check_members(payload, NODES["transient"], "transient", problems)
    assert seen[1] >= 3 and seen[2] >= 1, seen
    assert problems == [], problems[:20]
