"""Staffing advice: counters each service needs in the next hours (Erlang C), from the
arrival pattern of past weeks and recent service times, beside the counters open now."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from server.branches.lookup import list_counters, list_services
from server.domain.calendar import business_date, zone
from server.domain.lifecycle import CounterState, TicketStatus
from server.domain.staffing import counters_needed
from server.domain.standards import factor_for
from server.models import Branch, Ticket
from server.reports import sqlexpr as sx
from server.reports.build import RF
from server.reports.coverage import coverage, stored_busy_where
from server.reports.cycle import load_cycle
from server.reports.period import Period, dialect_of
from server.reports.schemas import StaffingPublic
from server.reports.source import open_range

AHT_DAYS = 14


def arrival_pattern(
    session: Session, branch: Branch, *, today: dt.date, weeks: int
) -> dict[tuple[str, int, int], float]:
    """(service, weekday, local hour) → mean arrivals per hour over the past ``weeks``."""
    period = Period.of(
        today - dt.timedelta(days=7 * weeks), today - dt.timedelta(days=1), branch.timezone
    )
    rng = open_range(session, branch, load_cycle(session, branch), period, grades=False)
    rows = rng.sums(("svc", "weekday", "hour"), ("tickets",))
    return {(svc, int(w), int(h)): int(n) / weeks for svc, w, h, n in rows if int(n)}


def recent_aht(session: Session, branch: Branch, *, now: dt.datetime) -> dict[str, float]:
    """Mean service time per service of ``done`` tickets finished in the past AHT_DAYS."""
    d = dialect_of(session)
    since = now - dt.timedelta(days=AHT_DAYS)
    day = business_date(now, branch.timezone)
    cov = coverage(session, branch, Period.of(day, day, branch.timezone), None)
    status = Ticket.__table__.c.status  # type: ignore[attr-defined]
    finished = Ticket.__table__.c.finished_at  # type: ignore[attr-defined]
    svc = Ticket.__table__.c.service_code  # type: ignore[attr-defined]
    if cov.built_through is not None:
        status, finished = sx.NoIndex(status), sx.NoIndex(finished)
        svc = sx.NoIndex(svc)
    took = sx.seconds_between(
        d, func.coalesce(Ticket.serving_at, Ticket.called_at), Ticket.finished_at
    )
    live = (
        select(svc, func.sum(took), func.count(took))
        .where(
            col(Ticket.branch_id) == branch.id,
            # With rollups the live days are few: reach them by date, not by status.
            status == TicketStatus.DONE.value,
            finished >= since,
            *cov.live_where_any(Ticket.business_date),
        )
        .group_by(svc)
    )
    acc: dict[str, list[float]] = {}
    for svc, total, n in session.execute(live).all():
        acc[svc] = [float(total or 0), int(n)]
    if cov.built_through is not None:
        stored = (
            select(RF.c.final_svc, func.sum(RF.c.service_ms), func.count(RF.c.service_ms))
            .where(
                RF.c.branch_id == branch.id,
                RF.c.finished_at >= since,
                RF.c.status == TicketStatus.DONE.value,
                stored_busy_where(cov),
            )
            .group_by(RF.c.final_svc)
        )
        for svc, total, n in session.execute(stored).all():
            a = acc.setdefault(svc, [0.0, 0])
            a[0] += int(total or 0) / 1000
            a[1] += int(n)
    return {svc: total / n for svc, (total, n) in acc.items() if n}


def staffing_advice(
    session: Session, branch: Branch, *, now: dt.datetime, hours: int, weeks: int, target_pct: float
) -> StaffingPublic:
    cfg = load_cycle(session, branch)
    today = business_date(now, branch.timezone)
    pattern = arrival_pattern(session, branch, today=today, weeks=weeks)
    aht = recent_aht(session, branch, now=now)
    services = list_services(session, branch.id)  # type: ignore[arg-type]
    counters = list_counters(session, branch.id)  # type: ignore[arg-type]
    open_now = {
        s.code: sum(1 for c in counters if c.state == CounterState.OPEN and s.code in c.services)
        for s in services
    }
    z = zone(branch.timezone)
    first = now.astimezone(z).replace(minute=0, second=0, microsecond=0)
    out_hours = []
    for i in range(hours):
        local = (first + dt.timedelta(hours=i)).astimezone(z)
        # Normalise across DST changes: the wall-clock hour of that instant.
        local = local.astimezone(z)
        rows: list[dict[str, Any]] = []
        for s in services:
            rate = pattern.get((s.code, local.weekday(), local.hour), 0.0)
            service_s = aht.get(s.code, float(s.standard_service_s))
            target = cfg.target(s.code, "wait")
            factor = factor_for(cfg.overrides, moment="wait", day=local.date())
            wait_s = (target.expected if target else s.standard_wait_s) * factor
            advice = counters_needed(
                rate, aht_s=service_s, target_s=wait_s, target_level=target_pct / 100
            )
            rows.append(
                {
                    "service": s.code,
                    "arrivals_per_h": round(rate, 2),
                    "aht_s": round(service_s, 1),
                    "standard_wait_s": int(round(wait_s)),
                    "counters_needed": advice.counters,
                    "service_level_pct": round(100 * advice.service_level, 1),
                    "prob_wait_pct": round(100 * advice.prob_wait, 1),
                }
            )
        out_hours.append(
            {
                "start": local.astimezone(dt.UTC).isoformat(),
                "local_hour": local.hour,
                "weekday": local.weekday(),
                "services": rows,
                "counters_needed": sum(r["counters_needed"] for r in rows),
            }
        )
    return StaffingPublic.model_validate(
        {
            "generated_at": now.isoformat(),
            "weeks": weeks,
            "target_pct": target_pct,
            "open_now": open_now,
            "counters_open": sum(1 for c in counters if c.state == CounterState.OPEN),
            "hours": out_hours,
        }
    )
