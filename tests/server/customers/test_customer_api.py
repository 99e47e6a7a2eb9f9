"""The customer's phone page: ticket status by its secret token, and feedback."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from server.db import Database
from server.models import Event, Ticket
from tests.support import BranchKit, make_branch

CODE = "cust"
STANDARD_SERVICE_S = 300  # make_branch's services


@pytest.fixture
def kit(make: Any) -> BranchKit:
    # Labels unlike the counters' ids: a label in a response can only come from the label.
    return make(make_branch, code=CODE, counters={"7": ["A"], "Window 9": ["B", "A"]})


def issue(client: TestClient, kit: BranchKit, service: str = "A", **extra: Any) -> dict[str, Any]:
    r = client.post(
        f"/api/v1/branches/{CODE}/tickets",
        json={"service": service, **extra},
        headers=kit.auth("kiosk"),
    )
    assert r.status_code == 201, r.text
    return r.json()


def teller(client: TestClient, kit: BranchKit, op: str, counter: str, who: str = "teller1") -> Any:
    r = client.post(f"/api/v1/counters/{kit.counters[counter]}/{op}", headers=kit.auth(who))
    assert r.status_code in (200, 204), r.text
    return r.json() if r.status_code == 200 else None


def status(client: TestClient, token: str) -> dict[str, Any]:
    r = client.get(f"/api/v1/tickets/by-token/{token}")
    assert r.status_code == 200, r.text
    return r.json()


def finished_ticket(client: TestClient, kit: BranchKit) -> dict[str, Any]:
    t = issue(client, kit)
    teller(client, kit, "open", "7")
    assert teller(client, kit, "call-next", "7")["ticket"]["id"] == t["id"]
    r = client.post(f"/api/v1/tickets/{t['id']}/finish", headers=kit.auth("teller1"))
    assert r.status_code == 200, r.text
    return t


def test_status_shape_for_a_waiting_ticket(client: TestClient, kit: BranchKit) -> None:
    t = issue(client, kit)
    s = status(client, t["token"])
    assert {"code", "status", "position", "estimated_wait_s", "counter"} <= s.keys()
    assert s["code"] == "A001"
    assert s["status"] == "waiting"
    assert s["position"] == 1
    assert s["estimated_wait_s"] == 0
    assert s["counter"] is None


def test_status_needs_no_login_and_ignores_staff_tokens(client: TestClient, kit: BranchKit) -> None:
    t = issue(client, kit)
    anonymous = client.get(f"/api/v1/tickets/by-token/{t['token']}")
    as_kiosk = client.get(f"/api/v1/tickets/by-token/{t['token']}", headers=kit.auth("kiosk"))
    assert anonymous.status_code == as_kiosk.status_code == 200
    assert anonymous.json()["code"] == as_kiosk.json()["code"] == "A001"


def test_status_url_points_at_the_token(client: TestClient, kit: BranchKit) -> None:
    t = issue(client, kit)
    assert t["status_url"].endswith(f"/t/{t['token']}")


def test_position_falls_as_earlier_tickets_are_called(client: TestClient, kit: BranchKit) -> None:
    tickets = [issue(client, kit) for _ in range(3)]
    issue(client, kit, "B")  # another service's queue does not count
    mine = tickets[2]["token"]
    teller(client, kit, "open", "7")  # one counter open for A: each person ahead is one visit
    s = status(client, mine)
    assert (s["status"], s["position"]) == ("waiting", 3)
    # Two visits modelled on the 300 s standard (log-normal): their median sum.
    two_visits = s["estimated_wait_s"]
    assert 1.4 * STANDARD_SERVICE_S < two_visits < 2.2 * STANDARD_SERVICE_S

    assert teller(client, kit, "call-next", "7")["ticket"]["code"] == "A001"
    s = status(client, mine)
    # A001's visit has just begun: still two visits to wait through (the old formula
    # forgot the customer at the counter and said one).
    assert (s["status"], s["position"]) == ("waiting", 2)
    assert abs(s["estimated_wait_s"] - two_visits) < 30

    assert teller(client, kit, "call-next", "7")["ticket"]["code"] == "A002"
    s = status(client, mine)
    assert (s["status"], s["position"], s["counter"]) == ("waiting", 1, None)
    # Next, but the counter is busy: the rest of A002's visit (the old formula said 0).
    assert 0.5 * STANDARD_SERVICE_S < s["estimated_wait_s"] < 1.1 * STANDARD_SERVICE_S

    assert teller(client, kit, "call-next", "7")["ticket"]["code"] == "A003"
    s = status(client, mine)
    assert s["status"] == "called"
    assert s["counter"] == "7"
    assert s["position"] is None


def test_priority_ticket_goes_ahead_of_normal_ones_when_strictly_first(
    client: TestClient, make: Any
) -> None:
    kit = make(make_branch, code=CODE, policy={"priority_mode": "strict"})
    normal = issue(client, kit)
    urgent = issue(client, kit, priority=True, priority_reason="elderly")
    assert status(client, urgent["token"])["position"] == 1
    assert status(client, normal["token"])["position"] == 2


def test_priority_ticket_waits_its_turn_under_a_ratio(client: TestClient, kit: BranchKit) -> None:
    # One priority call after every two normal ones (the default): a counter opening now
    # calls the normal customer who came first (the old count put the priority one first).
    normal = issue(client, kit)
    urgent = issue(client, kit, priority=True, priority_reason="elderly")
    assert status(client, normal["token"])["position"] == 1
    assert status(client, urgent["token"])["position"] == 2
    teller(client, kit, "open", "7")
    assert teller(client, kit, "call-next", "7")["ticket"]["id"] == normal["id"]
    assert status(client, urgent["token"])["position"] == 1


def test_counter_label_shows_after_a_call(client: TestClient, kit: BranchKit) -> None:
    t = issue(client, kit, "B")
    assert status(client, t["token"])["counter"] is None
    teller(client, kit, "open", "Window 9", who="teller2")
    called = teller(client, kit, "call-next", "Window 9", who="teller2")
    assert called["ticket"]["id"] == t["id"]
    s = status(client, t["token"])
    assert (s["status"], s["counter"]) == ("called", "Window 9")
    r = client.post(f"/api/v1/tickets/{t['id']}/serve", headers=kit.auth("teller2"))
    assert r.status_code == 200
    s = status(client, t["token"])
    assert (s["status"], s["counter"]) == ("serving", "Window 9")


def test_cancelled_ticket_has_no_position(client: TestClient, kit: BranchKit) -> None:
    first, second = issue(client, kit), issue(client, kit)
    r = client.post(f"/api/v1/tickets/{first['id']}/cancel", headers=kit.auth("teller1"))
    assert r.status_code == 200
    s = status(client, first["token"])
    assert (s["status"], s["position"], s["estimated_wait_s"]) == ("cancelled", None, None)
    assert status(client, second["token"])["position"] == 1


def test_transferred_ticket_waits_in_new_queue(client: TestClient, kit: BranchKit) -> None:
    issue(client, kit, "B")
    t = issue(client, kit, "A")
    r = client.post(
        f"/api/v1/tickets/{t['id']}/transfer", json={"service": "B"}, headers=kit.auth("teller1")
    )
    assert r.status_code == 200, r.text
    s = status(client, t["token"])
    assert s["code"] == "A001"  # the printed code stays
    assert s["status"] == "transferred"
    assert s["position"] is not None
    assert s["position"] >= 1


@pytest.mark.parametrize("token", ["unknown-token-0000", "x" * 64])
def test_unknown_token(client: TestClient, kit: BranchKit, token: str) -> None:
    issue(client, kit)
    r = client.get(f"/api/v1/tickets/by-token/{token}")
    assert r.status_code == 404
    assert "no ticket" in r.json()["detail"]
    r = client.post(f"/api/v1/tickets/by-token/{token}/feedback", json={"score": 5})
    assert r.status_code == 404


# --- feedback ------------------------------------------------------------------------------------


def _row(db: Database, ticket_id: int) -> Ticket:
    with db.unit_of_work(write=False) as session:
        return session.get(Ticket, ticket_id)  # type: ignore[return-value]


def _feedback_events(db: Database) -> list[Event]:
    with db.unit_of_work(write=False) as session:
        return list(session.exec(select(Event).where(Event.type == "ticket.feedback")))


@pytest.mark.parametrize(("score", "comment"), [(1, "waited far too long"), (5, None), (3, "")])
def test_feedback_on_done_ticket(
    client: TestClient, kit: BranchKit, db: Database, score: int, comment: str | None
) -> None:
    t = finished_ticket(client, kit)
    body: dict[str, Any] = {"score": score}
    if comment is not None:
        body["comment"] = comment
    r = client.post(f"/api/v1/tickets/by-token/{t['token']}/feedback", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["score"] == score
    row = _row(db, t["id"])
    assert row.feedback_score == score
    assert row.feedback_comment == (comment or None)
    events = _feedback_events(db)
    assert len(events) == 1
    assert events[0].ticket_id == t["id"]
    assert events[0].data["score"] == score
    assert events[0].data["ticket"]["code"] == "A001"
    assert status(client, t["token"])["feedback_given"] is True


def test_feedback_reaches_the_live_feed(client: TestClient, kit: BranchKit) -> None:
    t = finished_ticket(client, kit)
    before = client.get(f"/api/v1/branches/{CODE}/snapshot", headers=kit.auth("display")).json()[
        "seq"
    ]
    with client.websocket_connect(
        f"/api/v1/branches/{CODE}/events?since={before}", headers=kit.auth("display")
    ) as ws:
        assert (
            client.post(
                f"/api/v1/tickets/by-token/{t['token']}/feedback", json={"score": 4}
            ).status_code
            == 201
        )
        msg = ws.receive_json()
        while msg.get("type") != "ticket.feedback":
            msg = ws.receive_json()
    assert msg["seq"] == before + 1
    assert msg["data"]["score"] == 4


@pytest.mark.parametrize("state", ["waiting", "called", "serving", "no_show", "cancelled"])
def test_feedback_refused_unless_done(
    client: TestClient, kit: BranchKit, db: Database, state: str
) -> None:
    t = issue(client, kit)
    if state in ("called", "serving", "no_show"):
        teller(client, kit, "open", "7")
        teller(client, kit, "call-next", "7")
    if state == "serving":
        assert (
            client.post(f"/api/v1/tickets/{t['id']}/serve", headers=kit.auth("teller1")).status_code
            == 200
        )
    if state == "no_show":
        assert (
            client.post(
                f"/api/v1/tickets/{t['id']}/no-show", headers=kit.auth("teller1")
            ).status_code
            == 200
        )
    if state == "cancelled":
        assert (
            client.post(
                f"/api/v1/tickets/{t['id']}/cancel", headers=kit.auth("teller1")
            ).status_code
            == 200
        )
    assert status(client, t["token"])["status"] == state
    r = client.post(f"/api/v1/tickets/by-token/{t['token']}/feedback", json={"score": 5})
    assert r.status_code == 409
    assert "A001" in r.json()["detail"]
    assert _row(db, t["id"]).feedback_score is None
    assert _feedback_events(db) == []
    assert status(client, t["token"])["feedback_given"] is False
