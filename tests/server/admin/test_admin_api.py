"""Configuration API: branches, services, counters, users and devices, end to end."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import SQLModel, col, select

from server.alerts.service import raise_alert
from server.db import Database
from server.models import AuditEntry, Device, Event, StaffSession, User
from tests.support import PASSWORD, BranchKit, admin_token, make_branch

CODE = "cfg"
ADMIN_API = "/api/v1/admin"
BRANCH = f"{ADMIN_API}/branches/{CODE}"


class Api:
    """Calls as one principal, asserting the status each call should get."""

    def __init__(self, client: TestClient, headers: dict[str, str]) -> None:
        self.client = client
        self.headers = headers

    def __call__(self, method: str, path: str, json: Any = None, expect: int = 200) -> Any:
        r = self.client.request(method, path, json=json, headers=self.headers)
        assert r.status_code == expect, f"{method} {path}: {r.status_code} {r.text[:500]}"
        return r.json() if r.content else None


@pytest.fixture
def kit(make: Any) -> BranchKit:
    return make(make_branch, code=CODE)


@pytest.fixture
def admin(client: TestClient, make: Any) -> Api:
    return Api(client, {"Authorization": f"Bearer {make(admin_token)}"})


def login(client: TestClient, username: str, password: str) -> int:
    return client.post(
        "/api/v1/auth/login", json={"username": username, "password": password}
    ).status_code


# --- branches ------------------------------------------------------------------------------------


def test_branch_crud(admin: Api) -> None:
    body = {
        "code": "izmir",
        "name": "İzmir Alsancak",
        "timezone": "Europe/Istanbul",
        "languages": ["tr", "en"],
    }
    created = admin("POST", f"{ADMIN_API}/branches", body, expect=201)
    assert {k: created[k] for k in body} == body
    assert created["default_lang"] == "tr"  # the first language unless told
    assert created["is_open"] is True
    assert isinstance(created["id"], int)
    # policy defaults
    assert created["order_mode"] == "fifo"
    assert created["max_wait_s"] is None

    assert admin("GET", f"{ADMIN_API}/branches/izmir") == created
    assert [b["code"] for b in admin("GET", f"{ADMIN_API}/branches")] == ["izmir"]

    changed = admin(
        "PATCH",
        f"{ADMIN_API}/branches/izmir",
        {"name": "Alsancak", "languages": ["tr", "en", "el"], "message": "Hoş geldiniz"},
    )
    assert (changed["name"], changed["languages"], changed["message"]) == (
        "Alsancak",
        ["tr", "en", "el"],
        "Hoş geldiniz",
    )
    assert changed["timezone"] == "Europe/Istanbul"  # untouched fields stay
    assert admin("GET", f"{ADMIN_API}/branches/izmir") == changed

    admin("DELETE", f"{ADMIN_API}/branches/izmir", expect=204)
    admin("GET", f"{ADMIN_API}/branches/izmir", expect=404)
    assert admin("GET", f"{ADMIN_API}/branches") == []


def test_branch_with_staff_devices_and_history_of_changes_can_be_deleted(
    client: TestClient, kit: BranchKit, admin: Api, db: Database
) -> None:
    """A branch never used for tickets goes entirely, with its staff's sessions."""
    teller = kit.auth("teller1")
    assert client.get("/api/v1/auth/me", headers=teller).status_code == 200
    admin("PATCH", BRANCH, {"message": "closing soon"})  # records a branch.changed event
    admin("POST", f"/api/v1/counters/{kit.counters['1']}/open")
    admin("POST", f"/api/v1/counters/{kit.counters['1']}/close")
    admin("DELETE", BRANCH, expect=204)
    admin("GET", BRANCH, expect=404)
    assert client.get("/api/v1/auth/me", headers=teller).status_code == 401
    assert client.get("/api/v1/auth/me", headers=kit.auth("kiosk")).status_code == 401
    assert login(client, f"{CODE}-manager", PASSWORD) == 401
    with db.unit_of_work(write=False) as s:
        assert s.exec(select(User).where(User.branch_id == kit.branch_id)).all() == []
        assert s.exec(select(Device).where(Device.branch_id == kit.branch_id)).all() == []
        assert s.exec(select(StaffSession)).all() != []  # the admin's own session stays


