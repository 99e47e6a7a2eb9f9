"""Operations: alerts for the manager, print jobs for printers, extra branches for staff."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from server.models.types import JSONType, UTCDateTime


class Alert(SQLModel, table=True):
    """Something a manager should act on. One open alert per (branch, key); clearing it
    keeps the row as history."""

    __table_args__ = (Index("ix_alert_open", "branch_id", "key", "cleared_at"),)

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id")
    # What the alert is about, stable while the condition lasts: "printer:12", "wait:A".
    key: str = Field(max_length=120)
    kind: str = Field(max_length=32)  # printer | device_offline | standard_risk | ...
    severity: str = Field(default="warning", max_length=16)  # info | warning | critical
    message: str = Field(max_length=500)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType))
    raised_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    cleared_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    ticket_id: int | None = None
    device_id: int | None = None
    counter_id: int | None = None


class PrintJob(SQLModel, table=True):
    """One ticket to print on one device's printer. Printed at most once: the device (or the
    server-side printer worker) acknowledges the job id, and a repeat delivery is ignored."""

    __tablename__ = "print_job"
    __table_args__ = (Index("ix_print_job_device_status", "device_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id")
    device_id: int = Field(foreign_key="device.id")
    # None: a test ticket asked for from the device settings (no ticket of the queue).
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id", index=True)
    reprint: bool = False
    status: str = Field(default="queued", max_length=16)  # queued | sent | printed | failed
    attempts: int = 0
    error: str | None = Field(default=None, max_length=500)
    content: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType))
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    done_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class UserBranch(SQLModel, table=True):
    """Branches a manager oversees besides their own (a regional manager)."""

    __tablename__ = "user_branch"

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", primary_key=True)
