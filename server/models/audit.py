"""The audit trail: who changed what, when and from where (append-only)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Column, Index
from sqlmodel import Field, SQLModel

from server.models.types import JSONType, UTCDateTime


class AuditEntry(SQLModel, table=True):
    """One configuration change, sign-in, failed sign-in, lockout, password change, device
    pairing or revocation. Rows are only ever added: the database refuses an update, and
    only ``sira purge --audit-days`` deletes (deleting a branch keeps its entries, so
    ``branch_id`` is no foreign key)."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_branch_at", "branch_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    branch_id: int | None = None
    branch: str | None = Field(default=None, max_length=32)  # its code, kept if it goes
    # Who: a staff member (actor_id: user id), a device, the command line or the server.
    actor_kind: str = Field(max_length=16)  # user | device | cli | system | anonymous
    actor_id: int | None = Field(default=None, index=True)
    actor: str = Field(default="", max_length=120)  # username or device name as it was
    address: str | None = Field(default=None, max_length=64)
    kind: str = Field(max_length=24, index=True)  # config | sign_in | ... (server/audit)
    action: str = Field(max_length=48)  # "service.updated", "user.password_reset" ...
    target: str = Field(default="", max_length=200)  # "service A", "user teller1" ...
    # {field: {"before": ..., "after": ...}}; secrets appear only as "(changed)".
    changes: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSONType))
