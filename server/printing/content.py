"""What goes on a printed ticket, taken from the rows at the moment of issue (or reprint)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from drivers.base import TicketContent, content_to_json
from server.branches.lookup import service_name
from server.models import Branch, Service, Ticket


def ticket_content(
    *,
    ticket: Ticket,
    branch: Branch,
    service: Service,
    people_ahead: int,
    estimated_wait_s: int,
    public_url: str,
    bank_name: str,
    footer: str = "",
    reprint: bool = False,
    logo_png: bytes | None = None,
    wait_range_s: list[int] | None = None,
    estimate_rough: bool = False,
    large_print: bool = False,
) -> dict[str, Any]:
    """The JSON form of drivers.base.TicketContent for this ticket; ``logo_png`` is the
    branch's logo in its printed form (server/branches/logo.py ``print_logo``); the wait is
    printed as the screens word it (the range when given, "rough" when ``estimate_rough``);
    ``large_print``: in large type (stored in the job's content, so a reprint keeps it)."""
    local = ticket.issued_at.astimezone(ZoneInfo(branch.timezone))
    content = TicketContent(
        code=ticket.code,
        service_name=service_name(branch, service, lang=ticket.lang),
        lang=ticket.lang,
        issued_at=local,
        people_ahead=max(0, people_ahead),
        estimated_wait_s=max(0, estimated_wait_s),
        qr_url=f"{public_url.rstrip('/')}/t/{ticket.token}",
        bank_name=bank_name or branch.name,
        branch_name=branch.name if bank_name else "",
        footer=footer,
        priority=ticket.priority,
        reprint=reprint,
        logo_png=logo_png,
        estimated_wait_range_s=(wait_range_s[0], wait_range_s[1]) if wait_range_s else None,
        estimate_rough=estimate_rough,
        large_print=large_print,
    )
    return content_to_json(content)


def reprint_content(original: dict[str, Any], *, now: dt.datetime) -> dict[str, Any]:
    """A reprint shows the original issue time and is marked as a reprint; the rest, large
    print included, is the original's."""
    del now  # the original time is what the customer needs; kept for a future "reprinted at"
    return {**original, "reprint": True}


def trial_content(
    *,
    branch: Branch,
    device_name: str,
    now: dt.datetime,
    public_url: str,
    bank_name: str,
    footer: str = "",
    logo_png: bytes | None = None,
) -> dict[str, Any]:
    """A test ticket: it looks like a real one (code, service line, QR, cut) so that whoever
    stands at the printer sees that everything prints, and says it is a test."""
    content = TicketContent(
        code="TEST",
        service_name=f"Test print · {device_name}",
        lang=branch.default_lang,
        issued_at=now.astimezone(ZoneInfo(branch.timezone)),
        people_ahead=0,
        estimated_wait_s=0,
        qr_url=public_url.rstrip("/") + "/",
        bank_name=bank_name or branch.name,
        branch_name=branch.name if bank_name else "",
        footer=footer,
        logo_png=logo_png,
    )
    return content_to_json(content)
