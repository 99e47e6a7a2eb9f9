"""Ticket and counter states and which operation is allowed from which state."""

from __future__ import annotations

from enum import StrEnum

from server.domain.errors import Conflict


class TicketStatus(StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    CANCELLED = "cancelled"
    # Waiting again, in the queue of the service it was transferred to.
    TRANSFERRED = "transferred"


class CounterState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    PAUSED = "paused"


QUEUED = (TicketStatus.WAITING, TicketStatus.TRANSFERRED)
AT_COUNTER = (TicketStatus.CALLED, TicketStatus.SERVING)
FINAL = (TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.CANCELLED)

# operation -> statuses it may start from
_TICKET_OPS: dict[str, tuple[TicketStatus, ...]] = {
    "call": QUEUED,
    "recall": (TicketStatus.CALLED,),
    "serve": (TicketStatus.CALLED,),
    "finish": AT_COUNTER,
    "no_show": (TicketStatus.CALLED,),
    "transfer": (*AT_COUNTER, *QUEUED),
    "cancel": QUEUED,
    "recovery": (*AT_COUNTER, TicketStatus.DONE, TicketStatus.NO_SHOW),
    "feedback": (TicketStatus.DONE,),
}

_VERB = {
    "call": "called",
    "recall": "recalled",
    "serve": "served",
    "finish": "finished",
    "no_show": "marked as a no-show",
    "transfer": "transferred",
    "cancel": "cancelled",
    "recovery": "given a recovery action",
    "feedback": "given feedback",
}


def check_ticket_op(op: str, *, code: str, status: str) -> None:
    """Raise Conflict with a readable reason when ``op`` is not allowed from ``status``."""
    allowed = _TICKET_OPS[op]
    if status not in allowed:
        need = " or ".join(s.value for s in allowed)
        raise Conflict(f"ticket {code} is '{status}' and cannot be {_VERB[op]}; it must be {need}")


_COUNTER_OPS: dict[str, tuple[CounterState, ...]] = {
    "open": (CounterState.CLOSED,),
    "call": (CounterState.OPEN,),
    "recall": (CounterState.OPEN,),
    "pause": (CounterState.OPEN,),
    "resume": (CounterState.PAUSED,),
    "close": (CounterState.OPEN, CounterState.PAUSED),
}


def check_counter_op(op: str, *, label: str, state: str) -> None:
    allowed = _COUNTER_OPS[op]
    if state not in allowed:
        need = " or ".join(s.value for s in allowed)
        raise Conflict(f"counter {label} is {state}; to {op} it must be {need}")
