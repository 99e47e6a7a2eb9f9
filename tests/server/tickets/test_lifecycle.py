"""Every ticket and counter operation through the API, with the events each one appends.

Each operation is checked three ways: the response, the state read back afterwards, and the
exact events appended to the branch's log (type and ticket). Refused operations must leave
the state and the log untouched.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from server.clock import FrozenClock
from server.db import Database
from server.models import Event
from tests.support import BranchKit, make_branch

# --- helpers ------------------------------------------------------------------------------


def issue(
    client: TestClient, kit: BranchKit, service: str = "A", *, priority: bool = False
) -> dict[str, Any]:
    r = client.post(
        f"/api/v1/branches/{kit.code}/tickets",
        json={"service": service, "priority": priority},
        headers=kit.auth("kiosk"),
    )
    assert r.status_code == 201, r.text
    return r.json()


def counter_op(client: TestClient, kit: BranchKit, label: str, op: str, **body: Any) -> Any:
    return client.post(
        f"/api/v1/counters/{kit.counters[label]}/{op}",
        headers=kit.auth("teller1"),
        json=body or None,
    )


def ticket_op(client: TestClient, kit: BranchKit, ticket_id: int, op: str, **body: Any) -> Any:
    return client.post(
        f"/api/v1/tickets/{ticket_id}/{op}", headers=kit.auth("teller1"), json=body or None
    )


def ok(response: Any, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return response.json()


def counter(client: TestClient, kit: BranchKit, label: str) -> dict[str, Any]:
    return ok(client.get(f"/api/v1/counters/{kit.counters[label]}", headers=kit.auth("teller1")))


def ticket(client: TestClient, kit: BranchKit, ticket_id: int) -> dict[str, Any]:
    return ok(client.get(f"/api/v1/tickets/{ticket_id}", headers=kit.auth("teller1")))["ticket"]


def events(db: Database, kit: BranchKit) -> list[Event]:
    with db.read_session() as s:
        return list(
            s.exec(select(Event).where(Event.branch_id == kit.branch_id).order_by(Event.seq))
        )


class Log:
    """The branch's event log; ``new()`` gives (type, ticket_id) of rows added since last look."""

    def __init__(self, db: Database, kit: BranchKit) -> None:
        self.db, self.kit = db, kit
        self.seen = len(events(db, kit))

    def new(self) -> list[tuple[str, int | None]]:
        rows = events(self.db, self.kit)
        added, self.seen = rows[self.seen :], len(rows)
        return [(e.type, e.ticket_id) for e in added]

    def last(self) -> Event:
        return events(self.db, self.kit)[-1]


def open_counter(client: TestClient, kit: BranchKit, label: str = "1") -> None:
    ok(counter_op(client, kit, label, "open"))


def called(
    client: TestClient, kit: BranchKit, label: str = "1", service: str = "A"
) -> dict[str, Any]:
    """Issue a ticket and call it at counter ``label`` (opened here if it is closed)."""
    if counter(client, kit, label)["state"] == "closed":
        open_counter(client, kit, label)
    t = issue(client, kit, service)
    body = ok(counter_op(client, kit, label, "call-next"))
    assert body["ticket"]["id"] == t["id"]
    return body["ticket"]


def assert_conflict(response: Any, *words: str) -> None:
    assert response.status_code == 409, response.text
    detail = response.json()["detail"]
    for word in words:
        assert word in detail, detail


@pytest.fixture
def kit(make) -> BranchKit:
    return make(make_branch)


@pytest.fixture
def log(db: Database, kit: BranchKit, client: TestClient) -> Log:
    return Log(db, kit)


# --- counter states -------------------------------------------------------------------------


def test_open_pause_resume_close(client, kit, log: Log) -> None:
    cid = kit.counters["1"]
    assert counter(client, kit, "1")["state"] == "closed"

    opened = ok(counter_op(client, kit, "1", "open"))
    assert (opened["state"], opened["teller_id"]) == ("open", kit.user_ids["teller1"])
    paused = ok(counter_op(client, kit, "1", "pause", reason="lunch"))
    assert (paused["state"], paused["pause_reason"]) == ("paused", "lunch")
    resumed = ok(counter_op(client, kit, "1", "resume"))
    assert (resumed["state"], resumed["pause_reason"]) == ("open", None)
    closed = ok(counter_op(client, kit, "1", "close"))
    assert (closed["state"], closed["teller_id"]) == ("closed", None)

    assert counter(client, kit, "1")["state"] == "closed"
    assert log.new() == [("counter.changed", None)] * 4
    states = [e.data["counter"]["state"] for e in events(log.db, kit)]
    assert states == ["open", "paused", "open", "closed"]
    assert all(e.counter_id == cid for e in events(log.db, kit))


