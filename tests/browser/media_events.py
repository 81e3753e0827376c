"""The media events' names and payload shapes, pinned in test-vectors/media-events.json: every
event of those names a test page or viewer recorded must have that shape."""

import json
from pathlib import Path

VECTORS = json.loads((Path(__file__).resolve().parents[2] / "test-vectors" / "media-events.json").read_text())
SHAPES = {(v["side"], v["event"]): v["payload"] for v in VECTORS}


def problems(shape, value, path="payload"):
    """Where `value` (as recorded: JSON, so functions are gone) differs from `shape`."""
    if shape is None:
        return [] if value is None else [f"{path}: expected no payload, got {value!r}"]
    if shape == "function":
        # Recorded as `typeof` by the test pages' own listeners; JSON drops it elsewhere.
        return [] if value in ("function", None) else [f"{path}: expected a function, got {value!r}"]
    if isinstance(shape, list):
        return [] if value in shape else [f"{path}: {value!r} not one of {shape}"]
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return [f"{path}: expected an object, got {value!r}"]
        found = []
        names = {k.rstrip("?") for k in shape}
        for key, sub in shape.items():
            name = key.rstrip("?")
            if name not in value:
                if not key.endswith("?") and sub != "function":
                    found.append(f"{path}.{name}: missing")
                continue
            found += problems(sub, value[name], f"{path}.{name}")
        found += [f"{path}.{k}: not in the pinned shape" for k in value if k not in names]
        return found
    kinds = {"string": str, "boolean": bool, "number": (int, float)}
    ok = isinstance(value, kinds[shape]) and not (shape == "number" and isinstance(value, bool))
    return [] if ok else [f"{path}: expected {shape}, got {value!r}"]


def assert_pinned(visitor=None, agent=None):
    """Every recorded media event of the visitor page and the agent viewer has its pinned shape."""
    found = []
    recorded = []
    if visitor is not None and not visitor.is_closed():
        recorded += [("visitor", e) for e in visitor.evaluate("window.__events || []")]
    if agent is not None and not agent.is_closed():
        recorded += [("agent", e) for e in agent.evaluate("window.__agentEvents || []")]
    checked = 0
    for side, e in recorded:
        shape = SHAPES.get((side, e["type"]), "unpinned")
        if shape == "unpinned":
            continue
        checked += 1
        found += [f"{side} {e['type']}: {p}" for p in problems(shape, e.get("data"))]
    assert not found, found
    return checked
