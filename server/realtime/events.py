"""Recording events: the moment-of-truth log and the live feed share one append-only table.

Services call ``record`` while they work; ``persist_pending`` runs just before the commit,
takes a block of per-branch sequence numbers with one ``UPDATE … RETURNING`` (the branch
row stays locked only from there to the commit) and inserts the rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from enum import StrEnum
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlmodel import Session

from server.models import Branch, Event

# Key of a unit of work's session.info: the events recorded so far.
PENDING_EVENTS = "sira_pending_events"


class EventType(StrEnum):
    TICKET_ISSUED = "ticket.issued"
    TICKET_PRINTED = "ticket.printed"
    TICKET_PRINT_FAILED = "ticket.print_failed"
    TICKET_CALLED = "ticket.called"
    TICKET_RECALLED = "ticket.recalled"
    TICKET_SERVING = "ticket.serving"
    TICKET_FINISHED = "ticket.finished"
    TICKET_NO_SHOW = "ticket.no_show"
    # A no-show undone: the customer came after all and waits again (see tickets.service).
    TICKET_REQUEUED = "ticket.requeued"
    TICKET_TRANSFERRED = "ticket.transferred"
    TICKET_CANCELLED = "ticket.cancelled"
    TICKET_RECOVERY = "ticket.recovery"
    TICKET_FEEDBACK = "ticket.feedback"
    COUNTER_CHANGED = "counter.changed"
    DEVICE_CHANGED = "device.changed"
    BRANCH_CHANGED = "branch.changed"
    ALERT_RAISED = "alert.raised"
    # An open alert's message or figures changed (a standard was edited, the queue moved).
    ALERT_UPDATED = "alert.updated"
    ALERT_CLEARED = "alert.cleared"


def record(
    session: Session,
    *,
    branch_id: int,
    type: EventType,
    at: dt.datetime,
    data: dict[str, Any],
    ticket_id: int | None = None,
    counter_id: int | None = None,
    user_id: int | None = None,
    device_id: int | None = None,
) -> None:
    """Queue an event for this unit of work; it is stored and published only on commit."""
    session.info.setdefault(PENDING_EVENTS, []).append(
        {
            "branch_id": branch_id,
            "type": type.value,
            "at": at,
            "data": data,
            "ticket_id": ticket_id,
            "counter_id": counter_id,
            "user_id": user_id,
            "device_id": device_id,
        }
    )


_BRANCHES = Branch.__table__  # type: ignore[attr-defined]
_TAKE_SEQS = (
    update(_BRANCHES)
    .where(_BRANCHES.c.id == bindparam("branch_id"))
    .values(last_seq=_BRANCHES.c.last_seq + bindparam("n"))
    .returning(_BRANCHES.c.last_seq)
)
_INSERT_EVENTS = insert(Event.__table__)  # type: ignore[attr-defined]


def persist_pending(session: Session) -> list[dict[str, Any]]:
    """Store the events recorded in this unit of work, just before its commit; returns them
    with their sequence numbers (to publish once the commit succeeded)."""
    pending: list[dict[str, Any]] = session.info.pop(PENDING_EVENTS, [])
    if not pending:
        return []
    session.flush()
    by_branch: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for ev in pending:
        by_branch[ev["branch_id"]].append(ev)
    published: list[dict[str, Any]] = []
    # Core statements on the session's connection: the ORM layer adds nothing here.
    conn = session.connection()
    # Sorted branch ids: two transactions touching the same branches lock them in one order.
    for branch_id in sorted(by_branch):
        events = by_branch[branch_id]
        last = conn.execute(_TAKE_SEQS, {"branch_id": branch_id, "n": len(events)}).scalar_one()
        first = last - len(events) + 1
        for offset, ev in enumerate(events):
            ev["seq"] = first + offset
        conn.execute(_INSERT_EVENTS, events)
        published.extend(events)
    return published


def wire_message(ev: dict[str, Any]) -> dict[str, Any]:
    """The event as clients see it: ``{seq, type, at, data}``."""
    at = ev["at"]
    return {
        "seq": ev["seq"],
        "type": ev["type"],
        "at": at.isoformat() if isinstance(at, dt.datetime) else at,
        "data": ev["data"],
    }


# Free text about a customer, for the branch's staff only (the fields retention blanks too):
# screens in the hall (displays, kiosks, speakers) get the same events with these null, so
# every message keeps its shape.
STAFF_ONLY_FIELDS = {
    "ticket.feedback": ("comment",),
    "ticket.recovery": ("note",),
    "ticket.transferred": ("note",),
}
# A ticket's priority reason ("pregnant", "disabled") wherever a ticket appears; who holds a
# counter (a name is not for the waiting room's screens).
STAFF_ONLY_KEYS = frozenset({"priority_reason", "held_by", "taken_over_from", "transfer_note"})


def _without_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: None if k in STAFF_ONLY_KEYS else _without_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_keys(v) for v in value]
    return value


def for_screens(message: dict[str, Any]) -> dict[str, Any]:
    """A wire message (an event or a snapshot) as a device's screen receives it."""
    data = message.get("data")
    if not isinstance(data, dict):
        return message
    blank = STAFF_ONLY_FIELDS.get(str(message.get("type")), ())
    data = {k: None if k in blank else v for k, v in data.items()}
    return {**message, "data": _without_keys(data)}