def test_branch_with_a_service_cycle_alerts_and_a_day_closed_can_be_deleted(
    kit: BranchKit, admin: Api, db: Database
) -> None:
    """Everything configured or raised for an unused branch goes with it (a service-cycle row
    and an alert once made the delete fail on a foreign key, a 500)."""
    admin(
        "PUT",
        f"/api/v1/branches/{CODE}/service-cycle",
        {"moments": [{"key": "walk", "critical": True}]},
    )
    with db.unit_of_work() as s:
        raise_alert(
            s,
            branch_id=kit.branch_id,
            key="paper:1",
            kind="printer",
            message="paper low",
            now=dt.datetime.now(dt.UTC),
        )
    admin("POST", f"{BRANCH}/close-day")
    admin("DELETE", BRANCH, expect=204)
    admin("GET", BRANCH, expect=404)
    with db.unit_of_work(write=False) as s:
        for table in SQLModel.metadata.sorted_tables:
            if "branch_id" in table.c and table.name != "audit_log":
                left = s.execute(
                    sa.select(sa.func.count()).where(table.c.branch_id == kit.branch_id)
                ).scalar_one()
                assert left == 0, f"{table.name} still holds rows of the deleted branch"
        # The audit trail keeps the branch's story, its deletion included.
        actions = (
            s.execute(
                sa.select(AuditEntry.action).where(AuditEntry.branch_id == kit.branch_id)  # type: ignore[call-overload]
            )
            .scalars()
            .all()
        )
        assert "branch.deleted" in actions
        assert "service.created" in actions


def test_device_and_counter_edits_reach_the_screens_as_events(
    kit: BranchKit, admin: Api, db: Database
) -> None:
    """Dashboards and displays follow configuration edits: each is an event of the branch
    (a device edit once recorded none, and other dashboards kept the old device)."""
    kiosk = next(d for d in admin("GET", f"{ADMIN_API}/devices") if d["kind"] == "kiosk")
    admin("PATCH", f"{ADMIN_API}/devices/{kiosk['id']}", {"name": "Entrance kiosk"})
    admin("PATCH", f"{BRANCH}/counters/{kit.counters['1']}", {"label": "1A"})
    with db.unit_of_work(write=False) as s:
        events = s.exec(
            select(Event).where(Event.branch_id == kit.branch_id).order_by(col(Event.seq))
        ).all()
    devices = [e.data["device"] for e in events if e.type == "device.changed"]
    counters = [e.data["counter"] for e in events if e.type == "counter.changed"]
    assert [d["name"] for d in devices] == ["Entrance kiosk"]
    assert [c["label"] for c in counters] == ["1A"]


def test_branch_with_tickets_cannot_be_deleted(
    client: TestClient, kit: BranchKit, admin: Api
) -> None:
    admin("POST", f"/api/v1/branches/{CODE}/tickets", {"service": "A"}, expect=201)
    r = admin("DELETE", BRANCH, expect=409)
    assert "is_open=false" in r["detail"]
    closed = admin("PATCH", BRANCH, {"is_open": False})
    assert closed["is_open"] is False
    assert admin("GET", BRANCH)["is_open"] is False


def test_branch_policy_patch(kit: BranchKit, admin: Api) -> None:
    policy = {
        "order_mode": "service_order",
        "priority_mode": "strict",
        "priority_ratio": 5,
        "max_wait_s": 900,
        "transfer_placement": "arrival",
        "keep_waiting_at_close": True,
    }
    out = admin("PATCH", BRANCH, policy)
    assert {k: out[k] for k in policy} == policy
    assert {k: admin("GET", BRANCH)[k] for k in policy} == policy

    # a PATCH that does not name max_wait_s keeps it; null leaves the other fields as they are
    out = admin("PATCH", BRANCH, {"message": "hello", "order_mode": None})
    assert out["max_wait_s"] == 900
    assert out["order_mode"] == "service_order"

    # an explicit null removes the cap
    out = admin("PATCH", BRANCH, {"max_wait_s": None})
    assert out["max_wait_s"] is None
    after = admin("GET", BRANCH)
    assert after["max_wait_s"] is None
    assert {k: after[k] for k in policy if k != "max_wait_s"} == {
        k: v for k, v in policy.items() if k != "max_wait_s"
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("order_mode", "fifo"),
        ("order_mode", "service_order"),
        ("priority_mode", "none"),
        ("priority_mode", "strict"),
        ("priority_mode", "ratio"),
        ("priority_ratio", 1),
        ("priority_ratio", 20),
        ("max_wait_s", 60),
        ("max_wait_s", 86400),
        ("max_wait_s", None),
        ("transfer_placement", "first"),
        ("transfer_placement", "arrival"),
        ("keep_waiting_at_close", True),
        ("keep_waiting_at_close", False),
    ],
)
def test_branch_policy_each_value(kit: BranchKit, admin: Api, field: str, value: Any) -> None:
    if value is None:
        admin("PATCH", BRANCH, {field: 1200})
    assert admin("PATCH", BRANCH, {field: value})[field] == value
    assert admin("GET", BRANCH)[field] == value


