"""Live figures for the manager: computed in SQL over today's tickets."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from server.alerts.service import alert_public, open_alerts
from server.branches.lookup import list_counters
from server.domain.calendar import business_date
from server.domain.lifecycle import CounterState, TicketStatus
from server.metrics.schemas import LiveMetrics
from server.models import Branch, Ticket
from server.models.types import row_id
from server.reports.cycle import load_cycle
from server.reports.grouped import pct
from server.reports.period import Period
from server.reports.source import open_range
from server.tickets.stats import queued_in_branch


def live_metrics(session: Session, branch: Branch, *, now: dt.datetime) -> LiveMetrics:
    today = business_date(now, branch.timezone)
    waiting_rows = session.exec(
        select(Ticket.service_code, func.count(), func.min(Ticket.issued_at))
        .where(*queued_in_branch(session, branch.id))  # type: ignore[arg-type]
        .group_by(Ticket.service_code)
    ).all()
    waiting: dict[str, dict[str, Any]] = {
        code: {"waiting": int(n), "oldest_issued_at": oldest} for code, n, oldest in waiting_rows
    }
    oldest_all: list[dt.datetime] = [
        w["oldest_issued_at"] for w in waiting.values() if w["oldest_issued_at"]
    ]
    longest = int((now - min(oldest_all)).total_seconds()) if oldest_all else 0

    called = session.exec(
        select(
            func.count(col(Ticket.first_called_at)),
            func.sum(case((col(Ticket.status) == TicketStatus.DONE, 1), else_=0)),
        ).where(Ticket.branch_id == branch.id, Ticket.business_date == today)
    ).one()
    n_called, served = (int(x or 0) for x in called)
    # "Within standard" is the reports' figure for today, read now: one grading for the tile
    # and the report (the branch's cycle map, calendar overrides and critical moments; a
    # ticket still waiting past its standard counts as missed).
    rng = open_range(
        session,
        branch,
        load_cycle(session, branch),
        Period.of(today, today, branch.timezone),
        now=now,
    )
    judged_missed = rng.total(("judged", "missed"))
    judged, missed = (int(x or 0) for x in judged_missed) if judged_missed else (0, 0)
    counters = list_counters(session, branch.id)  # type: ignore[arg-type]
    return LiveMetrics(
        branch=branch.code,
        business_date=today.isoformat(),
        waiting={code: w["waiting"] for code, w in waiting.items()},
        waiting_total=sum(w["waiting"] for w in waiting.values()),
        longest_wait_s=longest,
        counters_open=sum(1 for c in counters if c.state == CounterState.OPEN),
        counters_paused=sum(1 for c in counters if c.state == CounterState.PAUSED),
        served_today=served,
        called_today=n_called,
        within_standard_pct=pct(judged - missed, judged),
        alerts=[alert_public(a) for a in open_alerts(session, branch_id=row_id(branch))],
    )
