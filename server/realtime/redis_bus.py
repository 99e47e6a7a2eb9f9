"""The event bus across processes and hosts: Redis pub/sub (``SIRA_REDIS_URL``).

Every process publishes the events it committed on one channel and delivers what it hears
to its own WebSocket subscribers. Order and completeness do not rest on Redis:

* ``seq`` is taken under the branch row lock and published after commit, so two processes
  may publish seq 5 and 6 in either order; each socket holds 6 back until 5 arrives, or
  reads 5 from the database (``ws._pump``): 5 was committed before 6 was even numbered.
* A process delivers its own events locally at once (no round trip through Redis) and
  ignores its own messages when they come back; a duplicate is dropped by seq anyway.
* Redis down: publishing keeps a bounded backlog and retries; the subscriber reconnects with
  backoff and then *resyncs*: it reads the newest events of every branch it serves from the
  database and offers them to the sockets, whose gap fill reads whatever lies in between.
  The same resync runs every ``resync_s`` seconds when a branch's ``last_seq`` is ahead of
  what this process delivered (an event whose publisher died between commit and publish).
* Access changes (a logout, a revoked device) go on a channel of their own, ``CHANNEL:access``
  (a process of an older release, listening on the events channel only, never misreads one).
  One missed while Redis was away is made up on reconnect: every socket checks its token.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import uuid
from collections import deque
from collections.abc import Callable
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from server.realtime.fanout import AccessChange, Fanout, Subscription, encode, on_loop

log = logging.getLogger(__name__)

# (branch_id, after_seq) -> [(seq, text), ...] newest events after after_seq, oldest first;
# and branch ids -> {branch_id: last_seq}. Both run on a worker thread (blocking DB reads).
TailReader = Callable[[int, int], list[tuple[int, str]]]
LastSeqReader = Callable[[list[int]], dict[int, int]]

BACKLOG_MAX = 10_000
RECONNECT_MAX_S = 5.0
RESYNC_TAIL = 50


def pack(origin: str, batch: list[tuple[int, int, str]]) -> str:
    """One message per commit: origin line, then ``branch seq json`` lines (json has no \\n)."""
    return "\n".join([origin, *(f"{b} {s} {t}" for b, s, t in batch)])


def unpack(message: str) -> tuple[str, list[tuple[int, int, str]]]:
    origin, *lines = message.split("\n")
    batch = []
    for line in lines:
        branch, seq, text = line.split(" ", 2)
        batch.append((int(branch), int(seq), text))
    return origin, batch


class RedisBus:
    def __init__(
        self,
        url: str,
        *,
        channel: str = "sira:events",
        queue_size: int = 1000,
        tail: TailReader | None = None,
        last_seqs: LastSeqReader | None = None,
        resync_s: float = 5.0,
    ) -> None:
        self.url = url
        self.channel = channel
        self.access_channel = f"{channel}:access"
        self.origin = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._fanout = Fanout(queue_size)
        self._tail = tail
        self._last_seqs = last_seqs
        self._resync_s = resync_s
        self._loop: asyncio.AbstractEventLoop | None = None
        self._redis: aioredis.Redis | None = None
        # (channel, message) in the order they are to be published.
        self._backlog: deque[tuple[str, str]] = deque(maxlen=BACKLOG_MAX)
        self._wake: asyncio.Event | None = None
        self._tasks: list[asyncio.Task[None]] = []
        # Highest seq delivered locally per branch (what a resync compares with).
        self.delivered: dict[int, int] = {}
        self.connected = asyncio.Event()
        self.resyncs = 0

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self.connected = asyncio.Event()
        self._redis = aioredis.from_url(
            self.url, socket_connect_timeout=2, socket_timeout=5, health_check_interval=10
        )
        self._tasks = [
            asyncio.create_task(self._publisher(), name="sira-redis-publisher"),
            asyncio.create_task(self._subscriber(), name="sira-redis-subscriber"),
        ]
        if self._resync_s > 0 and self._tail is not None and self._last_seqs is not None:
            self._tasks.append(asyncio.create_task(self._watchdog(), name="sira-redis-resync"))
        # Wait briefly for the subscription so a test or a fresh worker hears from the start;
        # a Redis that is down does not stop the server (it reconnects in the background).
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.connected.wait(), 3)

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._tasks:
            # A task stuck in a Redis call must not hold up shutdown.
            _, stuck = await asyncio.wait(self._tasks, timeout=3.0)
            if stuck:
                log.warning("Redis event bus: %d task(s) did not stop in time", len(stuck))
        self._tasks = []
        if self._redis is not None:
            with contextlib.suppress(Exception):
                await self._redis.aclose()
        self._redis = None
        self._loop = None

    # --- publishing (any thread) ----------------------------------------------------------

    def publish(self, events: list[dict[str, Any]]) -> None:
        loop = self._loop
        if loop is None or loop.is_closed() or not events:
            return
        batch = [(ev["branch_id"], ev["seq"], encode(ev)) for ev in events]
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._enqueue(batch)
        else:
            loop.call_soon_threadsafe(self._enqueue, batch)

    def _enqueue(self, batch: list[tuple[int, int, str]]) -> None:
        self._deliver(batch)
        self._send(self.channel, pack(self.origin, batch))

    def announce(self, change: AccessChange) -> None:
        on_loop(self._loop, self._announce, change)

    def _announce(self, change: AccessChange) -> None:
        self._fanout.access_changed(change)
        self._send(self.access_channel, f"{self.origin}\n{change.to_json()}")

    @property
    def access_changes(self) -> int:
        return self._fanout.access_changes

    def _send(self, channel: str, message: str) -> None:
        self._backlog.append((channel, message))
        if self._wake is not None:
            self._wake.set()

    async def _publisher(self) -> None:
        assert self._wake is not None
        delay = 0.1
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._backlog:
                message = self._backlog[0]
                try:
                    assert self._redis is not None
                    await self._redis.publish(*message)
                except (RedisError, OSError) as exc:
                    log.warning("publishing to Redis failed (%r); retrying in %.1fs", exc, delay)
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, RECONNECT_MAX_S)
                    continue
                delay = 0.1
                # Only now: a message that failed stays first in line and keeps its order.
                if self._backlog and self._backlog[0] is message:
                    self._backlog.popleft()

    # --- subscribing ----------------------------------------------------------------------

    async def _subscriber(self) -> None:
        delay = 0.1
        first = True
        while True:
            pubsub = None
            try:
                assert self._redis is not None
                pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
                await pubsub.subscribe(self.channel, self.access_channel)
                self.connected.set()
                delay = 0.1
                if not first:
                    log.info("Redis event bus reconnected; resyncing live sockets")
                    # Access changes announced meanwhile were missed: all check again.
                    self._fanout.access_changed(None)
                    await self.resync()
                first = False
                while True:
                    msg = await pubsub.get_message(timeout=1.0)
                    if msg is None or msg.get("type") != "message":
                        continue
                    data, channel = msg["data"], msg.get("channel")
                    text = data.decode() if isinstance(data, bytes) else data
                    name = channel.decode() if isinstance(channel, bytes) else channel
                    if name == self.access_channel:
                        self._on_access_change(text)
                    else:
                        self._on_message(text)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a dropped connection must not end the server
                self.connected.clear()
                first = False
                log.warning("Redis event bus disconnected (%r); reconnecting in %.1fs", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, RECONNECT_MAX_S)
            finally:
                if pubsub is not None:
                    # Bounded: closing a pub/sub whose read was just cancelled can wait on
                    # the connection forever (seen at shutdown).
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(pubsub.aclose(), 1.0)  # type: ignore[no-untyped-call]

    def _on_message(self, message: str) -> None:
        try:
            origin, batch = unpack(message)
        except ValueError:
            log.warning("ignoring a malformed event bus message")
            return
        if origin != self.origin:
            self._deliver(batch)

    def _on_access_change(self, message: str) -> None:
        origin, _, body = message.partition("\n")
        if origin == self.origin:
            return
        try:
            change = AccessChange.from_json(body)
        except (ValueError, TypeError, AttributeError):
            log.warning("ignoring a malformed access change message")
            return
        self._fanout.access_changed(change)

    def _deliver(self, batch: list[tuple[int, int, str]]) -> None:
        watched = self._fanout.subs
        for branch_id, seq, text in batch:
            if seq > self.delivered.get(branch_id, 0):
                self.delivered[branch_id] = seq
            if branch_id in watched:
                self._fanout.deliver(branch_id, seq, text)

    # --- resync from the database ---------------------------------------------------------

    async def resync(self, branch_ids: list[int] | None = None) -> None:
        """Offer each watched branch's newest stored events; sockets gap-fill the rest."""
        if self._tail is None:
            return
        self.resyncs += 1
        ids = list(self._fanout.subs) if branch_ids is None else branch_ids
        loop = asyncio.get_running_loop()
        for branch_id in ids:
            after = self.delivered.get(branch_id, 0)
            try:
                rows = await loop.run_in_executor(None, self._tail, branch_id, after)
            except Exception:
                log.exception("resync of branch %s from the database failed", branch_id)
                continue
            self._deliver([(branch_id, seq, text) for seq, text in rows])

    async def _watchdog(self) -> None:
        assert self._last_seqs is not None
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self._resync_s)
            ids = list(self._fanout.subs)
            if not ids:
                continue
            try:
                latest = await loop.run_in_executor(None, self._last_seqs, ids)
            except Exception:
                log.exception("event bus check against the database failed")
                continue
            behind = [b for b, seq in latest.items() if seq > self.delivered.get(b, 0)]
            if behind:
                await self.resync(behind)

    # --- subscribers (event loop) ---------------------------------------------------------

    def subscribe(
        self, branch_id: int, *, user_id: int | None = None, device_id: int | None = None
    ) -> Subscription:
        return self._fanout.subscribe(branch_id, user_id=user_id, device_id=device_id)

    def unsubscribe(self, sub: Subscription) -> None:
        self._fanout.unsubscribe(sub)

    async def ping(self) -> bool:
        if self._redis is None:
            return False
        return bool(await asyncio.wait_for(self._redis.ping(), 2))
