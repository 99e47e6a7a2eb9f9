"""Counter request and response shapes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from server.domain.lifecycle import CounterState
from server.domain.text import Name
from server.tickets.schemas import CounterRef, TicketPublic


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
    current_ticket: TicketPublic | None


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
