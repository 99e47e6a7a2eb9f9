"""ESC/POS ticket printers: typed configuration, ticket layout, transports, status."""

from drivers.escpos.config import PrinterConfig, PrinterConfigError, parse_printer_config
from drivers.escpos.printer import TRANSPORT_FACTORIES, EscposPrinter, make_printer
from drivers.escpos.ticket import TicketOptions, render_ticket, ticket_bytes

__all__ = [
    "TRANSPORT_FACTORIES",
    "EscposPrinter",
    "PrinterConfig",
    "PrinterConfigError",
    "TicketOptions",
    "make_printer",
    "parse_printer_config",
    "render_ticket",
    "ticket_bytes",
]
