"""``EscposPrinter``: the one object that owns an ESC/POS printer, and ``make_printer``.

Every call takes the device lock and is bounded by the configured timeout, so a silent or
unplugged printer costs the caller at most a few seconds and a ``DriverError``, never a hang
or a raw library exception. Call it from a worker thread, not the event loop.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import serial

from drivers.base import DeviceState, DeviceStatus, DriverError, TicketContent
from drivers.escpos.config import (
    DummyPrinterConfig,
    FilePrinterConfig,
    NetworkPrinterConfig,
    PrinterConfig,
    SerialPrinterConfig,
    UsbPrinterConfig,
    parse_printer_config,
)
from drivers.escpos.policy import HardwarePolicy
from drivers.escpos.status import STATUS_QUERY, decode_status
from drivers.escpos.ticket import TicketOptions, ticket_bytes
from drivers.escpos.transports import (
    DummyTransport,
    FileTransport,
    NetworkTransport,
    SerialTransport,
    Transport,
    UsbTransport,
)

log = logging.getLogger(__name__)
UNKNOWN = DeviceStatus(DeviceState.UNKNOWN, "this transport cannot read status")


class EscposPrinter:
    """A TicketPrinter over any transport."""

    def __init__(self, config: PrinterConfig, transport: Transport) -> None:
        self.config = config
        self.transport = transport
        self.options = TicketOptions.from_config(config)
        self._lock = threading.Lock()

    def status(self) -> DeviceStatus:
        """The printer's state, read with DLE EOT within ``timeout_s``; never raises."""
        with self._lock:
            if not self.transport.readable:
                return UNKNOWN
            try:
                with self.transport.session(self._deadline()):
                    return self._read_status()
            except DriverError as exc:
                return exc.status or DeviceStatus(DeviceState.OFFLINE, str(exc))

    def print_ticket(self, ticket: TicketContent) -> DeviceStatus:
        """Print and cut one ticket; returns the status read afterwards (UNKNOWN where it
        cannot be read). Raises DriverError, carrying the status, when nothing was printed
        because the printer is not ready, or when the printer could not be reached or
        stopped answering while printing (the ticket may then be missing or partial)."""
        try:
            data = ticket_bytes(ticket, self.options)
        except Exception as exc:  # a layout bug must not escape as a raw library error
            log.exception("ticket %s could not be laid out", ticket.code)
            raise DriverError(
                f"ticket {ticket.code} could not be laid out: {exc}",
                status=DeviceStatus(DeviceState.ERROR, "layout failed"),
            ) from exc
        with self._lock:
            with self.transport.session(self._deadline(len(data))):
                if not self.transport.readable:
                    self.transport.send(data, self._deadline(len(data)))
                    return UNKNOWN
                before = self._read_status()
                if not before.ok:
                    raise DriverError(f"printer not ready: {before.detail}", status=before)
                self.transport.send(data, self._deadline(len(data)))
                after = self._read_status()
                if after.state is DeviceState.OFFLINE:
                    raise DriverError(
                        f"ticket {ticket.code} sent but the printer stopped answering",
                        status=after,
                    )
                return after

    def close(self) -> None:
        with self._lock:
            self.transport.close()

    def _deadline(self, size: int = 0) -> float:
        # Sending a long raster ticket over 9600 baud takes longer than any sane timeout.
        transfer = getattr(self.transport, "transfer_time", None)
        extra = transfer(size) if transfer else 0.0
        return time.monotonic() + self.config.timeout_s + extra

    def _read_status(self) -> DeviceStatus:
        reply = self.transport.query(STATUS_QUERY, 4, self._deadline())
        if len(reply) < 4:
            detail = f"no status reply within {self.config.timeout_s:g} s"
            return DeviceStatus(DeviceState.OFFLINE, detail)
        return decode_status(reply)


def _network(config: NetworkPrinterConfig, policy: HardwarePolicy | None) -> Transport:
    return NetworkTransport(config.host, config.port, policy=policy)


def _serial(config: SerialPrinterConfig, policy: HardwarePolicy | None) -> Transport:
    port = serial.serial_for_url(
        config.device,
        do_not_open=True,
        baudrate=config.baudrate,
        bytesize=config.bytesize,
        parity=config.parity,
        stopbits=config.stopbits,
        rtscts=config.rtscts,
        dsrdtr=config.dsrdtr,
        xonxoff=config.xonxoff,
        timeout=config.timeout_s,
        write_timeout=config.timeout_s,
    )
    return SerialTransport(port, baudrate=config.baudrate)


def _usb(config: UsbPrinterConfig, policy: HardwarePolicy | None) -> Transport:
    return UsbTransport(
        config.vendor_id,
        config.product_id,
        interface=config.interface,
        in_ep=config.in_ep,
        out_ep=config.out_ep,
    )


def _file(config: FilePrinterConfig, policy: HardwarePolicy | None) -> Transport:
    return FileTransport(policy.file_target(config.path) if policy else config.path)


def _dummy(config: DummyPrinterConfig, policy: HardwarePolicy | None) -> Transport:
    return DummyTransport()


#: Transport name to factory ``(config, policy)``; tests and the agent may register more.
TRANSPORT_FACTORIES: dict[str, Callable[[Any, HardwarePolicy | None], Transport]] = {
    "network": _network,
    "serial": _serial,
    "usb": _usb,
    "file": _file,
    "dummy": _dummy,
}


def make_printer(
    config: PrinterConfig | Mapping[str, Any], *, policy: HardwarePolicy | None = None
) -> EscposPrinter:
    """Build the printer for a configuration (a model or its JSON-like mapping).

    Nothing is opened here: an absent printer shows up as OFFLINE on the first call, so a
    server or agent starts even when the printer is unplugged. Raises PrinterConfigError
    for an invalid mapping, and DriverError for one that ``policy`` does not allow (a
    configuration stored before the policy existed, or since narrowed).
    """
    if isinstance(config, Mapping):
        config = parse_printer_config(config)
    if policy is not None:
        problems = policy.printer_problems(config)
        if problems:
            detail = "; ".join(f"{where}: {what}" for where, what in problems)
            raise DriverError(
                f"printer configuration not allowed here: {detail}",
                status=DeviceStatus(DeviceState.ERROR, f"not allowed: {detail}"[:200]),
            )
        if config.logo_path:
            config = config.model_copy(update={"logo_path": policy.logo_target(config.logo_path)})
    try:
        transport = TRANSPORT_FACTORIES[config.transport](config, policy)
    except (ValueError, serial.SerialException) as exc:
        # e.g. a malformed pyserial URL: a configuration problem, reported as such.
        raise DriverError(
            f"printer transport {config.transport!r} not usable: {exc}",
            status=DeviceStatus(DeviceState.ERROR, str(exc)),
        ) from exc
    return EscposPrinter(config, transport)
