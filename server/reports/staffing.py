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
from server.reports.cycle import load_cycle
from server.reports.facts import Period, dialect_of

AHT_DAYS = 14


def arrival_pattern(
    session: Session, branch: Branch, *, today: dt.date, weeks: int
) -> dict[tuple[str, int, int], float]:
    """(service, weekday, local hour) → mean arrivals per hour over the past ``weeks``."""
    d = dialect_of(session)
    period = Period.of(
        today - dt.timedelta(days=7 * weeks), today - dt.timedelta(days=1), branch.timezone
    )
    local = sx.local_time(
        d, Ticket.issued_at, tz=branch.timezone, start=period.start, end=period.end
    )
    wd, hr = sx.local_weekday(d, local), sx.local_hour(d, local)
    rows = session.execute(
        select(Ticket.original_service_code, wd, hr, func.count())
        .where(
            Ticket.branch_id == branch.id,
            col(Ticket.business_date) >= period.first,
            col(Ticket.business_date) <= period.last,
        )
        .group_by(Ticket.original_service_code, wd, hr)
    ).all()
    return {(svc, int(w), int(h)): n / weeks for svc, w, h, n in rows}


def recent_aht(session: Session, branch: Branch, *, now: dt.datetime) -> dict[str, float]:
    d = dialect_of(session)
    start = func.coalesce(Ticket.serving_at, Ticket.called_at)
    rows = session.execute(
        select(Ticket.service_code, func.avg(sx.seconds_between(d, start, Ticket.finished_at)))
        .where(
            Ticket.branch_id == branch.id,
            Ticket.status == TicketStatus.DONE.value,
            col(Ticket.finished_at) >= now - dt.timedelta(days=AHT_DAYS),
        )
        .group_by(Ticket.service_code)
    ).all()
    return {svc: float(v) for svc, v in rows if v is not None}


def staffing_advice(
    session: Session, branch: Branch, *, now: dt.datetime, hours: int, weeks: int, target_pct: float
) -> dict[str, Any]:
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
        rows = []
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
    return {
        "generated_at": now.isoformat(),
        "weeks": weeks,
        "target_pct": target_pct,
        "open_now": open_now,
        "counters_open": sum(1 for c in counters if c.state == CounterState.OPEN),
        "hours": out_hours,
    }
