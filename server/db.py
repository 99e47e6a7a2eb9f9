"""Engine, sessions and the one place that commits.

A request that changes state gets a *write* session: on SQLite it holds the process's write
lock and begins ``IMMEDIATE`` (so two writers never race for the database lock and then
back off); on PostgreSQL row locks do that work. ``unit_of_work`` stores the events the
work recorded (assigning their per-branch sequence numbers last, so the branch row is
locked only briefly), commits, and only then publishes the events and hands on the side
effects the work queued (``server/effects.py``): a display never hears of a change that was
rolled back, and a rolled-back ticket is never printed.

Storing events is part of every ``Database``, however it was built (the server, the CLI, a
test): a unit of work never commits a change without its moments of truth. Publishing them
live, and running side effects, need the app's event loop: ``attach`` connects them.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, nullcontext
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import StaticPool
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from server import audit
from server.effects import Effect, take_effects
from server.realtime.events import persist_pending

log = logging.getLogger(__name__)
T = TypeVar("T")
Publisher = Callable[[list[dict[str, Any]]], None]
EffectSink = Callable[[list[Effect]], None]


class Database:
    def __init__(self, url: str, *, sqlite_synchronous: str = "NORMAL", echo: bool = False):
        self.url = url
        audit.install()  # every configuration change is audited, whoever makes it
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
        self._publish: Publisher | None = None
        self._effect_sink: EffectSink | None = None

    def attach(self, *, publish: Publisher, run_effects: EffectSink) -> None:
        """Publish committed events with ``publish`` (thread-safe, non-blocking) and hand side
        effects that no caller collects to ``run_effects``: the app's bus and loop."""
        self._publish = publish
        self._effect_sink = run_effects

    async def run(self, fn: Callable[..., T], *args: Any, write: bool, **kwargs: Any) -> T:
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
    def unit_of_work(
        self, *, write: bool = True, effects: list[Effect] | None = None
    ) -> Iterator[Session]:
        """Commit on success, roll back on error; after the commit, publish the recorded
        events and hand on the queued side effects: into ``effects`` when the caller runs
        them itself, else to the app's effect runner."""
        lock = self._write_lock if (write and self._write_lock is not None) else nullcontext()
        with lock:
            session = Session(
                self._write_engine if write else self.engine,
                expire_on_commit=False,
                info={"cache": self.cache},
            )
            try:
                yield session
                published = persist_pending(session)
                session.commit()
                queued = take_effects(session)
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()
        if published and self._publish is not None:
            self._publish(published)
        if not queued:
            return
        if effects is not None:
            effects.extend(queued)
        elif self._effect_sink is not None:
            self._effect_sink(queued)
        else:
            # No app around (the CLI, a script): nothing can print or play here.
            log.debug("no app to run %d side effect(s) of a committed unit of work", len(queued))

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
