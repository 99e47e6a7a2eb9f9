"""A test ticket on a device's printer, asked for from the dashboard's device settings.

A printer the server drives ("print_via: server") prints it at once and its answer is
returned, and stored as the printer's state like any status read. A printer hanging off a
kiosk PC ("print_via: agent") gets it as a print job: the agent prints it when it is connected
and its acknowledgement updates the printer's state. A test ticket belongs to no ticket of the
queue, so it counts in no report and leaves no ticket history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from server.branches.logo import print_logo
from server.branches.lookup import get_branch_by_id
from server.config import Settings
from server.context import AppContext
from server.domain.errors import Conflict
from server.effects import after_commit
from server.models import Device, PrintJob
from server.models.types import row_id
from server.printing.config import PrinterSetup, printer_setup
from server.printing.content import trial_content


@dataclass(frozen=True)
class TrialAnswer:
    ok: bool
    state: str
    detail: str


@dataclass(eq=False)
class TrialDelivery:
    """The after-commit effect that prints the test ticket on a server-driven printer, or
    wakes the agent for its job; ``answer`` is set once it ran."""

    device_id: int
    setup: PrinterSetup
    content: dict[str, Any]
    answer: TrialAnswer | None = field(default=None)

    async def run(self, ctx: AppContext) -> None:
        if self.setup.via == "agent":
            ctx.agents.notify(self.device_id)
            return
        assert ctx.printers is not None
        result = await ctx.printers.print_test(
            device_id=self.device_id, setup=self.setup, content=self.content
        )
        state = result.status.get("state", "unknown")
        detail = result.status.get("detail") or ("" if result.ok else (result.error or ""))
        self.answer = TrialAnswer(result.ok, state, detail)


def print_test_ticket(
    session: Session, device: Device, *, settings: Settings, now: dt.datetime
) -> TrialDelivery:
    """Plan a test ticket on ``device``'s printer; it prints after the commit. Refused (409)
    when the device has no printer or is revoked."""
    setup = printer_setup(device.config)
    if setup is None:
        raise Conflict(
            f"{device.name} has no printer configured: set up its printer first, then print"
            " a test ticket"
        )
    if not device.active:
        raise Conflict(f"{device.name} was revoked: pair it again before printing on it")
    branch = get_branch_by_id(session, device.branch_id)
    footer = str((device.config or {}).get("footer") or setup.raw.get("footer") or "")
    content = trial_content(
        branch=branch,
        device_name=device.name,
        now=now,
        public_url=settings.public_url,
        bank_name=settings.bank_name,
        footer=footer,
        logo_png=print_logo(session, branch),
    )
    delivery = TrialDelivery(row_id(device), setup, content)
    if setup.via == "agent":
        job = PrintJob(
            branch_id=device.branch_id,
            device_id=row_id(device),
            ticket_id=None,  # a test ticket belongs to no ticket
            content=content,
            status="queued",
            created_at=now,
        )
        session.add(job)
        session.flush()
        delivery.answer = TrialAnswer(
            True,
            "queued",
            f"sent to the agent of {device.name}: it prints as soon as the agent is connected",
        )
    after_commit(session, delivery)
    return delivery
