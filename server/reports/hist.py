"""Value histograms that make the exact percentiles of ``by=moment`` cheap over long ranges.

The report by moment needs, for every moment, the wait percentiles of the tickets the moment
judged and the percentiles of the moment's own values: nine series of values. Walking a value
index to the k-th of a year of tickets reads hundreds of thousands of rows per percentile, so
closed days also keep, per series and value bucket, the day's count ``n`` and ``cum``, the
running count over the branch's days up to that day. The count of a bucket over any range of
summarised days is then ``cum`` at its last day minus ``cum`` before its first (two index
seeks); the k-th value is found in one bucket, and only that bucket's rows are walked to
get it exactly. The buckets are fixed ranges of the raw value (integer milliseconds, seconds
or the score), so the rows of a bucket are the rows of one stretch of the value index.

Two levels keep the seeks few: every ``GROUP`` consecutive buckets also have a coarse bucket
(stored with the negative id ``coarse_of(bucket)``). A reader counts the coarse buckets
first, then only the fine buckets of the coarse one that holds the k-th value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Integer,
    and_,
    case,
    cast,
    delete,
    exists,
    func,
    insert,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from server.models import report_fact, report_hist, report_hist_pair
from server.reports.cycle import CycleConfig
from server.reports.measures import MASK, SERVICE_OF, VALUE

RF, RH, RP = report_fact, report_hist, report_hist_pair

# Part of ``key``: a change of series or buckets rebuilds every branch's histograms.
VERSION = 3
GROUP = 16  # fine buckets per coarse bucket


def key(cfg: CycleConfig) -> str:
    """What a branch's histograms depend on: this code's version and which services have
    standards (the series count only the values of those)."""
    return f"{VERSION}:{','.join(sorted(cfg.targets))}"


def _octaves(first: int, last: int, per: int = 32) -> tuple[tuple[int, int], ...]:
    """Buckets of the same relative width whatever the values' scale (waits of seconds or of
    hours): ``per`` equal buckets in [0, 2**first), then ``per`` in each doubling up to
    2**last; a bucket then holds values within 1/per of each other."""
    scheme = [(2**first, 2**first // per)]
    scheme += [(2 ** (e + 1), 2**e // per) for e in range(first, last)]
    return tuple(scheme)


# Bucket edges per fact column: consecutive stretches (end, width) from 0, each cut into
# buckets of ``width`` (the last one of a stretch ends at ``end``); bucket 0 also takes every
# value below 0 (there are none in practice) and the last bucket every value from the last
# end on (over 37 h of waiting, an hour at the kiosk).
SCHEMES: dict[str, tuple[tuple[int, int], ...]] = {
    "wait_ms": _octaves(10, 27),
    "walk_ms": _octaves(10, 27),
    "service_ms": _octaves(10, 27),
    "kiosk_s": _octaves(5, 12),  # one bucket per second below 32 s
    "feedback": ((6, 1),),
}


@dataclass(frozen=True)
class Series:
    """The values of ``column`` of the facts that ``moment`` judged (``kind`` "wait": their
    waits, "value": the moment's own values)."""

    id: int
    kind: str
    moment: str

    @property
    def column(self) -> str:
        return "wait_ms" if self.kind == "wait" else VALUE[self.moment][0]

    def where(self, facts: Any, cfg: CycleConfig, *, service: Any = None) -> list[Any]:
        """Conditions on ``facts`` (report_fact or a live fact subquery); ``service`` wraps
        the service column (``NoIndex`` keeps SQLite on the value index)."""
        svc = facts.c[SERVICE_OF[self.moment]]
        conds = [
            facts.c[self.column].is_not(None),
            (service(svc) if service else svc).in_(sorted(cfg.targets)),
        ]
        if self.kind == "wait":
            conds.append(facts.c.vmask.op("&")(MASK[self.moment]) != 0)
        return conds


SERIES = (
    *(Series(i, "wait", m) for i, m in enumerate(MASK, start=1)),
    *(Series(5 + i, "value", m) for i, m in enumerate(("kiosk", "walk", "service", "feedback"), 1)),
)
BY_KEY = {(s.kind, s.moment): s for s in SERIES}


def coarse_of(bucket: int) -> int:
    """The id of the coarse bucket that fine ``bucket`` belongs to (negative)."""
    return -1 - bucket // GROUP


def fine_of(coarse: int) -> tuple[int, int]:
    """The first and last fine bucket of a coarse one."""
    first = (-1 - coarse) * GROUP
    return first, first + GROUP - 1


def _n(value: int) -> ColumnElement[Any]:
    # Inline constants: the same expression then renders the same in SELECT and GROUP BY
    # (PostgreSQL matches them as text; bound parameters would differ).
    return literal_column(str(int(value)))


def bucket_expr(column: str, v: Any) -> ColumnElement[Any]:
    """The bucket of value ``v`` (SQL integer arithmetic only)."""
    scheme = SCHEMES[column]
    whens: list[tuple[Any, Any]] = [(v < _n(scheme[0][1]), _n(0))]
    start = index = 0
    for end, width in scheme:
        step = (v if start == 0 else v - _n(start)) // _n(width)
        whens.append((v < _n(end), step + _n(index) if index else step))
        index += -(-(end - start) // width)
        start = end
    return case(*whens, else_=_n(index))


def bounds(column: str, bucket: int) -> tuple[int | None, int | None]:
    """The values [lo, hi) of a bucket; None: unbounded."""
    start = index = 0
    for end, width in SCHEMES[column]:
        count = -(-(end - start) // width)  # the last may be cut short by ``end``
        if bucket < index + count:
            lo = start + (bucket - index) * width
            return (None if bucket == 0 else lo), min(lo + width, end)
        index += count
        start = end
    return start, None


def latest_first(h: Any) -> tuple[Any, ...]:
    """ORDER BY for "a pair's latest row": the primary key's order, so that PostgreSQL walks
    that index back from the pair's end rather than the day index (which it may prefer with
    no statistics, reading every row of the branch for each pair)."""
    return (h.c.series.desc(), h.c.bucket.desc(), h.c.business_date.desc())


def _day_counts(branch_id: int, cfg: CycleConfig, first: dt.date | None) -> Any:
    """Per series, fine bucket and day: the count of the stored facts from ``first`` on."""
    parts = []
    for s in SERIES:
        k = bucket_expr(s.column, RF.c[s.column])
        since = [] if first is None else [RF.c.business_date >= first]
        parts.append(
            select(
                _n(s.id).label("series"),
                k.label("bucket"),
                RF.c.business_date.label("d"),
                func.count().label("n"),
            )
            .where(RF.c.branch_id == branch_id, *since, *s.where(RF, cfg))
            .group_by(RF.c.business_date, k)
        )
    return union_all(*parts).subquery("fine")


def rebuild(session: Session, branch_id: int, cfg: CycleConfig, first: dt.date | None) -> None:
    """(Re)build the histogram rows of the stored facts from day ``first`` on (None: all)."""
    since = [] if first is None else [RH.c.business_date >= first]
    session.execute(delete(RH).where(RH.c.branch_id == branch_id, *since))
    if first is None:
        session.execute(delete(RP).where(RP.c.branch_id == branch_id))
    fine = _day_counts(branch_id, cfg, first)
    # Integer division (buckets are >= 0); PostgreSQL's FLOOR gives the buckets a decimal type.
    group = cast(fine.c.bucket, Integer).op("/")(_n(GROUP))
    coarse = select(
        fine.c.series, (_n(-1) - group).label("bucket"), fine.c.d, func.sum(fine.c.n).label("n")
    ).group_by(fine.c.series, group, fine.c.d)
    u = union_all(select(fine), coarse).subquery("u")
    running: Any = func.sum(u.c.n).over(partition_by=(u.c.series, u.c.bucket), order_by=u.c.d)
    if first is not None:
        # Plus the running count before ``first``: the pair's last row left (counts only grow).
        h = RH.alias("h")
        base = (
            select(h.c.cum)
            .where(h.c.branch_id == branch_id, h.c.series == u.c.series, h.c.bucket == u.c.bucket)
            .order_by(*latest_first(h))
            .limit(1)
            .scalar_subquery()
        )
        running = running + func.coalesce(base, 0)
    rows = select(_n(branch_id), u.c.series, u.c.bucket, u.c.d, u.c.n, running)
    names = ["branch_id", "series", "bucket", "business_date", "n", "cum"]
    session.execute(insert(RH).from_select(names, rows))
    p = RP.alias("p")
    new_pairs = (
        select(RH.c.branch_id, RH.c.series, RH.c.bucket)
        .distinct()
        .where(RH.c.branch_id == branch_id, *since)
        .where(
            ~exists().where(
                and_(
                    p.c.branch_id == RH.c.branch_id,
                    p.c.series == RH.c.series,
                    p.c.bucket == RH.c.bucket,
                )
            )
        )
    )
    session.execute(insert(RP).from_select(["branch_id", "series", "bucket"], new_pairs))
