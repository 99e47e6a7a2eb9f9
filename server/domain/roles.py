"""Who can call Sira: staff roles and device kinds."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    MANAGER = "manager"
    TELLER = "teller"
    KIOSK = "kiosk"
    DISPLAY = "display"
    SPEAKER = "speaker"
    AGENT = "agent"
