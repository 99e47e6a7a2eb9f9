"""Kiosk and ticket routes: thin: parse, call a service, return."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Response
from fastapi import Path as PathParam

from server.auth.principal import ISSUE, OPERATE, READ_QUEUE
from server.branches.lookup import get_branch, get_ticket
from server.branches.snapshot import service_rows
from server.deps import ContextDep, NowDep, PrincipalDep, SessionDep
from server.models import Counter
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
def list_services(
    session: SessionDep, principal: PrincipalDep, branch: str = BranchCode,
    lang: str | None = Query(default=None, max_length=8),
) -> list[dict[str, Any]]:
    principal.require(*READ_QUEUE)
    b = get_branch(session, branch)
    principal.require_branch(b.id, b.code)  # type: ignore[arg-type]
    return service_rows(session, b, lang=lang)


@router.post("/branches/{branch}/tickets", status_code=201)
def issue_ticket(
    body: TicketCreate, session: SessionDep, principal: PrincipalDep, now: NowDep,
    ctx: ContextDep, response: Response, branch: str = BranchCode,
) -> TicketIssued:
    principal.require(*ISSUE)
    b = get_branch(session, branch)
    principal.require_branch(b.id, b.code)  # type: ignore[arg-type]
    ticket, position, wait = service.issue_ticket(
        session, branch=b, service_code=body.service, lang=body.lang, priority=body.priority,
        priority_reason=body.priority_reason, request_id=body.request_id,
        principal=principal, now=now,
    )
    base = ctx.settings.public_url.rstrip("/")
    return TicketIssued(
        id=ticket.id,  # type: ignore[arg-type]
        code=ticket.code, service=ticket.original_service_code, number=ticket.number,
        position=position, estimated_wait_s=wait, issued_at=ticket.issued_at.isoformat(),
        token=ticket.token, status_url=f"{base}/t/{ticket.token}",
        print_status=ticket.print_status, lang=ticket.lang, priority=ticket.priority,
        business_date=ticket.business_date.isoformat(),
    )


def _load(session: SessionDep, principal: PrincipalDep, ticket_id: int):  # type: ignore[no-untyped-def]
    principal.require(*OPERATE)
    ticket = get_ticket(session, ticket_id, lock=True)
    principal.require_branch(ticket.branch_id)
    return ticket


def _out(session: SessionDep, ticket) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    counter = session.get(Counter, ticket.counter_id) if ticket.counter_id else None
    return {"ticket": ticket_dict(ticket, counter=counter)}


@router.get("/tickets/{ticket_id}")
def read_ticket(ticket_id: int, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    principal.require(*OPERATE)
    ticket = get_ticket(session, ticket_id)
    principal.require_branch(ticket.branch_id)
    return _out(session, ticket)


@router.post("/tickets/{ticket_id}/serve")
def serve(ticket_id: int, session: SessionDep, principal: PrincipalDep, now: NowDep) -> dict[str, Any]:
    ticket = service.serve(session, _load(session, principal, ticket_id), principal=principal, now=now)
    return _out(session, ticket)


@router.post("/tickets/{ticket_id}/finish")
def finish(ticket_id: int, session: SessionDep, principal: PrincipalDep, now: NowDep) -> dict[str, Any]:
    ticket = _load(session, principal, ticket_id)
    counter = session.get(Counter, ticket.counter_id) if ticket.counter_id else None
    service.finish(session, ticket, principal=principal, now=now)
    return {"ticket": ticket_dict(ticket, counter=counter)}


@router.post("/tickets/{ticket_id}/no-show")
def no_show(ticket_id: int, session: SessionDep, principal: PrincipalDep, now: NowDep) -> dict[str, Any]:
    ticket = _load(session, principal, ticket_id)
    counter = session.get(Counter, ticket.counter_id) if ticket.counter_id else None
    service.no_show(session, ticket, principal=principal, now=now)
    return {"ticket": ticket_dict(ticket, counter=counter)}


@router.post("/tickets/{ticket_id}/transfer")
def transfer(
    ticket_id: int, body: TransferRequest, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> dict[str, Any]:
    ticket = service.transfer(
        session, _load(session, principal, ticket_id), service_code=body.service,
        principal=principal, now=now,
    )
    return _out(session, ticket)


@router.post("/tickets/{ticket_id}/cancel")
def cancel(
    ticket_id: int, session: SessionDep, principal: PrincipalDep, now: NowDep,
    body: CancelRequest | None = None,
) -> dict[str, Any]:
    reason = body.reason if body else "customer_left"
    ticket = service.cancel(session, _load(session, principal, ticket_id), reason=reason,
                            principal=principal, now=now)
    return _out(session, ticket)


@router.post("/tickets/{ticket_id}/recovery", status_code=201)
def recovery(
    ticket_id: int, body: RecoveryRequest, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> dict[str, Any]:
    ticket = service.recovery(
        session, _load(session, principal, ticket_id), action=body.action, note=body.note,
        principal=principal, now=now,
    )
    return {**_out(session, ticket), "action": body.action}
