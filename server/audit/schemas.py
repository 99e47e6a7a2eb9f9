"""Audit trail answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field


class AuditPublic(BaseModel):
    """One audit entry: who did what, when, from where, and what changed."""

    id: int
    at: dt.datetime = Field(description="when (UTC, ISO 8601)")
    branch: str | None = Field(description="the branch concerned (its code); null: none")
    actor_kind: str = Field(
        description="user, device, cli (the command line), system or anonymous (a sign-in attempt)",
        examples=["user"],
    )
    actor: str = Field(description="username or device name", examples=["admin"])
    address: str | None = Field(description="the client's network address")
    kind: str = Field(
        description="config, sign_in, sign_in_failed, lockout, sign_out, password, pairing, "
        "revoked",
        examples=["config"],
    )
    action: str = Field(examples=["service.updated"])
    target: str = Field(examples=["service A"])
    changes: dict[str, Any] = Field(
        description="{field: {before, after}}; passwords and tokens only as '(changed)'",
        examples=[{"standard_wait_s": {"before": 600, "after": 480}}],
    )


class AuditPage(BaseModel):
    """A page of the audit trail, newest first."""

    items: list[AuditPublic]
    total: int = Field(description="entries matching the filters")
    limit: int
    offset: int


class AuditRow(BaseModel):
    """One audit entry in the contract's shape (``GET /admin/audit``)."""

    id: int
    at: dt.datetime = Field(description="when (UTC, ISO 8601)")
    actor: str = Field(description="username, device name, cli:ACCOUNT or system")
    actor_kind: str = Field(description="user, device, cli, system or anonymous")
    action: str = Field(
        description="login, login_failed, lockout, logout, sign_out_everywhere, "
        "password_reset, password_change, create, update, delete, device_paired, "
        "pairing_refused, device_revoked",
        examples=["update"],
    )
    event: str = Field(description="the finer name of what happened", examples=["service.updated"])
    branch: str | None = Field(description="the branch concerned (its code); null: none")
    target: str = Field(examples=["service A"])
    before: dict[str, Any] = Field(description="changed fields before (never a secret)")
    after: dict[str, Any] = Field(description="changed fields after ('(changed)' for secrets)")
    ip: str | None = Field(description="the client's network address")


class AuditRows(BaseModel):
    """A page of the audit trail, newest first."""

    rows: list[AuditRow]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null: last")