def test_branch_policy_takes_effect(
    client: TestClient, kit: BranchKit, admin: Api, clock: Any
) -> None:
    """strict priority: a later priority ticket is called before an earlier normal one."""
    admin("PATCH", BRANCH, {"priority_mode": "strict"})
    admin("POST", f"/api/v1/branches/{CODE}/tickets", {"service": "A"}, expect=201)
    clock.advance(10)
    urgent = admin(
        "POST",
        f"/api/v1/branches/{CODE}/tickets",
        {"service": "A", "priority": True, "priority_reason": "pregnant"},
        expect=201,
    )
    admin("POST", f"/api/v1/counters/{kit.counters['1']}/open")
    called = admin("POST", f"/api/v1/counters/{kit.counters['1']}/call-next")
    assert called["ticket"]["id"] == urgent["id"]


def test_branch_change_is_an_event(kit: BranchKit, admin: Api, db: Database) -> None:
    admin("PATCH", BRANCH, {"message": "Bayram hours"})
    with db.unit_of_work(write=False) as s:
        events = s.exec(
            select(Event).where(Event.branch_id == kit.branch_id, Event.type == "branch.changed")
        ).all()
    assert len(events) == 1
    assert events[0].data["branch"]["message"] == "Bayram hours"


# --- services ------------------------------------------------------------------------------------


def test_service_crud(kit: BranchKit, admin: Api) -> None:
    body = {
        "code": "D",
        "names": {"en": "Deposits", "tr": "Mevduat"},
        "standard_wait_s": 900,
        "standard_service_s": 420,
    }
    created = admin("POST", f"{BRANCH}/services", body, expect=201)
    assert {k: created[k] for k in body} == body
    assert created["active"] is True
    assert admin("GET", f"{BRANCH}/services/D") == created
    assert [s["code"] for s in admin("GET", f"{BRANCH}/services")] == ["A", "B", "C", "D"]

    changed = admin(
        "PATCH",
        f"{BRANCH}/services/D",
        {"names": {"en": "Savings"}, "standard_wait_s": 300, "sort_order": 0},
    )
    assert (changed["names"], changed["standard_wait_s"], changed["standard_service_s"]) == (
        {"en": "Savings"},
        300,
        420,
    )
    assert admin("GET", f"{BRANCH}/services/D") == changed

    # the kiosk sees the new service by its name in the asked language, falling back to the default
    rows = admin("GET", f"/api/v1/branches/{CODE}/services?lang=tr")
    assert {r["code"]: r["name"] for r in rows}["D"] == "Savings"
    assert {r["code"]: r["name"] for r in rows}["A"] == "Nakit"

    admin("DELETE", f"{BRANCH}/services/D", expect=204)
    admin("GET", f"{BRANCH}/services/D", expect=404)
    assert [s["code"] for s in admin("GET", f"{BRANCH}/services")] == ["A", "B", "C"]


def test_service_served_by_a_counter_cannot_be_deleted(kit: BranchKit, admin: Api) -> None:
    r = admin("DELETE", f"{BRANCH}/services/C", expect=409)
    assert "C" in r["detail"]
    assert admin("GET", f"{BRANCH}/services/C")["active"] is True


