"""The simulated day (``server/simulation``): checked against queueing theory, and shown to run
the real ordering code and the real estimator."""

from __future__ import annotations

import datetime as dt
import statistics
from typing import Any

import pytest

from server.domain import ordering
from server.domain.forecast import NewTicket, Shape
from server.domain.ordering import OrderMode, Policy, PriorityMode
from server.domain.staffing import erlang_c
from server.simulation import day as sim
from server.simulation.day import Issue, run_day
from server.simulation.plan import PLAIN, Behaviour, DayPlan, Seeds, SimCounter, SimService
from server.tickets import forecasting

UTC = dt.UTC


def plan(
    *,
    rate_per_h: float,
    counters: int,
    mean_s: float,
    policy: Policy | None = None,
    behaviour: Behaviour = PLAIN,
    shape: Shape = Shape.EXPONENTIAL,
    hours: tuple[int, int] = (0, 24),
    day: dt.date = dt.date(2026, 3, 2),
) -> DayPlan:
    open_h, close_h = hours
    ids = frozenset(range(1, counters + 1))
    return DayPlan(
        day=day,
        tz=UTC,
        open_h=open_h,
        close_h=close_h,
        services=(SimService("A", 600, int(mean_s), mean_s),),
        counters=tuple(SimCounter(i, str(i), ("A",)) for i in sorted(ids)),
        policy=policy or Policy(priority_mode=PriorityMode.NONE),
        rates={"A": lambda _h: rate_per_h},
        peak_rates={"A": rate_per_h},
        rota={h: ids for h in range(open_h, close_h)},
        behaviour=behaviour,
        shape=shape,
    )


def waits(tickets: list[dict[str, Any]]) -> list[float]:
    return [(t["first_called_at"] - t["issued_at"]).total_seconds() for t in tickets]


def test_an_mmc_day_waits_what_erlang_c_says() -> None:
    """Two counters, one erlang offered (30 customers an hour, 2-minute exponential visits):
    Erlang C tables give P(wait) = 1/3 for N = 2, A = 1, so the mean wait in queue is
    P(wait) x E[S] / (N - A) = 1/3 x 120 s / 1 = 40 s."""
    published_p_wait, published_wq = 1 / 3, 40.0
    # The staffing code's own Erlang C agrees with the table.
    assert erlang_c(1.0, 2) == pytest.approx(published_p_wait, rel=1e-9)
    all_waits: list[float] = []
    for k in range(200):  # 200 days of 24 h: about 144,000 customers
        day = dt.date(2026, 1, 1) + dt.timedelta(days=k)
        out = run_day(plan(rate_per_h=30, counters=2, mean_s=120, day=day), Seeds(7), quoting=False)
        assert all(t["status"] == "done" for t in out.tickets)
        all_waits += waits(out.tickets)
    assert len(all_waits) > 130_000
    assert statistics.fmean(all_waits) == pytest.approx(published_wq, rel=0.05)
    waited = sum(1 for w in all_waits if w > 0) / len(all_waits)
    assert waited == pytest.approx(published_p_wait, abs=0.015)


def test_the_day_calls_with_the_real_ordering_code() -> None:
    assert vars(sim)["choose_next"] is ordering.choose_next


def busy_priority_day(policy: Policy) -> list[dict[str, Any]]:
    behaviour = Behaviour(priority=0.3, recall=0, no_show=0, transfer=0, walk_s=(0, 0))
    p = plan(rate_per_h=28, counters=1, mean_s=120, policy=policy, behaviour=behaviour)
    return run_day(p, Seeds(3), quoting=False).tickets


