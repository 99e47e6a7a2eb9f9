"""Kiosk and ticket routes: thin: parse, call a service, return."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from sqlmodel import Session

from server.auth.principal import Principal
from server.branches.lookup import branch_for, get_ticket
from server.branches.schemas import ServiceRow
from server.branches.snapshot import service_rows
from server.deps import ContextDep, IssueWork, OperateWork, ReadQueueWork
from server.models import Counter, Ticket
from server.tickets import service
from server.tickets.present import ticket_public
from server.tickets.schemas import (
    CancelRequest,
    RecoveryLogged,
    RecoveryRequest,
    TicketCreate,
    TicketEnvelope,
    TicketIssued,
    TransferRequest,
)

router = APIRouter(prefix="/api/v1", tags=["kiosk", "tickets"])

BranchCode = PathParam(min_length=1, max_length=32)


@router.get("/branches/{branch}/services")
async def list_services(
    work: ReadQueueWork,
    branch: str = BranchCode,
    lang: str | None = Query(default=None, max_length=8),
) -> list[ServiceRow]:
    def run(session: Session, principal: Principal, now: dt.datetime) -> list[ServiceRow]:
        b = branch_for(session, principal, branch)
        return service_rows(session, b, lang=lang, now=now)

    return await work(run)


@router.post("/branches/{branch}/tickets", status_code=201)
async def issue_ticket(
    body: TicketCreate, work: IssueWork, ctx: ContextDep, branch: str = BranchCode
) -> TicketIssued:
    base = ctx.settings.public_url.rstrip("/")

    def run(session: Session, principal: Principal, now: dt.datetime) -> service.Issued:
        return service.issue_ticket(
            session,
            branch=branch_for(session, principal, branch),
            service_code=body.service,
            lang=body.lang,
            priority=body.priority,
            priority_reason=body.priority_reason,
            request_id=body.request_id,
            principal=principal,
            now=now,
            settings=ctx.settings,
            touch_s=body.touch_s,
            large_print=body.large_print,
        )

    issued = await work(run)
    ticket = issued.ticket
    out = TicketIssued(
        id=ticket.id,  # type: ignore[arg-type]
        code=ticket.code,
        service=ticket.original_service_code,
        number=ticket.number,
        position=issued.position,
        estimated_wait_s=issued.estimated_wait_s,
        estimated_wait_range_s=issued.wait_range_s,
        estimate_rough=issued.estimate_rough,
        issued_at=ticket.issued_at.isoformat(),
        token=ticket.token,
        status_url=f"{base}/t/{ticket.token}",
        print_status=ticket.print_status,
        lang=ticket.lang,
        priority=ticket.priority,
        business_date=ticket.business_date.isoformat(),
    )
    if issued.print is not None and issued.print.outcome is not None:
        # Printed after the commit: the ticket exists whatever the printer does; the kiosk
        # shows the number on screen with the reason when the print fails.
        out.print_status, out.print_error = issued.print.outcome
    return out


def _load(session: Session, principal: Principal, ticket_id: int) -> Ticket:
    return get_ticket(session, ticket_id, principal=principal, lock=True)


def _out(session: Session, ticket: Ticket, counter: Counter | None = None) -> TicketEnvelope:
    if counter is None and ticket.counter_id is not None:
        counter = session.get(Counter, ticket.counter_id)
    return TicketEnvelope(ticket=ticket_public(ticket, counter=counter))


@router.get("/tickets/{ticket_id}")
async def read_ticket(ticket_id: int, work: OperateWork) -> TicketEnvelope:
    def run(session: Session, principal: Principal, _now: dt.datetime) -> TicketEnvelope:
        return _out(session, get_ticket(session, ticket_id, principal=principal))

    return await work(run)


@router.post("/tickets/{ticket_id}/serve")
async def serve(ticket_id: int, work: OperateWork) -> TicketEnvelope:
    def run(session: Session, principal: Principal, now: dt.datetime) -> TicketEnvelope:
        ticket = _load(session, principal, ticket_id)
        return _out(session, service.serve(session, ticket, principal=principal, now=now))

    return await work(run)


@router.post("/tickets/{ticket_id}/finish")
async def finish(ticket_id: int, work: OperateWork) -> TicketEnvelope:
    def run(session: Session, principal: Principal, now: dt.datetime) -> TicketEnvelope:
        ticket = _load(session, principal, ticket_id)
        counter = session.get(Counter, ticket.counter_id) if ticket.counter_id else None
        return _out(session, service.finish(session, ticket, principal=principal, now=now), counter)

    return await work(run)


@router.post("/tickets/{ticket_id}/no-show")
async def no_show(ticket_id: int, work: OperateWork) -> TicketEnvelope:
    def run(session: Session, principal: Principal, now: dt.datetime) -> TicketEnvelope:
        ticket = _load(session, principal, ticket_id)
        counter = session.get(Counter, ticket.counter_id) if ticket.counter_id else None
        return _out(
            session, service.no_show(session, ticket, principal=principal, now=now), counter
        )

    return await work(run)


@router.post("/tickets/{ticket_id}/undo-no-show")
async def undo_no_show(ticket_id: int, work: OperateWork) -> TicketEnvelope:
    """Take back a no-show marked within the last few minutes: the customer waits again, at
    their original arrival."""

    def run(session: Session, principal: Principal, now: dt.datetime) -> TicketEnvelope:
        ticket = _load(session, principal, ticket_id)
        return _out(session, service.undo_no_show(session, ticket, principal=principal, now=now))

    return await work(run)


@router.post("/tickets/{ticket_id}/transfer")
async def transfer(ticket_id: int, body: TransferRequest, work: OperateWork) -> TicketEnvelope:
    def run(session: Session, principal: Principal, now: dt.datetime) -> TicketEnvelope:
        ticket = service.transfer(
            session,
            _load(session, principal, ticket_id),
            service_code=body.service,
            counter_id=body.counter,
            note=body.note,
            principal=principal,
            now=now,
        )
        return _out(session, ticket)

    return await work(run)


@router.post("/tickets/{ticket_id}/cancel")
async def cancel(
    ticket_id: int, work: OperateWork, body: CancelRequest | None = None
) -> TicketEnvelope:
    reason = body.reason if body else "customer_left"

    def run(session: Session, principal: Principal, now: dt.datetime) -> TicketEnvelope:
        ticket = service.cancel(
            session,
            _load(session, principal, ticket_id),
            reason=reason,
            principal=principal,
            now=now,
        )
        return _out(session, ticket)

    return await work(run)


@router.post("/tickets/{ticket_id}/recovery", status_code=201)
async def recovery(ticket_id: int, body: RecoveryRequest, work: OperateWork) -> RecoveryLogged:
    def run(session: Session, principal: Principal, now: dt.datetime) -> RecoveryLogged:
        ticket = service.recovery(
            session,
            _load(session, principal, ticket_id),
            action=body.action,
            note=body.note,
            principal=principal,
            now=now,
        )
        return RecoveryLogged(ticket=_out(session, ticket).ticket, action=body.action)

    return await work(run)