def test_service_with_history_is_retired_not_deleted(kit: BranchKit, admin: Api) -> None:
    admin("POST", f"/api/v1/branches/{CODE}/tickets", {"service": "C"}, expect=201)
    admin("PATCH", f"{BRANCH}/counters/{kit.counters['4']}", {"services": ["A"]})
    admin("DELETE", f"{BRANCH}/services/C", expect=204)
    assert admin("GET", f"{BRANCH}/services/C")["active"] is False
    r = admin("POST", f"/api/v1/branches/{CODE}/tickets", {"service": "C"}, expect=409)
    assert "C" in r["detail"]


def test_retired_service_can_come_back(kit: BranchKit, admin: Api) -> None:
    admin("PATCH", f"{BRANCH}/services/B", {"active": False})
    admin("POST", f"/api/v1/branches/{CODE}/tickets", {"service": "B"}, expect=409)
    admin("PATCH", f"{BRANCH}/services/B", {"active": True})
    assert (
        admin("POST", f"/api/v1/branches/{CODE}/tickets", {"service": "B"}, expect=201)["code"]
        == "B001"
    )


# --- counters ------------------------------------------------------------------------------------


def test_counter_crud(kit: BranchKit, admin: Api) -> None:
    created = admin(
        "POST", f"{BRANCH}/counters", {"label": "5", "services": ["C", "A"]}, expect=201
    )
    assert (created["label"], created["services"], created["state"]) == ("5", ["C", "A"], "closed")
    cid = created["id"]
    assert admin("GET", f"{BRANCH}/counters/{cid}")["services"] == ["C", "A"]
    assert [c["label"] for c in admin("GET", f"{BRANCH}/counters")] == ["1", "2", "3", "4", "5"]

    changed = admin(
        "PATCH", f"{BRANCH}/counters/{cid}", {"label": "5A", "services": ["A", "B", "C"]}
    )
    assert (changed["label"], changed["services"]) == ("5A", ["A", "B", "C"])
    assert admin("GET", f"/api/v1/counters/{cid}")["label"] == "5A"

    admin("DELETE", f"{BRANCH}/counters/{cid}", expect=204)
    admin("GET", f"{BRANCH}/counters/{cid}", expect=404)
    admin("GET", f"/api/v1/counters/{cid}", expect=404)


def test_counter_service_order_drives_calls(kit: BranchKit, admin: Api, clock: Any) -> None:
    """A counter serves its services in the order it lists them (service_order mode)."""
    admin("PATCH", BRANCH, {"order_mode": "service_order"})
    admin("POST", f"/api/v1/branches/{CODE}/tickets", {"service": "A"}, expect=201)
    clock.advance(5)
    admin("POST", f"/api/v1/branches/{CODE}/tickets", {"service": "B"}, expect=201)
    cid = kit.counters["1"]
    admin("PATCH", f"{BRANCH}/counters/{cid}", {"services": ["B", "A"]})
    admin("POST", f"/api/v1/counters/{cid}/open")
    assert admin("POST", f"/api/v1/counters/{cid}/call-next")["ticket"]["code"] == "B001"


def test_open_counter_cannot_be_deleted(kit: BranchKit, admin: Api) -> None:
    cid = kit.counters["4"]
    admin("POST", f"/api/v1/counters/{cid}/open")
    r = admin("DELETE", f"{BRANCH}/counters/{cid}", expect=409)
    assert "close it first" in r["detail"]
    admin("GET", f"{BRANCH}/counters/{cid}")


def test_counter_with_history_cannot_be_deleted(kit: BranchKit, admin: Api) -> None:
    cid = kit.counters["4"]
    admin("POST", f"/api/v1/branches/{CODE}/tickets", {"service": "C"}, expect=201)
    admin("POST", f"/api/v1/counters/{cid}/open")
    called = admin("POST", f"/api/v1/counters/{cid}/call-next")
    admin("POST", f"/api/v1/tickets/{called['ticket']['id']}/finish")
    admin("POST", f"/api/v1/counters/{cid}/close")
    r = admin("DELETE", f"{BRANCH}/counters/{cid}", expect=409)
    assert "history" in r["detail"]


def test_counter_of_another_branch_is_not_reachable_through_this_one(
    make: Any, kit: BranchKit, admin: Api
) -> None:
    other = make(make_branch, code="elsewhere")
    cid = other.counters["1"]
    for method, body in (("GET", None), ("PATCH", {"label": "hijacked"}), ("DELETE", None)):
        r = admin.client.request(
            method, f"{BRANCH}/counters/{cid}", json=body, headers=admin.headers
        )
        assert r.status_code in (404, 409), r.text
        assert str(cid) in r.json()["detail"]
    assert admin("GET", f"{ADMIN_API}/branches/elsewhere/counters/{cid}")["label"] == "1"


