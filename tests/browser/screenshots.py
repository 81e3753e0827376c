"""Reference screenshots: tests/browser/refs/NAME.png, compared by the share of pixels that
differ; `TANDEM_UPDATE_REFS=1` writes them instead (look at them before committing)."""

import io
import os
from pathlib import Path

from PIL import Image, ImageChops

REFS = Path(__file__).resolve().parent / "refs"
UPDATE_REFS = os.environ.get("TANDEM_UPDATE_REFS") == "1"


def image(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("RGB")


def differing(a: Image.Image, b: Image.Image, threshold: int = 48) -> float:
    """The share of pixels that differ by more than `threshold` in some channel. Screenshots of the
    same element placed at another fraction of a pixel may differ by a row or column: those are
    compared over their common area; anything larger counts as all different."""
    if abs(a.width - b.width) > 1 or abs(a.height - b.height) > 1:
        return 1.0
    if a.size != b.size:
        box = (0, 0, min(a.width, b.width), min(a.height, b.height))
        a, b = a.crop(box), b.crop(box)
    diff = ImageChops.difference(a, b).convert("L").point(lambda v: 255 if v > threshold else 0)
    return diff.histogram()[255] / (a.width * a.height)


def matches_reference(name: str, png: bytes, tolerance: float) -> None:
    """Compares with tests/browser/refs/NAME.png; TANDEM_UPDATE_REFS=1 writes it instead. A
    failing run's image is kept beside the temporary files for a look."""
    path = REFS / f"{name}.png"
    if UPDATE_REFS:
        REFS.mkdir(exist_ok=True)
        path.write_bytes(png)
        return
    assert path.exists(), f"no reference image {path}: make it with TANDEM_UPDATE_REFS=1"
    share = differing(image(png), image(path.read_bytes()))
    actual = Path(os.environ.get("TMPDIR", "/tmp")) / f"{name}.actual.png"
    if share > tolerance:
        actual.write_bytes(png)
    assert share <= tolerance, f"{name}: {share:.2%} of pixels differ from {path} (tolerance {tolerance:.0%}; this run's: {actual})"
