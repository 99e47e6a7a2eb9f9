"""What the app holds for its lifetime: settings, database, bus, clock."""

from __future__ import annotations

from dataclasses import dataclass

from server.clock import Clock
from server.config import Settings
from server.db import Database
from server.realtime.bus import EventBus


@dataclass
class AppContext:
    settings: Settings
    db: Database
    bus: EventBus
    clock: Clock
