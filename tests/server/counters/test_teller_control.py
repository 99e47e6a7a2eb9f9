"""What a teller decides at the counter: how the last visit ended, whom to call, where to send
a customer. Each check failed before: "Finish and call next" recorded a customer who never
came as served, and a teller could only call the next ticket by the rules.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from server.clock import FrozenClock
from tests.support import BranchKit, make_branch


@pytest.fixture
def kit(make: Any) -> BranchKit:
    # Counter 1 serves A and B, counter 2 serves B, counter 3 serves C.
    return make(make_branch, counters={"1": ["A", "B"], "2": ["B"], "3": ["C"]})


def issue(client: TestClient, kit: BranchKit, service: str, lang: str = "en") -> dict[str, Any]:
    r = client.post(
        f"/api/v1/branches/{kit.code}/tickets",
        json={"service": service, "lang": lang},
        headers=kit.auth("kiosk"),
    )
    assert r.status_code == 201, r.text
    return r.json()


def at(client: TestClient, kit: BranchKit, label: str, op: str, body: Any = None) -> Any:
    return client.post(
        f"/api/v1/counters/{kit.counters[label]}/{op}",
        headers=kit.auth(f"teller{label}"),
        json=body,
    )


def ticket(client: TestClient, kit: BranchKit, ticket_id: int) -> dict[str, Any]:
    r = client.get(f"/api/v1/tickets/{ticket_id}", headers=kit.auth("manager"))
    assert r.status_code == 200, r.text
    return r.json()["ticket"]


def test_call_next_records_a_customer_who_never_came_as_a_no_show(client, kit) -> None:
    first, second, third = issue(client, kit, "A"), issue(client, kit, "A"), issue(client, kit, "A")
    assert at(client, kit, "1", "open").status_code == 200
    assert at(client, kit, "1", "call-next").json()["ticket"]["id"] == first["id"]
    nxt = at(client, kit, "1", "call-next", {"previous": "no_show"})
    assert nxt.json()["ticket"]["id"] == second["id"]
    assert ticket(client, kit, first["id"])["status"] == "no_show"
    # The default stays "served" (keypads and integrations send no body).
    assert at(client, kit, "1", "call-next").json()["ticket"]["id"] == third["id"]
    assert ticket(client, kit, second["id"])["status"] == "done"
    # The customer who never came is not asked how their service was.
    feedback = client.post(f"/api/v1/tickets/by-token/{first['token']}/feedback", json={"score": 5})
    assert feedback.status_code == 409


def test_a_customer_being_served_cannot_be_a_no_show(client, kit) -> None:
    first = issue(client, kit, "A")
    issue(client, kit, "A")
    assert at(client, kit, "1", "open").status_code == 200
    assert at(client, kit, "1", "call-next").status_code == 200
    served = client.post(f"/api/v1/tickets/{first['id']}/serve", headers=kit.auth("teller1"))
    assert served.status_code == 200
    refused = at(client, kit, "1", "call-next", {"previous": "no_show"})
    assert refused.status_code == 409
    assert "they came" in refused.json()["detail"]
    assert ticket(client, kit, first["id"])["status"] == "serving"


def test_a_no_show_can_be_undone_for_a_while_and_waits_at_its_arrival(
    client, kit, clock: FrozenClock
) -> None:
    early = issue(client, kit, "A")
    clock.advance(60)
    later = issue(client, kit, "A")
    assert at(client, kit, "1", "open").status_code == 200
    assert at(client, kit, "1", "call-next").json()["ticket"]["id"] == early["id"]
    assert at(client, kit, "1", "call-next", {"previous": "no_show"}).status_code == 200
    # They came after all: back in the queue, ahead of those who arrived after them.
    clock.advance(30)
    undo = client.post(f"/api/v1/tickets/{early['id']}/undo-no-show", headers=kit.auth("teller1"))
    assert undo.status_code == 200, undo.text
    assert (undo.json()["ticket"]["status"], undo.json()["ticket"]["counter"]) == ("waiting", None)
    assert at(client, kit, "1", "call-next").json()["ticket"]["id"] == early["id"]
    # ... but not long after.
    assert at(client, kit, "1", "call-next", {"previous": "no_show"}).status_code == 204
    assert ticket(client, kit, later["id"])["status"] == "done"
    clock.advance(301)
    late = client.post(f"/api/v1/tickets/{early['id']}/undo-no-show", headers=kit.auth("teller1"))
    assert late.status_code == 409
    assert "new ticket" in late.json()["detail"]


def test_a_teller_calls_a_ticket_chosen_from_the_waiting_list(client, kit) -> None:
    a1, b1, a2 = (
        issue(client, kit, "A"),
        issue(client, kit, "B", lang="tr"),
        issue(client, kit, "A"),
    )
    c1 = issue(client, kit, "C")
    assert at(client, kit, "1", "open").status_code == 200
    listed = client.get(f"/api/v1/counters/{kit.counters['1']}/queue", headers=kit.auth("teller1"))
    assert listed.status_code == 200, listed.text
    mine = [row["ticket"]["code"] for row in listed.json()["mine"]]
    assert mine == [a1["code"], b1["code"], a2["code"]]
    assert [row["ticket"]["code"] for row in listed.json()["others"]] == [c1["code"]]
    assert listed.json()["mine"][1]["ticket"]["lang"] == "tr"  # the customer's language
    chosen = at(client, kit, "1", "call", {"ticket": a2["id"]})
    assert chosen.status_code == 200, chosen.text
    assert (chosen.json()["ticket"]["id"], chosen.json()["rule"]) == (a2["id"], "chosen")
    assert ticket(client, kit, a2["id"])["call_rule"] == "chosen"
    # Another service's customer, while this counter's own are waiting: refused.
    other = at(client, kit, "1", "call", {"ticket": c1["id"]})
    assert other.status_code == 409
    assert "own services" in other.json()["detail"]
    # A ticket no longer waiting cannot be chosen.
    again = at(client, kit, "1", "call", {"ticket": a2["id"]})
    assert again.status_code == 409


def test_an_idle_counter_calls_from_a_service_it_does_not_serve(client, kit) -> None:
    c1 = issue(client, kit, "C")
    assert at(client, kit, "2", "open").status_code == 200
    assert at(client, kit, "2", "call-next").status_code == 204  # nobody for B
    borrowed = at(client, kit, "2", "call-next", {"service": "C"})
    assert borrowed.status_code == 200, borrowed.text
    assert borrowed.json()["ticket"]["id"] == c1["id"]
    issue(client, kit, "B")
    issue(client, kit, "C")
    busy = at(client, kit, "2", "call-next", {"service": "C"})
    assert busy.status_code == 409
    unknown = at(client, kit, "2", "call-next", {"service": "Z"})
    assert unknown.status_code == 422


def test_transfer_to_a_chosen_counter_with_a_note(client, kit) -> None:
    b1, b2 = issue(client, kit, "B"), issue(client, kit, "B")
    assert at(client, kit, "1", "open").status_code == 200
    assert at(client, kit, "2", "open").status_code == 200
    assert at(client, kit, "1", "call-next").json()["ticket"]["id"] == b1["id"]
    sent = client.post(
        f"/api/v1/tickets/{b1['id']}/transfer",
        json={"counter": kit.counters["2"], "note": "needs the account manager"},
        headers=kit.auth("teller1"),
    )
    assert sent.status_code == 200, sent.text
    moved = sent.json()["ticket"]
    assert (moved["status"], moved["service"], moved["counter"]) == ("transferred", "B", None)
    # Counter 1 also serves B, but the customer waits for counter 2 alone.
    assert at(client, kit, "1", "call-next").json()["ticket"]["id"] == b2["id"]
    assert at(client, kit, "1", "call-next").status_code == 204
    called = at(client, kit, "2", "call-next")
    assert called.json()["ticket"]["id"] == b1["id"]
    assert called.json()["ticket"]["transfer_note"] == "needs the account manager"
    # The customer's phone never shows the counter they left, and a screen is told no note.
    phone = client.get(f"/api/v1/tickets/by-token/{b1['token']}").json()
    assert phone["counter"] == "2"


def test_a_ticket_sent_to_a_counter_is_not_another_counters_to_call(
    client, kit, clock: FrozenClock
) -> None:
    b1 = issue(client, kit, "B")
    assert at(client, kit, "1", "open").status_code == 200
    assert at(client, kit, "1", "call-next").json()["ticket"]["id"] == b1["id"]
    sent = client.post(
        f"/api/v1/tickets/{b1['id']}/transfer",
        json={"counter": kit.counters["2"]},
        headers=kit.auth("teller1"),
    )
    assert sent.json()["ticket"]["transfer_counter_id"] == kit.counters["2"]
    clock.advance(400)
    listed = client.get(f"/api/v1/counters/{kit.counters['1']}/queue", headers=kit.auth("teller1"))
    assert listed.json()["mine"] == []
    [row] = listed.json()["others"]
    assert row["ticket"]["id"] == b1["id"]
    assert row["waited_s"] >= 400  # since the customer arrived, still counting
    refused = at(client, kit, "1", "call", {"ticket": b1["id"]})
    assert refused.status_code == 409
    assert "another counter" in refused.json()["detail"]
    assert at(client, kit, "2", "open").status_code == 200
    assert at(client, kit, "2", "call", {"ticket": b1["id"]}).status_code == 200


def test_a_held_counter_is_refused_with_its_own_code(client, kit) -> None:
    assert at(client, kit, "1", "open").status_code == 200
    other = client.post(f"/api/v1/counters/{kit.counters['1']}/open", headers=kit.auth("teller2"))
    assert (other.status_code, other.json()["code"]) == (409, "counter_held")


def test_a_transfer_says_where_to(client, kit) -> None:
    a1 = issue(client, kit, "A")
    assert at(client, kit, "1", "open").status_code == 200
    assert at(client, kit, "1", "call-next").status_code == 200
    nowhere = client.post(
        f"/api/v1/tickets/{a1['id']}/transfer", json={}, headers=kit.auth("teller1")
    )
    assert nowhere.status_code == 422
    wrong = client.post(
        f"/api/v1/tickets/{a1['id']}/transfer",
        json={"counter": kit.counters["3"], "service": "A"},
        headers=kit.auth("teller1"),
    )
    assert wrong.status_code == 409
    assert "does not serve" in wrong.json()["detail"]
