"""Opening hours, closed dates and cut-offs: the shape and the one rule (server/domain/hours.py)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from server.domain.hours import Issuing, check_closed_dates, check_opening_hours, issuing

UTC = dt.UTC
WEEKDAYS = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
LUNCH = {**WEEKDAYS, "mon": [["09:00", "12:30"], ["13:30", "17:00"]]}


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def state(
    hours: dict[str, Any] | None,
    now: dt.datetime,
    *,
    tz: str = "Europe/Istanbul",
    closed: list[str] | None = None,
    cutoff: int | None = None,
) -> Issuing:
    return issuing(
        hours=check_opening_hours(hours) if hours is not None else None,
        closed_dates=closed or [],
        tz=tz,
        cutoff_min=cutoff,
        now=now,
    )


# --- the shape ---------------------------------------------------------------------------------


def test_a_day_left_out_is_closed_and_stored_as_such() -> None:
    hours = check_opening_hours({"mon": [["13:30", "17:00"], ["09:00", "12:30"]]})
    assert list(hours) == ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    assert hours["mon"] == [["09:00", "12:30"], ["13:30", "17:00"]]  # sorted
    assert hours["sun"] == []


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ({"tue": [["13:00", "12:00"]]}, "Tuesday: 13:00–12:00 ends before it starts"),
        ({"tue": [["09:00", "09:00"]]}, "Tuesday: 09:00–09:00 is empty"),
        ({"wed": [["9:00", "17:00"]]}, "Wednesday: '9:00' is not a time from 00:00 to 24:00"),
        ({"wed": [["09:00", "24:30"]]}, "Wednesday: '24:30' is not a time"),
        ({"thu": [["09:00"]]}, "Thursday: each interval is a start and an end"),
        ({"fri": [["09:00", "13:00"], ["12:00", "17:00"]]}, "09:00–13:00 and 12:00–17:00 overlap"),
        ({"fri": [["09:00", "12:00"], ["12:00", "17:00"]]}, "make them one interval, 09:00–17:00"),
        ({"sat": [[f"0{h}:00", f"0{h}:30"] for h in range(5)]}, "Saturday: at most 4 intervals"),
        ({"monday": [["09:00", "17:00"]]}, "unknown day 'monday': use mon, tue"),
        ({"mon": []}, "every day is closed"),
    ],
)
def test_bad_hours_are_refused_naming_the_day(hours: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        check_opening_hours(hours)


def test_midnight_is_written_24_00_at_the_end_of_a_day() -> None:
    assert check_opening_hours({"sat": [["00:00", "24:00"]]})["sat"] == [["00:00", "24:00"]]


def test_closed_dates_are_deduplicated_sorted_and_checked() -> None:
    assert check_closed_dates(["2026-05-19", "2026-01-01", "2026-05-19"]) == [
        "2026-01-01",
        "2026-05-19",
    ]
    with pytest.raises(ValueError, match="2026-02-30 is not a date in the calendar"):
        check_closed_dates(["2026-02-30"])
    with pytest.raises(ValueError, match="'20260101' is not a date written YYYY-MM-DD"):
        check_closed_dates(["20260101"])
    too_many = [(dt.date(2026, 1, 1) + dt.timedelta(days=n)).isoformat() for n in range(401)]
    with pytest.raises(ValueError, match="at most 400"):
        check_closed_dates(too_many)


# --- the rule ----------------------------------------------------------------------------------


def test_without_hours_tickets_are_issued_at_any_time() -> None:
    assert state(None, at(2026, 3, 1, 23, 0), cutoff=30) == Issuing(open=True)


def test_before_opening_says_when_it_opens() -> None:
    # Monday 2 March 2026, 08:30 in Istanbul (UTC+3).
    s = state(WEEKDAYS, at(2026, 3, 2, 5, 30))
    assert (s.open, s.reason, s.opens_at) == (False, "outside_hours", at(2026, 3, 2, 6, 0))
    s = state(WEEKDAYS, at(2026, 3, 2, 6, 0))
    assert (s.open, s.closes_at) == (True, at(2026, 3, 2, 14, 0))


def test_after_closing_on_friday_it_opens_on_monday() -> None:
    s = state(WEEKDAYS, at(2026, 3, 6, 14, 0))  # Friday 17:00 sharp: closed
    assert (s.reason, s.opens_at) == ("outside_hours", at(2026, 3, 9, 6, 0))


def test_lunch_break() -> None:
    s = state(LUNCH, at(2026, 3, 2, 10, 0))  # 13:00 local
    assert (s.open, s.reason, s.opens_at) == (False, "outside_hours", at(2026, 3, 2, 10, 30))
    s = state(LUNCH, at(2026, 3, 2, 9, 0))  # 12:00: the morning closes at 12:30
    assert (s.open, s.closes_at) == (True, at(2026, 3, 2, 9, 30))


def test_cut_off_counts_back_from_the_end_of_the_interval() -> None:
    # 30 minutes before the lunch break (12:00 local) and before closing (16:30).
    s = state(LUNCH, at(2026, 3, 2, 8, 59), cutoff=30)
    assert (s.open, s.cutoff_at) == (True, at(2026, 3, 2, 9, 0))
    s = state(LUNCH, at(2026, 3, 2, 9, 0), cutoff=30)
    assert (s.open, s.reason, s.opens_at) == (False, "cut_off", at(2026, 3, 2, 10, 30))
    assert (s.closes_at, s.cutoff_at) == (at(2026, 3, 2, 9, 30), at(2026, 3, 2, 9, 0))
    s = state(LUNCH, at(2026, 3, 2, 13, 45), cutoff=30)
    assert (s.reason, s.opens_at) == ("cut_off", at(2026, 3, 3, 6, 0))  # Tuesday 09:00


def test_a_cut_off_longer_than_an_interval_skips_it() -> None:
    # 13:30–17:00 is 210 minutes: with a 240-minute cut-off, the afternoon issues nothing.
    s = state(LUNCH, at(2026, 3, 2, 6, 0), cutoff=240)
    assert (s.reason, s.opens_at) == ("cut_off", at(2026, 3, 3, 6, 0))


def test_a_closed_date_shuts_the_whole_day() -> None:
    s = state(WEEKDAYS, at(2026, 3, 2, 9, 0), closed=["2026-03-02", "2026-03-03"])
    assert (s.open, s.reason, s.opens_at) == (False, "closed_date", at(2026, 3, 4, 6, 0))
    # Without hours, a closed date still shuts the day; tickets again from the next midnight.
    s = state(None, at(2026, 3, 2, 9, 0), closed=["2026-03-02"])
    assert (s.reason, s.opens_at) == ("closed_date", at(2026, 3, 2, 21, 0))


def test_a_closed_date_is_a_local_date() -> None:
    # 22:30 UTC on 1 March is already 2 March in Istanbul.
    assert state(None, at(2026, 3, 1, 22, 30), closed=["2026-03-02"]).reason == "closed_date"
    assert state(None, at(2026, 3, 1, 20, 30), closed=["2026-03-02"]).open


def test_midnight_joins_two_days_into_one_stretch() -> None:
    hours = {"fri": [["18:00", "24:00"]], "sat": [["00:00", "02:00"]]}
    s = state(hours, at(2026, 3, 6, 20, 30), cutoff=60)  # Friday 23:30 local
    assert (s.open, s.closes_at) == (True, at(2026, 3, 6, 23, 0))  # Saturday 02:00 local
    s = state(hours, at(2026, 3, 6, 22, 0), cutoff=60)  # Saturday 01:00 local
    assert s.reason == "cut_off"
    # 24:00 itself is closed when nothing follows.
    only = {"fri": [["18:00", "24:00"]]}
    assert state(only, at(2026, 3, 6, 20, 59)).open
    assert state(only, at(2026, 3, 6, 21, 0)).reason == "outside_hours"


def test_daylight_saving_day_warsaw_moves_istanbul_does_not() -> None:
    # Poland's clocks go forward at 02:00 on Sunday 29 March 2026 (UTC+1 → UTC+2); Türkiye
    # keeps UTC+3 all year. 09:00 local is 08:00 UTC on Saturday and 07:00 UTC on Sunday.
    every_day = {d: [["09:00", "17:00"]] for d in ("sat", "sun")}
    warsaw = {"tz": "Europe/Warsaw"}
    assert not state(every_day, at(2026, 3, 28, 7, 30), **warsaw).open  # Sat 08:30 CET
    assert state(every_day, at(2026, 3, 29, 7, 30), **warsaw).open  # Sun 09:30 CEST
    s = state(every_day, at(2026, 3, 28, 17, 0), **warsaw)  # Sat 18:00: opens Sun 09:00 CEST
    assert s.opens_at == at(2026, 3, 29, 7, 0)
    # Sunday 16:00 CEST: closes at 17:00 CEST, 15:00 UTC (16:00 UTC the day before).
    assert state(every_day, at(2026, 3, 29, 14, 0), **warsaw).closes_at == at(2026, 3, 29, 15, 0)
    assert state(every_day, at(2026, 3, 28, 14, 0), **warsaw).closes_at == at(2026, 3, 28, 16, 0)
    s = state(every_day, at(2026, 3, 28, 17, 0))  # Istanbul: 20:00, opens Sun 09:00 = 06:00
    assert s.opens_at == at(2026, 3, 29, 6, 0)
    assert not state(every_day, at(2026, 3, 29, 5, 30)).open


def test_a_day_the_clocks_skip_an_hour_is_an_hour_shorter() -> None:
    night = {"sat": [["20:00", "24:00"]], "sun": [["00:00", "06:00"]]}
    s = state(night, at(2026, 3, 28, 20, 0), tz="Europe/Warsaw")
    # Saturday 20:00 CET (19:00 UTC) to Sunday 06:00 CEST (04:00 UTC): nine hours, not ten.
    assert s.closes_at == at(2026, 3, 29, 4, 0)


def test_closed_by_hand_or_retired_wins_over_the_hours() -> None:
    base: dict[str, Any] = {
        "hours": None,
        "closed_dates": [],
        "tz": "UTC",
        "cutoff_min": None,
        "now": at(2026, 3, 2, 9, 0),
    }
    assert issuing(**base, branch_open=False).reason == "branch_closed"
    assert issuing(**base, service_active=False).reason == "service_inactive"


def test_a_period_wholly_inside_the_skipped_hour_never_opens() -> None:
    """New York, 14 March 2027: 02:00-03:00 does not exist; 02:30-03:00 that day is no
    opening (not one promised at 03:30), so the kiosk names the next real one."""
    hours = {"sun": [["02:30", "03:00"]], "mon": [["09:00", "17:00"]]}
    s = state(hours, at(2027, 3, 14, 6, 0), tz="America/New_York")  # 01:00 EST
    assert not s.open
    assert s.opens_at == at(2027, 3, 15, 13, 0)  # Monday 09:00 EDT


@pytest.mark.parametrize("value", ["09:00\n", "\u0660\u0669:00", "9:00\n"])
def test_a_time_with_anything_after_or_other_digits_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="Monday"):
        check_opening_hours({"mon": [[value, "17:00"]]})
    with pytest.raises(ValueError, match="Monday"):
        check_opening_hours({"mon": [["09:00", "09:00\n"]]})


def test_a_date_with_a_newline_is_a_format_error() -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        check_closed_dates(["2027-01-01\n"])
