"""A small Prometheus text exposition: queue sizes and event sequence per branch."""

from __future__ import annotations

from sqlalchemy import func
from sqlmodel import col, select

from server.context import AppContext
from server.domain.lifecycle import QUEUED
from server.models import Branch, Ticket


def render(ctx: AppContext) -> str:
    lines = [
        "# HELP sira_waiting_tickets Tickets waiting per branch and service.",
        "# TYPE sira_waiting_tickets gauge",
    ]
    with ctx.db.read_session() as session:
        branches = {b.id: b for b in session.exec(select(Branch))}
        rows = session.exec(
            select(Ticket.branch_id, Ticket.service_code, func.count())
            .where(col(Ticket.status).in_(QUEUED))
            .group_by(Ticket.branch_id, Ticket.service_code)
        ).all()
    for branch_id, service, n in rows:
        code = branches[branch_id].code if branch_id in branches else branch_id
        lines.append(f'sira_waiting_tickets{{branch="{code}",service="{service}"}} {n}')
    lines += [
        "# HELP sira_event_seq Last event sequence number per branch.",
        "# TYPE sira_event_seq counter",
    ]
    for b in branches.values():
        lines.append(f'sira_event_seq{{branch="{b.code}"}} {b.last_seq}')
    return "\n".join(lines) + "\n"