def test_pause_without_a_body_records_a_default_reason(client, kit) -> None:
    open_counter(client, kit)
    assert ok(counter_op(client, kit, "1", "pause"))["pause_reason"] == "break"


@pytest.mark.parametrize(
    ("setup", "op", "state"),
    [
        ([], "pause", "closed"),
        ([], "resume", "closed"),
        ([], "recall", "closed"),
        (["open"], "resume", "open"),
        (["open", "pause"], "pause", "paused"),
    ],
)
def test_counter_operation_from_the_wrong_state_is_refused(
    client, kit, log: Log, setup, op, state
) -> None:
    for step in setup:
        ok(counter_op(client, kit, "1", step))
    log.new()
    assert_conflict(counter_op(client, kit, "1", op), f"counter 1 is {state}")
    assert counter(client, kit, "1")["state"] == state
    assert log.new() == []


def test_opening_ones_own_counter_again_keeps_it_or_resumes_it(client, kit, log: Log) -> None:
    """ "Open" means "open, and mine": on the teller's own open counter it changes nothing, on
    their own paused one it resumes."""
    ok(counter_op(client, kit, "1", "open"))
    log.new()
    again = ok(counter_op(client, kit, "1", "open"))
    assert (again["state"], again["held_by"]["username"]) == ("open", "demo-teller1")
    assert log.new() == []
    ok(counter_op(client, kit, "1", "pause"))
    log.new()
    reopened = ok(counter_op(client, kit, "1", "open"))
    assert (reopened["state"], reopened["pause_reason"]) == ("open", None)
    assert log.new() == [("counter.changed", None)]


@pytest.mark.parametrize("setup", [[], ["open", "pause"]], ids=["closed", "paused"])
def test_call_next_on_a_closed_or_paused_counter_is_refused_and_changes_nothing(
    client, kit, log: Log, setup: list[str]
) -> None:
    for step in setup:
        ok(counter_op(client, kit, "1", step))
    waiting = issue(client, kit, "A")
    before = counter(client, kit, "1")
    log.new()

    r = counter_op(client, kit, "1", "call-next")

    assert_conflict(r, f"counter 1 is {before['state']}", "must be open")
    assert counter(client, kit, "1") == before
    assert ticket(client, kit, waiting["id"])["status"] == "waiting"
    assert log.new() == []


def test_call_next_on_a_paused_counter_keeps_its_customer(client, kit, log: Log) -> None:
    current = called(client, kit)
    ok(counter_op(client, kit, "1", "pause", reason="phone"))
    issue(client, kit, "A")
    log.new()
    assert_conflict(counter_op(client, kit, "1", "call-next"), "paused")
    assert ticket(client, kit, current["id"])["status"] == "called"
    assert counter(client, kit, "1")["current_ticket"]["id"] == current["id"]
    assert log.new() == []


def test_close_with_a_customer_at_the_counter_is_refused(client, kit, log: Log) -> None:
    current = called(client, kit)
    ok(ticket_op(client, kit, current["id"], "serve"))
    log.new()
    assert_conflict(counter_op(client, kit, "1", "close"), current["code"])
    state = counter(client, kit, "1")
    assert (state["state"], state["current_ticket"]["id"]) == ("open", current["id"])
    assert ticket(client, kit, current["id"])["status"] == "serving"
    assert log.new() == []

    ok(ticket_op(client, kit, current["id"], "finish"))
    assert ok(counter_op(client, kit, "1", "close"))["state"] == "closed"


# --- calling ---------------------------------------------------------------------------------


