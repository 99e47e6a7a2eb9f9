"""A small Prometheus text exposition: queue sizes and event sequence per branch."""

from __future__ import annotations

import secrets

from sqlalchemy import func
from sqlmodel import select

from server.config import Settings
from server.context import AppContext
from server.domain.errors import NotFound, Unauthorized
from server.metrics.tally import tally
from server.models import Branch, Ticket
from server.tickets.forecasting import FALLBACKS
from server.tickets.stats import queued_in_branch


def scrape_allowed(settings: Settings, token: str | None) -> None:
    """Raise unless this caller may read /metrics (``Settings.metrics_access``)."""
    if settings.metrics_access == "public":
        return
    if settings.metrics_access == "token" and settings.metrics_token is not None:
        if token is not None and secrets.compare_digest(
            token.encode(), settings.metrics_token.encode()
        ):
            return
        raise Unauthorized("send the scraper's token: 'Authorization: Bearer SIRA_METRICS_TOKEN'")
    raise NotFound("no such page or API path")


def render(ctx: AppContext) -> str:
    lines = [
        "# HELP sira_waiting_tickets Tickets waiting per branch and service.",
        "# TYPE sira_waiting_tickets gauge",
    ]
    with ctx.db.read_session() as session:
        branches = {b.id: b for b in session.exec(select(Branch))}
        # Branch by branch: each count seeks the queue-head index (see queued_in_branch).
        rows = [
            (branch_id, service, n)
            for branch_id in branches
            for service, n in session.exec(
                select(Ticket.service_code, func.count())
                .where(*queued_in_branch(session, branch_id))  # type: ignore[arg-type]
                .group_by(Ticket.service_code)
            ).all()
        ]
    for branch_id, service, n in rows:
        code = branches[branch_id].code if branch_id in branches else branch_id
        lines.append(f'sira_waiting_tickets{{branch="{code}",service="{service}"}} {n}')
    lines += [
        "# HELP sira_event_seq Last event sequence number per branch.",
        "# TYPE sira_event_seq counter",
    ]
    for b in branches.values():
        lines.append(f'sira_event_seq{{branch="{b.code}"}} {b.last_seq}')
    lines += [
        "# HELP sira_estimate_fallbacks_total Wait quotes given by the old formula because the"
        " estimator failed, was too slow or could not say, by reason.",
        "# TYPE sira_estimate_fallbacks_total counter",
    ]
    for (branch, reason), n in tally(ctx.db.cache, FALLBACKS).items():
        lines.append(f'sira_estimate_fallbacks_total{{branch="{branch}",reason="{reason}"}} {n}')
    return "\n".join(lines) + "\n"
