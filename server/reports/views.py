"""Manager views over the ticket facts: heat-map, where the cycle breaks, satisfaction
against wait, estimate accuracy and service recovery."""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, case, exists, func, select
from sqlmodel import Session, col

from server.domain.standards import MOMENTS
from server.models import Branch, Event
from server.realtime.events import EventType
from server.reports import sqlexpr as sx
from server.reports.cycle import CycleConfig
from server.reports.facts import GRADE_MISSED, Period, dialect_of, ticket_facts
from server.reports.grouped import pct, r1

# Wait buckets (seconds): a wait w falls in [from, to).
WAIT_BUCKETS = (
    (0, 120),
    (120, 300),
    (300, 600),
    (600, 900),
    (900, 1200),
    (1200, 1800),
    (1800, None),
)
WITHIN_S = 120


def heatmap(session: Session, branch: Branch, cfg: CycleConfig, period: Period) -> dict[str, Any]:
    f = ticket_facts(session, branch, cfg, period)
    rows = session.execute(
        select(f.c.weekday, f.c.hour, func.count(), func.sum(f.c.missed)).group_by(
            f.c.weekday, f.c.hour
        )
    ).all()
    arrivals = [[0] * 24 for _ in range(7)]
    missed = [[0] * 24 for _ in range(7)]
    for weekday, hour, n, m in rows:
        arrivals[int(weekday)][int(hour)] = int(n)
        missed[int(weekday)][int(hour)] = int(m or 0)
    return {
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "timezone": branch.timezone,
        "arrivals": arrivals,
        "missed": missed,
    }


def breaks(session: Session, branch: Branch, cfg: CycleConfig, period: Period) -> dict[str, Any]:
    f = ticket_facts(session, branch, cfg, period)
    cols = []
    for m in MOMENTS:
        g = f.c[f"g_{m.key}"]
        cols += [func.sum(case((g == GRADE_MISSED, 1), else_=0)), func.count(g)]
    totals = session.execute(select(func.count(), *cols)).one()
    moments = [
        {
            "key": m.key,
            "critical": cfg.critical[m.key],
            "missed": int(totals[1 + 2 * i] or 0),
            "measured": int(totals[2 + 2 * i] or 0),
            "share_pct": pct(totals[1 + 2 * i], totals[2 + 2 * i]),
        }
        for i, m in enumerate(MOMENTS)
    ]
    moments.sort(key=lambda r: (-r["missed"], not r["critical"], r["key"]))

    def ranked(key: Any) -> list[dict[str, Any]]:
        rows = session.execute(select(key, func.sum(f.c.missed), func.count()).group_by(key)).all()
        out = [
            {"key": k, "missed": int(m or 0), "tickets": int(n), "share_pct": pct(m, n)}
            for k, m, n in rows
        ]
        out.sort(key=lambda r: (-r["missed"], r["key"]))
        return out

    return {
        "tickets": int(totals[0]),
        "moments": moments,
        "services": ranked(f.c.svc),
        "hours": ranked(f.c.hour),
    }


def satisfaction(
    session: Session, branch: Branch, cfg: CycleConfig, period: Period
) -> list[dict[str, Any]]:
    f = ticket_facts(session, branch, cfg, period)
    w = f.c.v_wait
    bucket = case(
        *[
            (w < hi, i) if i == 0 else ((w >= lo) & (w < hi), i)
            for i, (lo, hi) in enumerate(WAIT_BUCKETS)
            if hi is not None
        ],
        else_=len(WAIT_BUCKETS) - 1,
    )
    rows = session.execute(
        select(
            bucket.label("b"), func.count(), func.count(f.c.v_feedback), func.avg(f.c.v_feedback)
        )
        .where(w.is_not(None))
        .group_by(bucket)
    ).all()
    found = {int(b): (n, fn, fa) for b, n, fn, fa in rows}
    out = []
    for i, (lo, hi) in enumerate(WAIT_BUCKETS):
        n, fn, fa = found.get(i, (0, 0, None))
        label = f"{lo // 60}-{hi // 60} min" if hi is not None else f"{lo // 60}+ min"
        out.append(
            {
                "bucket": label,
                "from_s": lo,
                "to_s": hi,
                "tickets": int(n),
                "feedback_n": int(fn),
                "feedback_avg": r1(fa),
            }
        )
    return out


def estimates(
    session: Session, branch: Branch, cfg: CycleConfig, period: Period
) -> list[dict[str, Any]]:
    f = ticket_facts(session, branch, cfg, period)
    err = f.c.v_wait - f.c.quoted
    aggs = [
        func.count(),
        func.avg(func.abs(err)),
        func.avg(err),
        func.sum(case((func.abs(err) <= WITHIN_S, 1), else_=0)),
    ]
    called = f.c.v_wait.is_not(None)
    rows = session.execute(select(f.c.svc, *aggs).where(called).group_by(f.c.svc)).all()
    total = session.execute(select(*aggs).where(called)).one()

    def row(key: str, n: Any, mae: Any, bias: Any, within: Any) -> dict[str, Any]:
        return {
            "key": key,
            "tickets": int(n or 0),
            "mae_s": r1(mae),
            "bias_s": r1(bias),
            "within_2min_pct": pct(within, n),
        }

    out = [row(*r) for r in sorted(rows, key=lambda r: r[0])]
    out.append(row("*", *total))
    return out


def recovery(session: Session, branch: Branch, cfg: CycleConfig, period: Period) -> dict[str, Any]:
    f = ticket_facts(session, branch, cfg, period)
    recovered = exists().where(
        and_(Event.ticket_id == f.c.id, Event.type == EventType.TICKET_RECOVERY.value)
    )
    rec = case((recovered, 1), else_=0)
    missed = f.c.g_wait == GRADE_MISSED
    rows = session.execute(
        select(f.c.svc, func.count(), func.sum(rec)).where(missed).group_by(f.c.svc)
    ).all()
    fb = session.execute(
        select(rec.label("r"), func.avg(f.c.v_feedback)).where(missed).group_by(rec)
    ).all()
    fb_by = {int(r): avg for r, avg in fb}
    action = sx.json_text(dialect_of(session), Event.data, "action")
    ids = select(f.c.id)
    actions = session.execute(
        select(action, func.count())
        .where(
            Event.branch_id == branch.id,
            Event.type == EventType.TICKET_RECOVERY.value,
            col(Event.ticket_id).in_(ids),
        )
        .group_by(action)
    ).all()
    n_missed = sum(int(n) for _, n, _ in rows)
    n_rec = sum(int(r or 0) for _, _, r in rows)
    return {
        "missed": n_missed,
        "recovered": n_rec,
        "recovered_pct": pct(n_rec, n_missed),
        "actions": {str(a): int(n) for a, n in sorted(actions, key=lambda x: str(x[0]))},
        "by_service": [
            {
                "key": k,
                "missed": int(n),
                "recovered": int(r or 0),
                "recovered_pct": pct(r, n),
            }
            for k, n, r in sorted(rows, key=lambda x: x[0])
        ],
        "feedback_avg_recovered": r1(fb_by.get(1)),
        "feedback_avg_unrecovered": r1(fb_by.get(0)),
    }
