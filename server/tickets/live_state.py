"""A branch's queue as the forecasting engine takes it (``server/domain/forecast``), read
from the database: the one place that turns live rows into the engine's inputs.

Every queued ticket of the branch (and the counter a transfer is reserved for); every counter
that is not closed, with its services in profile order, state, normal-call streak and the
customer at it (their service, since being served or else called); the branch's ordering rules
as calling reads them (``ordering.policy_of``); a service-time model per service fitted to its
recent services (its standard while it has too few); and the rates at which priority and
transferred tickets (and for ``service_order`` normal ones too) arrived over the last hour,
since they may overtake.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from server.branches.lookup import list_counters, list_services
from server.domain.calendar import business_date, zone
from server.domain.forecast import (
    Arrivals,
    CounterNow,
    InService,
    ServiceModel,
    fit_service_times,
)
from server.domain.lifecycle import AT_COUNTER, QUEUED, CounterState, TicketStatus
from server.domain.ordering import Candidate, OrderMode, Policy, policy_of
from server.models import Branch, Ticket
from server.models.types import row_id
from server.tickets.stats import recent_service_times

ARRIVAL_WINDOW = dt.timedelta(hours=1)
# Past this many waiting the old formula quotes: the engine's cost grows with the queue.
MAX_WAITING = 2000


class Unquotable(Exception):
    """The engine is not to be asked; the message is the reason (a metric label)."""


@dataclass(frozen=True, slots=True)
class LiveState:
    """A branch's queue at ``now``: plain values, shareable between requests."""

    branch_id: int
    now: dt.datetime
    policy: Policy
    waiting: list[Candidate]
    counters: list[CounterNow]
    models: dict[str, ServiceModel]
    reserved: dict[int, int]  # ticket -> the counter it was transferred to
    arrivals: Arrivals
    tz: ZoneInfo


def load_state(session: Session, branch: Branch, *, now: dt.datetime) -> LiveState:
    """Everything the engine needs about ``branch`` now, in a handful of queries."""
    branch_id = row_id(branch)
    standards = {s.code: float(s.standard_service_s) for s in list_services(session, branch_id)}
    waiting, reserved = _waiting(session, branch_id, list(standards))
    if len(waiting) > MAX_WAITING:
        raise Unquotable("queue_too_long")
    counters = _counters(session, branch_id, standards)
    for c in counters:
        if c.current is not None and c.current.service_code not in standards:
            # A service removed since this customer was called: a typical visit.
            standards[c.current.service_code] = _typical(standards)
    samples = {code: recent_service_times(session, branch_id, code) for code in standards}
    policy = policy_of(branch)
    # Later normal tickets overtake only when the order prefers some services to others.
    overtaking_normal = policy.order_mode is OrderMode.SERVICE_ORDER
    return LiveState(
        branch_id=branch_id,
        now=now,
        policy=policy,
        waiting=waiting,
        counters=counters,
        models=fit_service_times(samples, standards),
        reserved=reserved,
        arrivals=_arrivals(session, branch, now=now, normal=overtaking_normal),
        tz=zone(branch.timezone),
    )


def _waiting(
    session: Session, branch_id: int, codes: list[str]
) -> tuple[list[Candidate], dict[int, int]]:
    rows = session.execute(
        sa_select(
            col(Ticket.id),
            col(Ticket.service_code),
            col(Ticket.issued_at),
            col(Ticket.queued_at),
            col(Ticket.priority),
            col(Ticket.status),
            col(Ticket.transfer_counter_id),
        ).where(
            col(Ticket.branch_id) == branch_id,
            col(Ticket.service_code).in_(codes),
            col(Ticket.status).in_(QUEUED),
        )
    ).all()
    waiting, reserved = [], {}
    for tid, code, issued_at, queued_at, prio, status, to_counter in rows:
        moved = status == TicketStatus.TRANSFERRED
        waiting.append(
            Candidate(tid, code, _aware(issued_at), _aware(queued_at), bool(prio), moved)
        )
        if moved and to_counter is not None:
            reserved[tid] = to_counter
    return waiting, reserved


def _counters(session: Session, branch_id: int, standards: dict[str, float]) -> list[CounterNow]:
    counters = [c for c in list_counters(session, branch_id) if c.state != CounterState.CLOSED]
    current_ids = [c.current_ticket_id for c in counters if c.current_ticket_id is not None]
    at_counter: dict[int, InService] = {}
    if current_ids:
        rows = session.execute(
            sa_select(
                col(Ticket.id),
                col(Ticket.service_code),
                col(Ticket.serving_at),
                col(Ticket.called_at),
            ).where(col(Ticket.id).in_(current_ids), col(Ticket.status).in_(AT_COUNTER))
        ).all()
        for tid, code, serving_at, called_at in rows:
            started = serving_at or called_at
            if started is not None:
                at_counter[tid] = InService(code, _aware(started))
    return [
        CounterNow(
            id=row_id(c),
            services=tuple(code for code in c.services if code in standards),
            state=CounterState(c.state),
            normal_streak=c.normal_streak,
            current=at_counter.get(c.current_ticket_id) if c.current_ticket_id else None,
        )
        for c in counters
    ]


def _arrivals(session: Session, branch: Branch, *, now: dt.datetime, normal: bool) -> Arrivals:
    """Tickets per hour over the last hour that may overtake a waiting one: priority ones,
    transferred ones (into the service they wait in now), and normal ones when asked."""
    since = now - ARRIVAL_WINDOW
    per_hour = 3600 / ARRIVAL_WINDOW.total_seconds()
    recent = (
        col(Ticket.branch_id) == row_id(branch),
        # The day's tickets only (an index), then the last hour of them.
        col(Ticket.business_date) >= business_date(since, branch.timezone),
    )
    issued = session.execute(
        sa_select(col(Ticket.original_service_code), col(Ticket.priority), func.count())
        .where(*recent, col(Ticket.issued_at) >= since, col(Ticket.issued_at) <= now)
        .group_by(col(Ticket.original_service_code), col(Ticket.priority))
    ).all()
    prio: dict[str, float] = defaultdict(float)
    plain: dict[str, float] = defaultdict(float)
    for code, is_prio, n in issued:
        (prio if is_prio else plain)[code] += n * per_hour
    moves = session.execute(
        sa_select(col(Ticket.service_code), col(Ticket.issued_at), col(Ticket.queued_at)).where(
            *recent,
            col(Ticket.transfer_count) > 0,
            col(Ticket.queued_at) >= since,
            col(Ticket.queued_at) <= now,
        )
    ).all()
    moved: dict[str, float] = defaultdict(float)
    ages = []
    for code, issued_at, queued_at in moves:
        moved[code] += per_hour
        ages.append((_aware(queued_at) - _aware(issued_at)).total_seconds())
    return Arrivals(
        normal_per_h=dict(plain) if normal else {},
        priority_per_h=dict(prio),
        transfers_per_h=dict(moved),
        transfer_age_s=sum(ages) / len(ages) if ages else 0.0,
    )


def _typical(standards: dict[str, float]) -> float:
    return sum(standards.values()) / len(standards) if standards else 300.0


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
