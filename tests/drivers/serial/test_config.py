"""Typed configuration: a discriminated union with readable errors, and the factory."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from drivers.base import DriverError
from drivers.serial import (
    PROTOCOLS,
    DeviceMessage,
    ProtocolAdapter,
    SerialBuses,
    SerialCounterDisplay,
    SerialDisplayConfig,
    SerialKeypad,
    SerialKeypadConfig,
    build_serial_device,
    parse_serial_config,
    register_protocol,
)


def test_parses_each_kind_with_defaults() -> None:
    display = parse_serial_config(
        {"kind": "serial-display", "port": "/dev/ttyUSB0", "address": 3, "counter": "3"}
    )
    assert isinstance(display, SerialDisplayConfig)
    assert (display.baudrate, display.protocol, display.checksum) == (9600, "sira-line", True)
    assert display.blink_on_call == 3
    keypad = parse_serial_config(
        {"kind": "serial-keypad", "port": "COM3", "protocol": "stx-etx", "address": 200,
         "counter": "VIP", "baudrate": 19200}
    )  # fmt: skip
    assert isinstance(keypad, SerialKeypadConfig)


@pytest.mark.parametrize(
    ("data", "readable"),
    [
        ({"kind": "serial-printer", "port": "x", "address": 1, "counter": "1"}, "serial-display"),
        ({"kind": "serial-display", "port": "x", "address": 1, "counter": "1",
          "protocol": "acme"}, "unknown protocol 'acme'; known: sira-line, stx-etx"),
        ({"kind": "serial-display", "port": "x", "address": 100, "counter": "1"},
         "address 100 is outside 0..99 for protocol 'sira-line'"),
        ({"kind": "serial-display", "port": "x", "address": 0, "counter": "1",
          "protocol": "stx-etx"}, "outside 1..223"),
        ({"kind": "serial-display", "port": "x", "address": 1, "counter": "1",
          "baudrate": -5}, "baudrate"),
        ({"kind": "serial-display", "port": "x", "address": 1, "counter": "1",
          "parity": "X"}, "parity"),
        ({"kind": "serial-display", "port": "x", "address": 1, "counter": "1",
          "baud": 9600}, "Extra inputs are not permitted"),
        ({"kind": "serial-keypad", "port": "x", "address": 1}, "counter"),
    ],
)  # fmt: skip
def test_bad_config_says_what_is_wrong(data: dict[str, object], readable: str) -> None:
    with pytest.raises(ValidationError) as raised:
        parse_serial_config(data)
    assert readable in str(raised.value)


def test_factory_builds_and_shares_ports() -> None:
    buses = SerialBuses()
    common = {"port": "loop://", "address": 2, "counter": "2"}
    display = build_serial_device({"kind": "serial-display", **common}, buses=buses)
    keypad = build_serial_device(SerialKeypadConfig(**common), buses=buses)
    assert isinstance(display, SerialCounterDisplay)
    assert isinstance(keypad, SerialKeypad)
    assert display.bus is keypad.bus
    with pytest.raises(DriverError, match="same port settings"):
        build_serial_device({"kind": "serial-display", **common, "baudrate": 115200}, buses=buses)
    display.close()
    keypad.close()


def test_a_vendor_protocol_is_one_small_class() -> None:
    @register_protocol
    class Acme(ProtocolAdapter):  # "#<addr>:<text>;" frames, keys as "K<addr><letter>;"
        name = "acme-test"

        def encode_show(self, address: int, text: str) -> bytes:
            return b"#%d:%s;" % (address, self.check_text(text, forbidden=";"))

        def encode_blank(self, address: int) -> bytes:
            return b"#%d:;" % address

        def split(self, buffer: bytearray) -> list[bytes]:
            *frames, rest = bytes(buffer).split(b";")
            buffer[:] = rest
            return frames

        def parse_frame(self, frame: bytes) -> DeviceMessage:
            return DeviceMessage(int(frame[1:-1]), "key", {b"N": "next"}[frame[-1:]])

    try:
        config = {"port": "loop://", "protocol": "acme-test", "address": 7, "counter": "7"}
        buses = SerialBuses()
        display = build_serial_device({"kind": "serial-display", **config}, buses=buses)
        keypad = build_serial_device({"kind": "serial-keypad", **config}, buses=buses)
        assert isinstance(display, SerialCounterDisplay)
        assert isinstance(keypad, SerialKeypad)
        display.bus.write(b"K7N;")  # what an Acme keypad sends, looped back
        assert keypad.read_key(2.0) == "next"
    finally:
        del PROTOCOLS["acme-test"]
