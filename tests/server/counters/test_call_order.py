"""Each call-ordering rule through the real API: POST /api/v1/counters/{id}/call-next.

The test branch has services A, B, C and counters "1": [A, B], "2": [A, B], "3": [B, A], "4": [C].
Every call checks the ticket chosen, the rule returned and the rule stored on the ticket.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from server.clock import FrozenClock
from tests.support import BranchKit, make_branch

NO_PRIORITY = {"priority_mode": "none"}


# --- helpers ------------------------------------------------------------------------------


def issue(
    client: TestClient, kit: BranchKit, service: str, *, priority: bool = False
) -> dict[str, Any]:
    r = client.post(
        f"/api/v1/branches/{kit.code}/tickets",
        json={"service": service, "priority": priority},
        headers=kit.auth("kiosk"),
    )
    assert r.status_code == 201, r.text
    return r.json()


def teller(label: str) -> str:
    return f"teller{label}"


def open_counter(client: TestClient, kit: BranchKit, label: str) -> None:
    r = client.post(f"/api/v1/counters/{kit.counters[label]}/open", headers=kit.auth(teller(label)))
    assert r.status_code == 200, r.text


def call(client: TestClient, kit: BranchKit, label: str) -> Any:
    return client.post(
        f"/api/v1/counters/{kit.counters[label]}/call-next", headers=kit.auth(teller(label))
    )


def stored(client: TestClient, kit: BranchKit, ticket_id: int) -> dict[str, Any]:
    r = client.get(f"/api/v1/tickets/{ticket_id}", headers=kit.auth("manager"))
    assert r.status_code == 200, r.text
    return r.json()["ticket"]


def assert_calls(
    client: TestClient, kit: BranchKit, label: str, code: str, rule: str
) -> dict[str, Any]:
    """Call next at ``label``: it must call ``code`` by ``rule``, as stored on the ticket."""
    r = call(client, kit, label)
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["ticket"]["code"], body["rule"]) == (code, rule)
    ticket = stored(client, kit, body["ticket"]["id"])
    assert (ticket["status"], ticket["call_rule"]) == ("called", rule)
    assert ticket["counter"]["label"] == label
    return ticket


def assert_nobody(client: TestClient, kit: BranchKit, label: str) -> None:
    r = call(client, kit, label)
    assert r.status_code == 204, r.text
    assert r.content == b""


def transfer(client: TestClient, kit: BranchKit, ticket_id: int, service: str) -> None:
    """Transfer as the teller at the ticket's counter (only they work that counter)."""
    at = stored(client, kit, ticket_id)["counter"]
    r = client.post(
        f"/api/v1/tickets/{ticket_id}/transfer",
        json={"service": service},
        headers=kit.auth(teller(at["label"]) if at else "teller1"),
    )
    assert r.status_code == 200, r.text


# --- base order -----------------------------------------------------------------------------


def test_fifo_calls_the_earliest_arrival_across_the_counters_services(
    client, make, clock: FrozenClock
) -> None:
    kit = make(make_branch, policy=NO_PRIORITY)
    issue(client, kit, "B")
    clock.advance(seconds=10)
    issue(client, kit, "A")
    clock.advance(seconds=10)
    issue(client, kit, "B")
    open_counter(client, kit, "1")  # serves A before B, but fifo ignores that
    assert_calls(client, kit, "1", "B001", "fifo")
    assert_calls(client, kit, "1", "A001", "fifo")
    assert_calls(client, kit, "1", "B002", "fifo")
    assert_nobody(client, kit, "1")


def test_service_order_is_a_strict_preference_per_counter(client, make, clock: FrozenClock) -> None:
    kit = make(make_branch, policy={**NO_PRIORITY, "order_mode": "service_order"})
    for service in ("A", "A", "B", "B"):
        issue(client, kit, service)
        clock.advance(seconds=10)
    open_counter(client, kit, "3")  # B before A
    open_counter(client, kit, "1")  # A before B
    assert_calls(client, kit, "3", "B001", "service_order")
    assert_calls(client, kit, "1", "A001", "service_order")
    assert_calls(client, kit, "3", "B002", "service_order")
    assert_calls(client, kit, "3", "A002", "service_order")  # no B left: A, though 3 prefers B
    assert_nobody(client, kit, "1")


@pytest.mark.parametrize(
    ("order_mode", "expected"),
    [
        ("fifo", ["B001", "A001", "A002"]),  # same instant: the lower id (issued first) wins
        ("service_order", ["A001", "A002", "B001"]),  # counter 1 prefers A; within A the lower id
    ],
)
def test_ties_on_arrival_are_broken_by_id(
    client, make, order_mode: str, expected: list[str]
) -> None:
    kit = make(make_branch, policy={**NO_PRIORITY, "order_mode": order_mode})
    # The frozen clock does not move: all three share one issue time.
    issue(client, kit, "B")
    issue(client, kit, "A")
    issue(client, kit, "A")
    open_counter(client, kit, "1")
    for code in expected:
        assert_calls(client, kit, "1", code, order_mode)


