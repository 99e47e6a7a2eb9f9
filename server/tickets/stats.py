"""Queue figures for quotes: who is waiting, which counters are open, recent service times."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import bindparam, func
from sqlmodel import Session, col, select

from server.domain.estimates import formula_quote
from server.domain.lifecycle import QUEUED, CounterState, TicketStatus
from server.models import Counter, Service, Ticket

RECENT_SAMPLES = 20
# Recent service times change slowly; a quote may use figures this many seconds old.
RECENT_TTL_S = 5.0
RECENT_CACHE = "recent_service_times"
# A visit that ended at the counter: served, or called and not there.
VISITS_ENDED = (TicketStatus.DONE.value, TicketStatus.NO_SHOW.value)

_QUEUED_IN_SERVICE = select(func.count()).where(
    Ticket.branch_id == bindparam("branch_id"),
    Ticket.service_code == bindparam("service_code"),
    col(Ticket.status).in_(QUEUED),
)
_PRIORITY_QUEUED_IN_SERVICE = _QUEUED_IN_SERVICE.where(col(Ticket.priority).is_(True))
_OPEN_COUNTER_SERVICES = select(Counter.services).where(
    Counter.branch_id == bindparam("branch_id"), Counter.state == CounterState.OPEN.value
)


def queued_in_branch(session: Session, branch_id: int) -> list[Any]:
    """WHERE clauses for a branch's queued tickets that seek the queue-head index on
    (branch, service, status) instead of walking every ticket the branch ever had: a year of
    history made the plain ``branch AND status IN`` form cost 20-300 ms on SQLite."""
    codes = session.exec(select(Service.code).where(Service.branch_id == branch_id)).all()
    return [
        Ticket.branch_id == branch_id,
        col(Ticket.service_code).in_(codes),
        col(Ticket.status).in_(QUEUED),
    ]


def waiting_counts(session: Session, branch_id: int) -> dict[str, int]:
    rows = session.exec(
        select(Ticket.service_code, func.count())
        .where(*queued_in_branch(session, branch_id))
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


def count_ahead_of_new(
    session: Session, *, branch_id: int, service_code: str, priority: bool
) -> int:
    """People ahead of a ticket about to be issued: everyone queued in its service, or for a
    priority customer only the priority customers (they are called first)."""
    stmt = _PRIORITY_QUEUED_IN_SERVICE if priority else _QUEUED_IN_SERVICE
    return int(
        session.connection()
        .execute(stmt, {"branch_id": branch_id, "service_code": service_code})
        .scalar_one()
    )


def open_counters_for(session: Session, *, branch_id: int, service_code: str) -> int:
    rows = session.connection().execute(_OPEN_COUNTER_SERVICES, {"branch_id": branch_id}).scalars()
    return sum(1 for services in rows if service_code in services)


def recent_service_times(session: Session, branch_id: int, service_code: str) -> list[float]:
    """How long each of the service's last ``RECENT_SAMPLES`` calls kept its counter: from
    the call to the end of the visit, the customer's walk to the counter, recalls and
    no-shows included (what a counter's next call waits for)."""
    # The cache lives on the Database (see db.py), so it never outlives or crosses databases.
    cache = session.info.get("cache", {}).setdefault(RECENT_CACHE, {})
    key = (branch_id, service_code)
    hit = cache.get(key)
    if hit is not None and time.monotonic() - hit[0] < RECENT_TTL_S:
        cached: list[float] = hit[1]
        return cached
    rows = session.exec(
        select(Ticket.called_at, Ticket.finished_at)
        .where(
            Ticket.branch_id == branch_id,
            Ticket.service_code == service_code,
            col(Ticket.finished_at).is_not(None),
            col(Ticket.status).in_(VISITS_ENDED),
        )
        .order_by(col(Ticket.finished_at).desc())
        .limit(RECENT_SAMPLES)
    ).all()
    out = [
        (finished_at - called_at).total_seconds()
        for called_at, finished_at in rows
        if called_at is not None and finished_at is not None
    ]
    cache[key] = (time.monotonic(), out)
    return out


def forget_recent(session: Session, branch_id: int, service_code: str) -> None:
    """Drop cached service times after a service ends, so the next quote sees it."""
    session.info.get("cache", {}).get(RECENT_CACHE, {}).pop((branch_id, service_code), None)


def quote(
    session: Session,
    *,
    branch_id: int,
    service: Service,
    ahead: int,
    open_counters: int,
) -> int:
    return formula_quote(
        ahead=ahead,
        open_counters=open_counters,
        recent=recent_service_times(session, branch_id, service.code),
        standard_s=service.standard_service_s,
    )


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
    stmt = (
        stmt.where(is_priority & earlier) if ticket.priority else stmt.where(is_priority | earlier)
    )
    return int(session.exec(stmt).one())
