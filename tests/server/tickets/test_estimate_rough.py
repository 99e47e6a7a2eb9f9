"""What the customer is told about a quote's quality, through the API: ``estimate_rough`` on
the kiosk's services list, the issued ticket and the phone page (true while a service time is
the service's standard, for want of history here), and the range in the services list.

Every service of ``make_branch`` has a 300 s standard and no history; MIN_SAMPLES finished
services of A make A's time measured, and its quotes no longer rough.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from server.clock import FrozenClock
from server.domain.forecast.models import MIN_SAMPLES
from tests.server.tickets.test_forecasting import branch, counter, issue, services, status
from tests.support import BranchKit

ONE_COUNTER = {"1": ["A"]}


def finish_visits(client: TestClient, kit: BranchKit, clock: FrozenClock, n: int) -> None:
    """``n`` customers of A called, served for four minutes each, and done."""
    for _ in range(n):
        issue(client, kit)
        called = counter(client, kit, "1", "call-next")["ticket"]
        for op in ("serve", "finish"):
            clock.advance(120)
            r = client.post(f"/api/v1/tickets/{called['id']}/{op}", headers=kit.auth("teller1"))
            assert r.status_code == 200, r.text


def quotes_now(client: TestClient, kit: BranchKit) -> dict[str, Any]:
    """The rough flag wherever a customer reads a quote for a new ticket of A (the ticket
    is cancelled after: it leaves the queue as it was)."""
    listed = services(client, kit)["A"]
    issued = issue(client, kit)
    on_phone = status(client, issued["token"])
    r = client.post(f"/api/v1/tickets/{issued['id']}/cancel", headers=kit.auth("teller1"))
    assert r.status_code == 200, r.text
    return {
        "list": listed["estimate_rough"],
        "ticket": issued["estimate_rough"],
        "phone": on_phone["estimate_rough"],
    }


def test_a_new_branch_quotes_rough_until_it_has_history(
    client: TestClient, make: Any, clock: FrozenClock
) -> None:
    kit = branch(make, ONE_COUNTER)
    counter(client, kit, "1", "open")
    rough = {"list": True, "ticket": True, "phone": True}
    assert quotes_now(client, kit) == rough

    finish_visits(client, kit, clock, MIN_SAMPLES - 1)  # one visit short of measuring A
    assert quotes_now(client, kit) == rough

    finish_visits(client, kit, clock, 1)
    assert quotes_now(client, kit) == {"list": False, "ticket": False, "phone": False}


def test_a_ticket_not_waiting_is_not_said_to_be_rough(client: TestClient, make: Any) -> None:
    kit = branch(make, ONE_COUNTER)
    counter(client, kit, "1", "open")
    first = issue(client, kit)
    assert first["estimate_rough"] is True
    counter(client, kit, "1", "call-next")
    called = status(client, first["token"])
    assert (called["status"], called["estimated_wait_s"], called["estimate_rough"]) == (
        "called",
        None,
        False,
    )


def test_the_kiosk_list_gives_the_range_the_ticket_is_then_issued_with(
    client: TestClient, make: Any
) -> None:
    kit = branch(make, ONE_COUNTER)
    counter(client, kit, "1", "open")
    assert services(client, kit)["A"]["estimated_wait_range_s"] is None  # a free counter
    for _ in range(8):
        issue(client, kit)
    listed = services(client, kit)["A"]
    low, high = listed["estimated_wait_range_s"]
    assert low < listed["estimated_wait_s"] < high
    issued = issue(client, kit)
    assert issued["estimated_wait_range_s"] == [low, high]
    assert issued["estimated_wait_s"] == listed["estimated_wait_s"]
