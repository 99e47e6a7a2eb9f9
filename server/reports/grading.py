"""How a moment is graded against the branch's standards, as SQL.

The classification is computed by the database: the branch's targets and calendar overrides
are inlined as CASE expressions (a handful of services and overrides per branch).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, literal, null, or_
from sqlalchemy.sql.elements import ColumnElement, Null

from server.domain.standards import MOMENTS, Measure
from server.models import Ticket
from server.reports import sqlexpr as sx
from server.reports.cycle import CycleConfig

GRADE_MISSED, GRADE_EXPECTED, GRADE_EXCLUSIVE = 0, 1, 2


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
    if isinstance(expected, Null):
        return null()  # no service has a target for this moment (a branch with no services)
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
