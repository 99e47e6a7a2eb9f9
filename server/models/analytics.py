"""Analytics tables: each branch's service-cycle map and the kiosk's first-touch timing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from server.models.types import JSONType, UTCDateTime


class ServiceCycle(SQLModel, table=True):
    """A branch's moments of truth (critical or not), their standards per service and the
    calendar overrides. The expected wait and service targets live on ``Service`` itself
    (``standard_wait_s``, ``standard_service_s``) so live metrics and reports agree."""

    __tablename__ = "service_cycle"

    branch_id: int = Field(foreign_key="branch.id", primary_key=True)
    # {moment: {"critical": bool}}
    moments: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType))
    # {service: {moment: {"expected": n, "exclusive": n | None}}}
    standards: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType))
    # [{"label", "dates": [...], "days_of_month": [...], "moments": [...], "factor"}]
    overrides: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSONType))
    updated_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class TicketTouch(SQLModel, table=True):
    """Seconds from the customer's first touch of the kiosk to their ticket."""

    __tablename__ = "ticket_touch"

    ticket_id: int = Field(foreign_key="ticket.id", primary_key=True)
    touch_s: int
