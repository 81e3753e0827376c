"""Every browser script as the server sends it (comments and indentation stripped) is still
valid JavaScript for Node's parser and keeps its source's line numbers. The other browser tests
run the stripped scripts; this one also covers files no page loads."""

import subprocess
import urllib.request

from conftest import ROOT


def test_every_served_script_parses_and_keeps_its_lines(tandem, tmp_path):
    tandem.start()
    files = sorted((ROOT / "web").rglob("*.js"))
    assert len(files) > 30
    saved = 0
    for file in files:
        relative = file.relative_to(ROOT / "web").as_posix()
        with urllib.request.urlopen(f"{tandem.base}/web/{relative}") as response:
            served = response.read().decode()
        source = file.read_text()
        assert served.count("\n") == source.count("\n"), relative
        saved += len(source.encode()) - len(served.encode())
        copy = tmp_path / (relative.replace("/", "__") + ".mjs")
        copy.write_text(served)
        check = subprocess.run(["node", "--check", str(copy)], capture_output=True, text=True)
        assert check.returncode == 0, f"{relative}: {check.stderr}"
    assert saved > 0
