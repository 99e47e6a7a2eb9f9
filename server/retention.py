"""Data retention: personal and free-text ticket data older than N days is blanked.

What goes (for tickets of business days before the cutoff, once they are over):
the feedback comment, the priority reason (it can say "pregnant" or "disabled"), the
client's request id, the customer link (the ticket token is replaced by an unusable random
value, so the QR code's page stops answering), the same text inside the moment-of-truth log
(``comment`` of ``ticket.feedback``, ``note`` of ``ticket.recovery``, ``priority_reason`` in
every event's ticket), and the ticket's print jobs (their content holds the customer link).
Expired staff sessions are deleted too.

What stays, so reports over any period keep their figures: every ticket row with its code,
service, status, priority flag, language, counter, teller, every timestamp (wait and service
times), and the feedback score; every event row with its type, time and seq.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from server.domain.lifecycle import TicketStatus
from server.models import AuditEntry, Event, PrintJob, StaffSession, Ticket

if TYPE_CHECKING:
    from server.db import Database

# A purged ticket's token starts with "~", which a real token (URL-safe base64) never does.
PURGED_MARK = "~"
FINISHED = (
    TicketStatus.DONE.value,
    TicketStatus.NO_SHOW.value,
    TicketStatus.CANCELLED.value,
)
TEXT_KEYS = ("comment", "note")
# Free text inside the ticket a payload carries.
TICKET_TEXT_KEYS = ("priority_reason", "transfer_note")
BATCH = 500


@dataclass
class PurgeResult:
    cutoff: dt.date
    tickets: int = 0
    events: int = 0
    print_jobs: int = 0
    sessions: int = 0
    audit_entries: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "cutoff": self.cutoff.isoformat(),
            "tickets": self.tickets,
            "events": self.events,
            "print_jobs": self.print_jobs,
            "sessions": self.sessions,
            "audit_entries": self.audit_entries,
        }


def cutoff_for(days: int, *, now: dt.datetime) -> dt.date:
    """Business days strictly before this date are purged."""
    if days < 1:
        raise ValueError("retention must be at least one day")
    return now.astimezone(dt.UTC).date() - dt.timedelta(days=days)


def scrub_event_data(data: dict[str, Any]) -> dict[str, Any] | None:
    """The event data without personal text, or None when there is nothing to remove."""
    changed = False
    out = dict(data)
    for key in TEXT_KEYS:
        if out.get(key) is not None:
            out[key] = None
            changed = True
    ticket = out.get("ticket")
    if isinstance(ticket, dict) and any(ticket.get(k) is not None for k in TICKET_TEXT_KEYS):
        out["ticket"] = {**ticket, **dict.fromkeys(TICKET_TEXT_KEYS)}
        changed = True
    return out if changed else None


def _due_tickets(session: Session, cutoff: dt.date, limit: int) -> list[int]:
    ids = session.exec(
        select(col(Ticket.id))
        .where(
            Ticket.business_date < cutoff,
            col(Ticket.status).in_(FINISHED),
            ~col(Ticket.token).startswith(PURGED_MARK),
        )
        .order_by(col(Ticket.id))
        .limit(limit)
    )
    return [i for i in ids if i is not None]


def purge_batch(session: Session, *, cutoff: dt.date, result: PurgeResult) -> bool:
    """Purge up to BATCH tickets (and their events and print jobs); False when none were left."""
    ids = _due_tickets(session, cutoff, BATCH)
    if not ids:
        return False
    for ev in session.exec(select(Event).where(col(Event.ticket_id).in_(ids))):
        scrubbed = scrub_event_data(ev.data or {})
        if scrubbed is not None:
            session.execute(update(Event).where(col(Event.id) == ev.id).values(data=scrubbed))
            result.events += 1
    jobs = session.execute(delete(PrintJob).where(col(PrintJob.ticket_id).in_(ids)))
    result.print_jobs += jobs.rowcount or 0  # type: ignore[attr-defined]
    session.execute(
        update(Ticket),
        [
            {
                "id": ticket_id,
                "token": PURGED_MARK + secrets.token_urlsafe(16),
                "feedback_comment": None,
                "priority_reason": None,
                "transfer_note": None,
                "request_id": None,
            }
            for ticket_id in ids
        ],
    )
    result.tickets += len(ids)
    return True


def purge_expired_sessions(session: Session, *, now: dt.datetime) -> int:
    gone = session.execute(delete(StaffSession).where(col(StaffSession.expires_at) < now))
    return gone.rowcount or 0  # type: ignore[attr-defined]


def count_due(session: Session, *, cutoff: dt.date) -> int:
    return int(
        session.exec(
            select(func.count())
            .select_from(Ticket)
            .where(
                Ticket.business_date < cutoff,
                col(Ticket.status).in_(FINISHED),
                ~col(Ticket.token).startswith(PURGED_MARK),
            )
        ).one()
    )


def purge_audit(session: Session, *, days: int, now: dt.datetime) -> int:
    """Delete audit entries older than ``days`` days: only when told (``--audit-days``); the
    trail is otherwise kept whatever the ticket retention."""
    gone = session.execute(
        delete(AuditEntry).where(col(AuditEntry.at) < now - dt.timedelta(days=days))
    )
    return int(gone.rowcount or 0)  # type: ignore[attr-defined]


def run_purge(
    db: Database,
    *,
    days: int,
    now: dt.datetime,
    dry_run: bool = False,
    audit_days: int | None = None,
) -> PurgeResult:
    """Purge everything due, BATCH tickets per transaction (short row locks while serving);
    with ``audit_days``, also the audit trail older than that."""
    result = PurgeResult(cutoff=cutoff_for(days, now=now))
    if dry_run:
        with db.unit_of_work(write=False) as session:
            result.tickets = count_due(session, cutoff=result.cutoff)
        return result
    while True:
        with db.unit_of_work() as session:
            more = purge_batch(session, cutoff=result.cutoff, result=result)
        if not more:
            break
    with db.unit_of_work() as session:
        result.sessions = purge_expired_sessions(session, now=now)
        if audit_days is not None:
            result.audit_entries = purge_audit(session, days=audit_days, now=now)
    return result
