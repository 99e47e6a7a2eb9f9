"""What the app holds for its lifetime: settings, database, bus, clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from server.clock import Clock
from server.config import Settings
from server.db import Database
from server.devices.hub import AgentHub
from server.realtime.bus import EventBus

if TYPE_CHECKING:
    from server.printing.service import ServerPrinters


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
