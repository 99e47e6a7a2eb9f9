"""Printing and status over a serial line: a socat pty pair, the driver on one end and the
test printer on the other, both through pyserial like a real RS-232 cable."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator

import pytest

from drivers.base import DeviceState, DeviceStatus, DriverError
from drivers.escpos import EscposPrinter, make_printer
from drivers.fakes import TestSerialPrinter, pty_pair
from tests.drivers.escpos.factories import make_ticket
from tests.support import skip_or_fail


@pytest.fixture
def serial_pair() -> Iterator[tuple[EscposPrinter, TestSerialPrinter]]:
    if shutil.which("socat") is None:
        skip_or_fail("socat is needed for a serial pty pair (apt-get install socat)")
    with pty_pair() as (ours, theirs), TestSerialPrinter(theirs, baudrate=19200) as fake:
        printer = make_printer(
            {
                "transport": "serial",
                "device": ours,
                "baudrate": 19200,
                "profile": "TM-T88V",
                "timeout_s": 0.5,
            }
        )
        yield printer, fake
        printer.close()


def test_serial_ticket_prints_turkish_and_reads_status(
    serial_pair: tuple[EscposPrinter, TestSerialPrinter],
) -> None:
    printer, fake = serial_pair
    ticket = make_ticket("tr")
    assert printer.print_ticket(ticket) == DeviceStatus(DeviceState.ONLINE)
    [receipt] = fake.wait_for_receipts(1)
    assert receipt.line("Bireysel İşlemler").height == 2
    assert receipt.line("Kadıköy Şubesi")
    assert receipt.qr_payloads == [ticket.qr_url]
    assert receipt.codepage_slots == [13]


def test_serial_status_follows_the_printer_state(
    serial_pair: tuple[EscposPrinter, TestSerialPrinter],
) -> None:
    printer, fake = serial_pair
    fake.set_state(paper="near_end")
    assert printer.status().state is DeviceState.PAPER_NEAR_END
    fake.set_state(paper="out")
    assert printer.status().state is DeviceState.PAPER_OUT
    with pytest.raises(DriverError) as raised:
        printer.print_ticket(make_ticket())
    assert raised.value.status == DeviceStatus(DeviceState.PAPER_OUT, "paper out")
    fake.set_state(paper="ok", cover_open=True)
    assert printer.status().state is DeviceState.COVER_OPEN
    assert fake.receipts == []


def test_silent_serial_printer_is_offline_within_the_timeout(
    serial_pair: tuple[EscposPrinter, TestSerialPrinter],
) -> None:
    printer, fake = serial_pair
    fake.set_state(silent=True)
    result: list[DeviceStatus] = []
    thread = threading.Thread(target=lambda: result.append(printer.status()), daemon=True)
    thread.start()
    thread.join(0.5 + 2.0)
    assert not thread.is_alive()
    assert result == [DeviceStatus(DeviceState.OFFLINE, "no status reply within 0.5 s")]
    # It answers again: the next query is not confused by anything left on the line.
    fake.set_state(silent=False)
    assert printer.status().state is DeviceState.ONLINE


def test_missing_serial_device_is_offline_with_its_name() -> None:
    printer = make_printer({"transport": "serial", "device": "/dev/ttyNOPE9", "timeout_s": 0.2})
    status = printer.status()
    assert status.state is DeviceState.OFFLINE
    assert status.detail.startswith("cannot open serial printer /dev/ttyNOPE9")
    with pytest.raises(DriverError, match="/dev/ttyNOPE9"):
        printer.print_ticket(make_ticket())


def test_loopback_echo_is_not_mistaken_for_a_status() -> None:
    """pyserial's loop:// returns the query itself: not a valid status byte pattern."""
    printer = make_printer({"transport": "serial", "device": "loop://", "timeout_s": 0.2})
    status = printer.status()
    assert status.state is DeviceState.ERROR
    assert status.detail == "unexpected status reply 10 04 01 10"
