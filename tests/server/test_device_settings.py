"""The dashboard's device settings: a test ticket printed on a device's printer (read back by
the ESC/POS test printer on a real TCP socket), and a device moved to another branch (its
screens reconnect to the new one, the move is in the audit trail)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from drivers.fakes import TestNetworkPrinter
from server.db import Database
from server.models import AuditEntry, PrintJob, Ticket
from tests.server.realtime.test_events_ws import recv
from tests.server.realtime.test_socket_attacks import closed_with, first_message_feed
from tests.support import BranchKit, admin_token, live_server, make_branch


@dataclass
class Site:
    client: TestClient
    kit: BranchKit
    admin: dict[str, str]
    kiosk_id: int

    def configure(self, config: dict[str, Any], *, who: dict[str, str] | None = None) -> Any:
        return self.client.patch(
            f"/api/v1/admin/devices/{self.kiosk_id}",
            json={"config": config},
            headers=who or self.admin,
        )

    def test_print(self, who: dict[str, str] | None = None) -> Any:
        return self.client.post(
            f"/api/v1/admin/devices/{self.kiosk_id}/test-print", headers=who or self.admin
        )

    def device(self) -> dict[str, Any]:
        r = self.client.get(f"/api/v1/admin/devices/{self.kiosk_id}", headers=self.admin)
        assert r.status_code == 200, r.text
        return dict(r.json())


@pytest.fixture
def site(client: TestClient, make) -> Site:  # type: ignore[no-untyped-def]
    kit = make(make_branch)
    admin = {"Authorization": f"Bearer {make(admin_token)}"}
    devices = client.get("/api/v1/admin/devices", headers=admin).json()
    kiosk = next(d for d in devices if d["branch"] == kit.code and d["kind"] == "kiosk")
    return Site(client, kit, admin, kiosk["id"])


@pytest.fixture
def printer() -> Iterator[TestNetworkPrinter]:
    with TestNetworkPrinter() as p:
        yield p


def network(p: TestNetworkPrinter) -> dict[str, Any]:
    return {"printer": {"transport": "network", "host": p.host, "port": p.port, "timeout_s": 1.0}}


# --- the test ticket ---------------------------------------------------------------------


def test_a_test_ticket_is_printed_and_the_printers_answer_returned(
    site: Site, printer: TestNetworkPrinter, db: Database
) -> None:
    assert site.configure(network(printer)).status_code == 200
    r = site.test_print()
    assert r.status_code == 200, r.text
    assert r.json() == {"ok": True, "state": "online", "detail": ""}
    [receipt] = printer.wait_for_receipts(1)
    assert "TEST" in receipt.text
    assert "Test print · kiosk" in receipt.text
    assert receipt.cuts == 1
    # Its answer is the printer's state on the device, as a status read would store it.
    assert site.device()["status"]["printer"]["state"] == "online"
    # It belongs to no ticket: no queue, no report, no job.
    with Session(db.engine) as session:
        assert session.exec(select(Ticket)).all() == []
        assert session.exec(select(PrintJob)).all() == []


def test_a_printer_out_of_paper_says_so_and_alerts_the_manager(
    site: Site, printer: TestNetworkPrinter
) -> None:
    assert site.configure(network(printer)).status_code == 200
    printer.set_state(paper="out")
    r = site.test_print()
    assert r.status_code == 200, r.text
    assert (r.json()["ok"], r.json()["state"]) == (False, "paper_out")
    assert printer.receipts == []
    alerts = site.client.get(f"/api/v1/branches/{site.kit.code}/alerts", headers=site.admin)
    [alert] = alerts.json()
    assert alert["kind"] == "printer"
    assert "out of paper" in alert["message"]

    printer.set_state(paper="ok")
    assert site.test_print().json()["ok"] is True
    printer.wait_for_receipts(1)
    alerts = site.client.get(f"/api/v1/branches/{site.kit.code}/alerts", headers=site.admin)
    assert alerts.json() == []


def test_a_printer_that_does_not_answer_is_offline_within_its_timeout(site: Site) -> None:
    from tests.support import free_port

    config = {"printer": {"transport": "network", "host": "127.0.0.1", "port": free_port()}}
    config["printer"]["timeout_s"] = 0.5
    assert site.configure(config).status_code == 200
    r = site.test_print()
    assert r.status_code == 200, r.text
    assert r.json()["ok"] is False
    assert r.json()["state"] == "offline"


def test_a_device_without_a_printer_is_refused_with_a_sentence(site: Site) -> None:
    r = site.test_print()
    assert r.status_code == 409
    assert "has no printer configured" in r.text


def test_only_an_administrator_may_print_a_test_ticket(
    site: Site, printer: TestNetworkPrinter
) -> None:
    assert site.configure(network(printer)).status_code == 200
    assert site.test_print(site.kit.auth("manager")).status_code == 403
    assert printer.receipts == []


def test_a_printer_driven_by_the_agent_gets_a_queued_test_job(site: Site, db: Database) -> None:
    assert (
        site.configure({"printer": {"transport": "dummy"}, "print_via": "agent"}).status_code == 200
    )
    r = site.test_print()
    assert r.status_code == 200, r.text
    assert (r.json()["ok"], r.json()["state"]) == (True, "queued")
    with Session(db.engine) as session:
        [job] = session.exec(select(PrintJob)).all()
        assert (job.status, job.content["code"]) == ("queued", "TEST")


# --- moving a device ---------------------------------------------------------------------


def test_moving_a_device_to_another_branch(site: Site, make, db: Database) -> None:  # type: ignore[no-untyped-def]
    other = make(make_branch, code="north", tellers=0)
    r = site.client.patch(
        f"/api/v1/admin/devices/{site.kiosk_id}", json={"branch": "north"}, headers=site.admin
    )
    assert r.status_code == 200, r.text
    assert r.json()["branch"] == "north"
    # The kiosk now issues tickets in its new branch only.
    kiosk = site.kit.auth("kiosk")
    r = site.client.post("/api/v1/branches/north/tickets", json={"service": "A"}, headers=kiosk)
    assert r.status_code == 201, r.text
    r = site.client.post(
        f"/api/v1/branches/{site.kit.code}/tickets", json={"service": "A"}, headers=kiosk
    )
    assert r.status_code == 404
    with Session(db.engine) as session:
        moves = session.exec(
            select(AuditEntry).where(col(AuditEntry.target).contains("kiosk"))
        ).all()
        assert any("branch_id" in e.changes or "branch" in e.changes for e in moves), [
            e.changes for e in moves
        ]
    assert other.code == "north"


def test_a_manager_must_see_both_branches_to_move_a_device(site: Site, make, db: Database) -> None:  # type: ignore[no-untyped-def]
    make(make_branch, code="north", tellers=0)
    mine = site.kit.auth("manager")
    url = f"/api/v1/admin/devices/{site.kiosk_id}"
    r = site.client.patch(url, json={"branch": "north"}, headers=mine)
    assert r.status_code == 404  # a branch out of reach is one that does not exist
    assert site.device()["branch"] == site.kit.code
    r = site.client.patch(url, json={"branch": "nowhere"}, headers=site.admin)
    assert r.status_code == 404

    # A regional manager overseeing both may.
    r = site.client.put(
        f"/api/v1/admin/users/{site.kit.user_ids['manager']}/branches",
        json={"branches": ["north"]},
        headers=site.admin,
    )
    assert r.status_code == 200, r.text
    r = site.client.patch(url, json={"branch": "north"}, headers=mine)
    assert r.status_code == 200, r.text
    assert r.json()["branch"] == "north"


def test_a_moved_devices_screen_is_closed_to_reconnect(app, make, db: Database) -> None:  # type: ignore[no-untyped-def]
    kit = make(make_branch)
    make(make_branch, code="north", tellers=0)
    admin = {"Authorization": f"Bearer {make(admin_token)}"}
    with live_server(app) as base:
        import httpx

        with httpx.Client(base_url=base) as http:
            devices = http.get("/api/v1/admin/devices", headers=admin).json()
            display = next(d for d in devices if d["branch"] == kit.code and d["kind"] == "display")
            with first_message_feed(base, kit.code, kit.tokens["display"]) as ws:
                assert recv(ws)["type"] == "snapshot"
                r = http.patch(
                    f"/api/v1/admin/devices/{display['id']}",
                    json={"branch": "north"},
                    headers=admin,
                )
                assert r.status_code == 200, r.text
                # Its old branch is out of its reach now: closed, it reconnects to the new one.
                assert closed_with(ws)[0] == 4404
            with first_message_feed(base, "north", kit.tokens["display"]) as ws:
                assert recv(ws)["type"] == "snapshot"
