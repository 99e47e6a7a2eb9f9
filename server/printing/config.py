"""A device's printer configuration, as the server reads it from ``Device.config``.

``config.printer`` is the driver's configuration (validated by drivers.escpos); ``print_via``
says who drives the printer: the server itself ("server": network printers, or one attached to
the server PC) or the device agent on the kiosk PC ("agent": USB and serial printers there).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from drivers.base import TicketPrinter

Via = Literal["server", "agent"]
# Where a printer is driven from when the configuration does not say.
DEFAULT_VIA: dict[str, Via] = {
    "network": "server",
    "dummy": "server",
    "file": "server",
    "serial": "agent",
    "usb": "agent",
}


@dataclass(frozen=True)
class PrinterSetup:
    raw: dict[str, Any]
    via: Via
    timeout_s: float

    def build(self) -> TicketPrinter:
        from drivers.escpos import make_printer, parse_printer_config

        return make_printer(parse_printer_config(self.raw))


def validate_device_config(config: dict[str, Any]) -> dict[str, Any]:
    """Check a device configuration's hardware parts; raises ValueError with a readable message
    (pydantic turns it into a 422 naming the field)."""
    printer = config.get("printer")
    if printer is None:
        return config
    from drivers.escpos import parse_printer_config

    parse_printer_config(printer)  # raises with every problem, field by field
    via = config.get("print_via")
    if via is not None and via not in ("server", "agent"):
        raise ValueError("print_via must be 'server' or 'agent'")
    # Stored as given: defaults stay the driver's, so a later release can improve them.
    return config


def printer_setup(config: dict[str, Any] | None) -> PrinterSetup | None:
    """The printer setup of a device configuration, or None when it has no printer."""
    printer = (config or {}).get("printer")
    if not printer:
        return None
    transport = str(printer.get("transport", ""))
    via = (config or {}).get("print_via") or DEFAULT_VIA.get(transport, "server")
    return PrinterSetup(raw=dict(printer), via=via, timeout_s=float(printer.get("timeout_s", 3)))