def test_changing_the_ordering_rule_changes_the_calls() -> None:
    strict = busy_priority_day(Policy(priority_mode=PriorityMode.STRICT))
    ratio = busy_priority_day(Policy(priority_mode=PriorityMode.RATIO, priority_ratio=2))
    # The same customers came (arrivals have their own random stream)...
    assert [(t["issued_at"], t["priority"]) for t in strict] == [
        (t["issued_at"], t["priority"]) for t in ratio
    ]
    # ... and were called in another order.
    order = [t["code"] for t in sorted(strict, key=lambda t: t["first_called_at"])]
    assert order != [t["code"] for t in sorted(ratio, key=lambda t: t["first_called_at"])]

    def overtaken(tickets: list[dict[str, Any]]) -> int:
        """Normal tickets called while an earlier-issued priority ticket still waited."""
        prio = [t for t in tickets if t["priority"]]
        return sum(
            1
            for n in tickets
            if not n["priority"]
            for p in prio
            if p["issued_at"] < n["first_called_at"] < p["first_called_at"]
        )

    assert overtaken(strict) == 0  # strict: priority first, always
    assert overtaken(ratio) > 0  # 1 in 3: normal customers get their turn
    assert {t["call_rule"] for t in strict} >= {"priority", "fifo"}
    assert "priority_ratio" in {t["call_rule"] for t in ratio}


def test_service_order_changes_the_calls_too() -> None:
    def day(mode: OrderMode) -> list[str]:
        p = plan(rate_per_h=40, counters=2, mean_s=150)
        p = DayPlan(
            **{
                **{f: getattr(p, f) for f in p.__dataclass_fields__},
                "services": (SimService("A", 600, 150, 150), SimService("B", 600, 150, 150)),
                "counters": (SimCounter(1, "1", ("B", "A")), SimCounter(2, "2", ("A", "B"))),
                "rates": {"A": lambda _h: 20, "B": lambda _h: 20},
                "peak_rates": {"A": 20, "B": 20},
                "policy": Policy(order_mode=mode, priority_mode=PriorityMode.NONE),
            }
        )
        out = run_day(p, Seeds(5), quoting=False).tickets
        return [t["code"] for t in sorted(out, key=lambda t: t["first_called_at"])]

    assert day(OrderMode.FIFO) != day(OrderMode.SERVICE_ORDER)


def test_every_quote_is_the_live_estimators() -> None:
    """The quote stored at each issue is what ``forecasting.estimate`` says for the state the
    live server would have read (``live_state.build_state``), seeded as the live server seeds."""
    checked: list[tuple[int, int]] = []

    def observe(at: Issue) -> dict[str, float]:
        seed = forecasting.seed_of(at.state.branch_id, at.service_code, at.priority, at.state.now)
        target = NewTicket(at.service_code, at.priority)
        f = forecasting.estimate(at.state, target, seed=seed, effort=forecasting.SIMULATED)
        checked.append((id(at.ticket), forecasting.wait_s(f)))
        return {}

    behaviour = Behaviour(priority=0.1, walk_s=(5, 30))
    p = plan(
        rate_per_h=50,
        counters=2,
        mean_s=140,
        behaviour=behaviour,
        shape=Shape.LOGNORMAL,
        hours=(9, 12),
    )
    out = run_day(p, Seeds(9), observer=observe)
    issued = {id(q["_t"]): q["wait_s"] for q in out.quotes if q["kind"] == "issue"}
    assert len(checked) == len(out.tickets) > 100
    assert [issued[key] for key, _ in checked] == [wait for _, wait in checked]
    assert any(wait > 0 for _, wait in checked)
    assert not any(q["fallback"] for q in out.quotes)
    # Followers were re-quoted as the queue moved, each a stored moment when it moved.
    assert any(q["kind"] == "requote" for q in out.quotes)
    for t in out.tickets:
        assert t["quoted_wait_s"] == next(
            q["wait_s"] for q in out.quotes if q["_t"] is t and q["kind"] == "issue"
        )


def test_the_estimator_failing_falls_back_to_the_old_formula(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_: Any, **__: Any) -> Any:
        raise ValueError("no model")

    monkeypatch.setattr(forecasting, "estimate", broken)
    out = run_day(plan(rate_per_h=30, counters=1, mean_s=100, hours=(9, 10)), Seeds(1))
    assert out.quotes
    assert all(q["fallback"] for q in out.quotes)
