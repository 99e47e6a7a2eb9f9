"""Reprints, and the print jobs of a device."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from server.admin.service import get_device
from server.auth.principal import Principal
from server.branches.lookup import get_ticket
from server.deps import ConfigureWork, OperateWork
from server.domain.errors import Conflict, NotFound
from server.models import Device, PrintJob
from server.printing.dispatch import PrintDelivery, plan_reprint, queue_delivery

router = APIRouter(prefix="/api/v1", tags=["printing"])


class ReprintRequest(BaseModel):
    device_id: int | None = Field(
        default=None, ge=1, description="the printer's device; default: the issuing kiosk"
    )


@router.post("/tickets/{ticket_id}/reprint")
async def reprint(
    ticket_id: int, work: OperateWork, body: ReprintRequest | None = None
) -> dict[str, Any]:
    wanted = body.device_id if body else None

    def run(session: Session, principal: Principal, now: dt.datetime) -> PrintDelivery:
        ticket = get_ticket(session, ticket_id, principal=principal)
        device_id = wanted or ticket.device_id
        device = session.get(Device, device_id) if device_id else None
        if device is None or device.branch_id != ticket.branch_id:
            raise NotFound(f"there is no printer device to reprint ticket {ticket.code} on")
        delivery = queue_delivery(
            session, plan_reprint(session, ticket=ticket, device=device, now=now)
        )
        if delivery is None:
            raise Conflict(f"ticket {ticket.code} was not printed on a configured printer")
        return delivery

    delivery = await work(run)
    status, reason = delivery.outcome or ("queued", None)
    return {"job_id": delivery.plan.job_id, "print_status": status, "print_error": reason}


@router.get("/devices/{device_id}/print-jobs")
async def print_jobs(device_id: int, work: ConfigureWork) -> list[dict[str, Any]]:
    def run(session: Session, principal: Principal, _now: dt.datetime) -> list[dict[str, Any]]:
        get_device(session, device_id, principal=principal)
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
