"""Bad input is refused with a 4xx whose ``detail`` a person can read, and changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import select

from server.db import Database
from server.models import Branch, Counter, Device, Event, Service, Ticket, User
from tests.support import BranchKit, admin_token, make_branch

CODE = "bad"
TICKETS = f"/api/v1/branches/{CODE}/tickets"


@pytest.fixture
def kit(make: Any) -> BranchKit:
    return make(make_branch, code=CODE)


@pytest.fixture
def admin(make: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {make(admin_token)}"}


@pytest.fixture
def read(db: Database) -> Any:
    def run(fn: Any) -> Any:
        with db.unit_of_work(write=False) as session:
            return fn(session)

    return run


def count(read: Any, model: Any, *where: Any) -> int:
    return int(read(lambda s: s.exec(select(func.count()).select_from(model).where(*where)).one()))


def ticket_row(read: Any, ticket_id: int) -> Ticket:
    return read(lambda s: s.get(Ticket, ticket_id))


def problem(r: Any, status: int, *mentions: str) -> str:
    """Assert a readable refusal: the status, a JSON ``detail`` string naming ``mentions``."""
    assert r.status_code == status, r.text[:500]
    detail = r.json()["detail"]
    assert isinstance(detail, str)
    assert detail.strip()
    for m in mentions:
        assert m.lower() in detail.lower(), f"{m!r} not in {detail!r}"
    return detail


def issue(client: TestClient, kit: BranchKit, service: str = "A") -> dict[str, Any]:
    r = client.post(TICKETS, json={"service": service}, headers=kit.auth("kiosk"))
    assert r.status_code == 201, r.text
    return r.json()


def open_counter(client: TestClient, kit: BranchKit, label: str = "1") -> int:
    cid = kit.counters[label]
    r = client.post(f"/api/v1/counters/{cid}/open", headers=kit.auth("teller1"))
    assert r.status_code == 200, r.text
    return cid


def call(client: TestClient, kit: BranchKit, counter_id: int) -> dict[str, Any]:
    r = client.post(f"/api/v1/counters/{counter_id}/call-next", headers=kit.auth("teller1"))
    assert r.status_code == 200, r.text
    return r.json()["ticket"]


# --- issuing a ticket ------------------------------------------------------------------------

ISSUE_CASES = [
    pytest.param({"service": "Z"}, 404, ["Z", CODE], id="unknown service"),
    pytest.param({"service": 5}, 422, ["service"], id="service not a string"),
    pytest.param({"service": "a"}, 422, ["service"], id="service lower case"),
    pytest.param({"service": "A" * 10_000}, 422, ["service"], id="service 10k chars"),
    pytest.param({}, 422, ["service is required"], id="service missing"),
    pytest.param({"service": "A", "priority": "yes"}, 422, ["priority"], id="priority not a bool"),
    pytest.param({"service": "A", "priority": 1}, 422, ["priority"], id="priority is an int"),
    pytest.param(
        {"service": "A", "priority": True, "priority_reason": "vip"},
        422,
        ["priority_reason"],
        id="unknown priority reason",
    ),
    pytest.param(
        {"service": "A", "lang": "de"}, 422, ["de", "language"], id="unsupported language"
    ),
    pytest.param(
        {"service": "A", "lang": "english please"}, 422, ["lang"], id="malformed language"
    ),
    pytest.param({"service": "A", "lang": 7}, 422, ["lang"], id="language not a string"),
    pytest.param(
        {"service": "A", "request_id": "x"}, 422, ["request_id"], id="request id too short"
    ),
    pytest.param(
        {"service": "A", "request_id": "r" * 10_000}, 422, ["request_id"], id="request id 10k"
    ),
    pytest.param(["A"], 422, [], id="body is a list"),
    pytest.param("A", 422, [], id="body is a string"),
]


@pytest.mark.parametrize(("body", "status", "mentions"), ISSUE_CASES)
def test_issue_bad_body(
    client: TestClient, kit: BranchKit, read: Any, body: Any, status: int, mentions: list[str]
) -> None:
    r = client.post(TICKETS, json=body, headers=kit.auth("kiosk"))
    problem(r, status, *mentions)
    assert count(read, Ticket) == 0
    assert count(read, Event, Event.type == "ticket.issued") == 0
    # no number was used up
    assert issue(client, kit)["code"] == "A001"


@pytest.mark.parametrize(
    "raw", ['{"service": "A"', "service=A", "", '{"service": "A",}', "\xff\xfe"]
)
def test_issue_malformed_json(client: TestClient, kit: BranchKit, read: Any, raw: str) -> None:
    headers = {**kit.auth("kiosk"), "Content-Type": "application/json"}
    r = client.post(TICKETS, content=raw.encode("latin-1"), headers=headers)
    assert r.status_code == 422, r.text
    detail = problem(r, 422)
    if raw:
        assert "json" in detail.lower()
    assert count(read, Ticket) == 0
    assert issue(client, kit)["code"] == "A001"


def test_issue_unknown_branch(
    client: TestClient, kit: BranchKit, admin: dict[str, str], read: Any
) -> None:
    r = client.post("/api/v1/branches/nowhere/tickets", json={"service": "A"}, headers=admin)
    problem(r, 404, "nowhere")
    r = client.get("/api/v1/branches/nowhere/services", headers=admin)
    problem(r, 404, "nowhere")
    assert count(read, Ticket) == 0


def test_issue_at_closed_branch(
    client: TestClient, kit: BranchKit, admin: dict[str, str], read: Any
) -> None:
    r = client.patch(f"/api/v1/admin/branches/{CODE}", json={"is_open": False}, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["is_open"] is False
    r = client.post(TICKETS, json={"service": "A"}, headers=kit.auth("kiosk"))
    problem(r, 409, CODE, "closed")
    assert count(read, Ticket) == 0
    r = client.patch(f"/api/v1/admin/branches/{CODE}", json={"is_open": True}, headers=admin)
    assert r.status_code == 200
    assert issue(client, kit)["code"] == "A001"


def test_issue_for_retired_service(
    client: TestClient, kit: BranchKit, admin: dict[str, str], read: Any
) -> None:
    r = client.patch(
        f"/api/v1/admin/branches/{CODE}/services/B", json={"active": False}, headers=admin
    )
    assert r.status_code == 200, r.text
    problem(client.post(TICKETS, json={"service": "B"}, headers=kit.auth("kiosk")), 409, "B")
    assert count(read, Ticket) == 0
    assert issue(client, kit, "A")["code"] == "A001"


# --- unknown ids -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/v1/tickets/999999", None),
        ("POST", "/api/v1/tickets/999999/serve", None),
        ("POST", "/api/v1/tickets/999999/finish", None),
        ("POST", "/api/v1/tickets/999999/no-show", None),
        ("POST", "/api/v1/tickets/999999/cancel", None),
        ("POST", "/api/v1/tickets/999999/transfer", {"service": "B"}),
        ("POST", "/api/v1/tickets/999999/recovery", {"action": "apologized"}),
        ("GET", "/api/v1/counters/999999", None),
        ("POST", "/api/v1/counters/999999/call-next", None),
        ("POST", "/api/v1/counters/999999/open", None),
        ("POST", "/api/v1/counters/999999/pause", None),
        ("GET", f"/api/v1/admin/branches/{CODE}/counters/999999", None),
        ("PATCH", f"/api/v1/admin/branches/{CODE}/counters/999999", {"label": "x"}),
        ("DELETE", f"/api/v1/admin/branches/{CODE}/counters/999999", None),
        ("GET", "/api/v1/admin/users/999999", None),
        ("PATCH", "/api/v1/admin/users/999999", {"full_name": "x"}),
        ("DELETE", "/api/v1/admin/users/999999", None),
        ("GET", "/api/v1/admin/devices/999999", None),
        ("PATCH", "/api/v1/admin/devices/999999", {"name": "x"}),
        ("DELETE", "/api/v1/admin/devices/999999", None),
    ],
)
def test_unknown_id(
    client: TestClient, kit: BranchKit, admin: dict[str, str], method: str, path: str, body: Any
) -> None:
    problem(client.request(method, path, json=body, headers=admin), 404, "999999")


@pytest.mark.parametrize(
    ("method", "path", "body", "mentions"),
    [
        ("GET", f"/api/v1/admin/branches/{CODE}/services/Z", None, ["Z"]),
        ("PATCH", f"/api/v1/admin/branches/{CODE}/services/Z", {"active": False}, ["Z"]),
        ("DELETE", f"/api/v1/admin/branches/{CODE}/services/Z", None, ["Z"]),
        ("GET", "/api/v1/admin/branches/nowhere", None, ["nowhere"]),
        ("PATCH", "/api/v1/admin/branches/nowhere", {"message": "x"}, ["nowhere"]),
        ("DELETE", "/api/v1/admin/branches/nowhere", None, ["nowhere"]),
        ("GET", "/api/v1/branches/nowhere/snapshot", None, ["nowhere"]),
        ("GET", "/api/v1/branches/nowhere/metrics/live", None, ["nowhere"]),
        (
            "POST",
            "/api/v1/admin/devices",
            {"branch": "nowhere", "kind": "kiosk", "name": "k"},
            ["nowhere"],
        ),
        (
            "POST",
            "/api/v1/admin/users",
            {
                "username": "newbie",
                "password": "long enough pw",
                "role": "teller",
                "branch": "nowhere",
            },
            ["nowhere"],
        ),
    ],
)
def test_unknown_key(
    client: TestClient,
    kit: BranchKit,
    admin: dict[str, str],
    read: Any,
    method: str,
    path: str,
    body: Any,
    mentions: list[str],
) -> None:
    problem(client.request(method, path, json=body, headers=admin), 404, *mentions)
    assert count(read, Device) == 4
    assert count(read, User, User.username == "newbie") == 0


@pytest.mark.parametrize(
    "path", ["/api/v1/tickets/abc", "/api/v1/counters/1.5", "/api/v1/admin/users/x"]
)
def test_id_not_an_integer(
    client: TestClient, kit: BranchKit, admin: dict[str, str], path: str
) -> None:
    problem(client.get(path, headers=admin), 422, "id")


@pytest.mark.parametrize("huge", [2**31, 2**63, 10**30])
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/tickets/{id}",
        "/api/v1/counters/{id}",
        f"/api/v1/admin/branches/{CODE}/counters/{{id}}",
        "/api/v1/admin/users/{id}",
        "/api/v1/admin/devices/{id}",
    ],
)
def test_id_beyond_database_integer(
    client: TestClient, kit: BranchKit, admin: dict[str, str], path: str, huge: int
) -> None:
    """An id no database column can hold is simply not found (not an overflow crash)."""
    problem(client.get(path.format(id=huge), headers=admin), 404, str(huge))


# --- tickets in the wrong state --------------------------------------------------------------


def test_finish_before_call(client: TestClient, kit: BranchKit, read: Any) -> None:
    t = issue(client, kit)
    r = client.post(f"/api/v1/tickets/{t['id']}/finish", headers=kit.auth("teller1"))
    problem(r, 409, "A001", "waiting")
    row = ticket_row(read, t["id"])
    assert row.status == "waiting"
    assert row.finished_at is None


@pytest.mark.parametrize("op", ["serve", "no-show"])
def test_operations_need_a_called_ticket(
    client: TestClient, kit: BranchKit, read: Any, op: str
) -> None:
    t = issue(client, kit)
    problem(
        client.post(f"/api/v1/tickets/{t['id']}/{op}", headers=kit.auth("teller1")),
        409,
        "A001",
        "waiting",
    )
    assert ticket_row(read, t["id"]).status == "waiting"


def test_serve_twice(client: TestClient, kit: BranchKit, read: Any, clock: Any) -> None:
    issue(client, kit)
    t = call(client, kit, open_counter(client, kit))
    assert (
        client.post(f"/api/v1/tickets/{t['id']}/serve", headers=kit.auth("teller1")).status_code
        == 200
    )
    first = ticket_row(read, t["id"]).serving_at
    clock.advance(30)
    r = client.post(f"/api/v1/tickets/{t['id']}/serve", headers=kit.auth("teller1"))
    problem(r, 409, "A001", "serving")
    row = ticket_row(read, t["id"])
    assert row.status == "serving"
    assert row.serving_at == first
    assert count(read, Event, Event.type == "ticket.serving") == 1


def test_finish_twice_and_cancel_finished(client: TestClient, kit: BranchKit, read: Any) -> None:
    issue(client, kit)
    t = call(client, kit, open_counter(client, kit))
    assert (
        client.post(f"/api/v1/tickets/{t['id']}/finish", headers=kit.auth("teller1")).status_code
        == 200
    )
    problem(
        client.post(f"/api/v1/tickets/{t['id']}/finish", headers=kit.auth("teller1")), 409, "done"
    )
    problem(
        client.post(f"/api/v1/tickets/{t['id']}/cancel", headers=kit.auth("teller1")), 409, "done"
    )
    problem(
        client.post(
            f"/api/v1/tickets/{t['id']}/transfer",
            json={"service": "B"},
            headers=kit.auth("teller1"),
        ),
        409,
        "done",
    )
    assert ticket_row(read, t["id"]).status == "done"
    assert count(read, Event, Event.type == "ticket.finished") == 1


def test_transfer_to_unknown_or_same_service(client: TestClient, kit: BranchKit, read: Any) -> None:
    t = issue(client, kit)
    path = f"/api/v1/tickets/{t['id']}/transfer"
    problem(client.post(path, json={"service": "Z"}, headers=kit.auth("teller1")), 404, "Z")
    problem(client.post(path, json={"service": "A"}, headers=kit.auth("teller1")), 422, "A001", "A")
    problem(client.post(path, json={"service": 5}, headers=kit.auth("teller1")), 422, "service")
    row = ticket_row(read, t["id"])
    assert (row.status, row.service_code, row.transfer_count) == ("waiting", "A", 0)


def test_feedback_before_done(client: TestClient, kit: BranchKit, read: Any) -> None:
    t = issue(client, kit)
    path = f"/api/v1/tickets/by-token/{t['token']}/feedback"
    problem(client.post(path, json={"score": 4}), 409, "A001", "waiting")
    call(client, kit, open_counter(client, kit))
    problem(client.post(path, json={"score": 4}), 409, "A001", "called")
    row = ticket_row(read, t["id"])
    assert row.feedback_score is None
    assert count(read, Event, Event.type == "ticket.feedback") == 0


def test_feedback_twice(client: TestClient, kit: BranchKit, read: Any) -> None:
    t = issue(client, kit)
    called = call(client, kit, open_counter(client, kit))
    assert (
        client.post(
            f"/api/v1/tickets/{called['id']}/finish", headers=kit.auth("teller1")
        ).status_code
        == 200
    )
    path = f"/api/v1/tickets/by-token/{t['token']}/feedback"
    assert client.post(path, json={"score": 2, "comment": "slow"}).status_code == 201
    problem(client.post(path, json={"score": 5, "comment": "great"}), 409, "A001", "already")
    row = ticket_row(read, t["id"])
    assert (row.feedback_score, row.feedback_comment) == (2, "slow")
    assert count(read, Event, Event.type == "ticket.feedback") == 1


@pytest.mark.parametrize(
    ("body", "mentions"),
    [
        ({"score": "5"}, ["score"]),
        ({"score": 5.0}, ["score"]),
        ({"score": 0}, ["score"]),
        ({"score": 6}, ["score"]),
        ({"score": True}, ["score"]),
        ({}, ["score is required"]),
        ({"score": 5, "comment": "x" * 1001}, ["comment"]),
        ({"score": 5, "comment": 42}, ["comment"]),
    ],
)
def test_feedback_bad_body(
    client: TestClient, kit: BranchKit, read: Any, body: dict[str, Any], mentions: list[str]
) -> None:
    t = issue(client, kit)
    called = call(client, kit, open_counter(client, kit))
    assert (
        client.post(
            f"/api/v1/tickets/{called['id']}/finish", headers=kit.auth("teller1")
        ).status_code
        == 200
    )
    path = f"/api/v1/tickets/by-token/{t['token']}/feedback"
    problem(client.post(path, json=body), 422, *mentions)
    assert ticket_row(read, t["id"]).feedback_score is None
    assert client.post(path, json={"score": 3, "comment": "x" * 1000}).status_code == 201


def test_unknown_customer_token(client: TestClient, kit: BranchKit) -> None:
    problem(client.get("/api/v1/tickets/by-token/not-a-ticket-token-at-all"), 404, "no ticket")
    problem(
        client.post(
            "/api/v1/tickets/by-token/not-a-ticket-token-at-all/feedback", json={"score": 5}
        ),
        404,
        "no ticket",
    )


# --- counters in the wrong state ------------------------------------------------------------


def test_call_on_paused_counter(client: TestClient, kit: BranchKit, read: Any) -> None:
    t = issue(client, kit)
    cid = open_counter(client, kit)
    assert (
        client.post(f"/api/v1/counters/{cid}/pause", headers=kit.auth("teller1")).status_code == 200
    )
    problem(
        client.post(f"/api/v1/counters/{cid}/call-next", headers=kit.auth("teller1")), 409, "paused"
    )
    assert ticket_row(read, t["id"]).status == "waiting"
    assert read(lambda s: s.get(Counter, cid)).current_ticket_id is None
    assert count(read, Event, Event.type == "ticket.called") == 0


def test_call_on_closed_counter(client: TestClient, kit: BranchKit, read: Any) -> None:
    t = issue(client, kit)
    cid = kit.counters["1"]
    problem(
        client.post(f"/api/v1/counters/{cid}/call-next", headers=kit.auth("teller1")), 409, "closed"
    )
    assert ticket_row(read, t["id"]).status == "waiting"


@pytest.mark.parametrize(
    ("prepare", "op", "mentions"),
    [
        ([], "resume", ["closed"]),
        ([], "pause", ["closed"]),
        ([], "recall", ["closed"]),
        (["open"], "resume", ["open"]),
        (["open"], "recall", ["no called ticket"]),
        (["open", "pause"], "pause", ["paused"]),
    ],
)
def test_counter_op_in_wrong_state(
    client: TestClient, kit: BranchKit, read: Any, prepare: list[str], op: str, mentions: list[str]
) -> None:
    cid = kit.counters["2"]
    for step in prepare:
        assert (
            client.post(f"/api/v1/counters/{cid}/{step}", headers=kit.auth("teller2")).status_code
            == 200
        )
    before = read(lambda s: s.get(Counter, cid)).state
    problem(
        client.post(f"/api/v1/counters/{cid}/{op}", headers=kit.auth("teller2")), 409, *mentions
    )
    assert read(lambda s: s.get(Counter, cid)).state == before


def test_close_counter_with_ticket_at_it(client: TestClient, kit: BranchKit, read: Any) -> None:
    issue(client, kit)
    cid = open_counter(client, kit)
    t = call(client, kit, cid)
    problem(client.post(f"/api/v1/counters/{cid}/close", headers=kit.auth("teller1")), 409, "A001")
    assert read(lambda s: s.get(Counter, cid)).state == "open"
    assert ticket_row(read, t["id"]).status == "called"


@pytest.mark.parametrize(
    ("path", "body", "mentions"),
    [
        ("pause", {"reason": "r" * 10_000}, ["reason"]),
        ("pause", {"reason": ""}, ["reason"]),
        ("pause", {"reason": 3}, ["reason"]),
    ],
)
def test_counter_bad_body(
    client: TestClient, kit: BranchKit, read: Any, path: str, body: Any, mentions: list[str]
) -> None:
    cid = open_counter(client, kit)
    problem(
        client.post(f"/api/v1/counters/{cid}/{path}", json=body, headers=kit.auth("teller1")),
        422,
        *mentions,
    )
    assert read(lambda s: s.get(Counter, cid)).state == "open"


@pytest.mark.parametrize(
    ("body", "mentions"),
    [
        ({"action": "hug"}, ["action"]),
        ({}, ["action is required"]),
        ({"action": "apologized", "note": "n" * 10_000}, ["note"]),
    ],
)
def test_recovery_bad_body(
    client: TestClient, kit: BranchKit, read: Any, body: Any, mentions: list[str]
) -> None:
    issue(client, kit)
    t = call(client, kit, open_counter(client, kit))
    r = client.post(f"/api/v1/tickets/{t['id']}/recovery", json=body, headers=kit.auth("teller1"))
    problem(r, 422, *mentions)
    assert count(read, Event, Event.type == "ticket.recovery") == 0


# --- configuration ---------------------------------------------------------------------------

BRANCH_OK = {
    "code": "fresh",
    "name": "Fresh",
    "timezone": "Europe/Athens",
    "languages": ["el", "en"],
}


@pytest.mark.parametrize(
    ("changes", "mentions"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, ["timezone", "Mars/Olympus_Mons"]),
        ({"timezone": "../../etc/passwd"}, ["timezone"]),
        ({"timezone": "localtime"}, ["timezone", "localtime"]),
        ({"timezone": "Factory"}, ["timezone", "Factory"]),
        ({"timezone": "posixrules"}, ["timezone"]),
        ({"timezone": "Turkey"}, ["timezone", "IANA"]),
        ({"name": "North\x00"}, ["name", "U+0000"]),
        ({"name": "North \u202eknarB"}, ["name", "U+202E"]),
        ({"name": "Nor\u200bth"}, ["name", "U+200B"]),
        ({"name": "   "}, ["name", "blank"]),
        ({"message": "Welcome\x1b[2J"}, ["message", "U+001B"]),
        ({"timezone": ""}, ["timezone"]),
        ({"timezone": 3}, ["timezone"]),
        ({"languages": ["xx"]}, ["languages"]),
        ({"languages": []}, ["languages"]),
        ({"languages": "en"}, ["languages"]),
        ({"default_lang": "tr"}, ["default_lang"]),
        ({"name": "N" * 10_000}, ["name"]),
        ({"name": ""}, ["name"]),
        ({"code": "Fresh Branch!"}, ["code"]),
        ({"code": "f" * 33}, ["code"]),
        ({"message": "m" * 10_000}, ["message"]),
        ({"is_open": "no"}, ["is_open"]),
        ({"order_mode": "random"}, ["order_mode"]),
        ({"priority_ratio": "3"}, ["priority_ratio"]),
        ({"max_wait_s": 5}, ["max_wait_s"]),
    ],
)
def test_branch_create_bad(
    client: TestClient,
    admin: dict[str, str],
    read: Any,
    changes: dict[str, Any],
    mentions: list[str],
) -> None:
    problem(
        client.post("/api/v1/admin/branches", json={**BRANCH_OK, **changes}, headers=admin),
        422,
        *mentions,
    )
    assert count(read, Branch) == 0
    r = client.post("/api/v1/admin/branches", json=BRANCH_OK, headers=admin)
    assert r.status_code == 201, r.text


def test_branch_create_duplicate(
    client: TestClient, kit: BranchKit, admin: dict[str, str], read: Any
) -> None:
    r = client.post(
        "/api/v1/admin/branches", json={**BRANCH_OK, "code": CODE, "name": "Again"}, headers=admin
    )
    problem(r, 409, CODE)
    assert (
        read(lambda s: s.exec(select(Branch).where(Branch.code == CODE)).one()).name
        == f"Branch {CODE}"
    )


@pytest.mark.parametrize(
    ("changes", "mentions"),
    [
        ({"timezone": "Nowhere/Special"}, ["timezone", "Nowhere/Special"]),
        ({"default_lang": "tr", "languages": ["en"]}, ["default_lang"]),
        ({"languages": ["tr"]}, ["default_lang"]),  # the current default (en) would be left out
        ({"code": "renamed"}, ["code"]),
        ({"name": "N" * 10_000}, ["name"]),
        ({"is_open": "false"}, ["is_open"]),
        ({"priority_mode": "vip"}, ["priority_mode"]),
        ({"priority_ratio": 0}, ["priority_ratio"]),
        ({"max_wait_s": "600"}, ["max_wait_s"]),
        ({"transfer_placement": "last"}, ["transfer_placement"]),
        ({"keep_waiting_at_close": "yes"}, ["keep_waiting_at_close"]),
    ],
)
def test_branch_update_bad(
    client: TestClient,
    kit: BranchKit,
    admin: dict[str, str],
    changes: dict[str, Any],
    mentions: list[str],
) -> None:
    path = f"/api/v1/admin/branches/{CODE}"
    before = client.get(path, headers=admin).json()
    problem(client.patch(path, json=changes, headers=admin), 422, *mentions)
    assert client.get(path, headers=admin).json() == before


@pytest.mark.parametrize(
    ("body", "status", "mentions"),
    [
        ({"code": "A", "names": {"en": "Again"}}, 409, ["A"]),
        ({"code": "d", "names": {"en": "Deposits"}}, 422, ["code"]),
        ({"code": "DDDDD", "names": {"en": "Deposits"}}, 422, ["code"]),
        ({"code": "D", "names": {}}, 422, ["names"]),
        ({"code": "D", "names": {"en": "N" * 10_000}}, 422, ["names", "120"]),
        ({"code": "D", "names": {"en": "  "}}, 422, ["names"]),
        ({"code": "D", "names": {"xx": "Deposits"}}, 422, ["names"]),
        ({"code": "D", "names": {"en": "Dep\u2066osits"}}, 422, ["names", "U+2066"]),
        (
            {"code": "D", "names": {"en": "Deposits"}, "standard_wait_s": "600"},
            422,
            ["standard_wait_s"],
        ),
        (
            {"code": "D", "names": {"en": "Deposits"}, "standard_service_s": 0},
            422,
            ["standard_service_s"],
        ),
    ],
)
def test_service_create_bad(
    client: TestClient,
    kit: BranchKit,
    admin: dict[str, str],
    read: Any,
    body: dict[str, Any],
    status: int,
    mentions: list[str],
) -> None:
    r = client.post(f"/api/v1/admin/branches/{CODE}/services", json=body, headers=admin)
    problem(r, status, *mentions)
    assert count(read, Service) == 3
    assert (
        read(lambda s: s.exec(select(Service).where(Service.code == "A")).one()).names["en"]
        == "Cash"
    )


@pytest.mark.parametrize(
    ("body", "mentions"),
    [
        ({"names": {"en": "N" * 10_000}}, ["names"]),
        ({"names": {"en": ""}}, ["names"]),
        ({"names": {}}, ["names"]),
        ({"standard_wait_s": 5}, ["standard_wait_s"]),
        ({"active": "no"}, ["active"]),
        ({"code": "Q"}, ["code"]),
    ],
)
def test_service_update_bad(
    client: TestClient,
    kit: BranchKit,
    admin: dict[str, str],
    body: dict[str, Any],
    mentions: list[str],
) -> None:
    path = f"/api/v1/admin/branches/{CODE}/services/A"
    before = client.get(path, headers=admin).json()
    problem(client.patch(path, json=body, headers=admin), 422, *mentions)
    assert client.get(path, headers=admin).json() == before


@pytest.mark.parametrize(
    ("body", "status", "mentions"),
    [
        ({"label": "9", "services": ["Z"]}, 422, ["Z"]),
        ({"label": "9", "services": ["A", "Q", "Z"]}, 422, ["Q", "Z"]),
        ({"label": "9", "services": ["A", "A"]}, 422, ["twice"]),
        ({"label": "9", "services": []}, 422, ["services"]),
        ({"label": "9", "services": "A"}, 422, ["services"]),
        ({"label": "L" * 10_000, "services": ["A"]}, 422, ["label"]),
        ({"label": "1", "services": ["A"]}, 409, ["1"]),
        ({"label": "1\u200b", "services": ["A"]}, 422, ["label", "U+200B"]),
        ({"label": " 1 ", "services": ["A"]}, 409, ["1"]),  # trimmed: the same counter
    ],
)
def test_counter_create_bad(
    client: TestClient,
    kit: BranchKit,
    admin: dict[str, str],
    read: Any,
    body: dict[str, Any],
    status: int,
    mentions: list[str],
) -> None:
    r = client.post(f"/api/v1/admin/branches/{CODE}/counters", json=body, headers=admin)
    problem(r, status, *mentions)
    assert count(read, Counter) == 4


@pytest.mark.parametrize(
    ("body", "status", "mentions"),
    [
        ({"services": ["Z"]}, 422, ["Z"]),
        ({"services": ["B", "B"]}, 422, ["twice"]),
        ({"services": []}, 422, ["services"]),
        ({"label": "L" * 10_000}, 422, ["label"]),
        ({"label": "2"}, 409, ["2"]),  # another counter of the branch has that label
        ({"state": "open"}, 422, ["state"]),
    ],
)
def test_counter_update_bad(
    client: TestClient,
    kit: BranchKit,
    admin: dict[str, str],
    body: dict[str, Any],
    status: int,
    mentions: list[str],
) -> None:
    path = f"/api/v1/admin/branches/{CODE}/counters/{kit.counters['1']}"
    before = client.get(path, headers=admin).json()
    problem(client.patch(path, json=body, headers=admin), status, *mentions)
    assert client.get(path, headers=admin).json() == before


@pytest.mark.parametrize(
    ("body", "status", "mentions"),
    [
        ({"password": "short"}, 422, ["password"]),
        ({"username": "has space"}, 422, ["username"]),
        ({"username": "u" * 10_000}, 422, ["username"]),
        ({"role": "god"}, 422, ["role"]),
        ({"role": "kiosk"}, 422, ["role"]),
        ({"branch": None}, 422, ["branch"]),
        ({"full_name": "F" * 10_000}, 422, ["full_name"]),
        ({"username": f"{CODE}-teller1"}, 409, [f"{CODE}-teller1"]),
    ],
)
def test_user_create_bad(
    client: TestClient,
    kit: BranchKit,
    admin: dict[str, str],
    read: Any,
    body: dict[str, Any],
    status: int,
    mentions: list[str],
) -> None:
    good = {"username": "newbie", "password": "long enough pw", "role": "teller", "branch": CODE}
    before = count(read, User)
    problem(
        client.post("/api/v1/admin/users", json={**good, **body}, headers=admin), status, *mentions
    )
    assert count(read, User) == before


@pytest.mark.parametrize(
    ("body", "mentions"),
    [
        ({"kind": "printer"}, ["kind"]),
        ({"name": "N" * 10_000}, ["name"]),
        ({"name": ""}, ["name"]),
        ({"config": "network"}, ["config"]),
    ],
)
def test_device_create_bad(
    client: TestClient,
    kit: BranchKit,
    admin: dict[str, str],
    read: Any,
    body: dict[str, Any],
    mentions: list[str],
) -> None:
    good = {"branch": CODE, "kind": "kiosk", "name": "door"}
    problem(
        client.post("/api/v1/admin/devices", json={**good, **body}, headers=admin), 422, *mentions
    )
    assert count(read, Device) == 4


@pytest.mark.parametrize(
    ("body", "mentions"),
    [
        ({"username": "x" * 10_000, "password": "pw"}, ["username"]),
        ({"username": "root"}, ["password is required"]),
        ({"username": 5, "password": "pw"}, ["username"]),
    ],
)
def test_login_bad_body(
    client: TestClient, kit: BranchKit, body: dict[str, Any], mentions: list[str]
) -> None:
    problem(client.post("/api/v1/auth/login", json=body), 422, *mentions)


def test_login_malformed_json(client: TestClient, kit: BranchKit) -> None:
    r = client.post(
        "/api/v1/auth/login", content=b'{"username": ', headers={"Content-Type": "application/json"}
    )
    problem(r, 422, "json")


def test_names_are_stored_composed_and_trimmed(
    client: TestClient, admin: dict[str, str], read: Any
) -> None:
    # "Şube" and "Hoş" typed with a combining cedilla, a Windows line end in the message.
    body = {**BRANCH_OK, "name": "S\u0327ube  ", "message": "Hos\u0327 geldiniz\r\nİyi günler"}
    r = client.post("/api/v1/admin/branches", json=body, headers=admin)
    assert r.status_code == 201, r.text
    stored = read(lambda s: s.exec(select(Branch).where(Branch.code == BRANCH_OK["code"])).one())
    assert stored.name == "\u015eube"
    assert stored.message == "Ho\u015f geldiniz\nİyi günler"


def test_field_problems_name_their_type_and_limits(
    client: TestClient, kit: BranchKit, admin: Any
) -> None:
    """Each field problem says what is wrong in a stable form (a validation type or a domain
    code, and the limit it names), so a page can say it in its user's language."""
    r = client.post(
        f"/api/v1/admin/branches/{kit.code}/services",
        json={"code": "TOOLONG", "names": {"en": "x"}, "standard_wait_s": -5},
        headers=admin,
    )
    assert r.status_code == 422
    problems = {p["field"]: p for p in r.json()["errors"]}
    assert problems["code"]["type"] == "string_too_long"
    assert problems["code"]["ctx"] == {"max_length": 4}
    assert problems["standard_wait_s"]["type"] in ("greater_than_equal", "greater_than")
    assert "TOOLONG" not in str(problems["code"]["ctx"])
    clash = client.post(
        f"/api/v1/admin/branches/{kit.code}/services",
        json={"code": "A", "names": {"en": "Again"}},
        headers=admin,
    )
    assert clash.status_code == 409
    assert clash.json()["code"] == "duplicate"
    assert [(p["field"], p["type"]) for p in clash.json()["errors"]] == [("code", "duplicate")]
