"""A paused counter is expected back after the branch's typical pause (learned from its own
pauses), and the quote waits for it."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from server.clock import FrozenClock
from tests.server.tickets.test_forecasting import branch, counter, issue
from tests.support import make_branch


def pause(client: TestClient, kit: Any, label: str, reason: str) -> None:
    r = client.post(
        f"/api/v1/counters/{kit.counters[label]}/pause",
        json={"reason": reason},
        headers=kit.auth(f"teller{label}"),
    )
    assert r.status_code == 200, r.text


def test_a_paused_counter_is_expected_back_after_the_typical_pause(
    client: TestClient, make: Any, clock: FrozenClock
) -> None:
    kit = branch(make, {"1": ["A"], "2": ["A"]})
    counter(client, kit, "1", "open")
    counter(client, kit, "2", "open")
    # Counter 2's tellers take 20-minute coffee breaks.
    for _ in range(3):
        pause(client, kit, "2", "coffee")
        clock.advance(20 * 60)
        counter(client, kit, "2", "resume")
        clock.advance(30 * 60)
    pause(client, kit, "2", "coffee")
    clock.advance(5 * 60)
    # Counter 1 busy with a customer, four waiting behind them.
    issue(client, kit)
    counter(client, kit, "1", "call-next")
    waiting = [issue(client, kit) for _ in range(4)]
    learned = waiting[-1]["estimated_wait_s"]

    # The same queue at a branch with no pauses in its history: nobody knows when counter 2
    # returns, so counter 1 alone serves all four and the last one waits longer.
    kit2 = make(make_branch, code="other", counters={"1": ["A"], "2": ["A"]})
    counter(client, kit2, "1", "open")
    counter(client, kit2, "2", "open")
    pause(client, kit2, "2", "coffee")
    clock.advance(5 * 60)
    issue(client, kit2)
    counter(client, kit2, "1", "call-next")
    unknown = [issue(client, kit2) for _ in range(4)][-1]["estimated_wait_s"]

    # Counter 2 is back in 15 minutes and takes its share: a shorter wait, but not before it
    # is back (900 s).
    assert learned < unknown, (learned, unknown)
    assert learned >= 15 * 60 - 60
