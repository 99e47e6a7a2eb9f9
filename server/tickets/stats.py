"""Queue figures for quotes: who is waiting, which counters are open, recent service times."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import func
from sqlmodel import Session, col, select

from server.domain.estimates import average_service_s, estimate_wait_s
from server.domain.lifecycle import QUEUED, CounterState, TicketStatus
from server.models import Counter, Service, Ticket

RECENT_SAMPLES = 20


def waiting_counts(session: Session, branch_id: int) -> dict[str, int]:
    rows = session.exec(
        select(Ticket.service_code, func.count())
        .where(Ticket.branch_id == branch_id, col(Ticket.status).in_(QUEUED))
        .group_by(Ticket.service_code)
    ).all()
    return {code: int(n) for code, n in rows}


def open_counters_by_service(counters: Iterable[Counter]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for counter in counters:
        if counter.state == CounterState.OPEN:
            for code in counter.services:
                out[code] += 1
    return out


def recent_service_times(session: Session, branch_id: int, service_code: str) -> list[float]:
    rows = session.exec(
        select(Ticket.serving_at, Ticket.called_at, Ticket.finished_at)
        .where(
            Ticket.branch_id == branch_id,
            Ticket.service_code == service_code,
            col(Ticket.finished_at).is_not(None),
            Ticket.status == TicketStatus.DONE,
        )
        .order_by(col(Ticket.finished_at).desc())
        .limit(RECENT_SAMPLES)
    ).all()
    out = []
    for serving_at, called_at, finished_at in rows:
        start = serving_at or called_at
        if start is not None and finished_at is not None:
            out.append((finished_at - start).total_seconds())
    return out


def quote(
    session: Session,
    *,
    branch_id: int,
    service: Service,
    ahead: int,
    open_counters: int,
) -> int:
    avg = average_service_s(
        recent_service_times(session, branch_id, service.code), standard_s=service.standard_service_s
    )
    return estimate_wait_s(ahead=ahead, open_counters=open_counters, avg_service_s=avg)


def people_ahead(session: Session, ticket: Ticket) -> int:
    """Queued tickets of the same service that arrived earlier (priority ones count first)."""
    stmt = select(func.count()).where(
        Ticket.branch_id == ticket.branch_id,
        Ticket.service_code == ticket.service_code,
        col(Ticket.status).in_(QUEUED),
        Ticket.id != ticket.id,
    )
    earlier = (col(Ticket.issued_at) < ticket.issued_at) | (
        (col(Ticket.issued_at) == ticket.issued_at) & (col(Ticket.id) < ticket.id)
    )
    is_priority = col(Ticket.priority).is_(True)
    stmt = stmt.where(is_priority & earlier) if ticket.priority else stmt.where(is_priority | earlier)
    return int(session.exec(stmt).one())
