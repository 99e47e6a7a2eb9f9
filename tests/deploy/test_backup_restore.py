"""deploy/backup: real round trips through sira-backup and sira-restore.

SQLite: the backup is taken while another thread keeps issuing tickets (WAL mode, commits
in flight); the copy must be a consistent point in time: numbers gap-free, the event log
contiguous, integrity_check ok. PostgreSQL: pg_dump / pg_restore into a fresh database and
back over the original after more changes.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import threading
import uuid
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from server.config import Settings
from server.db import Database
from server.main import create_app
from server.migrations import upgrade
from tests.conftest import PG_ADMIN_URL, _truncate_pg
from tests.deploy.support import DEPLOY, ROOT, need
from tests.support import make_branch

BACKUP = DEPLOY / "backup" / "sira-backup"
RESTORE = DEPLOY / "backup" / "sira-restore"


def _env(url: str, tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIRA_")}
    env.update(SIRA_DATABASE_URL=url, SIRA_BACKUP_DIR=str(tmp / "backups"))
    return env


def _run(cmd: list[str], env: dict[str, str]) -> str:
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert r.returncode == 0, f"{cmd[0]} failed: {r.stderr}"
    return r.stdout.strip()


def _consistent(conn_exec) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """(tickets, events) after checking numbers and seqs are gap-free in this copy."""
    tickets = conn_exec("SELECT count(*) FROM ticket")[0][0]
    for prefix, n, top in conn_exec("SELECT prefix, count(*), max(number) FROM ticket GROUP BY 1"):
        assert n == top, f"service {prefix}: {n} tickets, highest number {top}"
    last = {
        (b, s): n
        for b, s, n in conn_exec("SELECT branch_id, service_code, last_number FROM ticket_sequence")
    }
    for (_b, svc), n in last.items():
        assert n == conn_exec(f"SELECT count(*) FROM ticket WHERE prefix = '{svc}'")[0][0]
    events, top_seq = conn_exec("SELECT count(*), coalesce(max(seq), 0) FROM event")[0]
    assert events == top_seq
    assert conn_exec("SELECT last_seq FROM branch")[0][0] == top_seq
    return tickets, events


def _issue_until(app, kit, stop: threading.Event, counts: list[int]) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app) as c:
        while not stop.is_set():
            r = c.post(
                f"/api/v1/branches/{kit.code}/tickets",
                json={"service": "ABC"[counts[0] % 3]},
                headers=kit.auth("kiosk"),
            )
            assert r.status_code == 201, r.text
            counts[0] += 1


def test_sqlite_online_backup_under_writes_and_restore(tmp_path: Path) -> None:
    need("bash")
    path = tmp_path / "data" / "sira.db"
    path.parent.mkdir()
    url = f"sqlite:///{path}"
    upgrade(url)
    db = Database(url)
    with db.unit_of_work() as session:
        kit = make_branch(session, code="bk")
    settings = Settings(env="test", database_url=url, data_dir=tmp_path / "data")
    app = create_app(settings, db=db)
    stop = threading.Event()
    counts = [0]
    writer = threading.Thread(target=_issue_until, args=(app, kit, stop, counts))
    writer.start()
    try:
        while counts[0] < 30:
            stop.wait(0.05)
        env = _env(url, tmp_path)
        first = Path(_run([str(BACKUP)], env))
        second = Path(_run([str(BACKUP)], env))  # a second one while writes go on
    finally:
        stop.set()
        writer.join(timeout=30)
    db.dispose()
    assert first.suffix == ".db"
    assert first.parent == tmp_path / "backups"
    assert counts[0] >= 30
    for copy in (first, second):
        con = sqlite3.connect(copy)
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        tickets, _ = _consistent(lambda q, con=con: con.execute(q).fetchall())
        assert 30 <= tickets <= counts[0]
        con.close()

    # Restore the first copy over the live file (server stopped), then migrate and serve.
    con = sqlite3.connect(first)
    in_backup = con.execute("SELECT count(*) FROM ticket").fetchone()[0]
    con.close()
    out = _run([str(RESTORE), str(first)], env)
    assert out.startswith("restored")
    assert (path.parent / "sira.db.before-restore").exists()
    _run([str(ROOT / ".venv" / "bin" / "sira"), "init"], env)
    restored = Database(url)
    try:
        app = create_app(Settings(env="test", database_url=url), db=restored)
        with TestClient(app) as c:
            r = c.post(
                f"/api/v1/branches/{kit.code}/tickets",
                json={"service": "A"},
                headers=kit.auth("kiosk"),
            )
            assert r.status_code == 201, r.text
        with restored.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM ticket")).scalar() == in_backup + 1
            _consistent(lambda q: conn.execute(text(q)).all())
    finally:
        restored.dispose()


def test_postgresql_dump_and_restore_round_trip(pg_database: str, tmp_path: Path) -> None:
    need("pg_dump")
    need("pg_restore")
    _truncate_pg(pg_database)
    db = Database(pg_database)
    with db.unit_of_work() as session:
        kit = make_branch(session, code="pgbk")
    app = create_app(Settings(env="test", database_url=pg_database), db=db)
    with TestClient(app) as c:
        for i in range(12):
            r = c.post(
                f"/api/v1/branches/{kit.code}/tickets",
                json={"service": "ABC"[i % 3]},
                headers=kit.auth("kiosk"),
            )
            assert r.status_code == 201
    env = _env(pg_database, tmp_path)
    dump = Path(_run([str(BACKUP)], env))
    assert dump.suffix == ".pgdump"

    # 1. Into a fresh, empty database.
    name = f"sira_restore_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    fresh = make_url(pg_database).set(database=name).render_as_string(hide_password=False)
    try:
        _run([str(RESTORE), str(dump)], _env(fresh, tmp_path))
        _run([str(ROOT / ".venv" / "bin" / "sira"), "init"], _env(fresh, tmp_path))
        engine = create_engine(fresh)
        with engine.connect() as conn:
            assert _consistent(lambda q: conn.execute(text(q)).all())[0] == 12
        engine.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    # 2. Over the original after more tickets: back to the backup's state exactly.
    with TestClient(app) as c:
        for _ in range(5):
            c.post(
                f"/api/v1/branches/{kit.code}/tickets",
                json={"service": "A"},
                headers=kit.auth("kiosk"),
            )
    db.dispose()
    _run([str(RESTORE), str(dump)], env)
    engine = create_engine(pg_database)
    with engine.connect() as conn:
        assert _consistent(lambda q: conn.execute(text(q)).all())[0] == 12
    engine.dispose()
    admin.dispose()


def test_restore_refuses_the_wrong_kind_of_backup(tmp_path: Path) -> None:
    wrong = tmp_path / "x.pgdump"
    wrong.write_text("")
    r = subprocess.run(
        [str(RESTORE), str(wrong)],
        env=_env(f"sqlite:///{tmp_path / 'sira.db'}", tmp_path),
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2
    assert "expected a .db backup" in r.stderr
