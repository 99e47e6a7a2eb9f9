"""When a branch issues tickets: opening hours per weekday, closed dates, service cut-offs.

Opening hours are ``{"mon": [["09:00", "17:00"]], ..., "sun": []}`` in the branch's own
timezone: up to four intervals a day (a lunch break is two), each ``[start, end)`` with
``"HH:MM"`` times from 00:00 to 24:00; an empty list closes that weekday. A weekday left out
is closed too, and is stored as ``[]``: what is kept always names all seven days, so what an
administrator reads back is what the kiosk does. ``None`` means "not set": tickets are issued
whenever the branch is open (``Branch.is_open``), as before opening hours existed. Closed
dates (holidays) shut the branch all day, with or without opening hours.

An interval ending at 24:00 and the next day's starting at 00:00 are one stretch of opening
(a night shift across midnight): a service's cut-off counts back from the end of the stretch.
Local times are turned into instants with zoneinfo, so a day on which the clocks change has
the hours its wall clock says (a time the clocks skip is read with the offset before the
change, the first of a repeated hour is taken).

:func:`issuing` is the one rule deciding whether a ticket can be issued now; every place that
says "open" (the ticket route, the kiosk's service list, the live snapshot) asks it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from server.domain.calendar import zone

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = dict(
    zip(
        DAYS,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)
MAX_INTERVALS = 4
MAX_CLOSED_DATES = 400
MAX_CUTOFF_MIN = 720

OpeningHours = dict[str, list[list[str]]]
# Why tickets cannot be issued: the branch is closed by hand (``is_open``), the service is
# retired (``active``), a closed date, outside opening hours, or past the service's cut-off.
Reason = Literal["branch_closed", "service_inactive", "closed_date", "outside_hours", "cut_off"]

_TIME = re.compile(r"(?:[01]\d|2[0-3]):[0-5]\d|24:00", re.ASCII)  # fullmatch: no "\n" after
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


# --- the shape ---------------------------------------------------------------------------


def _minutes(value: str) -> int:
    hours, minutes = value.split(":")
    return int(hours) * 60 + int(minutes)


class HoursError(ValueError):
    """What is wrong with opening hours or closed dates: a sentence, a stable ``kind`` and the
    plain values it names (``day``, ``start``, ``end``...; never the raw input), for a form to
    say it in its user's language."""

    def __init__(self, kind: str, message: str, **ctx: str | int) -> None:
        super().__init__(message)
        self.kind = kind
        self.ctx = ctx


def _check_interval(day: str, n: int, interval: Any) -> list[str]:
    name = DAY_NAMES[day]
    if (
        not isinstance(interval, list | tuple)
        or len(interval) != 2
        or not all(isinstance(t, str) for t in interval)
    ):
        raise HoursError(
            "hours_interval_shape",
            f'{name}: each interval is a start and an end, such as ["09:00", "17:00"]',
            day=day,
            interval=n,
        )
    start, end = interval
    for t in (start, end):
        if not _TIME.fullmatch(t):
            raise HoursError(
                "hours_time",
                f"{name}: '{t[:20]}' is not a time from 00:00 to 24:00 (HH:MM)",
                day=day,
                interval=n,
            )
    if _minutes(start) > _minutes(end):
        raise HoursError(
            "hours_ends_before_start",
            f"{name}: {start}–{end} ends before it starts",
            day=day,
            start=start,
            end=end,
        )
    if start == end:
        raise HoursError(
            "hours_empty", f"{name}: {start}–{end} is empty", day=day, start=start, end=end
        )
    return [start, end]


def _check_day(day: str, intervals: Any) -> list[list[str]]:
    name = DAY_NAMES[day]
    if not isinstance(intervals, list | tuple):
        raise HoursError(
            "hours_day_shape",
            f'{name}: give a list of intervals such as [["09:00", "17:00"]]',
            day=day,
        )
    if len(intervals) > MAX_INTERVALS:
        raise HoursError(
            "hours_too_many",
            f"{name}: at most {MAX_INTERVALS} intervals a day",
            day=day,
            max=MAX_INTERVALS,
        )
    out = [_check_interval(day, n, i) for n, i in enumerate(intervals, start=1)]
    out.sort(key=lambda i: _minutes(i[0]))
    for (start, end), (next_start, next_end) in zip(out, out[1:], strict=False):
        both = {"start": start, "end": end, "next_start": next_start, "next_end": next_end}
        if _minutes(next_start) < _minutes(end):
            raise HoursError(
                "hours_overlap",
                f"{name}: {start}–{end} and {next_start}–{next_end} overlap",
                day=day,
                **both,
            )
        if next_start == end:
            raise HoursError(
                "hours_meet",
                f"{name}: {start}–{end} and {next_start}–{next_end} meet; "
                f"make them one interval, {start}–{next_end}",
                day=day,
                **both,
            )
    return out


def check_opening_hours(value: Mapping[str, Any]) -> OpeningHours:
    """The opening hours with every weekday named (a missing day: closed), each day's
    intervals sorted; HoursError saying what is wrong and on which day."""
    unknown = [k for k in value if k not in DAYS]
    if unknown:
        raise HoursError(
            "hours_unknown_day",
            f"unknown day '{unknown[0][:20]}': use {', '.join(DAYS)} (a day left out is closed)",
            days=", ".join(DAYS),
        )
    hours = {day: _check_day(day, value.get(day, [])) for day in DAYS}
    if not any(hours.values()):
        # The kiosk could never say when it opens again; closing a branch is is_open=false.
        raise HoursError(
            "hours_all_closed",
            "every day is closed: give at least one day's hours, set opening_hours to null "
            "(no hours), or close the branch with is_open=false",
        )
    return hours


