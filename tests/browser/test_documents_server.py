"""Shared documents at the server's edges, without a browser (issue #17): every kind of bad file
(wrong type behind a .pdf name, too large, zip bomb, external entity, macro workbook) is refused
with a clear reason on the sharing side — over the visitor's socket and the agent's HTTP upload —
while the session goes on; the scan hook (a command, or clamd's INSTREAM over its Unix socket)
refuses before anyone sees a file; files are gone when the session ends."""

import json
import os
import socket
import struct
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import doc_fixtures as fx
from rawws import agent_socket, port_of, visitor_session


def upload_frame(r: int, name: str, data: bytes, url: str | None = None) -> bytes:
    header = {"r": r, "n": name, **({"u": url} if url else {})}
    return b"\x05" + json.dumps(header).encode() + b"\n" + data


def next_doc(ws, timeout=10):
    return ws.recv_json(timeout, want="doc")


def agent_upload(tandem, callid: int, key: str, name: str, data: bytes, token: str):
    request = urllib.request.Request(
        f"{tandem.base}/documents/{callid}?key={key}&name={urllib.request.quote(name)}", data=data, method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/octet-stream"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def session_pair(tandem, key):
    port = port_of(tandem)
    visitor, session = visitor_session(port, key)
    token = tandem.token()
    agent = agent_socket(port, key, token)
    assert agent.recv_json(5, want="joined")
    return visitor, agent, session, token


BAD_FILES = [
    ("report.pdf", lambda: b"MZ\x90\x00" + os.urandom(200), "type"),
    ("book.xlsm", fx.xlsm_book, "type"),
    ("bomb.xlsx", fx.zip_bomb_xlsx, "type"),
    ("entity.xlsx", fx.xxe_xlsx, "type"),
    ("old.xls", lambda: bytes.fromhex("d0cf11e0a1b11ae1") + bytes(512), "type"),
]


@pytest.mark.parametrize("name,make,reason", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_are_refused_on_both_sides_and_the_session_goes_on(tandem, name, make, reason):
    tandem.start()
    visitor, agent, session, token = session_pair(tandem, "bad-" + name.replace(".", "-"))
    data = make()
    visitor.send_binary(upload_frame(4, name, data))
    refused = next_doc(visitor)
    assert refused["action"] == "refused" and refused["reason"] == reason and refused["r"] == 4, refused
    assert refused["name"] == name and refused["msg"]
    status, body = agent_upload(tandem, session["callid"], session["key"], name, data, token)
    assert status == 415 and body["error"]["reason"] == reason and body["error"]["message"], (status, body)
    # The session is unaffected: a good file still goes through, and the page still flows.
    visitor.send_binary(upload_frame(5, "fine.pdf", fx.multipage_pdf(2)))
    assert next_doc(visitor)["action"] == "preview"
    visitor.send_json({"t": "visibility", "state": "hidden"})
    assert agent.recv_json(5, want="visibility")["state"] == "hidden"


def test_sizes_follow_the_group_settings(tandem):
    pdf = fx.multipage_pdf(3)
    limit = len(pdf) - 1
    tandem.cli("group", "set", "--id", "1", "--pdf-max-bytes", str(limit), "--spreadsheet-max-bytes", "100")
    tandem.start()
    visitor, agent, session, token = session_pair(tandem, "sizes")
    visitor.send_binary(upload_frame(1, "big.pdf", pdf))
    refused = next_doc(visitor)
    assert refused["reason"] == "size" and f"{limit:,}" in refused["msg"], refused
    status, body = agent_upload(tandem, session["callid"], session["key"], "big.pdf", pdf, token)
    assert status == 413 and body["error"]["reason"] == "size"
    visitor.send_binary(upload_frame(2, "sheet.csv", fx.csv_text() * 10))
    assert next_doc(visitor)["reason"] == "size"
    # Past the largest any group may allow, the body is not even read.
    status, body = agent_upload(tandem, session["callid"], session["key"], "huge.pdf", b"%PDF-" + bytes(16_000_000), token)
    assert status == 413


def test_a_scan_command_refuses_before_anyone_sees(tandem, tmp_path):
    script = tmp_path / "scan.sh"
    script.write_text('#!/bin/sh\nif grep -q "X5O!P%@AP" "$1"; then exit 1; fi\nexit 0\n')
    script.chmod(0o755)
    tandem.extra_args += ["--scan-command", str(script)]
    tandem.start()
    visitor, agent, session, token = session_pair(tandem, "scan-command")
    eicar = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
    visitor.send_binary(upload_frame(1, "eicar.csv", b"a,b\n" + eicar + b",1\n"))
    refused = next_doc(visitor)
    assert refused["reason"] == "scan" and "scan" in refused["msg"], refused
    status, body = agent_upload(tandem, session["callid"], session["key"], "eicar.csv", b"a,b\n" + eicar + b",1\n", token)
    assert status == 422 and body["error"]["reason"] == "scan"
    visitor.send_binary(upload_frame(2, "clean.csv", fx.csv_text()))
    assert next_doc(visitor)["action"] == "preview"
    # The agents heard of the clean preview only.
    assert next_doc(agent)["action"] == "previewing"


class FakeClamd:
    """clamd's INSTREAM protocol on a Unix socket: finds files containing EICAR's marker."""

    def __init__(self, path: Path):
        self.path = path
        self.scanned = 0
        self.server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.server.bind(str(path))
        self.server.listen(8)
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            with conn:
                data = b""
                while b"\0" not in data:
                    data += conn.recv(64)
                command, _, rest = data.partition(b"\0")
                assert command == b"zINSTREAM"
                body = b""
                buffer = rest
                while True:
                    while len(buffer) < 4:
                        buffer += conn.recv(65536)
                    (length,) = struct.unpack(">I", buffer[:4])
                    buffer = buffer[4:]
                    if length == 0:
                        break
                    while len(buffer) < length:
                        buffer += conn.recv(65536)
                    body += buffer[:length]
                    buffer = buffer[length:]
                self.scanned += 1
                verdict = b"stream: Eicar-Signature FOUND\0" if b"EICAR" in body else b"stream: OK\0"
                conn.sendall(verdict)

    def close(self):
        self.path.unlink()
        try:
            self.server.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.server.close()


def test_clamd_scans_every_file(tandem, tmp_path):
    clamd = FakeClamd(tmp_path / "clamd.sock")
    tandem.extra_args += ["--clamd-socket", str(clamd.path)]
    tandem.start()
    try:
        visitor, agent, session, token = session_pair(tandem, "clamd")
        visitor.send_binary(upload_frame(1, "virus.pdf", b"%PDF-1.4\nEICAR\n%%EOF\n"))
        assert next_doc(visitor)["reason"] == "scan"
        status, body = agent_upload(tandem, session["callid"], session["key"], "ok.pdf", fx.multipage_pdf(1), token)
        assert status == 201 and body["action"] == "preview", body
        assert clamd.scanned == 2
    finally:
        clamd.close()
    # clamd gone: nothing is let through unscanned.
    status, body = agent_upload(tandem, session["callid"], session["key"], "ok.pdf", fx.multipage_pdf(1), token)
    assert status == 422 and "could not be scanned" in body["error"]["message"]


def test_files_are_gone_after_the_session(tandem):
    tandem.start()
    visitor, agent, session, token = session_pair(tandem, "gone")
    status, preview = agent_upload(tandem, session["callid"], session["key"], "book.xlsx", fx.xlsx_book(), token)
    assert status == 201
    agent.send_json({"t": "doc", "action": "share", "id": preview["id"]})
    opened = next_doc(visitor)
    while opened["action"] != "open":
        opened = next_doc(visitor)
    src = tandem.base + opened["src"]
    with urllib.request.urlopen(src, timeout=10) as response:
        assert response.read() == fx.xlsx_book()
        assert response.headers["Content-Disposition"].startswith('attachment; filename="book.xlsx"')
    kept = [p for p in tandem.tmp_dir.rglob("*") if p.is_file() and "tandem-documents" in str(p)]
    assert len(kept) == 1
    agent.send_json({"t": "end"})
    assert agent.recv_json(5, want="ended")
    assert not [p for p in tandem.tmp_dir.rglob("*") if p.is_file() and "tandem-documents" in str(p)]
    with pytest.raises(urllib.error.HTTPError) as gone:
        urllib.request.urlopen(src, timeout=10)
    assert gone.value.code == 404
