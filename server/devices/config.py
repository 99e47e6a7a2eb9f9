"""A device's configuration: its typed shape, the hardware parts it may report the status of,
the counters its keypads may call at, and where its hardware may point.

``DeviceConfig`` is every key the server and the agent read (drivers/agent/hardware.py):
``printer`` (drivers.escpos configuration) and ``print_via``; ``footer`` (ticket text);
``counter_displays`` and ``keypads`` (serial devices as in drivers/serial/config.py without
``kind``, each naming its ``counter`` label); ``speaker`` (``{"enabled": true, "command":
[...]}``). Unknown keys are refused, lists and text bounded, and the whole at most
``MAX_CONFIG_BYTES`` of JSON.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from drivers.escpos.config import strip_controls
from drivers.escpos.policy import HardwarePolicy
from drivers.serial import parse_serial_config
from server.printing.config import printer_problems, validate_device_config

MAX_CONFIG_BYTES = 16_384
MAX_SERIAL_DEVICES = 32
_Arg = Annotated[str, Field(max_length=500)]


def _serial_entries(kind: str, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for i, entry in enumerate(entries):
        try:
            parse_serial_config({**entry, "kind": kind})
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"] if p != kind)
            message = str(first["msg"]).removeprefix("Value error, ")
            raise ValueError(f"entry {i}{'.' + where if where else ''}: {message}") from None
    return entries


class SpeakerOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    command: list[_Arg] | None = Field(
        None, min_length=1, max_length=32, description='player command, "{path}" for the file'
    )


class DeviceConfig(BaseModel):
    """The hardware of a device, as stored in ``Device.config`` (as given, defaults left to the
    drivers, so a later release can improve them)."""

    model_config = ConfigDict(extra="forbid")

    printer: dict[str, Any] | None = Field(None, description="drivers.escpos configuration")
    print_via: Literal["server", "agent"] | None = None
    footer: str | None = Field(None, max_length=1000)
    counter_displays: list[dict[str, Any]] | None = Field(None, max_length=MAX_SERIAL_DEVICES)
    keypads: list[dict[str, Any]] | None = Field(None, max_length=MAX_SERIAL_DEVICES)
    speaker: SpeakerOptions | None = None

    @model_validator(mode="before")
    @classmethod
    def _bounded(cls, data: Any) -> Any:
        if isinstance(data, dict):
            size = len(json.dumps(data, default=str))
            if size > MAX_CONFIG_BYTES:
                raise PydanticCustomError(
                    "too_large",
                    "the configuration is {size} bytes of JSON; at most {limit}",
                    {"size": size, "limit": MAX_CONFIG_BYTES},
                )
        return data

    @field_validator("footer")
    @classmethod
    def _text(cls, value: str | None) -> str | None:
        return None if value is None else strip_controls(value)

    @field_validator("counter_displays")
    @classmethod
    def _displays(cls, value: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
        return None if value is None else _serial_entries("serial-display", value)

    @field_validator("keypads")
    @classmethod
    def _keypads(cls, value: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
        return None if value is None else _serial_entries("serial-keypad", value)

    @field_validator("printer")
    @classmethod
    def _printer(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return None
        checked: dict[str, Any] = validate_device_config({"printer": value})["printer"]
        return checked

    def stored(self) -> dict[str, Any]:
        """The configuration as given (the keys that were set), for ``Device.config``."""
        return self.model_dump(mode="json", exclude_unset=True)


# Parts of a device's status the server writes itself; a device never reports them.
SERVER_PARTS = frozenset({"agent", "screen"})


def _counters(config: dict[str, Any], key: str) -> set[str]:
    entries = config.get(key)
    if not isinstance(entries, list):
        return set()
    return {str(e["counter"]) for e in entries if isinstance(e, dict) and "counter" in e}


def keypad_counters(config: dict[str, Any] | None) -> set[str]:
    """The labels of the counters this device's keypads stand at: the only counters its
    key presses may call or recall at."""
    return _counters(config or {}, "keypads")


def status_parts(config: dict[str, Any] | None) -> set[str]:
    """The status parts a device with this configuration may report (``printer``,
    ``display:<counter>``, ``keypad:<counter>``, ``speaker``)."""
    config = config or {}
    parts: set[str] = set()
    if config.get("printer"):
        parts.add("printer")
    parts |= {f"display:{c}" for c in _counters(config, "counter_displays")}
    parts |= {f"keypad:{c}" for c in _counters(config, "keypads")}
    speaker = config.get("speaker")
    if isinstance(speaker, dict) and speaker.get("enabled"):
        parts.add("speaker")
    return parts


# --- where hardware points: admin-only parts, and the installation's limits -----------------

# Printer transports that reach into the machine that drives them (its files and devices).
ADMIN_TRANSPORTS = frozenset({"file", "serial", "usb"})
_TRANSPORT_TARGET = ("transport", "path", "device", "vendor_id", "product_id")


def admin_parts(config: dict[str, Any] | None) -> dict[str, Any]:
    """The parts of a configuration only an administrator may set: a file, serial or USB
    printer (where it points), a logo file, the serial ports of LED displays and keypads, and
    the command a speaker PC runs to play sound."""
    config = config or {}
    parts: dict[str, Any] = {}
    printer = config.get("printer")
    if isinstance(printer, dict):
        if printer.get("transport") in ADMIN_TRANSPORTS:
            parts["printer transport"] = {k: printer.get(k) for k in _TRANSPORT_TARGET}
        if printer.get("logo_path"):
            parts["printer logo_path"] = printer["logo_path"]
    for key in ("counter_displays", "keypads"):
        entries = config.get(key)
        if isinstance(entries, list):
            ports = [e.get("port") for e in entries if isinstance(e, dict)]
            if ports:
                parts[f"{key} ports"] = ports
    speaker = config.get("speaker")
    if isinstance(speaker, dict) and speaker.get("command"):
        parts["speaker command"] = speaker["command"]
    return parts


def admin_only_changes(old: dict[str, Any] | None, new: dict[str, Any] | None) -> list[str]:
    """The admin-only parts ``new`` adds or changes compared with ``old`` (a manager may save
    a configuration that keeps an administrator's printer as it is)."""
    before, after = admin_parts(old), admin_parts(new)
    return sorted(k for k, v in after.items() if before.get(k) != v)


def hardware_problems(config: dict[str, Any] | None, policy: HardwarePolicy) -> list[str]:
    """Each place the configuration points that this installation does not allow, as
    ``field: problem``."""
    config = config or {}
    problems: list[str] = []
    printer = config.get("printer")
    if isinstance(printer, dict) and printer:
        problems += [
            f"printer.{where}: {what}" for where, what in printer_problems(printer, policy)
        ]
    for key in ("counter_displays", "keypads"):
        entries = config.get(key)
        for i, entry in enumerate(entries if isinstance(entries, list) else []):
            port = entry.get("port") if isinstance(entry, dict) else None
            problem = policy.port_problem(str(port)) if port is not None else None
            if problem:
                problems.append(f"{key}.{i}.port: {problem}")
    return problems


def confined(
    config: dict[str, Any] | None, policy: HardwarePolicy
) -> tuple[dict[str, Any], dict[str, str]]:
    """The configuration without the parts ``policy`` does not allow (what an agent is sent),
    and a problem per status part left out."""
    out = dict(config or {})
    dropped: dict[str, str] = {}
    printer = out.get("printer")
    if isinstance(printer, dict) and printer:
        problems = printer_problems(printer, policy)
        if problems:
            del out["printer"]
            dropped["printer"] = "not allowed: " + "; ".join(f"{w}: {p}" for w, p in problems)
    for key, part in (("counter_displays", "display"), ("keypads", "keypad")):
        entries = out.get(key)
        if not isinstance(entries, list):
            continue
        kept = []
        for entry in entries:
            port = entry.get("port") if isinstance(entry, dict) else None
            problem = policy.port_problem(str(port)) if port is not None else None
            if problem and isinstance(entry, dict):
                dropped[f"{part}:{entry.get('counter')}"] = f"not allowed: {problem}"
            else:
                kept.append(entry)
        out[key] = kept
    return out, dropped
