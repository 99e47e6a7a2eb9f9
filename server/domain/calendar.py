"""Business days in the branch's own timezone."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from server.domain.errors import DomainError


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise DomainError(
            f"unknown timezone '{name}' (use an IANA name such as Europe/Istanbul)"
        ) from exc


def business_date(instant: dt.datetime, tz: str) -> dt.date:
    """The branch's local calendar date at ``instant``."""
    return instant.astimezone(zone(tz)).date()


def format_code(prefix: str, number: int) -> str:
    """A042: the service letter and a number of at least three digits."""
    return f"{prefix}{number:03d}"
