"""SQL building blocks that differ between SQLite and PostgreSQL.

SQLite has no time zones, no interval type and no percentile function: instants are naive
UTC text, durations come from ``julianday``, local time is UTC shifted by the zone's offset
(piecewise over the DST changes inside the range), and percentiles use window functions.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from sqlalchemy import BigInteger, Integer, Numeric, case, cast, func, literal, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal

from server.domain.calendar import zone
from server.models.types import UTCDateTime

# Durations are rounded to the millisecond so both backends agree at a standard's boundary
# (SQLite's julianday arithmetic carries ~1e-5 s of noise).
_MS = 3


def seconds_between(dialect: str, start: Any, end: Any) -> ColumnElement[Any]:
    """``end - start`` in seconds (NULL when either is NULL)."""
    if dialect == "postgresql":
        return func.round(cast(func.extract("epoch", end - start), Numeric), _MS)
    return func.round((func.julianday(end) - func.julianday(start)) * 86400.0, _MS)


def ms_between(dialect: str, start: Any, end: Any) -> ColumnElement[Any]:
    """``end - start`` in whole milliseconds (NULL when either is NULL)."""
    return cast(func.round(seconds_between(dialect, start, end) * 1000), BigInteger)


@lru_cache(maxsize=256)
def offsets(tz: str, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, int]]:
    """(from_utc, offset_s) segments of ``tz``'s UTC offset over [start, end)."""
    z = zone(tz)

    def off(t: dt.datetime) -> int:
        return int(t.astimezone(z).utcoffset().total_seconds())  # type: ignore[union-attr]

    hour, day = dt.timedelta(hours=1), dt.timedelta(days=1)
    t = start.replace(minute=0, second=0, microsecond=0)
    out: list[tuple[dt.datetime, int]] = [(t, off(t))]
    while t < end:
        # Offsets change at most once a day: step by day, by hour only across a change.
        if off(t + day) == out[-1][1]:
            t += day
            continue
        for _ in range(24):
            t += hour
            if off(t) != out[-1][1]:
                out.append((t, off(t)))
                break
    return out


def _utc(value: dt.datetime) -> ColumnElement[Any]:
    return literal(value, type_=UTCDateTime())


def local_time(
    dialect: str, col: Any, *, tz: str, start: dt.datetime, end: dt.datetime
) -> ColumnElement[Any]:
    """``col`` as the branch's local wall-clock time."""
    if dialect == "postgresql":
        return func.timezone(tz, col)
    segments = offsets(tz, start, end)
    if len(segments) == 1:
        return func.datetime(col, f"{segments[0][1]:+d} seconds")
    whens = [
        (col < _utc(nxt_from), func.datetime(col, f"{off:+d} seconds"))
        for (_, off), (nxt_from, _) in zip(segments, segments[1:], strict=False)
    ]
    return case(*whens, else_=func.datetime(col, f"{segments[-1][1]:+d} seconds"))


def local_hour(dialect: str, local: ColumnElement[Any]) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return cast(func.extract("hour", local), Integer)
    return cast(func.strftime("%H", local), Integer)


def local_weekday(dialect: str, local: ColumnElement[Any]) -> ColumnElement[Any]:
    """0 = Monday … 6 = Sunday."""
    if dialect == "postgresql":
        return cast(func.extract("isodow", local), Integer) - 1
    return (cast(func.strftime("%w", local), Integer) + 6) % 7


def day_of_month(dialect: str, date_col: Any) -> ColumnElement[Any]:
    if dialect == "postgresql":
        return cast(func.extract("day", date_col), Integer)
    return cast(func.strftime("%d", date_col), Integer)


def json_text(dialect: str, col: Any, *path: str) -> ColumnElement[Any]:
    """A text value inside a JSON column."""
    if dialect == "postgresql":
        expr = col
        for p in path[:-1]:
            expr = expr.op("->")(literal_column(f"'{p}'"))
        text: ColumnElement[Any] = expr.op("->>")(literal_column(f"'{path[-1]}'"))
        return text
    return func.json_extract(col, "$." + ".".join(path))


def rank_for(pct: int, n: Any) -> Any:
    """1-based rank of the ``pct`` percentile (percentile_disc): ceil(pct * n / 100)."""
    return (pct * n + 99) // 100


class NoIndex(ColumnElement[Any]):
    """``col`` in a form SQLite's planner cannot use an index for (unary ``+``), so that it
    keeps the index that walks the rows in the order asked for."""

    inherit_cache = True
    _traverse_internals = [("col", InternalTraversal.dp_clauseelement)]

    def __init__(self, col: ColumnElement[Any]) -> None:
        self.col = col
        self.type = col.type


@compiles(NoIndex)
def _no_index(element: NoIndex, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.col, **kw))


@compiles(NoIndex, "sqlite")
def _no_index_sqlite(element: NoIndex, compiler: Any, **kw: Any) -> str:
    return "+" + str(compiler.process(element.col, **kw))


class NoIndexDate(NoIndex):
    """A date column that no backend may use an index for (PostgreSQL too: ``col + 0``), for
    queries that must be driven from another table however the statistics look."""

    inherit_cache = True


@compiles(NoIndexDate, "postgresql")
def _no_index_date_pg(element: NoIndexDate, compiler: Any, **kw: Any) -> str:
    return "(" + str(compiler.process(element.col, **kw)) + " + 0)"
