"""Request and response shapes for tickets."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from server.domain.lifecycle import TicketStatus
from server.domain.text import FreeText

# A quote's range and roughness, as every answer that carries a quote gives them.
WaitRange = Annotated[
    list[int] | None,
    Field(
        min_length=2,
        max_length=2,
        description="[low, high] seconds, given when the wait is too uncertain for one figure",
    ),
]
Rough = Annotated[
    bool,
    Field(
        description="true: say it is a rough estimate (a service's standard stood in for "
        "history this branch lacks, or the fallback formula quoted); false when not waiting",
    ),
]

Lang = Field(default=None, min_length=2, max_length=8, pattern=r"^[a-z]{2,3}(-[A-Za-z]{2,4})?$")


class TicketCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    service: str = Field(
        min_length=1,
        max_length=4,
        pattern=r"^[A-Z][A-Z0-9]{0,3}$",
        description="The service code (its ticket prefix), e.g. A",
    )
    lang: str | None = Lang
    priority: StrictBool = False
    priority_reason: Literal["elderly", "disabled", "pregnant", "other"] | None = None
    request_id: str | None = Field(
        default=None,
        min_length=8,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Optional client id of this request: a retry returns the same ticket",
    )
    touch_s: int | None = Field(
        default=None,
        ge=0,
        le=3600,
        description="Seconds from the customer's first touch of the kiosk to this ticket",
    )
    large_print: StrictBool = Field(
        default=False,
        description="Print the paper ticket in large type (the kiosk's large-text mode): the "
        "number as big as the paper allows, every other line double width and height. Kept "
        "with the print job, so reprints are large too; a retry with the same request_id "
        "gets the first request's ticket and print, whatever its large_print says",
    )


class TicketIssued(BaseModel):
    id: int
    code: str
    service: str
    number: int
    position: int = Field(description="place in the order the counters will call (1: next)")
    estimated_wait_s: int = Field(description="the quoted wait, seconds")
    estimated_wait_range_s: WaitRange = None
    estimate_rough: Rough = False
    issued_at: str
    token: str
    status_url: str
    print_status: str
    # Why the print failed: paper_out | cover_open | offline | error; None when it did not.
    print_error: str | None = None
    lang: str
    priority: bool
    business_date: str


class TransferRequest(BaseModel):
    """Where the customer goes next: a service's queue, a chosen counter, or both."""

    service: str | None = Field(
        default=None, min_length=1, max_length=4, pattern=r"^[A-Z][A-Z0-9]{0,3}$"
    )
    counter: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,
        description="only this counter calls the customer (in one of its services)",
    )
    note: FreeText | None = Field(
        default=None, max_length=300, description="for the teller who calls them next"
    )

    @model_validator(mode="after")
    def _somewhere(self) -> TransferRequest:
        if self.service is None and self.counter is None:
            raise ValueError("say where to: a service, a counter, or both")
        return self


RecoveryAction = Literal[
    "apologized", "explained_delay", "fast_tracked", "manager_involved", "compensation", "other"
]


class RecoveryRequest(BaseModel):
    action: RecoveryAction
    note: str = Field(default="", max_length=500)


class CancelRequest(BaseModel):
    reason: str = Field(default="customer_left", min_length=1, max_length=64)


class CounterRef(BaseModel):
    """A counter as a ticket names it."""

    id: int
    label: str


class TicketPublic(BaseModel):
    """A ticket as staff screens, events and responses show it (times ISO 8601, UTC)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "id": 42,
                    "code": "A042",
                    "number": 42,
                    "service": "A",
                    "original_service": "A",
                    "status": "called",
                    "lang": "tr",
                    "priority": False,
                    "priority_reason": None,
                    "business_date": "2026-12-03",
                    "issued_at": "2026-12-03T09:12:05+00:00",
                    "first_called_at": "2026-12-03T09:20:41+00:00",
                    "called_at": "2026-12-03T09:20:41+00:00",
                    "recalled_at": None,
                    "serving_at": None,
                    "finished_at": None,
                    "counter": {"id": 3, "label": "3"},
                    "call_rule": "fifo",
                    "recall_count": 0,
                    "transfer_count": 0,
                    "cancel_reason": None,
                }
            ]
        },
    )

    id: int
    code: str
    number: int
    service: str = Field(description="the service whose queue the ticket is in now")
    original_service: str = Field(description="the service it was issued for")
    status: TicketStatus
    lang: str
    priority: bool
    priority_reason: str | None
    business_date: str = Field(description="the branch's local date the ticket belongs to")
    issued_at: str
    first_called_at: str | None
    called_at: str | None
    recalled_at: str | None
    serving_at: str | None
    finished_at: str | None
    counter: CounterRef | None
    call_rule: str | None = Field(description="the ordering rule that chose it, once called")
    recall_count: int
    transfer_count: int
    transfer_note: str | None = Field(
        default=None, description="the sending teller's note for the next one (staff only)"
    )
    transfer_counter_id: int | None = Field(
        default=None, description="sent to this counter: only it calls the ticket"
    )
    cancel_reason: str | None


class TicketEnvelope(BaseModel):
    """The answer of every operation on one ticket."""

    ticket: TicketPublic


class RecoveryLogged(TicketEnvelope):
    action: RecoveryAction
