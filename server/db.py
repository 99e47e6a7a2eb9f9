"""Engine, sessions and the one place that commits.

A request that changes state gets a *write* session: on SQLite it holds the process's write
lock and begins ``IMMEDIATE`` (so two writers never race for the database lock and then
back off); on PostgreSQL row locks do that work. ``unit_of_work`` flushes the events the
request recorded (assigning their per-branch sequence numbers last, so the branch row is
locked only briefly), commits, and only then publishes the events: a display never hears
of a change that was rolled back.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from functools import partial
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

P = ParamSpec("P")
T = TypeVar("T")
PENDING_EVENTS = "sira_pending_events"
PUBLISHED_EVENTS = "sira_published_events"


class Database:
    def __init__(self, url: str, *, sqlite_synchronous: str = "NORMAL", echo: bool = False):
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {"echo": echo}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
            if url in ("sqlite://", "sqlite:///:memory:"):
                kwargs["poolclass"] = StaticPool
            else:
                kwargs["pool_size"] = 8
                kwargs["max_overflow"] = 32
        else:
            kwargs["pool_size"] = 10
            kwargs["max_overflow"] = 30
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            _configure_sqlite(self.engine, synchronous=sqlite_synchronous)
        self._write_engine = self.engine.execution_options(sqlite_immediate=True)
        self._snapshot_engine = (
            self.engine
            if self.is_sqlite
            else self.engine.execution_options(isolation_level="REPEATABLE READ")
        )
        # One writer at a time on SQLite; PostgreSQL uses row locks instead. Request writes
        # queue for one dedicated thread (the lock then only orders background jobs with it).
        self._write_lock = threading.Lock() if self.is_sqlite else None
        self._writer = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="sira-sqlite-writer")
            if self.is_sqlite
            else None
        )
        # Small per-database caches (e.g. recent service times); reachable as session.info["cache"].
        self.cache: dict[str, Any] = {}
        # Set by the app: called with the events of each committed unit of work.
        self.on_commit: Callable[[list[dict[str, Any]]], None] | None = None
        # Set by the app: assigns sequence numbers and stores recorded events (before commit).
        self.before_commit: Callable[[Session], None] | None = None

    async def run(self, fn: Callable[P, T], *args: P.args, write: bool, **kwargs: P.kwargs) -> T:
        """Run blocking database work off the event loop: SQLite writes on the writer thread."""
        if write and self._writer is not None:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._writer, partial(fn, *args, **kwargs))
        return await run_in_threadpool(fn, *args, **kwargs)

    def read_session(self) -> Session:
        return Session(self.engine, expire_on_commit=False, info={"cache": self.cache})

    def snapshot_session(self) -> Session:
        """A session whose reads all see one consistent point in time."""
        return Session(self._snapshot_engine, expire_on_commit=False, info={"cache": self.cache})

    @contextmanager
    def unit_of_work(self, *, write: bool = True) -> Iterator[Session]:
        """Commit on success, roll back on error, then publish the recorded events."""
        lock = self._write_lock if (write and self._write_lock is not None) else nullcontext()
        with lock:
            session = Session(
                self._write_engine if write else self.engine,
                expire_on_commit=False,
                info={"cache": self.cache},
            )
            try:
                yield session
                if self.before_commit is not None:
                    self.before_commit(session)
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                published = session.info.pop(PUBLISHED_EVENTS, [])
                session.close()
        if published and self.on_commit is not None:
            self.on_commit(published)

    def dispose(self) -> None:
        if self._writer is not None:
            self._writer.shutdown(wait=True)
        self.engine.dispose()


def _configure_sqlite(engine: Engine, *, synchronous: str) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" hook below issue BEGIN itself.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute(f"PRAGMA synchronous={synchronous}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        immediate = conn.get_execution_options().get("sqlite_immediate", False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
