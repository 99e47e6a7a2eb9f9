"""What the app holds for its lifetime: settings, database, bus, clock, and the event loop
that runs the side effects committed work queued (``server/effects.py``)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from server.clock import Clock
from server.config import Settings
from server.db import Database
from server.devices.hub import AgentHub
from server.effects import Effect
from server.realtime.bus import EventBus
from server.realtime.snapshots import SocketWork

if TYPE_CHECKING:
    from server.printing.service import ServerPrinters

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class AppContext:
    settings: Settings
    db: Database
    bus: EventBus
    clock: Clock
    # Printers the server drives itself (set by create_app).
    printers: ServerPrinters | None = None
    # Device agents connected to this process.
    agents: AgentHub = field(default_factory=AgentHub)
    # Open event streams per browser screen device in this process.
    screens: dict[int, int] = field(default_factory=dict)
    # Devices' last request to this process (a kiosk issuing tickets over HTTP), written to
    # ``Device.last_seen_at`` by the device watch in batches, not one write per request.
    contacts: dict[int, dt.datetime] = field(default_factory=dict)
    # Event sockets' own thread pool and the snapshot builds they share.
    sockets: SocketWork = field(default_factory=SocketWork)
    # The app's event loop while it runs (set by the lifespan), and effects running there.
    loop: asyncio.AbstractEventLoop | None = None
    _running: set[asyncio.Task[None]] = field(default_factory=set)

    async def run_effects(self, effects: list[Effect]) -> None:
        """Run committed side effects in order; one failing does not stop the next."""
        for effect in effects:
            try:
                await effect.run(self)
            except Exception:  # the change is committed; an effect's failure is only logged
                log.exception("a side effect after commit failed: %r", effect)

    def run_effects_soon(self, effects: list[Effect]) -> None:
        """From any thread: run ``effects`` on the app's loop (work nobody awaits)."""
        loop = self.loop
        if loop is None or loop.is_closed():
            log.warning("the app is not running: %d side effect(s) dropped", len(effects))
            return

        def start() -> None:
            task = loop.create_task(self.run_effects(effects))
            self._running.add(task)
            task.add_done_callback(self._running.discard)

        loop.call_soon_threadsafe(start)

    async def unit(self, fn: Callable[..., T], *args: Any, write: bool, **kwargs: Any) -> T:
        """``fn(session, ...)`` in one unit of work on the right thread, then its effects."""
        effects: list[Effect] = []

        def in_unit() -> T:
            with self.db.unit_of_work(write=write, effects=effects) as session:
                return fn(session, *args, **kwargs)

        result = await self.db.run(in_unit, write=write)
        await self.run_effects(effects)
        return result

    async def drain(self) -> None:
        """Wait for effects still running (at shutdown)."""
        if self._running:
            await asyncio.gather(*self._running, return_exceptions=True)
