"""Business days in the branch's own timezone."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from server.domain.errors import DomainError


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise DomainError(
            f"unknown timezone '{name}' (use an IANA name such as Europe/Istanbul)"
        ) from exc


# The regions of the IANA database's canonical names (Area/Location) and UTC itself. Not
# accepted: "localtime" and "posixrules" (whatever the host says), "Factory" (no offset at
# all), and the backward-compatible aliases such as "US/Eastern" or "Turkey".
_AREAS = frozenset(
    {"Africa", "America", "Antarctica", "Arctic", "Asia", "Atlantic", "Australia", "Europe"}
    | {"Indian", "Pacific", "Etc"}
)


@lru_cache(maxsize=1)
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())  # reads the zone files once


def check_zone(name: str) -> str:
    """``name`` if it is a canonical IANA zone this machine knows; DomainError otherwise."""
    area = name.split("/", 1)[0]
    canonical = name == "UTC" or (area in _AREAS and "/" in name)
    if not canonical or name not in _known_zones():
        raise DomainError(
            f"unknown timezone '{name}': use a canonical IANA name such as Europe/Istanbul or UTC"
        )
    return name


def business_date(instant: dt.datetime, tz: str) -> dt.date:
    """The branch's local calendar date at ``instant``."""
    return instant.astimezone(zone(tz)).date()


def day_start(day: dt.date, tz: str) -> dt.datetime:
    """The instant (UTC) the branch's local ``day`` begins."""
    return dt.datetime.combine(day, dt.time(), tzinfo=zone(tz)).astimezone(dt.UTC)


def format_code(prefix: str, number: int) -> str:
    """A042: the service letter and a number of at least three digits."""
    return f"{prefix}{number:03d}"
