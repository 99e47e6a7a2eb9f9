"""A branch's queue as the forecasting engine takes it (``server/domain/forecast``), read
from the database: the one place that turns live rows into the engine's inputs.

Every queued ticket of the branch (and the counter a transfer is reserved for); every counter
that is not closed, with its services in profile order, state, normal-call streak, the
customer at it (their service, and when they were called) and, when paused, when it is expected
back (the branch's typical pause: ``domain/pauses.py``); the branch's ordering rules
as calling reads them (``ordering.policy_of``); a service-time model per service fitted to its
recent services (its standard while it has too few); and the rates at which priority and
transferred tickets (and for ``service_order`` normal ones too) arrived over the last two hours,
since they may overtake.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
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
from server.domain.pauses import HISTORY, Pause, expected_back, pauses_of
from server.models import Branch, Event, Ticket
from server.models.types import row_id
from server.realtime.events import EventType
from server.tickets.stats import VISITS_ENDED, recent_service_times

# Priority and transferred tickets are few: an hour's count of them is too noisy a rate
# (three transfers into a one-counter service in an hour quoted its next customer hours);
# two hours still follow the lunch wave (bench/estimates.py measured 1, 2 and 3 hours).
ARRIVAL_WINDOW = dt.timedelta(hours=2)
# How long the branch's past pauses stay cached (they change at most a few times a day).
PAUSES_TTL_S = 600.0
_PAUSES = "forecast_pauses"
_HOURLY = "forecast_hourly"
HOURLY_HISTORY = dt.timedelta(days=14)
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
    too_long(waiting)  # before reading the rest
    counters = _counters(session, branch_id, standards, now)
    samples = {code: recent_service_times(session, branch_id, code) for code in standards}
    policy = policy_of(branch)
    issued, (moves, moved_into) = _recent(session, branch, now=now)
    return build_state(
        branch_id=branch_id,
        now=now,
        policy=policy,
        waiting=waiting,
        reserved=reserved,
        counters=counters,
        samples=samples,
        hourly=hourly_visits(session, branch, now=now),
        standards=standards,
        issued=issued,
        moves=moves,
        moved_into=moved_into,
        tz=zone(branch.timezone),
    )


def build_state(
    *,
    branch_id: int,
    now: dt.datetime,
    policy: Policy,
    waiting: list[Candidate],
    reserved: dict[int, int],
    counters: list[CounterNow],
    samples: Mapping[str, Sequence[float]],
    standards: Mapping[str, float],
    hourly: Mapping[str, Mapping[int, Sequence[float]]] | None = None,
    issued: Mapping[tuple[str, bool], int],
    moves: Sequence[float],
    moved_into: Mapping[str, int],
    tz: ZoneInfo,
) -> LiveState:
    """The state from plain figures: what ``load_state`` read, or what ``sira simulate``
    keeps in memory (one definition of how the engine's inputs are made from them).

    ``samples``: the recent visit lengths per service (``stats.RECENT_SAMPLES``); ``hourly``:
    those of the last ``HOURLY_HISTORY`` by local hour of the call (an hour with
    ``MIN_HOUR_SAMPLES`` of them has its own model: lunch visits may run longer);
    ``issued``: tickets issued over the last ``ARRIVAL_WINDOW`` by (service, priority);
    ``moves``: for each ticket transferred over it, how long after its issue; ``moved_into``:
    how many were transferred into each service over it.
    """
    too_long(waiting)
    standards = dict(standards)
    for c in counters:
        if c.current is not None and c.current.service_code not in standards:
            # A service removed since this customer was called: a typical visit.
            standards[c.current.service_code] = _typical(standards)
    # Later normal tickets overtake only when the order prefers some services to others.
    overtaking_normal = policy.order_mode is OrderMode.SERVICE_ORDER
    return LiveState(
        branch_id=branch_id,
        now=now,
        policy=policy,
        waiting=waiting,
        counters=counters,
        models=fit_service_times(samples, standards, hourly_samples=hourly),
        reserved=reserved,
        arrivals=arrival_rates(issued, moves, moved_into, normal=overtaking_normal),
        tz=tz,
    )


def too_long(waiting: Sequence[Candidate]) -> None:
    """Past ``MAX_WAITING`` the engine is not asked (its cost grows with the queue)."""
    if len(waiting) > MAX_WAITING:
        raise Unquotable("queue_too_long")


def arrival_rates(
    issued: Mapping[tuple[str, bool], int],
    moves: Sequence[float],
    moved_into: Mapping[str, int],
    *,
    normal: bool,
) -> Arrivals:
    """Tickets per hour that may overtake a waiting one, from the counts over the last
    ``ARRIVAL_WINDOW``: priority ones, transferred ones (into the service they wait in now),
    and normal ones when asked."""
    per_hour = 3600 / ARRIVAL_WINDOW.total_seconds()
    prio: dict[str, float] = defaultdict(float)
    plain: dict[str, float] = defaultdict(float)
    for (code, is_prio), n in issued.items():
        (prio if is_prio else plain)[code] += n * per_hour
    return Arrivals(
        normal_per_h=dict(plain) if normal else {},
        priority_per_h=dict(prio),
        transfers_per_h={code: n * per_hour for code, n in moved_into.items() if n},
        transfer_age_s=sum(moves) / len(moves) if moves else 0.0,
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


def _counters(
    session: Session, branch_id: int, standards: dict[str, float], now: dt.datetime
) -> list[CounterNow]:
    counters = [c for c in list_counters(session, branch_id) if c.state != CounterState.CLOSED]
    pauses = (
        past_pauses(session, branch_id, now=now)
        if any(c.state == CounterState.PAUSED for c in counters)
        else []
    )
    current_ids = [c.current_ticket_id for c in counters if c.current_ticket_id is not None]
    at_counter: dict[int, InService] = {}
    if current_ids:
        rows = session.execute(
            sa_select(
                col(Ticket.id),
                col(Ticket.service_code),
                col(Ticket.called_at),
            ).where(col(Ticket.id).in_(current_ids), col(Ticket.status).in_(AT_COUNTER))
        ).all()
        for tid, code, called_at in rows:
            # Since the call, as the recent visit lengths are measured (stats).
            if called_at is not None:
                at_counter[tid] = InService(code, _aware(called_at))
    return [
        CounterNow(
            id=row_id(c),
            services=tuple(code for code in c.services if code in standards),
            state=CounterState(c.state),
            normal_streak=c.normal_streak,
            current=at_counter.get(c.current_ticket_id) if c.current_ticket_id else None,
            returns_at=expected_back(
                pauses,
                reason=c.pause_reason,
                since=_aware(c.state_since) if c.state_since else None,
                now=now,
            )
            if c.state == CounterState.PAUSED
            else None,
        )
        for c in counters
    ]


def hourly_visits(
    session: Session, branch: Branch, *, now: dt.datetime
) -> dict[str, dict[int, list[float]]]:
    """The visit lengths (call to end) of the last ``HOURLY_HISTORY`` per service by the local
    hour of their call, read at most every ``PAUSES_TTL_S`` per branch."""
    branch_id = row_id(branch)
    cache = session.info.get("cache", {}).setdefault(_HOURLY, {})
    hit = cache.get(branch_id)
    if hit is not None and time.monotonic() - hit[0] < PAUSES_TTL_S:
        found: dict[str, dict[int, list[float]]] = hit[1]
        return found
    rows = session.execute(
        sa_select(col(Ticket.service_code), col(Ticket.called_at), col(Ticket.finished_at)).where(
            col(Ticket.branch_id) == branch_id,
            col(Ticket.business_date) >= business_date(now - HOURLY_HISTORY, branch.timezone),
            col(Ticket.status).in_(VISITS_ENDED),
            col(Ticket.called_at).is_not(None),
            col(Ticket.finished_at).is_not(None),
        )
    ).all()
    z = zone(branch.timezone)
    out: dict[str, dict[int, list[float]]] = defaultdict(lambda: defaultdict(list))
    for code, called_at, finished_at in rows:
        called = _aware(called_at)
        out[code][called.astimezone(z).hour].append((_aware(finished_at) - called).total_seconds())
    plain = {code: dict(hours) for code, hours in out.items()}
    cache[branch_id] = (time.monotonic(), plain)
    return plain


def past_pauses(session: Session, branch_id: int, *, now: dt.datetime) -> list[Pause]:
    """The branch's pauses over the last ``pauses.HISTORY`` (from its counters' changes in
    the event log), read at most every ``PAUSES_TTL_S`` per branch."""
    cache = session.info.get("cache", {}).setdefault(_PAUSES, {})
    hit = cache.get(branch_id)
    if hit is not None and time.monotonic() - hit[0] < PAUSES_TTL_S:
        found: list[Pause] = hit[1]
        return found
    rows = session.execute(
        sa_select(col(Event.counter_id), col(Event.at), col(Event.data))
        .where(
            col(Event.branch_id) == branch_id,
            col(Event.type) == EventType.COUNTER_CHANGED.value,
            col(Event.at) >= now - HISTORY,
            col(Event.at) <= now,
        )
        .order_by(col(Event.at), col(Event.seq))
    ).all()
    changes = []
    for counter_id, at, data in rows:
        c = (data or {}).get("counter") or {}
        if counter_id is not None and isinstance(c.get("state"), str):
            changes.append((counter_id, _aware(at), c["state"], c.get("pause_reason")))
    out = pauses_of(changes)
    cache[branch_id] = (time.monotonic(), out)
    return out


def _recent(
    session: Session, branch: Branch, *, now: dt.datetime
) -> tuple[dict[tuple[str, bool], int], tuple[list[float], dict[str, int]]]:
    """Over the last ``ARRIVAL_WINDOW``: tickets issued by (service, priority); and how long
    after their issue tickets were transferred, with how many went into each service."""
    since = now - ARRIVAL_WINDOW
    recent = (
        col(Ticket.branch_id) == row_id(branch),
        # The day's tickets only (an index), then the window's.
        col(Ticket.business_date) >= business_date(since, branch.timezone),
    )
    rows = session.execute(
        sa_select(col(Ticket.original_service_code), col(Ticket.priority), func.count())
        .where(*recent, col(Ticket.issued_at) >= since, col(Ticket.issued_at) <= now)
        .group_by(col(Ticket.original_service_code), col(Ticket.priority))
    ).all()
    issued: dict[tuple[str, bool], int] = defaultdict(int)
    for code, is_prio, n in rows:
        issued[(code, bool(is_prio))] += int(n)
    moves = session.execute(
        sa_select(col(Ticket.service_code), col(Ticket.issued_at), col(Ticket.queued_at)).where(
            *recent,
            col(Ticket.transfer_count) > 0,
            col(Ticket.queued_at) >= since,
            col(Ticket.queued_at) <= now,
        )
    ).all()
    into: dict[str, int] = defaultdict(int)
    ages = []
    for code, issued_at, queued_at in moves:
        into[code] += 1
        ages.append((_aware(queued_at) - _aware(issued_at)).total_seconds())
    return dict(issued), (ages, dict(into))


def _typical(standards: dict[str, float]) -> float:
    return sum(standards.values()) / len(standards) if standards else 300.0


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
