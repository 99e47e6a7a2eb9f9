"""The wait forecast (server/domain/forecast/): each feature of the live state moves the
quote the right way on a constructed queue; the engine calls with the real ``choose_next``,
from the same queue heads as calling.py; an M/M/c period matches Erlang C. No database."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import statistics
import time

import pytest

from server.domain.estimates import estimate_wait_s
from server.domain.forecast import (
    DEFAULT_CV,
    Arrival,
    Arrivals,
    CounterNow,
    Effort,
    Forecast,
    InService,
    NewTicket,
    ServiceModel,
    Shape,
    WaitingQueues,
    fit_service_times,
    forecast,
    head_of_line_quote,
    last_to_enter_service_quote,
    poisson_arrivals,
    queue_length_quote,
    residual_s,
    simulate_period,
)
from server.domain.forecast.models import FULL_WEIGHT
from server.domain.lifecycle import CounterState
from server.domain.ordering import (
    Candidate,
    OrderMode,
    Policy,
    PriorityMode,
    Rule,
    TransferPlacement,
    choose_next,
)
from server.domain.staffing import mean_wait_s, traffic

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
NOW = T0 + dt.timedelta(minutes=30)
OPEN, PAUSED, CLOSED = CounterState.OPEN, CounterState.PAUSED, CounterState.CLOSED

PLAIN = Policy(priority_mode=PriorityMode.NONE, transfer_placement=TransferPlacement.ARRIVAL)
RATIO = Policy(priority_mode=PriorityMode.RATIO, priority_ratio=2)
STRICT = Policy(priority_mode=PriorityMode.STRICT)
MODELS = {"A": ServiceModel(300, 0.5), "B": ServiceModel(300, 0.5)}
# Generous, so the machine's load never changes a figure: these tests compare quotes.
NEW_A = NewTicket("A")
NO_ARRIVALS = Arrivals()
EFFORT = Effort(runs=300, min_runs=300, max_events=10**7, budget_s=60)


def ticket(
    id: int,
    service: str = "A",
    *,
    at: int = 0,
    priority: bool = False,
    transferred: bool = False,
    queued: int | None = None,
) -> Candidate:
    """A waiting ticket issued ``at`` seconds after T0 (queued then too unless told)."""
    return Candidate(
        id=id,
        service_code=service,
        issued_at=T0 + dt.timedelta(seconds=at),
        queued_at=T0 + dt.timedelta(seconds=at if queued is None else queued),
        priority=priority,
        transferred=transferred,
    )


def counter(
    id: int,
    *services: str,
    state: CounterState = OPEN,
    streak: int = 0,
    busy: tuple[str, float] | None = None,
    closes_in: float | None = None,
    returns_in: float | None = None,
) -> CounterNow:
    """A counter; ``busy`` = (service, seconds already spent on the customer at it)."""
    return CounterNow(
        id=id,
        services=services or ("A",),
        state=state,
        normal_streak=streak,
        current=None if busy is None else InService(busy[0], NOW - dt.timedelta(seconds=busy[1])),
        closes_at=None if closes_in is None else NOW + dt.timedelta(seconds=closes_in),
        returns_at=None if returns_in is None else NOW + dt.timedelta(seconds=returns_in),
    )


def quote(
    waiting: list[Candidate],
    counters: list[CounterNow],
    target: int | NewTicket = NEW_A,
    *,
    policy: Policy = PLAIN,
    models: dict[str, ServiceModel] = MODELS,
    arrivals: Arrivals = NO_ARRIVALS,
    effort: Effort = EFFORT,
    reserved: dict[int, int] | None = None,
) -> Forecast:
    return forecast(
        now=NOW,
        policy=policy,
        waiting=waiting,
        counters=counters,
        service_times=models,
        target=target,
        transfer_counter=reserved,
        arrivals=arrivals,
        effort=effort,
    )


def wait(f: Forecast) -> float:
    assert f.served_now
    assert f.wait_s is not None
    assert f.mean_s is not None
    return f.mean_s


def normals(n: int, service: str = "A", *, first_id: int = 1) -> list[Candidate]:
    return [ticket(first_id + i, service, at=i) for i in range(n)]


# --- the state of the counters ----------------------------------------------------------------


def test_all_counters_busy_and_nobody_ahead_quotes_the_expected_residual_not_zero() -> None:
    f = quote(
        [],
        [counter(1, busy=("A", 60))],
        effort=Effort(runs=2000, min_runs=2000, max_events=10**7, budget_s=60),
    )
    expected = residual_s(MODELS["A"], 60)
    assert estimate_wait_s(ahead=0, open_counters=1, avg_service_s=300) == 0  # today's quote
    assert wait(f) == pytest.approx(expected, rel=0.06)
    assert f.position == 0
    # Two busy counters: the first to finish calls it, sooner than either alone.
    two = quote([], [counter(1, busy=("A", 60)), counter(2, busy=("A", 60))])
    assert 0 < wait(two) < wait(f)


def test_a_free_counter_calls_at_once() -> None:
    f = quote([], [counter(1), counter(2, busy=("A", 60))])
    assert f.wait_s == 0
    assert f.position == 0


def test_a_longer_elapsed_service_leaves_less_residual_when_the_spread_is_small() -> None:
    model = ServiceModel(600, 0.5)
    assert residual_s(model, 0) == pytest.approx(600)
    assert residual_s(model, 0) > residual_s(model, 200) > residual_s(model, 450)
    quotes = [
        wait(quote([], [counter(1, busy=("A", a))], models={"A": model})) for a in (0, 200, 450)
    ]
    assert quotes[0] > quotes[1] > quotes[2] > 0
    # Exponential service is memoryless: the elapsed time changes nothing.
    memoryless = ServiceModel(600, shape=Shape.EXPONENTIAL)
    assert residual_s(memoryless, 450) == residual_s(memoryless, 0) == 600


def test_residual_draws_average_to_the_expected_residual() -> None:
    model, rng = ServiceModel(600, 0.5), random.Random(7)
    for elapsed in (150, 600, 2000):
        draws = [residual_s(model, elapsed, rng) for _ in range(20000)]
        assert statistics.fmean(draws) == pytest.approx(residual_s(model, elapsed), rel=0.03)


def test_a_counter_shared_with_a_busier_service_quotes_longer_than_a_dedicated_one() -> None:
    b_queue = normals(3, "B", first_id=10)
    a_queue = [ticket(i, "A", at=-600 + i) for i in range(1, 6)]  # arrived earlier
    dedicated = quote(a_queue + b_queue, [counter(1, "A"), counter(2, "B")], NewTicket("B"))
    shared = quote(a_queue + b_queue, [counter(1, "A"), counter(2, "A", "B")], NewTicket("B"))
    assert wait(shared) > wait(dedicated)
    assert shared.position is not None
    assert dedicated.position is not None
    assert shared.position > dedicated.position


def test_a_paused_counter_quotes_longer_than_an_open_one_and_its_return_in_between() -> None:
    waiting = normals(4)
    open_ = quote(waiting, [counter(1, busy=("A", 0)), counter(2, busy=("A", 0))])
    back_soon = quote(
        waiting, [counter(1, busy=("A", 0)), counter(2, state=PAUSED, returns_in=600)]
    )
    paused = quote(waiting, [counter(1, busy=("A", 0)), counter(2, state=PAUSED)])
    assert wait(open_) < wait(back_soon) < wait(paused)


def test_a_counter_closing_soon_quotes_longer() -> None:
    waiting = normals(6)
    staying = [counter(1, busy=("A", 0)), counter(2, busy=("A", 0))]
    closing = [counter(1, busy=("A", 0)), counter(2, busy=("A", 0), closes_in=400)]
    assert wait(quote(waiting, closing)) > wait(quote(waiting, staying))


def test_nobody_who_may_call_it_means_not_served_now() -> None:
    for counters in (
        [counter(1, "B")],  # no counter serves A
        [counter(1, state=CLOSED)],
        [counter(1, state=PAUSED)],  # no return expected
        [counter(1, closes_in=0)],
    ):
        f = quote(normals(2), counters)
        assert not f.served_now
        assert f.wait_s is None
        assert f.position is None
        assert f.runs == 0


def test_counters_closing_before_its_turn_give_no_wait() -> None:
    f = quote(normals(30), [counter(1, busy=("A", 0), closes_in=900)])
    assert f.served_now
    assert f.wait_s is None


# --- the ordering rules --------------------------------------------------------------------


def test_a_priority_ticket_overtakes_under_strict_and_every_other_call_under_ratio() -> None:
    waiting = normals(4)
    counters = [counter(1, busy=("A", 0))]
    new_priority = NewTicket("A", priority=True)
    strict = quote(waiting, counters, new_priority, policy=STRICT)
    ratio = quote(waiting, counters, new_priority, policy=RATIO)
    plain = quote(waiting, counters, new_priority, policy=PLAIN)
    assert (strict.position, ratio.position, plain.position) == (0, 2, 4)
    assert wait(strict) < wait(ratio) < wait(plain)


def test_expected_priority_arrivals_raise_a_normal_tickets_quote() -> None:
    waiting = normals(5)
    counters = [counter(1, busy=("A", 0)), counter(2, busy=("A", 100))]
    calm = quote(waiting, counters, 5, policy=STRICT)
    busy = quote(waiting, counters, 5, policy=STRICT, arrivals=Arrivals(priority_per_h={"A": 12}))
    assert wait(busy) > wait(calm)
    # Under the ratio they overtake less (one call in three at most) than under strict.
    ratio = quote(waiting, counters, 5, policy=RATIO, arrivals=Arrivals(priority_per_h={"A": 12}))
    assert wait(calm) < wait(ratio) < wait(busy)


def test_arriving_tickets_never_take_a_waiting_tickets_id() -> None:
    # The target has the lowest id but arrived last: the tickets ahead have ids 2 to 6.
    waiting = [ticket(1, at=100), *(ticket(i, at=i) for i in range(2, 7))]
    counters = [counter(1, busy=("A", 0))]
    calm = quote(waiting, counters, 1, policy=STRICT)
    busy = quote(waiting, counters, 1, policy=STRICT, arrivals=Arrivals(priority_per_h={"A": 6}))
    assert calm.position == 5
    assert busy.position is not None
    assert busy.position > 5


def test_transfers_first_places_a_transferred_ticket_ahead() -> None:
    target = ticket(1, at=0)
    moved = ticket(2, at=60, transferred=True, queued=1700)
    counters = [counter(1, busy=("A", 0))]
    first = Policy(priority_mode=PriorityMode.NONE, transfer_placement=TransferPlacement.FIRST)
    assert quote([target, moved], counters, 1, policy=first).position == 1
    assert quote([target, moved], counters, 1, policy=PLAIN).position == 0
    # Expected transfers into the service raise the quote when they go first.
    line = normals(4)
    calm = quote(line, counters, 4, policy=first)
    moving = quote(line, counters, 4, policy=first, arrivals=Arrivals(transfers_per_h={"A": 4}))
    assert wait(moving) > wait(calm)


def test_a_ticket_transferred_to_a_chosen_counter_waits_for_that_counter_alone() -> None:
    moved = ticket(1, transferred=True, queued=1700)
    counters = [counter(1), counter(2, busy=("A", 0))]
    anyone = quote([moved], counters, 1)
    mine = quote([moved], counters, 1, reserved={1: 2})
    assert anyone.wait_s == 0
    assert wait(mine) == pytest.approx(300, rel=0.15)  # counter 2's residual: a full service
    # Its reserved counter closed: nobody else may call it.
    gone = quote([moved], [counter(1), counter(2, state=CLOSED)], 1, reserved={1: 2})
    assert not gone.served_now
    # And the free counter does not count it: another A ticket is called at once.
    assert quote([moved], counters, reserved={1: 2}).wait_s == 0


def test_service_order_lets_a_preferred_service_overtake() -> None:
    target = ticket(1, "B", at=0)
    later_a = [ticket(i, "A", at=10 * i) for i in range(2, 5)]
    counters = [counter(1, "A", "B", busy=("A", 0))]
    by_service = Policy(order_mode=OrderMode.SERVICE_ORDER, priority_mode=PriorityMode.NONE)
    fifo = quote([target, *later_a], counters, 1)
    ordered = quote([target, *later_a], counters, 1, policy=by_service)
    assert (fifo.position, ordered.position) == (0, 3)
    assert wait(ordered) > wait(fifo)
    # New A arrivals keep overtaking it.
    flow = Arrivals(normal_per_h={"A": 6})
    assert wait(quote([target, *later_a], counters, 1, policy=by_service, arrivals=flow)) > wait(
        ordered
    )


def test_the_max_wait_cap_lets_an_overdue_ticket_go_first() -> None:
    priority = [ticket(i, at=1000 + i, priority=True) for i in range(2, 7)]
    target = ticket(1, at=0)  # waited 30 min at NOW
    counters = [counter(1, busy=("A", 0))]
    assert quote([target, *priority], counters, 1, policy=STRICT).position == 5
    capped = Policy(priority_mode=PriorityMode.STRICT, max_wait_s=1200)
    assert quote([target, *priority], counters, 1, policy=capped).position == 0
    # Not overdue yet: it overtakes the rest once the cap passes (after about two calls).
    soon = Policy(priority_mode=PriorityMode.STRICT, max_wait_s=1800 + 500)
    f = quote([target, *priority], counters, 1, policy=soon)
    assert f.position is not None
    assert 0 < f.position < 5


# --- position -------------------------------------------------------------------------------


def test_a_priority_ticket_issued_last_under_ratio_is_second_or_third_not_seventh() -> None:
    f = quote(normals(6), [counter(1, busy=("A", 0))], NewTicket("A", priority=True), policy=RATIO)
    assert f.position in (1, 2)


def test_a_normal_ticket_behind_priority_ones_is_not_counted_behind_all_of_them() -> None:
    waiting = [
        ticket(1, at=0),
        ticket(2, at=10),
        *(ticket(i, at=20 + i, priority=True) for i in (3, 4, 5)),
        ticket(6, at=100),
    ]
    f = quote(waiting, [counter(1, busy=("A", 0))], 6, policy=RATIO)
    assert f.position == 3  # 1, 2, one priority, then it: not behind all five


def test_position_counts_only_calls_by_the_targets_counters() -> None:
    waiting = normals(5, "B", first_id=1) + normals(2, "A", first_id=10)
    f = quote(waiting, [counter(1, "A", busy=("A", 0)), counter(2, "B")], 11)
    assert f.position == 1


# --- effort and determinism ------------------------------------------------------------------


def test_the_same_state_gives_the_same_quote() -> None:
    waiting = normals(8) + [ticket(20, at=5, priority=True)]
    counters = [counter(1, busy=("A", 30)), counter(2, "A", "B", busy=("B", 200))]
    kw = {"policy": RATIO, "arrivals": Arrivals(priority_per_h={"A": 4})}
    assert quote(waiting, counters, **kw) == quote(waiting, counters, **kw)  # type: ignore[arg-type]
    default = Effort(budget_s=60)
    assert quote(waiting, counters, effort=default) == quote(waiting, counters, effort=default)


def test_the_budget_stops_the_runs() -> None:
    waiting = normals(30)
    counters = [counter(1, busy=("A", 0)), counter(2, busy=("A", 0))]
    started = time.perf_counter()
    f = quote(
        waiting, counters, effort=Effort(runs=100_000, min_runs=5, max_events=10**9, budget_s=0.02)
    )
    assert 5 <= f.runs < 100_000
    assert time.perf_counter() - started < 1.0


def test_a_long_queue_takes_one_mean_pass_with_a_spread() -> None:
    waiting = normals(200)
    counters = [counter(i, busy=("A", 0)) for i in (1, 2, 3)]
    f = quote(waiting, counters, effort=Effort())
    assert f.runs == 0
    assert f.position == 200
    # 200 services of 300 s on 3 counters, after their residuals.
    assert wait(f) == pytest.approx(200 / 3 * 300 + 300, rel=0.05)
    assert f.low_s is not None
    assert f.high_s is not None
    assert f.low_s < wait(f) < f.high_s
    mc = quote(
        waiting, counters, effort=Effort(runs=100, min_runs=100, max_events=10**8, budget_s=60)
    )
    assert wait(f) == pytest.approx(wait(mc), rel=0.05)
    assert mc.low_s is not None
    assert mc.high_s is not None
    assert f.high_s - f.low_s == pytest.approx(mc.high_s - mc.low_s, rel=0.5)


def test_an_unknown_target_or_service_is_refused() -> None:
    with pytest.raises(ValueError, match="not waiting"):
        quote(normals(2), [counter(1)], 99)
    with pytest.raises(ValueError, match="no service-time model for C"):
        quote([], [counter(1, "A", "C")])


# --- service-time models ----------------------------------------------------------------------


def test_no_samples_quote_from_the_standards_and_say_rough() -> None:
    models = fit_service_times({}, {"A": 600, "B": 900})
    assert models["A"] == ServiceModel(600, DEFAULT_CV, rough=True)
    f = quote(normals(2), [counter(1, busy=("A", 0))], models=models)
    assert f.rough
    assert not quote(normals(2), [counter(1, busy=("A", 0))]).rough


def test_fitting_from_samples_measures_mean_and_spread_and_hours() -> None:
    few = fit_service_times({"A": [100, 200, 300]}, {"A": 600})
    assert few["A"].rough
    assert few["A"].mean_s == 600
    samples = [200.0, 250, 300, 350, 400, 300] * 2
    hourly = {"A": {12: [600.0] * 19 + [700.0], 9: [100.0] * 3}}
    fitted = fit_service_times({"A": samples}, {"A": 600}, hourly_samples=hourly)["A"]
    assert not fitted.rough
    assert fitted.mean_s == pytest.approx(300)
    assert fitted.cv == pytest.approx(statistics.stdev(samples) / 300)
    # Fewer than FULL_WEIGHT lean on the standard: five 2-second mis-clicks are not a mean.
    blips = fit_service_times({"A": [2.0] * 5}, {"A": 600})["A"]
    assert not blips.rough
    assert blips.mean_s == pytest.approx(5 / FULL_WEIGHT * 2 + (1 - 5 / FULL_WEIGHT) * 600)
    assert fitted.at_hour(12).mean_s == pytest.approx(605)
    assert fitted.at_hour(9) is fitted  # too few samples in that hour
    # Only measured services without a standard are kept; a service with neither is not.
    assert set(fit_service_times({"Z": [1.0] * 6}, {})) == {"Z"}


def test_lunch_hour_service_times_apply_from_the_hour_they_start() -> None:
    slow_at_lunch = {"A": ServiceModel(300, 0.5, hourly={9: ServiceModel(900, 0.5)})}
    counters = [counter(1, busy=("A", 0))]
    at_nine = quote(normals(3), counters, models=slow_at_lunch)  # NOW is 09:30 UTC
    assert wait(at_nine) > wait(quote(normals(3), counters))


# --- the engine uses the same heads as calling.py ---------------------------------------------

POLICIES = [
    Policy(order_mode=o, priority_mode=p, priority_ratio=r, max_wait_s=m, transfer_placement=t)
    for o, p, r, m, t in itertools.product(
        (OrderMode.FIFO, OrderMode.SERVICE_ORDER),
        list(PriorityMode),
        (0, 2),
        (None, 900),
        list(TransferPlacement),
    )
]


@pytest.mark.parametrize("policy", POLICIES, ids=str)
def test_choosing_from_the_queue_heads_is_choosing_from_every_ticket(policy: Policy) -> None:
    rng = random.Random(str(policy))
    for _ in range(60):
        tickets, reserved = [], {}
        for i in range(1, rng.randint(1, 40)):
            at = rng.randint(0, 1800)
            moved = rng.random() < 0.3
            tickets.append(
                ticket(
                    i,
                    rng.choice("ABC"),
                    at=at,
                    priority=rng.random() < 0.3,
                    transferred=moved,
                    queued=at + rng.randint(0, 600) if moved else None,
                )
            )
            if moved and rng.random() < 0.3:
                reserved[i] = rng.choice((1, 2))
        queues = WaitingQueues(NOW)
        for c in tickets:
            queues.add(c, reserved.get(c.id))
        for counter_id, services in ((1, ("A", "B")), (2, ("C", "A")), (1, ("B",))):
            mine = [c for c in tickets if reserved.get(c.id, counter_id) == counter_id]
            kw = {"services": services, "policy": policy, "now": NOW, "normal_streak": 1}
            heads = queues.heads_for(services, counter_id)
            assert choose_next(heads, **kw) == choose_next(mine, **kw)  # type: ignore[arg-type]


# --- a whole period: the engine against Erlang C --------------------------------------------


def test_an_mmc_period_waits_as_long_as_erlang_c_says() -> None:
    """Two counters, Poisson arrivals at 2 an hour, exponential service of 20 min (3 an hour):
    Wq = 1/24 hour = 150 s. Published: Hillier & Lieberman, Introduction to Operations Research,
    the County Hospital example (M/M/s, s = 2, Wq = 1/24 h); the same queue is Render, Stair &
    Hanna's Arnold's Muffler Shop with two mechanics (Wq = 0.0415 h = 2.5 min)."""
    published = 3600 / 24
    assert mean_wait_s(traffic(2.0, 1200.0), 2, aht_s=1200.0) == pytest.approx(published)
    model = {"A": ServiceModel(1200, shape=Shape.EXPONENTIAL)}
    counters = [counter(1), counter(2)]
    waits = []
    for seed in range(4):
        rng = random.Random(seed)
        arrivals = poisson_arrivals(2.0, service_code="A", duration_s=15_000 * 3600, rng=rng)
        calls = simulate_period(
            start=NOW,
            policy=PLAIN,
            counters=counters,
            service_times=model,
            arrivals=arrivals,
            seed=seed + 100,  # not the arrivals stream: services would copy their gaps
        )
        assert len(calls) == len(arrivals)
        waits += [c.waited_s for c in calls[200:]]
    assert statistics.fmean(waits) == pytest.approx(published, rel=0.05)


def test_changing_the_ordering_rule_changes_the_simulated_calls() -> None:
    rng = random.Random(3)
    arrivals = sorted(
        (Arrival(rng.uniform(0, 7200), "A", priority=rng.random() < 0.3) for _ in range(40)),
        key=lambda a: a.at_s,
    )
    kw = {"start": NOW, "counters": [counter(1)], "service_times": MODELS, "arrivals": arrivals}
    strict = simulate_period(policy=STRICT, **kw)  # type: ignore[arg-type]
    plain = simulate_period(policy=PLAIN, **kw)  # type: ignore[arg-type]
    assert [c.ticket_id for c in strict] != [c.ticket_id for c in plain]
    assert {c.rule for c in strict} >= {Rule.PRIORITY}
    assert {c.rule for c in plain} == {Rule.FIFO}


# --- published predictors --------------------------------------------------------------------


def test_published_predictors() -> None:
    assert queue_length_quote(ahead=3, servers=2, mean_service_s=300) == 600
    assert queue_length_quote(ahead=3, servers=0, mean_service_s=300) == float("inf")
    waiting = [ticket(1, "B", at=0), ticket(2, "A", at=600), ticket(3, "A", at=900)]
    assert head_of_line_quote(waiting=waiting, service_code="A", now=NOW) == 1200
    assert head_of_line_quote(waiting=waiting, service_code="C", now=NOW) == 0
    called = T0 + dt.timedelta(seconds=400)
    assert last_to_enter_service_quote(last_issued_at=T0, last_called_at=called) == 400
    assert last_to_enter_service_quote(last_issued_at=None, last_called_at=None) == 0
