"""What one wait forecast costs (prints figures; not a test).

    .venv/bin/python -m bench.forecast_cost [--waiting 20,50,200] [--states 150]

For each queue size: random branch states (4 services, 4-6 counters with overlapping service
lists, one sometimes paused and due back, customers mid-service, 15 % priority at ratio 1:2,
a few transfers, priority and transfer arrivals), and for each state two quotes: a ticket
about to be issued (the last in line: the dearest) and a random waiting ticket. Prints p50/p95
of the forecast's wall time, and how it was made (Monte Carlo runs, or one mean pass).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import time

from bench.stats import percentile, say
from server.domain.forecast import (
    Arrivals,
    CounterNow,
    Effort,
    Forecast,
    InService,
    NewTicket,
    ServiceModel,
    forecast,
)
from server.domain.lifecycle import CounterState
from server.domain.ordering import Candidate, Policy, PriorityMode

NOW = dt.datetime(2026, 3, 2, 11, 0, tzinfo=dt.UTC)
SERVICES = ("A", "B", "C", "D")
PROFILES = (("A", "B"), ("A",), ("B", "C"), ("C", "D", "A"), ("D", "B"), ("A", "C"))
MODELS = {
    "A": ServiceModel(240, 0.7),
    "B": ServiceModel(420, 0.8),
    "C": ServiceModel(600, 0.6),
    "D": ServiceModel(900, 0.9),
}
POLICY = Policy(priority_mode=PriorityMode.RATIO, priority_ratio=2)
ARRIVALS = Arrivals(
    priority_per_h={code: 3.0 for code in SERVICES},
    transfers_per_h={"B": 2.0, "C": 1.0},
    transfer_age_s=900,
)


def state(n: int, rng: random.Random) -> tuple[list[Candidate], list[CounterNow]]:
    waiting = []
    for i in range(1, n + 1):
        issued = NOW - dt.timedelta(seconds=rng.uniform(0, 3600))
        moved = rng.random() < 0.03
        queued = issued + dt.timedelta(seconds=rng.uniform(0, 600)) if moved else issued
        code = rng.choice(SERVICES)
        prio = rng.random() < 0.15
        waiting.append(Candidate(i, code, issued, min(queued, NOW), prio, moved))
    counters = []
    for cid in range(1, rng.randint(4, 6) + 1):
        profile = PROFILES[cid - 1]
        paused = cid == 1 and rng.random() < 0.3
        current = None
        if not paused:
            started = NOW - dt.timedelta(seconds=rng.uniform(0, 600))
            current = InService(rng.choice(profile), started)
        counters.append(
            CounterNow(
                id=cid,
                services=profile,
                state=CounterState.PAUSED if paused else CounterState.OPEN,
                normal_streak=rng.randint(0, 2),
                current=current,
                returns_at=NOW + dt.timedelta(minutes=10) if paused else None,
            )
        )
    return waiting, counters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--waiting", default="20,50,200")
    parser.add_argument("--states", type=int, default=150)
    parser.add_argument("--max-events", type=int, default=Effort().max_events)
    parser.add_argument("--budget-ms", type=float, default=Effort().budget_s * 1000)
    args = parser.parse_args()
    effort = Effort(max_events=args.max_events, budget_s=args.budget_ms / 1000)
    say(
        f"max_events={effort.max_events} budget={effort.budget_s * 1000:.1f} ms "
        f"runs={effort.min_runs}..{effort.runs}"
    )
    say(
        f"{'waiting':>7} {'target':>8} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} "
        f"{'MC share':>8} {'runs p50':>8} {'wait p50 min':>12}"
    )
    for n in (int(x) for x in args.waiting.split(",")):
        rng = random.Random(n)
        for kind in ("new", "waiting"):
            times, results = [], []
            for _ in range(args.states):
                waiting, counters = state(n, rng)
                target: int | NewTicket = (
                    NewTicket(rng.choice(SERVICES)) if kind == "new" else rng.randint(1, n)
                )
                started = time.perf_counter()
                result = forecast(
                    now=NOW,
                    policy=POLICY,
                    waiting=waiting,
                    counters=counters,
                    service_times=MODELS,
                    target=target,
                    arrivals=ARRIVALS,
                    effort=effort,
                )
                times.append((time.perf_counter() - started) * 1000)
                results.append(result)
            say(row(n, kind, times, results))


def row(n: int, kind: str, times: list[float], results: list[Forecast]) -> str:
    ordered = sorted(times)
    mc = [r.runs for r in results if r.runs > 0]
    waits = [r.wait_s / 60 for r in results if r.wait_s is not None]
    return (
        f"{n:>7} {kind:>8} {percentile(ordered, 50):>7.2f} {percentile(ordered, 95):>7.2f} "
        f"{ordered[-1]:>7.2f} {len(mc) / len(results):>8.0%} "
        f"{statistics.median(mc) if mc else 0:>8.0f} "
        f"{statistics.median(waits) if waits else float('nan'):>12.1f}"
    )


if __name__ == "__main__":
    main()
