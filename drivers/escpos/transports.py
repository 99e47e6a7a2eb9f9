"""Byte movers for ESC/POS printers. The layout is encoded once (``ticket.py``); these only
send bytes and read status replies, each call bounded by a deadline.

python-escpos's own printer classes are not used for I/O because their timeouts do not
bound a call: ``Network`` reads with a blocking ``recv(16)`` that may return a partial reply
and never drains stale bytes, ``Serial`` has no write timeout and defaults to DSR/DTR flow
control, ``Usb`` assumes endpoints 0x01/0x82 and reads without a timeout, and ``File``
truncates the file on every open. The transports below are thin wrappers that fix exactly
that, over the same sockets, pyserial ports and pyusb devices.
"""

from __future__ import annotations

import contextlib
import select
import socket
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

import serial

from drivers.base import DeviceState, DeviceStatus, DriverError

if TYPE_CHECKING:
    from drivers.escpos.policy import HardwarePolicy


def _offline(message: str) -> DriverError:
    return DriverError(message, status=DeviceStatus(DeviceState.OFFLINE, message))


def _remaining(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("deadline passed")
    return left


class Transport(Protocol):
    readable: bool  # can it read DLE EOT replies back?

    def session(self, deadline: float) -> contextlib.AbstractContextManager[None]:
        """Open (or reuse) the connection for one operation; errors become DriverError."""
        ...

    def send(self, data: bytes, deadline: float) -> None: ...

    def query(self, request: bytes, size: int, deadline: float) -> bytes:
        """Send ``request`` and return up to ``size`` reply bytes received by ``deadline``."""
        ...

    def close(self) -> None: ...


class NetworkTransport:
    """Raw TCP (port 9100). One connection per operation: Epson interfaces serve one client
    at a time and drop idle ones, so holding a socket open would only block others."""

    readable = True

    def __init__(self, host: str, port: int, *, policy: HardwarePolicy | None = None) -> None:
        self.host, self.port = host, port
        self.policy = policy  # where it may connect: checked on the address, every time
        self._sock: socket.socket | None = None

    @contextlib.contextmanager
    def session(self, deadline: float) -> Iterator[None]:
        where = f"{self.host}:{self.port}"
        try:
            self._sock = self._connect(deadline)
        except (OSError, TimeoutError) as exc:
            raise _offline(f"cannot connect to printer at {where}: {exc}") from exc
        try:
            yield
        except (OSError, TimeoutError) as exc:
            raise _offline(f"printer at {where} stopped answering: {exc}") from exc
        finally:
            self.close()

    def _connect(self, deadline: float) -> socket.socket:
        if self.policy is None or self.policy.named_host(self.host):
            return socket.create_connection((self.host, self.port), _remaining(deadline))
        # Connect to an address that was checked, not to whatever the name resolves to next.
        infos = socket.getaddrinfo(self.host, self.port, type=socket.SOCK_STREAM)
        allowed = [i for i in infos if self.policy.address_allowed(str(i[4][0]))]
        if not allowed:
            found = ", ".join(sorted({str(i[4][0]) for i in infos}))
            raise OSError(f"{found} is outside the networks printers may be on")
        family, kind, proto, _, address = allowed[0]
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(_remaining(deadline))
            sock.connect(address)
        except BaseException:
            sock.close()
            raise
        return sock

    def send(self, data: bytes, deadline: float) -> None:
        assert self._sock is not None
        view = memoryview(data)
        while view:
            self._sock.settimeout(_remaining(deadline))
            sent = self._sock.send(view)
            view = view[sent:]

    def query(self, request: bytes, size: int, deadline: float) -> bytes:
        assert self._sock is not None
        self._drain()
        self.send(request, deadline)
        reply = b""
        while len(reply) < size:
            try:
                self._sock.settimeout(_remaining(deadline))
                chunk = self._sock.recv(size - len(reply))
            except TimeoutError:
                break
            if not chunk:
                raise ConnectionError("connection closed by printer")
            reply += chunk
        return reply

    def _drain(self) -> None:
        # A late reply to an earlier, timed-out query would shift every byte of this one.
        assert self._sock is not None
        while select.select([self._sock], [], [], 0)[0]:
            if not self._sock.recv(256):
                raise ConnectionError("connection closed by printer")

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


class SerialTransport:
    """A serial port (or any pyserial URL), kept open: the port is ours alone."""

    readable = True

    def __init__(self, port: serial.Serial, *, baudrate: int) -> None:
        self._port = port  # configured, not yet opened
        self._byte_s = 10 / baudrate  # start + 8 data + stop bits

    def transfer_time(self, size: int) -> float:
        return size * self._byte_s

    @contextlib.contextmanager
    def session(self, deadline: float) -> Iterator[None]:
        where = self._port.port
        try:
            if not self._port.is_open:
                self._port.open()
        except (OSError, ValueError, serial.SerialException) as exc:
            raise _offline(f"cannot open serial printer {where}: {exc}") from exc
        try:
            yield
        except (OSError, TimeoutError, serial.SerialException) as exc:
            self.close()  # reopen next time: the adapter may have been unplugged
            raise _offline(f"serial printer {where} stopped answering: {exc}") from exc

    def send(self, data: bytes, deadline: float) -> None:
        self._port.write_timeout = _remaining(deadline)
        self._port.write(data)

    def query(self, request: bytes, size: int, deadline: float) -> bytes:
        self._port.reset_input_buffer()
        self.send(request, deadline)
        reply = b""
        while len(reply) < size:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self._port.timeout = left
            reply += self._port.read(size - len(reply))
        return reply

    def close(self) -> None:
        with contextlib.suppress(OSError, serial.SerialException):
            self._port.close()


class UsbTransport:
    """A USB printer through pyusb (libusb). Untested on hardware, see docs/printers.md.

    Endpoints are read from the interface descriptor unless configured, because the
    0x01/0x82 pair python-escpos assumes is wrong for many models."""

    readable = True

    def __init__(
        self,
        vendor_id: int,
        product_id: int,
        *,
        interface: int = 0,
        in_ep: int | None = None,
        out_ep: int | None = None,
    ) -> None:
        self.ids = (vendor_id, product_id)
        self.interface, self.in_ep, self.out_ep = interface, in_ep, out_ep
        # A pyusb device (pyusb ships no type information).
        self._dev: Any = None

    @property
    def name(self) -> str:
        return f"{self.ids[0]:04x}:{self.ids[1]:04x}"

    @contextlib.contextmanager
    def session(self, deadline: float) -> Iterator[None]:
        import usb.core

        if self._dev is None:
            self._dev = self._open()
        try:
            yield
        except (usb.core.USBError, OSError, TimeoutError) as exc:
            self.close()
            raise _offline(f"USB printer {self.name} stopped answering: {exc}") from exc

    def _open(self) -> Any:
        import usb.core
        import usb.util

        try:
            dev = usb.core.find(idVendor=self.ids[0], idProduct=self.ids[1])
        except (usb.core.NoBackendError, usb.core.USBError, ValueError) as exc:
            raise _offline(f"cannot search USB for printer {self.name}: {exc}") from exc
        if dev is None:
            raise _offline(f"USB printer {self.name} not found (unplugged or switched off?)")
        try:
            with contextlib.suppress(NotImplementedError, usb.core.USBError):
                if dev.is_kernel_driver_active(self.interface):
                    dev.detach_kernel_driver(self.interface)
            with contextlib.suppress(usb.core.USBError):
                dev.set_configuration()  # already configured is fine
            intf = dev.get_active_configuration()[(self.interface, 0)]
            for ep in intf:
                out = usb.util.endpoint_direction(ep.bEndpointAddress) == usb.util.ENDPOINT_OUT
                if out and self.out_ep is None:
                    self.out_ep = ep.bEndpointAddress
                if not out and self.in_ep is None:
                    self.in_ep = ep.bEndpointAddress
        except (usb.core.USBError, KeyError) as exc:
            raise _offline(f"cannot claim USB printer {self.name}: {exc}") from exc
        if self.out_ep is None:
            raise _offline(f"USB printer {self.name} has no OUT endpoint")
        return dev

    def send(self, data: bytes, deadline: float) -> None:
        self._dev.write(self.out_ep, data, int(_remaining(deadline) * 1000))

    def query(self, request: bytes, size: int, deadline: float) -> bytes:
        if self.in_ep is None:
            return b""
        self.send(request, deadline)
        import usb.core

        reply = b""
        while len(reply) < size and deadline > time.monotonic():
            try:
                ms = max(1, int(_remaining(deadline) * 1000))
                reply += bytes(self._dev.read(self.in_ep, 64, ms))
            except usb.core.USBTimeoutError:
                break
        return reply[:size]

    def close(self) -> None:
        if self._dev is not None:
            import usb.util

            with contextlib.suppress(Exception):
                usb.util.dispose_resources(self._dev)
            self._dev = None


class FileTransport:
    """Appends to a file or a character device (/dev/usb/lp0); cannot read status back."""

    readable = False

    def __init__(self, path: str) -> None:
        self.path = path

    @contextlib.contextmanager
    def session(self, deadline: float) -> Iterator[None]:
        try:
            yield
        except OSError as exc:
            raise _offline(f"cannot write to printer file {self.path}: {exc}") from exc

    def send(self, data: bytes, deadline: float) -> None:
        # Append, so a spool file keeps earlier tickets; a device node ignores the mode.
        with open(self.path, "ab") as out:
            out.write(data)

    def query(self, request: bytes, size: int, deadline: float) -> bytes:
        return b""

    def close(self) -> None:
        pass


class DummyTransport:
    """Keeps the bytes in memory: for previews and tests of the code above the transport."""

    readable = False

    def __init__(self) -> None:
        self.jobs: list[bytes] = []
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def session(self, deadline: float) -> Iterator[None]:
        yield

    def send(self, data: bytes, deadline: float) -> None:
        with self._lock:
            self.jobs.append(bytes(data))

    def query(self, request: bytes, size: int, deadline: float) -> bytes:
        return b""

    def close(self) -> None:
        pass
