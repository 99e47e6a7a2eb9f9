"""Branch state as screens read it: services with their queues, and the live snapshot."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from server.counters.schemas import CounterPublic
from server.domain.hours import Reason as IssuingReason
from server.metrics.schemas import LiveMetrics
from server.tickets.schemas import Rough, TicketPublic, WaitRange


class ServiceRow(BaseModel):
    """A service on the kiosk: its queue now and the wait a new ticket would be quoted."""

    code: str = Field(description="the ticket prefix", examples=["A"])
    name: str = Field(description="its name in the asked language (else the branch's)")
    names: dict[str, str] = Field(description="name per language", examples=[{"en": "Cash"}])
    waiting: int = Field(description="tickets waiting for it now")
    estimated_wait_s: int = Field(description="the wait a ticket issued now would be quoted")
    estimated_wait_range_s: WaitRange = None
    estimate_rough: Rough = False
    open: bool = Field(
        description="tickets can be issued for it now (active, branch open, within opening "
        "hours, not on a closed date, before the service's cut-off)"
    )
    closed_reason: IssuingReason | None = Field(
        default=None,
        description="why it is not open: branch_closed (closed by hand), service_inactive, "
        "closed_date, outside_hours (the whole branch), cut_off (this service, branch open); "
        "null when open",
    )
    opens_at: str | None = Field(
        default=None,
        description="when not open by the opening hours: the next instant tickets are issued "
        "(ISO 8601, UTC); null when open or not known",
    )
    closes_at: str | None = Field(
        default=None,
        description="the end of the current stretch of opening hours (UTC); null outside "
        "hours or when the branch has none",
    )
    cutoff_at: str | None = Field(
        default=None,
        description="when the service stops issuing in the current stretch (its cut-off "
        "before closes_at, UTC); null without a cut-off",
    )
    counters_open: int = Field(description="open counters that serve it")
    standard_wait_s: int = Field(description="a customer should be called within this")


class BranchInfo(BaseModel):
    """What a screen shows of its branch."""

    code: str
    name: str
    timezone: str = Field(examples=["Europe/Istanbul"])
    languages: list[str] = Field(examples=[["tr", "en"]])
    default_lang: str
    is_open: bool = Field(description="false: kiosks issue no tickets")
    message: str = Field(description="shown on kiosks and displays")
    logo_url: str | None = Field(
        default=None,
        description="the branch's logo (PNG) for the screens' header; null: none",
        examples=["/api/v1/branches/central/logo?v=3f2a9c0d1e4b"],
    )
    opening_hours: dict[str, list[list[str]]] | None = Field(
        default=None, description="when kiosks issue tickets, in the branch's timezone"
    )
    closed_dates: list[str] = Field(default_factory=list, description="whole days shut")


class RecentCall(BaseModel):
    """A ``ticket.called`` or ``ticket.recalled`` event, flattened: ``seq``, ``type``, ``at``
    and the event's data as it was recorded; a live call's data is ``CallPublic``'s (ticket,
    counter, announcement, rule, waited_s, ...)."""

    # The data is stored with the event, so its keys pass through as they were recorded:
    # simulated history (``sira simulate``) has only ticket {code, service}, no counter.
    model_config = ConfigDict(extra="allow")

    seq: int
    type: str = Field(examples=["ticket.called"])
    at: str
    ticket: dict[str, Any] = Field(description="the ticket as it was called (TicketPublic)")


class Snapshot(BaseModel):
    """The branch's live state; the queue lists its first 50 tickets."""

    branch: BranchInfo
    business_date: str = Field(description="the branch's local date today")
    services: list[ServiceRow]
    counters: list[CounterPublic]
    queue: list[TicketPublic] = Field(description="waiting tickets, earliest first")
    recent_calls: list[RecentCall] = Field(description="the last calls, latest first")
    served_today: int


class SnapshotPublic(BaseModel):
    """The snapshot the event stream starts with, and the event ``seq`` it is current at."""

    seq: int = Field(description="the branch's last event; follow with ?since=seq")
    data: Snapshot


class BranchLive(LiveMetrics):
    """One branch of the overview: its live metrics, name and whether it is open."""

    name: str
    is_open: bool


class OverviewPublic(BaseModel):
    """Live metrics of every branch the caller may see, in branch-code order."""

    at: str = Field(description="when the figures were taken")
    branches: list[BranchLive]


class LogoPublic(BaseModel):
    """A branch's logo as stored: re-encoded as PNG, at most 1024 px wide."""

    url: str = Field(
        description="where screens load it; changes with the image",
        examples=["/api/v1/branches/central/logo?v=3f2a9c0d1e4b"],
    )
    width: int = Field(description="in pixels, as stored")
    height: int = Field(description="in pixels, as stored")
    sha256: str = Field(description="of the stored PNG; its ETag")
