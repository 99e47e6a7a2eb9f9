"""Stored quotes against the waits that followed them, read live from the tickets of a
range: re-quote accuracy per issued service, and the quoted-against-actual points of the
manager's chart.

Only called tickets count (a quote is judged by the call that ends the wait); a ticket is
in the range by its business date and in the group of the service it was issued for, as in
the rollups' ``est_*`` sums.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, literal, select
from sqlalchemy.sql import Select
from sqlmodel import Session, col

from server.models import Branch, Ticket, TicketQuote
from server.models.types import table_of
from server.reports import sqlexpr as sx
from server.reports.accuracy import within_target
from server.reports.period import Period, dialect_of
from server.tickets.quotes import REQUOTE

MAX_POINTS = 2000

_Q = table_of(TicketQuote)


@dataclass(frozen=True)
class RequoteSums:
    n: int
    abs_ms: int
    within_target: int


def _called_in(branch: Branch, period: Period) -> list[Any]:
    return [
        col(Ticket.branch_id) == branch.id,
        col(Ticket.business_date) >= period.first,
        col(Ticket.business_date) <= period.last,
        col(Ticket.first_called_at).is_not(None),
    ]


def requote_select(dialect: str, branch: Branch, period: Period) -> Select[str, int, Any, Any]:
    """Per issued service: re-quotes of called tickets made before the first call, the sum
    of their absolute errors and how many were within target. Error = (first call −
    re-quote) − the wait re-quoted. A re-quote after the first call (a transferred customer
    waiting again) was about another wait and is left out.

    Walks the range's tickets by ``ix_ticket_branch_date`` and each one's quotes by
    ``ix_ticket_quote_ticket`` (ticket, at)."""
    after_ms = sx.ms_between(dialect, _Q.c.at, Ticket.first_called_at)
    err = after_ms - _Q.c.wait_s * 1000
    return (
        select(
            col(Ticket.original_service_code),
            func.count(),
            func.sum(func.abs(err)),
            func.sum(case((within_target(err, after_ms), 1), else_=0)),
        )
        .select_from(Ticket)
        .join(_Q, _Q.c.ticket_id == Ticket.id)
        .where(
            *_called_in(branch, period),
            _Q.c.kind == REQUOTE,
            _Q.c.at <= Ticket.first_called_at,
        )
        .group_by(col(Ticket.original_service_code))
    )


def requote_sums(session: Session, branch: Branch, period: Period) -> dict[str, RequoteSums]:
    """``requote_select``'s sums by issued service."""
    stmt = requote_select(dialect_of(session), branch, period)
    return {
        str(svc): RequoteSums(int(n), int(abs_ms or 0), int(within or 0))
        for svc, n, abs_ms, within in session.execute(stmt).all()
    }


def points(
    session: Session, branch: Branch, period: Period, *, service: str | None = None
) -> tuple[list[tuple[str, int, float]], int]:
    """(service, quoted_s, actual_s) of the range's called tickets (the quote at issue,
    ``ticket.quoted_wait_s``, against first call − issue), in id order, and how many there
    are. Over ``MAX_POINTS``: every k-th of them by id, k = ceil(total / MAX_POINTS)."""
    where = _called_in(branch, period)
    if service is not None:
        where.append(col(Ticket.original_service_code) == service)
    total = int(
        session.execute(select(func.count()).select_from(Ticket).where(*where)).scalar_one()
    )
    wait_ms = sx.ms_between(dialect_of(session), Ticket.issued_at, Ticket.first_called_at)
    columns = [
        col(Ticket.original_service_code).label("svc"),
        col(Ticket.quoted_wait_s).label("quoted_s"),
        wait_ms.label("wait_ms"),
    ]
    if total <= MAX_POINTS:
        stmt = select(*columns).where(*where).order_by(col(Ticket.id))
    else:
        step = math.ceil(total / MAX_POINTS)
        rn = func.row_number().over(order_by=col(Ticket.id)).label("rn")
        ranked = select(*columns, rn).where(*where).subquery("ranked")
        stmt = (
            select(ranked.c.svc, ranked.c.quoted_s, ranked.c.wait_ms)
            .where((ranked.c.rn - literal(1)) % step == 0)
            .order_by(ranked.c.rn)
        )
    rows = [
        (str(svc), int(quoted), round(int(ms) / 1000, 1))
        for svc, quoted, ms in session.execute(stmt).all()
    ]
    return rows, total
