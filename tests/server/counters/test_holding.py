"""One teller works a counter at a time, and leaving (signing out, or a session that ends)
leaves the counter paused for someone else.

A branch's first morning found teller2 picking Counter 1 while teller1 served A010 there:
teller2's "Call next" finished teller1's customer. Each check below failed then.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from server.clock import FrozenClock
from server.main import release_expired_once
from server.models import Event
from tests.support import BranchKit, add_user, make_branch, staff_token


@pytest.fixture
def kit(make: Any) -> BranchKit:
    return make(make_branch)


def post(client: TestClient, kit: BranchKit, who: str, path: str, body: Any = None) -> Any:
    return client.post(f"/api/v1{path}", headers=kit.auth(who), json=body)


def counter_path(kit: BranchKit, label: str, op: str = "") -> str:
    return f"/counters/{kit.counters[label]}" + (f"/{op}" if op else "")


def read(client: TestClient, kit: BranchKit, label: str = "1") -> dict[str, Any]:
    r = client.get(f"/api/v1{counter_path(kit, label)}", headers=kit.auth("manager"))
    assert r.status_code == 200, r.text
    return r.json()


def serving_at_counter_1(client: TestClient, kit: BranchKit) -> dict[str, Any]:
    """teller1 holds counter 1 and serves a customer there; a second customer waits."""
    for _ in range(2):
        r = post(client, kit, "kiosk", f"/branches/{kit.code}/tickets", {"service": "A"})
        assert r.status_code == 201, r.text
    assert post(client, kit, "teller1", counter_path(kit, "1", "open")).status_code == 200
    called = post(client, kit, "teller1", counter_path(kit, "1", "call-next"))
    assert called.status_code == 200, called.text
    ticket = called.json()["ticket"]
    assert post(client, kit, "teller1", f"/tickets/{ticket['id']}/serve").status_code == 200
    return ticket


def counter_events(db: Any, kit: BranchKit) -> list[Event]:
    with db.read_session() as s:
        return list(
            s.exec(
                select(Event)
                .where(Event.branch_id == kit.branch_id, Event.type == "counter.changed")
                .order_by(Event.seq)  # type: ignore[arg-type]
            )
        )


def test_another_teller_cannot_open_or_work_a_held_counter(client, kit, db) -> None:
    ticket = serving_at_counter_1(client, kit)
    before = len(counter_events(db, kit))
    refused = [
        post(client, kit, "teller2", counter_path(kit, "1", "open")),
        post(client, kit, "teller2", counter_path(kit, "1", "call-next")),
        post(client, kit, "teller2", counter_path(kit, "1", "recall")),
        post(client, kit, "teller2", counter_path(kit, "1", "pause")),
        post(client, kit, "teller2", counter_path(kit, "1", "close")),
        post(client, kit, "teller2", f"/tickets/{ticket['id']}/finish"),
        post(client, kit, "teller2", f"/tickets/{ticket['id']}/transfer", {"service": "B"}),
    ]
    assert [r.status_code for r in refused] == [409] * len(refused)
    assert "held by demo-teller1" in refused[0].json()["detail"]
    assert "take" in refused[0].json()["detail"]
    # teller1's customer is still being served there, and nothing was logged.
    now = read(client, kit)
    assert (now["state"], now["held_by"]["username"]) == ("open", "demo-teller1")
    assert now["current_ticket"]["id"] == ticket["id"]
    assert now["current_ticket"]["status"] == "serving"
    assert len(counter_events(db, kit)) == before


def test_taking_over_is_explicit_logged_and_ends_the_first_tellers_hold(client, kit, db) -> None:
    ticket = serving_at_counter_1(client, kit)
    taken = post(client, kit, "teller2", counter_path(kit, "1", "open"), {"take_over": True})
    assert taken.status_code == 200, taken.text
    body = taken.json()
    assert (body["state"], body["held_by"]["username"]) == ("open", "demo-teller2")
    assert body["current_ticket"]["id"] == ticket["id"]  # the customer stays at the counter
    last = counter_events(db, kit)[-1]
    assert last.user_id == kit.user_ids["teller2"]
    assert last.data["taken_over_from"]["username"] == "demo-teller1"
    assert last.data["counter"]["held_by"]["username"] == "demo-teller2"
    # teller1 no longer works here; teller2 finishes the customer.
    assert post(client, kit, "teller1", counter_path(kit, "1", "call-next")).status_code == 409
    done = post(client, kit, "teller2", f"/tickets/{ticket['id']}/finish")
    assert done.status_code == 200, done.text


def test_the_counter_list_shows_who_holds_each_counter(client, kit) -> None:
    assert post(client, kit, "teller3", counter_path(kit, "3", "open")).status_code == 200
    snap = client.get(f"/api/v1/branches/{kit.code}/snapshot", headers=kit.auth("teller1"))
    held = {c["label"]: c["held_by"] for c in snap.json()["data"]["counters"]}
    assert held["3"]["username"] == "demo-teller3"
    assert held["1"] is None
    # Screens in the hall are not told who works where.
    screen = client.get(f"/api/v1/branches/{kit.code}/snapshot", headers=kit.auth("display"))
    assert [c["held_by"] for c in screen.json()["data"]["counters"]] == [None] * 4


def test_a_manager_may_pause_or_close_a_tellers_counter_but_not_call_there(client, kit) -> None:
    assert post(client, kit, "teller1", counter_path(kit, "1", "open")).status_code == 200
    assert post(client, kit, "manager", counter_path(kit, "1", "call-next")).status_code == 409
    paused = post(client, kit, "manager", counter_path(kit, "1", "pause"), {"reason": "audit"})
    assert paused.status_code == 200, paused.text
    closed = post(client, kit, "manager", counter_path(kit, "1", "close"))
    assert (closed.json()["state"], closed.json()["held_by"]) == ("closed", None)


def test_signing_out_pauses_the_counter_for_someone_else(client, kit) -> None:
    assert post(client, kit, "teller1", counter_path(kit, "1", "open")).status_code == 200
    live = client.get(f"/api/v1/branches/{kit.code}/metrics/live", headers=kit.auth("manager"))
    assert live.json()["counters_open"] == 1
    assert post(client, kit, "teller1", "/auth/logout").status_code == 204
    left = read(client, kit)
    assert (left["state"], left["pause_reason"], left["held_by"]) == ("paused", "signed_out", None)
    live = client.get(f"/api/v1/branches/{kit.code}/metrics/live", headers=kit.auth("manager"))
    assert live.json()["counters_open"] == 0
    # Nobody holds it now: a colleague opens it without taking over.
    opened = post(client, kit, "teller2", counter_path(kit, "1", "open"))
    assert opened.status_code == 200, opened.text
    assert (opened.json()["state"], opened.json()["held_by"]["username"]) == (
        "open",
        "demo-teller2",
    )


def test_signing_out_may_close_the_counter_unless_a_customer_is_at_it(client, kit) -> None:
    assert post(client, kit, "teller2", counter_path(kit, "2", "open")).status_code == 200
    out = post(client, kit, "teller2", "/auth/logout", {"counter": "close"})
    assert out.status_code == 204
    assert read(client, kit, "2")["state"] == "closed"
    serving_at_counter_1(client, kit)
    assert post(client, kit, "teller1", "/auth/logout", {"counter": "close"}).status_code == 204
    still = read(client, kit, "1")
    assert (still["state"], still["pause_reason"]) == ("paused", "signed_out")
    assert still["current_ticket"]["status"] == "serving"


def test_moving_to_another_counter_leaves_the_first_for_a_colleague(client, kit) -> None:
    """'Change counter' left Counter 1 open in teller1's name: still counted open in the
    quotes and refused to colleagues. Leaving releases it (paused, reason left, or closed)."""
    assert post(client, kit, "teller1", counter_path(kit, "1", "open")).status_code == 200
    assert post(client, kit, "teller1", counter_path(kit, "2", "open")).status_code == 200
    live = client.get(f"/api/v1/branches/{kit.code}/metrics/live", headers=kit.auth("manager"))
    assert live.json()["counters_open"] == 2
    # A colleague may not walk someone else's counter away.
    assert post(client, kit, "teller2", counter_path(kit, "1", "leave")).status_code == 409
    left = post(client, kit, "teller1", counter_path(kit, "1", "leave"))
    assert left.status_code == 200, left.text
    assert (left.json()["state"], left.json()["pause_reason"]) == ("paused", "left")
    assert left.json()["held_by"] is None
    live = client.get(f"/api/v1/branches/{kit.code}/metrics/live", headers=kit.auth("manager"))
    assert live.json()["counters_open"] == 1
    assert read(client, kit, "2")["held_by"]["username"] == "demo-teller1"
    opened = post(client, kit, "teller2", counter_path(kit, "1", "open"))
    assert opened.json()["held_by"]["username"] == "demo-teller2"
    # Closing on the way out.
    closed = post(client, kit, "teller2", counter_path(kit, "1", "leave"), {"counter": "close"})
    assert (closed.json()["state"], closed.json()["held_by"]) == ("closed", None)
    bad = post(client, kit, "teller1", counter_path(kit, "2", "leave"), {"counter": "away"})
    assert bad.status_code == 422


def test_only_the_holder_leaves_and_never_with_a_customer_at_the_counter(client, kit) -> None:
    """A manager's 'leave' once pushed a teller out under reason 'left', and leaving with a
    customer called left them waiting at a counter nobody works."""
    ticket = serving_at_counter_1(client, kit)
    for who in ("manager", "teller2"):
        r = post(client, kit, who, counter_path(kit, "1", "leave"))
        assert r.status_code == 409, who
    # A counter nobody holds, or one already left: nothing to leave.
    assert post(client, kit, "teller2", counter_path(kit, "2", "leave")).status_code == 409
    busy = post(client, kit, "teller1", counter_path(kit, "1", "leave"), {"counter": "close"})
    assert busy.status_code == 409
    assert "A001 is still at counter 1" in busy.json()["detail"]
    assert read(client, kit)["held_by"]["username"] == "demo-teller1"
    assert post(client, kit, "teller1", f"/tickets/{ticket['id']}/finish").status_code == 200
    left = post(client, kit, "teller1", counter_path(kit, "1", "leave"))
    assert (left.status_code, left.json()["pause_reason"]) == (200, "left")


def test_a_session_that_ends_leaves_its_counter_paused(
    client, kit, make, app, clock: FrozenClock
) -> None:
    def short_session(session: Any) -> str:
        user = add_user(session, "evening-teller", "teller", kit.branch_id)
        return staff_token(session, user, now=clock.now(), ttl_s=600)

    kit.tokens["evening"] = make(short_session)
    assert post(client, kit, "evening", counter_path(kit, "4", "open")).status_code == 200
    assert release_expired_once(app.state.ctx) == 0  # the session is alive: nothing changes
    assert read(client, kit, "4")["state"] == "open"
    clock.advance(601)
    assert release_expired_once(app.state.ctx) == 1
    left = read(client, kit, "4")
    assert (left["state"], left["pause_reason"], left["held_by"]) == ("paused", "signed_out", None)
