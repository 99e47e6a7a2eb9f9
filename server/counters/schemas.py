"""Counter request and response shapes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

from server.domain.lifecycle import CounterState
from server.domain.text import Name
from server.tickets.schemas import CounterRef, TicketPublic

PREVIOUS = (
    "what became of the customer at the counter: served (done), or called and never came (no_show)"
)


class CallNextRequest(BaseModel):
    previous: Literal["done", "no_show"] = Field(default="done", description=PREVIOUS)
    service: str | None = Field(
        default=None,
        min_length=1,
        max_length=4,
        pattern=r"^[A-Z][A-Z0-9]{0,3}$",
        description="call from this service, which the counter does not serve, while the "
        "counter's own queues are empty",
    )


class CallChosenRequest(BaseModel):
    ticket: int = Field(ge=1, le=2**31 - 1, description="the id of the waiting ticket to call")
    previous: Literal["done", "no_show"] = Field(default="done", description=PREVIOUS)


class WaitingTicket(BaseModel):
    """A ticket in the waiting list a teller sees."""

    ticket: TicketPublic
    waited_s: int = Field(description="since the customer arrived (kept across transfers)")
    standard_wait_s: int | None
    over_standard: bool
    transfer_note: str | None = None


class WaitingListPublic(BaseModel):
    """Waiting tickets in arrival order: of the counter's services, then of the others."""

    mine: list[WaitingTicket]
    others: list[WaitingTicket]
    truncated: bool = Field(description="more are waiting than listed")


class OpenRequest(BaseModel):
    take_over: StrictBool = Field(
        default=False,
        description="take the counter over from the teller holding it (logged; they see it)",
    )


class HolderRef(BaseModel):
    """The staff member holding a counter."""

    id: int
    username: str
    name: str = Field(description="full name, or the username when none is set")


class LeaveRequest(BaseModel):
    counter: Literal["pause", "close"] = Field(
        default="pause",
        description="what becomes of the counter left: paused (reason left) or closed",
    )


class PauseRequest(BaseModel):
    reason: Name = Field(default="break", min_length=1, max_length=200)


class CounterPublic(BaseModel):
    """A counter: its state, the services it serves in order, and who is at it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "label": "3",
                    "state": "open",
                    "services": ["B", "A"],
                    "pause_reason": None,
                    "teller_id": 7,
                    "held_by": {"id": 7, "username": "teller3", "name": "Ayşe Demir"},
                    "current_ticket": None,
                }
            ]
        },
    )

    id: int
    label: str
    state: CounterState
    services: list[str] = Field(description="service codes in the order this counter serves them")
    pause_reason: str | None
    teller_id: int | None = Field(description="the teller who opened it (null when closed)")
    held_by: HolderRef | None = Field(
        default=None,
        description="who holds it: only they work it (null: closed, or its teller signed out)",
    )
    current_ticket: TicketPublic | None
    version: int = Field(
        default=1, description="bumped by each change of its label or services (PATCH version)"
    )


class Announcement(BaseModel):
    text: str = Field(description="what the display shows and the speaker says")
    lang: str
    audio_url: str | None = Field(description="chime and spoken call; null: no voice here")


class CallPublic(BaseModel):
    """A call or recall: the teller's answer and the ``ticket.called`` event's data."""

    model_config = ConfigDict(extra="forbid")

    ticket: TicketPublic
    counter: CounterRef
    announcement: Announcement
    rule: str | None = Field(description="the ordering rule that chose the ticket")
    waited_s: int = Field(description="from issue to first call, in seconds")
    standard_wait_s: int | None
    standard_missed: bool
    recall_count: int
