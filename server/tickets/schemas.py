"""Request and response shapes for tickets."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool

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


class TicketIssued(BaseModel):
    id: int
    code: str
    service: str
    number: int
    position: int
    estimated_wait_s: int
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
    service: str = Field(min_length=1, max_length=4, pattern=r"^[A-Z][A-Z0-9]{0,3}$")


RecoveryAction = Literal[
    "apologized", "explained_delay", "fast_tracked", "manager_involved", "compensation", "other"
]


class RecoveryRequest(BaseModel):
    action: RecoveryAction
    note: str = Field(default="", max_length=500)


class CancelRequest(BaseModel):
    reason: str = Field(default="customer_left", min_length=1, max_length=64)
