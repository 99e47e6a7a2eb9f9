"""The audit trail, edit versions, the last administrator, password resets and the staff
language: what a bank's IT and auditors rely on when several people configure Sira."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import select

from server.db import Database
from server.models import AuditEntry
from tests.server.admin.test_admin_api import ADMIN_API, BRANCH, CODE, Api
from tests.support import PASSWORD, BranchKit, admin_token, make_branch


@pytest.fixture
def kit(make: Any) -> BranchKit:
    return make(make_branch, code=CODE)


@pytest.fixture
def admin(client: TestClient, make: Any) -> Api:
    return Api(client, {"Authorization": f"Bearer {make(admin_token)}"})


def audit(api: Api, **params: Any) -> list[dict[str, Any]]:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    page = api("GET", f"/api/v1/audit?{query}")
    return list(page["items"])


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_a_configuration_change_says_who_what_and_before_after(
    kit: BranchKit, admin: Api, client: TestClient
) -> None:
    admin("PATCH", f"{BRANCH}/services/A", {"standard_wait_s": 480})
    (entry,) = audit(admin, kind="config", branch=CODE, limit=1)
    assert (entry["action"], entry["target"], entry["branch"]) == (
        "service.updated",
        "service A",
        CODE,
    )
    assert entry["changes"] == {"standard_wait_s": {"before": 600, "after": 480}}
    assert (entry["actor_kind"], entry["actor"]) == ("user", "root")
    assert entry["address"] == "testclient"
    # A manager of the branch sees it too; a teller may not read the trail at all.
    mine = audit(Api(client, kit.auth("manager")), branch=CODE)
    assert entry["id"] in {e["id"] for e in mine}
    r = client.get("/api/v1/audit", headers=kit.auth("teller1"))
    assert r.status_code == 403


def test_a_manager_sees_only_their_branches_entries(
    make: Any, admin: Api, client: TestClient
) -> None:
    one = make(make_branch, code="one")
    two = make(make_branch, code="two")
    admin("PATCH", f"{ADMIN_API}/branches/two", {"message": "closed on Friday"})
    seen = audit(Api(client, one.auth("manager")), limit=500)
    assert seen
    assert {e["branch"] for e in seen} == {"one"}
    r = client.get("/api/v1/audit?branch=two", headers=one.auth("manager"))
    assert r.status_code == 404
    assert two.code in {e["branch"] for e in audit(admin, limit=500)}


def test_sign_ins_failures_and_lockouts_are_recorded_without_passwords(
    kit: BranchKit, admin: Api, client: TestClient
) -> None:
    assert sign_in(client, f"{CODE}-teller1").status_code == 200
    for _ in range(5):
        assert sign_in(client, f"{CODE}-teller2", "wrong password!").status_code in (401, 429)
    kinds = [e["kind"] for e in audit(admin, limit=500)]
    assert "sign_in" in kinds
    assert kinds.count("sign_in_failed") >= 4
    (locked,) = audit(admin, kind="lockout")
    assert locked["target"] == f"user {CODE}-teller2"
    assert locked["actor_kind"] == "anonymous"
    assert locked["address"] == "testclient"
    everything = str(audit(admin, limit=500))
    assert "wrong password!" not in everything
    assert PASSWORD not in everything


def test_a_password_reset_forces_a_new_password_and_is_audited(
    kit: BranchKit, admin: Api, client: TestClient
) -> None:
    uid = kit.user_ids["teller1"]
    reset = admin(
        "PATCH",
        f"{ADMIN_API}/users/{uid}",
        {"password": "temporary-123", "must_change_password": True},
    )
    assert reset["must_change_password"] is True
    login = sign_in(client, f"{CODE}-teller1", "temporary-123")
    assert login.status_code == 200
    assert login.json()["must_change_password"] is True
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    # Nothing but choosing a new password (and who am I, sign out) until then.
    r = client.post(f"/api/v1/counters/{kit.counters['1']}/open", headers=headers)
    assert (r.status_code, r.json()["code"]) == (403, "password_change_required")
    assert client.get("/api/v1/auth/me", headers=headers).json()["must_change_password"] is True
    # The form's mistakes name their field.
    bad = client.post(
        "/api/v1/auth/password",
        json={"current_password": "nope", "new_password": "a-fine-password"},
        headers=headers,
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "current_password"
    same = client.post(
        "/api/v1/auth/password",
        json={"current_password": "temporary-123", "new_password": "temporary-123"},
        headers=headers,
    )
    assert same.status_code == 422
    assert same.json()["errors"][0]["field"] == "new_password"
    ok = client.post(
        "/api/v1/auth/password",
        json={"current_password": "temporary-123", "new_password": "my-own-secret-9"},
        headers=headers,
    )
    assert ok.status_code == 204, ok.text
    r = client.post(f"/api/v1/counters/{kit.counters['1']}/open", headers=headers)
    assert r.status_code == 200, r.text
    assert sign_in(client, f"{CODE}-teller1", "my-own-secret-9").status_code == 200
    actions = [e["action"] for e in audit(admin, kind="password")]
    assert actions[:2] == ["user.password_changed", "user.password_reset"]
    assert all(
        e["changes"]["password_hash"] == {"before": "(changed)", "after": "(changed)"}
        for e in audit(admin, kind="password")
    )


def test_a_stale_form_is_refused_not_silently_overwritten(kit: BranchKit, admin: Api) -> None:
    loaded = admin("GET", f"{BRANCH}/services/A")
    first = admin(
        "PATCH",
        f"{BRANCH}/services/A",
        {"standard_wait_s": 420, "version": loaded["version"]},
    )
    assert first["version"] == loaded["version"] + 1
    second = admin.client.patch(
        f"{BRANCH}/services/A",
        json={"names": {"en": "Cash"}, "version": loaded["version"]},
        headers=admin.headers,
    )
    assert second.status_code == 409
    assert second.json()["code"] == "edited_elsewhere"
    assert "reload" in second.json()["detail"]
    now = admin("GET", f"{BRANCH}/services/A")
    assert now["standard_wait_s"] == 420
    assert now["names"] == loaded["names"]
    # Counters, users, devices and branches carry versions too.
    counter = admin("GET", f"{BRANCH}/counters/{kit.counters['1']}")
    admin("PATCH", f"{BRANCH}/counters/{kit.counters['1']}", {"label": "9", "version": 1})
    assert counter["version"] == 1
    admin("PATCH", f"{BRANCH}/counters/{kit.counters['1']}", {"label": "8", "version": 1}, 409)
    admin("PATCH", BRANCH, {"message": "hi", "version": 99}, expect=409)


def test_the_last_administrator_cannot_be_demoted_or_disabled(
    kit: BranchKit, admin: Api, db: Database
) -> None:
    with db.read_session() as s:
        from server.models import User

        root = s.exec(select(User).where(User.username == "root")).one()
    path = f"{ADMIN_API}/users/{root.id}"
    r = admin.client.patch(path, json={"role": "manager"}, headers=admin.headers)
    assert r.status_code == 409
    assert "last active administrator" in r.json()["detail"]
    r = admin.client.patch(path, json={"active": False}, headers=admin.headers)
    assert r.status_code == 409
    other = admin(
        "POST",
        f"{ADMIN_API}/users",
        {"username": "second-admin", "password": "long-enough-1", "role": "admin"},
        expect=201,
    )
    r = admin.client.patch(path, json={"role": "manager"}, headers=admin.headers)
    assert r.status_code == 422  # allowed now, but a manager needs a branch and root has none
    assert r.json()["errors"][0]["field"] == "role"
    admin("PATCH", path, {"active": False})  # now someone else is an administrator
    second = Api(admin.client, {})
    login = admin.client.post(
        "/api/v1/auth/login", json={"username": "second-admin", "password": "long-enough-1"}
    )
    second.headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    r = second.client.delete(f"{ADMIN_API}/users/{other['id']}", headers=second.headers)
    assert r.status_code == 409  # not yourself


def test_the_staff_language_is_remembered(kit: BranchKit, client: TestClient) -> None:
    headers = kit.auth("teller1")
    assert client.get("/api/v1/auth/me", headers=headers).json()["language"] is None
    r = client.put("/api/v1/auth/me/language", json={"language": "pl"}, headers=headers)
    assert r.status_code == 204
    assert client.get("/api/v1/auth/me", headers=headers).json()["language"] == "pl"
    r = client.put("/api/v1/auth/me/language", json={"language": "xx"}, headers=headers)
    assert r.status_code == 422
    r = client.put("/api/v1/auth/me/language", json={"language": "el"}, headers=kit.auth("kiosk"))
    assert r.status_code == 403


def test_the_trail_is_append_only_and_survives_its_branch(
    kit: BranchKit, admin: Api, db: Database
) -> None:
    admin("PATCH", BRANCH, {"message": "moving"})
    with db.unit_of_work() as s, pytest.raises(sa.exc.DBAPIError, match="append-only"):
        s.execute(sa.update(AuditEntry).values(actor="someone else"))
    with db.read_session() as s:
        assert "someone else" not in {e.actor for e in s.exec(select(AuditEntry))}


def test_the_trail_downloads_as_csv_with_the_filters(kit: BranchKit, admin: Api) -> None:
    admin("PATCH", f"{BRANCH}/services/B", {"names": {"en": '=HYPERLINK("x")'}})
    r = admin.client.get(f"/api/v1/audit.csv?branch={CODE}&kind=config", headers=admin.headers)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows
    assert {row["kind"] for row in rows} == {"config"}
    (renamed,) = [row for row in rows if row["action"] == "service.updated"]
    assert renamed["target"] == "service B"
    assert "HYPERLINK" in renamed["changes"]
    assert renamed["at_utc"].endswith("+00:00")
    bad = admin.client.get("/api/v1/audit.csv?kind=everything", headers=admin.headers)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "kind"


def test_signing_a_user_out_everywhere_ends_their_sessions_and_frees_their_counter(
    kit: BranchKit, client: TestClient
) -> None:
    teller = kit.auth("teller1")
    r = client.post(f"/api/v1/counters/{kit.counters['1']}/open", headers=teller)
    assert r.status_code == 200
    uid = kit.user_ids["teller1"]
    r = client.post(f"/api/v1/admin/users/{uid}/sign-out", headers=kit.auth("manager"))
    assert r.status_code == 204
    assert client.get("/api/v1/auth/me", headers=teller).status_code == 401
    counter = client.get(f"/api/v1/counters/{kit.counters['1']}", headers=kit.auth("manager"))
    assert (counter.json()["state"], counter.json()["held_by"]) == ("paused", None)
    (entry,) = audit(Api(client, kit.auth("manager")), kind="sign_out")
    assert (entry["action"], entry["actor"]) == ("user.signed_out_everywhere", "cfg-manager")


def test_absurd_filters_get_answers_not_errors(kit: BranchKit, admin: Api) -> None:
    """to=9999-12-31 overflowed the day after it (a 500)."""
    admin("PATCH", BRANCH, {"message": "x"})
    everything = admin("GET", "/api/v1/audit?from=0001-01-01&to=9999-12-31&limit=500")
    assert everything["total"] >= 1
    assert admin("GET", "/api/v1/audit?offset=10000000")["items"] == []
    r = admin.client.get("/api/v1/audit?from=2026-03-02&to=2026-03-01", headers=admin.headers)
    assert (r.status_code, r.json()["errors"][0]["field"]) == (422, "from")
    r = admin.client.get("/api/v1/audit?limit=100000", headers=admin.headers)
    assert r.status_code == 422
    r = admin.client.get("/api/v1/audit.csv?to=9999-12-31", headers=admin.headers)
    assert r.status_code == 200
