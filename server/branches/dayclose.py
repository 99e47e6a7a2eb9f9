"""Closing business days: tickets still waiting when the day ends are cancelled, and the
closed days are summarised for the reports."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from server.domain.calendar import business_date
from server.domain.lifecycle import QUEUED
from server.models import Branch, Ticket
from server.reports.rollup import refresh as refresh_reports
from server.tickets.service import cancel

DAY_CLOSED = "day_closed"


def close_past_days(session: Session, branch: Branch, *, now: dt.datetime) -> int:
    """Cancel (reason ``day_closed``) queued tickets of days before today; returns how many.

    Branches configured with ``keep_waiting_at_close`` keep them in the queue instead.
    Numbering needs no reset: it is keyed by business date.
    """
    today = business_date(now, branch.timezone)
    if branch.closed_through == (today - dt.timedelta(days=1)).isoformat():
        refresh_reports(session, branch, now=now)
        return 0
    closed = 0
    if not branch.keep_waiting_at_close:
        leftovers = session.exec(
            select(Ticket).where(
                Ticket.branch_id == branch.id,
                col(Ticket.status).in_(QUEUED),
                Ticket.business_date < today,
            )
        ).all()
        for ticket in leftovers:
            cancel(session, ticket, reason=DAY_CLOSED, principal=None, now=now)
            closed += 1
    branch.closed_through = (today - dt.timedelta(days=1)).isoformat()
    session.add(branch)
    session.flush()
    # Summarise the closed days (and any day changed since) for the reports.
    refresh_reports(session, branch, now=now)
    return closed
