"""Report latency over generated history (prints figures; not a test).

    python -m bench.reports --backend sqlite --branches 20 --days 365 --busy 2.5
    python -m bench.reports --backend postgresql --branches 20 --days 365 --busy 2.5
    python -m bench.reports --backend sqlite --branches 20 --days 365 --reuse --only by=moment

Builds a fresh database, fills it with ``sira simulate``'s generator, then times every
report endpoint over the last 30 days and over the whole period, and live metrics, through
the real app (auth, unit of work, JSON), and prints p50/p95 per endpoint.

Today gets a whole simulated day of its own (on a weekday, each branch, once): the reports
read it live from the tickets, as they read today's at the close of a busy day.

With ``--clone`` (the default) only the first branch is simulated; the others get a copy of
its history made in SQL (tickets, touches and events with the branch's own ids), which is
much faster than simulating each, and are then summarised like any branch at day close.
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
from server.domain.calendar import zone
from server.main import create_app
from server.migrations import upgrade
from server.models import Branch, StaffSession, Ticket, User
from server.reports.rollup import refresh
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


def clone_branch(db: Database, src_code: str, dst_code: str) -> None:
    """Copy one branch's generated history to another (same layout), then summarise it."""
    with db.engine.begin() as conn:
        ids = dict(conn.execute(text("SELECT code, id FROM branch")).all())
        src, dst = ids[src_code], ids[dst_code]

        def first_id(table: str, branch: int, extra: str = "") -> int:
            q = f"SELECT min(id) FROM {table} WHERE branch_id = :b {extra}"
            return int(conn.execute(text(q), {"b": branch}).scalar_one())

        c_off = first_id("counter", dst) - first_id("counter", src)
        u_off = first_id('"user"', dst, "AND role = 'teller'") - first_id(
            '"user"', src, "AND role = 'teller'"
        )
        t_shift = int(conn.execute(text("SELECT max(id) FROM ticket")).scalar_one())
        e_shift = int(conn.execute(text("SELECT max(id) FROM event")).scalar_one())
        cols = [c.name for c in Ticket.__table__.columns]  # type: ignore[attr-defined]
        put = {
            "id": "id + :ts",
            "branch_id": ":dst",
            "token": "token || :suffix",
            "request_id": "NULL",
            "counter_id": "counter_id + :co",
            "teller_id": "teller_id + :uo",
        }
        params = {"ts": t_shift, "dst": dst, "src": src, "suffix": f"-{dst_code}"}
        params |= {"co": c_off, "uo": u_off, "es": e_shift}
        conn.execute(
            text(
                f"INSERT INTO ticket ({', '.join(cols)}) SELECT "
                + ", ".join(put.get(c, c) for c in cols)
                + " FROM ticket WHERE branch_id = :src"
            ),
            params,
        )
        conn.execute(
            text(
                "INSERT INTO ticket_touch (ticket_id, touch_s) SELECT ticket_id + :ts, touch_s "
                "FROM ticket_touch WHERE ticket_id IN "
                "(SELECT id FROM ticket WHERE branch_id = :src)"
            ),
            params,
        )
        conn.execute(
            text(
                "INSERT INTO event (id, branch_id, seq, type, at, ticket_id, counter_id, user_id, "
                "device_id, data) SELECT id + :es, :dst, seq, type, at, ticket_id + :ts, "
                "counter_id + :co, user_id, device_id, data FROM event WHERE branch_id = :src"
            ),
            params,
        )
        conn.execute(
            text(
                "UPDATE branch SET last_seq = (SELECT last_seq FROM branch WHERE id = :src) "
                "WHERE id = :dst"
            ),
            params,
        )
        if conn.dialect.name == "postgresql":
            for table in ("ticket", "event"):
                conn.execute(
                    text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
                )
    with db.unit_of_work() as s:
        branch = s.get(Branch, dst)
        refresh(s, branch, now=dt.datetime.now(dt.UTC))  # type: ignore[arg-type]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--branches", type=int, default=2)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--busy", type=float, default=2.5)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--clone", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument(
        "--reuse", action="store_true", help="time the database of an earlier run (same size)"
    )
    ap.add_argument(
        "--only",
        default="",
        help="time only the endpoints containing this text (e.g. by=moment)",
    )
    args = ap.parse_args()
    url = bench_url(args.backend) if args.reuse else fresh_url(args.backend)
    upgrade(url)
    db = Database(url)
    if args.reuse:
        return time_endpoints(args, db, url, reuse_token(db), 0.0)
    token = setup(db, args.branches)
    t0 = time.perf_counter()
    simulate(db, branch_code="b00", days=args.days, seed=1, busy=args.busy, quoting=False)
    for i in range(1, args.branches):
        if args.clone:
            clone_branch(db, "b00", f"b{i:02d}")
        else:
            simulate(
                db,
                branch_code=f"b{i:02d}",
                days=args.days,
                seed=i + 1,
                busy=args.busy,
                quoting=False,
            )
        say(f"  branch {i + 1}/{args.branches} ready ({time.perf_counter() - t0:.0f} s)")
    gen_s = time.perf_counter() - t0
    time_endpoints(args, db, url, token, gen_s)


