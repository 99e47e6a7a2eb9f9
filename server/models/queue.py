"""Tickets, their numbering and the append-only moment-of-truth log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from server.domain.lifecycle import TicketStatus
from server.domain.ordering import Rule
from server.models.types import EnumText, JSONType, UTCDateTime


class TicketSequence(SQLModel, table=True):
    """Last number taken per service per business day: the numbering row lock."""

    __tablename__ = "ticket_sequence"

    branch_id: int = Field(foreign_key="branch.id", primary_key=True)
    service_code: str = Field(max_length=4, primary_key=True)
    business_date: dt.date = Field(primary_key=True)
    last_number: int = 0


class Ticket(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("branch_id", "business_date", "prefix", "number"),
        UniqueConstraint("branch_id", "request_id"),
        Index("ix_ticket_queue", "branch_id", "status", "service_code"),
        # The head of each queue (service x status x priority) in arrival order: call-next.
        Index(
            "ix_ticket_head", "branch_id", "service_code", "status", "priority", "issued_at", "id"
        ),
        Index("ix_ticket_branch_date", "branch_id", "business_date"),
        # Recent service times per service (wait quotes) without scanning the day.
        Index("ix_ticket_finished", "branch_id", "service_code", "finished_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id")
    business_date: dt.date
    # The letter printed on the ticket; stays the same across transfers.
    prefix: str = Field(max_length=4)
    number: int
    code: str = Field(max_length=12)
    # The service whose queue the ticket is in now (changes on transfer).
    service_code: str = Field(max_length=4)
    original_service_code: str = Field(max_length=4)
    lang: str = Field(max_length=8, default="en")
    priority: bool = False
    priority_reason: str | None = Field(default=None, max_length=32)
    status: TicketStatus = Field(
        default=TicketStatus.WAITING, sa_column=Column(EnumText(TicketStatus), nullable=False)
    )
    token: str = Field(max_length=64, unique=True, index=True)
    issued_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    # When the ticket entered its current queue (issue, or the last transfer).
    queued_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    quoted_wait_s: int = 0
    first_called_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # The call that brought the ticket to its current counter (a recall does not move it).
    called_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    recalled_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    serving_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    finished_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    counter_id: int | None = Field(default=None, foreign_key="counter.id")
    teller_id: int | None = Field(default=None, foreign_key="user.id")
    device_id: int | None = Field(default=None, foreign_key="device.id")
    call_rule: Rule | None = Field(default=None, sa_column=Column(EnumText(Rule, 32)))
    recall_count: int = 0
    transfer_count: int = 0
    # A transfer to a chosen counter: only that counter calls the ticket (None: any counter
    # serving its service); the sending teller's note for the next one.
    transfer_counter_id: int | None = None
    transfer_note: str | None = Field(default=None, max_length=300)
    cancel_reason: str | None = Field(default=None, max_length=64)
    print_status: str = Field(default="none", max_length=16)
    # Client-chosen id of the issuing request: a retry returns the same ticket.
    request_id: str | None = Field(default=None, max_length=64)
    feedback_score: int | None = None
    feedback_comment: str | None = Field(default=None, max_length=1000)


class Event(SQLModel, table=True):
    """One moment of truth or live event. Appended, never updated or deleted.

    ``seq`` rises by one per branch for every live event (``Branch.last_seq`` is the last);
    generated history (``sira simulate``) takes seqs below zero, so nothing that follows the
    live log (event sockets, their replays and gap reads, the Redis bus's resync, a screen's
    recent calls) ever reads it as live.
    """

    __table_args__ = (
        UniqueConstraint("branch_id", "seq"),
        Index("ix_event_ticket", "ticket_id"),
        Index("ix_event_branch_type_at", "branch_id", "type", "at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id")
    seq: int
    type: str = Field(max_length=32)
    at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    ticket_id: int | None = None
    counter_id: int | None = None
    user_id: int | None = None
    device_id: int | None = None
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType))
