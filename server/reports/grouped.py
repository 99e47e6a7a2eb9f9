"""The grouped report of API.md: by day, hour, service, counter, teller or moment."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from server.domain.standards import MOMENTS
from server.models import Branch, Counter, User
from server.reports import hist
from server.reports.cycle import CycleConfig
from server.reports.measures import VALUE
from server.reports.period import Period
from server.reports.schemas import MomentRow, ReportRow
from server.reports.source import (
    RD,
    RF,
    Kth,
    Range,
    as_date,
    equal_key,
    kth_values,
    live_cte,
    open_range,
    series_percentiles,
)

GROUPS = ("day", "hour", "service", "counter", "teller", "moment")
_KEY_COLUMN = {
    "day": "business_date",
    "hour": "hour",
    "service": "svc",
    "counter": "counter_id",
    "teller": "teller_id",
}
BASE = (
    "tickets",
    "served",
    "no_show",
    "wait_n",
    "wait_ms",
    "service_n",
    "service_ms",
    "fb_n",
    "fb_sum",
)


def r1(x: Any) -> float | None:
    return None if x is None else round(float(x), 1)


def r0(x: Any) -> int | None:
    return None if x is None else int(round(float(x)))


def pct(part: Any, whole: Any) -> float | None:
    return round(100.0 * float(part or 0) / float(whole), 1) if whole else None


def ratio(total: Any, n: Any, unit: int = 1) -> float | None:
    """An exact mean from a sum of integers (``unit``: per second, e.g. 1000 for ms)."""
    return int(total) / (int(n) * unit) if n else None


def secs(ms: Any) -> float | None:
    return None if ms is None else int(ms) / 1000


def _row(key: Any, label: Any, agg: Any, p50: Any, p90: Any, prefix: str = "") -> dict[str, Any]:
    def get(name: str) -> int:
        return int(getattr(agg, prefix + name) or 0) if agg is not None else 0

    judged, missed = get("judged") if not prefix else 0, get("missed") if not prefix else 0
    tickets = get("n") if prefix else get("tickets")
    return {
        "key": key,
        "label": label,
        "tickets": tickets,
        "served": get("served"),
        "no_show": get("no_show"),
        "wait_avg_s": r1(ratio(get("wait_ms"), get("wait_n"), 1000)),
        "wait_p50_s": r0(secs(p50)),
        "wait_p90_s": r0(secs(p90)),
        "service_avg_s": r1(ratio(get("service_ms"), get("service_n"), 1000)),
        "within_standard_pct": pct(judged - missed, judged),
        "feedback_avg": r1(ratio(get("fb_sum"), get("fb_n"))),
        "feedback_n": get("fb_n"),
        "judged": judged,
        "missed": missed,
    }


def _labels(session: Session, by: str, keys: list[Any], cfg: CycleConfig) -> dict[Any, Any]:
    ids = [k for k in keys if k is not None]
    if by == "service":
        return {k: cfg.names.get(k, k) for k in keys}
    if by == "counter" and ids:
        rows = session.execute(
            select(col(Counter.id), col(Counter.label)).where(col(Counter.id).in_(ids))
        )
        return dict(rows.all())
    if by == "teller" and ids:
        rows = session.execute(
            select(col(User.id), col(User.username), col(User.full_name)).where(
                col(User.id).in_(ids)
            )
        )
        return {uid: (uname, full or uname) for uid, uname, full in rows.all()}
    return {k: str(k) if k is not None else None for k in keys}


def _day_percentiles(rng: Range, aggs: dict[Any, Any]) -> dict[Any, tuple[Any, Any]]:
    stored = rng.cov.stored_days()
    out: dict[Any, tuple[Any, Any]] = {}
    if stored:
        rows = rng.session.execute(
            select(RD.c.business_date, RD.c.wait_p50_ms, RD.c.wait_p90_ms).where(
                RD.c.branch_id == rng.branch.id,
                RD.c.business_date >= min(stored),
                RD.c.business_date <= max(stored),
            )
        ).all()
        out = {as_date(d): (a, b) for d, a, b in rows if as_date(d) in stored}
    live = live_cte(rng)
    if live is not None:
        lookups = [
            ((d, p), Kth("wait_ms", int(a.wait_n), p, None, (live.c.business_date == d,)))
            for d, a in aggs.items()
            if d not in stored
            for p in (50, 90)
        ]
        got = kth_values(rng, lookups, live)
        for d in {d for (d, _p) in got}:
            out[d] = (got[(d, 50)], got[(d, 90)])
    return out


def _group_percentiles(rng: Range, key: str, aggs: dict[Any, Any]) -> dict[Any, tuple[Any, Any]]:
    live = live_cte(rng)
    lookups = [
        (
            (k, p),
            Kth(
                "wait_ms",
                int(a.wait_n),
                p,
                (equal_key(RF.c[key], k),),
                (equal_key(live.c[key], k),) if live is not None else (),
            ),
        )
        for k, a in aggs.items()
        for p in (50, 90)
    ]
    got = kth_values(rng, lookups, live)
    return {k: (got[(k, 50)], got[(k, 90)]) for k in aggs}


def grouped_report(
    session: Session,
    branch: Branch,
    cfg: CycleConfig,
    period: Period,
    *,
    by: str,
    now: dt.datetime | None = None,
) -> list[ReportRow]:
    """The API.md report: one row per group of ``by`` (read at ``now``: see ``open_range``)."""
    rng = open_range(session, branch, cfg, period, now=now)
    if by == "moment":
        return [MomentRow.model_validate(row) for row in _moment_rows(rng)]
    key = _KEY_COLUMN[by]
    rows = rng.sums((key,), (*BASE, "judged", "missed"))
    by_key = {as_date(r[0]) if by == "day" else r[0]: r for r in rows}
    if by == "day":
        pcts = _day_percentiles(rng, by_key)
        by_key = {d: by_key.get(d) for d in period.days()}
    else:
        pcts = _group_percentiles(rng, key, by_key)
    labels = _labels(session, by, list(by_key), cfg)
    out = []
    for k, agg in by_key.items():
        label = labels.get(k)
        out_key: Any = k
        if by == "day":
            out_key = label = k.isoformat()
        elif by == "counter":
            out_key = label
        elif by == "teller":
            out_key, label = label if label else (None, None)
        p50, p90 = pcts.get(k, (None, None))
        out.append(_row(out_key, label, agg, p50, p90))
    out.sort(key=lambda r: (r["key"] is None, r["key"] if r["key"] is not None else ""))
    return [ReportRow.model_validate(row) for row in out]


def _moment_rows(rng: Range) -> list[dict[str, Any]]:
    cfg = rng.cfg
    names = []
    for m in MOMENTS:
        names += [
            f"m_{m.key}_{x}" for x in ("n", "missed", "expected", "exclusive", "vsum", *BASE[1:])
        ]
    agg = rng.total(names)
    lookups = [
        ((kind, m.key, p), hist.BY_KEY[(kind, m.key)], p)
        for m in MOMENTS
        for kind in ("wait", "value")
        if (kind, m.key) in hist.BY_KEY
        for p in (50, 90)
    ]
    got = series_percentiles(rng, live_cte(rng), lookups)
    rows = []
    for m in MOMENTS:
        prefix = f"m_{m.key}_"
        n = int(getattr(agg, prefix + "n") or 0) if agg is not None else 0
        row = _row(m.key, m.name, agg, got[("wait", m.key, 50)], got[("wait", m.key, 90)], prefix)
        missed = int(getattr(agg, prefix + "missed") or 0) if agg is not None else 0
        unit = VALUE[m.key][1]

        # The wait moment's values are the wait stats of its own row: the same tickets (a wait
        # measured on a service with standards) and the same n (a graded wait is measured).
        kind, of = ("wait", "wait") if m.key == "wait" else ("value", m.key)

        def value(p: int, unit: int = unit, kind: str = kind, of: str = of) -> float | None:
            v = got[(kind, of, p)]
            return None if v is None else r1(int(v) / unit if unit != 1 else v)

        row.update(
            {
                "within_standard_pct": pct(n - missed, n),
                "critical": cfg.critical[m.key],
                "judged": n,
                "missed": missed,
                "met_expected": int(getattr(agg, prefix + "expected") or 0) if agg else 0,
                "met_exclusive": int(getattr(agg, prefix + "exclusive") or 0) if agg else 0,
                "value_avg": r1(ratio(getattr(agg, prefix + "vsum"), n, unit)) if agg else None,
                "value_p50": value(50),
                "value_p90": value(90),
            }
        )
        rows.append(row)
    return rows
