"""docs/deployment.md followed on this machine, the systemd/nginx path without Docker.

As a newcomer would: ``sira init --demo`` against a fresh PostgreSQL database, two server
processes (one of them ``sira serve --workers 2``) on the Redis bus, nginx started with
deploy/nginx/sira.conf (high ports, a self-signed certificate made by openssl), then through
nginx: HTTP to HTTPS redirect, the API, static screens served by nginx, WebSockets that hear
tickets issued on either process, and a process killed while nginx routes around it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import ssl
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from websockets.asyncio.client import connect as aconnect

from tests.conftest import PG_ADMIN_URL
from tests.deploy.support import DEPLOY, ROOT, need
from tests.server.scale.redis_util import require_redis, unique_channel
from tests.support import free_port

SIRA = str(Path(sys.executable).parent / "sira")


@pytest.fixture
def fresh_pg(pg_database: str) -> Iterator[str]:
    """An empty PostgreSQL database, as a new installation has (pg_database proves PG is up)."""
    name = f"sira_guide_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def nginx_config(tmp: Path, *, upstreams: list[int], http_port: int, https_port: int) -> Path:
    """deploy/nginx/sira.conf with this machine's paths and ports, in a private nginx.conf."""
    site = (DEPLOY / "nginx" / "sira.conf").read_text()
    site = site.replace("/opt/sira/", f"{ROOT}/")
    site = site.replace("127.0.0.1:8001", f"127.0.0.1:{upstreams[0]}")
    site = site.replace("127.0.0.1:8002", f"127.0.0.1:{upstreams[1]}")
    site = site.replace("listen [::]:80;", "").replace("listen [::]:443 ssl http2;", "")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http_port};")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
    site = site.replace("/etc/ssl/sira/fullchain.pem", str(tmp / "cert.pem"))
    site = site.replace("/etc/ssl/sira/privkey.pem", str(tmp / "key.pem"))
    site = site.replace("/etc/nginx/sira-static.conf", str(DEPLOY / "nginx" / "sira-static.conf"))
    site = site.replace("/var/log/nginx/sira-access.log", str(tmp / "sira-access.log"))
    site = site.replace(
        "return 301 https://$host$request_uri;",
        f"return 301 https://$host:{https_port}$request_uri;",
    )
    (tmp / "site.conf").write_text(site)
    temp = tmp / "nginx-temp"
    temp.mkdir()
    user = "user root;" if os.geteuid() == 0 else ""  # the workers read the checkout
    main = f"""
{user}
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {tmp}/nginx-access.log;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {tmp}/site.conf;
}}
"""
    conf = tmp / "nginx.conf"
    conf.write_text(main)
    return conf


def wait_ready(url: str, proc: subprocess.Popen[bytes], log: Path, **kw: object) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"exited {proc.returncode}: {log.read_text()[-3000:]}")
        try:
            if httpx.get(url, timeout=1, **kw).status_code == 200:  # type: ignore[arg-type]
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)  # a process starting up
    raise AssertionError(f"{url} not ready: {log.read_text()[-3000:]}")


