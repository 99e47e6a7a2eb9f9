"""Serial counter displays and keypads on pyserial.

One ``SerialBus`` owns each port: every display and keypad on that RS-232 line or RS-485 bus
writes and reads through it, under its locks. ``serial.serial_for_url`` opens it, so a device
path (``/dev/ttyUSB0``, ``COM3``), ``loop://`` and ``rfc2217://host:port`` all work. Library
errors become ``DriverError`` with a ``DeviceStatus`` (OFFLINE when the port is gone); the next
call tries to open the port again, so a replugged USB adapter recovers by itself.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import serial
import serial.rs485

from drivers.base import DeviceState, DeviceStatus, DriverError
from drivers.serial.protocol import (
    PROTOCOLS,
    DeviceMessage,
    ProtocolAdapter,
    ProtocolError,
    UnsupportedError,
)

log = logging.getLogger(__name__)

#: How long one read waits before the bus looks at its deadline again.
_POLL_S = 0.05
_INBOX_LIMIT = 32


@dataclass(frozen=True)
class PortSettings:
    url: str
    baudrate: int = 9600
    bytesize: int = 8
    parity: str = "N"
    stopbits: int = 1
    write_timeout_s: float = 1.0
    rs485_rts: bool = False  # drive RTS for direction on adapters without auto-direction


class SerialBus:
    """The single owner of one serial port and the devices addressed on it."""

    def __init__(self, settings: PortSettings, adapter: ProtocolAdapter) -> None:
        self.settings = settings
        self.adapter = adapter
        self.bad_frames = 0  # frames dropped for a checksum or framing error
        self._write_lock = threading.Lock()
        self._read_lock = threading.Lock()
        self._port_lock = threading.RLock()  # opening and dropping the port (reader or writer)
        self._port: serial.Serial | None = None
        self._buffer = bytearray()
        self._inbox: dict[int, deque[DeviceMessage]] = {}
        self._inbox_lock = threading.Lock()
        self._status = DeviceStatus(DeviceState.UNKNOWN)
        self._open()

    @property
    def status(self) -> DeviceStatus:
        return self._status

    # -- port lifetime

    def _open(self) -> serial.Serial:
        with self._port_lock:
            if self._port is not None:
                return self._port
            return self._open_port()

    def _open_port(self) -> serial.Serial:
        s = self.settings
        try:
            port = serial.serial_for_url(
                s.url,
                baudrate=s.baudrate,
                bytesize=s.bytesize,
                parity=s.parity,
                stopbits=s.stopbits,
                timeout=_POLL_S,
                write_timeout=s.write_timeout_s,
            )
            if s.rs485_rts:
                port.rs485_mode = serial.rs485.RS485Settings()
        except (serial.SerialException, OSError, ValueError) as exc:
            raise self._offline(f"cannot open {s.url}: {exc}") from exc
        self._port = port
        self._status = DeviceStatus(DeviceState.UNKNOWN, f"{s.url} open")
        return port

    def _offline(self, detail: str) -> DriverError:
        """Close the port (it is reopened on the next call) and describe what happened."""
        with self._port_lock:
            port, self._port = self._port, None
        if port is not None:
            try:
                port.close()
            except (serial.SerialException, OSError):
                pass
        self._status = DeviceStatus(DeviceState.OFFLINE, detail)
        return DriverError(detail, status=self._status)

    def close(self) -> None:
        with self._write_lock, self._read_lock:
            if self._port is not None:
                self._port.close()
                self._port = None
            self._status = DeviceStatus(DeviceState.OFFLINE, "closed")

    # -- I/O

    def write(self, frame: bytes) -> None:
        """Send one frame; DriverError (OFFLINE) when the port is gone or stuck."""
        with self._write_lock:
            port = self._open()
            try:
                port.write(frame)
                port.flush()
            except (serial.SerialException, OSError) as exc:  # includes SerialTimeoutException
                raise self._offline(f"write to {self.settings.url} failed: {exc}") from exc
            if self._status.state is DeviceState.OFFLINE:
                self._status = DeviceStatus(DeviceState.UNKNOWN, f"{self.settings.url} open")

    def receive(
        self, address: int, kinds: frozenset[str], timeout_s: float
    ) -> DeviceMessage | None:
        """The next message of one of ``kinds`` from ``address`` within ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while True:
            message = self._take(address, kinds)
            if message is not None:
                return message
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            # Another reader may be pumping; it files our messages too, so just wait our turn.
            if self._read_lock.acquire(timeout=min(remaining, _POLL_S)):
                try:
                    self._pump()
                finally:
                    self._read_lock.release()

    def _take(self, address: int, kinds: frozenset[str]) -> DeviceMessage | None:
        with self._inbox_lock:
            inbox = self._inbox.get(address)
            if inbox is None:
                return None
            for message in inbox:
                if message.kind in kinds:
                    inbox.remove(message)  # then return at once: no iteration after removal
                    return message
        return None

    def _pump(self) -> None:
        """One bounded read; files every complete frame under its device's address."""
        port = self._open()
        try:
            data = port.read(max(1, port.in_waiting))
        except (serial.SerialException, OSError) as exc:
            raise self._offline(f"read from {self.settings.url} failed: {exc}") from exc
        if not data:
            return
        self._buffer += data
        for item in self.adapter.decode(self._buffer):
            if isinstance(item, ProtocolError):
                self.bad_frames += 1
                log.warning("dropped a frame on %s: %s", self.settings.url, item)
                continue
            with self._inbox_lock:
                inbox = self._inbox.setdefault(item.address, deque(maxlen=_INBOX_LIMIT))
                inbox.append(item)


