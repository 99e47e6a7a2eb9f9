"""The forward simulation: counters as they are now, and the engine that plays the queue
forward, each free counter calling what ``ordering.choose_next`` picks from its queue heads."""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from heapq import heapify, heappop, heappush

from server.domain.forecast.models import ServiceModel, Shape, residual_s
from server.domain.forecast.queues import WaitingQueues, _Key
from server.domain.lifecycle import CounterState
from server.domain.ordering import Candidate, Policy, Rule, choose_next, next_streak


@dataclass(frozen=True, slots=True)
class InService:
    """The customer at a counter: their service, and when it started (or they were called)."""

    service_code: str
    started_at: datetime


@dataclass(frozen=True, slots=True)
class CounterNow:
    """A counter as it is now."""

    id: int
    services: tuple[str, ...]  # profile order
    state: CounterState
    normal_streak: int = 0
    current: InService | None = None
    closes_at: datetime | None = None  # calls nobody from then on
    returns_at: datetime | None = None  # paused: expected back (None: not within the horizon)


@dataclass(slots=True)
class _Desk:
    id: int
    services: tuple[str, ...]
    keys: list[_Key]
    streak: int
    opens_s: float  # when it may first call
    closes_s: float  # calls nobody from then on
    current: str | None
    elapsed_s: float
    eligible: bool = False  # may call the target


@dataclass(frozen=True, slots=True)
class Call:
    """A call made in a simulation: seconds from its start, and the visit that followed."""

    ticket_id: int
    counter_id: int
    at_s: float
    waited_s: float
    rule: Rule
    service_s: float


_Arrival = tuple[float, Candidate, int | None]


@dataclass(slots=True)
class _Outcome:
    called_s: float = math.inf
    ahead: int = 0
    events: int = 0
    var_s2: float = 0.0  # mean pass: variance of the services the target waited through
    counters: int = 0  # ... and how many of its counters shared them


