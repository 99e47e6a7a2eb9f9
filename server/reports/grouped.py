"""The grouped report of API.md: by day, hour, service, counter, teller or moment."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import case, func, literal, select
from sqlalchemy.sql.selectable import Subquery
from sqlmodel import Session, col

from server.domain.standards import MOMENTS
from server.models import Branch, Counter, User
from server.reports import sqlexpr as sx
from server.reports.cycle import CycleConfig
from server.reports.facts import GRADE_EXCLUSIVE, GRADE_EXPECTED, GRADE_MISSED, Period, dialect_of
from server.reports.facts import ticket_facts as facts_of

GROUPS = ("day", "hour", "service", "counter", "teller", "moment")
_KEY_COLUMN = {
    "day": "day",
    "hour": "hour",
    "service": "svc",
    "counter": "counter_id",
    "teller": "teller_id",
}


def r1(x: Any) -> float | None:
    return None if x is None else round(float(x), 1)


def r0(x: Any) -> int | None:
    return None if x is None else int(round(float(x)))


def pct(part: Any, whole: Any) -> float | None:
    return round(100.0 * float(part or 0) / float(whole), 1) if whole else None


def percentiles(
    session: Session, key: Any, value: Any, ps: tuple[int, ...] = (50, 90)
) -> dict[Any, dict[int, Any]]:
    """Exact ``percentile_disc`` of ``value`` per ``key`` (one group when ``key`` is None)."""
    keys = [] if key is None else [key]
    if dialect_of(session) == "postgresql":
        cols = [func.percentile_disc(p / 100).within_group(value) for p in ps]
        stmt = select(*keys, *cols).where(value.is_not(None))
        rows = session.execute(stmt.group_by(*keys) if keys else stmt).all()
        return {(r[0] if keys else None): dict(zip(ps, r[len(keys) :], strict=True)) for r in rows}
    sub = select(*(k.label("k") for k in keys), value.label("v")).where(value.is_not(None))
    sub = sub.subquery("pv")
    part = [sub.c.k] if keys else []
    ranked = select(
        *part,
        sub.c.v,
        func.row_number().over(partition_by=part or None, order_by=sub.c.v).label("rn"),
        func.count().over(partition_by=part or None).label("n"),
    ).subquery("ranked")
    cols = [func.min(case((ranked.c.rn == sx.rank_for(p, ranked.c.n), ranked.c.v))) for p in ps]
    rkeys = [ranked.c.k] if keys else []
    stmt = select(*rkeys, *cols)
    rows = session.execute(stmt.group_by(*rkeys) if rkeys else stmt).all()
    out = {(r[0] if keys else None): dict(zip(ps, r[len(keys) :], strict=True)) for r in rows}
    # An empty group still yields one all-NULL row without GROUP BY.
    return {k: v for k, v in out.items() if any(x is not None for x in v.values())}


def _base_aggregates(f: Subquery) -> list[Any]:
    return [
        func.count().label("tickets"),
        func.sum(case((f.c.status == "done", 1), else_=0)).label("served"),
        func.sum(case((f.c.status == "no_show", 1), else_=0)).label("no_show"),
        func.avg(f.c.v_wait).label("wait_avg"),
        func.avg(f.c.v_service).label("service_avg"),
        func.avg(f.c.v_feedback).label("feedback_avg"),
        func.count(f.c.v_feedback).label("feedback_n"),
        func.sum(f.c.judged).label("judged"),
        func.sum(f.c.missed).label("missed"),
    ]


def _row(key: Any, label: Any, agg: Any, pcts: dict[int, float] | None) -> dict[str, Any]:
    judged = int(agg.judged or 0)
    missed = int(agg.missed or 0)
    return {
        "key": key,
        "label": label,
        "tickets": int(agg.tickets or 0),
        "served": int(agg.served or 0),
        "no_show": int(agg.no_show or 0),
        "wait_avg_s": r1(agg.wait_avg),
        "wait_p50_s": r0(pcts[50]) if pcts else None,
        "wait_p90_s": r0(pcts[90]) if pcts else None,
        "service_avg_s": r1(agg.service_avg),
        "within_standard_pct": pct(judged - missed, judged),
        "feedback_avg": r1(agg.feedback_avg),
        "feedback_n": int(agg.feedback_n or 0),
        "judged": judged,
        "missed": missed,
    }


class _Empty:
    tickets = served = no_show = feedback_n = judged = missed = 0
    wait_avg = service_avg = feedback_avg = None


def _labels(session: Session, by: str, keys: list[Any], cfg: CycleConfig) -> dict[Any, Any]:
    ids = [k for k in keys if k is not None]
    if by == "service":
        return {k: cfg.names.get(k, k) for k in keys}
    if by == "counter" and ids:
        rows = session.execute(select(Counter.id, Counter.label).where(col(Counter.id).in_(ids)))
        return dict(rows.all())
    if by == "teller" and ids:
        rows = session.execute(
            select(User.id, User.username, User.full_name).where(col(User.id).in_(ids))
        )
        return {uid: (uname, full or uname) for uid, uname, full in rows.all()}
    return {k: str(k) if k is not None else None for k in keys}


def _as_date(value: Any) -> Any:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def grouped_report(
    session: Session, branch: Branch, cfg: CycleConfig, period: Period, *, by: str
) -> list[dict[str, Any]]:
    f = facts_of(session, branch, cfg, period)
    if by == "moment":
        return _moment_rows(session, f, cfg)
    key = f.c[_KEY_COLUMN[by]]
    aggs = session.execute(select(key.label("k"), *_base_aggregates(f)).group_by(key)).all()
    pcts = percentiles(session, key, f.c.v_wait)
    if by == "day":
        # SQLite hands back a date read through the window subquery as text.
        pcts = {_as_date(k): v for k, v in pcts.items()}
    by_key = {_as_date(a.k) if by == "day" else a.k: a for a in aggs}
    if by == "day":
        by_key = {d: by_key.get(d, _Empty()) for d in period.days()}
    labels = _labels(session, by, list(by_key), cfg)
    rows = []
    for k, agg in by_key.items():
        label = labels.get(k)
        out_key: Any = k
        if by == "day":
            out_key = label = k.isoformat()
        elif by == "counter":
            out_key = label
        elif by == "teller":
            out_key, label = label if label else (None, None)
        rows.append(_row(out_key, label, agg, pcts.get(k)))
    rows.sort(key=lambda r: (r["key"] is None, r["key"] if r["key"] is not None else ""))
    return rows


def _moment_rows(session: Session, f: Subquery, cfg: CycleConfig) -> list[dict[str, Any]]:
    rows = []
    for m in MOMENTS:
        g, v = f.c[f"g_{m.key}"], f.c[f"v_{m.key}"]
        stmt = select(
            literal(m.key).label("k"),
            *_base_aggregates(f),
            func.sum(case((g == GRADE_MISSED, 1), else_=0)).label("g_missed"),
            func.sum(case((g == GRADE_EXPECTED, 1), else_=0)).label("g_expected"),
            func.sum(case((g == GRADE_EXCLUSIVE, 1), else_=0)).label("g_exclusive"),
            func.avg(v).label("value_avg"),
        ).where(g.is_not(None))
        agg = session.execute(stmt).one()
        sub = select(f).where(g.is_not(None)).subquery(f"only_{m.key}")
        wait_p = percentiles(session, None, sub.c.v_wait).get(None)
        vp = percentiles(session, None, sub.c[f"v_{m.key}"]).get(None)
        row = _row(m.key, m.name, agg, wait_p)
        measured = int(agg.tickets or 0)
        missed = int(agg.g_missed or 0)
        row.update(
            {
                "within_standard_pct": pct(measured - missed, measured),
                "critical": cfg.critical[m.key],
                "judged": measured,
                "missed": missed,
                "met_expected": int(agg.g_expected or 0),
                "met_exclusive": int(agg.g_exclusive or 0),
                "value_avg": r1(agg.value_avg),
                "value_p50": r1(vp[50]) if vp else None,
                "value_p90": r1(vp[90]) if vp else None,
            }
        )
        rows.append(row)
    return rows
