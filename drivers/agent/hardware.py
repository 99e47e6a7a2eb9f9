"""The hardware one agent drives, built from the device configuration the server sends.

``config`` keys (all optional): ``printer`` (drivers.escpos configuration),
``counter_displays`` (list of serial LED displays, each naming its ``counter`` label),
``keypads`` (list of serial keypads, each naming its ``counter``) — both as in
drivers/serial/config.py without ``kind`` — and ``speaker`` ({"enabled": true, "command": [...]}
to play announcements on this PC; the command defaults to sox's ``play``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from drivers.base import CounterDisplay, DeviceState, DeviceStatus, Keypad, Speaker, TicketPrinter

log = logging.getLogger(__name__)


@dataclass
class Hardware:
    printer: TicketPrinter | None = None
    displays: dict[str, CounterDisplay] = field(default_factory=dict)
    keypads: dict[str, Keypad] = field(default_factory=dict)
    speaker: Speaker | None = None
    problems: dict[str, str] = field(default_factory=dict)

    def close(self) -> None:
        parts = [self.printer, self.speaker, *self.displays.values(), *self.keypads.values()]
        for part in parts:
            if part is not None:
                try:
                    getattr(part, "close", lambda: None)()  # a Speaker need not hold anything
                except Exception:  # a dead device must not stop the others closing
                    log.debug("closing %r failed", part, exc_info=True)

    def printer_status(self) -> dict[str, str] | None:
        if self.printer is None:
            return None
        try:
            return self.printer.status().as_dict()
        except Exception as exc:
            return DeviceStatus(DeviceState.OFFLINE, str(exc)[:200]).as_dict()


def build_hardware(config: dict[str, Any], *, data_dir: Path) -> Hardware:
    """Real drivers for every configured part; a part that cannot be opened is reported in
    ``problems`` (and in the heartbeat) instead of stopping the agent."""
    hw = Hardware()
    if config.get("printer"):
        try:
            from drivers.escpos import make_printer, parse_printer_config

            hw.printer = make_printer(parse_printer_config(config["printer"]))
        except Exception as exc:
            hw.problems["printer"] = str(exc)[:200]
    for entry in config.get("counter_displays") or []:
        try:
            from drivers.serial import build_serial_device

            device = build_serial_device({**entry, "kind": "serial-display"})
            hw.displays[str(entry["counter"])] = device  # type: ignore[assignment]
        except Exception as exc:
            hw.problems[f"display:{entry.get('counter')}"] = str(exc)[:200]
    for entry in config.get("keypads") or []:
        try:
            from drivers.serial import build_serial_device

            keypad = build_serial_device({**entry, "kind": "serial-keypad"})
            hw.keypads[str(entry["counter"])] = keypad  # type: ignore[assignment]
        except Exception as exc:
            hw.problems[f"keypad:{entry.get('counter')}"] = str(exc)[:200]
    speaker = config.get("speaker") or {}
    if speaker.get("enabled"):
        try:
            from drivers.speech import PLAY_COMMAND, AnnouncementCache, QueuedSpeaker

            hw.speaker = QueuedSpeaker(
                AnnouncementCache(data_dir / "audio"),
                command=speaker.get("command") or PLAY_COMMAND,
            )
        except Exception as exc:
            hw.problems["speaker"] = str(exc)[:200]
    return hw
