"""What the rest of Sira knows about hardware: small protocols, one status type, one error.

Drivers are a plain library: nothing here imports FastAPI or SQLModel. The server and the
device agent build a driver from its typed configuration, call it from a worker thread (every
call may block for at most the driver's own timeout) and read back a ``DeviceStatus``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol, runtime_checkable


class DriverError(Exception):
    """A device could not do what was asked; ``status`` says what state it was found in."""

    def __init__(self, message: str, *, status: DeviceStatus | None = None) -> None:
        super().__init__(message)
        self.status = status


class DeviceState(StrEnum):
    ONLINE = "online"
    PAPER_NEAR_END = "paper_near_end"  # still prints; tell someone to load paper
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"  # no answer within the timeout, or the transport is down
    ERROR = "error"  # answered, but reports a fault (cutter jam, overheating, ...)
    UNKNOWN = "unknown"  # the transport cannot read status back (file, some USB)


#: States in which a printer can still print a ticket.
PRINTABLE = frozenset({DeviceState.ONLINE, DeviceState.PAPER_NEAR_END, DeviceState.UNKNOWN})


@dataclass(frozen=True)
class DeviceStatus:
    state: DeviceState
    detail: str = ""

    @property
    def ok(self) -> bool:
        return self.state in PRINTABLE

    def as_dict(self) -> dict[str, str]:
        return {"state": self.state.value, "detail": self.detail}


@dataclass(frozen=True)
class TicketContent:
    """Everything printed on one ticket, already localized by the caller except the labels
    ("people ahead", "estimated wait", ...), which the layout translates by ``lang``."""

    code: str  # "A042"
    service_name: str  # in the ticket's language
    lang: str  # "en" | "tr" | "el" | "pl" | ...
    issued_at: dt.datetime  # aware, in the branch's timezone
    people_ahead: int
    estimated_wait_s: int
    qr_url: str  # the customer page, e.g. https://sira.bank/t/TOKEN
    bank_name: str
    branch_name: str = ""
    footer: str = ""
    priority: bool = False
    logo_path: str | None = None
    reprint: bool = False
    # The branch's logo as a greyscale PNG (at most 576 x 120 px), printed above everything;
    # the layout fits it to the paper and dithers it. In JSON: base64.
    logo_png: bytes | None = None
    # [low, high] seconds when the quote was too uncertain for one figure; printed instead.
    estimated_wait_range_s: tuple[int, int] | None = None
    # The quote rests on standards, not on this branch's history: the ticket says so.
    estimate_rough: bool = False
    # Large type for a customer who asked for it (the kiosk's large-text mode): the number as
    # big as the paper allows, every other line in double width and height.
    large_print: bool = False
    extra: dict[str, str] = field(default_factory=dict)


@runtime_checkable
class TicketPrinter(Protocol):
    def print_ticket(self, ticket: TicketContent) -> DeviceStatus:
        """Print and cut one ticket; returns the status read after printing (or UNKNOWN).
        Raises DriverError (with ``status``) when the ticket was not printed."""
        ...

    def status(self) -> DeviceStatus:
        """Read the printer's state (DLE EOT where the transport allows), within the timeout."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class CounterDisplay(Protocol):
    """The LED number display above one counter."""

    def show(self, text: str) -> None:
        """Show a ticket code ("A042") or blank the display with ``""``."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class Keypad(Protocol):
    """A teller keypad: yields keys such as "next" and "recall"."""

    def read_key(self, timeout_s: float) -> str | None:
        """The next key pressed within ``timeout_s``, or None."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class Speaker(Protocol):
    def announce(self, *, code: str, counter: str, lang: str) -> None:
        """Play the chime and the spoken call ("A042, counter 3") in ``lang``."""
        ...


def content_to_json(ticket: TicketContent) -> dict[str, object]:
    """TicketContent as JSON (for a print job sent to a device agent)."""
    data = {k: getattr(ticket, k) for k in TicketContent.__dataclass_fields__}
    data["issued_at"] = ticket.issued_at.isoformat()
    data["extra"] = dict(ticket.extra)
    data["logo_png"] = base64.b64encode(ticket.logo_png).decode() if ticket.logo_png else None
    wait_range = ticket.estimated_wait_range_s
    data["estimated_wait_range_s"] = list(wait_range) if wait_range is not None else None
    return data


def content_from_json(data: dict[str, object]) -> TicketContent:
    """The inverse of ``content_to_json``; unknown keys are ignored (newer servers)."""
    known = {k: v for k, v in data.items() if k in TicketContent.__dataclass_fields__}
    known["issued_at"] = dt.datetime.fromisoformat(str(known["issued_at"]))
    known["extra"] = dict(known.get("extra") or {})  # type: ignore[call-overload]
    known["logo_png"] = _logo_bytes(known.get("logo_png"))
    known["estimated_wait_range_s"] = _wait_range(known.get("estimated_wait_range_s"))
    known["estimate_rough"] = known.get("estimate_rough") is True
    known["large_print"] = known.get("large_print") is True
    return TicketContent(**known)  # type: ignore[arg-type]


def _wait_range(value: object) -> tuple[int, int] | None:
    # A range that is not two numbers is left out: the point estimate still prints.
    if not isinstance(value, list | tuple) or len(value) != 2:
        return None
    low, high = value
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (low, high)):
        return None
    return int(low), int(high)


def _logo_bytes(value: object) -> bytes | None:
    # A logo that does not decode is left out: the ticket still prints.
    if not isinstance(value, str) or not value:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
