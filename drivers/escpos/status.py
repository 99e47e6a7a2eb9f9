"""Real-time status (DLE EOT n) of Epson-compatible printers, as bytes and as DeviceStatus.

Each ``DLE EOT n`` query is answered with one byte whose bits 0, 1, 4 and 7 are fixed
(0, 1, 1, 0): that pattern is how a reply is told apart from noise. Meaning of the other
bits (Epson ESC/POS manual, "DLE EOT"):

n=1 printer      bit 3 offline
n=2 offline      bit 2 cover open, bit 3 paper fed by button, bit 5 stopped by paper end,
                 bit 6 error
n=3 error        bit 2 recoverable (mechanical), bit 3 autocutter, bit 5 unrecoverable,
                 bit 6 auto-recoverable (head temperature)
n=4 paper roll   bits 2+3 near end, bits 5+6 paper end
"""

from __future__ import annotations

from drivers.base import DeviceState, DeviceStatus

DLE_EOT = b"\x10\x04"
#: All four queries in one write; the printer answers them in order, one byte each.
STATUS_QUERY = b"".join(DLE_EOT + bytes((n,)) for n in (1, 2, 3, 4))
FIXED_MASK, FIXED_BITS = 0x93, 0x12

PRINTER_OFFLINE = 0x08
OFFLINE_COVER_OPEN = 0x04
OFFLINE_PAPER_END = 0x20
OFFLINE_ERROR = 0x40
ERROR_MECHANICAL = 0x04
ERROR_CUTTER = 0x08
ERROR_UNRECOVERABLE = 0x20
ERROR_HEAD_TEMPERATURE = 0x40
PAPER_NEAR_END = 0x0C
PAPER_END = 0x60

_ERRORS = (
    (ERROR_CUTTER, "autocutter error"),
    (ERROR_MECHANICAL, "mechanical error"),
    (ERROR_UNRECOVERABLE, "unrecoverable error"),
    (ERROR_HEAD_TEMPERATURE, "print head too hot"),
)


def is_status_byte(value: int) -> bool:
    return value & FIXED_MASK == FIXED_BITS


def decode_status(reply: bytes) -> DeviceStatus:
    """Map the four reply bytes (n=1..4) to one DeviceStatus, most urgent first."""
    if len(reply) != 4 or not all(is_status_byte(b) for b in reply):
        return DeviceStatus(DeviceState.ERROR, f"unexpected status reply {reply.hex(' ')}")
    printer, offline, error, paper = reply
    if offline & OFFLINE_COVER_OPEN:
        return DeviceStatus(DeviceState.COVER_OPEN, "cover open")
    if paper & PAPER_END or offline & OFFLINE_PAPER_END:
        return DeviceStatus(DeviceState.PAPER_OUT, "paper out")
    faults = [text for bit, text in _ERRORS if error & bit]
    if faults or offline & OFFLINE_ERROR:
        return DeviceStatus(DeviceState.ERROR, ", ".join(faults) or "printer reports an error")
    if printer & PRINTER_OFFLINE:
        # Answered but offline with no cause given (e.g. paper being fed by the button).
        return DeviceStatus(DeviceState.ERROR, "printer reports offline")
    if paper & PAPER_NEAR_END:
        return DeviceStatus(DeviceState.PAPER_NEAR_END, "paper near end")
    return DeviceStatus(DeviceState.ONLINE)