def test_call_next_sets_the_ticket_and_counter_and_announces(
    client, kit, log: Log, clock: FrozenClock
) -> None:
    open_counter(client, kit)
    t = issue(client, kit, "A")
    clock.advance(seconds=90)
    log.new()
    body = ok(counter_op(client, kit, "1", "call-next"))
    assert body["ticket"]["id"] == t["id"]
    assert body["counter"] == {"id": kit.counters["1"], "label": "1"}
    assert body["announcement"]["text"]
    assert body["waited_s"] == 90

    stored = ticket(client, kit, t["id"])
    assert stored["status"] == "called"
    assert stored["first_called_at"] == stored["called_at"] == clock.now().isoformat()
    assert stored["counter"]["label"] == "1"
    assert counter(client, kit, "1")["current_ticket"]["id"] == t["id"]
    assert log.new() == [("ticket.called", t["id"])]
    assert log.last().data["ticket"]["code"] == t["code"]


def test_call_next_while_a_ticket_is_at_the_counter_finishes_it_first(
    client, kit, log: Log
) -> None:
    first = called(client, kit)
    ok(ticket_op(client, kit, first["id"], "serve"))
    second = issue(client, kit, "A")
    log.new()

    body = ok(counter_op(client, kit, "1", "call-next"))

    assert body["ticket"]["id"] == second["id"]
    assert ticket(client, kit, first["id"])["status"] == "done"
    assert log.new() == [("ticket.finished", first["id"]), ("ticket.called", second["id"])]


def test_call_next_with_nobody_waiting_still_finishes_the_current_ticket(
    client, kit, log: Log
) -> None:
    first = called(client, kit)
    log.new()
    r = counter_op(client, kit, "1", "call-next")
    assert r.status_code == 204
    assert ticket(client, kit, first["id"])["status"] == "done"
    assert counter(client, kit, "1")["current_ticket"] is None
    assert log.new() == [("ticket.finished", first["id"])]


def test_recall_re_announces_and_counts(client, kit, log: Log, clock: FrozenClock) -> None:
    t = called(client, kit)
    first_call = ticket(client, kit, t["id"])["first_called_at"]
    log.new()
    clock.advance(seconds=30)

    body = ok(counter_op(client, kit, "1", "recall"))
    assert (body["ticket"]["id"], body["recall_count"]) == (t["id"], 1)
    assert body["announcement"]["text"]
    ok(counter_op(client, kit, "1", "recall"))

    stored = ticket(client, kit, t["id"])
    assert (stored["status"], stored["recall_count"]) == ("called", 2)
    assert stored["first_called_at"] == first_call  # the wait still ends at the first call
    assert stored["called_at"] == first_call  # service time still counts from the call
    assert stored["recalled_at"] == clock.now().isoformat()
    assert log.new() == [("ticket.recalled", t["id"])] * 2


def test_recall_needs_a_called_ticket(client, kit, log: Log) -> None:
    open_counter(client, kit)
    log.new()
    assert_conflict(counter_op(client, kit, "1", "recall"), "no called ticket")
    t = called(client, kit)
    ok(ticket_op(client, kit, t["id"], "serve"))
    log.new()
    assert_conflict(counter_op(client, kit, "1", "recall"), "no called ticket")
    assert ticket(client, kit, t["id"])["recall_count"] == 0
    assert log.new() == []


# --- ticket operations ------------------------------------------------------------------------


def test_serve(client, kit, log: Log, clock: FrozenClock) -> None:
    t = called(client, kit)
    clock.advance(seconds=20)
    log.new()
    body = ok(ticket_op(client, kit, t["id"], "serve"))
    assert body["ticket"]["status"] == "serving"
    stored = ticket(client, kit, t["id"])
    assert (stored["status"], stored["serving_at"]) == ("serving", clock.now().isoformat())
    assert counter(client, kit, "1")["current_ticket"]["id"] == t["id"]
    assert log.new() == [("ticket.serving", t["id"])]


@pytest.mark.parametrize("serve_first", [False, True], ids=["from_called", "from_serving"])
def test_finish(client, kit, log: Log, clock: FrozenClock, serve_first: bool) -> None:
    t = called(client, kit)
    if serve_first:
        ok(ticket_op(client, kit, t["id"], "serve"))
    clock.advance(seconds=120)
    log.new()
    body = ok(ticket_op(client, kit, t["id"], "finish"))
    assert body["ticket"]["status"] == "done"
    stored = ticket(client, kit, t["id"])
    assert (stored["status"], stored["finished_at"]) == ("done", clock.now().isoformat())
    assert counter(client, kit, "1")["current_ticket"] is None
    assert log.new() == [("ticket.finished", t["id"])]
    assert log.last().data["service_s"] == 120


