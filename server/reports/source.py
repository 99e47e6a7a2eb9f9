"""Reading a range: sums from the rollups of summarised days plus the same sums computed
live from the tickets of the other days, and exact percentiles over both.

A percentile is the k-th smallest value (``percentile_disc``: k = ceil(p * n / 100)); n is
known from the sums, so the database walks an index of ``report_fact`` in value order (from
whichever end is nearer) merged with the few live values, and stops at the k-th.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, desc, func, select, union_all
from sqlalchemy.sql import Select
from sqlalchemy.sql.selectable import CTE
from sqlalchemy.sql.util import ClauseAdapter
from sqlmodel import Session

from server.models import Branch, Ticket, report_day, report_fact, report_rollup
from server.reports import sqlexpr as sx
from server.reports.cycle import CycleConfig
from server.reports.facts import Period, dialect_of
from server.reports.measures import MASK, SERVICE_OF, graded, live_facts, measure_exprs
from server.reports.rollup import Coverage, coverage

RF, RR, RD = report_fact, report_rollup, report_day
_CHUNK = 200  # percentile lookups per statement
SHORT_DAYS = 62


def as_date(value: Any) -> Any:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


@dataclass
class Range:
    """One report request's view of a branch over a period."""

    session: Session
    branch: Branch
    cfg: CycleConfig
    period: Period
    cov: Coverage
    _fact_days: tuple[Any, Any] | None = None  # first and last day of the stored facts

    @property
    def dialect(self) -> str:
        return dialect_of(self.session)

    def live_select(self) -> Select[Any]:
        # Bounded by the first live day: SQLite's planner takes one lower bound of the date
        # index, and the range's own would walk every stored day's tickets.
        first = self.cov.live_first
        period = self.period
        if first > period.first:
            period = Period.of(first, period.last, self.branch.timezone)
        return live_facts(
            self.dialect,
            self.branch,
            period,
            *self.cov.live_where(Ticket.business_date),
        )

    def stored_days_where(self, day: Any) -> list[Any]:
        """``Coverage.stored_where`` without the bounds that every stored fact of the branch
        meets (a walk of a value index then reads no date: several times faster)."""
        conds = self.cov.stored_where(day)
        if self._fact_days is None:
            # Separate subqueries: each is then one step into the date index.
            ends = [
                select(agg(RF.c.business_date))
                .where(RF.c.branch_id == self.branch.id)
                .scalar_subquery()
                for agg in (func.min, func.max)
            ]
            lo, hi = self.session.execute(select(*ends)).one()
            self._fact_days = (as_date(lo), as_date(hi))
        lo, hi = self._fact_days
        last = self.cov.stored_last
        if lo is None or hi is None or last is None:
            return conds
        lower, upper, *rest = conds
        return [
            *([] if self.cov.first <= lo else [lower]),
            *([] if last >= hi else [upper]),
            *rest,
        ]

    def sums(self, keys: Sequence[str], names: Sequence[str]) -> list[Any]:
        """``SUM`` of each measure per group of ``keys`` over the whole range."""
        parts: list[Select[Any]] = []
        if self.cov.has_stored:
            # Grouped by day or not at all: one row per day is enough.
            t = RD if set(keys) <= {"business_date"} else RR
            parts.append(
                select(*(t.c[k] for k in keys), *(t.c[n] for n in names)).where(
                    t.c.branch_id == self.branch.id,
                    *self.cov.stored_where(t.c.business_date),
                )
            )
        if self.cov.has_live:
            g = graded(self.dialect, self.cfg, self.live_select().subquery("lf"))
            exprs = measure_exprs(g)
            gk = [g.c[k] for k in keys]
            stmt = select(*gk, *(exprs[n].label(n) for n in names))
            parts.append(stmt.group_by(*gk) if gk else stmt)
        if not parts:
            return []
        u = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("u")
        uk = [u.c[k] for k in keys]
        stmt = select(*uk, *(func.coalesce(func.sum(u.c[n]), 0).label(n) for n in names))
        return list(self.session.execute(stmt.group_by(*uk) if uk else stmt).all())

    def total(self, names: Sequence[str]) -> Any:
        rows = self.sums((), names)
        return rows[0] if rows else None


@dataclass(frozen=True)
class Kth:
    """The k-th smallest ``value`` among the facts matching ``stored`` / ``live``."""

    value: str
    n: int
    pct: int
    stored: tuple[Any, ...] | None = ()  # conditions on report_fact; None: no stored part
    live: tuple[Any, ...] = ()  # conditions on the live facts (built with ``cte``)


def kth_values(
    rng: Range, lookups: Sequence[tuple[Any, Kth]], live: CTE | None, *, many: bool = False
) -> dict[Any, Any]:
    """Run the lookups (id, Kth); returns id -> the value (None for an empty group).

    ``many``: lookups over different values of the same tickets (by moment); over a short
    range the stored rows are then read once (a CTE, materialised as it is used by each
    lookup) instead of once per lookup."""
    out: dict[Any, Any] = {ident: None for ident, k in lookups if k.n <= 0}
    todo = [(ident, k) for ident, k in lookups if k.n > 0]
    live_on = live is not None and rng.cov.has_live
    n_live: dict[Any, int] = {ident: 0 for ident, _ in todo}
    if live_on and todo:
        assert live is not None
        # One pass over the live facts counts every lookup's live values.
        counts = [
            func.coalesce(
                func.sum(case((and_(live.c[k.value].is_not(None), *k.live), 1), else_=0)), 0
            )
            for _, k in todo
        ]
        for i in range(0, len(todo), _CHUNK):
            chunk = todo[i : i + _CHUNK]
            row = rng.session.execute(select(*counts[i : i + _CHUNK]).select_from(live)).one()
            n_live.update({ident: int(v) for (ident, _), v in zip(chunk, row, strict=True)})
    shared = _stored_cte(rng) if many and _short(rng) else None
    scalars = [(ident, _scalar(rng, k, live, n_live[ident], shared)) for ident, k in todo]
    return out | _run(rng, scalars)


