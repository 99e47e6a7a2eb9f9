"""``large_print`` on an issued ticket, end to end: the kiosk asks for it, the test printer on a
real TCP socket receives a ticket in large type (the number as big as the paper allows, every
other line at GS ! 0x11 within half the columns) with every fact of the normal one; without it
the bytes are the normal ticket's; the option is kept with the print job, so the reprint after
a failed print is large too; a retried request keeps the first request's choice."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session, col, select

from drivers.base import content_from_json
from drivers.escpos.i18n import format_issued, format_wait, labels_for, paper_text
from drivers.escpos.parse import Receipt
from drivers.escpos.ticket import TicketOptions, ticket_bytes
from drivers.fakes import describe_receipt
from server.db import Database
from server.models import PrintJob
from tests.drivers.escpos.test_large_print import SIZE_2X2, flat, size_command
from tests.server.printing.conftest import NAMES, PrintingBranch

COLUMNS = {80: 48, 58: 32}  # the "default" profile the branch's printer uses


def jobs_of(db: Database, ticket_id: int) -> list[PrintJob]:
    with Session(db.engine) as session:
        query = select(PrintJob).where(PrintJob.ticket_id == ticket_id).order_by(col(PrintJob.id))
        return list(session.exec(query))


def assert_large(receipt: Receipt, code: str, *, columns: int) -> None:
    """The code at the largest size that fits; every other text line 2 x 2 in half the
    columns."""
    shown = describe_receipt(receipt)
    scale = min(8, columns // len(code))
    assert size_command(scale) + b"\x1bE\x01" + code.encode() + b"\n" in receipt.raw, shown
    assert SIZE_2X2 in receipt.raw
    code_line = receipt.line(code)
    assert (code_line.width, code_line.height) == (scale, scale)
    for line in receipt.lines:
        if line is code_line or not line.text.strip():
            continue
        assert (line.width, line.height) == (2, 2), f"{line!r}\n{shown}"
        assert len(line.text) <= columns // 2, f"{line.text!r} wider than half\n{shown}"


def facts(branch: PrintingBranch, issued: dict[str, Any], lang: str) -> list[str]:
    """What the ticket must say, worded as the paper words it, each as one run of words."""
    labels = labels_for(lang)
    local = dt.datetime.fromisoformat(issued["issued_at"]).astimezone(ZoneInfo("Europe/Istanbul"))
    wait = format_wait(
        lang,
        issued["estimated_wait_s"],
        wait_range=issued["estimated_wait_range_s"],
        rough=issued["estimate_rough"],
    )
    return [
        issued["code"],
        NAMES[lang],
        f"{labels.issued} {format_issued(lang, local)}",
        f"{labels.people_ahead} {issued['position'] - 1}",
        f"{labels.estimated_wait} {paper_text(wait)}",
        labels.scan,
    ]


@pytest.mark.parametrize("lang", ["en", "tr", "el", "pl"])
@pytest.mark.parametrize("paper_mm", [80, 58])
def test_a_large_print_ticket_says_everything_in_large_type(
    branch: PrintingBranch, db: Database, lang: str, paper_mm: int
) -> None:
    branch.configure(paper_mm=paper_mm)
    branch.issue(lang)
    branch.issue(lang)  # two ahead: the people-ahead line and a real wait are printed
    issued = branch.issue(lang, large_print=True)
    assert issued["print_status"] == "printed"
    *_, receipt = branch.printer.wait_for_receipts(3)
    assert_large(receipt, issued["code"], columns=COLUMNS[paper_mm])
    text = flat(receipt)
    for fact in facts(branch, issued, lang):
        assert fact in text, f"{fact!r} not on the ticket:\n{describe_receipt(receipt)}"
    assert receipt.qr_payloads == [issued["status_url"]]
    assert receipt.cuts == 1
    [job] = jobs_of(db, issued["id"])
    assert job.content["large_print"] is True


@pytest.mark.parametrize("body", [{}, {"large_print": False}], ids=["absent", "false"])
def test_without_large_print_the_bytes_are_the_normal_tickets(
    branch: PrintingBranch, db: Database, body: dict[str, Any]
) -> None:
    issued = branch.issue("tr", **body)
    [receipt] = branch.printer.wait_for_receipts(1)
    [job] = jobs_of(db, issued["id"])
    assert job.content["large_print"] is False
    # The job's content as it was before the field existed, laid out as ever (the golden
    # files in tests/drivers/escpos pin those bytes).
    before = {k: v for k, v in job.content.items() if k != "large_print"}
    expected = ticket_bytes(content_from_json(before), TicketOptions())
    assert receipt.raw.endswith(expected)
    assert SIZE_2X2 not in receipt.raw
    assert receipt.line(issued["code"]).width == 4


def test_large_print_survives_a_failed_print_and_the_reprint(
    branch: PrintingBranch, db: Database
) -> None:
    branch.printer.set_state(paper="out")
    issued = branch.issue("pl", large_print=True)
    assert (issued["print_status"], issued["print_error"]) == ("failed", "paper_out")
    assert branch.printer.receipts == []

    branch.printer.set_state(paper="ok")  # paper loaded; the teller prints it again
    r = branch.client.post(
        f"/api/v1/tickets/{issued['id']}/reprint", headers=branch.kit.auth("teller1")
    )
    assert r.status_code == 200, r.text
    assert r.json()["print_status"] == "printed"
    [receipt] = branch.printer.wait_for_receipts(1)
    assert_large(receipt, issued["code"], columns=48)
    assert "DUPLIKAT" in receipt.text
    assert receipt.qr_payloads == [issued["status_url"]]
    first, again = jobs_of(db, issued["id"])
    assert (first.status, again.reprint, again.status) == ("failed", True, "printed")
    assert first.content["large_print"] is again.content["large_print"] is True

    # A normal ticket's reprint stays normal.
    plain = branch.issue("pl")
    r = branch.client.post(f"/api/v1/tickets/{plain['id']}/reprint", headers=branch.admin)
    assert r.status_code == 200, r.text
    _, plain_first, plain_again = branch.printer.wait_for_receipts(3)
    for receipt in (plain_first, plain_again):
        assert SIZE_2X2 not in receipt.raw
        assert receipt.line(plain["code"]).width == 4

    # The kiosk's print jobs say which were large (newest first).
    r = branch.client.get(f"/api/v1/devices/{branch.kiosk_id}/print-jobs", headers=branch.admin)
    assert r.status_code == 200, r.text
    listed = [(j["ticket_id"], j["reprint"], j["large_print"]) for j in r.json()]
    assert listed == [
        (plain["id"], True, False),
        (plain["id"], False, False),
        (issued["id"], True, True),
        (issued["id"], False, True),
    ]


@pytest.mark.parametrize("first", [True, False])
def test_a_retry_keeps_the_first_requests_type(
    branch: PrintingBranch, db: Database, first: bool
) -> None:
    issued = branch.issue(request_id="kiosk-touch-0042", large_print=first)
    again = branch.issue(request_id="kiosk-touch-0042", large_print=not first)
    assert again["id"] == issued["id"]
    assert again["code"] == issued["code"]
    [job] = jobs_of(db, issued["id"])  # printed once
    assert job.content["large_print"] is first
    [receipt] = branch.printer.wait_for_receipts(1)
    assert (SIZE_2X2 in receipt.raw) is first
    assert len(branch.printer.receipts) == 1
