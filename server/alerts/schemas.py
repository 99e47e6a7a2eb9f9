"""Alerts as managers read them."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class AlertPublic(BaseModel):
    """Something a manager should act on; open until ``cleared_at`` is set."""

    id: int
    key: str = Field(
        description="what it is about, stable while the condition lasts",
        examples=["printer:12", "wait:A"],
    )
    kind: str = Field(examples=["printer", "device_offline", "standard_risk"])
    severity: str = Field(examples=["info", "warning", "critical"])
    message: str
    data: dict[str, Any] = Field(description="details, by kind")
    raised_at: str
    cleared_at: str | None = Field(description="null while open")
    ticket_id: int | None
    device_id: int | None
    counter_id: int | None
