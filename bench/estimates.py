"""How good are the wait quotes? Simulated days of several branch shapes, each quote at issue
set against the wait that followed, for the live estimator and the predictors it replaced or
could have been (prints figures; not a test).

    .venv/bin/python -m bench.estimates [--days 5] [--seed 1]

Each shape's days are played by ``server/simulation`` (the real ordering code, the live
estimator over what a live branch knows, visit lengths and pauses carried from day to day);
the first ``WARM_UP`` days only build that history (a live branch has weeks of it: the
typical pause needs three) and are not counted. At every issue the other predictors are
asked over the same moment:

- ``forecast``: the live estimator (``tickets/forecasting.estimate``), what customers were told;
- ``formula``: the first release's ``ceil(ahead / open counters) x mean service``;
- ``QL``: queue length, (n + 1) E[S] / s with n ahead in the service and s counters serving
  it (0 when one of them is free);
- ``HOL``: head of line, how long the first in the service's line has waited;
- ``LES``: last to enter service, the wait of the service's last customer called
  (Ibrahim & Whitt, M&SOM 2009, for the last three).

For each: mean absolute error, bias (actual - quoted: positive means customers waited
longer than told), RMSE over the mean wait, and the share within max(2 min, 20 %) of the
actual wait. Targets for the forecast: >= 80 % within, |bias| < 60 s, a lower MAE than each
published predictor. Also the forecast's wall time per quote (p50/p95).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.stats import percentile, say
from server.domain.estimates import within_target
from server.domain.forecast import (
    NewTicket,
    head_of_line_quote,
    last_to_enter_service_quote,
    queue_length_quote,
)
from server.domain.lifecycle import CounterState
from server.domain.ordering import OrderMode, Policy, PriorityMode
from server.simulation.day import Issue, run_day
from server.simulation.plan import CALM, Behaviour, DayPlan, History, Seeds, SimCounter, SimService
from server.tickets import forecasting

UTC = dt.UTC
PREDICTORS = ("forecast", "formula", "QL", "HOL", "LES")
SERVICES = (
    SimService("A", 600, 240, 180.0, 0.6),  # cash
    SimService("B", 900, 420, 360.0, 0.5),  # accounts
    SimService("C", 1200, 900, 900.0, 0.4),  # loans
)
USUAL = (
    SimCounter(1, "1", ("A", "B")),
    SimCounter(2, "2", ("A", "B")),
    SimCounter(3, "3", ("B", "A")),
    SimCounter(4, "4", ("C", "B")),
)
HOURS = range(9, 17)
WARM_UP = 3


@dataclass(frozen=True)
class Shape:
    name: str
    says: str
    rates: dict[str, float]  # per hour
    counters: tuple[SimCounter, ...] = USUAL
    lunch: float = 1.0  # the rates' factor over 12:00-14:00
    rota: Callable[[int], frozenset[int]] = lambda _h: frozenset({1, 2, 3, 4})
    policy: Policy = field(default_factory=Policy)
    behaviour: Behaviour = CALM


def _rate(base: float, lunch: float) -> Callable[[float], float]:
    return lambda hour: base * (lunch if 12 <= hour < 14 else 1.0)


SHAPES = (
    Shape("calm", "4 counters at ~60 % load all day", {"A": 20, "B": 8, "C": 2}),
    Shape(
        "lunch overload",
        "arrivals x2 at 12-14 while counter 3 takes its lunch break 12-13",
        {"A": 20, "B": 8, "C": 2},
        lunch=2.0,
        rota=lambda h: frozenset({1, 2, 4} if h == 12 else {1, 2, 3, 4}),
    ),
    Shape(
        "overlapping services",
        "counters A+B, B+C, C+A and A; service order preferred",
        {"A": 24, "B": 10, "C": 3},
        counters=(
            SimCounter(1, "1", ("A", "B")),
            SimCounter(2, "2", ("B", "C")),
            SimCounter(3, "3", ("C", "A")),
            SimCounter(4, "4", ("A",)),
        ),
        policy=Policy(order_mode=OrderMode.SERVICE_ORDER),
    ),
    Shape(
        "15 % priority, 1:2",
        "a priority customer after every 2 normal calls",
        {"A": 24, "B": 9, "C": 2.5},
        policy=Policy(priority_mode=PriorityMode.RATIO, priority_ratio=2),
        behaviour=Behaviour(priority=0.15),
    ),
    Shape(
        "counter closes mid-morning",
        "counter 3 closes at 11:00 for the rest of the day",
        {"A": 20, "B": 8, "C": 2},
        rota=lambda h: frozenset({1, 2, 3, 4} if h < 11 else {1, 2, 4}),
    ),
)


def plan_of(shape: Shape, day: dt.date, history: History) -> DayPlan:
    return DayPlan(
        day=day,
        tz=UTC,
        open_h=HOURS.start,
        close_h=HOURS.stop,
        services=SERVICES,
        counters=shape.counters,
        policy=shape.policy,
        rates={code: _rate(r, shape.lunch) for code, r in shape.rates.items()},
        peak_rates={code: r * max(shape.lunch, 1.0) for code, r in shape.rates.items()},
        rota={h: shape.rota(h) for h in HOURS},
        behaviour=shape.behaviour,
        history=history,
    )


def others(at: Issue) -> dict[str, float]:
    """The other predictors at this issue, over the same moment."""
    state, code = at.state, at.service_code
    ahead = [c for c in state.waiting if c.service_code == code and (c.priority or not at.priority)]
    serving = [c for c in state.counters if c.state == CounterState.OPEN and code in c.services]
    idle = any(c.current is None for c in serving) and not ahead
    last = at.day.last_called.get(code)
    start = at.day.start
    return {
        "formula": at.day.formula(code, at.priority, NewTicket(code, at.priority)).wait_s or 0.0,
        "QL": 0.0
        if idle
        else queue_length_quote(
            ahead=len(ahead), servers=len(serving), mean_service_s=state.models[code].mean_s
        ),
        "HOL": head_of_line_quote(waiting=state.waiting, service_code=code, now=state.now),
        "LES": last_to_enter_service_quote(
            last_issued_at=None if last is None else start + dt.timedelta(seconds=last[0]),
            last_called_at=None if last is None else start + dt.timedelta(seconds=last[1]),
        ),
    }


@dataclass
class Tally:
    errors: dict[str, list[float]] = field(default_factory=lambda: {p: [] for p in PREDICTORS})
    within: dict[str, int] = field(default_factory=lambda: dict.fromkeys(PREDICTORS, 0))
    actual: list[float] = field(default_factory=list)

    def add(self, actual: float, quoted: dict[str, float]) -> None:
        self.actual.append(actual)
        for p in PREDICTORS:
            q = quoted[p]
            if not math.isfinite(q):
                q = 12 * 3600.0
            self.errors[p].append(actual - q)
            self.within[p] += within_target(quoted_s=q, actual_s=actual)

    def row(self, p: str) -> tuple[float, float, float, float]:
        e, n = self.errors[p], len(self.actual)
        mae = statistics.fmean(abs(x) for x in e)
        rmse = math.sqrt(statistics.fmean(x * x for x in e))
        return (
            mae,
            statistics.fmean(e),
            rmse / statistics.fmean(self.actual),
            100 * self.within[p] / n,
        )


def run_shape(shape: Shape, *, days: int, seed: int, costs: list[float]) -> Tally:
    tally = Tally()
    history = History()
    day = dt.date(2026, 3, 2)  # a Monday
    played = 0
    timed = forecasting.estimate

    def timing(*args: Any, **kw: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return timed(*args, **kw)
        finally:
            costs.append((time.perf_counter() - t0) * 1000)

    forecasting.estimate = timing  # type: ignore[assignment]
    try:
        while played < WARM_UP + days:
            if day.weekday() < 5:
                out = run_day(plan_of(shape, day, history), Seeds(seed), observer=others)
                history = out.history
                if played >= WARM_UP:
                    for q in out.quotes:
                        tk = q["_t"]
                        if q["kind"] != "issue" or tk["first_called_at"] is None:
                            continue
                        if "_others" not in q:  # a queue past MAX_WAITING: not asked
                            continue
                        actual = (tk["first_called_at"] - tk["issued_at"]).total_seconds()
                        tally.add(actual, {"forecast": float(q["wait_s"]), **q["_others"]})
                played += 1
            day += dt.timedelta(days=1)
    finally:
        forecasting.estimate = timed  # type: ignore[assignment]
    return tally


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=5, help="weekdays counted per shape")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    say(f"# bench.estimates  {dt.date.today()}  days={args.days} (+{WARM_UP}) seed={args.seed}")
    say("| shape | predictor | quotes | MAE | bias | RMSE / mean wait | within target |")
    say("|---|---|---:|---:|---:|---:|---:|")
    costs: list[float] = []
    verdicts = []
    for shape in SHAPES:
        tally = run_shape(shape, days=args.days, seed=args.seed, costs=costs)
        rows = {p: tally.row(p) for p in PREDICTORS}
        mean_wait = statistics.fmean(tally.actual)
        for p in PREDICTORS:
            mae, bias, rel, within = rows[p]
            name = f"{shape.name} (mean wait {mean_wait / 60:.1f} min)" if p == "forecast" else ""
            say(
                f"| {name} | {p} | {len(tally.actual)} | {mae:.0f} s | {bias:+.0f} s "
                f"| {rel:.2f} | {within:.0f} % |"
            )
        mae, bias, _, within = rows["forecast"]
        beats = all(mae < rows[p][0] for p in ("QL", "HOL", "LES"))
        verdicts.append(
            f"{shape.name}: within {within:.0f} % ({'ok' if within >= 80 else 'MISSED'}), "
            f"bias {bias:+.0f} s ({'ok' if abs(bias) < 60 else 'MISSED'}), "
            f"MAE below QL/HOL/LES: {'yes' if beats else 'NO'}"
        )
    ordered = sorted(costs)
    say()
    for v in verdicts:
        say("- " + v)
    say(
        f"- forecast wall time per quote: p50 {percentile(ordered, 50):.1f} ms, "
        f"p95 {percentile(ordered, 95):.1f} ms over {len(ordered)} quotes"
    )


if __name__ == "__main__":
    main()
