"""Scale-out benchmark: 1, 2 and 4 worker processes on PostgreSQL + Redis.

For each worker count: a fresh server (``sira serve --workers N``, the Redis bus), 50
branches with 20 call displays each (1,000 WebSocket sockets, held by two child processes),
then

* issuing: one kiosk per branch issuing as fast as it can for ``--issue-s`` seconds;
  tickets/s and request latency;
* calling: tellers call the next ticket, a few branches at a time; each call's latency to
  every one of the branch's 20 displays, from the moment the call request was sent.

Prints a table and writes ``bench/results/scale-latest.json``. Usage:
``.venv/bin/python -m bench.scale [--workers 1,2,4] [--branches 50] [--displays 1000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench import scale_displays
from bench.server import free_port
from bench.stats import summarize

ROOT = Path(__file__).resolve().parent.parent
SIRA = str(Path(sys.executable).parent / "sira")
PG = os.environ.get("SIRA_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("SIRA_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")


def out(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def seed(url: str, branches: int) -> list[dict[str, Any]]:
    """Branches with services A and B, two counters, a kiosk, a display and two tellers."""
    from server.admin import service as admin
    from server.db import Database
    from server.models import StaffSession, User
    from server.security import STAFF_PREFIX, hash_password, new_token, token_hash

    db = Database(url)
    kits = []
    pw = hash_password("bench password")
    now = dt.datetime.now(dt.UTC)
    with db.unit_of_work() as session:
        for i in range(branches):
            code = f"b{i:03d}"
            b = admin.create_branch(
                session, {"code": code, "name": f"Branch {i}", "timezone": "Europe/Istanbul"}
            )
            for svc in ("A", "B"):
                admin.create_service(session, b, {"code": svc, "names": {"en": svc}})
            counters = [
                admin.create_counter(session, b, label=str(n), services=["A", "B"]).id
                for n in (1, 2)
            ]
            _, kiosk = admin.create_device(session, branch=b, kind="kiosk", name="k", config={})
            _, display = admin.create_device(session, branch=b, kind="display", name="d", config={})
            tellers = []
            for n in (1, 2):
                user = User(
                    username=f"{code}-t{n}", password_hash=pw, role="teller", branch_id=b.id
                )
                session.add(user)
                session.flush()
                token = new_token(STAFF_PREFIX)
                session.add(
                    StaffSession(
                        token_hash=token_hash(token),
                        user_id=user.id,  # type: ignore[arg-type]
                        expires_at=now + dt.timedelta(days=1),
                    )
                )
                tellers.append(token)
            kits.append(
                {"code": code, "kiosk": kiosk, "display": display, "counters": counters,
                 "tellers": tellers}
            )  # fmt: skip
    db.dispose()
    return kits


class Server:
    def __init__(self, env: dict[str, str], workers: int, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        cmd = [SIRA, "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        cmd += ["--workers", str(workers)]
        with log.open("wb") as f:
            self.proc = subprocess.Popen(
                cmd, env=env, cwd=ROOT, stdout=f, stderr=subprocess.STDOUT, start_new_session=True
            )

    def wait_ready(self, workers: int) -> None:
        import httpx

        deadline = time.monotonic() + 60
        ok = 0
        while time.monotonic() < deadline and ok < 5 * workers:
            if self.proc.poll() is not None:
                raise RuntimeError(self.log.read_text()[-3000:])
            try:
                ok += httpx.get(f"{self.base}/readyz", timeout=2).status_code == 200
            except httpx.HTTPError:
                pass
            time.sleep(0.1)  # polling a starting process
        if ok < 5 * workers:
            raise RuntimeError("server not ready:\n" + self.log.read_text()[-3000:])

    def cpu_s(self) -> float:
        """CPU seconds of the server and its worker processes so far."""
        total = 0.0
        tck = os.sysconf("SC_CLK_TCK")
        pids = [self.proc.pid]
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
            pids += [int(p) for p in children.split()]
        except OSError:
            pass
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tck
            except OSError:
                pass
        return total

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


async def issue_phase(base: str, kits: list[dict[str, Any]], seconds: float) -> dict[str, Any]:
    lat: list[float] = []
    errors = 0
    end = time.monotonic() + seconds

    async def kiosk(http: aiohttp.ClientSession, kit: dict[str, Any], i: int) -> None:
        nonlocal errors
        headers = {"Authorization": f"Bearer {kit['kiosk']}"}
        n = i
        while time.monotonic() < end:
            t0 = time.perf_counter()
            async with http.post(
                f"{base}/api/v1/branches/{kit['code']}/tickets",
                json={"service": "AB"[n % 2]},
                headers=headers,
            ) as r:
                await r.read()
                if r.status != 201:
                    errors += 1
            lat.append((time.perf_counter() - t0) * 1000)
            n += 1

    conn = aiohttp.TCPConnector(limit=len(kits))
    async with aiohttp.ClientSession(connector=conn) as http:
        t0 = time.monotonic()
        await asyncio.gather(*(kiosk(http, k, i) for i, k in enumerate(kits)))
        elapsed = time.monotonic() - t0
    return {
        "tickets": len(lat),
        "seconds": round(elapsed, 2),
        "tickets_per_s": round(len(lat) / elapsed, 1),
        "errors": errors,
        "latency": summarize(lat),
    }


async def call_phase(
    base: str, kits: list[dict[str, Any]], calls: int, concurrency: int
) -> tuple[list[tuple[str, int, int, int]], dict[str, Any]]:
    """(branch, ticket id, sent ns, answered ns) per call; and the HTTP latency summary."""
    sent: list[tuple[str, int, int, int]] = []
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as http:
        for kit in kits:
            for counter, token in zip(kit["counters"], kit["tellers"], strict=True):
                async with http.post(
                    f"{base}/api/v1/counters/{counter}/open",
                    headers={"Authorization": f"Bearer {token}"},
                ) as r:
                    assert r.status == 200, await r.text()
        jobs: asyncio.Queue[tuple[dict[str, Any], int]] = asyncio.Queue()
        for i in range(calls):
            kit = kits[i % len(kits)]
            jobs.put_nowait((kit, (i // len(kits)) % 2))

        async def caller() -> None:
            while not jobs.empty():
                kit, which = jobs.get_nowait()
                headers = {"Authorization": f"Bearer {kit['tellers'][which]}"}
                t0 = time.monotonic_ns()
                async with http.post(
                    f"{base}/api/v1/counters/{kit['counters'][which]}/call-next", headers=headers
                ) as r:
                    body = await r.json() if r.status == 200 else None
                t1 = time.monotonic_ns()
                if body:
                    sent.append((kit["code"], body["ticket"]["id"], t0, t1))
                await asyncio.sleep(0.01)  # tellers, not a flood: one call per 10 ms each

        await asyncio.gather(*(caller() for _ in range(concurrency)))
    return sent, summarize([(t1 - t0) / 1e6 for _, _, t0, t1 in sent])


def run_one(workers: int, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    name = f"sira_scale_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG).set(database=name).render_as_string(hide_password=False)
    server = None
    procs: list[Any] = []
    stop = None
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SIRA_")}
        env.update(
            SIRA_DATABASE_URL=url,
            SIRA_REDIS_URL=REDIS,
            SIRA_REDIS_CHANNEL=f"sira:bench:{name}",
            SIRA_ENV="test",
            SIRA_DAY_CLOSE_INTERVAL_S="0",
            SIRA_DATA_DIR=str(tmp / "data"),
        )
        subprocess.run([SIRA, "init"], env=env, check=True, capture_output=True)
        kits = seed(url, args.branches)
        server = Server(env, workers, tmp / f"server-{workers}.log")
        server.wait_ready(workers)
        ws = server.base.replace("http://", "ws://")
        per_branch = args.displays // args.branches
        targets = [
            (f"{ws}/api/v1/branches/{k['code']}/events?token={k['display']}", k["code"])
            for k in kits
            for _ in range(per_branch)
        ]
        procs, results, stop = scale_displays.start(targets, args.display_procs)
        connected = sum(results.get(timeout=180)[1] for _ in procs)
        out(f"  {workers} worker(s): {connected} displays connected")
        cpu0 = server.cpu_s()
        issued = asyncio.run(issue_phase(server.base, kits, args.issue_s))
        cpu_issue = server.cpu_s() - cpu0
        out(f"  issuing: {issued['tickets_per_s']} tickets/s, p50 {issued['latency']['p50_ms']} ms")
        sent, call_http = asyncio.run(call_phase(server.base, kits, args.calls, args.callers))
        time.sleep(2)  # let the last calls reach every screen
        stop.set()
        stamps: list[tuple[str, int, int]] = []
        errors = 0
        for _ in range(len(procs) * 2):
            kind, value = results.get(timeout=120)
            if kind == "stamps":
                stamps.extend(value)
            elif kind == "errors":
                errors += value
        received: dict[int, list[int]] = {}
        for _branch, ticket_id, stamp in stamps:
            received.setdefault(ticket_id, []).append(stamp)
        from_request = []
        missing = 0
        for _code, ticket_id, t0, _t1 in sent:
            got = received.get(ticket_id, [])
            missing += per_branch - len(got)
            from_request += [(s - t0) / 1e6 for s in got]
        return {
            "workers": workers,
            "branches": args.branches,
            "displays_connected": connected,
            "display_errors": errors,
            "issue": issued,
            "server_cpu_s_during_issue": round(cpu_issue, 1),
            "calls": len(sent),
            "call_http": call_http,
            "call_to_display": summarize(from_request),
            "deliveries": len(from_request),
            "deliveries_missing": missing,
        }
    finally:
        if stop is not None:
            stop.set()
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.kill()
        if server is not None:
            server.stop()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--workers", default="1,2,4")
    p.add_argument("--branches", type=int, default=50)
    p.add_argument("--displays", type=int, default=1000)
    p.add_argument("--display-procs", type=int, default=2)
    p.add_argument("--issue-s", type=float, default=10.0)
    p.add_argument("--calls", type=int, default=300)
    p.add_argument("--callers", type=int, default=4)
    p.add_argument("--out", default=str(ROOT / "bench" / "results" / "scale-latest.json"))
    args = p.parse_args(argv)
    import tempfile

    rows = []
    with tempfile.TemporaryDirectory(prefix="sira-scale-") as tmp:
        for n in [int(x) for x in args.workers.split(",")]:
            out(f"running {n} worker(s) ...")
            rows.append(run_one(n, args, Path(tmp)))
    meta = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "note": "server, PostgreSQL, Redis and the load clients share these cores",
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"meta": meta, "runs": rows}, indent=2))
    out()
    out(f"{meta['cpus']} CPU cores shared by server, PostgreSQL, Redis and clients")
    out(
        "| workers | displays | tickets/s | issue p50 / p99 ms | call→display p50 / p99 / max ms "
        "| deliveries (missing) |"
    )
    out("|---|---|---|---|---|---|")
    for r in rows:
        i, c = r["issue"], r["call_to_display"]
        out(
            f"| {r['workers']} | {r['displays_connected']} | {i['tickets_per_s']} "
            f"| {i['latency']['p50_ms']} / {i['latency']['p99_ms']} "
            f"| {c['p50_ms']} / {c['p99_ms']} / {c['max_ms']} "
            f"| {r['deliveries']} ({r['deliveries_missing']}) |"
        )
    out(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
