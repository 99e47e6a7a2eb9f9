"""Reprints, and the print jobs of a device."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from sqlmodel import Session

from server.admin.service import get_device
from server.auth.principal import Principal
from server.branches.lookup import get_ticket
from server.deps import ConfigureWork, OperateWork
from server.models.types import row_id
from server.printing import jobs
from server.printing.dispatch import PrintDelivery, reprint_ticket
from server.printing.schemas import PrintJobPublic, ReprintRequest, ReprintResult, job_public

router = APIRouter(prefix="/api/v1", tags=["printing"])


@router.post("/tickets/{ticket_id}/reprint")
async def reprint(
    ticket_id: int, work: OperateWork, body: ReprintRequest | None = None
) -> ReprintResult:
    wanted = body.device_id if body else None

    def run(session: Session, principal: Principal, now: dt.datetime) -> PrintDelivery:
        ticket = get_ticket(session, ticket_id, principal=principal)
        return reprint_ticket(session, ticket=ticket, device_id=wanted, now=now)

    delivery = await work(run)
    status, reason = delivery.outcome or ("queued", None)
    return ReprintResult.model_validate(
        {"job_id": delivery.plan.job_id, "print_status": status, "print_error": reason}
    )


@router.get("/devices/{device_id}/print-jobs")
async def print_jobs(device_id: int, work: ConfigureWork) -> list[PrintJobPublic]:
    """The device's last 100 print jobs, newest first."""

    def run(session: Session, principal: Principal, _now: dt.datetime) -> list[PrintJobPublic]:
        device = get_device(session, device_id, principal=principal)
        return [job_public(j) for j in jobs.recent_jobs(session, row_id(device))]

    return await work(run)
