"""What the customer's phone page is answered."""

from __future__ import annotations

from pydantic import BaseModel, Field

from server.domain.lifecycle import TicketStatus
from server.tickets.schemas import Rough, WaitRange


class BranchRef(BaseModel):
    """A branch as the phone page names it."""

    code: str
    name: str


class TicketStatusPublic(BaseModel):
    """A ticket as its customer sees it on their phone (times ISO 8601, UTC)."""

    code: str = Field(examples=["A042"])
    status: TicketStatus
    service: str = Field(description="the service code", examples=["A"])
    service_name: str = Field(
        description="the service's name in the ticket's language", examples=["Nakit işlemleri"]
    )
    priority: bool = Field(description="a priority ticket (the reason is never shown)")
    lang: str
    position: int | None = Field(
        description="place in the order the counters will call (1: next); null when not waiting"
    )
    estimated_wait_s: int | None = Field(description="quoted wait, seconds; null when not waiting")
    estimated_wait_range_s: WaitRange = None
    estimate_rough: Rough = False
    served_now: bool = Field(
        default=True,
        description="false: no open counter serves the ticket's service now (no quote holds)",
    )
    counter: str | None = Field(description="label of the counter that called it")
    branch: BranchRef
    issued_at: str
    called_at: str | None = Field(description="last call; null while waiting")
    recall_count: int = Field(description="the phone alerts again when this rises")
    feedback_given: bool


class FeedbackPublic(BaseModel):
    """Feedback taken."""

    code: str = Field(examples=["A042"])
    score: int = Field(description="1 (very unhappy) to 5 (very happy)")
    thanks: bool