class _Engine:
    def __init__(
        self,
        *,
        now: datetime,
        policy: Policy,
        desks: list[_Desk],
        models: Mapping[str, ServiceModel],
        tz: tzinfo | None,
    ) -> None:
        self.now, self.policy, self.desks, self.models = now, policy, desks, models
        local = now.astimezone(tz) if tz is not None else now
        self.hour0 = local.hour
        self.into_hour_s = local.minute * 60 + local.second + local.microsecond / 1e6
        # Log-normal parameters worked out once: draws are the engine's inner loop.
        self.fixed = {code: _params(m) for code, m in models.items() if not m.hourly}
        self.by_hour: dict[tuple[str, int], tuple[float, float, float, bool]] = {}

    def model(self, code: str, t: float) -> ServiceModel:
        model = self.models[code]
        if not model.hourly:
            return model
        return model.at_hour((self.hour0 + int((self.into_hour_s + t) // 3600)) % 24)

    def draw(self, code: str, t: float, rng: random.Random | None) -> float:
        p = self.fixed.get(code)
        if p is None:  # by the hour: worked out once per service and hour
            hour = (self.hour0 + int((self.into_hour_s + t) // 3600)) % 24
            p = self.by_hour.get((code, hour))
            if p is None:
                p = self.by_hour[(code, hour)] = _params(self.models[code].at_hour(hour))
        if rng is None:
            return p[0]
        if p[3]:
            return rng.expovariate(1.0 / p[0])
        return math.exp(p[1] + p[2] * rng.gauss())

    def residual(self, code: str, elapsed_s: float, rng: random.Random | None) -> float:
        m = self.model(code, 0.0)
        if elapsed_s <= 0 or m.shape is Shape.EXPONENTIAL:
            return self.draw(code, 0.0, rng)
        return residual_s(m, elapsed_s, rng)

    def play(
        self,
        queues: WaitingQueues,
        arrivals: Iterator[_Arrival],
        rng: random.Random | None,
        *,
        target: int | None,
        horizon_s: float,
        record: list[Call] | None = None,
    ) -> _Outcome:
        desks, policy, now = self.desks, self.policy, self.now
        capped = policy.max_wait_s is not None
        out = _Outcome()
        streaks = [d.streak for d in desks]
        var = [0.0] * len(desks)
        used: set[int] = set()
        free: list[tuple[float, int]] = []
        for i, d in enumerate(desks):
            busy = 0.0
            if d.current is not None:
                busy = self.residual(d.current, d.elapsed_s, rng)
                if rng is None:
                    var[i] = _variance(self.model(d.current, 0.0), busy)
            free.append((max(busy, d.opens_s), i))
        heapify(free)
        idle: list[int] = []
        pending = next(arrivals, None)

        def call(i: int, t: float) -> bool:
            d = desks[i]
            heads = queues.heads(d.keys)
            choice = choose_next(
                heads,
                services=d.services,
                policy=policy,
                now=now + timedelta(seconds=t) if capped else now,
                normal_streak=streaks[i],
            )
            if choice is None:
                return False
            out.events += 1
            queues.gone.add(choice.ticket_id)
            streaks[i] = next_streak(streaks[i], called_priority=choice.priority)
            if choice.ticket_id == target:
                out.called_s = t
                return True
            out.ahead += d.eligible
            for ticket in heads:
                if ticket.id == choice.ticket_id:
                    break
            dur = self.draw(ticket.service_code, t, rng)
            if rng is None:
                var[i] = _variance(self.model(ticket.service_code, t), dur)
            heappush(free, (t + dur, i))
            if record is not None:
                waited = max(t - (ticket.issued_at - now).total_seconds(), 0.0)
                record.append(Call(ticket.id, d.id, t, waited, choice.rule, dur))
            return True

        while out.called_s == math.inf:
            t_free = free[0][0] if free else math.inf
            t_arr = pending[0] if pending is not None else math.inf
            t = min(t_free, t_arr)
            if t > horizon_s or t == math.inf:
                break
            if pending is not None and t_arr <= t_free:
                queues.add(pending[1], pending[2])
                pending = next(arrivals, None)
                out.events += 1
                idle = [i for i in idle if desks[i].closes_s > t]
                for j, i in enumerate(idle):
                    if call(i, t):
                        del idle[j]
                        break
                continue
            _, i = heappop(free)
            if desks[i].eligible and var[i]:
                used.add(i)
                out.var_s2 += var[i]
                var[i] = 0.0
            if t >= desks[i].closes_s:
                continue
            if not call(i, t):
                idle.append(i)
        out.counters = len(used)
        return out


def _params(m: ServiceModel) -> tuple[float, float, float, bool]:
    """Mean, log-mean, log-sd, exponential."""
    sigma2 = math.log1p(m.cv * m.cv)
    return (
        m.mean_s,
        math.log(m.mean_s) - sigma2 / 2,
        math.sqrt(sigma2),
        m.shape is Shape.EXPONENTIAL,
    )


def _variance(model: ServiceModel, mean_s: float) -> float:
    cv = 1.0 if model.shape is Shape.EXPONENTIAL else model.cv
    return (cv * mean_s) ** 2


def _desks(counters: Sequence[CounterNow], now: datetime, queues: WaitingQueues) -> list[_Desk]:
    """The counters that will call within the horizon: open ones, paused ones due back."""
    out = []
    for c in counters:
        if c.state == CounterState.OPEN:
            opens = 0.0
        elif c.state == CounterState.PAUSED and c.returns_at is not None:
            opens = max((c.returns_at - now).total_seconds(), 0.0)
        else:
            continue
        closes = math.inf if c.closes_at is None else (c.closes_at - now).total_seconds()
        if closes <= opens:
            continue
        cur = c.current
        elapsed = 0.0 if cur is None else max((now - cur.started_at).total_seconds(), 0.0)
        code = None if cur is None else cur.service_code
        keys = queues.keys_for(c.services, c.id)
        out.append(_Desk(c.id, c.services, keys, c.normal_streak, opens, closes, code, elapsed))
    return out