def bench_url(backend: str) -> str:
    if backend == "sqlite":
        return "sqlite:////tmp/sira-bench-reports.db"
    return PG_ADMIN.rsplit("/", 1)[0] + "/sira_bench_reports"


def reuse_token(db: Database) -> str:
    """A fresh session for the earlier run's admin; rollups brought up to date first."""
    with db.unit_of_work() as s:
        root = s.execute(select(User).where(User.username == "root")).scalar_one()
        token = new_token(STAFF_PREFIX)
        s.add(
            StaffSession(
                token_hash=token_hash(token),
                user_id=root.id,  # type: ignore[arg-type]
                expires_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=1),
            )
        )
        for branch in s.execute(select(Branch)).scalars():
            refresh(s, branch, now=dt.datetime.now(dt.UTC))
    return token


def fill_today(db: Database, busy: float) -> int:
    """Simulate today as a whole day for every branch without tickets today (on a weekday);
    returns how many tickets today has."""
    with db.read_session() as s:
        branches = [(b.code, b.timezone) for b in s.execute(select(Branch)).scalars()]
    total = 0
    for i, (code, tz) in enumerate(sorted(branches)):
        today = dt.datetime.now(zone(tz)).date()
        with db.read_session() as s:
            n = s.execute(
                select(func.count())
                .select_from(Ticket)
                .join(Branch, Branch.id == Ticket.branch_id)
                .where(Branch.code == code, Ticket.business_date == today)
            ).scalar_one()
        if not n and today.weekday() < 5:
            end = today + dt.timedelta(days=1)
            n = simulate(
                db, branch_code=code, days=1, seed=1000 + i, busy=busy, end=end, quoting=False
            )["tickets"]
        total += n
    return total


def time_endpoints(
    args: argparse.Namespace, db: Database, url: str, token: str, gen_s: float
) -> None:
    n_today = fill_today(db, args.busy)
    with db.read_session() as s:
        n = s.execute(select(func.count()).select_from(Ticket)).scalar_one()
    if args.reuse:
        pass  # analysed by the run that filled it (a 10 GB SQLite file takes minutes)
    elif args.backend == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with db.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    say(
        f"{args.backend}: {args.branches} branches x {args.days} days, {n} tickets "
        f"(generated in {gen_s:.0f} s), {n_today} of them today's (read live)"
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
            eps = [*ENDPOINTS, "/tickets.csv"] if label == "30 days" else ENDPOINTS
            for ep in [e for e in eps if args.only in e]:
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
        for ep in [e for e in ("/metrics/live", "/staffing", "/standards/risk") if args.only in e]:
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