# --- nothing to call / other services -------------------------------------------------------


def test_204_when_nobody_waits_at_all(client, make) -> None:
    kit = make(make_branch)
    open_counter(client, kit, "1")
    assert_nobody(client, kit, "1")


def test_204_when_only_other_services_wait_and_their_tickets_stay_waiting(
    client, make, clock
) -> None:
    kit = make(
        make_branch,
        policy={"priority_mode": "strict", "max_wait_s": 60, "transfer_placement": "first"},
    )
    loan = issue(client, kit, "C", priority=True)
    clock.advance(seconds=3600)  # C's ticket is overdue and priority, yet not counter 1's to call
    open_counter(client, kit, "1")
    assert_nobody(client, kit, "1")
    assert stored(client, kit, loan["id"])["status"] == "waiting"

    issue(client, kit, "A")
    assert_calls(client, kit, "1", "A001", "fifo")
    assert_nobody(client, kit, "1")
    open_counter(client, kit, "4")
    assert_calls(client, kit, "4", "C001", "max_wait")


def test_a_counter_never_calls_a_transferred_ticket_of_a_service_it_does_not_serve(
    client, make
) -> None:
    kit = make(make_branch, policy={"transfer_placement": "first"})
    ticket = issue(client, kit, "A")
    transfer(client, kit, ticket["id"], "C")
    open_counter(client, kit, "1")
    assert_nobody(client, kit, "1")
    open_counter(client, kit, "4")
    assert_calls(client, kit, "4", "A001", "transfer_first")


# --- priority -------------------------------------------------------------------------------


def test_strict_priority_goes_first(client, make, clock: FrozenClock) -> None:
    kit = make(make_branch, policy={"priority_mode": "strict"})
    issue(client, kit, "A")
    clock.advance(seconds=10)
    issue(client, kit, "B", priority=True)
    clock.advance(seconds=10)
    issue(client, kit, "A", priority=True)
    open_counter(client, kit, "1")
    assert_calls(client, kit, "1", "B001", "priority")
    assert_calls(client, kit, "1", "A002", "priority")
    assert_calls(client, kit, "1", "A001", "fifo")


def test_strict_priority_overrides_the_counters_service_preference(client, make, clock) -> None:
    kit = make(make_branch, policy={"priority_mode": "strict", "order_mode": "service_order"})
    issue(client, kit, "B")
    clock.advance(seconds=10)
    issue(client, kit, "A", priority=True)
    open_counter(client, kit, "3")  # prefers B
    assert_calls(client, kit, "3", "A001", "priority")
    assert_calls(client, kit, "3", "B001", "service_order")


def test_priority_ratio_two_normal_calls_then_one_priority(
    client, make, clock: FrozenClock
) -> None:
    kit = make(make_branch, policy={"priority_mode": "ratio", "priority_ratio": 2})
    for _ in range(3):
        issue(client, kit, "A")
        clock.advance(seconds=10)
    issue(client, kit, "A", priority=True)  # A004, the latest arrival
    open_counter(client, kit, "1")
    assert_calls(client, kit, "1", "A001", "fifo")
    assert_calls(client, kit, "1", "A002", "fifo")
    assert_calls(client, kit, "1", "A004", "priority_ratio")

    # The priority call reset the streak: a new priority ticket waits for two normal calls again.
    clock.advance(seconds=10)
    issue(client, kit, "A", priority=True)  # A005
    issue(client, kit, "A")  # A006
    issue(client, kit, "A")  # A007
    assert_calls(client, kit, "1", "A003", "fifo")
    assert_calls(client, kit, "1", "A006", "fifo")
    assert_calls(client, kit, "1", "A005", "priority_ratio")
    assert_calls(client, kit, "1", "A007", "fifo")


def test_priority_ratio_calls_priority_tickets_when_only_they_wait(client, make, clock) -> None:
    kit = make(make_branch, policy={"priority_mode": "ratio", "priority_ratio": 2})
    issue(client, kit, "B", priority=True)
    clock.advance(seconds=10)
    issue(client, kit, "A", priority=True)
    open_counter(client, kit, "1")
    # Nobody normal was passed over, so the base order is the recorded rule.
    assert_calls(client, kit, "1", "B001", "fifo")
    assert_calls(client, kit, "1", "A001", "fifo")