class SerialBuses:
    """Opens each port once and shares it; the last device to close it closes the port."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buses: dict[str, tuple[SerialBus, int]] = {}

    def acquire(self, settings: PortSettings, *, protocol: str, checksum: bool) -> SerialBus:
        with self._lock:
            if settings.url in self._buses:
                bus, users = self._buses[settings.url]
                same = bus.settings == settings and bus.adapter.name == protocol
                if not same or bus.adapter.checksum != checksum:
                    raise DriverError(
                        f"{settings.url} is already open with other settings or protocol; "
                        "every device on one bus must use the same port settings"
                    )
            else:
                adapter = PROTOCOLS[protocol](checksum=checksum)
                bus, users = SerialBus(settings, adapter), 0
            self._buses[settings.url] = (bus, users + 1)
            return bus

    def release(self, bus: SerialBus) -> None:
        with self._lock:
            current = self._buses.get(bus.settings.url)
            if current is None or current[0] is not bus:
                return
            if current[1] > 1:
                self._buses[bus.settings.url] = (bus, current[1] - 1)
                return
            del self._buses[bus.settings.url]
        bus.close()


#: The process-wide registry the factories use unless given another one.
BUSES = SerialBuses()


class SerialCounterDisplay:
    """A CounterDisplay at ``address`` on a serial bus."""

    def __init__(
        self,
        bus: SerialBus,
        *,
        address: int,
        blink_on_call: int = 3,
        on_close: Callable[[], None] | None = None,
    ) -> None:
        self.bus = bus
        self.address = bus.adapter.check_address(address)
        self.blink_on_call = blink_on_call
        self._on_close = on_close
        self._shown: str | None = None

    def show(self, text: str) -> None:
        """Show ``text`` ("" blanks); a new code blinks ``blink_on_call`` times."""
        adapter = self.bus.adapter
        self.bus.write(adapter.encode_show(self.address, text))
        if text.strip() and text != self._shown and self.blink_on_call:
            self._blink(self.blink_on_call)
        self._shown = text

    def flash(self, times: int | None = None) -> None:
        """Blink what is shown again (a recall of the same ticket)."""
        self._blink(times or self.blink_on_call or 3)

    def set_brightness(self, level: int) -> None:
        """0 (dimmest) to 9; ignored by families without a brightness command."""
        try:
            self.bus.write(self.bus.adapter.encode_brightness(self.address, level))
        except UnsupportedError:
            log.info("%s cannot set brightness", self.bus.adapter.name)

    def ping(self, timeout_s: float = 1.0) -> DeviceStatus:
        """Ask the display to answer: ONLINE if it does within ``timeout_s``, else OFFLINE."""
        try:
            frame = self.bus.adapter.encode_ping(self.address)
        except UnsupportedError:
            return DeviceStatus(DeviceState.UNKNOWN, "this display family cannot be polled")
        self.bus.write(frame)
        if self.bus.receive(self.address, frozenset({"pong"}), timeout_s) is None:
            return DeviceStatus(DeviceState.OFFLINE, f"display {self.address} did not answer")
        return DeviceStatus(DeviceState.ONLINE)

    def status(self) -> DeviceStatus:
        """The bus's state: OFFLINE when the port is gone, else UNKNOWN (see ``ping``)."""
        return self.bus.status

    def close(self) -> None:
        if self._on_close is not None:
            self._on_close()
            self._on_close = None

    def _blink(self, times: int) -> None:
        try:
            self.bus.write(self.bus.adapter.encode_blink(self.address, times))
        except UnsupportedError:
            pass  # this family does not blink; showing the text was enough


class SerialKeypad:
    """A Keypad at ``address`` on a serial bus (may share it with displays)."""

    _KINDS = frozenset({"key"})

    def __init__(
        self, bus: SerialBus, *, address: int, on_close: Callable[[], None] | None = None
    ) -> None:
        self.bus = bus
        self.address = bus.adapter.check_address(address)
        self._on_close = on_close

    def read_key(self, timeout_s: float) -> str | None:
        """The next key ("next", "recall", "pause", ...) within ``timeout_s``, or None."""
        message = self.bus.receive(self.address, self._KINDS, timeout_s)
        return message.value if message is not None else None

    def status(self) -> DeviceStatus:
        return self.bus.status

    def close(self) -> None:
        if self._on_close is not None:
            self._on_close()
            self._on_close = None
