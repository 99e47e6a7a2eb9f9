"""Erlang C (M/M/c): how many counters a service needs to meet its wait standard.

Customers arrive at ``rate`` per hour, each needs ``aht_s`` seconds at a counter on average;
with ``n`` counters the probability that a customer waits at all is Erlang C, and the share
called within ``target_s`` is ``1 - C * exp(-(n - A) * target_s / aht_s)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MAX_COUNTERS = 200


def traffic(rate_per_h: float, aht_s: float) -> float:
    """Offered load in Erlangs."""
    return rate_per_h * aht_s / 3600.0


def erlang_c(load: float, n: int) -> float:
    """Probability of waiting with ``n`` servers and ``load`` Erlangs (1.0 when overloaded)."""
    if load <= 0:
        return 0.0
    if n <= load:
        return 1.0
    # Erlang B by its stable recurrence, then C from B.
    b = 1.0
    for k in range(1, n + 1):
        b = load * b / (k + load * b)
    return n * b / (n - load * (1 - b))


def service_level(load: float, n: int, *, aht_s: float, target_s: float) -> float:
    """Share of customers whose wait is at most ``target_s``."""
    if load <= 0:
        return 1.0
    if n <= load:
        return 0.0
    return 1.0 - erlang_c(load, n) * math.exp(-(n - load) * target_s / aht_s)


def mean_wait_s(load: float, n: int, *, aht_s: float) -> float:
    """Average speed of answer: mean wait over all customers."""
    if load <= 0:
        return 0.0
    if n <= load:
        return math.inf
    return erlang_c(load, n) * aht_s / (n - load)


@dataclass(frozen=True, slots=True)
class Advice:
    counters: int
    service_level: float
    prob_wait: float


def counters_needed(
    rate_per_h: float, *, aht_s: float, target_s: float, target_level: float
) -> Advice:
    """The fewest counters whose service level reaches ``target_level`` (0..1)."""
    load = traffic(rate_per_h, aht_s)
    if load <= 0:
        return Advice(0, 1.0, 0.0)
    n = max(1, math.floor(load) + 1)
    while n < MAX_COUNTERS:
        level = service_level(load, n, aht_s=aht_s, target_s=target_s)
        if level >= target_level:
            return Advice(n, level, erlang_c(load, n))
        n += 1
    return Advice(n, service_level(load, n, aht_s=aht_s, target_s=target_s), erlang_c(load, n))
