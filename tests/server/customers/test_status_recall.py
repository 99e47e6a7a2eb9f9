"""The customer's status counts recalls, so the phone can alert again on each one."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.support import BranchKit, make_branch

CODE = "recall"


def test_status_counts_recalls(client: TestClient, make: Any) -> None:
    kit: BranchKit = make(make_branch, code=CODE)
    r = client.post(
        f"/api/v1/branches/{CODE}/tickets", json={"service": "A"}, headers=kit.auth("kiosk")
    )
    token = r.json()["token"]
    counter = kit.counters["1"]

    def status() -> dict[str, Any]:
        return client.get(f"/api/v1/tickets/by-token/{token}").json()

    assert status()["recall_count"] == 0
    for op in ("open", "call-next"):
        assert client.post(
            f"/api/v1/counters/{counter}/{op}", headers=kit.auth("teller1")
        ).is_success
    assert status()["recall_count"] == 0
    assert client.post(f"/api/v1/counters/{counter}/recall", headers=kit.auth("teller1")).is_success
    assert status()["recall_count"] == 1
    assert status()["status"] == "called"