def check_closed_dates(values: Sequence[Any]) -> list[str]:
    """ISO dates (YYYY-MM-DD), deduplicated and sorted; HoursError naming a bad one."""
    days: set[str] = set()
    for n, value in enumerate(values, start=1):
        if not isinstance(value, str) or not _DATE.fullmatch(value):
            raise HoursError(
                "date_format", f"'{str(value)[:20]}' is not a date written YYYY-MM-DD", item=n
            )
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise HoursError(
                "date_not_in_calendar", f"{value} is not a date in the calendar", item=n
            ) from None
        days.add(value)
    if len(days) > MAX_CLOSED_DATES:
        raise HoursError(
            "dates_too_many",
            f"at most {MAX_CLOSED_DATES} closed dates (remove past ones)",
            max=MAX_CLOSED_DATES,
        )
    return sorted(days)


# --- the rule ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Issuing:
    """Whether tickets can be issued now, and why not.

    ``opens_at``: when closed, the next instant the branch opens (after a cut-off: the start
    of the next stretch that is longer than the service's cut-off); None when none is in
    sight. ``closes_at``: while the branch is open, the end of the current stretch of
    opening hours (None without hours). ``cutoff_at``: when the service stops issuing in the
    current stretch (closes_at − cut-off). All UTC.
    """

    open: bool
    reason: Reason | None = None
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    cutoff_at: dt.datetime | None = None


OPEN = Issuing(open=True)


def _instant(day: dt.date, hhmm: str, tz: dt.tzinfo) -> dt.datetime:
    minutes = _minutes(hhmm)
    if minutes == 24 * 60:
        day, minutes = day + dt.timedelta(days=1), 0
    local = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=tz)
    return local.astimezone(dt.UTC)


def _stretches(
    hours: Mapping[str, Sequence[Sequence[str]]],
    closed: frozenset[str],
    tz: dt.tzinfo,
    first: dt.date,
    days: int,
) -> Iterator[tuple[dt.datetime, dt.datetime]]:
    """Open stretches (UTC start, end) on the local days from ``first`` on, in order; an
    interval ending at 24:00 runs on into the next day's starting at 00:00."""
    pending: tuple[dt.datetime, dt.datetime] | None = None
    for n in range(days):
        day = first + dt.timedelta(days=n)
        if day.isoformat() in closed:
            continue
        for start_s, end_s in hours.get(DAYS[day.weekday()], ()):
            start, end = _instant(day, start_s, tz), _instant(day, end_s, tz)
            if end <= start:  # wholly inside the hour the clocks skip: never open
                continue
            if pending is not None and pending[1] == start:
                pending = (pending[0], end)
                continue
            if pending is not None:
                yield pending
            pending = (start, end)
    if pending is not None:
        yield pending


def _horizon(closed: frozenset[str]) -> int:
    # Enough days to pass every closed date even when only one weekday opens.
    return 7 * (len(closed) + 2)


def issuing(
    *,
    hours: Mapping[str, Sequence[Sequence[str]]] | None,
    closed_dates: Sequence[str],
    tz: str,
    cutoff_min: int | None,
    now: dt.datetime,
    branch_open: bool = True,
    service_active: bool = True,
) -> Issuing:
    """Whether a ticket for a service with ``cutoff_min`` can be issued at ``now`` (UTC) at a
    branch with these opening hours and closed dates, in its timezone ``tz``; a branch closed
    by hand (``branch_open``) or a retired service issues nothing whatever the hours say."""
    if not branch_open:
        return Issuing(open=False, reason="branch_closed")
    if not service_active:
        return Issuing(open=False, reason="service_inactive")
    zoned = zone(tz)
    today = now.astimezone(zoned).date()
    closed = frozenset(closed_dates)
    if hours is None:
        if today.isoformat() not in closed:
            return OPEN
        day = today + dt.timedelta(days=1)
        while day.isoformat() in closed:
            day += dt.timedelta(days=1)
        midnight = dt.datetime.combine(day, dt.time(), tzinfo=zoned).astimezone(dt.UTC)
        return Issuing(open=False, reason="closed_date", opens_at=midnight)
    ahead = (s for s in _stretches(hours, closed, zoned, today, _horizon(closed)) if s[1] > now)
    first = next(ahead, None)
    if first is None or first[0] > now:
        reason: Reason = "closed_date" if today.isoformat() in closed else "outside_hours"
        return Issuing(open=False, reason=reason, opens_at=first[0] if first else None)
    end = first[1]
    if not cutoff_min:
        return Issuing(open=True, closes_at=end)
    cutoff = dt.timedelta(minutes=cutoff_min)
    cutoff_at = end - cutoff
    if now < cutoff_at:
        return Issuing(open=True, closes_at=end, cutoff_at=cutoff_at)
    # Issued again from the next stretch that is longer than the cut-off.
    again = next((start for start, stop in ahead if stop - cutoff > start), None)
    return Issuing(open=False, reason="cut_off", opens_at=again, closes_at=end, cutoff_at=cutoff_at)
