"""Unit tests of the call-ordering rules (server/domain/ordering.py): plain Python, no database."""

from __future__ import annotations

import datetime as dt

import pytest

from server.domain.ordering import (
    Candidate,
    Choice,
    OrderMode,
    Policy,
    PriorityMode,
    Rule,
    TransferPlacement,
    choose_next,
    next_streak,
)

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
NOW = T0 + dt.timedelta(minutes=30)

# No priority handling, no cap, transfers by arrival: only the base order decides.
PLAIN = Policy(priority_mode=PriorityMode.NONE, transfer_placement=TransferPlacement.ARRIVAL)


def ticket(
    id: int,
    service: str = "A",
    *,
    at: int = 0,
    queued: int | None = None,
    priority: bool = False,
    transferred: bool = False,
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


def pick(
    candidates: list[Candidate],
    *,
    policy: Policy = PLAIN,
    services: tuple[str, ...] = ("A", "B"),
    now: dt.datetime = NOW,
    streak: int = 0,
) -> Choice | None:
    return choose_next(candidates, services=services, policy=policy, now=now, normal_streak=streak)


def chosen(candidates: list[Candidate], **kw: object) -> tuple[int, Rule]:
    choice = pick(candidates, **kw)  # type: ignore[arg-type]
    assert choice is not None
    return choice.ticket_id, choice.rule


# --- base order -------------------------------------------------------------------------


def test_fifo_takes_the_earliest_arrival_across_the_counters_services() -> None:
    tickets = [ticket(1, "A", at=20), ticket(2, "B", at=10), ticket(3, "A", at=30)]
    assert chosen(tickets) == (2, Rule.FIFO)


def test_service_order_prefers_the_first_listed_service_over_an_earlier_arrival() -> None:
    tickets = [ticket(1, "A", at=10), ticket(2, "B", at=20), ticket(3, "B", at=5)]
    policy = Policy(order_mode=OrderMode.SERVICE_ORDER, priority_mode=PriorityMode.NONE)
    # Counter 3 of the test branch serves B before A.
    assert chosen(tickets, policy=policy, services=("B", "A")) == (3, Rule.SERVICE_ORDER)
    assert chosen(tickets, policy=policy, services=("A", "B")) == (1, Rule.SERVICE_ORDER)


def test_service_order_falls_back_to_the_next_service_when_the_first_is_empty() -> None:
    policy = Policy(order_mode=OrderMode.SERVICE_ORDER, priority_mode=PriorityMode.NONE)
    assert chosen(
        [ticket(1, "A", at=10), ticket(2, "A", at=5)], policy=policy, services=("B", "A")
    ) == (2, Rule.SERVICE_ORDER)


@pytest.mark.parametrize("order_mode", list(OrderMode))
def test_ties_on_arrival_go_to_the_lower_id(order_mode: OrderMode) -> None:
    policy = Policy(order_mode=order_mode, priority_mode=PriorityMode.NONE)
    tickets = [ticket(9, "A", at=10), ticket(4, "A", at=10), ticket(7, "A", at=10)]
    assert chosen(tickets, policy=policy)[0] == 4


def test_fifo_tie_across_services_goes_to_the_lower_id_not_the_service_listed_first() -> None:
    assert chosen([ticket(8, "A", at=10), ticket(5, "B", at=10)], services=("A", "B")) == (
        5,
        Rule.FIFO,
    )


def test_arrival_beats_id() -> None:
    assert chosen([ticket(1, "A", at=20), ticket(2, "A", at=10)]) == (2, Rule.FIFO)


def test_nothing_waiting_gives_none() -> None:
    assert pick([]) is None


def test_a_counter_never_picks_a_service_it_does_not_serve() -> None:
    tickets = [ticket(1, "C", at=0, priority=True, transferred=True), ticket(2, "B", at=50)]
    strict = Policy(priority_mode=PriorityMode.STRICT, max_wait_s=60)
    at_60s = T0 + dt.timedelta(seconds=60)  # C's ticket would be overdue, B's is not
    assert chosen(tickets, policy=strict, now=at_60s) == (2, Rule.FIFO)
    assert pick([ticket(1, "C")], policy=strict, now=at_60s) is None


# --- priority -----------------------------------------------------------------------------


def test_strict_priority_goes_before_earlier_normal_tickets() -> None:
    policy = Policy(priority_mode=PriorityMode.STRICT)
    tickets = [
        ticket(1, "A", at=0),
        ticket(2, "A", at=30, priority=True),
        ticket(3, "A", at=20, priority=True),
    ]
    assert chosen(tickets, policy=policy, streak=0) == (3, Rule.PRIORITY)


def test_strict_with_no_priority_waiting_falls_back_to_the_base_order() -> None:
    policy = Policy(priority_mode=PriorityMode.STRICT)
    assert chosen([ticket(1, "A", at=0), ticket(2, "A", at=5)], policy=policy, streak=99) == (
        1,
        Rule.FIFO,
    )


def test_strict_priority_uses_service_order_among_priority_tickets() -> None:
    policy = Policy(order_mode=OrderMode.SERVICE_ORDER, priority_mode=PriorityMode.STRICT)
    tickets = [
        ticket(1, "A", at=0, priority=True),
        ticket(2, "B", at=10, priority=True),
        ticket(3, "B", at=0),
    ]
    assert chosen(tickets, policy=policy, services=("B", "A")) == (2, Rule.PRIORITY)


def test_no_priority_mode_treats_priority_tickets_by_arrival() -> None:
    tickets = [ticket(1, "A", at=0), ticket(2, "A", at=10, priority=True)]
    choice = pick(tickets)
    assert choice == Choice(1, Rule.FIFO, False)


RATIO = Policy(priority_mode=PriorityMode.RATIO, priority_ratio=2)


@pytest.mark.parametrize(
    ("streak", "expected"),
    [
        (0, (1, Rule.FIFO)),
        (1, (1, Rule.FIFO)),
        (2, (3, Rule.PRIORITY_RATIO)),
        (5, (3, Rule.PRIORITY_RATIO)),
    ],
)
def test_ratio_calls_a_priority_ticket_after_n_normal_calls(
    streak: int, expected: tuple[int, Rule]
) -> None:
    tickets = [ticket(1, "A", at=0), ticket(2, "A", at=5), ticket(3, "A", at=10, priority=True)]
    assert chosen(tickets, policy=RATIO, streak=streak) == expected


def test_ratio_calls_priority_tickets_when_only_they_wait() -> None:
    choice = pick(
        [ticket(2, "A", at=10, priority=True), ticket(1, "B", at=5, priority=True)], policy=RATIO
    )
    # Nobody was passed over, so the base order chose it, not the ratio.
    assert choice == Choice(1, Rule.FIFO, True)


def test_ratio_with_no_priority_waiting_calls_normal_tickets_whatever_the_streak() -> None:
    assert chosen([ticket(1, "A"), ticket(2, "A", at=1)], policy=RATIO, streak=10) == (1, Rule.FIFO)


def test_ratio_zero_means_priority_always_first() -> None:
    policy = Policy(priority_mode=PriorityMode.RATIO, priority_ratio=0)
    assert chosen([ticket(1, "A"), ticket(2, "A", at=9, priority=True)], policy=policy) == (
        2,
        Rule.PRIORITY_RATIO,
    )


def test_ratio_sequence_two_normals_then_a_priority_then_the_streak_restarts() -> None:
    waiting = [
        ticket(1, "A", at=0),
        ticket(2, "A", at=1),
        ticket(3, "A", at=2),
        ticket(4, "A", at=3),
        ticket(5, "A", at=4, priority=True),
        ticket(6, "A", at=5, priority=True),
    ]
    streak, calls = 0, []
    for _ in range(6):
        choice = pick(waiting, policy=RATIO, streak=streak)
        assert choice is not None
        calls.append((choice.ticket_id, choice.rule))
        streak = next_streak(streak, called_priority=choice.priority)
        waiting = [c for c in waiting if c.id != choice.ticket_id]
    assert calls == [
        (1, Rule.FIFO),
        (2, Rule.FIFO),
        (5, Rule.PRIORITY_RATIO),
        (3, Rule.FIFO),
        (4, Rule.FIFO),
        (6, Rule.FIFO),  # 6: only priority left
    ]


@pytest.mark.parametrize(
    ("streak", "called_priority", "expected"),
    [
        (0, False, 1),
        (3, False, 4),
        (3, True, 0),
        (0, True, 0),
    ],
)
def test_next_streak(streak: int, called_priority: bool, expected: int) -> None:
    assert next_streak(streak, called_priority=called_priority) == expected


# --- hard cap -----------------------------------------------------------------------------

CAPPED = Policy(priority_mode=PriorityMode.STRICT, max_wait_s=600)


def test_a_ticket_past_the_cap_goes_before_priority() -> None:
    tickets = [ticket(1, "A", at=0), ticket(2, "A", at=1700, priority=True)]
    assert chosen(tickets, policy=CAPPED, now=T0 + dt.timedelta(seconds=601)) == (1, Rule.MAX_WAIT)


def test_below_the_cap_the_other_rules_decide() -> None:
    tickets = [ticket(1, "A", at=0), ticket(2, "A", at=10, priority=True)]
    assert chosen(tickets, policy=CAPPED, now=T0 + dt.timedelta(seconds=599)) == (2, Rule.PRIORITY)


def test_the_cap_beats_service_order_and_transfers() -> None:
    policy = Policy(
        order_mode=OrderMode.SERVICE_ORDER,
        max_wait_s=600,
        transfer_placement=TransferPlacement.FIRST,
    )
    tickets = [
        ticket(1, "A", at=0),
        ticket(2, "B", at=150, queued=700, transferred=True),
        ticket(3, "B", at=650),
    ]
    assert chosen(
        tickets, policy=policy, services=("B", "A"), now=T0 + dt.timedelta(seconds=700)
    ) == (1, Rule.MAX_WAIT)


def test_among_overdue_tickets_the_earliest_arrival_goes_first() -> None:
    tickets = [ticket(3, "B", at=50), ticket(2, "A", at=10), ticket(1, "A", at=40, priority=True)]
    choice = pick(tickets, policy=CAPPED, now=T0 + dt.timedelta(hours=1))
    assert choice == Choice(2, Rule.MAX_WAIT, False)


def test_the_cap_counts_from_original_arrival_not_from_a_transfer() -> None:
    # Issued at T0, transferred 590 s later: at T0+601 it is overdue although queued 11 s ago.
    tickets = [
        ticket(1, "B", at=0, queued=590, transferred=True),
        ticket(2, "A", at=5, priority=True),
    ]
    policy = Policy(
        priority_mode=PriorityMode.STRICT,
        max_wait_s=600,
        transfer_placement=TransferPlacement.ARRIVAL,
    )
    assert chosen(tickets, policy=policy, now=T0 + dt.timedelta(seconds=601)) == (1, Rule.MAX_WAIT)


# --- transfers ------------------------------------------------------------------------------


def test_transfer_first_puts_transferred_tickets_ahead_of_earlier_and_priority_ones() -> None:
    policy = Policy(priority_mode=PriorityMode.STRICT, transfer_placement=TransferPlacement.FIRST)
    tickets = [
        ticket(1, "A", at=0, priority=True),
        ticket(2, "A", at=100, queued=200, transferred=True),
    ]
    assert chosen(tickets, policy=policy) == (2, Rule.TRANSFER_FIRST)


def test_transfer_first_orders_transferred_tickets_by_when_they_were_transferred() -> None:
    policy = Policy(transfer_placement=TransferPlacement.FIRST)
    tickets = [
        ticket(1, "A", at=0, queued=300, transferred=True),
        ticket(2, "A", at=100, queued=200, transferred=True),
    ]
    assert chosen(tickets, policy=policy) == (2, Rule.TRANSFER_FIRST)


def test_transfer_by_arrival_queues_them_by_original_issue_time() -> None:
    tickets = [
        ticket(1, "A", at=50),
        ticket(2, "A", at=10, queued=400, transferred=True),
        ticket(3, "A", at=100, queued=300, transferred=True),
    ]
    assert chosen(tickets) == (2, Rule.FIFO)
    assert chosen(
        [ticket(1, "A", at=50), ticket(3, "A", at=100, queued=300, transferred=True)]
    ) == (1, Rule.FIFO)
