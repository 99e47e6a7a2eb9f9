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
from server.models import Branch, Service, Ticket
from server.models.types import row_id
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

    standard = func.coalesce(Service.standard_wait_s, 600)
    wait_s: Any = (
        func.julianday(Ticket.first_called_at) - func.julianday(Ticket.issued_at)
    ) * 86400
    if session.get_bind().dialect.name == "postgresql":
        wait_s = func.extract("epoch", col(Ticket.first_called_at) - col(Ticket.issued_at))
    called = session.exec(
        select(
            func.count(),
            func.sum(case((wait_s <= standard, 1), else_=0)),
            func.sum(case((col(Ticket.status) == TicketStatus.DONE, 1), else_=0)),
        )
        .select_from(Ticket)
        .join(
            Service,
            (col(Service.branch_id) == Ticket.branch_id)
            & (col(Service.code) == Ticket.original_service_code),
        )
        .where(
            Ticket.branch_id == branch.id,
            Ticket.business_date == today,
            col(Ticket.first_called_at).is_not(None),
        )
    ).one()
    n_called, n_within, served = (int(x or 0) for x in called)
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
        within_standard_pct=round(100 * n_within / n_called, 1) if n_called else None,
        alerts=[alert_public(a) for a in open_alerts(session, branch_id=row_id(branch))],
    )
