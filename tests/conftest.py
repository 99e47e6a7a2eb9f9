"""Every test gets its own database, on SQLite and (when reachable) on PostgreSQL.

SQLite: a copy of a template file migrated once per run. PostgreSQL: one database per run
(``SIRA_TEST_PG_URL``, default the local server's ``test`` database is used to create it),
migrated once, and truncated before each test.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from server.clock import FrozenClock
from server.config import PRINTER_HOSTS, Settings
from server.db import Database
from server.main import create_app
from server.migrations import upgrade

PG_ADMIN_URL = os.environ.get(
    "SIRA_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
BACKENDS = [
    b.strip()
    for b in os.environ.get("SIRA_TEST_BACKENDS", "sqlite,postgresql").split(",")
    if b.strip()
]


def _pg_reachable() -> str | None:
    try:
        engine = create_engine(
            PG_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
        )
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # pragma: no cover - depends on the machine
        where = make_url(PG_ADMIN_URL).render_as_string(hide_password=True)
        return f"PostgreSQL not reachable at {where}: {exc.__class__.__name__}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    reason = _pg_reachable()
    if reason:
        if os.environ.get("SIRA_TEST_STRICT"):
            pytest.fail(f"{reason} (SIRA_TEST_STRICT is set: CI must test PostgreSQL)")
        pytest.skip(reason)
    name = f"sira_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _truncate_pg(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "sira.db"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    if request.param == "postgresql":
        url = request.getfixturevalue("pg_database")
        _truncate_pg(url)
        return url
    raise ValueError(f"unknown backend {request.param}")


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


REDIS_URL = os.environ.get("SIRA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture(scope="session")
def redis_for_postgresql() -> str | None:
    """The PostgreSQL half of the suite runs with the Redis event bus, as a scaled-out
    installation does; without a Redis server it falls back to the in-process bus (and fails
    under SIRA_TEST_STRICT, as CI must test PostgreSQL + Redis)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
        return REDIS_URL
    except redis.RedisError as exc:
        if os.environ.get("SIRA_TEST_STRICT"):
            pytest.fail(f"Redis not reachable at {REDIS_URL} ({exc}); CI must test with Redis")
        return None


def backend_settings(db_url: str, request: pytest.FixtureRequest) -> dict[str, Any]:
    """Redis bus settings for the PostgreSQL backend: a channel of its own per test, so no
    other test's server hears this one's events."""
    if not db_url.startswith("postgresql"):
        return {}
    url = request.getfixturevalue("redis_for_postgresql")
    if url is None:
        return {}
    return {"redis_url": url, "redis_channel": f"sira:test:{uuid.uuid4().hex}"}


@pytest.fixture
def settings(db_url: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    return Settings(
        env="test",
        database_url=db_url,
        data_dir=tmp_path / "data",
        day_close_interval_s=0,
        public_url="http://sira.test",
        # The test printers listen on this host; the default allows only the LAN ranges.
        printer_hosts=[*PRINTER_HOSTS, "127.0.0.1"],
        **backend_settings(db_url, request),
    )


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database(settings.sqlalchemy_url)
    yield database
    database.dispose()


@pytest.fixture
def app(settings: Settings, clock: FrozenClock, db: Database) -> FastAPI:
    return create_app(settings, clock=clock, db=db)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def make(db: Database, clock: FrozenClock) -> Callable[..., Any]:
    """``make(fn, **kw)``: run a factory from tests.support inside a committed unit of work."""

    def run(fn: Callable[..., Any], **kw: Any) -> Any:
        with db.unit_of_work() as session:
            if "now" in fn.__code__.co_varnames:
                kw.setdefault("now", clock.now())
            return fn(session, **kw)

    return run
