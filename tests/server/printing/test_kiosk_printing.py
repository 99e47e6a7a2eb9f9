"""A kiosk with a network printer: every ticket it issues is printed, and read back by a test
printer on a real TCP socket that parses the ESC/POS bytes. A failing printer never costs the
customer their ticket: the number is issued, the reason returned, a moment of truth logged and
the manager alerted until the printer recovers."""

from __future__ import annotations

import pytest
from sqlmodel import Session, col, select

from server.db import Database
from server.models import Event, PrintJob, Ticket
from tests.server.printing.conftest import NAMES, PrintingBranch


def events_of(db: Database, kind: str) -> list[Event]:
    with Session(db.engine) as session:
        return list(session.exec(select(Event).where(Event.type == kind).order_by(col(Event.seq))))


@pytest.mark.parametrize("lang", ["en", "tr", "el", "pl"])
def test_each_ticket_is_printed_in_the_customers_language(
    branch: PrintingBranch, db: Database, lang: str
) -> None:
    issued = branch.issue(lang)
    assert issued["print_status"] == "printed"
    assert issued["print_error"] is None
    [receipt] = branch.printer.wait_for_receipts(1)
    assert issued["code"] in receipt.text
    assert NAMES[lang] in receipt.text  # ğ ş ı İ, Greek and Polish letters survive
    assert receipt.qr_payloads == [issued["status_url"]]
    assert receipt.cuts == 1
    assert receipt.codepage_after_init
    [event] = events_of(db, "ticket.printed")
    assert event.ticket_id == issued["id"]
    with Session(db.engine) as session:
        assert session.get(Ticket, issued["id"]).print_status == "printed"  # type: ignore[union-attr]


def test_a_retried_request_is_printed_once(branch: PrintingBranch, db: Database) -> None:
    first = branch.issue(request_id="kiosk-touch-0001")
    again = branch.issue(request_id="kiosk-touch-0001")
    assert again["id"] == first["id"]
    assert again["print_status"] == "printed"
    branch.printer.wait_for_receipts(1)
    with Session(db.engine) as session:
        assert len(session.exec(select(PrintJob)).all()) == 1
    assert len(branch.printer.receipts) == 1


def test_paper_out_keeps_the_ticket_logs_the_failure_and_alerts_until_recovery(
    branch: PrintingBranch, db: Database
) -> None:
    branch.printer.set_state(paper="out")
    issued = branch.issue("tr")
    assert issued["print_status"] == "failed"
    assert issued["print_error"] == "paper_out"
    assert branch.printer.receipts == []
    [failed] = events_of(db, "ticket.print_failed")
    assert failed.ticket_id == issued["id"]
    assert failed.data["status"]["state"] == "paper_out"
    [alert] = branch.alerts()
    assert (alert["kind"], alert["severity"]) == ("printer", "critical")
    assert "out of paper" in alert["message"]
    devices = branch.client.get("/api/v1/admin/devices", headers=branch.admin).json()
    kiosk = next(d for d in devices if d["id"] == branch.kiosk_id)
    assert kiosk["status"]["printer"]["state"] == "paper_out"
    # The ticket is in the queue like any other.
    r = branch.client.get(f"/api/v1/tickets/{issued['id']}", headers=branch.kit.auth("teller1"))
    assert r.json()["ticket"]["status"] == "waiting"

    # Paper loaded: the status poll sees it, the alert clears without a ticket being printed.
    branch.printer.set_state(paper="ok")
    ctx = branch.client.app.state.ctx  # type: ignore[attr-defined]
    assert branch.client.portal.call(ctx.printers.poll_once) == 1  # type: ignore[union-attr]
    assert branch.alerts() == []
    [cleared] = events_of(db, "alert.cleared")
    assert cleared.data["alert"]["id"] == alert["id"]
    assert branch.issue()["print_status"] == "printed"


def test_a_successful_print_clears_an_earlier_printer_alert(branch: PrintingBranch) -> None:
    branch.printer.set_state(cover_open=True)
    assert branch.issue()["print_error"] == "cover_open"
    assert "cover open" in branch.alerts()[0]["message"]
    branch.printer.set_state(cover_open=False)
    assert branch.issue()["print_status"] == "printed"
    assert branch.alerts() == []


def test_a_silent_printer_fails_the_print_but_not_the_ticket(
    branch: PrintingBranch, db: Database
) -> None:
    branch.printer.set_state(silent=True)
    issued = branch.issue()
    assert issued["print_status"] == "failed"
    assert issued["print_error"] == "offline"
    with Session(db.engine) as session:
        assert session.get(Ticket, issued["id"]) is not None
    assert branch.alerts()[0]["data"]["state"] == "offline"


def test_near_end_prints_and_warns(branch: PrintingBranch) -> None:
    branch.printer.set_state(paper="near_end")
    assert branch.issue()["print_status"] == "printed"
    [alert] = branch.alerts()
    assert alert["severity"] == "warning"
    assert "nearly out of paper" in alert["message"]


def test_a_teller_reprints_a_ticket_marked_as_reprint(branch: PrintingBranch, db: Database) -> None:
    issued = branch.issue("tr")
    r = branch.client.post(
        f"/api/v1/tickets/{issued['id']}/reprint", headers=branch.kit.auth("teller1")
    )
    assert r.status_code == 200, r.text
    assert r.json()["print_status"] == "printed"
    first, second = branch.printer.wait_for_receipts(2)
    assert issued["code"] in second.text
    assert "TEKRAR BASKI" in second.text
    assert "TEKRAR BASKI" not in first.text
    assert second.qr_payloads == first.qr_payloads
    jobs = branch.client.get(
        f"/api/v1/devices/{branch.kiosk_id}/print-jobs", headers=branch.admin
    ).json()
    assert [(j["reprint"], j["status"]) for j in jobs] == [(True, "printed"), (False, "printed")]


def test_reprint_without_a_printed_original_is_refused(branch: PrintingBranch) -> None:
    r = branch.client.post(
        f"/api/v1/branches/{branch.kit.code}/tickets",
        json={"service": "A"},
        headers=branch.kit.auth("teller1"),  # issued at a counter: no kiosk printer
    )
    r = branch.client.post(f"/api/v1/tickets/{r.json()['id']}/reprint", headers=branch.admin)
    assert r.status_code == 404
    assert "no printer device" in r.json()["detail"]


def test_a_bad_printer_configuration_is_refused_and_changes_nothing(
    branch: PrintingBranch,
) -> None:
    r = branch.client.patch(
        f"/api/v1/admin/devices/{branch.kiosk_id}",
        json={"config": {"printer": {"transport": "network", "port": 70000}}},
        headers=branch.admin,
    )
    assert r.status_code == 422
    assert "host" in r.text
    device = branch.client.get(
        f"/api/v1/admin/devices/{branch.kiosk_id}", headers=branch.admin
    ).json()
    assert device["config"]["printer"]["port"] == branch.printer.port
