"""``forecast()``: when a waiting ticket (or one about to be issued) will be called, from
Monte Carlo runs of the engine within an effort budget, or one pass with mean times."""

from __future__ import annotations

import math
import random
import statistics
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from heapq import heapify, heappop, heappush

from server.domain.forecast.engine import (
    Call,
    CounterNow,
    _Arrival,
    _Desk,
    _desks,
    _Engine,
    _Outcome,
)
from server.domain.forecast.models import ServiceModel
from server.domain.forecast.queues import WaitingQueues
from server.domain.ordering import Candidate, Policy

_Z80 = statistics.NormalDist().inv_cdf(0.8)  # the 20th-80th percentile band: mean -/+ this * sd


@dataclass(frozen=True, slots=True)
class Arrivals:
    """Expected arrivals per hour by service: tickets that may be called before the target."""

    normal_per_h: Mapping[str, float] = field(default_factory=dict)
    priority_per_h: Mapping[str, float] = field(default_factory=dict)
    transfers_per_h: Mapping[str, float] = field(default_factory=dict)
    transfer_age_s: float = 0.0  # how long before their transfer those customers arrived


@dataclass(frozen=True, slots=True)
class NewTicket:
    """A ticket about to be issued now (the quote on the kiosk and on paper)."""

    service_code: str
    priority: bool = False


@dataclass(frozen=True, slots=True)
class Effort:
    """How much work one forecast may do. A simulated event costs about 5 us, so ``max_events``
    keeps a quote near 3 ms; a target whose run would cost more than ``max_events / min_runs``
    events takes one pass with mean times instead (bench/forecast_cost.py measures both)."""

    runs: int = 200
    min_runs: int = 20
    max_events: int = 600  # calls and arrivals simulated over all runs (deterministic)
    budget_s: float = 0.004  # wall clock, a safety net under load (stops runs past min_runs)
    horizon_s: float = 12 * 3600.0


@dataclass(frozen=True, slots=True)
class Forecast:
    """Seconds from now until the target is called (None: not within the horizon)."""

    wait_s: float | None  # median of the runs (the mean pass: its one value)
    mean_s: float | None
    low_s: float | None  # 20th percentile
    high_s: float | None  # 80th percentile
    position: int | None  # tickets the target's counters call before it (0: next)
    served_now: bool  # some open or returning counter may call it at all
    runs: int  # Monte Carlo runs; 0 when one pass with mean times was used
    rough: bool  # a service time came from a standard, not from measured services
    fallback: bool = False  # not the engine's: the old formula quoted (see tickets/forecasting)


def _streams(arrivals: Arrivals) -> list[tuple[float, str, bool, bool]]:
    """(rate per second, service, priority, transferred) of each arrival stream."""
    out = []
    for rates, prio, moved in (
        (arrivals.normal_per_h, False, False),
        (arrivals.priority_per_h, True, False),
        (arrivals.transfers_per_h, False, True),
    ):
        out += [(r / 3600, code, prio, moved) for code, r in sorted(rates.items()) if r > 0]
    return out


def _arrive(
    arrivals: Arrivals, now: datetime, rng: random.Random | None, *, first_id: int
) -> Iterator[_Arrival]:
    """Poisson arrivals (evenly spaced at their rate for the mean pass), never ending."""
    streams = _streams(arrivals)

    def gap(rate: float) -> float:
        return 1 / rate if rng is None else rng.expovariate(rate)

    heap = [(0.5 / r if rng is None else gap(r), k) for k, (r, *_) in enumerate(streams)]
    heapify(heap)
    next_id = first_id
    while heap:
        t, k = heappop(heap)
        rate, code, prio, moved = streams[k]
        at = now + timedelta(seconds=t)
        issued = at - timedelta(seconds=arrivals.transfer_age_s) if moved else at
        yield t, Candidate(next_id, code, issued, at, priority=prio, transferred=moved), None
        next_id += 1
        heappush(heap, (t + gap(rate), k))


DEFAULT_EFFORT = Effort()
NO_ARRIVALS = Arrivals()