# --- users ---------------------------------------------------------------------------------------


def test_user_crud(client: TestClient, kit: BranchKit, admin: Api) -> None:
    body = {
        "username": "zeynep",
        "password": "s3cret-enough",
        "role": "teller",
        "branch": CODE,
        "full_name": "Zeynep K.",
    }
    created = admin("POST", f"{ADMIN_API}/users", body, expect=201)
    assert {k: created[k] for k in ("username", "role", "branch", "full_name")} == {
        "username": "zeynep",
        "role": "teller",
        "branch": CODE,
        "full_name": "Zeynep K.",
    }
    assert created["active"] is True
    assert "password" not in created
    assert "password_hash" not in created
    uid = created["id"]
    assert admin("GET", f"{ADMIN_API}/users/{uid}") == created
    assert "zeynep" in {u["username"] for u in admin("GET", f"{ADMIN_API}/users")}
    assert login(client, "zeynep", "s3cret-enough") == 200

    changed = admin(
        "PATCH", f"{ADMIN_API}/users/{uid}", {"full_name": "Zeynep Kaya", "role": "manager"}
    )
    assert (changed["full_name"], changed["role"]) == ("Zeynep Kaya", "manager")
    r = client.post("/api/v1/auth/login", json={"username": "zeynep", "password": "s3cret-enough"})
    assert r.json()["role"] == "manager"

    admin("DELETE", f"{ADMIN_API}/users/{uid}", expect=204)
    gone = admin("GET", f"{ADMIN_API}/users/{uid}")
    assert gone["active"] is False  # kept (tickets name the teller), but cannot log in
    assert login(client, "zeynep", "s3cret-enough") == 401


def test_password_change_revokes_sessions(client: TestClient, kit: BranchKit, admin: Api) -> None:
    old = kit.auth("teller1")
    admin("PATCH", f"{ADMIN_API}/users/{kit.user_ids['teller1']}", {"password": "brand new pass"})
    assert client.get("/api/v1/auth/me", headers=old).status_code == 401
    assert login(client, f"{CODE}-teller1", PASSWORD) == 401
    assert login(client, f"{CODE}-teller1", "brand new pass") == 200


def test_deactivated_user_cannot_log_in_until_reactivated(
    client: TestClient, kit: BranchKit, admin: Api
) -> None:
    uid = kit.user_ids["teller2"]
    token = kit.auth("teller2")
    admin("PATCH", f"{ADMIN_API}/users/{uid}", {"active": False})
    assert login(client, f"{CODE}-teller2", PASSWORD) == 401
    assert client.get("/api/v1/auth/me", headers=token).status_code == 401
    admin("PATCH", f"{ADMIN_API}/users/{uid}", {"active": True})
    assert login(client, f"{CODE}-teller2", PASSWORD) == 200


def test_admin_cannot_delete_self(client: TestClient, admin: Api, db: Database) -> None:
    with db.unit_of_work(write=False) as s:
        root = s.exec(select(User).where(User.username == "root")).one()
    r = admin("DELETE", f"{ADMIN_API}/users/{root.id}", expect=409)
    assert "own account" in r["detail"]
    assert admin("GET", f"{ADMIN_API}/users/{root.id}")["active"] is True


def test_admin_user_needs_no_branch_but_staff_do(kit: BranchKit, admin: Api) -> None:
    created = admin(
        "POST",
        f"{ADMIN_API}/users",
        {"username": "auditor", "password": "long enough pw", "role": "admin"},
        expect=201,
    )
    assert created["branch"] is None
    r = admin(
        "POST",
        f"{ADMIN_API}/users",
        {"username": "floater", "password": "long enough pw", "role": "teller"},
        expect=422,
    )
    assert "branch" in r["detail"]


