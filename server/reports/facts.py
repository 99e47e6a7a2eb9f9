"""A report's period and the SQL that grades a moment against the branch's standards.

The classification is computed by the database: the branch's targets and calendar overrides
are inlined as CASE expressions (a handful of services and overrides per branch). The facts
themselves are built by ``measures`` (one row per ticket, summarised per day by ``rollup``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, literal, null, or_
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from server.domain.calendar import zone
from server.domain.standards import MOMENTS, Measure
from server.models import Ticket
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
