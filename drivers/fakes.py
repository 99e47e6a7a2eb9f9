"""Byte-true test doubles for Sira's hardware.

``TestNetworkPrinter`` is a real TCP server on 127.0.0.1 that reads the ESC/POS stream it
receives into receipts and answers ``DLE EOT n`` status queries byte for byte like an
Epson-compatible printer in a state the test sets. ``TestSerialPrinter`` does the same on
the far end of a serial line (a socat pty pair, see ``pty_pair``).

    with TestNetworkPrinter() as printer:
        make_printer({"transport": "network", "host": printer.host, "port": printer.port})
        ...
        [receipt] = printer.wait_for_receipts(1)
        assert receipt.qr_payloads == [url]

Run one by hand and print every receipt it gets: ``python -m drivers.fakes --port 9100``.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import socket
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Literal

import serial

from drivers.escpos.codepages import EPSON_SLOTS, profile_slot_table
from drivers.escpos.parse import EscposStreamParser, PrintedImage, PrintedQr, Receipt
from drivers.escpos.status import (
    ERROR_CUTTER,
    ERROR_HEAD_TEMPERATURE,
    ERROR_MECHANICAL,
    ERROR_UNRECOVERABLE,
    FIXED_BITS,
    OFFLINE_COVER_OPEN,
    OFFLINE_ERROR,
    OFFLINE_PAPER_END,
    PAPER_END,
    PAPER_NEAR_END,
    PRINTER_OFFLINE,
)

Paper = Literal["ok", "near_end", "out"]
ErrorKind = Literal["cutter", "mechanical", "unrecoverable", "head_temperature"]
_ERROR_BITS = {
    "cutter": ERROR_CUTTER,
    "mechanical": ERROR_MECHANICAL,
    "unrecoverable": ERROR_UNRECOVERABLE,
    "head_temperature": ERROR_HEAD_TEMPERATURE,
}


class _FakePrinter:
    """State, parser and receipts shared by the network and serial test printers."""

    __test__ = False  # not a pytest test class despite the name of its subclasses

    def __init__(self, *, profile: str | None = None, slots: dict[int, str] | None = None):
        # The Epson table by default, written independently of the driver's profile data.
        table = slots or (profile_slot_table(profile) if profile else EPSON_SLOTS)
        self._cond = threading.Condition()
        self.paper: Paper = "ok"
        self.cover_open = False
        self.error: ErrorKind | None = None
        self.silent = False
        self.receipts: list[Receipt] = []
        self.unfinished: list[Receipt] = []  # printed but never cut (connection dropped)
        self.status_queries = 0
        self._parser = EscposStreamParser(slots=table, answer=self._answer)

    def set_state(
        self,
        *,
        paper: Paper | None = None,
        cover_open: bool | None = None,
        error: ErrorKind | None | Literal[False] = False,
        silent: bool | None = None,
    ) -> None:
        """Change what the printer reports; ``error=None`` clears an error."""
        with self._cond:
            if paper is not None:
                self.paper = paper
            if cover_open is not None:
                self.cover_open = cover_open
            if error is not False:
                self.error = error
            if silent is not None:
                self.silent = silent

    def status_byte(self, n: int) -> int:
        """The byte an Epson printer answers to ``DLE EOT n`` in the current state."""
        value = FIXED_BITS
        error_bits = _ERROR_BITS[self.error] if self.error else 0
        out = self.paper == "out"
        if n == 1 and (self.cover_open or out or self.error):
            value |= PRINTER_OFFLINE
        elif n == 2:
            value |= OFFLINE_COVER_OPEN if self.cover_open else 0
            value |= OFFLINE_PAPER_END if out else 0
            value |= OFFLINE_ERROR if self.error else 0
        elif n == 3:
            value |= error_bits
        elif n == 4:
            value |= PAPER_NEAR_END if self.paper != "ok" else 0  # near-end also when out
            value |= PAPER_END if out else 0
        return value

    def _answer(self, n: int) -> bytes:
        self.status_queries += 1
        if self.silent or n not in (1, 2, 3, 4):
            return b""
        return bytes((self.status_byte(n),))

    def _consume(self, data: bytes) -> bytes:
        with self._cond:
            reply = self._parser.feed(data)
            if self._parser.receipts:
                self.receipts.extend(self._parser.receipts)
                self._parser.receipts.clear()
                self._cond.notify_all()
            return reply

    def _end_of_stream(self) -> None:
        # A real printer keeps its modes across connections; only the partial job is dropped.
        with self._cond:
            rest = self._parser.finish()
            if rest is not None and rest.items:
                self.unfinished.append(rest)

    def wait_for_receipts(self, n: int, timeout: float = 5.0) -> list[Receipt]:
        """Block until ``n`` receipts have been cut; returns all of them."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.receipts) >= n, timeout):
                raise TimeoutError(f"{len(self.receipts)} of {n} receipts after {timeout} s")
            return list(self.receipts)


