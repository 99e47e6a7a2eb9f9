"""One row per ticket with its moments measured and graded, as an SQL subquery.

Every report aggregates this subquery: durations and the standards' classification are
computed by the database, with the branch's targets and calendar overrides inlined as CASE
expressions (a handful of services and overrides per branch).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, literal, null, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Subquery
from sqlmodel import Session, col

from server.domain.calendar import zone
from server.domain.lifecycle import TicketStatus
from server.domain.standards import MOMENTS, Measure
from server.models import Branch, Ticket, TicketTouch
from server.reports import sqlexpr as sx
from server.reports.cycle import CycleConfig

GRADE_MISSED, GRADE_EXPECTED, GRADE_EXCLUSIVE = 0, 1, 2
# Which service's standard a moment is judged by: the customer's first arrival for the
# moments before the call, the service actually given for the rest.
_BY_FIRST_SERVICE = {"kiosk", "wait"}


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date
    start: dt.datetime  # UTC, local midnight of ``first``
    end: dt.datetime  # UTC, local midnight after ``last``

    @classmethod
    def of(cls, first: dt.date, last: dt.date, tz: str) -> Period:
        z = zone(tz)
        start = dt.datetime.combine(first, dt.time(), tzinfo=z).astimezone(dt.UTC)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=z)
        return cls(first, last, start, end.astimezone(dt.UTC))

    def days(self) -> list[dt.date]:
        n = (self.last - self.first).days + 1
        return [self.first + dt.timedelta(days=i) for i in range(n)]


def dialect_of(session: Session) -> str:
    return session.get_bind().dialect.name


def _factor(dialect: str, cfg: CycleConfig, moment: str, day_col: Any = None) -> ColumnElement[Any]:
    day_col = Ticket.business_date if day_col is None else day_col
    whens = []
    for o in cfg.overrides:
        if not o.applies_to(moment):
            continue
        conds = []
        if o.dates:
            conds.append(day_col.in_(sorted(o.dates)))
        if o.days_of_month:
            conds.append(sx.day_of_month(dialect, day_col).in_(sorted(o.days_of_month)))
        if conds:
            whens.append((or_(*conds), literal(o.factor)))
    return case(*whens, else_=literal(1.0)) if whens else literal(1.0)


def _target(cfg: CycleConfig, moment: str, service_col: Any, level: str) -> ColumnElement[Any]:
    whens = {}
    for code, per in cfg.targets.items():
        value = getattr(per[moment], level)
        if value is not None:
            whens[code] = literal(float(value))
    if not whens:
        return null()
    return case(whens, value=service_col, else_=null())


def grade_expr(
    dialect: str,
    cfg: CycleConfig,
    moment: str,
    value: Any,
    service_col: Any,
    day_col: Any = None,
) -> ColumnElement[Any]:
    expected = _target(cfg, moment, service_col, "expected")
    exclusive = _target(cfg, moment, service_col, "exclusive")
    if next(m for m in MOMENTS if m.key == moment).measure is Measure.SCORE:
        return case(
            (or_(value.is_(None), expected.is_(None)), null()),
            (value >= exclusive, literal(GRADE_EXCLUSIVE)),
            (value >= expected, literal(GRADE_EXPECTED)),
            else_=literal(GRADE_MISSED),
        )
    f = _factor(dialect, cfg, moment, day_col)
    return case(
        (or_(value.is_(None), expected.is_(None)), null()),
        (value <= exclusive * f, literal(GRADE_EXCLUSIVE)),
        (value <= expected * f, literal(GRADE_EXPECTED)),
        else_=literal(GRADE_MISSED),
    )


def ticket_facts(
    session: Session, branch: Branch, cfg: CycleConfig, period: Period, *, name: str = "facts"
) -> Subquery:
    d = dialect_of(session)
    secs = sx.seconds_between
    local = sx.local_time(
        d, Ticket.issued_at, tz=branch.timezone, start=period.start, end=period.end
    )
    done = col(Ticket.status) == TicketStatus.DONE.value
    start = case((col(Ticket.serving_at).is_(None), Ticket.called_at), else_=Ticket.serving_at)
    values: dict[str, Any] = {
        "kiosk": TicketTouch.touch_s,
        "wait": secs(d, Ticket.issued_at, Ticket.first_called_at),
        "walk": secs(d, Ticket.called_at, Ticket.serving_at),
        "service": case((done, secs(d, start, col(Ticket.finished_at))), else_=null()),
        "feedback": Ticket.feedback_score,
    }
    grades = {
        m.key: grade_expr(
            d,
            cfg,
            m.key,
            values[m.key],
            Ticket.original_service_code if m.key in _BY_FIRST_SERVICE else Ticket.service_code,
        )
        for m in MOMENTS
    }
    critical = [grades[k] for k in cfg.critical_moments]
    measured = (
        case((or_(*[g.is_not(None) for g in critical]), 1), else_=0) if critical else literal(0)
    )
    missed = (
        case((or_(*[g == GRADE_MISSED for g in critical]), 1), else_=0) if critical else literal(0)
    )
    stmt = (
        select(
            Ticket.id.label("id"),  # type: ignore[union-attr]
            col(Ticket.business_date).label("day"),
            col(Ticket.original_service_code).label("svc"),
            col(Ticket.service_code).label("final_svc"),
            col(Ticket.status).label("status"),
            col(Ticket.counter_id).label("counter_id"),
            col(Ticket.teller_id).label("teller_id"),
            col(Ticket.quoted_wait_s).label("quoted"),
            sx.local_hour(d, local).label("hour"),
            sx.local_weekday(d, local).label("weekday"),
            *(values[m.key].label(f"v_{m.key}") for m in MOMENTS),
            *(grades[m.key].label(f"g_{m.key}") for m in MOMENTS),
            measured.label("judged"),
            missed.label("missed"),
        )
        .select_from(Ticket)
        .outerjoin(TicketTouch, col(TicketTouch.ticket_id) == Ticket.id)
        .where(
            and_(
                col(Ticket.branch_id) == branch.id,
                col(Ticket.business_date) >= period.first,
                col(Ticket.business_date) <= period.last,
            )
        )
    )
    return stmt.subquery(name)
