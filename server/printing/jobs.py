"""Print jobs in the database: created with the ticket, completed once, results recorded.

A job is completed at most once: a repeated acknowledgement (an agent that reconnects and
confirms again) finds it done and changes nothing, so a ticket is never counted twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from server.alerts.service import clear_alert, raise_alert
from server.models import Device, PrintJob, Ticket
from server.realtime.events import EventType, record

DONE = ("printed", "failed")

# What a manager reads in the alert, per printer state.
STATE_WORDS = {
    "paper_out": "is out of paper",
    "paper_near_end": "is nearly out of paper",
    "cover_open": "has its cover open",
    "offline": "does not answer",
    "error": "reports a fault",
}


def printer_alert_key(device_id: int) -> str:
    return f"printer:{device_id}"


def create_job(
    session: Session,
    *,
    ticket: Ticket,
    device: Device,
    content: dict[str, Any],
    now: dt.datetime,
    reprint: bool = False,
) -> PrintJob:
    job = PrintJob(
        branch_id=ticket.branch_id,
        device_id=device.id,  # type: ignore[arg-type]
        ticket_id=ticket.id,
        reprint=reprint,
        status="queued",
        content=content,
        created_at=now,
    )
    session.add(job)
    if not reprint:
        # The issuing path holds the ticket as a plain row (Core insert), not an ORM object.
        session.execute(
            update(Ticket).where(col(Ticket.id) == ticket.id).values(print_status="queued")
        )
        ticket.print_status = "queued"
    session.flush()
    return job


def job_for_ticket(session: Session, ticket_id: int) -> PrintJob | None:
    """The ticket's first (non-reprint) job, if it has one."""
    return session.exec(
        select(PrintJob)
        .where(PrintJob.ticket_id == ticket_id, col(PrintJob.reprint).is_(False))
        .order_by(col(PrintJob.id))
    ).first()


def recent_jobs(session: Session, device_id: int, *, limit: int = 100) -> list[PrintJob]:
    """The device's latest jobs, newest first."""
    return list(
        session.exec(
            select(PrintJob)
            .where(PrintJob.device_id == device_id)
            .order_by(col(PrintJob.id).desc())
            .limit(limit)
        )
    )


def pending_jobs(session: Session, device_id: int, *, limit: int = 50) -> list[PrintJob]:
    return list(
        session.exec(
            select(PrintJob)
            .where(PrintJob.device_id == device_id, col(PrintJob.status).in_(("queued", "sent")))
            .order_by(col(PrintJob.id))
            .limit(limit)
        )
    )


def mark_sent(session: Session, job_ids: list[int]) -> None:
    for job in session.exec(select(PrintJob).where(col(PrintJob.id).in_(job_ids))):
        if job.status == "queued":
            job.status = "sent"
            job.attempts += 1
            session.add(job)


def complete_job(
    session: Session,
    *,
    job_id: int,
    ok: bool,
    status: dict[str, str] | None,
    error: str | None,
    now: dt.datetime,
) -> PrintJob | None:
    """Record a print result once; returns the job, or None when it was done already."""
    job = session.get(PrintJob, job_id, with_for_update=True)
    if job is None or job.status in DONE:
        return None
    job.status = "printed" if ok else "failed"
    job.error = None if ok else (error or "the printer did not print")[:500]
    job.done_at = now
    session.add(job)
    # A test print (asked for from the device's settings) belongs to no ticket.
    ticket = session.get(Ticket, job.ticket_id) if job.ticket_id is not None else None
    device = session.get(Device, job.device_id)
    if ticket is not None:
        if not job.reprint:
            ticket.print_status = job.status
            session.add(ticket)
        record(
            session,
            branch_id=ticket.branch_id,
            type=EventType.TICKET_PRINTED if ok else EventType.TICKET_PRINT_FAILED,
            at=now,
            data={
                "ticket": {"id": ticket.id, "code": ticket.code, "service": ticket.service_code},
                "device": {"id": job.device_id, "name": device.name if device else None},
                "job_id": job.id,
                "reprint": job.reprint,
                "error": job.error,
                "status": status or {},
            },
            ticket_id=ticket.id,
            device_id=job.device_id,
        )
    if device is not None and status is not None:
        update_printer_status(session, device=device, status=status, now=now)
    return job


def update_printer_status(
    session: Session, *, device: Device, status: dict[str, str], now: dt.datetime
) -> None:
    """Store the printer's state on the device and raise or clear its alert."""
    state = status.get("state", "unknown")
    merge_status(session, device=device, parts={"printer": status}, now=now)
    key = printer_alert_key(device.id)  # type: ignore[arg-type]
    if state in STATE_WORDS:
        detail = status.get("detail") or ""
        message = f"The printer of {device.name} {STATE_WORDS[state]}" + (
            f" ({detail})" if detail else ""
        )
        raise_alert(
            session,
            branch_id=device.branch_id,
            key=key,
            kind="printer",
            severity="warning" if state == "paper_near_end" else "critical",
            message=message,
            data={"state": state, "detail": detail},
            device_id=device.id,
            now=now,
        )
    elif state == "online":
        clear_alert(session, branch_id=device.branch_id, key=key, now=now, reason="printer ok")


def merge_status(
    session: Session,
    *,
    device: Device,
    parts: dict[str, dict[str, str]],
    now: dt.datetime,
    announce: bool = True,
) -> bool:
    """Update parts of the device's reported status; a change is a ``device.changed`` event
    unless ``announce`` is off. Returns whether anything changed."""
    current = dict(device.status or {})
    if all(current.get(k) == v for k, v in parts.items()):
        return False
    device.status = {**current, **parts}
    session.add(device)
    if announce:
        device_changed(session, device, now=now)
    return True


def device_changed(session: Session, device: Device, *, now: dt.datetime) -> None:
    """Record ``device.changed``: dashboards showing the device follow."""
    record(
        session,
        branch_id=device.branch_id,
        type=EventType.DEVICE_CHANGED,
        at=now,
        data={"device": device_public(device)},
        device_id=device.id,
    )


def device_public(device: Device) -> dict[str, Any]:
    return {
        "id": device.id,
        "kind": device.kind,
        "name": device.name,
        "last_seen_at": device.last_seen_at.isoformat() if device.last_seen_at else None,
        "status": dict(device.status or {}),
    }
