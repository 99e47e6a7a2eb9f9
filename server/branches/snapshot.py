"""The branch's live state: what a screen shows before it follows the events."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from server.branches.issuing import service_issuing
from server.branches.lookup import list_counters, list_services, service_name
from server.branches.schemas import ServiceRow
from server.counters.holding import holders
from server.counters.service import counter_dict
from server.domain.calendar import business_date, day_start
from server.domain.lifecycle import TicketStatus
from server.models import Branch, Event, Ticket
from server.models.types import row_id
from server.realtime.events import EventType, record
from server.tickets import forecasting
from server.tickets.present import ticket_dict
from server.tickets.stats import open_counters_by_service, queued_in_branch, waiting_counts

RECENT_CALLS = 8
QUEUE_LIMIT = 50


def logo_url(branch: Branch) -> str | None:
    """Where screens load the branch's logo (server/branches/logo.py), or None without one;
    the version in the address changes with the image, so it may be cached for good."""
    if branch.logo is None:
        return None
    return f"/api/v1/branches/{branch.code}/logo?v={branch.logo[:12]}"


def branch_dict(branch: Branch) -> dict[str, Any]:
    return {
        "code": branch.code,
        "name": branch.name,
        "timezone": branch.timezone,
        "languages": list(branch.languages),
        "default_lang": branch.default_lang,
        "is_open": branch.is_open,
        "message": branch.message,
        "logo_url": logo_url(branch),
        "opening_hours": branch.opening_hours,
        "closed_dates": list(branch.closed_dates or []),
    }


def _iso(at: dt.datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def service_rows(
    session: Session, branch: Branch, *, lang: str | None, now: dt.datetime
) -> list[ServiceRow]:
    """Services with their waiting count, the wait a new ticket would be quoted (what issuing
    it would quote), and whether a ticket can be issued for each now (the rule the ticket
    route applies)."""
    waiting = waiting_counts(session, branch.id)  # type: ignore[arg-type]
    open_by_service = open_counters_by_service(list_counters(session, branch.id))  # type: ignore[arg-type]
    services = list_services(session, branch.id)  # type: ignore[arg-type]
    quotes = forecasting.quote_services(session, branch, services, now=now)
    rows = []
    for service in services:
        n = waiting.get(service.code, 0)
        name_lang = lang or branch.default_lang
        state = service_issuing(branch, service, now=now)
        quote = quotes[service.code]
        rows.append(
            ServiceRow(
                code=service.code,
                name=service_name(branch, service, lang=name_lang),
                names=dict(service.names),
                waiting=n,
                estimated_wait_s=forecasting.wait_s(quote),
                estimated_wait_range_s=forecasting.wait_range_s(quote),
                estimate_rough=quote.rough,
                open=state.open,
                closed_reason=state.reason,
                opens_at=_iso(state.opens_at),
                closes_at=_iso(state.closes_at),
                cutoff_at=_iso(state.cutoff_at),
                counters_open=open_by_service.get(service.code, 0),
                standard_wait_s=service.standard_wait_s,
            )
        )
    return rows


def snapshot(session: Session, branch: Branch, *, now: dt.datetime) -> dict[str, Any]:
    """The branch's live state. The queue lists its first QUEUE_LIMIT tickets (counts per
    service are complete): every display gets this, and a long queue must not make every
    connection expensive."""
    queued = list(
        session.exec(
            select(Ticket)
            .where(*queued_in_branch(session, branch.id))  # type: ignore[arg-type]
            .order_by(Ticket.issued_at, Ticket.id)  # type: ignore[arg-type]
            .limit(QUEUE_LIMIT)
        )
    )
    counters = list_counters(session, branch.id)  # type: ignore[arg-type]
    current_ids = [c.current_ticket_id for c in counters if c.current_ticket_id is not None]
    at_counter = (
        {t.id: t for t in session.exec(select(Ticket).where(col(Ticket.id).in_(current_ids)))}
        if current_ids
        else {}
    )
    held = holders(session, counters)
    today = business_date(now, branch.timezone)
    # Today's calls of the live log only: generated history (seq < 0, ``sira simulate``) and
    # yesterday's calls are not "recent" on a screen in the hall.
    recent = session.exec(
        select(Event)
        .where(
            Event.branch_id == branch.id,
            col(Event.type).in_(("ticket.called", "ticket.recalled")),
            col(Event.seq) > 0,
            col(Event.at) >= day_start(today, branch.timezone),
        )
        .order_by(col(Event.seq).desc())
        .limit(RECENT_CALLS)
    ).all()
    served_today = session.exec(
        select(func.count()).where(
            Ticket.branch_id == branch.id,
            Ticket.business_date == today,
            Ticket.status == TicketStatus.DONE,
        )
    ).one()
    return {
        "branch": branch_dict(branch),
        "business_date": today.isoformat(),
        "services": [row.model_dump() for row in service_rows(session, branch, lang=None, now=now)],
        "counters": [
            counter_dict(c, at_counter.get(c.current_ticket_id), held_by=held.get(c.id))
            for c in counters
        ],
        "queue": [ticket_dict(t) for t in queued],
        "recent_calls": [
            {"seq": e.seq, "type": e.type, "at": e.at.isoformat(), **e.data} for e in recent
        ],
        "served_today": served_today,
    }


def branch_changed(
    session: Session, branch: Branch, *, user_id: int | None, now: dt.datetime
) -> None:
    """Tell every screen following ``branch`` its new settings (``branch.changed``)."""
    record(
        session,
        branch_id=row_id(branch),
        type=EventType.BRANCH_CHANGED,
        at=now,
        user_id=user_id,
        data={"branch": branch_dict(branch)},
    )
