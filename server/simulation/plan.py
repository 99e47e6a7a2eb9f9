"""What a simulated business day looks like: the branch (services, counters, rules), who comes
when, who works when, and how customers and tellers behave. Plain values; ``day.py`` plays it.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from server.domain.forecast import Shape
from server.domain.ordering import Policy
from server.domain.pauses import Pause
from server.tickets.stats import RECENT_SAMPLES


@dataclass(frozen=True, slots=True)
class SimService:
    code: str
    standard_wait_s: int
    standard_service_s: int
    mean_service_s: float  # how long a visit really takes on average
    cv: float = 0.4  # its spread (log-normal), or exponential with ``Shape.EXPONENTIAL``


@dataclass(frozen=True, slots=True)
class SimCounter:
    id: int
    label: str
    services: tuple[str, ...]  # profile order
    teller_id: int | None = None
    speed: float = 1.0  # this teller's visits take ``speed`` times the service's mean


@dataclass(frozen=True, slots=True)
class Behaviour:
    """Customers' and tellers' habits (shares of tickets, or seconds)."""

    priority: float = 0.05
    recall: float = 0.08  # called a second time
    no_show: float = 0.04
    transfer: float = 0.03
    walk_s: tuple[int, int] = (8, 70)  # from the call to the counter (none: (0, 0))
    followers: float = 0.3  # follow their ticket on the phone (and so are re-quoted)
    poll_every_s: int = 120  # how often a phone page's figure is looked at


CALM = Behaviour()
# The M/M/c check: nothing but arrivals and service.
PLAIN = Behaviour(priority=0.0, recall=0.0, no_show=0.0, transfer=0.0, walk_s=(0, 0))

# Arrivals per hour of one service at a local hour (fractional: 12.5 is half past twelve).
Rate = Callable[[float], float]


# What is carried from day to day: as much as the live state reads back (stats.RECENT_SAMPLES
# visits per service; two weeks of pauses and of visits by hour).
PAUSES_KEPT = 200
HOURLY_KEPT = 400


@dataclass(frozen=True, slots=True)
class History:
    """What earlier days leave for the estimator: the last visit lengths per service, the
    pauses (when a paused counter returns) and visit lengths by local hour of the call."""

    recent: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    pauses: tuple[Pause, ...] = ()
    hourly: Mapping[str, Mapping[int, tuple[float, ...]]] = field(default_factory=dict)

    def then(
        self,
        recent: Mapping[str, list[float]],
        pauses: list[Pause],
        hourly: Mapping[str, Mapping[int, list[float]]],
    ) -> History:
        """This history with a day's visits and pauses added (oldest dropped)."""
        hours: dict[str, dict[int, tuple[float, ...]]] = {
            code: dict(by) for code, by in self.hourly.items()
        }
        for code, by in hourly.items():
            mine = hours.setdefault(code, {})
            for hour, kept in by.items():
                mine[hour] = (*mine.get(hour, ()), *kept)[-HOURLY_KEPT:]
        return History(
            recent={
                code: (*self.recent.get(code, ()), *recent.get(code, ()))[-RECENT_SAMPLES:]
                for code in {*self.recent, *recent}
            },
            pauses=(*self.pauses, *pauses)[-PAUSES_KEPT:],
            hourly=hours,
        )


@dataclass(frozen=True, slots=True)
class DayPlan:
    """One business day of one branch."""

    day: dt.date
    tz: dt.tzinfo
    open_h: int
    close_h: int
    services: tuple[SimService, ...]
    counters: tuple[SimCounter, ...]
    policy: Policy
    rates: Mapping[str, Rate]  # per service
    peak_rates: Mapping[str, float]  # an upper bound of each rate over the day (thinning)
    rota: Mapping[int, frozenset[int]]  # local hour -> the counters staffed in it
    behaviour: Behaviour = CALM
    shape: Shape = Shape.LOGNORMAL
    branch_id: int = 1
    history: History = field(default_factory=lambda: History())

    def start(self) -> dt.datetime:
        return dt.datetime.combine(self.day, dt.time(self.open_h), tzinfo=self.tz)

    def length_s(self) -> float:
        return (self.close_h - self.open_h) * 3600.0


@dataclass(frozen=True, slots=True)
class Seeds:
    """Separate random streams, so changing how customers are served (or quoted) does not
    change who arrives when."""

    seed: int

    def rng(self, stream: str, day: dt.date) -> random.Random:
        return random.Random(f"{self.seed}:{stream}:{day.isoformat()}")
