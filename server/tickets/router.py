"""Kiosk and ticket routes: thin: parse, call a service, return."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from sqlmodel import Session

from server.auth.principal import ISSUE, OPERATE, READ_QUEUE, Principal
from server.branches.lookup import branch_for, get_ticket
from server.branches.snapshot import service_rows
from server.deps import ContextDep, WorkDep
from server.models import Counter, Ticket
from server.printing.dispatch import PrintPlan, deliver, plan_ticket_print
from server.reports.touch import record_touch
from server.tickets import service
from server.tickets.present import ticket_dict
from server.tickets.schemas import (
    CancelRequest,
    RecoveryRequest,
    TicketCreate,
    TicketIssued,
    TransferRequest,
)

router = APIRouter(prefix="/api/v1", tags=["kiosk", "tickets"])

BranchCode = PathParam(min_length=1, max_length=32)


@router.get("/branches/{branch}/services")
async def list_services(
    work: WorkDep, branch: str = BranchCode, lang: str | None = Query(default=None, max_length=8)
) -> list[dict[str, Any]]:
    def run(session: Session, principal: Principal, _now: dt.datetime) -> list[dict[str, Any]]:
        b = branch_for(session, principal, branch, *READ_QUEUE)
        return service_rows(session, b, lang=lang)

    return await work(run)


@router.post("/branches/{branch}/tickets", status_code=201)
async def issue_ticket(
    body: TicketCreate, work: WorkDep, ctx: ContextDep, branch: str = BranchCode
) -> TicketIssued:
    base = ctx.settings.public_url.rstrip("/")

    def run(
        session: Session, principal: Principal, now: dt.datetime
    ) -> tuple[TicketIssued, PrintPlan | None]:
        b = branch_for(session, principal, branch, *ISSUE)
        ticket, position, wait = service.issue_ticket(
            session,
            branch=b,
            service_code=body.service,
            lang=body.lang,
            priority=body.priority,
            priority_reason=body.priority_reason,
            request_id=body.request_id,
            principal=principal,
            now=now,
        )
        if body.touch_s is not None:
            record_touch(session, ticket_id=ticket.id, touch_s=body.touch_s)  # type: ignore[arg-type]
        plan = plan_ticket_print(
            session,
            ticket=ticket,
            device_id=principal.device_id,
            position=position,
            estimated_wait_s=wait,
            ctx=ctx,
            now=now,
        )
        issued = TicketIssued(
            id=ticket.id,  # type: ignore[arg-type]
            code=ticket.code,
            service=ticket.original_service_code,
            number=ticket.number,
            position=position,
            estimated_wait_s=wait,
            issued_at=ticket.issued_at.isoformat(),
            token=ticket.token,
            status_url=f"{base}/t/{ticket.token}",
            print_status=ticket.print_status,
            lang=ticket.lang,
            priority=ticket.priority,
            business_date=ticket.business_date.isoformat(),
        )
        return issued, plan

    issued, plan = await work(run)
    if plan is not None:
        # After the commit: the ticket exists whatever the printer does; the kiosk shows the
        # number on screen with the reason when the print fails.
        issued.print_status, issued.print_error = await deliver(ctx, plan)
    return issued


def _load(session: Session, principal: Principal, ticket_id: int) -> Ticket:
    principal.require(*OPERATE)
    ticket = get_ticket(session, ticket_id, lock=True)
    principal.require_branch(ticket.branch_id)
    return ticket


def _out(session: Session, ticket: Ticket, counter: Counter | None = None) -> dict[str, Any]:
    if counter is None and ticket.counter_id is not None:
        counter = session.get(Counter, ticket.counter_id)
    return {"ticket": ticket_dict(ticket, counter=counter)}


@router.get("/tickets/{ticket_id}")
async def read_ticket(ticket_id: int, work: WorkDep) -> dict[str, Any]:
    def run(session: Session, principal: Principal, _now: dt.datetime) -> dict[str, Any]:
        principal.require(*OPERATE)
        ticket = get_ticket(session, ticket_id)
        principal.require_branch(ticket.branch_id)
        return _out(session, ticket)

    return await work(run)


@router.post("/tickets/{ticket_id}/serve")
async def serve(ticket_id: int, work: WorkDep) -> dict[str, Any]:
    def run(session: Session, principal: Principal, now: dt.datetime) -> dict[str, Any]:
        ticket = _load(session, principal, ticket_id)
        return _out(session, service.serve(session, ticket, principal=principal, now=now))

    return await work(run)


@router.post("/tickets/{ticket_id}/finish")
async def finish(ticket_id: int, work: WorkDep) -> dict[str, Any]:
    def run(session: Session, principal: Principal, now: dt.datetime) -> dict[str, Any]:
        ticket = _load(session, principal, ticket_id)
        counter = session.get(Counter, ticket.counter_id) if ticket.counter_id else None
        return _out(session, service.finish(session, ticket, principal=principal, now=now), counter)

    return await work(run)


@router.post("/tickets/{ticket_id}/no-show")
async def no_show(ticket_id: int, work: WorkDep) -> dict[str, Any]:
    def run(session: Session, principal: Principal, now: dt.datetime) -> dict[str, Any]:
        ticket = _load(session, principal, ticket_id)
        counter = session.get(Counter, ticket.counter_id) if ticket.counter_id else None
        return _out(
            session, service.no_show(session, ticket, principal=principal, now=now), counter
        )

    return await work(run)


@router.post("/tickets/{ticket_id}/transfer")
async def transfer(ticket_id: int, body: TransferRequest, work: WorkDep) -> dict[str, Any]:
    def run(session: Session, principal: Principal, now: dt.datetime) -> dict[str, Any]:
        ticket = service.transfer(
            session,
            _load(session, principal, ticket_id),
            service_code=body.service,
            principal=principal,
            now=now,
        )
        return _out(session, ticket)

    return await work(run)


@router.post("/tickets/{ticket_id}/cancel")
async def cancel(
    ticket_id: int, work: WorkDep, body: CancelRequest | None = None
) -> dict[str, Any]:
    reason = body.reason if body else "customer_left"

    def run(session: Session, principal: Principal, now: dt.datetime) -> dict[str, Any]:
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
async def recovery(ticket_id: int, body: RecoveryRequest, work: WorkDep) -> dict[str, Any]:
    def run(session: Session, principal: Principal, now: dt.datetime) -> dict[str, Any]:
        ticket = service.recovery(
            session,
            _load(session, principal, ticket_id),
            action=body.action,
            note=body.note,
            principal=principal,
            now=now,
        )
        return {**_out(session, ticket), "action": body.action}

    return await work(run)