def _short(rng: Range) -> bool:
    last = rng.cov.stored_last
    return last is not None and (last - rng.cov.first).days < SHORT_DAYS


# What the lookups by moment read: the values and the conditions on them.
_MOMENT_COLUMNS = (
    "wait_ms",
    "kiosk_s",
    "walk_ms",
    "service_ms",
    "feedback",
    "vmask",
    "svc",
    "final_svc",
)


def _stored_cte(rng: Range) -> CTE | None:
    if not rng.cov.has_stored:
        return None
    rows = select(*(RF.c[name] for name in _MOMENT_COLUMNS)).where(
        RF.c.branch_id == rng.branch.id, *rng.cov.stored_where(RF.c.business_date)
    )
    return rows.cte("stored_facts")


def _run(rng: Range, scalars: list[tuple[Any, Any]]) -> dict[Any, Any]:
    out = {}
    for i in range(0, len(scalars), _CHUNK):
        chunk = scalars[i : i + _CHUNK]
        row = rng.session.execute(select(*(s for _, s in chunk))).one()
        out.update({ident: v for (ident, _), v in zip(chunk, row, strict=True)})
    return out


def _scalar(rng: Range, k: Kth, live: CTE | None, n_live: int, shared: CTE | None = None) -> Any:
    """The k-th value as a scalar subquery: walk the stored index from the nearer end; when
    live values take part, the answer is among the last few values of that walk and the
    live values, so only those few are sorted."""
    rank = sx.rank_for(k.pct, k.n)
    asc = rank <= k.n - rank + 1
    r = rank if asc else k.n - rank + 1  # r-th in the walking order
    n_stored = k.n - n_live if k.stored is not None and rng.cov.has_stored else 0

    def ordered(arm: Select[Any], reverse: bool = False) -> Select[Any]:
        v = arm.selected_columns[0]
        return arm.order_by(v if asc != reverse else desc(v))

    stored = live_arm = None
    if n_stored and shared is not None:
        v = shared.c[k.value]
        adapt = ClauseAdapter(shared)
        conds = [adapt.traverse(c) for c in (k.stored or ())]
        stored = select(v.label("v")).where(v.is_not(None), *conds)
    elif n_stored:
        v = RF.c[k.value]
        # A short range: read its rows by date and sort them. A long one: walk the value
        # index (SQLite's planner would pick the date index, hence NoIndex).
        last = rng.cov.stored_last
        short = last is not None and (last - rng.cov.first).days < SHORT_DAYS
        day = RF.c.business_date if short else sx.NoIndex(RF.c.business_date)
        on_day = rng.cov.stored_where(day) if short else rng.stored_days_where(day)
        stored = select(v.label("v")).where(
            RF.c.branch_id == rng.branch.id,
            *on_day,
            v.is_not(None),
            *(k.stored or ()),
        )
    if n_live:
        assert live is not None
        lv = live.c[k.value]
        live_arm = select(lv.label("v")).where(lv.is_not(None), *k.live)
    if live_arm is None or stored is None:
        only = stored if stored is not None else live_arm
        assert only is not None
        return ordered(only).limit(1).offset(r - 1).scalar_subquery()
    a_k, b_k = min(r, n_stored), min(r, n_live)
    extra = a_k + b_k - r  # how many of the candidates come after the answer
    skip = max(0, a_k - extra - 1)
    tail = ordered(stored).limit(a_k - skip).offset(skip).subquery("a")
    head = ordered(live_arm).limit(b_k).subquery("b")
    u = union_all(select(tail.c.v), select(head.c.v)).subquery("u")
    return ordered(select(u.c.v), reverse=True).limit(1).offset(extra).scalar_subquery()


def live_cte(rng: Range) -> CTE | None:
    return rng.live_select().cte("live_facts") if rng.cov.has_live else None


def measured_stored(moment: str, cfg: CycleConfig) -> tuple[Any, ...]:
    """report_fact rows where ``moment`` was measured and is judged (wait-index friendly)."""
    bit = MASK[moment]
    return (
        RF.c.vmask.op("&")(bit) != 0,
        sx.NoIndex(RF.c[SERVICE_OF[moment]]).in_(sorted(cfg.targets)),
    )


def measured_live(live: CTE, moment: str, cfg: CycleConfig) -> tuple[Any, ...]:
    bit = MASK[moment]
    return (
        live.c.vmask.op("&")(bit) != 0,
        live.c[SERVICE_OF[moment]].in_(sorted(cfg.targets)),
    )


def equal_key(column: Any, key: Any) -> Any:
    return column.is_(None) if key is None else column == key


def open_range(
    session: Session, branch: Branch, cfg: CycleConfig, period: Period, *, grades: bool = True
) -> Range:
    """``grades=False``: the caller reads no grade, so a stale grading does not matter."""
    cov = coverage(session, branch, period, cfg if grades else None)
    return Range(session, branch, cfg, period, cov)
