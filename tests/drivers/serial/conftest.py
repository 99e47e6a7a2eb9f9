"""Real serial lines for the tests: a socat pty pair (one end the host, the other a simulated
LED display or keypad) and pyserial's loop://."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import serial

from drivers.serial import SerialBuses


def require_tool(name: str) -> None:
    """Skip when ``name`` is missing; fail instead when SIRA_TEST_STRICT is set (CI)."""
    if shutil.which(name) is None:
        reason = f"{name} is not installed"
        if os.environ.get("SIRA_TEST_STRICT"):
            pytest.fail(f"{reason} (SIRA_TEST_STRICT is set: CI must run this test)")
        pytest.skip(reason)


@dataclass
class PtyPair:
    host: str  # the path a driver opens
    device: str  # the path the simulated device opens
    process: subprocess.Popen[bytes]

    def vanish(self) -> None:
        """Pull the plug: both pty ends disappear, as when a USB adapter is unplugged."""
        self.process.terminate()
        self.process.wait(5)


@pytest.fixture
def pty_pair(tmp_path: Path) -> Iterator[PtyPair]:
    require_tool("socat")
    log_path = tmp_path / "socat.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            ["socat", "-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:
        deadline = time.monotonic() + 5
        paths: list[str] = []
        while time.monotonic() < deadline:
            paths = re.findall(r"PTY is (\S+)", log_path.read_text(errors="replace"))
            if len(paths) == 2 and "starting data transfer" in log_path.read_text():
                break
            time.sleep(0.02)
        assert len(paths) == 2, f"socat did not report two ptys: {log_path.read_text()}"
        yield PtyPair(host=paths[0], device=paths[1], process=process)
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(5)


@pytest.fixture
def device(pty_pair: PtyPair) -> Iterator[serial.Serial]:
    """The simulated LED display / keypad: the far end of the pty pair."""
    port = serial.Serial(pty_pair.device, baudrate=9600, timeout=1.0)
    try:
        yield port
    finally:
        port.close()


@pytest.fixture
def buses() -> SerialBuses:
    """A registry of open ports for this test only."""
    return SerialBuses()


def read_frames(port: serial.Serial, count: int, *, terminator: bytes = b"\r\n") -> list[bytes]:
    """Read ``count`` terminated frames (bytes included) from the simulated device's end."""
    frames = []
    for _ in range(count):
        frame = port.read_until(terminator)
        assert frame.endswith(terminator), f"timed out after {frame!r}"
        frames.append(frame)
    return frames