def test_deployment_guide_on_this_machine(fresh_pg: str, tmp_path: Path) -> None:
    nginx = need("nginx")
    openssl = need("openssl")
    redis_url = require_redis()
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIRA_")}
    env.update(
        SIRA_ENV="prod",
        SIRA_DATABASE_URL=fresh_pg,
        SIRA_REDIS_URL=redis_url,
        SIRA_REDIS_CHANNEL=unique_channel(),
        SIRA_DATA_DIR=str(tmp_path / "data"),
        SIRA_PUBLIC_URL="https://sira.example.com",  # as the env example sets it
        PYTHONUNBUFFERED="1",
    )
    # Step: sira init (migrations) with the demo branch.
    init = subprocess.run([SIRA, "init", "--demo"], env=env, capture_output=True, text=True)
    assert init.returncode == 0, init.stderr
    assert "database ready" in init.stdout
    again = subprocess.run([SIRA, "init"], env=env, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr  # an upgrade re-runs it: a no-op when current
    creds = json.loads((tmp_path / "data" / "demo-credentials.json").read_text())
    kiosk, display = creds["devices"]["kiosk"], creds["devices"]["display"]

    # Several workers are refused without Redis, with a reason.
    no_redis = {k: v for k, v in env.items() if k != "SIRA_REDIS_URL"}
    refused = subprocess.run(
        [SIRA, "serve", "--workers", "2"], env=no_redis, capture_output=True, text=True
    )
    assert refused.returncode == 2
    assert "SIRA_REDIS_URL" in refused.stderr

    # Step: two server processes (as sira@PORT units would run them).
    ports = [free_port(), free_port()]
    procs: list[subprocess.Popen[bytes]] = []
    logs = [tmp_path / f"server{i}.log" for i in range(2)]
    nginx_proc = None
    try:
        for i, port in enumerate(ports):
            cmd = [SIRA, "serve", "--host", "127.0.0.1", "--port", str(port)]
            if i == 0:
                cmd += ["--workers", "2"]
            with logs[i].open("wb") as log:
                procs.append(
                    subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
                )
        for port, proc, log in zip(ports, procs, logs, strict=True):
            wait_ready(f"http://127.0.0.1:{port}/readyz", proc, log)

        # Step: a self-signed certificate and nginx with the site config.
        key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
        subprocess.run(
            [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
            check=True,
            capture_output=True,
        )  # fmt: skip
        http_port, https_port = free_port(), free_port()
        conf = nginx_config(tmp_path, upstreams=ports, http_port=http_port, https_port=https_port)
        check = subprocess.run(
            [nginx, "-t", "-c", str(conf), "-p", str(tmp_path)], capture_output=True, text=True
        )
        assert check.returncode == 0, check.stderr
        nginx_log = tmp_path / "nginx-run.log"
        with nginx_log.open("wb") as log:
            nginx_proc = subprocess.Popen(
                [nginx, "-c", str(conf), "-p", str(tmp_path), "-g", "daemon off;"],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        base = f"https://127.0.0.1:{https_port}"
        ctx = ssl.create_default_context(cafile=str(cert))
        wait_ready(f"{base}/readyz", nginx_proc, nginx_log, verify=ctx)
        http = httpx.Client(base_url=base, verify=ctx, timeout=120)

        # Plain HTTP is sent to HTTPS.
        r = httpx.get(f"http://127.0.0.1:{http_port}/readyz", follow_redirects=False)
        assert r.status_code == 301
        assert r.headers["location"] == f"https://127.0.0.1:{https_port}/readyz"
        ready = http.get("/readyz").json()
        assert {k: ready[k] for k in ("ready", "database", "bus")} == {
            "ready": True,
            "database": True,
            "bus": True,
        }
        assert ready["warnings"] == []  # SIRA_PUBLIC_URL names the host phones reach

        # Static screens come from nginx (its cache header), byte for byte the checkout's.
        page = http.get("/kiosk/")
        assert page.status_code == 200
        assert page.headers["cache-control"] == "public, max-age=300"
        assert page.content == (ROOT / "kiosk_ui" / "index.html").read_bytes()
        for asset in sorted((ROOT / "kiosk_ui").glob("*.js"))[:2]:
            r = http.get(f"/kiosk/{asset.name}")
            assert r.status_code == 200
            assert r.content == asset.read_bytes()
            assert "javascript" in r.headers["content-type"]
        assert http.get("/kiosk/missing.js").status_code == 404
        if (ROOT / "customer_ui" / "index.html").exists():
            r = http.get("/t/AbC_123-x")
            assert r.status_code == 200
            assert r.content == (ROOT / "customer_ui" / "index.html").read_bytes()

        # WebSockets through nginx (TLS + upgrade) hear tickets issued through nginx, which
        # balances them over both processes: each socket hears both processes' events.
        # (asyncio clients: the threaded client reads and writes one TLS connection from two
        # threads during its handshake, which OpenSSL does not allow and now and then fails.)
        wss = f"wss://127.0.0.1:{https_port}/api/v1/branches/demo/events?token={display}"

        def issue() -> list[str]:
            codes = []
            for svc in "ABABAB":
                r = http.post(
                    "/api/v1/branches/demo/tickets",
                    json={"service": svc},
                    headers={"Authorization": f"Bearer {kiosk}"},
                )
                assert r.status_code == 201, r.text
                codes.append(r.json()["code"])
            return codes

        async def hear() -> None:
            async with contextlib.AsyncExitStack() as stack:
                sockets = [
                    await stack.enter_async_context(
                        aconnect(wss, ssl=ctx, proxy=None, open_timeout=60)
                    )
                    for _ in range(4)
                ]
                starts = [
                    json.loads(await asyncio.wait_for(ws.recv(), 10))["seq"] for ws in sockets
                ]
                assert len(set(starts)) == 1
                codes = await asyncio.to_thread(issue)
                for ws in sockets:
                    got = [json.loads(await asyncio.wait_for(ws.recv(), 10)) for _ in codes]
                    assert [m["seq"] for m in got] == list(range(starts[0] + 1, starts[0] + 7))
                    assert [m["data"]["ticket"]["code"] for m in got] == codes

            # A device agent's control socket goes through nginx too (the kiosk's own token).
            agent_url = f"wss://127.0.0.1:{https_port}/api/v1/agent"
            auth = {"Authorization": f"Bearer {kiosk}"}
            async with aconnect(
                agent_url, ssl=ctx, proxy=None, open_timeout=60, additional_headers=auth
            ) as agent:
                hello = json.loads(await asyncio.wait_for(agent.recv(), 10))
                assert hello["type"] == "hello"
                assert hello["device"]["kind"] == "kiosk"

        asyncio.run(hear())

        # One process dies: nginx sends the next requests to the other one.
        procs[1].send_signal(signal.SIGKILL)
        procs[1].wait(timeout=10)
        for _ in range(4):
            r = http.post(
                "/api/v1/branches/demo/tickets",
                json={"service": "C"},
                headers={"Authorization": f"Bearer {kiosk}"},
            )
            assert r.status_code == 201, r.text
        http.close()

        # No token in any log: nginx's access log (which saw ?token= and /t/TOKEN) and the
        # servers' own.
        access = (tmp_path / "sira-access.log").read_text()
        assert "/t/[redacted]" in access
        assert "/api/v1/branches/demo/events" in access
        for name, text in [("nginx", access)] + [(p.name, p.read_text()) for p in logs]:
            for secret in (kiosk, display, "AbC_123-x"):
                assert secret not in text, f"a token in the {name} log"
    finally:
        if nginx_proc is not None and nginx_proc.poll() is None:
            nginx_proc.send_signal(signal.SIGQUIT)
            try:
                nginx_proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                nginx_proc.kill()
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
