"""The kiosk moment: seconds from the customer's first touch to their ticket."""

from __future__ import annotations

from sqlmodel import Session

from server.models import TicketTouch


def record_touch(session: Session, *, ticket_id: int, touch_s: int) -> None:
    """Keep the first report for a ticket (a retried request sends it again)."""
    if session.get(TicketTouch, ticket_id) is None:
        session.add(TicketTouch(ticket_id=ticket_id, touch_s=touch_s))
