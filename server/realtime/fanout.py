"""What every event bus shares: a subscriber's bounded queue, the fan-out to a branch's
subscribers, access changes, and the wire text of events (``bus.py`` and ``redis_bus.py``
both build on this module; neither imports the other's internals).
"""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from server.realtime.events import for_screens, wire_message

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


class Fanout:
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
