"""The event bus: committed events out to every live subscriber of a branch.

``EventBus`` is the interface; ``InProcessBus`` serves one process;
``RedisBus`` (``server/realtime/redis_bus.py``) serves several processes and hosts; ``make_bus``
picks one from the settings. ``publish`` may be called from any thread; delivery happens on
the event loop.

The bus also carries *access changes* (``AccessChange``: a logout, a revoked device, a
disabled user): every subscription they concern, in every process, is told to check its
token again, and its socket closes if the token died.
"""

from __future__ import annotations

import asyncio
import logging
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol

from server.realtime.fanout import AccessChange, Fanout, Subscription, encode, on_loop
from server.realtime.redis_bus import RedisBus

if TYPE_CHECKING:
    from server.config import Settings
    from server.db import Database

log = logging.getLogger(__name__)


class EventBus(Protocol):
    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def publish(self, events: list[dict[str, Any]]) -> None:
        """Hand committed events (with seq) to subscribers; thread-safe, non-blocking."""
        ...

    def subscribe(
        self, branch_id: int, *, user_id: int | None = None, device_id: int | None = None
    ) -> Subscription: ...

    def unsubscribe(self, sub: Subscription) -> None: ...

    def announce(self, change: AccessChange) -> None:
        """Tell every subscription ``change`` concerns, in every process; thread-safe."""
        ...

    @property
    def access_changes(self) -> int:
        """Access changes heard so far here (a socket compares it across its sign-in)."""
        ...

    async def ping(self) -> bool: ...


class InProcessBus:
    def __init__(self, *, queue_size: int = 1000) -> None:
        self._fanout = Fanout(queue_size)
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()

    async def stop(self) -> None:
        self._loop = None

    def publish(self, events: list[dict[str, Any]]) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        # Only branches someone listens to are encoded. Safe without a lock: a subscriber
        # added just after this check reads the database after subscribing, and this event
        # was committed before publish was called.
        watched = self._fanout.subs
        batch = [
            (ev["branch_id"], ev["seq"], encode(ev)) for ev in events if ev["branch_id"] in watched
        ]
        if batch:
            on_loop(loop, self._deliver, batch)

    def _deliver(self, batch: list[tuple[int, int, str]]) -> None:
        for branch_id, seq, text in batch:
            self._fanout.deliver(branch_id, seq, text)

    def subscribe(
        self, branch_id: int, *, user_id: int | None = None, device_id: int | None = None
    ) -> Subscription:
        return self._fanout.subscribe(branch_id, user_id=user_id, device_id=device_id)

    def unsubscribe(self, sub: Subscription) -> None:
        self._fanout.unsubscribe(sub)

    def announce(self, change: AccessChange) -> None:
        on_loop(self._loop, self._fanout.access_changed, change)

    @property
    def access_changes(self) -> int:
        return self._fanout.access_changes

    async def ping(self) -> bool:
        return self._loop is not None


def make_bus(settings: Settings, db: Database) -> EventBus:
    """The in-process bus, or the Redis bus when ``SIRA_REDIS_URL`` is set."""
    if not settings.redis_url:
        return InProcessBus(queue_size=settings.ws_queue_size)
    return RedisBus(
        settings.redis_url,
        channel=settings.redis_channel,
        queue_size=settings.ws_queue_size,
        tail=partial(read_tail, db),
        last_seqs=partial(read_last_seqs, db),
        resync_s=settings.bus_resync_s,
    )


def read_tail(db: Database, branch_id: int, after: int, limit: int = 50) -> list[tuple[int, str]]:
    """The newest stored events of a branch after ``after`` (at most ``limit``), oldest first."""
    from sqlmodel import col, select

    from server.models import Event

    with db.read_session() as session:
        rows = list(
            session.exec(
                select(Event)
                .where(Event.branch_id == branch_id, Event.seq > after)
                .order_by(col(Event.seq).desc())
                .limit(limit)
            )
        )
    return [
        (r.seq, encode({"seq": r.seq, "type": r.type, "at": r.at, "data": r.data}))
        for r in reversed(rows)
    ]


def read_last_seqs(db: Database, branch_ids: list[int]) -> dict[int, int]:
    from sqlmodel import col, select

    from server.models import Branch

    with db.read_session() as session:
        rows = session.exec(
            select(Branch.id, Branch.last_seq).where(col(Branch.id).in_(branch_ids))
        )
        return {int(i): int(s) for i, s in rows if i is not None}
