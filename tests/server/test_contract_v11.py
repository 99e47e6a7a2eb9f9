"""The v1.1 contract's own paths and shapes (API.md, "Added in v1.1"): device pairing by
pairing id, claiming a code, the audit log's rows with before/after and cursor pages, and the
signed-in person's language. Integrators and the acceptance suite are written against these
names; the staff pages use the same services under their own paths."""

from __future__ import annotations

import csv
import io
import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient

from server.clock import FrozenClock
from server.log_redaction import REDACTED, RedactTokens, redact
from tests.server.admin.test_admin_api import ADMIN_API, BRANCH, CODE, Api
from tests.support import PASSWORD, BranchKit, admin_token, make_branch


@pytest.fixture
def kit(make: Any) -> BranchKit:
    return make(make_branch, code=CODE)


@pytest.fixture
def admin(client: TestClient, make: Any) -> Api:
    return Api(client, {"Authorization": f"Bearer {make(admin_token)}"})


def start(client: TestClient, kind: str = "kiosk") -> dict[str, Any]:
    r = client.post("/api/v1/pairing", json={"kind": kind})
    assert r.status_code == 201, r.text
    return dict(r.json())


def claim(client: TestClient, headers: dict[str, str], code: str, **over: Any) -> Any:
    body = {"code": code, "branch": CODE, "kind": "kiosk", "name": "Door kiosk", **over}
    return client.post("/api/v1/admin/pairing/claim", json=body, headers=headers)


# --- pairing ---------------------------------------------------------------------------


def test_pairing_by_id_pending_then_paired_once_then_gone(
    client: TestClient, kit: BranchKit
) -> None:
    started = start(client)
    assert {"pairing_id", "code", "expires_at"} <= started.keys()
    assert 6 <= len(started["code"].replace("-", "")) <= 8
    poll = f"/api/v1/pairing/{started['pairing_id']}"
    assert client.get(poll).json()["status"] == "pending"

    r = claim(client, kit.auth("manager"), started["code"])
    assert r.status_code == 201, r.text
    device_id = r.json()["device_id"]
    assert r.json()["id"] == device_id

    paired = client.get(poll)
    assert paired.status_code == 200
    body = paired.json()
    assert (body["status"], body["branch"], body["kind"]) == ("paired", CODE, "kiosk")
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.json()["device_id"] == device_id
    # The token is given once: asking again is 410 and does not repeat it.
    again = client.get(poll)
    assert again.status_code == 410
    assert body["token"] not in again.text


def test_claiming_unknown_used_and_expired_codes(
    client: TestClient, kit: BranchKit, clock: FrozenClock
) -> None:
    manager = kit.auth("manager")
    unknown = claim(client, manager, "ABCD-EFGH")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_code")
    assert unknown.json()["detail"]

    used = start(client)
    assert claim(client, manager, used["code"]).status_code == 201
    twice = claim(client, manager, used["code"])
    assert (twice.status_code, twice.json()["code"]) == (409, "used_code")

    late = start(client, "display")
    clock.advance(601)
    expired = claim(client, manager, late["code"], kind="display")
    assert (expired.status_code, expired.json()["code"]) == (410, "pairing_expired")
    assert "expired" in expired.json()["detail"]
    # The waiting device is told, in the answer's body, to start again.
    r = client.get(f"/api/v1/pairing/{late['pairing_id']}")
    assert (r.status_code, r.json()["status"]) == (200, "expired")
    assert client.get("/api/v1/pairing/" + "x" * 40).status_code == 404


def test_claim_is_for_admins_and_the_branchs_manager(
    client: TestClient, kit: BranchKit, make: Any
) -> None:
    started = start(client)
    assert claim(client, kit.auth("teller1"), started["code"]).status_code == 403
    assert claim(client, kit.auth("kiosk"), started["code"]).status_code == 403
    assert claim(client, {}, started["code"]).status_code == 401
    other = make(make_branch, code="other")
    assert claim(client, other.auth("manager"), started["code"]).status_code == 404
    r = client.get(f"/api/v1/pairing/{started['pairing_id']}")
    assert r.json()["status"] == "pending"  # none of those used it up