class TestNetworkPrinter(_FakePrinter):
    """An ESC/POS printer on a real TCP port; a context manager."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        profile: str | None = None,
        slots: dict[int, str] | None = None,
    ) -> None:
        super().__init__(profile=profile, slots=slots)
        self.host = host
        self.port = port
        self.connections = 0
        self._drop_after: int | None = None
        self._stop = threading.Event()
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> TestNetworkPrinter:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        self._listen()
        self._thread = threading.Thread(target=self._serve, name="test-printer", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(timeout=5)
        self.refuse_connections(True)

    def refuse_connections(self, refuse: bool = True) -> None:
        """Stop listening (connects fail with ECONNREFUSED), or listen again on the port."""
        with self._cond:
            if refuse and self._listener:
                # shutdown() stops listening at once; close() alone leaves the socket alive
                # (and accepting into its backlog) while the server thread still polls it.
                with contextlib.suppress(OSError):
                    self._listener.shutdown(socket.SHUT_RDWR)
                self._listener.close()
                self._listener = None
            elif not refuse and not self._listener:
                self._listen()

    def close_mid_job(self, after_bytes: int) -> None:
        """Reset the next connection once it has sent ``after_bytes`` bytes."""
        self._drop_after = after_bytes

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(8)
        listener.settimeout(0.05)
        self.port = listener.getsockname()[1]
        self._listener = listener

    def _serve(self) -> None:
        # One connection at a time, like the network interface of a real receipt printer.
        while not self._stop.is_set():
            listener = self._listener
            if listener is None:
                self._stop.wait(0.05)
                continue
            try:
                conn, _ = listener.accept()
            except OSError:  # timeout, or the listener was closed to refuse connections
                continue
            self.connections += 1
            with conn:
                self._handle(conn)
            self._end_of_stream()

    def _handle(self, conn: socket.socket) -> None:
        conn.settimeout(0.05)
        drop_after, self._drop_after = self._drop_after, None
        received = 0
        while not self._stop.is_set():
            try:
                data = conn.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                return
            if drop_after is not None and received + len(data) >= drop_after:
                self._consume(data[: drop_after - received])
                # RST rather than FIN: the sender sees the failure like a printer reboot.
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            received += len(data)
            reply = self._consume(data)
            if reply:
                with contextlib.suppress(OSError):
                    conn.sendall(reply)


class TestSerialPrinter(_FakePrinter):
    """An ESC/POS printer on a serial port (the far end of ``pty_pair``); a context manager."""

    def __init__(
        self,
        device: str,
        *,
        baudrate: int = 9600,
        profile: str | None = None,
        slots: dict[int, str] | None = None,
    ) -> None:
        super().__init__(profile=profile, slots=slots)
        self._port = serial.serial_for_url(device, baudrate=baudrate, timeout=0.05)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="test-serial", daemon=True)

    def __enter__(self) -> TestSerialPrinter:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._port.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                data = self._port.read(4096)
            except (OSError, serial.SerialException):
                return
            if data:
                reply = self._consume(data)
                if reply:
                    self._port.write(reply)


@contextlib.contextmanager
def pty_pair() -> Iterator[tuple[str, str]]:
    """Two connected pseudo-terminals made by socat: a null-modem cable in software."""
    proc = subprocess.Popen(
        ["socat", "-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        paths: list[str] = []
        while len(paths) < 2:
            line = proc.stderr.readline()
            if not line:
                raise RuntimeError("socat exited before creating the pty pair")
            paths += re.findall(r"PTY is (\S+)", line)
        # Keep reading socat's log so it never blocks on a full pipe.
        threading.Thread(target=proc.stderr.read, daemon=True).start()
        yield paths[0], paths[1]
    finally:
        proc.terminate()
        proc.wait(timeout=5)


def describe_receipt(receipt: Receipt) -> str:
    """A receipt as plain text: lines with their size, QR payloads and images marked."""
    out: list[str] = []
    for item in receipt.items:
        if isinstance(item, PrintedQr):
            out.append(f"[QR {item.data}]")
        elif isinstance(item, PrintedImage):
            out.append(f"[image {item.image.width}x{item.image.height}]")
        else:
            size = f" ({item.width}x{item.height})" if (item.width, item.height) != (1, 1) else ""
            out.append(f"{item.text}{size}")
    return "\n".join(out).rstrip() + f"\n--- cut x{receipt.cuts} ---\n"


def main(
    argv: list[str] | None = None, *, write: Callable[[str], object] = sys.stdout.write
) -> None:
    """Run a test printer on a port and print every receipt it receives."""
    parser = argparse.ArgumentParser(prog="python -m drivers.fakes", description=main.__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9100)
    parser.add_argument("--profile", default=None, help="python-escpos profile for code pages")
    parser.add_argument("--paper", choices=["ok", "near_end", "out"], default="ok")
    parser.add_argument("--cover-open", action="store_true")
    args = parser.parse_args(argv)
    with TestNetworkPrinter(host=args.host, port=args.port, profile=args.profile) as printer:
        printer.set_state(paper=args.paper, cover_open=args.cover_open)
        write(f"test printer listening on {printer.host}:{printer.port}\n")
        seen = 0
        with contextlib.suppress(KeyboardInterrupt):
            while True:
                try:
                    receipts = printer.wait_for_receipts(seen + 1, timeout=1.0)
                except TimeoutError:
                    continue
                for receipt in receipts[seen:]:
                    write(describe_receipt(receipt))
                seen = len(receipts)


if __name__ == "__main__":
    main()
