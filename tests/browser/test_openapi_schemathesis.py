"""The admin API's OpenAPI document against the real server, by schemathesis (PyPI): for every
operation it sends valid requests (which must be accepted) and invalid ones (which must be
refused with a 4xx), and checks every answer's status, content type and body against what the
document declares. So the document cannot drift from what the server enforces: id bounds, date
formats, lengths, origin and domain formats, `additionalProperties: false`, nulls.

Bounded: a fixed seed, a fixed number of examples per operation, a hard time cap; only
127.0.0.1, on the throwaway SQLite database of the `tandem` fixture."""

import json
import os
import re
import subprocess
import sys
import textwrap
import time
import urllib.request

import pytest

ADMIN, ADMIN_PASSWORD = "root", "root-password"
SEED = 20240611
MAX_EXAMPLES = 30
# The whole run must end within this (seconds); it normally takes far less.
TIME_CAP = 180

# Runs inside schemathesis (SCHEMATHESIS_HOOKS). The one operation that could lock the run out:
# PATCH /api/v1/agents/{the administrator we authenticate as} with `isAdmin: false` would demote
# it, and every later request would be a 403. Such a request is sent with `isAdmin: true`
# instead, which keeps the case as valid or as invalid as it was (everything else unchanged).
# Deleting that administrator needs no guard: the server refuses it (409, checked here too).
# Also: the stateful phase copies ids from JSON request bodies into paths, where JSON's `7.0`
# (the same integer as `7` to JSON Schema) becomes the text "7.0", which no id parser takes;
# such path values are spelled as the integers they are.
HOOKS = textwrap.dedent('''
    import schemathesis

    ADMIN_ID = {admin_id!r}

    @schemathesis.hook
    def before_call(context, case, kwargs):
        for name, value in list((case.path_parameters or {{}}).items()):
            if isinstance(value, float) and value.is_integer():
                case.path_parameters[name] = int(value)
        if case.method.upper() != "PATCH" or case.operation.path != "/api/v1/agents/{{agent}}":
            return
        if str((case.path_parameters or {{}}).get("agent")) != ADMIN_ID:
            return
        if isinstance(case.body, dict) and "isAdmin" in case.body and case.body["isAdmin"] is not True:
            case.body = {{**case.body, "isAdmin": True}}
''')

# Per-operation exceptions, each with its reason (schemathesis.toml).
CONFIG = textwrap.dedent('''
    # `from` must be before `to` and the range at most 3660 days: a rule across two parameters,
    # which OpenAPI cannot state. Two independently generated valid dates break it often, and the
    # server rightly answers 400; that is not a document error.
    [[operations]]
    include-operation-id = ["listSessions", "getReport", "getReportCSV"]
    checks.positive_data_acceptance.expected-statuses = ["2xx", "400", "401", "403", "404"]
''')


def _get_json(url, token):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as r:
        return json.loads(r.read())


def test_openapi_document_matches_the_server(tandem, tmp_path):
    tandem.cli("agent", "add", "--username", ADMIN, "--password", ADMIN_PASSWORD, "--admin")
    tandem.start()
    assert tandem.base.startswith("http://127.0.0.1:"), "schemathesis only ever runs against loopback"
    token = tandem.token(ADMIN, ADMIN_PASSWORD)
    admin_id = next(a["id"] for a in _get_json(tandem.base + "/api/v1/agents", token) if a["username"] == ADMIN)

    work = tmp_path / "schemathesis"
    work.mkdir()
    (work / "tandem_schemathesis_hooks.py").write_text(HOOKS.format(admin_id=str(admin_id)))
    (work / "schemathesis.toml").write_text(CONFIG)

    command = [
        sys.executable, "-c", "import sys; from schemathesis.cli import schemathesis; sys.exit(schemathesis())",
        "--config-file", str(work / "schemathesis.toml"),
        "run", tandem.base + "/api/v1/openapi.json",
        "--url", tandem.base,
        "--checks", "all",
        "--mode", "all",  # valid and invalid data
        "--phases", "examples,coverage,fuzzing,stateful",
        "--max-examples", str(MAX_EXAMPLES),
        "--seed", str(SEED),
        "--generation-database", "none",
        "--workers", "1",
        "--header", f"Authorization: Bearer {token}",
        "--request-timeout", "10",
        "--no-color",
        # Show tokens and passwords in the reproductions: they belong to this throwaway database.
        "--output-sanitize", "false",
        "--report", "junit", "--report-dir", str(work / "report"),
    ]
    env = {**os.environ, "SCHEMATHESIS_HOOKS": "tandem_schemathesis_hooks", "PYTHONPATH": str(work),
           "NO_COLOR": "1", "HYPOTHESIS_STORAGE_DIRECTORY": str(work / ".hypothesis")}
    # No --max-time: with it schemathesis keeps fuzzing until the budget is spent. The examples
    # per operation bound the run; the timeout below is only the cap.
    started = time.monotonic()
    try:
        result = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True, timeout=TIME_CAP)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        pytest.fail(f"schemathesis ran longer than {TIME_CAP}s\n{out[-20000:]}")
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    (tmp_path / "schemathesis.log").write_text(output)
    print(f"schemathesis finished in {elapsed:.0f}s with exit code {result.returncode}")
    assert result.returncode == 0, f"schemathesis found failures (exit {result.returncode}):\n{output[-30000:]}"
    # Every operation of the document was tested (a broken document or filter would test fewer).
    document = _get_json(tandem.base + "/api/v1/openapi.json", token)
    operations = sum(1 for item in document["paths"].values() for method in item if method != "parameters")
    tested = re.search(r"Tested:\s+(\d+)", output)
    assert tested and int(tested.group(1)) == operations, output[-5000:]

    # The administrator used for the run is still there and still an administrator.
    me = _get_json(f"{tandem.base}/api/v1/agents/{admin_id}", token)
    assert me["isAdmin"] is True
