"""The service cycle's moments of truth, their standards and how a moment is classified.

Plain Python: the reports build the same rules into SQL (server/reports/grading.py), the CSV
export and the tests use these functions directly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Measure(StrEnum):
    SECONDS = "seconds"  # lower is better
    SCORE = "score"  # higher is better (feedback 1..5)


class Grade(StrEnum):
    MISSED = "missed"
    EXPECTED = "expected"
    EXCLUSIVE = "exclusive"


@dataclass(frozen=True, slots=True)
class Moment:
    key: str
    name: str
    measure: Measure
    critical: bool


# The moments Sira measures, in the order a customer meets them, with their default weight.
MOMENTS: tuple[Moment, ...] = (
    Moment("kiosk", "Taking the ticket", Measure.SECONDS, True),
    Moment("wait", "Waiting", Measure.SECONDS, True),
    Moment("walk", "Walking to the counter", Measure.SECONDS, False),
    Moment("service", "Service", Measure.SECONDS, True),
    Moment("feedback", "Feedback", Measure.SCORE, False),
)
MOMENT_KEYS = tuple(m.key for m in MOMENTS)
BY_KEY = {m.key: m for m in MOMENTS}
# Moments whose expected target is a column of the service (shared with live metrics).
SERVICE_COLUMN = {"wait": "standard_wait_s", "service": "standard_service_s"}


@dataclass(frozen=True, slots=True)
class Target:
    expected: float
    exclusive: float | None = None


def default_targets(*, standard_wait_s: int, standard_service_s: int) -> dict[str, Target]:
    """Sensible bank defaults; the exclusive level is half the expected time."""
    return {
        "kiosk": Target(60, 20),
        "wait": Target(standard_wait_s, standard_wait_s // 2),
        "walk": Target(90, 30),
        "service": Target(standard_service_s, standard_service_s // 2),
        "feedback": Target(4, 5),
    }


@dataclass(frozen=True, slots=True)
class Override:
    """Targets scaled by ``factor`` on matching business dates (paydays, eves of holidays)."""

    label: str
    factor: float
    dates: frozenset[dt.date] = frozenset()
    days_of_month: frozenset[int] = frozenset()
    moments: frozenset[str] = frozenset()  # empty: every time moment

    def matches(self, day: dt.date) -> bool:
        return day in self.dates or day.day in self.days_of_month

    def applies_to(self, moment: str) -> bool:
        return BY_KEY[moment].measure is Measure.SECONDS and (
            not self.moments or moment in self.moments
        )


def override_from_dict(raw: Mapping[str, Any]) -> Override:
    return Override(
        label=str(raw.get("label", "")),
        factor=float(raw["factor"]),
        dates=frozenset(dt.date.fromisoformat(str(d)) for d in raw.get("dates") or ()),
        days_of_month=frozenset(int(d) for d in raw.get("days_of_month") or ()),
        moments=frozenset(raw.get("moments") or ()),
    )


def factor_for(overrides: Sequence[Override], *, moment: str, day: dt.date) -> float:
    """The first override matching ``day`` that covers ``moment`` sets the factor."""
    for o in overrides:
        if o.applies_to(moment) and o.matches(day):
            return o.factor
    return 1.0


def classify(moment: str, value: float | None, target: Target, factor: float = 1.0) -> Grade | None:
    """missed / expected / exclusive for one measured moment; None when not measured."""
    if value is None:
        return None
    if BY_KEY[moment].measure is Measure.SCORE:
        if target.exclusive is not None and value >= target.exclusive:
            return Grade.EXCLUSIVE
        return Grade.EXPECTED if value >= target.expected else Grade.MISSED
    if target.exclusive is not None and value <= target.exclusive * factor:
        return Grade.EXCLUSIVE
    return Grade.EXPECTED if value <= target.expected * factor else Grade.MISSED


def within_standard(grades: Mapping[str, Grade | None], critical: Iterable[str]) -> bool | None:
    """True when no measured critical moment is missed; None when none was measured."""
    measured = [grades[k] for k in critical if grades.get(k) is not None]
    if not measured:
        return None
    return all(g is not Grade.MISSED for g in measured)
