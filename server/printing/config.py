"""A device's printer configuration, as the server reads it from ``Device.config``.

``config.printer`` is the driver's configuration (validated by drivers.escpos); ``print_via``
says who drives the printer: the server itself ("server": network printers, or one attached to
the server PC) or the device agent on the kiosk PC ("agent": USB and serial printers there).

Where a printer may point is confined by the installation's settings (``hardware_policy``,
see drivers/escpos/policy.py): file printers and logos inside their directories, serial
devices matching the port patterns, network printers inside the allowed networks. It is
checked when a configuration is saved and again whenever one is used (a configuration stored
before a setting was narrowed must not slip through).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from drivers.base import TicketPrinter
from drivers.escpos.config import strip_controls
from drivers.escpos.policy import HardwarePolicy

if TYPE_CHECKING:
    from server.config import Settings

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

    def build(self, settings: Settings) -> TicketPrinter:
        """The printer, or DriverError when the settings do not allow where it points."""
        from drivers.escpos import make_printer, parse_printer_config

        return make_printer(parse_printer_config(self.raw), policy=hardware_policy(settings))


def hardware_policy(settings: Settings) -> HardwarePolicy:
    """Where device hardware may point on this installation."""
    return HardwarePolicy.of(
        file_dir=settings.printer_file_dir or settings.data_dir / "printers",
        logo_dir=settings.logo_dir or settings.data_dir / "logos",
        port_patterns=settings.serial_ports,
        allowed_hosts=settings.printer_hosts,
    )


def printer_problems(printer: dict[str, Any], policy: HardwarePolicy) -> list[tuple[str, str]]:
    """(field, problem) for each place a valid printer configuration points that ``policy``
    does not allow; an invalid configuration is reported by ``validate_device_config``."""
    from drivers.escpos import PrinterConfigError, parse_printer_config

    try:
        typed = parse_printer_config(printer)
    except PrinterConfigError as exc:
        return exc.problems
    return policy.printer_problems(typed)


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
    # Stored as given (defaults stay the driver's, so a later release can improve them),
    # but for the footer's control characters: text, not printer commands.
    if isinstance(printer.get("footer"), str):
        config = {**config, "printer": {**printer, "footer": strip_controls(printer["footer"])}}
    return config


def printer_setup(config: dict[str, Any] | None) -> PrinterSetup | None:
    """The printer setup of a device configuration, or None when it has no printer."""
    printer = (config or {}).get("printer")
    if not printer:
        return None
    transport = str(printer.get("transport", ""))
    via = (config or {}).get("print_via") or DEFAULT_VIA.get(transport, "server")
    return PrinterSetup(raw=dict(printer), via=via, timeout_s=float(printer.get("timeout_s", 3)))