def test_priority_only_calls_reset_the_ratio_streak(client, make, clock: FrozenClock) -> None:
    kit = make(make_branch, policy={"priority_mode": "ratio", "priority_ratio": 2})
    issue(client, kit, "A")
    issue(client, kit, "A")
    open_counter(client, kit, "1")
    assert_calls(client, kit, "1", "A001", "fifo")
    assert_calls(client, kit, "1", "A002", "fifo")  # streak is now 2
    issue(client, kit, "A", priority=True)
    assert_calls(client, kit, "1", "A003", "fifo")  # only priority waits: streak back to 0
    issue(client, kit, "A", priority=True)
    clock.advance(seconds=10)
    issue(client, kit, "A")
    assert_calls(client, kit, "1", "A005", "fifo")  # normal: streak 0 < 2
    assert_calls(client, kit, "1", "A004", "fifo")  # only priority left again


def test_priority_ratio_streak_is_kept_per_counter(client, make, clock: FrozenClock) -> None:
    kit = make(make_branch, policy={"priority_mode": "ratio", "priority_ratio": 2})
    for _ in range(4):
        issue(client, kit, "A")
        clock.advance(seconds=10)
    issue(client, kit, "A", priority=True)  # A005
    open_counter(client, kit, "1")
    open_counter(client, kit, "2")
    assert_calls(client, kit, "1", "A001", "fifo")
    assert_calls(client, kit, "1", "A002", "fifo")
    assert_calls(client, kit, "2", "A003", "fifo")  # counter 2 has made no normal calls yet
    assert_calls(client, kit, "1", "A005", "priority_ratio")
    assert_calls(client, kit, "2", "A004", "fifo")


# --- hard cap -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("waited_s", "code", "rule"),
    [
        (299, "A002", "priority"),
        (301, "A001", "max_wait"),
    ],
)
def test_max_wait_beats_priority_once_a_ticket_has_waited_past_the_cap(
    client, make, clock: FrozenClock, waited_s: int, code: str, rule: str
) -> None:
    kit = make(make_branch, policy={"priority_mode": "strict", "max_wait_s": 300})
    issue(client, kit, "A")
    clock.advance(seconds=waited_s - 1)
    issue(client, kit, "A", priority=True)
    clock.advance(seconds=1)
    open_counter(client, kit, "1")
    assert_calls(client, kit, "1", code, rule)


def test_max_wait_beats_service_order_and_takes_the_oldest_overdue(client, make, clock) -> None:
    kit = make(make_branch, policy={"order_mode": "service_order", "max_wait_s": 300})
    issue(client, kit, "A")
    clock.advance(seconds=10)
    issue(client, kit, "A")
    clock.advance(seconds=10)
    issue(client, kit, "B")
    clock.advance(seconds=400)
    open_counter(client, kit, "3")  # prefers B; every ticket is overdue
    assert_calls(client, kit, "3", "A001", "max_wait")
    assert_calls(client, kit, "3", "A002", "max_wait")
    assert_calls(client, kit, "3", "B001", "max_wait")


# --- transfers -------------------------------------------------------------------------------


def _transferred_behind_an_earlier_arrival(client, kit: BranchKit, clock: FrozenClock) -> None:
    """A001 (t0), C001 (t0+10) is called and moved to A, A002 (t0+20)."""
    issue(client, kit, "A")
    clock.advance(seconds=10)
    loan = issue(client, kit, "C")
    clock.advance(seconds=10)
    issue(client, kit, "A")
    open_counter(client, kit, "4")
    assert_calls(client, kit, "4", "C001", "fifo")
    clock.advance(seconds=60)
    transfer(client, kit, loan["id"], "A")
    open_counter(client, kit, "1")


def test_transfer_first_calls_transferred_tickets_before_everyone(client, make, clock) -> None:
    kit = make(make_branch, policy={"transfer_placement": "first", "priority_mode": "strict"})
    _transferred_behind_an_earlier_arrival(client, kit, clock)
    issue(client, kit, "A", priority=True)
    ticket = assert_calls(client, kit, "1", "C001", "transfer_first")
    assert ticket["service"] == "A"
    assert_calls(client, kit, "1", "A003", "priority")
    assert_calls(client, kit, "1", "A001", "fifo")


def test_transfer_by_arrival_places_the_ticket_by_its_original_issue_time(
    client, make, clock
) -> None:
    kit = make(make_branch, policy={**NO_PRIORITY, "transfer_placement": "arrival"})
    _transferred_behind_an_earlier_arrival(client, kit, clock)
    assert_calls(client, kit, "1", "A001", "fifo")
    assert_calls(client, kit, "1", "C001", "fifo")
    assert_calls(client, kit, "1", "A002", "fifo")
