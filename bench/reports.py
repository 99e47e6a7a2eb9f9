"""Report latency over generated history (prints figures; not a test).

    python -m bench.reports --backend sqlite --branches 2 --days 365 --busy 2.5
    python -m bench.reports --backend postgresql --branches 2 --days 365 --busy 2.5

Builds a fresh database, fills it with ``sira simulate``'s generator, then times every
report endpoint over the last 30 days and over the whole period, and live metrics, through
the real app (auth, unit of work, JSON), and prints p50/p95 per endpoint.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text

from server.admin import service as admin
from server.clock import SystemClock
from server.config import Settings
from server.db import Database
from server.main import create_app
from server.migrations import upgrade
from server.models import StaffSession, Ticket, User
from server.security import STAFF_PREFIX, new_token, token_hash
from server.simulate import simulate

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ENDPOINTS = [
    *[f"/reports?by={by}" for by in ("day", "hour", "service", "counter", "teller", "moment")],
    "/reports/heatmap",
    "/reports/breaks",
    "/reports/satisfaction",
    "/reports/estimates",
    "/reports/recovery",
    "/reports/teller-time",
]


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def fresh_url(backend: str) -> str:
    if backend == "sqlite":
        path = Path("/tmp/sira-bench-reports.db")
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            p.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    admin_engine = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text('DROP DATABASE IF EXISTS "sira_bench_reports" WITH (FORCE)'))
        conn.execute(text('CREATE DATABASE "sira_bench_reports"'))
    admin_engine.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + "/sira_bench_reports"


def setup(db: Database, branches: int) -> str:
    with db.unit_of_work() as s:
        for i in range(branches):
            b = admin.create_branch(
                s, {"code": f"b{i:02d}", "name": f"Branch {i}", "timezone": "Europe/Istanbul"}
            )
            for code in ("A", "B", "C"):
                admin.create_service(s, b, {"code": code, "names": {"en": code}})
            for label, svcs in (
                ("1", ["A", "B"]),
                ("2", ["A", "B"]),
                ("3", ["B", "A"]),
                ("4", ["A"]),
                ("5", ["C"]),
            ):
                admin.create_counter(s, b, label=label, services=svcs)
            for t in range(1, 6):
                s.add(
                    User(
                        username=f"b{i:02d}-t{t}", password_hash="x", role="teller", branch_id=b.id
                    )
                )
        root = User(username="root", password_hash="x", role="admin")
        s.add(root)
        s.flush()
        token = new_token(STAFF_PREFIX)
        s.add(
            StaffSession(
                token_hash=token_hash(token),
                user_id=root.id,  # type: ignore[arg-type]
                expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
            )
        )
    return token


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--branches", type=int, default=2)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--busy", type=float, default=2.5)
    ap.add_argument("--reps", type=int, default=20)
    args = ap.parse_args()
    url = fresh_url(args.backend)
    upgrade(url)
    db = Database(url)
    token = setup(db, args.branches)
    t0 = time.perf_counter()
    for i in range(args.branches):
        simulate(db, branch_code=f"b{i:02d}", days=args.days, seed=i + 1, busy=args.busy)
    gen_s = time.perf_counter() - t0
    with db.read_session() as s:
        n = s.execute(select(func.count()).select_from(Ticket)).scalar_one()
    if args.backend == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    else:
        with db.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    say(
        f"{args.backend}: {args.branches} branches x {args.days} days, {n} tickets "
        f"(generated in {gen_s:.0f} s)"
    )
    settings = Settings(env="bench", database_url=url, day_close_interval_s=0)
    app = create_app(settings, clock=SystemClock(), db=db)
    today = dt.date.today()
    ranges = {
        "30 days": (today - dt.timedelta(days=30), today),
        f"{args.days} days": (today - dt.timedelta(days=args.days), today),
    }
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(app) as client:
        for label, (first, last) in ranges.items():
            say(f"\n-- range {label} --  {'endpoint':<28} {'p50 ms':>8} {'p95 ms':>8}")
            for ep in [*ENDPOINTS, "/tickets.csv"] if label == "30 days" else ENDPOINTS:
                times = []
                for r in range(args.reps):
                    b = f"b{r % args.branches:02d}"
                    sep = "&" if "?" in ep else "?"
                    path = f"/api/v1/branches/{b}{ep}{sep}from={first}&to={last}"
                    t = time.perf_counter()
                    resp = client.get(path, headers=headers)
                    times.append((time.perf_counter() - t) * 1000)
                    assert resp.status_code == 200, resp.text
                times.sort()
                p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
                say(f"{'':<20} {ep:<28} {statistics.median(times):>8.1f} {p95:>8.1f}")
        for ep in ("/metrics/live", "/staffing", "/standards/risk"):
            times = []
            for r in range(args.reps):
                t = time.perf_counter()
                resp = client.get(f"/api/v1/branches/b{r % args.branches:02d}{ep}", headers=headers)
                times.append((time.perf_counter() - t) * 1000)
                assert resp.status_code == 200, resp.text
            times.sort()
            p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
            say(f"{'live':<20} {ep:<28} {statistics.median(times):>8.1f} {p95:>8.1f}")
    db.dispose()


if __name__ == "__main__":
    main()
