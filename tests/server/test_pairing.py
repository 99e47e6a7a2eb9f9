"""Pairing a device by code: the device shows a code and waits, staff enter it, the device
receives its token once; codes are single-use, expire, and guessing is limited. Revoking a
paired device closes its event socket at once (4401)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from server.clock import FrozenClock
from server.devices import pairing
from tests.server.realtime.test_socket_attacks import closed_with, first_message_feed
from tests.support import BranchKit, admin_token, live_server, make_branch


@pytest.fixture
def kit(make: Any) -> BranchKit:
    return make(make_branch)


def start(client: Any, kind: str | None = "kiosk") -> dict[str, Any]:
    r = client.post("/api/v1/pairing", json={"kind": kind})
    assert r.status_code == 201, r.text
    return dict(r.json())


def status(client: Any, secret: str) -> Any:
    return client.post("/api/v1/pairing/status", json={"secret": secret})


def claim(client: Any, headers: dict[str, str], code: str, **over: Any) -> Any:
    body = {"code": code, "branch": "demo", "kind": "kiosk", "name": "Entrance kiosk", **over}
    return client.post("/api/v1/admin/pairing", json=body, headers=headers)


def test_a_device_paired_by_code_receives_its_token_once(client: TestClient, kit) -> None:
    started = start(client)
    code = started["code"]
    assert len(code) == 9
    assert code[4] == "-"
    assert set(code.replace("-", "")) <= set(pairing.ALPHABET)
    assert started["expires_in"] == 600
    assert started["qr_svg"].startswith("<?xml") or "<svg" in started["qr_svg"]
    assert started["pair_url"].endswith(f"/manager/#pair={code}")
    assert status(client, started["secret"]).json()["state"] == "waiting"
    # Typed by a person: lower case and without the dash still match.
    paired = claim(client, kit.auth("manager"), code.replace("-", "").lower())
    assert paired.status_code == 201, paired.text
    assert (paired.json()["kind"], paired.json()["branch"]) == ("kiosk", "demo")
    assert "token" not in paired.json()
    got = status(client, started["secret"]).json()
    assert got["state"] == "paired"
    assert got["device"] == {
        "id": paired.json()["id"],
        "kind": "kiosk",
        "name": "Entrance kiosk",
        "branch": "demo",
    }
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {got['token']}"})
    assert (me.json()["role"], me.json()["device_id"]) == ("kiosk", paired.json()["id"])
    # Handed over once: the token is gone from the server's pairing record.
    again = status(client, started["secret"])
    assert again.status_code == 409
    assert got["token"] not in again.text
    # Used codes are refused; the trail says who paired what.
    assert claim(client, kit.auth("manager"), code).status_code == 409
    trail = client.get("/api/v1/audit?kind=pairing", headers=kit.auth("manager")).json()["items"]
    paired_entry = next(e for e in trail if e["action"] == "device.paired")
    assert (paired_entry["actor"], paired_entry["target"]) == (
        "demo-manager",
        "kiosk Entrance kiosk",
    )
    assert any(e["action"] == "pairing.refused" for e in trail)


def test_an_expired_code_is_refused_clearly(client: TestClient, kit, clock: FrozenClock) -> None:
    started = start(client, "display")
    clock.advance(601)
    r = claim(client, kit.auth("manager"), started["code"], kind="display")
    assert (r.status_code, r.json()["code"]) == (410, "pairing_expired")
    assert "expired" in r.json()["detail"]
    assert status(client, started["secret"]).status_code == 410
    unknown = claim(client, kit.auth("manager"), "ABCD-EFGH")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_code")


def test_guessing_codes_is_limited_per_person(client: TestClient, kit, make) -> None:
    started = start(client)
    for _ in range(pairing.MAX_WRONG_CODES):
        assert claim(client, kit.auth("manager"), "ZZZZ-ZZZZ").status_code == 404
    r = claim(client, kit.auth("manager"), started["code"])
    assert r.status_code == 429  # even the right code, until the window passes
    # Another person is not locked out by them.
    admin = {"Authorization": f"Bearer {make(admin_token)}"}
    assert claim(client, admin, started["code"]).status_code == 201


def test_asking_for_codes_is_limited_per_address(client: TestClient) -> None:
    for _ in range(pairing.MAX_STARTS_PER_ADDRESS):
        start(client, None)
    r = client.post("/api/v1/pairing", json={})
    assert r.status_code == 429
    assert "too many pairing codes" in r.json()["detail"]


def test_who_may_claim_a_code(client: TestClient, kit, make) -> None:
    started = start(client)
    assert claim(client, kit.auth("teller1"), started["code"]).status_code == 403
    assert claim(client, kit.auth("kiosk"), started["code"]).status_code == 403
    other = make(make_branch, code="other")
    r = claim(client, other.auth("manager"), started["code"])  # someone else's branch
    assert r.status_code == 404
    assert status(client, started["secret"]).json()["state"] == "waiting"  # still claimable
    assert claim(client, {}, started["code"]).status_code == 401
    huge = client.post("/api/v1/pairing/status", json={"secret": "x" * 10_000})
    assert huge.status_code == 422


def test_revoking_a_paired_display_closes_its_socket(app, make) -> None:
    kit = make(make_branch)
    root = make(admin_token)
    with live_server(app) as base:
        with httpx.Client(base_url=base, trust_env=False) as http:
            started = start(http, "display")
            admin = {"Authorization": f"Bearer {root}"}
            device = claim(http, admin, started["code"], kind="display", name="Hall TV").json()
            token = status(http, started["secret"]).json()["token"]
            with first_message_feed(base, kit.code, token) as ws:
                assert ws.recv(timeout=30)  # the snapshot: it works
                r = http.delete(f"/api/v1/admin/devices/{device['id']}", headers=admin)
                assert r.status_code == 204
                assert closed_with(ws)[0] == 4401
            trail = http.get("/api/v1/audit?kind=revoked", headers=admin).json()["items"]
            assert trail[0]["target"] == "display Hall TV"
