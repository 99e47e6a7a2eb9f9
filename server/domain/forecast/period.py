"""A whole simulated period: given arrivals played from an empty queue through the engine
(the base for ``sira simulate``), and Poisson arrivals to feed it."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from server.domain.forecast.engine import Call, CounterNow, _desks, _Engine
from server.domain.forecast.models import ServiceModel
from server.domain.forecast.queues import WaitingQueues
from server.domain.ordering import Candidate, Policy


@dataclass(frozen=True, slots=True)
class Arrival:
    """A customer taking a ticket in a simulated period."""

    at_s: float  # after the period's start
    service_code: str
    priority: bool = False


def poisson_arrivals(
    rate_per_h: float, *, service_code: str, duration_s: float, rng: random.Random
) -> list[Arrival]:
    """Arrivals of a Poisson process at ``rate_per_h`` over ``duration_s``."""
    out, t = [], rng.expovariate(rate_per_h / 3600)
    while t < duration_s:
        out.append(Arrival(t, service_code))
        t += rng.expovariate(rate_per_h / 3600)
    return out


def simulate_period(
    *,
    start: datetime,
    policy: Policy,
    counters: Sequence[CounterNow],
    service_times: Mapping[str, ServiceModel],
    arrivals: Sequence[Arrival],
    seed: int = 0,
    until_s: float = math.inf,
    tz: tzinfo | None = None,
) -> list[Call]:
    """Play ``arrivals`` (ticket ids 1, 2, ... in time order) from an empty queue through the
    engine: every call chosen by ``choose_next``, every service drawn from its model."""
    arrivals = sorted(arrivals, key=lambda a: a.at_s)
    queues = WaitingQueues(start)
    for a in arrivals:
        queues.group((a.service_code, a.priority, False, None))
    engine = _Engine(
        now=start,
        policy=policy,
        desks=_desks(counters, start, queues),
        models=service_times,
        tz=tz,
    )
    stream = (
        (a.at_s, Candidate(n, a.service_code, at, at, priority=a.priority), None)
        for n, a in enumerate(arrivals, start=1)
        for at in (start + timedelta(seconds=a.at_s),)
    )
    calls: list[Call] = []
    engine.play(queues, stream, random.Random(seed), target=None, horizon_s=until_s, record=calls)
    return calls
