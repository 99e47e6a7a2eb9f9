"""From an issued ticket to paper: plan the job inside the issuing transaction, deliver it
after the commit (an effect the unit of work runs), and wait for the result no longer than
the printer's timeout."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from server.branches.logo import print_logo
from server.branches.lookup import get_branch_by_id, get_service
from server.config import Settings
from server.context import AppContext
from server.domain.errors import Conflict, NotFound
from server.effects import after_commit
from server.models import Device, PrintJob, Ticket
from server.printing import jobs
from server.printing.config import PrinterSetup, printer_setup
from server.printing.content import reprint_content, ticket_content

# Why a print failed, as a code the kiosk translates: the printer's state.
FAILURE_REASONS = ("paper_out", "cover_open", "offline", "error")


def failure_reason(state: str) -> str:
    return state if state in FAILURE_REASONS else "error"


@dataclass(frozen=True)
class PrintPlan:
    job_id: int
    device_id: int
    setup: PrinterSetup
    content: dict[str, Any]


@dataclass(eq=False)
class PrintDelivery:
    """The after-commit effect that prints a planned job; ``outcome`` is set once it ran:
    ("printed" | "failed" | "queued", reason)."""

    plan: PrintPlan
    outcome: tuple[str, str | None] | None = field(default=None)

    async def run(self, ctx: AppContext) -> None:
        self.outcome = await deliver(ctx, self.plan)


def queue_delivery(session: Session, plan: PrintPlan | None) -> PrintDelivery | None:
    """Deliver ``plan`` once this unit of work has committed."""
    if plan is None:
        return None
    delivery = PrintDelivery(plan)
    after_commit(session, delivery)
    return delivery


def plan_ticket_print(
    session: Session,
    *,
    ticket: Ticket,
    device_id: int | None,
    position: int,
    estimated_wait_s: int,
    settings: Settings,
    now: dt.datetime,
    wait_range_s: list[int] | None = None,
    estimate_rough: bool = False,
    large_print: bool = False,
) -> PrintPlan | None:
    """A print job for a newly issued ticket when the issuing kiosk has a printer; the job's
    content carries ``large_print``, so every later print of it (a reprint, an agent that
    reconnects, a restart) is in the same type."""
    if device_id is None or jobs.job_for_ticket(session, ticket.id) is not None:  # type: ignore[arg-type]
        return None  # not a kiosk, or a retried request whose ticket has its job already
    device = session.get(Device, device_id)
    setup = printer_setup(device.config if device else None)
    if device is None or setup is None:
        return None
    branch = get_branch_by_id(session, ticket.branch_id)
    content = ticket_content(
        ticket=ticket,
        branch=branch,
        service=get_service(session, branch, ticket.original_service_code),
        people_ahead=position - 1,
        estimated_wait_s=estimated_wait_s,
        public_url=settings.public_url,
        bank_name=settings.bank_name,
        footer=str((device.config or {}).get("footer") or setup.raw.get("footer") or ""),
        logo_png=print_logo(session, branch),
        wait_range_s=wait_range_s,
        estimate_rough=estimate_rough,
        large_print=large_print,
    )
    job = jobs.create_job(session, ticket=ticket, device=device, content=content, now=now)
    return PrintPlan(job.id, device.id, setup, content)  # type: ignore[arg-type]


def reprint_ticket(
    session: Session, *, ticket: Ticket, device_id: int | None, now: dt.datetime
) -> PrintDelivery:
    """Print ``ticket`` again on ``device_id`` (default: the kiosk that issued it), after the
    commit; refused when there is no such printer or the ticket was never printed."""
    device_id = device_id or ticket.device_id
    device = session.get(Device, device_id) if device_id else None
    if device is None or device.branch_id != ticket.branch_id:
        raise NotFound(f"there is no printer device to reprint ticket {ticket.code} on")
    delivery = queue_delivery(session, plan_reprint(session, ticket=ticket, device=device, now=now))
    if delivery is None:
        raise Conflict(f"ticket {ticket.code} was not printed on a configured printer")
    return delivery


def plan_reprint(
    session: Session, *, ticket: Ticket, device: Device, now: dt.datetime
) -> PrintPlan | None:
    setup = printer_setup(device.config)
    if setup is None:
        return None
    first = jobs.job_for_ticket(session, ticket.id)  # type: ignore[arg-type]
    if first is None:
        return None
    content = reprint_content(first.content, now=now)
    job = jobs.create_job(
        session, ticket=ticket, device=device, content=content, now=now, reprint=True
    )
    return PrintPlan(job.id, device.id, setup, content)  # type: ignore[arg-type]


async def deliver(ctx: AppContext, plan: PrintPlan) -> tuple[str, str | None]:
    """Print (or hand to the agent) and wait for the outcome within the printer's timeout:
    ("printed" | "failed" | "queued", reason)."""
    if plan.setup.via == "server":
        assert ctx.printers is not None
        result = await ctx.printers.print_job(
            job_id=plan.job_id, device_id=plan.device_id, setup=plan.setup, content=plan.content
        )
        state = result.status.get("state", "")
        return result.print_status, None if result.ok else failure_reason(state)
    ctx.agents.expect(plan.job_id)
    ctx.agents.notify(plan.device_id)
    outcome = await ctx.agents.wait_ack(plan.job_id, ctx.settings.agent_ack_wait_s)
    if outcome is None:
        return "queued", None
    if outcome:
        return "printed", None
    reason = await ctx.db.run(_failure_reason, ctx, plan.job_id, write=False)
    return "failed", reason


def _failure_reason(ctx: AppContext, job_id: int) -> str:
    with ctx.db.read_session() as session:
        job = session.get(PrintJob, job_id)
        device = session.get(Device, job.device_id) if job else None
        state = ((device.status if device else None) or {}).get("printer", {}).get("state", "")
        return failure_reason(state)
