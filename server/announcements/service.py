"""Which announcements may be generated: only calls that were made.

The audio route is public (an ``<audio>`` element sends no token), so without this anyone could
have the server synthesise a file for every made-up code and counter until the disk is full.
"""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from server.models import Counter, Ticket

# How long after a call its announcement may still be generated (a display that was off).
CALL_WINDOW = dt.timedelta(hours=12)


def was_called(session: Session, *, code: str, counter: str, now: dt.datetime) -> bool:
    """A ticket ``code`` was called (or recalled) at a counter labelled ``counter`` lately."""
    # Every zone's business date lies within a day of the UTC date: this keeps the lookup on
    # the (branch, business date) index instead of scanning all history for the code.
    today = now.astimezone(dt.UTC).date()
    days = [today - dt.timedelta(days=1), today, today + dt.timedelta(days=1)]
    found = session.exec(
        select(Ticket.id)
        .join(Counter, col(Counter.id) == Ticket.counter_id)
        .where(
            col(Ticket.business_date).in_(days),
            Ticket.code == code,
            Counter.label == counter,
            col(Ticket.called_at) >= now - CALL_WINDOW,
        )
        .limit(1)
    ).first()
    return found is not None