def forecast(
    *,
    now: datetime,
    policy: Policy,
    waiting: Sequence[Candidate],
    counters: Sequence[CounterNow],
    service_times: Mapping[str, ServiceModel],
    target: int | NewTicket,
    transfer_counter: Mapping[int, int] | None = None,
    arrivals: Arrivals = NO_ARRIVALS,
    effort: Effort = DEFAULT_EFFORT,
    seed: int = 0,
    tz: tzinfo | None = None,
) -> Forecast:
    """When ``target`` (a waiting ticket's id, or a ticket about to be issued) will be called.

    ``transfer_counter`` maps a ticket transferred to a chosen counter to that counter (only it
    calls the ticket); ``tz`` is the branch's, for service models by hour of day.
    """
    reserved = transfer_counter or {}
    queues = WaitingQueues(now)
    for c in waiting:
        queues.add(c, reserved.get(c.id))
    ticket, only = _target(waiting, target, reserved, now)
    if isinstance(target, NewTicket):
        queues.add(ticket)
    streams = _streams(arrivals)
    for _, code, prio, moved in streams:
        queues.group((code, prio, moved, None))  # before the counters list their groups
    desks = _desks(counters, now, queues)
    for d in desks:
        d.eligible = ticket.service_code in d.services and only in (None, d.id)
    eligible = [d for d in desks if d.eligible]
    if not eligible:
        return Forecast(
            None, None, None, None, position=None, served_now=False, runs=0, rough=False
        )
    missing = sorted(_codes(desks) - set(service_times))
    if missing:
        raise ValueError(f"no service-time model for {', '.join(missing)}")
    rough = any(service_times[code].rough for code in _codes(eligible))
    engine = _Engine(now=now, policy=policy, desks=desks, models=service_times, tz=tz)
    first_id = max([ticket.id, *(c.id for c in waiting)]) + 1  # for arrivals

    def play(rng: random.Random | None) -> _Outcome:
        return engine.play(
            queues.copy(),
            _arrive(arrivals, now, rng, first_id=first_id),
            rng,
            target=ticket.id,
            horizon_s=effort.horizon_s,
        )

    mean = play(None)
    # A run costs about one event per call and arrival, and one per counter to set it up.
    cost = mean.events + len(desks) + 1
    if cost * effort.min_runs > effort.max_events:
        return _mean_pass(mean, rough)
    rng = random.Random(seed)
    runs = min(max(effort.max_events // cost, effort.min_runs), effort.runs)
    started = time.perf_counter()
    outcomes = []
    for r in range(runs):
        if r >= effort.min_runs and time.perf_counter() - started > effort.budget_s:
            break
        outcomes.append(play(rng))
    waits = sorted(o.called_s for o in outcomes)
    return Forecast(
        wait_s=_finite(_quantile(waits, 0.5)),
        mean_s=_finite(statistics.fmean(waits)),
        low_s=_finite(_quantile(waits, 0.2)),
        high_s=_finite(_quantile(waits, 0.8)),
        position=round(statistics.median(o.ahead for o in outcomes)),
        served_now=True,
        runs=len(outcomes),
        rough=rough,
    )


def _target(
    waiting: Sequence[Candidate],
    target: int | NewTicket,
    reserved: Mapping[int, int],
    now: datetime,
) -> tuple[Candidate, int | None]:
    """The target as a candidate, and the counter it is reserved for (if any)."""
    if isinstance(target, NewTicket):
        # An id above every other, as the database would give it: it sorts after tickets
        # issued in the same instant (and arrivals take the ids after it).
        top = max((c.id for c in waiting), default=0)
        return Candidate(top + 1, target.service_code, now, now, priority=target.priority), None
    found = next((c for c in waiting if c.id == target), None)
    if found is None:
        raise ValueError(f"ticket {target} is not waiting")
    return found, reserved.get(target) if found.transferred else None


def _codes(desks: Sequence[_Desk]) -> set[str]:
    """The services these counters serve or are serving now."""
    return {s for d in desks for s in d.services} | {d.current for d in desks if d.current}


def _mean_pass(out: _Outcome, rough: bool) -> Forecast:
    """One pass with mean times: a long wait is a sum of many services, so its spread is the
    renewal one, sd = sqrt(sum of their variances) / (the counters sharing them)."""
    wait = _finite(out.called_s)
    spread = _Z80 * math.sqrt(out.var_s2) / max(out.counters, 1)
    return Forecast(
        wait_s=wait,
        mean_s=wait,
        low_s=None if wait is None else max(wait - spread, 0.0),
        high_s=None if wait is None else wait + spread,
        position=out.ahead,
        served_now=True,
        runs=0,
        rough=rough,
    )


def _quantile(ordered: Sequence[float], q: float) -> float:
    pos = q * (len(ordered) - 1)
    lo, frac = int(pos), pos - int(pos)
    if frac == 0:
        return ordered[lo]
    a, b = ordered[lo], ordered[lo + 1]
    return b if math.isinf(b) else a + (b - a) * frac


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def call_times(
    *,
    now: datetime,
    policy: Policy,
    waiting: Sequence[Candidate],
    counters: Sequence[CounterNow],
    service_times: Mapping[str, ServiceModel],
    transfer_counter: Mapping[int, int] | None = None,
    arrivals: Arrivals = NO_ARRIVALS,
    tz: tzinfo | None = None,
    horizon_s: float = 3 * 3600.0,
) -> dict[int, float]:
    """Seconds from now until each waiting ticket is called, from one pass with mean times
    over the whole queue (the standard-risk check's reading); a ticket missing from the
    answer is not called within ``horizon_s``."""
    reserved = transfer_counter or {}
    queues = WaitingQueues(now)
    for c in waiting:
        queues.add(c, reserved.get(c.id))
    for _, code, prio, moved in _streams(arrivals):
        queues.group((code, prio, moved, None))
    desks = _desks(counters, now, queues)
    missing = sorted(_codes(desks) - set(service_times))
    if missing:
        raise ValueError(f"no service-time model for {', '.join(missing)}")
    engine = _Engine(now=now, policy=policy, desks=desks, models=service_times, tz=tz)
    first_id = max((c.id for c in waiting), default=0) + 1
    calls: list[Call] = []
    engine.play(
        queues,
        _arrive(arrivals, now, None, first_id=first_id),
        None,
        target=None,
        horizon_s=horizon_s,
        record=calls,
    )
    return {c.ticket_id: c.at_s for c in calls if c.ticket_id < first_id}
