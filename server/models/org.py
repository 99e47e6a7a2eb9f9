"""Branches, services, counters, staff and devices."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Column, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from server.domain.lifecycle import CounterState
from server.domain.ordering import OrderMode, PriorityMode, TransferPlacement
from server.domain.roles import Role
from server.models.types import EnumText, JSONType, UTCDateTime


class Branch(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True, index=True)
    name: str = Field(max_length=200)
    timezone: str = Field(max_length=64, default="UTC")
    languages: list[str] = Field(default_factory=lambda: ["en"], sa_column=Column(JSONType))
    default_lang: str = Field(max_length=8, default="en")
    is_open: bool = True
    message: str = Field(default="", max_length=500)
    # Call ordering policy (see server/domain/ordering.py).
    order_mode: OrderMode = Field(
        default=OrderMode.FIFO, sa_column=Column(EnumText(OrderMode), nullable=False)
    )
    priority_mode: PriorityMode = Field(
        default=PriorityMode.RATIO, sa_column=Column(EnumText(PriorityMode), nullable=False)
    )
    priority_ratio: int = 2
    max_wait_s: int | None = None
    transfer_placement: TransferPlacement = Field(
        default=TransferPlacement.FIRST,
        sa_column=Column(EnumText(TransferPlacement), nullable=False),
    )
    keep_waiting_at_close: bool = False
    # When the branch is open, in its timezone: {"mon": [["09:00", "17:00"]], ..., "sun": []};
    # null: not set (the kiosk issues whenever the branch is open). See server/domain/hours.py.
    opening_hours: dict[str, list[list[str]]] | None = Field(
        default=None, sa_column=Column(JSONType, nullable=True)
    )
    # Whole days the branch stays shut (holidays): ISO dates, sorted.
    closed_dates: list[str] = Field(default_factory=list, sa_column=Column(JSONType))
    # The current logo's fingerprint (sha256 hex of the stored PNG); null: no logo. The image
    # itself is in branch_logo.
    logo: str | None = Field(default=None, max_length=64)
    # Last business date whose leftovers were closed.
    closed_through: str | None = Field(default=None, max_length=10)
    # Per-branch event sequence (last assigned).
    last_seq: int = 0
    # Bumped by every configuration change (server/audit): a stale edit is refused.
    version: int = 1


class Service(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("branch_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    code: str = Field(max_length=4)
    names: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSONType))
    standard_wait_s: int = 600
    standard_service_s: int = 300
    active: bool = True
    sort_order: int = 0
    # Minutes before the branch closes (the end of an opening-hours interval) after which
    # kiosks stop issuing tickets for this service; null: until closing.
    cutoff_min: int | None = None
    version: int = 1


class BranchLogo(SQLModel, table=True):
    """A branch's logo as uploaded and checked: re-encoded PNG (never the sender's bytes)."""

    __tablename__ = "branch_logo"

    branch_id: int = Field(foreign_key="branch.id", primary_key=True)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    width: int
    height: int
    sha256: str = Field(max_length=64)
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Counter(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("branch_id", "label"),)

    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    label: str = Field(max_length=32)
    # Service codes in the order this counter serves them (its work profile).
    services: list[str] = Field(default_factory=list, sa_column=Column(JSONType))
    state: CounterState = Field(
        default=CounterState.CLOSED, sa_column=Column(EnumText(CounterState), nullable=False)
    )
    pause_reason: str | None = Field(default=None, max_length=200)
    teller_id: int | None = Field(default=None, foreign_key="user.id")
    current_ticket_id: int | None = None
    # Normal calls since this counter last called a priority ticket (ratio rule).
    normal_streak: int = 0
    state_since: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    version: int = 1


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    password_hash: str = Field(max_length=255)
    role: Role = Field(sa_column=Column(EnumText(Role), nullable=False))
    branch_id: int | None = Field(default=None, foreign_key="branch.id")
    full_name: str = Field(default="", max_length=200)
    active: bool = True
    # No longer used (logins are throttled per client address: LoginThrottle); kept until a
    # migration drops them.
    failed_logins: int = 0
    locked_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # The staff screens' language, remembered for the user (null: the browser's choice).
    language: str | None = Field(default=None, max_length=8)
    # Set by an administrator's password reset: the user picks their own at next sign-in.
    must_change_password: bool = False
    version: int = 1


class LoginThrottle(SQLModel, table=True):
    """Failed logins from one client address for one username as typed ("": for every
    username from that address), and the lock they led to (server/auth/throttle.py)."""

    __tablename__ = "login_throttle"

    address: str = Field(primary_key=True, max_length=64)
    username: str = Field(primary_key=True, max_length=64, index=True)
    failures: int = 0
    locked_until: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # When the row means nothing any more (its window or its lock is over): purged then.
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))


class StaffSession(SQLModel, table=True):
    __tablename__ = "staff_session"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    expires_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class Device(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    branch_id: int = Field(foreign_key="branch.id", index=True)
    kind: Role = Field(sa_column=Column(EnumText(Role), nullable=False))
    name: str = Field(max_length=120)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    config: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType))
    active: bool = True
    last_seen_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    # What the device last reported of its hardware: {"printer": {"state", "detail"}, ...}.
    status: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType))
    version: int = 1
