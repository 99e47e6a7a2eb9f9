"""Service recovery before the breach: predict which waiting tickets will miss their wait
standard and tell the manager (alert ``risk:<service>``) what would help.

A ticket's predicted wait is what it has waited so far plus when the forecast says the
counters will call it (``tickets/forecasting.predicted_calls``: the same engine, state and
rules as the customers' quotes), or the old formula's figure when the engine cannot say.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from typing import Any

from sqlmodel import Session, col, select

from server.alerts.service import clear_alert, raise_alert
from server.branches.lookup import list_counters, list_services
from server.context import AppContext
from server.domain.calendar import business_date
from server.domain.estimates import average_service_s, estimate_wait_s
from server.domain.lifecycle import QUEUED, CounterState
from server.domain.standards import factor_for
from server.models import Branch, Counter, Service, Ticket
from server.reports.cycle import CycleConfig, load_cycle
from server.reports.schemas import ServiceRisk
from server.tickets import forecasting
from server.tickets.stats import recent_service_times

log = logging.getLogger("sira.risk")
KIND = "standard_risk"
DEFAULT_INTERVAL_S = 30.0


def alert_key(service: str) -> str:
    return f"risk:{service}"


def _suggestions(service: str, counters: list[Counter]) -> list[dict[str, Any]]:
    out = []
    for c in counters:
        if c.state == CounterState.PAUSED and service in c.services:
            out.append(("resume_counter", c, f"resume counter {c.label}"))
    for c in counters:
        if c.state == CounterState.CLOSED and service in c.services:
            out.append(("open_counter", c, f"open counter {c.label}"))
    for c in counters:
        if c.state == CounterState.OPEN and service not in c.services:
            out.append(("add_service", c, f"add service {service} to counter {c.label}"))
    for c in counters:
        if c.state == CounterState.CLOSED and service not in c.services:
            out.append(("open_counter", c, f"open counter {c.label} with service {service}"))
    return [
        {"action": a, "counter_id": c.id, "counter": c.label, "service": service, "text": text}
        for a, c, text in out[:3]
    ]


def predict(
    session: Session, branch: Branch, *, now: dt.datetime, cfg: CycleConfig | None = None
) -> list[dict[str, Any]]:
    """Per service with waiting customers: how many will miss the wait standard."""
    cfg = cfg or load_cycle(session, branch)
    counters = list_counters(session, branch.id)  # type: ignore[arg-type]
    today = business_date(now, branch.timezone)
    factor = factor_for(cfg.overrides, moment="wait", day=today)
    calls = forecasting.predicted_calls(session, branch, now=now)
    out = []
    for service in list_services(session, branch.id):  # type: ignore[arg-type]
        queue = session.exec(
            select(Ticket.id, Ticket.issued_at, Ticket.original_service_code)
            .where(
                Ticket.branch_id == branch.id,
                Ticket.service_code == service.code,
                col(Ticket.status).in_(QUEUED),
            )
            .order_by(col(Ticket.priority).desc(), col(Ticket.issued_at), col(Ticket.id))
        ).all()
        if not queue:
            out.append(_entry(service, 0, 0, 0.0, 0, 0, 0, None, []))
            continue
        open_n = sum(
            1 for c in counters if c.state == CounterState.OPEN and service.code in c.services
        )
        avg = average_service_s(
            recent_service_times(session, branch.id, service.code),  # type: ignore[arg-type]
            standard_s=service.standard_service_s,
        )
        at_risk = missed = 0
        worst = 0.0
        # The wait standard as the reports judge it (the cycle map's expected target).
        own = cfg.target(service.code, "wait")
        standard = (own.expected if own else service.standard_wait_s) * factor
        for ahead, (ticket_id, issued_at, first_service) in enumerate(queue):
            target = cfg.target(first_service, "wait")
            limit = target.expected * factor if target else standard
            waited = (now - issued_at).total_seconds()
            if calls is not None:  # the forecast: when the counters will call it
                left = calls.get(ticket_id or 0, math.inf)
            elif open_n:
                left = estimate_wait_s(ahead=ahead, open_counters=open_n, avg_service_s=avg)
            else:
                left = math.inf
            predicted = waited + left
            worst = max(worst, predicted)
            if waited > limit:
                missed += 1
            elif predicted > limit:
                at_risk += 1
        suggestions = _suggestions(service.code, counters) if at_risk or missed else []
        out.append(
            _entry(service, len(queue), open_n, avg, standard, at_risk, missed, worst, suggestions)
        )
    return out


def predict_public(session: Session, branch: Branch, *, now: dt.datetime) -> list[ServiceRisk]:
    """``predict`` as the API shows it (the alerts keep its rows as their data)."""
    return [ServiceRisk.model_validate(row) for row in predict(session, branch, now=now)]


def _entry(
    service: Service,
    waiting: int,
    open_n: int,
    avg: float,
    standard: float,
    at_risk: int,
    missed: int,
    worst: float | None,
    suggestions: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "service": service.code,
        "waiting": waiting,
        "open_counters": open_n,
        "avg_service_s": round(avg, 1),
        "standard_wait_s": int(round(standard)) if standard else service.standard_wait_s,
        "at_risk": at_risk,
        "missed": missed,
        "worst_predicted_wait_s": (
            None if worst is None else (None if worst == float("inf") else int(round(worst)))
        ),
        "suggestions": suggestions,
    }


def check_standard_risk(session: Session, branch: Branch, *, now: dt.datetime) -> list[str]:
    """Raise or clear the branch's risk alerts; returns the keys open afterwards."""
    open_keys = []
    for p in predict(session, branch, now=now):
        key = alert_key(p["service"])
        if p["at_risk"] or p["missed"]:
            hint = "; ".join(s["text"] for s in p["suggestions"]) or "call the next customer"
            message = (
                f"Service {p['service']}: {p['at_risk']} waiting customer(s) will miss the "
                f"{p['standard_wait_s'] // 60} min wait standard"
                + (f" and {p['missed']} already have" if p["missed"] else "")
                + f". Suggestion: {hint}."
            )
            raise_alert(
                session,
                branch_id=branch.id,  # type: ignore[arg-type]
                key=key,
                kind=KIND,
                message=message,
                now=now,
                data=p,
            )
            open_keys.append(key)
        else:
            clear_alert(
                session,
                branch_id=branch.id,  # type: ignore[arg-type]
                key=key,
                now=now,
                reason="no waiting customer is at risk",
            )
    return open_keys


def check_all(ctx: AppContext) -> None:
    """One round over every branch (the server runs it periodically)."""
    with ctx.db.unit_of_work(write=False) as session:
        ids = [b.id for b in session.exec(select(Branch).where(col(Branch.is_open).is_(True)))]
    for branch_id in ids:
        with ctx.db.unit_of_work() as session:
            branch = session.get(Branch, branch_id)
            if branch is not None:
                check_standard_risk(session, branch, now=ctx.clock.now())


def interval_s(ctx: AppContext) -> float:
    """Seconds between rounds; 0 (off) under tests unless the settings ask for it."""
    configured = getattr(ctx.settings, "risk_check_interval_s", None)
    if configured is not None:
        return float(configured)
    return 0.0 if ctx.settings.env == "test" else DEFAULT_INTERVAL_S
