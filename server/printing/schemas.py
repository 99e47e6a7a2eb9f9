"""Print request and response shapes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from server.models import PrintJob

PrintStatus = Literal["printed", "queued", "failed"]


class ReprintRequest(BaseModel):
    device_id: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="the printer's device; default: the issuing kiosk",
    )


class ReprintResult(BaseModel):
    """What became of a reprint: printed, failed (with the printer's reason), or queued for
    a device agent that has not answered yet."""

    job_id: int
    print_status: PrintStatus
    print_error: str | None = Field(
        description="why it failed: paper_out | cover_open | offline | error"
    )


class PrintJobPublic(BaseModel):
    id: int
    ticket_id: int | None = Field(description="null: a test print, of no ticket")
    code: str | None = Field(description="the ticket's code as printed")
    reprint: bool
    large_print: bool = Field(description="printed in large type (kept by every reprint)")
    status: Literal["queued", "sent", "printed", "failed"]
    attempts: int
    error: str | None
    created_at: str
    done_at: str | None


def job_public(job: PrintJob) -> PrintJobPublic:
    return PrintJobPublic.model_validate(
        {
            "id": job.id,
            "ticket_id": job.ticket_id,
            "code": job.content.get("code"),
            "reprint": job.reprint,
            "large_print": bool(job.content.get("large_print", False)),
            "status": job.status,
            "attempts": job.attempts,
            "error": job.error,
            "created_at": job.created_at.isoformat(),
            "done_at": job.done_at.isoformat() if job.done_at else None,
        }
    )
