"""Printer configuration arrives as JSON from the admin API: it must parse into the right
transport model and reject mistakes with messages an administrator can act on."""

from __future__ import annotations

import pytest

from drivers.base import TicketPrinter
from drivers.escpos import PrinterConfigError, make_printer, parse_printer_config
from drivers.escpos.config import (
    NetworkPrinterConfig,
    SerialPrinterConfig,
    UsbPrinterConfig,
)


def test_network_config_from_api_json_gets_defaults() -> None:
    config = parse_printer_config(
        '{"transport": "network", "host": "10.0.0.7", "profile": "TM-T88V", "paper_mm": 58}'
    )
    assert isinstance(config, NetworkPrinterConfig)
    assert (config.host, config.port, config.profile, config.paper_mm) == (
        "10.0.0.7",
        9100,
        "TM-T88V",
        58,
    )
    assert config.timeout_s == 3.0
    assert config.raster_fallback is True


def test_serial_config_accepts_a_pyserial_url_and_line_settings() -> None:
    config = parse_printer_config(
        {"transport": "serial", "device": "loop://", "baudrate": 19200, "parity": "E"}
    )
    assert isinstance(config, SerialPrinterConfig)
    assert (config.device, config.baudrate, config.parity, config.stopbits) == (
        "loop://",
        19200,
        "E",
        1,
    )


def test_usb_ids_are_accepted_in_hex_as_written_by_lsusb() -> None:
    config = parse_printer_config(
        {"transport": "usb", "vendor_id": "0x04b8", "product_id": "0202", "out_ep": 1}
    )
    assert isinstance(config, UsbPrinterConfig)
    assert (config.vendor_id, config.product_id, config.out_ep, config.in_ep) == (
        0x04B8,
        0x0202,
        1,
        None,
    )


def _problems(data: object) -> dict[str, str]:
    with pytest.raises(PrinterConfigError) as info:
        parse_printer_config(data)  # type: ignore[arg-type]
    return dict(info.value.problems)


def test_missing_or_unknown_transport_names_the_choices() -> None:
    assert _problems({"host": "x"}) == {
        "transport": "required; use one of network, serial, usb, file, dummy"
    }
    assert _problems({"transport": "bluetooth"}) == {
        "transport": "'bluetooth' is not supported; use one of network, serial, usb, file, dummy"
    }


def test_bad_fields_are_reported_by_name_without_union_noise() -> None:
    problems = _problems(
        {"transport": "network", "host": "", "port": 70000, "paper_mm": 76, "colour": "red"}
    )
    assert set(problems) == {"host", "port", "paper_mm", "colour"}
    assert "65535" in problems["port"]
    assert "80" in problems["paper_mm"]
    assert "58" in problems["paper_mm"]
    assert problems["colour"] == "unknown field"


def test_unknown_profile_and_missing_code_page_are_explained() -> None:
    problems = _problems({"transport": "dummy", "profile": "TM-X999"})
    assert problems["profile"].startswith("unknown printer profile 'TM-X999'; known profiles:")
    assert "TM-T88V" in problems["profile"]
    # TM-T88IV's ROM has no Greek page: a forced CP737 cannot work on it.
    problems = _problems(
        {"transport": "dummy", "profile": "TM-T88IV", "codepages": {"el": "CP737"}}
    )
    assert problems == {"codepages.el": "profile 'TM-T88IV' has no code page 'CP737'"}


def test_serial_baudrate_and_usb_id_errors_are_readable() -> None:
    assert _problems({"transport": "serial", "device": "/dev/ttyS0", "baudrate": 9601}) == {
        "baudrate": "baudrate 9601 is not one of 1200, 2400, 4800, 9600, 19200, 38400, "
        "57600, 115200"
    }
    problems = _problems({"transport": "usb", "vendor_id": "epson", "product_id": 1})
    assert problems == {"vendor_id": "'epson' is not a USB id; write it in hex like 0x04b8"}


def test_error_message_joins_every_problem() -> None:
    with pytest.raises(PrinterConfigError, match=r"^host: .*; port: .*"):
        parse_printer_config({"transport": "network", "host": "bad host!", "port": 0})


@pytest.mark.parametrize(
    "config",
    [
        {"transport": "network", "host": "127.0.0.1"},
        {"transport": "serial", "device": "loop://"},
        {"transport": "usb", "vendor_id": 0x04B8, "product_id": 0x0202},
        {"transport": "file", "path": "/tmp/sira-never-written.bin"},
        {"transport": "dummy"},
    ],
    ids=lambda c: c["transport"],
)
def test_make_printer_builds_a_ticket_printer_for_every_transport_without_opening_it(
    config: dict[str, object],
) -> None:
    printer = make_printer(config)
    assert isinstance(printer, TicketPrinter)
    assert printer.config.transport == config["transport"]
    printer.close()
