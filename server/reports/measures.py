"""Per-ticket facts and the additive measures every report is made of.

``live_facts`` reads tickets into the shape of the ``report_fact`` table (values in integer
milliseconds: exactly the 3-decimal seconds the reports used to compute); ``graded`` adds
each moment's grade under the branch's current standards; ``measure_exprs`` are the sums a
report needs per group. The same expressions build the rollup of a closed day and aggregate
the live part of a range, so both parts always agree.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    and_,
    case,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    true,
)
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Subquery
from sqlmodel import col

from server.domain.calendar import business_date
from server.domain.lifecycle import QUEUED, TicketStatus
from server.domain.standards import MOMENT_KEYS, MOMENTS
from server.models import Branch, Event, Ticket, TicketTouch
from server.realtime.events import EventType
from server.reports import sqlexpr as sx
from server.reports.accuracy import WITHIN_S, within_target
from server.reports.cycle import CycleConfig
from server.reports.grading import GRADE_EXCLUSIVE, GRADE_EXPECTED, GRADE_MISSED, grade_expr
from server.reports.period import Period

# Wait buckets (seconds) of the satisfaction view: a wait w falls in [from, to).
WAIT_BUCKETS = (
    (0, 120),
    (120, 300),
    (300, 600),
    (600, 900),
    (900, 1200),
    (1200, 1800),
    (1800, None),
)
MASK = {"kiosk": 1, "wait": 2, "walk": 4, "service": 8, "feedback": 16}
# The fact column holding each moment's value, its unit (per second) and the service whose
# standard judges it (issued-for before the call, the service given after).
VALUE = {
    "kiosk": ("kiosk_s", 1),
    "wait": ("wait_ms", 1000),
    "walk": ("walk_ms", 1000),
    "service": ("service_ms", 1000),
    "feedback": ("feedback", 1),
}
SERVICE_OF = {"kiosk": "svc", "wait": "svc", "walk": "final_svc", "service": "final_svc"}
SERVICE_OF["feedback"] = "final_svc"
_ms = sx.ms_between


def live_facts(
    dialect: str, branch: Branch, period: Period, *where: Any, now: dt.datetime | None = None
) -> Select[Any]:
    """Tickets of ``branch`` (issued in ``period``, filtered by ``where``) as fact rows.

    ``waiting_ms``: how long a customer never called waited, until they left or (with
    ``now``) until now, so that one past the wait standard counts as missed (``graded``)
    instead of as not measured."""
    local = sx.local_time(
        dialect, Ticket.issued_at, tz=branch.timezone, start=period.start, end=period.end
    )
    done = col(Ticket.status) == TicketStatus.DONE.value
    start = case((col(Ticket.serving_at).is_(None), Ticket.called_at), else_=Ticket.serving_at)
    wait = _ms(dialect, Ticket.issued_at, Ticket.first_called_at)
    # Never called: until the customer left (cancelled), or until now while still queued
    # today (a ticket left queued from an earlier day waits for the day close to settle it:
    # a summarised day does not change with the hour it is read).
    left = and_(col(Ticket.first_called_at).is_(None), col(Ticket.finished_at).is_not(None))
    today = [] if now is None else [business_date(now, branch.timezone)]
    queued_today = and_(
        col(Ticket.status).in_([s.value for s in QUEUED]),
        col(Ticket.business_date).in_(today),
    )
    waiting = case(
        (left, _ms(dialect, Ticket.issued_at, col(Ticket.finished_at))),
        *([] if now is None else [(queued_today, _ms(dialect, Ticket.issued_at, literal(now)))]),
        else_=null(),
    )
    walk = _ms(dialect, Ticket.called_at, Ticket.serving_at)
    service = case((done, _ms(dialect, start, col(Ticket.finished_at))), else_=null())
    values: dict[str, Any] = {
        "kiosk": TicketTouch.touch_s,
        "wait": wait,
        "walk": walk,
        "service": service,
        "feedback": Ticket.feedback_score,
    }
    vmask = sum((case((values[k].is_(None), 0), else_=bit) for k, bit in MASK.items()), literal(0))
    recovered = exists().where(
        and_(
            col(Event.ticket_id) == col(Ticket.id),
            col(Event.type) == EventType.TICKET_RECOVERY.value,
        )
    )
    busy = case(
        (
            and_(
                col(Ticket.teller_id).is_not(None),
                col(Ticket.status).in_([TicketStatus.DONE.value, TicketStatus.NO_SHOW.value]),
            ),
            _ms(dialect, Ticket.called_at, Ticket.finished_at),
        ),
        else_=null(),
    )
    return (
        select(
            col(Ticket.id).label("ticket_id"),
            col(Ticket.branch_id).label("branch_id"),
            col(Ticket.business_date).label("business_date"),
            sx.local_hour(dialect, local).label("hour"),
            sx.local_weekday(dialect, local).label("weekday"),
            col(Ticket.original_service_code).label("svc"),
            col(Ticket.service_code).label("final_svc"),
            col(Ticket.status).label("status"),
            col(Ticket.counter_id).label("counter_id"),
            col(Ticket.teller_id).label("teller_id"),
            col(Ticket.quoted_wait_s).label("quoted_s"),
            vmask.label("vmask"),
            values["kiosk"].label("kiosk_s"),
            wait.label("wait_ms"),
            walk.label("walk_ms"),
            service.label("service_ms"),
            col(Ticket.feedback_score).label("feedback"),
            case((recovered, 1), else_=0).label("recovered"),
            col(Ticket.finished_at).label("finished_at"),
            busy.label("busy_ms"),
            waiting.label("waiting_ms"),
        )
        .select_from(Ticket)
        .outerjoin(TicketTouch, col(TicketTouch.ticket_id) == Ticket.id)
        .where(
            col(Ticket.branch_id) == branch.id,
            col(Ticket.business_date) >= period.first,
            col(Ticket.business_date) <= period.last,
            *where,
        )
    )


def seconds_value(f: Any, moment: str) -> ColumnElement[Any]:
    """A moment's value in the reports' unit (seconds, or the score)."""
    name, unit = VALUE[moment]
    value: ColumnElement[Any] = f.c[name] / float(unit) if unit != 1 else f.c[name]
    return value


def measured(f: Any, moment: str, cfg: CycleConfig) -> ColumnElement[Any]:
    """The moment was measured and is judged (its service has standards)."""
    return and_(
        f.c[VALUE[moment][0]].is_not(None), f.c[SERVICE_OF[moment]].in_(sorted(cfg.targets))
    )


def graded(dialect: str, cfg: CycleConfig, facts: Any, name: str = "graded") -> Subquery:
    """``facts`` with each moment's grade (g_*) and the ticket's judged / missed flags."""
    grades = {
        m.key: grade_expr(
            dialect,
            cfg,
            m.key,
            seconds_value(facts, m.key),
            facts.c[SERVICE_OF[m.key]],
            facts.c.business_date,
        )
        for m in MOMENTS
    }
    # Never called: the wait is not measured, unless the customer already waited past the
    # standard (missed, whatever happens next or whether they gave up).
    so_far = grade_expr(
        dialect, cfg, "wait", facts.c.waiting_ms / 1000.0, facts.c.svc, facts.c.business_date
    )
    grades["wait"] = case(
        (facts.c.wait_ms.is_not(None), grades["wait"]),
        (so_far == GRADE_MISSED, literal(GRADE_MISSED)),
        else_=null(),
    )
    critical = [grades[k] for k in cfg.critical_moments]
    judged = (
        case((or_(*[g.is_not(None) for g in critical]), 1), else_=0) if critical else literal(0)
    )
    missed = (
        case((or_(*[g == GRADE_MISSED for g in critical]), 1), else_=0) if critical else literal(0)
    )
    return select(
        *facts.c,
        *(grades[k].label(f"g_{k}") for k in MOMENT_KEYS),
        judged.label("judged"),
        missed.label("missed"),
    ).subquery(name)


def _count(cond: Any) -> ColumnElement[Any]:
    return func.sum(case((cond, 1), else_=0))


def _sum(cond: Any, value: Any) -> ColumnElement[Any]:
    return func.sum(case((cond, value), else_=0))


def _base(g: Subquery, within: Any, prefix: str) -> dict[str, ColumnElement[Any]]:
    fb = g.c.feedback.is_not(None)
    return {
        f"{prefix}served": _count(and_(within, g.c.status == TicketStatus.DONE.value)),
        f"{prefix}no_show": _count(and_(within, g.c.status == TicketStatus.NO_SHOW.value)),
        f"{prefix}wait_n": _count(and_(within, g.c.wait_ms.is_not(None))),
        f"{prefix}wait_ms": _sum(and_(within, g.c.wait_ms.is_not(None)), g.c.wait_ms),
        f"{prefix}service_n": _count(and_(within, g.c.service_ms.is_not(None))),
        f"{prefix}service_ms": _sum(and_(within, g.c.service_ms.is_not(None)), g.c.service_ms),
        f"{prefix}fb_n": _count(and_(within, fb)),
        f"{prefix}fb_sum": _sum(and_(within, fb), g.c.feedback),
    }


def measure_exprs(g: Subquery) -> dict[str, ColumnElement[Any]]:
    """Every additive measure of ROLLUP_MEASURES as an aggregate over graded facts ``g``."""
    yes = true()
    out: dict[str, ColumnElement[Any]] = {"tickets": func.count()}
    out |= _base(g, yes, "")
    out["judged"] = func.sum(g.c.judged)
    out["missed"] = func.sum(g.c.missed)
    for m in MOMENT_KEYS:
        grade = g.c[f"g_{m}"]
        on = grade.is_not(None)
        out[f"m_{m}_n"] = _count(on)
        out[f"m_{m}_missed"] = _count(grade == GRADE_MISSED)
        out[f"m_{m}_expected"] = _count(grade == GRADE_EXPECTED)
        out[f"m_{m}_exclusive"] = _count(grade == GRADE_EXCLUSIVE)
        value: ColumnElement[Any] = g.c[VALUE[m][0]]
        if m == "wait":  # a customer judged before being called: their wait so far
            value = func.coalesce(value, g.c.waiting_ms)
        out[f"m_{m}_vsum"] = _sum(on, value)
        out |= _base(g, on, f"m_{m}_")
    w = g.c.wait_ms
    fb = g.c.feedback.is_not(None)
    for i, (lo, hi) in enumerate(WAIT_BUCKETS):
        if hi is None:
            inside = w >= lo * 1000
        else:  # the first bucket takes every wait below its end
            inside = w < hi * 1000 if i == 0 else and_(w >= lo * 1000, w < hi * 1000)
        out[f"sat{i}_n"] = _count(inside)
        out[f"sat{i}_fb_n"] = _count(and_(inside, fb))
        out[f"sat{i}_fb_sum"] = _sum(and_(inside, fb), g.c.feedback)
    called = w.is_not(None)
    err = w - g.c.quoted_s * 1000
    out["est_n"] = _count(called)
    out["est_abs_ms"] = _sum(called, func.abs(err))
    out["est_err_ms"] = _sum(called, err)
    out["est_within"] = _count(and_(called, func.abs(err) <= WITHIN_S * 1000))
    # Within max(2 min, 20 % of the actual wait): the contract's within_target_pct.
    out["est_within_target"] = _count(and_(called, within_target(err, w)))
    missed_wait = g.c.g_wait == GRADE_MISSED
    rec = g.c.recovered == 1
    out["rec_recovered"] = _count(and_(missed_wait, rec))
    out["rec_fb_n1"] = _count(and_(missed_wait, rec, fb))
    out["rec_fb_sum1"] = _sum(and_(missed_wait, rec, fb), g.c.feedback)
    out["rec_fb_n0"] = _count(and_(missed_wait, ~rec, fb))
    out["rec_fb_sum0"] = _sum(and_(missed_wait, ~rec, fb), g.c.feedback)
    return out
