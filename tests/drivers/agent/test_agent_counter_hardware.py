"""sira-agent on a counter PC: an LED number display and a teller keypad on one serial line
(a socat pty pair; the test plays the hardware on the far end and speaks the documented
sira-line protocol byte for byte)."""

from __future__ import annotations

import shutil
import threading
import time

import pytest
import serial

from drivers.fakes import pty_pair
from drivers.serial import SiraLineProtocol
from tests.drivers.agent.conftest import Site, wait_until
from tests.support import skip_or_fail

PROTOCOL = SiraLineProtocol(checksum=True)


@pytest.fixture
def line():
    if shutil.which("socat") is None:
        reason = "socat is needed for a serial pty pair (apt-get install socat)"
        skip_or_fail(reason)
    with pty_pair() as (agent_end, device_end):
        yield agent_end, device_end


class FakeCounterHardware:
    """The device side: collects what the host shows, sends key presses."""

    def __init__(self, port: str) -> None:
        self.port = serial.Serial(port, 9600, timeout=0.1)
        self.buffer = bytearray()
        self.frames: list[tuple[int, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while not self._stop.is_set():
            self.buffer += self.port.read(256)
            while (end := self.buffer.find(b"\n")) >= 0:
                frame = bytes(self.buffer[:end]).rstrip(b"\r")
                del self.buffer[: end + 1]
                body, _, given = frame[1:].decode("ascii").partition("*")
                assert int(given, 16) == _xor(body.encode())  # host frames carry a checksum
                address, command = body.split(" ", 1)
                self.frames.append((int(address), command))

    def press(self, address: int, key: str) -> None:
        body = f"{address:02d} KEY {key}".encode()
        self.port.write(b"@" + body + b"*%02X" % _xor(body) + b"\r\n")

    def shown(self, address: int) -> list[str]:
        return [c for a, c in self.frames if a == address and c.split()[0] in ("SHOW", "BLANK")]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.port.close()


def _xor(data: bytes) -> int:
    value = 0
    for b in data:
        value ^= b
    return value


def test_keypad_calls_and_the_led_display_follows(site: Site, start_agent, line) -> None:
    agent_end, device_end = line
    site.configure(
        "agent",
        {
            "counter_displays": [{"port": agent_end, "address": 1, "counter": "1"}],
            "keypads": [{"port": agent_end, "address": 1, "counter": "1"}],
        },
    )
    counter = site.kit.counters["1"]
    teller = site.kit.auth("teller1")
    assert site.http.post(f"/api/v1/counters/{counter}/open", headers=teller).status_code == 200
    first = site.issue("A")
    second = site.issue("B")
    hardware = FakeCounterHardware(device_end)
    try:
        agent = start_agent("agent")
        agent.wait_connections(1)
        wait_until(lambda: hardware.shown(1), what="the snapshot to set the display")
        assert hardware.shown(1)[-1] == "BLANK"  # nobody at counter 1 yet

        hardware.press(1, "NEXT")  # the teller presses "next" on the keypad
        wait_until(lambda: f"SHOW {first['code']}" in hardware.shown(1), what="first call")
        r = site.http.get(f"/api/v1/tickets/{first['id']}", headers=teller).json()["ticket"]
        assert r["status"] == "called"
        assert r["counter"]["label"] == "1"
        blinks = len([c for _, c in hardware.frames if c.startswith("BLINK")])
        assert blinks == 1  # a new number blinks

        hardware.press(1, "RECALL")
        wait_until(
            lambda: len([c for _, c in hardware.frames if c.startswith("BLINK")]) == 2,
            what="the recall to blink again",
        )
        r = site.http.get(f"/api/v1/tickets/{first['id']}", headers=teller).json()["ticket"]
        assert r["recall_count"] == 1

        # The console finishes the ticket: the display goes blank; the keypad calls the next.
        site.http.post(f"/api/v1/tickets/{first['id']}/finish", headers=teller)
        wait_until(lambda: hardware.shown(1)[-1] == "BLANK", what="the display to blank")
        hardware.press(1, "NEXT")
        wait_until(lambda: hardware.shown(1)[-1] == f"SHOW {second['code']}", what="2nd call")
    finally:
        time.sleep(0.1)
        hardware.close()


def test_a_speaker_pc_plays_each_call_in_order(site: Site, start_agent, tmp_path) -> None:
    if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
        reason = "espeak-ng and sox are needed for announcements"
        skip_or_fail(reason)
    played = tmp_path / "played.txt"
    # The "player" appends each file it is given: the order and the files are what we check.
    command = ["sh", "-c", f'echo "$0" >> {played}', "{path}"]
    site.configure("speaker", {"speaker": {"enabled": True, "command": command}})
    agent = start_agent("speaker")
    agent.wait_connections(1)
    counter = site.kit.counters["2"]
    teller = site.kit.auth("teller2")
    site.http.post(f"/api/v1/counters/{counter}/open", headers=teller)
    site.issue("A", lang="tr")
    site.issue("B", lang="el")
    for _ in range(2):
        assert site.http.post(f"/api/v1/counters/{counter}/call-next", headers=teller).is_success
    lines = wait_until(
        lambda: played.exists() and len(played.read_text().split()) >= 2 and played.read_text(),
        what="two announcements played",
    ).split()
    assert [p.split("/")[-1].split("-")[1] for p in lines] == ["tr", "el"]
    for path in lines:
        assert open(path, "rb").read(4) == b"RIFF"
