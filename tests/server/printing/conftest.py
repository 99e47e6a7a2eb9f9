"""A branch whose kiosk prints to a test printer on a real TCP socket."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from drivers.fakes import TestNetworkPrinter
from tests.support import BranchKit, admin_token, make_branch

NAMES = {
    "en": "Cash and Deposits",
    "tr": "Nakit İşlemleri ve Döviz (ğ ş ı)",
    "el": "Ταμείο και Καταθέσεις",
    "pl": "Kasa i Wpłaty (ą ć ę ł ń ś ź ż)",
}


@dataclass
class PrintingBranch:
    client: TestClient
    kit: BranchKit
    printer: TestNetworkPrinter
    admin: dict[str, str]
    kiosk_id: int

    def configure(self, **printer: Any) -> dict[str, Any]:
        config = {
            "printer": {
                "transport": "network",
                "host": self.printer.host,
                "port": self.printer.port,
                "timeout_s": 1.0,
                **printer,
            }
        }
        r = self.client.patch(
            f"/api/v1/admin/devices/{self.kiosk_id}", json={"config": config}, headers=self.admin
        )
        assert r.status_code == 200, r.text
        return r.json()

    def issue(self, lang: str = "en", **body: Any) -> dict[str, Any]:
        r = self.client.post(
            f"/api/v1/branches/{self.kit.code}/tickets",
            json={"service": "A", "lang": lang, **body},
            headers=self.kit.auth("kiosk"),
        )
        assert r.status_code == 201, r.text
        return r.json()

    def alerts(self) -> list[dict[str, Any]]:
        r = self.client.get(f"/api/v1/branches/{self.kit.code}/alerts", headers=self.admin)
        assert r.status_code == 200, r.text
        return r.json()


@pytest.fixture
def branch(client: TestClient, make) -> Iterator[PrintingBranch]:
    kit = make(make_branch)
    admin = {"Authorization": f"Bearer {make(admin_token)}"}
    r = client.patch(
        f"/api/v1/admin/branches/{kit.code}/services/A", json={"names": NAMES}, headers=admin
    )
    assert r.status_code == 200, r.text
    devices = client.get("/api/v1/admin/devices", headers=admin).json()
    kiosk = next(d for d in devices if d["branch"] == kit.code and d["kind"] == "kiosk")
    with TestNetworkPrinter() as printer:
        pb = PrintingBranch(client, kit, printer, admin, kiosk["id"])
        pb.configure()
        yield pb
