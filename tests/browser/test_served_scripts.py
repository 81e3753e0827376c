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


def test_the_visitor_script_arrives_as_one_bundle(tandem, site, visitor, tmp_path):
    """The loader imports the server's one-file bundle of the visitor modules (one request, and
    gzip sees them together); it parses as a module and no module is fetched on its own."""
    from conftest import start_session

    tandem.start()
    loaded = []
    visitor.on("request", lambda r: loaded.append(r.url))
    visitor.goto(f"{site}/page1.html")
    start_session(visitor, "'bundled'")
    scripts = sorted({u.split("?")[0].replace(tandem.base, "") for u in loaded if u.startswith(tandem.base) and u.endswith(".js")})
    assert scripts == ["/cobrowse.js", "/web/visitor/bundle.js"], scripts
    with urllib.request.urlopen(f"{tandem.base}/web/visitor/bundle.js") as response:
        bundle = response.read().decode()
        assert response.headers["Content-Type"].startswith("text/javascript")
    copy = tmp_path / "bundle.mjs"
    copy.write_text(bundle)
    check = subprocess.run(["node", "--check", str(copy)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_without_the_bundle_the_modules_load_one_by_one(tandem, site, visitor):
    """A server that cannot bundle (or a proxy that drops the file): the loader imports the
    modules themselves and the session starts all the same."""
    from conftest import start_session

    tandem.start()
    visitor.route("**/web/visitor/bundle.js", lambda route: route.fulfill(status=404, body="not here"))
    loaded = []
    visitor.on("request", lambda r: loaded.append(r.url))
    visitor.goto(f"{site}/page1.html")
    start_session(visitor, "'unbundled'")
    assert any(u.endswith("/web/visitor/main.js") for u in loaded)
    assert visitor.evaluate("GLANCE.Cobrowse.Visitor.inSession()") is True


def test_cross_domain_code_loads_only_when_needed(tandem, site, browser, visitor):
    """Cross-domain sessions' code is a part of its own (visitor/crossdomain/bundle.js), not in
    the script every page loads: a page whose group trusts no other domain loads it only when it
    calls that API (trusted domains and arrivals: test_cross_domain). A part that cannot load
    fires SCRIPT_NOT_LOADED; continueSessionAt still calls oncomplete (the redirect goes ahead)."""
    from conftest import start_session, wait_for_event, wait_ready

    tandem.start()
    v = "GLANCE.Cobrowse.Visitor"
    with urllib.request.urlopen(f"{tandem.base}/web/visitor/crossdomain/bundle.js") as response:
        assert "class CrossDomain" in response.read().decode()
    with urllib.request.urlopen(f"{tandem.base}/web/visitor/bundle.js") as response:
        assert "class CrossDomain" not in response.read().decode()
    loaded = []
    visitor.on("request", lambda r: loaded.append(r.url))
    visitor.goto(f"{site}/page1.html")
    start_session(visitor, "'lazyxd'")
    assert visitor.evaluate(f"{v}.isCrossDomainDone()") is False
    assert not any("/crossdomain/" in u for u in loaded), loaded
    refused = visitor.evaluate(f"{v}.crossDomain({{url: 'http://127.0.0.2:1/'}}).then(() => 'opened', (e) => e.message)")
    assert "not one of the group's trusted domains" in refused
    assert [u.replace(tandem.base, "") for u in loaded if "/crossdomain/" in u] == ["/web/visitor/crossdomain/bundle.js"]
    assert visitor.evaluate(f"{v}.crossDomain().then(() => 'resolved')") == "resolved"
    assert visitor.evaluate(f"{v}.isCrossDomainDone()") is True

    context = browser.new_context()
    failing = context.new_page()
    failing.route("**/web/visitor/crossdomain/**", lambda route: route.fulfill(status=404, body="not here"))
    failing.goto(f"{site}/page1.html")
    wait_ready(failing)
    completed = failing.evaluate(f"new Promise((resolve) => {v}.continueSessionAt({{destination: '127.0.0.2', oncomplete: () => resolve('completed')}}))")
    assert completed == "completed"
    error = wait_for_event(failing, "error", predicate="e.data.code === 'SCRIPT_NOT_LOADED'")[-1]["data"]
    assert error["params"] == {"script": "visitor/crossdomain/cross-domain.js"}
    assert failing.evaluate(f"{v}.crossDomain().then(() => 'resolved', () => 'rejected')") == "rejected"
    assert failing.evaluate(f"{v}.isCrossDomainDone()") is False
    context.close()
