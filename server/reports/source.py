"""Reading a range: sums from the rollups of summarised days plus the same sums computed
live from the tickets of the other days, and exact percentiles over both.

A percentile is the k-th smallest value (``percentile_disc``: k = ceil(p * n / 100)); n is
known from the sums, so the database walks an index of ``report_fact`` in value order (from
whichever end is nearer) merged with the few live values, and stops at the k-th.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, desc, func, literal_column, or_, select, union_all
from sqlalchemy.sql import Select
from sqlalchemy.sql.selectable import CTE
from sqlmodel import Session

from server.models import Branch, Ticket, report_day, report_fact, report_rollup
from server.reports import hist
from server.reports import sqlexpr as sx
from server.reports.coverage import Coverage, coverage
from server.reports.cycle import CycleConfig
from server.reports.measures import graded, live_facts, measure_exprs
from server.reports.period import Period, dialect_of

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
    # The moment the report is read: tickets still waiting are judged up to it.
    now: dt.datetime | None = None

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
            now=self.now,
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
    """Run the lookups (id, Kth); returns id -> the value (None for an empty group)."""
    out: dict[Any, Any] = {ident: None for ident, k in lookups if k.n <= 0}
    pending = [(ident, k) for ident, k in lookups if k.n > 0]
    live_on = live is not None and rng.cov.has_live
    n_live: dict[Any, int] = {ident: 0 for ident, _ in pending}
    if live_on and pending:
        assert live is not None
        # One pass over the live facts counts every lookup's live values.
        counts = [
            func.coalesce(
                func.sum(case((and_(live.c[k.value].is_not(None), *k.live), 1), else_=0)), 0
            )
            for _, k in pending
        ]
        for i in range(0, len(pending), _CHUNK):
            chunk = pending[i : i + _CHUNK]
            row = rng.session.execute(select(*counts[i : i + _CHUNK]).select_from(live)).one()
            n_live.update({ident: int(v) for (ident, _), v in zip(chunk, row, strict=True)})
    scalars = [(ident, _scalar(rng, k, live, n_live[ident])) for ident, k in pending]
    return out | _run(rng, scalars)


def _short(rng: Range) -> bool:
    last = rng.cov.stored_last
    return last is not None and (last - rng.cov.first).days < SHORT_DAYS


def _run(rng: Range, scalars: list[tuple[Any, Any]]) -> dict[Any, Any]:
    out = {}
    for i in range(0, len(scalars), _CHUNK):
        chunk = scalars[i : i + _CHUNK]
        row = rng.session.execute(select(*(s for _, s in chunk))).one()
        out.update({ident: v for (ident, _), v in zip(chunk, row, strict=True)})
    return out


def _scalar(rng: Range, k: Kth, live: CTE | None, n_live: int) -> Any:
    """The k-th value as a scalar subquery: walk the stored index from the nearer end; when
    live values take part, the answer is among the last few values of that walk and the
    live values, so only those few are sorted."""
    n_stored = k.n - n_live if k.stored is not None and rng.cov.has_stored else 0
    return _rank_scalar(
        rng, k.value, sx.rank_for(k.pct, k.n), k.n, k.stored or (), k.live, n_stored, live
    )


def _rank_scalar(
    rng: Range,
    value: str,
    rank: int,
    n: int,
    stored_on: tuple[Any, ...],
    live_on: tuple[Any, ...],
    n_stored: int,
    live: CTE | None,
    *,
    walk: bool = False,
) -> Any:
    """The ``rank``-th smallest of ``n`` values: ``n_stored`` stored facts matching
    ``stored_on`` and the rest live. ``walk``: always walk the value index (the conditions
    bound the value: one bucket of a histogram)."""
    asc = rank <= n - rank + 1
    r = rank if asc else n - rank + 1  # r-th in the walking order
    n_live = n - n_stored

    def ordered(arm: Select[Any], reverse: bool = False) -> Select[Any]:
        v = arm.selected_columns[0]
        return arm.order_by(v if asc != reverse else desc(v))

    stored = live_arm = None
    if n_stored:
        v = RF.c[value]
        # A short range: read its rows by date and sort them. A long one: walk the value
        # index (SQLite's planner would pick the date index, hence NoIndex).
        short = _short(rng) and not walk
        day = RF.c.business_date if short else sx.NoIndex(RF.c.business_date)
        on_day = rng.cov.stored_where(day) if short else rng.stored_days_where(day)
        stored = select(v.label("v")).where(
            RF.c.branch_id == rng.branch.id,
            *on_day,
            v.is_not(None),
            *stored_on,
        )
    if n_live:
        assert live is not None
        lv = live.c[value]
        live_arm = select(lv.label("v")).where(lv.is_not(None), *live_on)
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


def equal_key(column: Any, key: Any) -> Any:
    return column.is_(None) if key is None else column == key


def open_range(
    session: Session,
    branch: Branch,
    cfg: CycleConfig,
    period: Period,
    *,
    grades: bool = True,
    now: dt.datetime | None = None,
) -> Range:
    """``grades=False``: the caller reads no grade, so a stale grading does not matter.
    ``now``: tickets still waiting past their standard count as missed."""
    cov = coverage(session, branch, period, cfg if grades else None)
    return Range(session, branch, cfg, period, cov, now=now)


def series_percentiles(
    rng: Range, live: CTE | None, lookups: Sequence[tuple[Any, hist.Series, int]]
) -> dict[Any, Any]:
    """Exact percentiles (id -> value, None for an empty series) of histogram series over
    the range: coarse bucket counts from the stored running counts plus the live values,
    then the fine counts of the coarse bucket that holds the k-th value, then one walk of
    the fine bucket that holds it."""
    ids = sorted({s.id for _, s, _ in lookups})
    live_fine: dict[tuple[int, int], int] = {}
    if live is not None and rng.cov.has_live:
        live_fine = _live_bucket_counts(rng, live, ids)
    live_coarse: dict[tuple[int, int], int] = {}
    for (sid, b), n in live_fine.items():
        key = (sid, hist.coarse_of(b))
        live_coarse[key] = live_coarse.get(key, 0) + n
    # Coarse ids are negative and decrease as the values grow: ordered by their first bucket.
    coarse = _counts(
        _stored_bucket_counts(rng, lambda t: [t.c.series.in_(ids), t.c.bucket < 0]),
        live_coarse,
        order=lambda b: hist.fine_of(b)[0],
    )
    located: dict[Any, tuple[hist.Series, int, int]] = {}  # id -> series, coarse, rank in it
    out: dict[Any, Any] = {}
    for ident, s, pct in lookups:
        groups = coarse.get(s.id, [])
        total = sum(n_st + n_lv for _, n_st, n_lv in groups)
        if not total:
            out[ident] = None
            continue
        group, rank, _, _ = _locate(groups, sx.rank_for(pct, total))
        located[ident] = (s, group, rank)
    wanted = sorted({(s.id, group) for s, group, _ in located.values()})
    fine: dict[int, list[tuple[int, int, int]]] = {}
    if wanted:

        def within(t: Any) -> list[Any]:
            return [
                or_(
                    *(
                        and_(t.c.series == sid, t.c.bucket.between(*hist.fine_of(group)))
                        for sid, group in wanted
                    )
                )
            ]

        fine = _counts(_stored_bucket_counts(rng, within), live_fine)
    scalars = []
    for ident, (s, group, rank) in located.items():
        first, last = hist.fine_of(group)
        buckets = [b for b in fine.get(s.id, []) if first <= b[0] <= last]
        bucket, rank, n_st, n_lv = _locate(buckets, rank)
        lo, hi = hist.bounds(s.column, bucket)
        if lo is not None and hi is not None and hi - lo == 1:
            out[ident] = lo  # a bucket of one integer value (scores)
            continue
        scalars.append(
            (
                ident,
                _rank_scalar(
                    rng,
                    s.column,
                    rank,
                    n_st + n_lv,
                    (*_within(RF.c[s.column], lo, hi), *s.where(RF, rng.cfg, service=sx.NoIndex)),
                    (*_within(live.c[s.column], lo, hi), *s.where(live, rng.cfg))
                    if live is not None
                    else (),
                    n_st,
                    live,
                    walk=True,
                ),
            )
        )
    return out | _run(rng, scalars)


def _counts(
    stored: dict[tuple[int, int], int],
    live: dict[tuple[int, int], int],
    order: Any = None,
) -> dict[int, list[tuple[int, int, int]]]:
    """Per series: its non-empty buckets in value order as (bucket, stored, live)."""
    per_series: dict[int, list[tuple[int, int, int]]] = {}
    for sid, b in stored.keys() | live.keys():
        n_st, n_lv = stored.get((sid, b), 0), live.get((sid, b), 0)
        if n_st or n_lv:
            per_series.setdefault(sid, []).append((b, n_st, n_lv))
    for buckets in per_series.values():
        buckets.sort(key=lambda row: order(row[0]) if order else row[0])
    return per_series


def _locate(buckets: list[tuple[int, int, int]], rank: int) -> tuple[int, int, int, int]:
    """The bucket holding the ``rank``-th value, the rank within it and its counts."""
    for bucket, n_st, n_lv in buckets:
        if rank <= n_st + n_lv:
            return bucket, rank, n_st, n_lv
        rank -= n_st + n_lv
    raise AssertionError("rank beyond the counts")


def _within(v: Any, lo: int | None, hi: int | None) -> tuple[Any, ...]:
    return (*(() if lo is None else (v >= lo,)), *(() if hi is None else (v < hi,)))


def _stored_bucket_counts(
    rng: Range, pairs: Callable[[Any], list[Any]]
) -> dict[tuple[int, int], int]:
    """Count per (series, bucket) over the range's stored clean days, for the pairs that
    meet the conditions ``pairs`` makes on a table's ``series`` and ``bucket``."""
    last = rng.cov.stored_last
    if last is None or not rng.cov.has_stored:
        return {}
    p, h = hist.RP, hist.RH
    bid = rng.branch.id

    def running(through: dt.date) -> Any:
        a = h.alias()
        return func.coalesce(
            select(a.c.cum)
            .where(
                a.c.branch_id == bid,
                a.c.series == p.c.series,
                a.c.bucket == p.c.bucket,
                a.c.business_date <= through,
            )
            .order_by(*hist.latest_first(a))
            .limit(1)
            .scalar_subquery(),
            0,
        )

    before = rng.cov.first - dt.timedelta(days=1)
    stmt = select(p.c.series, p.c.bucket, running(last) - running(before)).where(
        p.c.branch_id == bid, *pairs(p)
    )
    out = {(int(s), int(b)): int(n) for s, b, n in rng.session.execute(stmt)}
    dirty = sorted(d for d in rng.cov.dirty if rng.cov.first <= d <= last)
    if dirty:  # stored but read live: their counts come out
        stmt = (
            select(h.c.series, h.c.bucket, func.sum(h.c.n))
            .where(h.c.branch_id == bid, h.c.business_date.in_(dirty), *pairs(h))
            .group_by(h.c.series, h.c.bucket)
        )
        for s, b, n in rng.session.execute(stmt):
            out[(int(s), int(b))] = out.get((int(s), int(b)), 0) - int(n)
    return out


def _live_bucket_counts(rng: Range, live: CTE, ids: Sequence[int]) -> dict[tuple[int, int], int]:
    parts = []
    for s in hist.SERIES:
        if s.id not in ids:
            continue
        k = hist.bucket_expr(s.column, live.c[s.column])
        parts.append(
            select(literal_column(str(s.id)), k, func.count())
            .where(*s.where(live, rng.cfg))
            .group_by(k)
        )
    rows = rng.session.execute(union_all(*parts) if len(parts) > 1 else parts[0])
    return {(int(s), int(b)): int(n) for s, b, n in rows}
