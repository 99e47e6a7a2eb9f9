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
import json
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from server.realtime.events import for_screens, wire_message

if TYPE_CHECKING:
    from server.config import Settings
    from server.db import Database

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True)
class AccessChange:
    """The tokens of these users, devices or branches may have died: check them again."""

    user_ids: frozenset[int] = frozenset()
    device_ids: frozenset[int] = frozenset()
    branch_ids: frozenset[int] = frozenset()

    def concerns(self, sub: Subscription) -> bool:
        return (
            sub.branch_id in self.branch_ids
            or (sub.user_id is not None and sub.user_id in self.user_ids)
            or (sub.device_id is not None and sub.device_id in self.device_ids)
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "users": sorted(self.user_ids),
                "devices": sorted(self.device_ids),
                "branches": sorted(self.branch_ids),
            }
        )

    @classmethod
    def from_json(cls, text: str) -> AccessChange:
        body = json.loads(text)
        return cls(
            user_ids=frozenset(int(i) for i in body.get("users", ())),
            device_ids=frozenset(int(i) for i in body.get("devices", ())),
            branch_ids=frozenset(int(i) for i in body.get("branches", ())),
        )


@dataclass(eq=False)
class Subscription:
    """One subscriber's bounded queue of (seq, json text) for one branch, and who it is."""

    branch_id: int
    maxsize: int
    user_id: int | None = None
    device_id: int | None = None
    queue: asyncio.Queue[tuple[int, str]] = field(init=False)
    # Set once the queue overflowed: the socket is closed (4008) even while a write to it
    # waits for a client that stopped reading.
    dropped: asyncio.Event = field(init=False)
    # Set when an access change concerns this subscriber: its socket checks its token again.
    recheck: asyncio.Event = field(init=False)

    def __post_init__(self) -> None:
        self.queue = asyncio.Queue(self.maxsize)
        self.dropped = asyncio.Event()
        self.recheck = asyncio.Event()

    @property
    def overflowed(self) -> bool:
        return self.dropped.is_set()

    @property
    def staff(self) -> bool:
        """A person's stream (all of each event); a device's gets ``for_screens``."""
        return self.device_id is None

    def offer(self, item: tuple[int, str]) -> None:
        if self.overflowed:
            return
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            # A slow client is cut off; it reconnects with since=SEQ and catches up.
            self.dropped.set()


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


class _Fanout:
    """Per-branch subscriber sets on the event loop."""

    def __init__(self, queue_size: int) -> None:
        self.queue_size = queue_size
        self.subs: dict[int, set[Subscription]] = defaultdict(set)
        self.access_changes = 0

    def subscribe(
        self, branch_id: int, *, user_id: int | None = None, device_id: int | None = None
    ) -> Subscription:
        sub = Subscription(branch_id, self.queue_size, user_id=user_id, device_id=device_id)
        self.subs[branch_id].add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        subs = self.subs.get(sub.branch_id)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self.subs[sub.branch_id]

    def deliver(self, branch_id: int, seq: int, text: str) -> None:
        screens: str | None = None
        for sub in tuple(self.subs.get(branch_id, ())):
            if sub.staff:
                sub.offer((seq, text))
            else:
                if screens is None:
                    screens = screen_text(text)
                sub.offer((seq, screens))

    def access_changed(self, change: AccessChange | None) -> None:
        """Have the subscriptions ``change`` concerns (None: all of them) check again."""
        self.access_changes += 1
        for subs in tuple(self.subs.values()):
            for sub in tuple(subs):
                if change is None or change.concerns(sub):
                    sub.recheck.set()


def on_loop(loop: asyncio.AbstractEventLoop | None, fn: Callable[[T], None], arg: T) -> None:
    """``fn(arg)`` on ``loop``: now when called there, else soon (from any thread)."""
    if loop is None or loop.is_closed():
        return
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        fn(arg)
    else:
        loop.call_soon_threadsafe(fn, arg)


def encode(ev: dict[str, Any]) -> str:
    return dump(wire_message(ev))


def dump(message: dict[str, Any]) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"), default=str)


def screen_text(text: str) -> str:
    """An encoded message as a device's screen receives it (``for_screens``)."""
    return dump(for_screens(json.loads(text)))


class InProcessBus:
    def __init__(self, *, queue_size: int = 1000) -> None:
        self._fanout = _Fanout(queue_size)
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
    from server.realtime.redis_bus import RedisBus

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
        return {int(i): int(s) for i, s in rows}
