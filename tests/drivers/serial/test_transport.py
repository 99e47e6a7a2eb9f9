"""Displays and keypads over real serial lines: a socat pty pair with a simulated device on
the far end, and pyserial's loop://."""

from __future__ import annotations

import threading

import pytest
import serial

from drivers.base import CounterDisplay, DeviceState, DriverError, Keypad
from drivers.serial import (
    PortSettings,
    SerialBuses,
    SerialCounterDisplay,
    SerialKeypad,
    SiraLineProtocol,
    build_serial_device,
)
from drivers.serial.protocol import xor_checksum
from tests.drivers.serial.conftest import PtyPair, read_frames


def line(payload: str) -> bytes:
    return b"@" + payload.encode() + b"*%02X\r\n" % xor_checksum(payload.encode())


def parse_host_frame(frame: bytes) -> tuple[int, str]:
    """What the simulated LED device understands of a frame: (address, command line)."""
    assert frame.startswith(b"@")
    assert frame.endswith(b"\r\n")
    payload, _, checksum = frame[1:-2].partition(b"*")
    assert int(checksum, 16) == xor_checksum(payload), f"bad checksum in {frame!r}"
    address, _, command = payload.decode("ascii").partition(" ")
    return int(address), command


def display_on(port: str, buses: SerialBuses, **extra: object) -> SerialCounterDisplay:
    config = {"kind": "serial-display", "port": port, "address": 3, "counter": "3", **extra}
    display = build_serial_device(config, buses=buses)
    assert isinstance(display, SerialCounterDisplay)
    return display


def test_display_sends_show_blink_and_blank(
    pty_pair: PtyPair, device: serial.Serial, buses: SerialBuses
) -> None:
    display = display_on(pty_pair.host, buses, brightness=6)
    assert isinstance(display, CounterDisplay)
    display.show("A042")
    display.show("A042")  # the same code again (a refresh) does not blink
    display.flash()  # a recall blinks on purpose
    display.show("")
    frames = read_frames(device, 6)
    assert frames[:3] == [b"@03 BRIGHT 6*37\r\n", b"@03 SHOW A042*77\r\n", b"@03 BLINK 3*72\r\n"]
    assert [parse_host_frame(f) for f in frames[3:]] == [
        (3, "SHOW A042"),
        (3, "BLINK 3"),
        (3, "BLANK"),
    ]
    display.close()


def test_two_displays_share_one_rs485_bus(
    pty_pair: PtyPair, device: serial.Serial, buses: SerialBuses
) -> None:
    third = display_on(pty_pair.host, buses, blink_on_call=0)
    fourth = display_on(pty_pair.host, buses, address=4, counter="4", blink_on_call=0)
    assert third.bus is fourth.bus  # one owner object for the port
    third.show("A042")
    fourth.show("B007")
    third.show("A043")
    got = [parse_host_frame(f) for f in read_frames(device, 3)]
    assert got == [(3, "SHOW A042"), (4, "SHOW B007"), (3, "SHOW A043")]
    # The port stays open until the last device on it closes.
    third.close()
    fourth.show("B008")
    assert parse_host_frame(read_frames(device, 1)[0]) == (4, "SHOW B008")
    fourth.close()
    assert fourth.bus.status.state is DeviceState.OFFLINE


def test_keypad_events_arrive_as_keys(
    pty_pair: PtyPair, device: serial.Serial, buses: SerialBuses
) -> None:
    keypad = build_serial_device(
        {"kind": "serial-keypad", "port": pty_pair.host, "address": 3, "counter": "3"},
        buses=buses,
    )
    assert isinstance(keypad, Keypad)
    noisy = line("03 KEY PAUSE").replace(b"PAUSE", b"PAUZE")  # corrupted on the wire
    device.write(line("03 KEY NEXT") + noisy + line("03 KEY RECALL"))
    device.flush()
    assert keypad.read_key(2.0) == "next"
    assert keypad.read_key(2.0) == "recall"
    assert keypad.read_key(0.2) is None
    assert keypad.bus.bad_frames == 1  # the noisy line was detected and dropped, not obeyed
    keypad.close()