def test_manager_manages_own_tellers(client: TestClient, kit: BranchKit) -> None:
    mgr = Api(client, kit.auth("manager"))
    created = mgr(
        "POST",
        f"{ADMIN_API}/users",
        {"username": "new-teller", "password": "long enough pw", "role": "teller", "branch": CODE},
        expect=201,
    )
    mgr("PATCH", f"{ADMIN_API}/users/{created['id']}", {"full_name": "New Teller"})
    mgr("DELETE", f"{ADMIN_API}/users/{created['id']}", expect=204)
    assert login(client, "new-teller", "long enough pw") == 401
    mgr(
        "POST",
        f"{ADMIN_API}/users",
        {"username": "new-boss", "password": "long enough pw", "role": "manager", "branch": CODE},
        expect=403,
    )
    mgr("DELETE", f"{ADMIN_API}/users/{kit.user_ids['manager']}", expect=403)


# --- devices -------------------------------------------------------------------------------------


def test_device_crud_and_token(client: TestClient, kit: BranchKit, admin: Api) -> None:
    created = admin(
        "POST",
        f"{ADMIN_API}/devices",
        {"branch": CODE, "kind": "kiosk", "name": "Entrance"},
        expect=201,
    )
    assert (created["branch"], created["kind"], created["name"], created["active"]) == (
        CODE,
        "kiosk",
        "Entrance",
        True,
    )
    token = created["token"]
    assert isinstance(token, str)
    assert len(token) >= 32
    headers = {"Authorization": f"Bearer {token}"}
    r = client.get(f"/api/v1/branches/{CODE}/services", headers=headers)
    assert r.status_code == 200
    assert [s["code"] for s in r.json()] == ["A", "B", "C"]
    me = client.get("/api/v1/auth/me", headers=headers).json()
    assert (me["role"], me["branch"], me["device_id"]) == ("kiosk", CODE, created["id"])
    r = client.post(f"/api/v1/branches/{CODE}/tickets", json={"service": "A"}, headers=headers)
    assert r.status_code == 201

    did = created["id"]
    one = admin("GET", f"{ADMIN_API}/devices/{did}")
    assert "token" not in one
    assert {k: v for k, v in one.items() if k != "last_seen_at"} == {
        k: v for k, v in created.items() if k not in ("token", "last_seen_at")
    }
    assert one["last_seen_at"] is not None  # it has just been used
    listed = admin("GET", f"{ADMIN_API}/devices")
    assert did in {d["id"] for d in listed}
    assert all("token" not in d for d in listed)

    printer = {
        "printer": {
            "transport": "network",
            "host": "10.0.0.40",
            "port": 9100,
            "profile": "TM-T20II",
            "paper_mm": 80,
        }
    }
    changed = admin(
        "PATCH", f"{ADMIN_API}/devices/{did}", {"config": printer, "name": "Entrance left"}
    )
    assert (changed["config"], changed["name"]) == (printer, "Entrance left")
    assert admin("GET", f"{ADMIN_API}/devices/{did}")["config"] == printer
    # the token survives a configuration change
    assert client.get(f"/api/v1/branches/{CODE}/services", headers=headers).status_code == 200

    admin("DELETE", f"{ADMIN_API}/devices/{did}", expect=204)
    assert admin("GET", f"{ADMIN_API}/devices/{did}")["active"] is False
    r = client.get(f"/api/v1/branches/{CODE}/services", headers=headers)
    assert r.status_code == 401
    assert (
        client.post(
            f"/api/v1/branches/{CODE}/tickets", json={"service": "A"}, headers=headers
        ).status_code
        == 401
    )


@pytest.mark.parametrize("kind", ["kiosk", "display", "speaker", "agent"])
def test_each_device_kind_gets_a_working_token(
    client: TestClient, kit: BranchKit, admin: Api, kind: str
) -> None:
    created = admin(
        "POST", f"{ADMIN_API}/devices", {"branch": CODE, "kind": kind, "name": kind}, expect=201
    )
    headers = {"Authorization": f"Bearer {created['token']}"}
    assert client.get(f"/api/v1/branches/{CODE}/snapshot", headers=headers).status_code == 200
    assert client.get("/api/v1/auth/me", headers=headers).json()["role"] == kind


def test_device_tokens_are_distinct(kit: BranchKit, admin: Api) -> None:
    tokens = {
        admin(
            "POST",
            f"{ADMIN_API}/devices",
            {"branch": CODE, "kind": "display", "name": f"d{i}"},
            expect=201,
        )["token"]
        for i in range(3)
    }
    assert len(tokens) == 3
