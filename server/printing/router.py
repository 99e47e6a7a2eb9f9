"""Reprints, and the print jobs of a device."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from server.auth.principal import CONFIGURE, OPERATE, Principal
from server.branches.lookup import get_ticket
from server.deps import ContextDep, WorkDep
from server.domain.errors import Conflict, NotFound
from server.models import Device, PrintJob
from server.printing.dispatch import PrintPlan, deliver, plan_reprint

router = APIRouter(prefix="/api/v1", tags=["printing"])


class ReprintRequest(BaseModel):
    device_id: int | None = Field(
        default=None, ge=1, description="the printer's device; default: the issuing kiosk"
    )


@router.post("/tickets/{ticket_id}/reprint")
async def reprint(
    ticket_id: int, work: WorkDep, ctx: ContextDep, body: ReprintRequest | None = None
) -> dict[str, Any]:
    wanted = body.device_id if body else None

    def run(session: Session, principal: Principal, now: dt.datetime) -> PrintPlan:
        principal.require(*OPERATE)
        ticket = get_ticket(session, ticket_id)
        principal.require_branch(ticket.branch_id)
        device_id = wanted or ticket.device_id
        device = session.get(Device, device_id) if device_id else None
        if device is None or device.branch_id != ticket.branch_id:
            raise NotFound(f"there is no printer device to reprint ticket {ticket.code} on")
        plan = plan_reprint(session, ticket=ticket, device=device, now=now)
        if plan is None:
            raise Conflict(f"ticket {ticket.code} was not printed on a configured printer")
        return plan

    plan = await work(run)
    status, reason = await deliver(ctx, plan)
    return {"job_id": plan.job_id, "print_status": status, "print_error": reason}


@router.get("/devices/{device_id}/print-jobs")
async def print_jobs(device_id: int, work: WorkDep) -> list[dict[str, Any]]:
    def run(session: Session, principal: Principal, _now: dt.datetime) -> list[dict[str, Any]]:
        principal.require(*CONFIGURE)
        device = session.get(Device, device_id) if 0 < device_id < 2**31 else None
        if device is None:
            raise NotFound(f"there is no device {device_id}")
        principal.require_branch(device.branch_id)
        rows = session.exec(
            select(PrintJob)
            .where(PrintJob.device_id == device_id)
            .order_by(col(PrintJob.id).desc())
            .limit(100)
        )
        return [
            {
                "id": j.id,
                "ticket_id": j.ticket_id,
                "code": j.content.get("code"),
                "reprint": j.reprint,
                "status": j.status,
                "attempts": j.attempts,
                "error": j.error,
                "created_at": j.created_at.isoformat(),
                "done_at": j.done_at.isoformat() if j.done_at else None,
            }
            for j in rows
        ]

    return await work(run)
