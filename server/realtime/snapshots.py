"""Opening event sockets without starving the API.

After a restart every screen of every branch reconnects at once. Each socket needs its token
checked and a snapshot of its branch; built one per socket on the request worker pool, 300
sockets froze the API for seconds (p50 2.1 s). So:

* socket work (token checks, snapshots, replays, gap reads) runs on a small thread pool of its
  own, never on the pool that serves requests, and
* one snapshot build per branch (and audience) at a time: sockets asking while it is built
  share its result. A socket that joins a build which began before it subscribed may miss an
  event committed in between; ``SharedSnapshot.joined`` tells the stream to read the log after
  the snapshot's seq once before going live.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")
# Socket work is short reads; a few threads serve a reconnect storm without taking the
# database from requests (SQLite readers and PostgreSQL pool connections alike).
WORKERS = 4


@dataclass(frozen=True)
class SharedSnapshot:
    text: str  # the snapshot message as sent
    seq: int
    joined: bool  # built for an earlier socket: read the log after ``seq`` once


class SocketWork:
    """The socket thread pool and the snapshot builds in flight (one per app)."""

    def __init__(self, workers: int = WORKERS) -> None:
        self._workers = workers
        self._pool: ThreadPoolExecutor | None = None  # made on first use, again after close
        self._building: dict[Any, asyncio.Future[tuple[str, int]]] = {}
        self.builds = 0  # snapshots built since start (a benchmark and a test read it)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="sira-ws")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(fn, *args))

    async def snapshot(self, key: Any, build: Callable[[], tuple[str, int]]) -> SharedSnapshot:
        """``build()`` (the message and its seq) once for every caller asking meanwhile."""
        future = self._building.get(key)
        joined = future is not None
        if future is None:
            self.builds += 1
            future = asyncio.ensure_future(self.run(build))
            self._building[key] = future

            def done(f: asyncio.Future[tuple[str, int]]) -> None:
                if self._building.get(key) is f:
                    del self._building[key]

            future.add_done_callback(done)
        # Shielded: one socket going away must not cancel the build the others wait for.
        text, seq = await asyncio.shield(future)
        return SharedSnapshot(text, seq, joined)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