def test_a_pairing_id_never_reaches_a_log() -> None:
    pairing_id = "Zq8x1Yb2-Xc3Wd4Ve5Uf6Tg7Sh8Ri9Qj0"
    line = f'127.0.0.1:5555 - "GET /api/v1/pairing/{pairing_id} HTTP/1.1" 200'
    assert pairing_id not in redact(line)
    assert f"/api/v1/pairing/{REDACTED}" in redact(line)
    assert redact("POST /api/v1/pairing/status") == "POST /api/v1/pairing/status"
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s"', ("ip", "GET", line), None
    )
    RedactTokens().filter(record)
    assert pairing_id not in record.getMessage()


# --- audit log ---------------------------------------------------------------------------


def rows(api: Api, query: str = "") -> dict[str, Any]:
    return dict(api("GET", f"{ADMIN_API}/audit?{query}"))


def test_audit_rows_have_the_contract_shape_and_actions(
    client: TestClient, kit: BranchKit, admin: Api
) -> None:
    admin("PATCH", f"{BRANCH}/services/A", {"standard_wait_s": 480})
    ok = client.post(
        "/api/v1/auth/login", json={"username": f"{CODE}-teller1", "password": PASSWORD}
    )
    assert ok.status_code == 200
    bad = client.post("/api/v1/auth/login", json={"username": f"{CODE}-teller2", "password": "no!"})
    assert bad.status_code == 401

    page = rows(admin, f"branch={CODE}&action=update")
    (update,) = [r for r in page["rows"] if r["target"] == "service A"]
    assert set(update) >= {
        "id",
        "at",
        "actor",
        "action",
        "branch",
        "target",
        "before",
        "after",
        "ip",
    }
    assert (update["action"], update["actor"], update["branch"]) == ("update", "root", CODE)
    assert (update["before"], update["after"]) == (
        {"standard_wait_s": 600},
        {"standard_wait_s": 480},
    )
    assert update["ip"] == "testclient"
    assert {r["action"] for r in page["rows"]} == {"update"}

    logins = rows(admin, "action=login")["rows"]
    assert [r["actor"] for r in logins] == [f"{CODE}-teller1"]
    failed = rows(admin, "action=login_failed")["rows"]
    # Who tried is unknown (anyone can type a username): the name typed is the target.
    assert failed
    assert (failed[0]["actor_kind"], failed[0]["target"]) == (
        "anonymous",
        f"user {CODE}-teller2",
    )
    assert "no!" not in str(failed)
    created = rows(admin, "action=create&limit=500")["rows"]
    assert "service A" in {r["target"] for r in created}  # make_branch added it


def test_audit_rows_page_with_a_cursor(kit: BranchKit, admin: Api) -> None:
    for wait in (420, 480, 540):
        admin("PATCH", f"{BRANCH}/services/B", {"standard_wait_s": wait})
    seen: list[int] = []
    cursor = ""
    while True:
        page = rows(admin, f"limit=2{cursor}")
        seen += [r["id"] for r in page["rows"]]
        assert len(page["rows"]) <= 2
        if page["next_cursor"] is None:
            break
        cursor = f"&cursor={page['next_cursor']}"
    everything = rows(admin, "limit=500")
    assert seen == [r["id"] for r in everything["rows"]]
    assert seen == sorted(seen, reverse=True)
    assert everything["next_cursor"] is None


def test_audit_rows_revocation_pairing_and_csv(
    client: TestClient, kit: BranchKit, admin: Api
) -> None:
    started = start(client, "display")
    device = claim(client, admin.headers, started["code"], kind="display", name="Hall TV")
    admin("DELETE", f"{ADMIN_API}/devices/{device.json()['device_id']}", expect=204)
    paired = rows(admin, "action=device_paired")["rows"]
    revoked = rows(admin, "action=device_revoked")["rows"]
    assert paired[0]["target"] == "display Hall TV"
    assert revoked[0]["target"] == "display Hall TV"
    assert revoked[0]["after"] == {"active": False}

    r = client.get(f"{ADMIN_API}/audit.csv?action=device_revoked", headers=admin.headers)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(r.text)))
    assert [(t["action"], t["target"]) for t in table] == [("device_revoked", "display Hall TV")]
    assert table[0]["actor"] == "root"


