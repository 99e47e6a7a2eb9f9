"""Manager views over the report sums: heat-map, where the cycle breaks, satisfaction
against wait, estimate accuracy and service recovery."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from server.domain.standards import MOMENT_KEYS, MOMENTS
from server.models import Branch, Ticket
from server.reports import accuracy, quotes
from server.reports.build import RA, recovery_actions
from server.reports.cycle import CycleConfig
from server.reports.grouped import pct, r1, ratio
from server.reports.measures import WAIT_BUCKETS
from server.reports.period import Period
from server.reports.schemas import (
    BreaksPublic,
    EstimatePoint,
    EstimatePoints,
    EstimateRow,
    HeatmapPublic,
    RecoveryPublic,
    RecoveryService,
    SatisfactionBucket,
)
from server.reports.source import open_range

__all__ = [
    "WAIT_BUCKETS",
    "breaks",
    "estimate_points",
    "estimates",
    "heatmap",
    "recovery",
    "satisfaction",
]


def heatmap(
    session: Session,
    branch: Branch,
    cfg: CycleConfig,
    period: Period,
    now: dt.datetime | None = None,
) -> HeatmapPublic:
    """Arrivals and missed tickets by weekday and local hour."""
    rows = open_range(session, branch, cfg, period, now=now).sums(
        ("weekday", "hour"), ("tickets", "missed")
    )
    arrivals = [[0] * 24 for _ in range(7)]
    missed = [[0] * 24 for _ in range(7)]
    for weekday, hour, n, m in rows:
        arrivals[int(weekday)][int(hour)] = int(n)
        missed[int(weekday)][int(hour)] = int(m or 0)
    return HeatmapPublic.model_validate(
        {
            "from": period.first.isoformat(),
            "to": period.last.isoformat(),
            "timezone": branch.timezone,
            "arrivals": arrivals,
            "missed": missed,
        }
    )


def breaks(
    session: Session,
    branch: Branch,
    cfg: CycleConfig,
    period: Period,
    now: dt.datetime | None = None,
) -> BreaksPublic:
    """Where the cycle breaks: moments, services and hours by missed tickets."""
    per_moment = [f"m_{k}_{x}" for k in MOMENT_KEYS for x in ("missed", "n")]
    rows = open_range(session, branch, cfg, period, now=now).sums(
        ("svc", "hour"), ("tickets", "missed", *per_moment)
    )
    totals = {name: sum(int(getattr(r, name)) for r in rows) for name in per_moment}
    moments: list[dict[str, Any]] = [
        {
            "key": m.key,
            "critical": cfg.critical[m.key],
            "missed": totals[f"m_{m.key}_missed"],
            "measured": totals[f"m_{m.key}_n"],
            "share_pct": pct(totals[f"m_{m.key}_missed"], totals[f"m_{m.key}_n"]),
        }
        for m in MOMENTS
    ]
    moments.sort(key=lambda r: (-r["missed"], not r["critical"], r["key"]))

    def ranked(index: int) -> list[dict[str, Any]]:
        acc: dict[Any, list[int]] = {}
        for r in rows:
            a = acc.setdefault(r[index], [0, 0])
            a[0] += int(r.missed)
            a[1] += int(r.tickets)
        out = [
            {"key": k, "missed": m, "tickets": n, "share_pct": pct(m, n)}
            for k, (m, n) in acc.items()
        ]
        out.sort(key=lambda r: (-r["missed"], r["key"]))
        return out

    return BreaksPublic.model_validate(
        {
            "tickets": sum(int(r.tickets) for r in rows),
            "moments": moments,
            "services": ranked(0),
            "hours": [{**h, "key": int(h["key"])} for h in ranked(1)],
        }
    )


def satisfaction(
    session: Session,
    branch: Branch,
    cfg: CycleConfig,
    period: Period,
    now: dt.datetime | None = None,
) -> list[SatisfactionBucket]:
    """Feedback by wait bucket."""
    names = [f"sat{i}_{x}" for i in range(len(WAIT_BUCKETS)) for x in ("n", "fb_n", "fb_sum")]
    total = open_range(session, branch, cfg, period, grades=False).total(names)
    out = []
    for i, (lo, hi) in enumerate(WAIT_BUCKETS):
        n, fn, fs = (
            int(getattr(total, f"sat{i}_{x}") or 0) if total else 0 for x in ("n", "fb_n", "fb_sum")
        )
        label = f"{lo // 60}-{hi // 60} min" if hi is not None else f"{lo // 60}+ min"
        out.append(
            SatisfactionBucket(
                bucket=label,
                from_s=lo,
                to_s=hi,
                tickets=n,
                feedback_n=fn,
                feedback_avg=r1(ratio(fs, fn)),
            )
        )
    return out


def estimates(
    session: Session,
    branch: Branch,
    cfg: CycleConfig,
    period: Period,
    now: dt.datetime | None = None,
) -> list[EstimateRow]:
    """Quoted against actual wait, by issued service and in total (key "*"): the quote at
    issue (from the report sums), the re-quotes (read from the stored quotes) and whether
    the quotes drift."""
    names = ("est_n", "est_abs_ms", "est_err_ms", "est_within", "est_within_target")
    rows = open_range(session, branch, cfg, period, grades=False).sums(("svc",), names)
    found = {str(r[0]): [int(x) for x in r[1:]] for r in rows if int(r.est_n)}
    requotes = quotes.requote_sums(session, branch, period)
    zero = quotes.RequoteSums(0, 0, 0)

    def row(key: str, sums: list[int], rq: quotes.RequoteSums) -> EstimateRow:
        n, mae, bias, within, target = sums
        bias_s, target_pct = r1(ratio(bias, n, 1000)), pct(target, n)
        return EstimateRow(
            key=key,
            tickets=n,
            mae_s=r1(ratio(mae, n, 1000)),
            bias_s=bias_s,
            within_2min_pct=pct(within, n),
            within_target_pct=target_pct,
            requotes=rq.n,
            requote_mae_s=r1(ratio(rq.abs_ms, rq.n, 1000)),
            requote_within_target_pct=pct(rq.within_target, rq.n),
            drift=accuracy.drift(quotes=n, bias_s=bias_s, within_target_pct=target_pct),
        )

    keys = sorted(set(found) | set(requotes))
    out = [row(k, found.get(k, [0] * 5), requotes.get(k, zero)) for k in keys]
    total = [sum(v[i] for v in found.values()) for i in range(5)]
    all_rq = quotes.RequoteSums(
        *(sum(getattr(v, f) for v in requotes.values()) for f in ("n", "abs_ms", "within_target"))
    )
    out.append(row("*", total, all_rq))
    return out


def estimate_points(
    session: Session, branch: Branch, period: Period, *, service: str | None = None
) -> EstimatePoints:
    """The quote at issue against the actual wait of called tickets (a sample of at most
    ``quotes.MAX_POINTS``), with the target band's rule for the chart."""
    found, total = quotes.points(session, branch, period, service=service)
    return EstimatePoints(
        points=[EstimatePoint(service=s, quoted_s=q, actual_s=a) for s, q, a in found],
        total=total,
        sampled=len(found) < total,
        target_min_s=accuracy.TARGET_MIN_S,
        target_share=accuracy.TARGET_SHARE,
    )