def test_no_show(client, kit, log: Log) -> None:
    t = called(client, kit)
    log.new()
    assert ok(ticket_op(client, kit, t["id"], "no-show"))["ticket"]["status"] == "no_show"
    assert ticket(client, kit, t["id"])["status"] == "no_show"
    assert counter(client, kit, "1")["current_ticket"] is None
    assert log.new() == [("ticket.no_show", t["id"])]


def test_transfer_keeps_code_and_arrival_and_queues_in_the_new_service(
    client, kit, log: Log, clock: FrozenClock
) -> None:
    t = called(client, kit)
    ok(ticket_op(client, kit, t["id"], "serve"))
    clock.advance(seconds=300)
    log.new()

    body = ok(ticket_op(client, kit, t["id"], "transfer", service="C"))

    stored = ticket(client, kit, t["id"])
    assert body["ticket"] == stored
    assert (stored["status"], stored["service"], stored["original_service"]) == (
        "transferred",
        "C",
        "A",
    )
    assert (stored["code"], stored["issued_at"]) == (t["code"], t["issued_at"])
    assert (stored["counter"], stored["transfer_count"]) == (None, 1)
    assert counter(client, kit, "1")["current_ticket"] is None
    assert log.new() == [("ticket.transferred", t["id"])]
    assert (log.last().data["from_service"], log.last().data["to_service"]) == ("A", "C")

    # It now waits in C's queue: counter 1 (A, B) has nobody, counter 4 (C) calls it.
    assert counter_op(client, kit, "1", "call-next").status_code == 204
    open_counter(client, kit, "4")
    again = ok(counter_op(client, kit, "4", "call-next"))["ticket"]
    assert (again["id"], again["code"], again["issued_at"]) == (t["id"], t["code"], t["issued_at"])
    assert (again["status"], again["service"]) == ("called", "C")


def test_transfer_to_the_same_service_is_refused(client, kit, log: Log) -> None:
    t = called(client, kit)
    log.new()
    r = ticket_op(client, kit, t["id"], "transfer", service="A")
    assert r.status_code == 422, r.text
    assert ticket(client, kit, t["id"])["status"] == "called"
    assert log.new() == []


def test_cancel_a_waiting_ticket(client, kit, log: Log) -> None:
    t = issue(client, kit, "A")
    log.new()
    body = ok(ticket_op(client, kit, t["id"], "cancel", reason="left"))
    assert (body["ticket"]["status"], body["ticket"]["cancel_reason"]) == ("cancelled", "left")
    assert ticket(client, kit, t["id"])["status"] == "cancelled"
    assert log.new() == [("ticket.cancelled", t["id"])]
    open_counter(client, kit)
    assert counter_op(client, kit, "1", "call-next").status_code == 204


def test_recovery_is_logged_without_changing_the_ticket(client, kit, log: Log) -> None:
    t = called(client, kit)
    ok(ticket_op(client, kit, t["id"], "finish"))
    before = ticket(client, kit, t["id"])
    log.new()
    body = ok(
        ticket_op(client, kit, t["id"], "recovery", action="apologized", note="long wait"), 201
    )
    assert (body["action"], body["ticket"]["id"]) == ("apologized", t["id"])
    assert ticket(client, kit, t["id"]) == before
    assert log.new() == [("ticket.recovery", t["id"])]
    assert (log.last().data["action"], log.last().data["note"]) == ("apologized", "long wait")


# Operations refused from a ticket's status: (status the ticket is in, operation, body).
REFUSED = [
    ("waiting", "serve", {}),
    ("waiting", "finish", {}),
    ("waiting", "no-show", {}),
    ("waiting", "recovery", {"action": "other", "note": ""}),
    ("called", "cancel", {}),
    ("serving", "serve", {}),
    ("serving", "no-show", {}),
    ("serving", "cancel", {}),
    ("done", "finish", {}),
    ("done", "serve", {}),
    ("done", "transfer", {"service": "C"}),
    ("no_show", "finish", {}),
    ("cancelled", "finish", {}),
    ("cancelled", "transfer", {"service": "C"}),
]


