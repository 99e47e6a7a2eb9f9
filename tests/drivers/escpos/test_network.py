"""Tickets and status over a real TCP socket to the test printer, which parses the bytes
with Epson's ESC t table and answers DLE EOT like an Epson-compatible printer."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest

from drivers.base import DeviceState, DeviceStatus, DriverError
from drivers.escpos import EscposPrinter, make_printer
from drivers.fakes import TestNetworkPrinter, describe_receipt
from tests.drivers.escpos.factories import make_ticket, network_config

#: Written here, not imported from the driver, so a wrong translation table is caught.
LABELS = {
    "en": ("People ahead of you", "Estimated wait", "10 minutes", "Scan to follow your turn"),
    "tr": ("Önünüzdeki kişi sayısı", "Tahmini bekleme süresi", "10 dakika", "okutun"),
    "el": ("Άτομα μπροστά σας", "Εκτιμώμενη αναμονή", "10 λεπτά", "Σαρώστε"),
    "pl": ("Osób przed Tobą", "Szacowany czas oczekiwania", "10 minut", "Zeskanuj"),
}


def printer_for(fake: TestNetworkPrinter, **kw: Any) -> EscposPrinter:
    return make_printer(network_config(fake.host, fake.port, profile="TM-T88V", **kw))


def returns_within(seconds: float, call: Callable[[], Any]) -> Any:
    """Run ``call`` in a thread; fail if it has not returned after ``seconds``."""
    result: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            result.append(call())
        except BaseException as exc:  # handed back to the test thread
            errors.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), f"call still blocked after {seconds} s"
    if errors:
        raise errors[0]
    return result[0]


@pytest.mark.parametrize("lang", ["en", "tr", "el", "pl"])
def test_ticket_prints_over_tcp_and_reads_back_in_every_language(
    test_printer: TestNetworkPrinter, lang: str
) -> None:
    ticket = make_ticket(lang, priority=True)
    status = printer_for(test_printer).print_ticket(ticket)

    [receipt] = test_printer.wait_for_receipts(1)
    assert status == DeviceStatus(DeviceState.ONLINE)
    assert receipt.cuts == 1
    assert receipt.codepage_after_init
    code = receipt.line("A042")
    assert (code.width, code.height, code.align) == (4, 4, "center")
    service = receipt.line(ticket.service_name)  # every accented letter decoded exactly
    assert (service.height, service.bold) == (2, True)
    assert receipt.line(ticket.branch_name)
    people, wait, minutes, scan = LABELS[lang]
    assert any(line.text.startswith(people) and line.text.endswith(" 3") for line in receipt.lines)
    assert any(line.text.startswith(wait) and line.text.endswith(minutes) for line in receipt.lines)
    assert scan in receipt.text
    assert receipt.qr_payloads == [ticket.qr_url]
    assert "\ufffd" not in receipt.text
    assert "?" not in receipt.text, describe_receipt(receipt)
    assert receipt.unknown == []


def test_issued_time_is_printed_in_the_branch_timezone_and_local_order(
    test_printer: TestNetworkPrinter,
) -> None:
    printer = printer_for(test_printer)
    printer.print_ticket(make_ticket("tr"))
    printer.print_ticket(make_ticket("en"))
    tr, en = test_printer.wait_for_receipts(2)
    assert any(line.text.endswith("04.03.2025 09:05") for line in tr.lines)
    assert any(line.text.endswith("04/03/2025 09:05") for line in en.lines)


def test_status_replies_are_byte_for_byte_epson(test_printer: TestNetworkPrinter) -> None:
    """The fake's DLE EOT answers against the values in Epson's manual."""
    cases = {
        "ok": ({}, b"\x12\x12\x12\x12"),
        "near end": ({"paper": "near_end"}, b"\x12\x12\x12\x1e"),
        "paper out": ({"paper": "out"}, b"\x1a\x32\x12\x7e"),
        "cover open": ({"paper": "ok", "cover_open": True}, b"\x1a\x16\x12\x12"),
        "cutter jam": ({"cover_open": False, "error": "cutter"}, b"\x1a\x52\x1a\x12"),
    }
    for name, (state, expected) in cases.items():
        test_printer.set_state(**state)
        with socket.create_connection((test_printer.host, test_printer.port), timeout=2) as conn:
            conn.sendall(b"\x10\x04\x01\x10\x04\x02\x10\x04\x03\x10\x04\x04")
            reply = b""
            while len(reply) < 4:
                reply += conn.recv(4)
        assert reply == expected, name


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ({}, DeviceStatus(DeviceState.ONLINE)),
        ({"paper": "near_end"}, DeviceStatus(DeviceState.PAPER_NEAR_END, "paper near end")),
        ({"paper": "out"}, DeviceStatus(DeviceState.PAPER_OUT, "paper out")),
        ({"cover_open": True}, DeviceStatus(DeviceState.COVER_OPEN, "cover open")),
        ({"error": "cutter"}, DeviceStatus(DeviceState.ERROR, "autocutter error")),
        ({"error": "head_temperature"}, DeviceStatus(DeviceState.ERROR, "print head too hot")),
    ],
    ids=["ok", "near_end", "paper_out", "cover_open", "cutter", "head_temperature"],
)
def test_status_maps_every_dle_eot_case(
    test_printer: TestNetworkPrinter, state: dict[str, Any], expected: DeviceStatus
) -> None:
    test_printer.set_state(**state)
    assert printer_for(test_printer).status() == expected
    assert test_printer.status_queries == 4


def test_silent_printer_reports_offline_instead_of_hanging(
    test_printer: TestNetworkPrinter,
) -> None:
    test_printer.set_state(silent=True)
    printer = printer_for(test_printer, timeout_s=0.5)
    status = returns_within(0.5 + 2.0, printer.status)
    assert status == DeviceStatus(DeviceState.OFFLINE, "no status reply within 0.5 s")

    with pytest.raises(DriverError) as raised:
        returns_within(0.5 + 2.0, lambda: printer.print_ticket(make_ticket()))
    assert raised.value.status == status
    assert test_printer.receipts == []


@pytest.mark.parametrize(
    ("state", "expected"),
    [({"paper": "out"}, DeviceState.PAPER_OUT), ({"cover_open": True}, DeviceState.COVER_OPEN)],
)
def test_print_is_refused_when_the_printer_cannot_print(
    test_printer: TestNetworkPrinter, state: dict[str, Any], expected: DeviceState
) -> None:
    test_printer.set_state(**state)
    with pytest.raises(DriverError, match="printer not ready") as raised:
        printer_for(test_printer).print_ticket(make_ticket())
    assert raised.value.status is not None
    assert raised.value.status.state is expected
    # Nothing but the status query reached the printer: no text, no cut.
    time.sleep(0.1)
    assert test_printer.receipts == []
    assert test_printer.unfinished == []


def test_paper_near_end_still_prints_and_says_so(test_printer: TestNetworkPrinter) -> None:
    test_printer.set_state(paper="near_end")
    status = printer_for(test_printer).print_ticket(make_ticket())
    assert status.state is DeviceState.PAPER_NEAR_END
    assert len(test_printer.wait_for_receipts(1)) == 1


def test_refused_connection_is_offline_and_recovers_when_the_printer_returns(
    test_printer: TestNetworkPrinter,
) -> None:
    printer = printer_for(test_printer)
    test_printer.refuse_connections(True)
    status = printer.status()
    assert status.state is DeviceState.OFFLINE
    assert status.detail.startswith(f"cannot connect to printer at 127.0.0.1:{test_printer.port}")
    with pytest.raises(DriverError) as raised:
        printer.print_ticket(make_ticket())
    assert raised.value.status is not None
    assert raised.value.status.state is DeviceState.OFFLINE

    test_printer.refuse_connections(False)
    assert printer.print_ticket(make_ticket()).state is DeviceState.ONLINE
    assert len(test_printer.wait_for_receipts(1)) == 1


def test_connection_dropped_mid_job_raises_offline_and_is_not_a_receipt(
    test_printer: TestNetworkPrinter,
) -> None:
    test_printer.close_mid_job(after_bytes=200)
    with pytest.raises(DriverError, match="stopped answering") as raised:
        printer_for(test_printer).print_ticket(make_ticket("pl"))
    assert raised.value.status is not None
    assert raised.value.status.state is DeviceState.OFFLINE
    time.sleep(0.1)
    assert test_printer.receipts == []
    [partial] = test_printer.unfinished
    assert partial.cuts == 0


def test_concurrent_prints_are_serialised_into_whole_tickets(
    test_printer: TestNetworkPrinter,
) -> None:
    printer = printer_for(test_printer)
    codes = [f"B{n:03d}" for n in range(6)]
    threads = [
        threading.Thread(target=printer.print_ticket, args=(make_ticket("el", code=code),))
        for code in codes
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    receipts = test_printer.wait_for_receipts(6)
    big = [line.text for r in receipts for line in r.lines if line.width == 4]
    assert sorted(big) == codes
    for receipt in receipts:
        assert receipt.inits == 1
        assert receipt.line("Καταθέσεις και Αναλήψεις")