def test_keypads_at_two_addresses_get_only_their_keys(
    pty_pair: PtyPair, device: serial.Serial, buses: SerialBuses
) -> None:
    def keypad(address: int) -> SerialKeypad:
        config = {"kind": "serial-keypad", "port": pty_pair.host, "address": address}
        built = build_serial_device({**config, "counter": str(address)}, buses=buses)
        assert isinstance(built, SerialKeypad)
        return built

    three, four = keypad(3), keypad(4)
    results: dict[int, list[str | None]] = {}

    def collect(pad: SerialKeypad, count: int) -> None:
        results[pad.address] = [pad.read_key(3.0) for _ in range(count)]

    readers = [
        threading.Thread(target=collect, args=(three, 2)),
        threading.Thread(target=collect, args=(four, 1)),
    ]
    for reader in readers:
        reader.start()
    device.write(line("04 KEY DONE") + line("03 KEY NEXT") + line("03 KEY NOSHOW"))
    device.flush()
    for reader in readers:
        reader.join(10)
    assert results == {3: ["next", "noshow"], 4: ["done"]}


def test_ping_answered_and_unanswered(
    pty_pair: PtyPair, device: serial.Serial, buses: SerialBuses
) -> None:
    display = display_on(pty_pair.host, buses)

    def led_device() -> None:  # answers one PING at address 3, as the firmware would
        address, command = parse_host_frame(read_frames(device, 1)[0])
        assert (address, command) == (3, "PING")
        device.write(line("03 PONG"))

    responder = threading.Thread(target=led_device)
    responder.start()
    assert display.ping(timeout_s=3.0).state is DeviceState.ONLINE
    responder.join(5)
    silent = display.ping(timeout_s=0.3)  # nobody answers this time
    assert silent.state is DeviceState.OFFLINE
    assert "did not answer" in silent.detail


def test_loop_round_trip_with_the_vendor_adapter(buses: SerialBuses) -> None:
    # loop:// hands back every byte written: the keypad reads what "the device" sent.
    config = {"port": "loop://", "protocol": "stx-etx", "address": 5, "counter": "5"}
    display = build_serial_device({"kind": "serial-display", **config}, buses=buses)
    keypad = build_serial_device({"kind": "serial-keypad", **config}, buses=buses)
    assert isinstance(display, SerialCounterDisplay)
    assert isinstance(keypad, SerialKeypad)
    display.show("A042")  # loops back; a host command is not a device message: dropped
    display.bus.write(b"\x02%KR\x03" + bytes([xor_checksum(b"%KR\x03")]))  # device: RECALL
    assert keypad.read_key(2.0) == "recall"
    assert keypad.bus.bad_frames == 1


def test_sira_line_round_trip_over_loop(buses: SerialBuses) -> None:
    bus = buses.acquire(PortSettings(url="loop://"), protocol="sira-line", checksum=True)
    keypad = SerialKeypad(bus, address=9)
    bus.write(SiraLineProtocol()._frame(9, "KEY TRANSFER"))
    assert keypad.read_key(2.0) == "transfer"


def test_vendor_adapter_over_a_pty(
    pty_pair: PtyPair, device: serial.Serial, buses: SerialBuses
) -> None:
    display = display_on(pty_pair.host, buses, protocol="stx-etx", brightness=5)
    display.show("A042")  # stx-etx has no blink command: showing is enough
    display.show("")
    assert device.read(6) == b"\x02#L5\x03\x59"
    assert device.read(9) == b"\x02#SA042\x03\x04"
    assert device.read(5) == b"\x02#C\x03c"


def test_port_vanishing_is_offline(
    pty_pair: PtyPair, device: serial.Serial, buses: SerialBuses
) -> None:
    display = display_on(pty_pair.host, buses)
    keypad = build_serial_device(
        {"kind": "serial-keypad", "port": pty_pair.host, "address": 3, "counter": "3"},
        buses=buses,
    )
    display.show("A042")
    read_frames(device, 2)
    pty_pair.vanish()
    with pytest.raises(DriverError) as raised:
        display.show("A043")
    assert raised.value.status is not None
    assert raised.value.status.state is DeviceState.OFFLINE
    assert display.status().state is DeviceState.OFFLINE
    with pytest.raises(DriverError) as on_read:
        keypad.read_key(0.5)
    assert on_read.value.status is not None
    assert on_read.value.status.state is DeviceState.OFFLINE


def test_missing_port_is_offline(buses: SerialBuses) -> None:
    with pytest.raises(DriverError) as raised:
        display_on("/dev/does-not-exist-sira", buses)
    assert raised.value.status is not None
    assert raised.value.status.state is DeviceState.OFFLINE
