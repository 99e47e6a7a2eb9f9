"""Tickets as clients see them (events and responses share this shape)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from server.models import Counter, Ticket
from server.tickets.schemas import TicketPublic


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def waited_s(ticket: Ticket, now: dt.datetime) -> int:
    """Wait so far, from the customer's arrival to the first call (or now)."""
    end = ticket.first_called_at or now
    return max(int((end - ticket.issued_at).total_seconds()), 0)


def ticket_public(ticket: Ticket, *, counter: Counter | None = None) -> TicketPublic:
    return TicketPublic.model_validate(_ticket_fields(ticket, counter))


def ticket_dict(ticket: Ticket, *, counter: Counter | None = None) -> dict[str, Any]:
    """``TicketPublic``'s fields as plain data (event payloads, snapshots)."""
    return _ticket_fields(ticket, counter)


def _ticket_fields(ticket: Ticket, counter: Counter | None) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "code": ticket.code,
        "number": ticket.number,
        "service": ticket.service_code,
        "original_service": ticket.original_service_code,
        "status": ticket.status,
        "lang": ticket.lang,
        "priority": ticket.priority,
        "priority_reason": ticket.priority_reason,
        "business_date": ticket.business_date.isoformat(),
        "issued_at": _iso(ticket.issued_at),
        "first_called_at": _iso(ticket.first_called_at),
        "called_at": _iso(ticket.called_at),
        "recalled_at": _iso(ticket.recalled_at),
        "serving_at": _iso(ticket.serving_at),
        "finished_at": _iso(ticket.finished_at),
        "counter": {"id": counter.id, "label": counter.label} if counter is not None else None,
        "call_rule": ticket.call_rule,
        "recall_count": ticket.recall_count,
        "transfer_count": ticket.transfer_count,
        "transfer_note": ticket.transfer_note,
        "transfer_counter_id": ticket.transfer_counter_id,
        "cancel_reason": ticket.cancel_reason,
    }
