"""What a device's configuration says it has: the hardware parts it may report the status of,
and the counters its keypads may call at.

``config`` keys read here (the same the agent reads, drivers/agent/hardware.py): ``printer``,
``counter_displays`` and ``keypads`` (lists, each entry naming its ``counter`` label), and
``speaker`` (``{"enabled": true}``).
"""

from __future__ import annotations

from typing import Any

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