def test_audit_rows_are_for_admins_and_managers_of_their_branch(
    client: TestClient, kit: BranchKit, make: Any, admin: Api
) -> None:
    other = make(make_branch, code="other")
    admin("PATCH", f"{ADMIN_API}/branches/other", {"message": "new hours from Monday"})
    mine = rows(Api(client, kit.auth("manager")), "limit=500")["rows"]
    assert mine
    assert {r["branch"] for r in mine} == {CODE}
    assert client.get(f"{ADMIN_API}/audit", headers=kit.auth("teller1")).status_code == 403
    assert client.get(f"{ADMIN_API}/audit", headers=kit.auth("kiosk")).status_code == 403
    assert client.get(f"{ADMIN_API}/audit").status_code == 401
    theirs = client.get(f"{ADMIN_API}/audit?branch=other", headers=kit.auth("manager"))
    assert theirs.status_code == 404
    assert other.code in {r["branch"] for r in rows(admin, "limit=500")["rows"]}
    bad = client.get(f"{ADMIN_API}/audit?action=everything", headers=admin.headers)
    assert bad.status_code == 422
    assert "action must be one of" in bad.json()["detail"]
    bad = client.get(f"{ADMIN_API}/audit?cursor=abc", headers=admin.headers)
    assert bad.status_code == 422


# --- the signed-in person's language ------------------------------------------------------


def test_me_names_the_user_and_their_language(client: TestClient, kit: BranchKit) -> None:
    headers = kit.auth("teller1")
    me = client.get("/api/v1/auth/me", headers=headers).json()
    assert (me["username"], me["role"], me["branch"]) == (f"{CODE}-teller1", "teller", CODE)
    assert me["lang"] in ("en", "tr", "el", "pl")
    r = client.patch("/api/v1/auth/me", json={"lang": "el"}, headers=headers)
    assert r.status_code == 200, r.text
    assert r.json()["lang"] == "el"
    assert client.get("/api/v1/auth/me", headers=headers).json()["lang"] == "el"
    wrong = client.patch("/api/v1/auth/me", json={"lang": "xx"}, headers=headers)
    assert wrong.status_code == 422
    assert client.get("/api/v1/auth/me", headers=headers).json()["lang"] == "el"
    device = client.patch("/api/v1/auth/me", json={"lang": "tr"}, headers=kit.auth("kiosk"))
    assert device.status_code == 403
    assert client.patch("/api/v1/auth/me", json={"lang": "tr"}).status_code == 401


@pytest.mark.parametrize(
    "cursor",
    ["9223372036854775808", "99999999999999999999", "\u00b2", "\u2460", "-1", "1.5"],
)
def test_a_crafted_cursor_is_a_clear_refusal(admin: Api, client: TestClient, cursor: str) -> None:
    r = client.get(f"{ADMIN_API}/audit", params={"cursor": cursor}, headers=admin.headers)
    assert r.status_code == 422
    assert r.json()["detail"] == "cursor must be the next_cursor of an earlier page"


def test_a_branchs_manager_sees_their_staffs_failed_sign_ins_and_lockouts(
    client: TestClient, kit: BranchKit, make: Any
) -> None:
    for _ in range(6):
        client.post("/api/v1/auth/login", json={"username": f"{CODE}-teller2", "password": "no!"})
    client.post("/api/v1/auth/login", json={"username": "nobody-at-all", "password": "no!"})
    manager = Api(client, kit.auth("manager"))
    failed = rows(manager, "action=login_failed&limit=500")["rows"]
    assert failed
    assert {r["target"] for r in failed} == {f"user {CODE}-teller2"}  # not someone else's
    assert {r["branch"] for r in failed} == {CODE}
    assert [r["target"] for r in rows(manager, "action=lockout")["rows"]] == [
        f"user {CODE}-teller2"
    ]
    other = make(make_branch, code="other")
    theirs = rows(Api(client, other.auth("manager")), "action=login_failed&limit=500")["rows"]
    assert theirs == []


def test_a_claim_that_is_no_code_at_all_is_not_counted_as_a_guess(
    client: TestClient, kit: BranchKit
) -> None:
    r = claim(client, kit.auth("manager"), "----")
    assert r.status_code == 422
    assert "8 letters and digits" in r.json()["detail"]
    assert rows(Api(client, kit.auth("manager")), "action=pairing_refused")["rows"] == []
    extra = client.post(
        "/api/v1/admin/pairing/claim",
        json={"code": "ABCD-EFGH", "branch": CODE, "kind": "kiosk", "name": "K", "extra": 1},
        headers=kit.auth("manager"),
    )
    assert extra.status_code == 422
    me = client.patch(
        "/api/v1/auth/me", json={"lang": "tr", "role": "admin"}, headers=kit.auth("teller1")
    )
    assert me.status_code == 422
    assert client.get("/api/v1/auth/me", headers=kit.auth("teller1")).json()["role"] == "teller"
