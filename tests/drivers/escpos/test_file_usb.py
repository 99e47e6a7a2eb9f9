"""Transports that cannot read status back (file, dummy) and USB without hardware."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.base import DeviceState, DriverError
from drivers.escpos import TicketOptions, make_printer, parse_printer_config, ticket_bytes
from drivers.escpos.parse import EscposStreamParser
from drivers.escpos.transports import DummyTransport
from tests.drivers.escpos.factories import make_ticket


def test_file_transport_appends_the_exact_ticket_bytes(tmp_path: Path) -> None:
    spool = tmp_path / "printer.bin"
    config = parse_printer_config({"transport": "file", "path": str(spool), "paper_mm": 58})
    printer = make_printer(config)
    first, second = make_ticket("pl"), make_ticket("tr", code="B007")

    assert printer.print_ticket(first).state is DeviceState.UNKNOWN
    assert printer.print_ticket(second).state is DeviceState.UNKNOWN

    options = TicketOptions.from_config(config)
    assert spool.read_bytes() == ticket_bytes(first, options) + ticket_bytes(second, options)
    parser = EscposStreamParser()
    parser.feed(spool.read_bytes())
    codes = [[line.text for line in r.lines if line.width == 4] for r in parser.receipts]
    assert codes == [["A042"], ["B007"]]


def test_file_status_is_unknown_and_an_unwritable_path_raises_offline(tmp_path: Path) -> None:
    printer = make_printer({"transport": "file", "path": str(tmp_path / "missing" / "lp0")})
    assert printer.status().state is DeviceState.UNKNOWN
    with pytest.raises(DriverError, match="cannot write to printer file") as raised:
        printer.print_ticket(make_ticket())
    assert raised.value.status is not None
    assert raised.value.status.state is DeviceState.OFFLINE


def test_dummy_transport_keeps_each_job_in_memory() -> None:
    printer = make_printer({"transport": "dummy", "profile": "TM-T20II"})
    assert printer.print_ticket(make_ticket("el")).state is DeviceState.UNKNOWN
    assert isinstance(printer.transport, DummyTransport)
    [job] = printer.transport.jobs
    assert job == ticket_bytes(make_ticket("el"), TicketOptions(profile="TM-T20II"))


def test_usb_printer_that_is_absent_is_offline_with_a_clear_error() -> None:
    """No hardware here: the vendor/product pair below does not exist, so whether libusb is
    installed or not, the driver must say so in words rather than raise a pyusb error."""
    printer = make_printer(
        {"transport": "usb", "vendor_id": "0xfffe", "product_id": "0xfffd", "timeout_s": 0.5}
    )
    status = printer.status()
    assert status.state is DeviceState.OFFLINE
    assert "fffe:fffd" in status.detail
    with pytest.raises(DriverError, match="USB .*fffe:fffd") as raised:
        printer.print_ticket(make_ticket())
    assert raised.value.status is not None
    assert raised.value.status.state is DeviceState.OFFLINE
