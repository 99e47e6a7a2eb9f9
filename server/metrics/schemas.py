"""Live figures for the manager."""

from __future__ import annotations

from pydantic import BaseModel, Field

from server.alerts.schemas import AlertPublic


class LiveMetrics(BaseModel):
    """A branch now: its queues, counters and today's service against the standard."""

    branch: str = Field(description="the branch's code")
    business_date: str = Field(description="the branch's local date today")
    waiting: dict[str, int] = Field(
        description="tickets waiting per service code (services with none are left out)",
        examples=[{"A": 4, "B": 1}],
    )
    waiting_total: int
    longest_wait_s: int = Field(description="how long the earliest waiting ticket has waited")
    counters_open: int
    counters_paused: int
    served_today: int = Field(description="tickets finished today")
    called_today: int = Field(description="tickets called at least once today")
    within_standard_pct: float | None = Field(
        description="share of today's called tickets called within their service's standard "
        "wait; null: none called yet"
    )
    alerts: list[AlertPublic] = Field(description="open alerts, oldest first")
