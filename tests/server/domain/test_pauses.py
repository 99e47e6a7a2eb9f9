"""When a paused counter is expected back: the branch's typical pause."""

from __future__ import annotations

import datetime as dt

from server.domain.pauses import (
    MIN_PAUSES,
    OVERDUE_S,
    Pause,
    expected_back,
    pauses_of,
    typical_pause_s,
)

T0 = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)


def at(minutes: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def test_pauses_are_read_from_state_changes() -> None:
    changes = [
        (1, at(0), "open", None),
        (1, at(10), "paused", "lunch"),
        (2, at(12), "paused", "break"),
        (1, at(10.5), "paused", "lunch"),  # the same state again: not a new pause
        (1, at(70), "open", None),
        (2, at(20), "closed", None),
    ]
    assert pauses_of(changes) == [
        Pause("lunch", 3600.0, returned=True),
        Pause("break", 480.0, returned=False),
    ]


def test_the_typical_pause_is_the_median_of_those_that_came_back_by_reason() -> None:
    pauses = [Pause("lunch", 3600, True), Pause("lunch", 3000, True), Pause("lunch", 3300, True)]
    pauses += [Pause("break", 600, True), Pause("break", 900, True), Pause("break", 700, True)]
    assert typical_pause_s(pauses, "lunch") == 3300
    assert typical_pause_s(pauses, "break") == 700
    # A reason without history enough: all reasons together.
    assert typical_pause_s(pauses, "phone call") == (900 + 3000) / 2


def test_no_typical_pause_without_history_or_when_most_did_not_come_back() -> None:
    assert typical_pause_s([Pause("break", 600, True)] * (MIN_PAUSES - 1), "break") is None
    gone = [Pause("break", 600, True)] + [Pause("break", 100, False)] * 2
    assert typical_pause_s(gone, "break") is None


def test_expected_back_after_the_typical_pause_or_soon_when_overdue() -> None:
    pauses = [Pause("break", 900, True)] * 3
    assert expected_back(pauses, reason="break", since=at(0), now=at(5)) == at(15)
    # Past the typical pause: expected within a couple of minutes, not never.
    late = expected_back(pauses, reason="break", since=at(0), now=at(40))
    assert late == at(40) + dt.timedelta(seconds=OVERDUE_S)
    assert expected_back([], reason="break", since=at(0), now=at(5)) is None
    assert expected_back(pauses, reason="break", since=None, now=at(5)) is None
