"""Several Tandem nodes on one PostgreSQL database behind nginx, configured with the shipped
deploy/nginx.conf: its map and upstream blocks (the nodes' addresses replaced, their parameters
kept) and its `location /` block, verbatim. Needs TANDEM_TEST_POSTGRES_URL (scripts/test starts
PostgreSQL) and nginx."""

import os
import re
import shutil
import subprocess
import threading
import time
import urllib.request
import uuid
from functools import partial
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import AGENT_PASSWORD, AGENT_USER, ROOT, SiteHandler, TandemServer, free_port

POSTGRES = os.environ.get("TANDEM_TEST_POSTGRES_URL")
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
HAPROXY = shutil.which("haproxy") or ("/usr/sbin/haproxy" if Path("/usr/sbin/haproxy").exists() else None)
needs_cluster = pytest.mark.skipif(
    not (POSTGRES and NGINX),
    reason="SKIPPED: needs TANDEM_TEST_POSTGRES_URL and nginx (scripts/test installs and starts both)")

NGINX_CONF = """
worker_processes 1;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 1024; }}
http {{
    access_log {dir}/access.log;
    client_max_body_size 16m;
    client_body_temp_path {dir}/body; proxy_temp_path {dir}/proxy; fastcgi_temp_path {dir}/fastcgi;
    uwsgi_temp_path {dir}/uwsgi; scgi_temp_path {dir}/scgi;
    {routing}
    server {{
        listen 127.0.0.1:{port};
        {location}
    }}
}}
"""


def shipped():
    return (ROOT / "deploy" / "nginx.conf").read_text()


def routing_block(nodes):
    """The map/upstream part of deploy/nginx.conf, with these nodes and the shipped parameters."""
    text = shipped()
    maps = re.findall(r"map \$[^{]+\{[^}]*\}", text)
    upstream = re.search(r"upstream tandem \{[^}]*\}", text).group(0)
    params = re.search(r"\n\s*server \S+?((?: [^;]+)?);", upstream).group(1)
    upstream = re.sub(r"\s*server [^;]+;", "", upstream).replace("}", "".join(f"\n    server 127.0.0.1:{n.port}{params};" for n in nodes) + "\n}")
    return "\n".join(maps) + "\n" + upstream


def location_block():
    """deploy/nginx.conf's `location /` block as shipped."""
    return re.search(r"location / \{[^}]*\}", shipped()).group(0)


def haproxy_config(nodes, port):
    """deploy/haproxy.cfg as shipped, listening on 127.0.0.1:port (no TLS) with these nodes."""
    text = (ROOT / "deploy" / "haproxy.cfg").read_text()
    text = re.sub(r"bind \S+ ssl crt \S+", f"bind 127.0.0.1:{port}", text)
    text = re.sub(r"global\n", "global\n    log stderr format short local0 warning\n", text, count=1)
    text = re.sub(r"maxconn \d+", "maxconn 4000", text)  # this machine's file descriptor limit
    text = re.sub(r"\n    server node\d+ [^\n]+", "", text)
    return text.rstrip("\n") + "\n" + "".join(f"    server node{i} 127.0.0.1:{n.port}\n" for i, n in enumerate(nodes, 1))


def fresh_database():
    name = "tandem_mn_" + uuid.uuid4().hex[:12]
    subprocess.run(["psql", POSTGRES, "-q", "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    return POSTGRES.rsplit("/", 1)[0] + "/" + name, name


def metric(node, name):
    with urllib.request.urlopen(node.base + "/metrics", timeout=5) as r:
        text = r.read().decode()
    return sum(float(m) for m in re.findall(rf"^{name}(?:{{[^}}]*}})? ([0-9.e+]+)$", text, re.M))


def holding(nodes, name="tandem_sessions_active"):
    """The running nodes that hold a session now."""
    return [n for n in nodes if n.proc and metric(n, name) > 0]


def run_cluster(tmp_path, count=2, visitor_grace=3, balancer="nginx"):
    """A generator for a fixture: yields {'nodes', 'base', 'site'} and tears everything down.
    `balancer`: "nginx" (deploy/nginx.conf) or "haproxy" (deploy/haproxy.cfg)."""
    url, name = fresh_database()
    nodes = [TandemServer(tmp_path / f"node{i}", database=url) for i in range(1, count + 1)]
    nodes[0].cli("agent", "add", "--username", AGENT_USER, "--password", AGENT_PASSWORD, "--group", "1")
    nodes[0].cli("group", "set", "--id", "1", "--prevent-duplicate-keys", "true")
    for node in nodes:
        node.start(visitor_grace=visitor_grace)
    proxy_dir = tmp_path / "nginx"
    proxy_dir.mkdir()
    port = free_port()
    if balancer == "haproxy":
        (proxy_dir / "haproxy.cfg").write_text(haproxy_config(nodes, port))
        nginx = subprocess.Popen([HAPROXY, "-db", "-f", str(proxy_dir / "haproxy.cfg")],
                                 stdout=open(proxy_dir / "haproxy.log", "w"), stderr=subprocess.STDOUT)
    else:
        (proxy_dir / "nginx.conf").write_text(
            NGINX_CONF.format(dir=proxy_dir, port=port, routing=routing_block(nodes), location=location_block()))
        nginx = subprocess.Popen([NGINX, "-p", str(proxy_dir), "-c", str(proxy_dir / "nginx.conf"), "-g", "daemon off;"],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.05)
    site = ThreadingHTTPServer(("127.0.0.1", 0), partial(SiteHandler, tandem_base=base))
    threading.Thread(target=site.serve_forever, daemon=True).start()
    try:
        yield {"nodes": nodes, "base": base, "site": f"http://127.0.0.1:{site.server_address[1]}", "proxy_dir": proxy_dir}
    finally:
        site.shutdown()
        nginx.terminate()
        nginx.wait(timeout=10)
        for node in nodes:
            node.stop()
        subprocess.run(["psql", POSTGRES, "-q", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], capture_output=True)
