"""Device pairing: a device without a token shows a short code; an admin claims it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from server.models.types import UTCDateTime


class Pairing(SQLModel, table=True):
    """One pairing attempt. The device knows its code (shown on screen) and a secret (kept
    in the page) and asks with the secret whether it was claimed; only hashes are stored.
    Once an admin claims the code, the new device's token waits here until the device picks
    it up (then it is erased), at most until the attempt expires."""

    id: int | None = Field(default=None, primary_key=True)
    code_hash: str = Field(max_length=64, unique=True, index=True)
    secret_hash: str = Field(max_length=64, unique=True, index=True)
    kind: str | None = Field(default=None, max_length=16)  # what the device says it is
    address: str | None = Field(default=None, max_length=64)
    created_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    expires_at: dt.datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    claimed_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    claimed_by: int | None = None  # user id
    device_id: int | None = Field(default=None, foreign_key="device.id")
    token: str | None = Field(default=None, max_length=128)  # until the device takes it
    delivered_at: dt.datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