def recovery(
    session: Session,
    branch: Branch,
    cfg: CycleConfig,
    period: Period,
    now: dt.datetime | None = None,
) -> RecoveryPublic:
    """Missed waits, the recoveries logged for them and the feedback of both."""
    names = (
        "m_wait_missed",
        "rec_recovered",
        "rec_fb_n1",
        "rec_fb_sum1",
        "rec_fb_n0",
        "rec_fb_sum0",
    )
    rows = open_range(session, branch, cfg, period, now=now).sums(("svc",), names)
    by = {r[0]: [int(x) for x in r[1:]] for r in rows if int(r.m_wait_missed)}
    tot = [sum(v[i] for v in by.values()) for i in range(6)]
    rng = open_range(session, branch, cfg, period, grades=False)
    first = max(period.first, rng.cov.live_first)  # no live day before it
    live = recovery_actions(
        session, branch, first, period.last, *rng.cov.live_where(Ticket.business_date)
    )
    acts: dict[str, int] = {}
    for _day, a, n in session.execute(live).all():
        acts[str(a)] = acts.get(str(a), 0) + int(n)
    if rng.cov.has_stored:
        stored = (
            select(RA.c.action, func.sum(RA.c.n))
            .where(RA.c.branch_id == branch.id, *rng.cov.stored_where(RA.c.business_date))
            .group_by(RA.c.action)
        )
        for a, n in session.execute(stored).all():
            acts[str(a)] = acts.get(str(a), 0) + int(n)
    return RecoveryPublic(
        missed=tot[0],
        recovered=tot[1],
        recovered_pct=pct(tot[1], tot[0]),
        actions=dict(sorted(acts.items())),
        by_service=[
            RecoveryService(key=k, missed=v[0], recovered=v[1], recovered_pct=pct(v[1], v[0]))
            for k, v in sorted(by.items())
        ],
        feedback_avg_recovered=r1(ratio(tot[3], tot[2])),
        feedback_avg_unrecovered=r1(ratio(tot[5], tot[4])),
    )