def _bring_to(client: TestClient, kit: BranchKit, status: str) -> dict[str, Any]:
    if status in ("waiting", "cancelled"):
        t = issue(client, kit, "A")
        if status == "cancelled":
            ok(ticket_op(client, kit, t["id"], "cancel"))
        return t
    t = called(client, kit)
    follow = {"called": [], "serving": ["serve"], "done": ["finish"], "no_show": ["no-show"]}[
        status
    ]
    for op in follow:
        ok(ticket_op(client, kit, t["id"], op))
    return t


@pytest.mark.parametrize(("status", "op", "body"), REFUSED, ids=[f"{s}-{o}" for s, o, _ in REFUSED])
def test_ticket_operation_from_the_wrong_status_is_refused_and_changes_nothing(
    client, kit, log: Log, status: str, op: str, body: dict[str, Any]
) -> None:
    t = _bring_to(client, kit, status)
    before = ticket(client, kit, t["id"])
    assert before["status"] == status
    log.new()

    r = ticket_op(client, kit, t["id"], op, **body)

    assert_conflict(r, t["code"], f"'{status}'")
    assert ticket(client, kit, t["id"]) == before
    assert log.new() == []


def test_finish_before_call_is_refused_with_a_readable_reason(client, kit) -> None:
    t = issue(client, kit, "A")
    r = ticket_op(client, kit, t["id"], "finish")
    assert r.status_code == 409
    assert (
        r.json()["detail"]
        == f"ticket {t['code']} is 'waiting' and cannot be finished; it must be called or serving"
    )


# --- the event log ---------------------------------------------------------------------------


def _full_day(client: TestClient, kit: BranchKit, clock: FrozenClock) -> None:
    """Touch every operation once."""
    a = called(client, kit)
    ok(counter_op(client, kit, "1", "recall"))
    ok(ticket_op(client, kit, a["id"], "serve"))
    clock.advance(seconds=60)
    ok(ticket_op(client, kit, a["id"], "transfer", service="B"))
    ok(counter_op(client, kit, "1", "call-next"))  # calls the transferred ticket again
    b = issue(client, kit, "A")
    ok(
        counter_op(client, kit, "1", "call-next")
    )  # finishes a and calls b: two events in one commit
    ok(ticket_op(client, kit, a["id"], "recovery", action="explained_delay", note=""), 201)
    ok(ticket_op(client, kit, b["id"], "no-show"))
    c = issue(client, kit, "B")
    ok(ticket_op(client, kit, c["id"], "cancel"))
    ok(counter_op(client, kit, "1", "pause"))
    ok(counter_op(client, kit, "1", "resume"))
    ok(counter_op(client, kit, "1", "close"))


def test_every_operation_appends_events_with_seq_rising_by_one(
    client, kit, db: Database, clock
) -> None:
    _full_day(client, kit, clock)
    rows = events(db, kit)
    assert [e.seq for e in rows] == list(range(1, len(rows) + 1))
    assert {e.type for e in rows} == {
        "ticket.issued",
        "ticket.called",
        "ticket.recalled",
        "ticket.serving",
        "ticket.transferred",
        "ticket.finished",
        "ticket.recovery",
        "ticket.no_show",
        "ticket.cancelled",
        "counter.changed",
    }


def test_events_are_never_updated(client, kit, db: Database, clock: FrozenClock) -> None:
    t = called(client, kit)
    snapshot = [(e.id, e.seq, e.type, e.at, e.ticket_id, e.data) for e in events(db, kit)]
    ok(ticket_op(client, kit, t["id"], "serve"))
    ok(ticket_op(client, kit, t["id"], "finish"))
    _full_day(client, kit, clock)
    after = [(e.id, e.seq, e.type, e.at, e.ticket_id, e.data) for e in events(db, kit)]
    assert after[: len(snapshot)] == snapshot
    assert len(after) > len(snapshot)


def test_each_branch_has_its_own_sequence(
    client, kit, make, db: Database, clock: FrozenClock
) -> None:
    other = make(make_branch, code="other")
    for _ in range(3):
        issue(client, kit, "A")
        issue(client, other, "C")  # not served at counter 1, so _full_day runs undisturbed
    _full_day(client, other, clock)
    for k in (kit, other):
        seqs = [e.seq for e in events(db, k)]
        assert seqs == list(range(1, len(seqs) + 1)), k.code
    assert len(events(db, kit)) == 3
