"""What a customer sees on their phone, and their feedback."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from server.branches.lookup import get_branch_by_id, get_service, service_name
from server.customers.schemas import BranchRef, TicketStatusPublic
from server.domain.errors import Conflict, NotFound
from server.domain.lifecycle import QUEUED, check_ticket_op
from server.models import Counter, Ticket
from server.realtime.events import EventType, record
from server.tickets import forecasting


def by_token(session: Session, token: str) -> Ticket:
    ticket = session.exec(select(Ticket).where(Ticket.token == token)).first()
    if ticket is None:
        raise NotFound("no ticket matches this code; it may have expired")
    return ticket


def status_view(session: Session, ticket: Ticket, *, now: dt.datetime) -> TicketStatusPublic:
    branch = get_branch_by_id(session, ticket.branch_id)
    position = None
    estimate = None
    wait_range = None
    rough = False
    served_now = True
    service = get_service(session, branch, ticket.service_code)
    if ticket.status in QUEUED:
        quote = forecasting.quote_ticket(session, ticket, now=now, branch=branch)
        position = forecasting.position(quote)
        estimate = forecasting.wait_s(quote)
        wait_range = forecasting.wait_range_s(quote)
        rough = quote.rough
        served_now = quote.served_now
    counter = session.get(Counter, ticket.counter_id) if ticket.counter_id is not None else None
    return TicketStatusPublic(
        code=ticket.code,
        status=ticket.status,
        service=ticket.service_code,
        service_name=service_name(branch, service, lang=ticket.lang),
        priority=ticket.priority,
        lang=ticket.lang,
        position=position,
        estimated_wait_s=estimate,
        estimated_wait_range_s=wait_range,
        estimate_rough=rough,
        served_now=served_now,
        counter=counter.label if counter is not None else None,
        branch=BranchRef(code=branch.code, name=branch.name),
        issued_at=ticket.issued_at.isoformat(),
        called_at=ticket.called_at.isoformat() if ticket.called_at else None,
        # The phone alerts again on a recall.
        recall_count=ticket.recall_count,
        feedback_given=ticket.feedback_score is not None,
    )


def give_feedback(
    session: Session, ticket: Ticket, *, score: int, comment: str | None, now: dt.datetime
) -> Ticket:
    check_ticket_op("feedback", code=ticket.code, status=ticket.status)
    if ticket.feedback_score is not None:
        raise Conflict(f"feedback for ticket {ticket.code} was already given; thank you")
    ticket.feedback_score = score
    ticket.feedback_comment = comment or None
    session.add(ticket)
    record(
        session,
        branch_id=ticket.branch_id,
        type=EventType.TICKET_FEEDBACK,
        at=now,
        ticket_id=ticket.id,
        counter_id=ticket.counter_id,
        data={
            "ticket": {"id": ticket.id, "code": ticket.code, "service": ticket.service_code},
            "score": score,
            "comment": ticket.feedback_comment,
        },
    )
    return ticket
