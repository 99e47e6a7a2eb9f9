"""Tickets and printer configurations for the ESC/POS tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from drivers.base import TicketContent

ISSUED = dt.datetime(2025, 3, 4, 9, 5, tzinfo=dt.timezone(dt.timedelta(hours=3)))

#: Per language: a service name and bank/branch names full of the letters that break
#: printers (Turkish dotted/dotless i, Greek tonos, Polish ogonek and kreska).
SAMPLES: dict[str, dict[str, str]] = {
    "en": {
        "service_name": "Personal Banking",
        "bank_name": "Sira Bank",
        "branch_name": "High Street",
    },
    "tr": {
        "service_name": "Bireysel İşlemler",
        "bank_name": "Örnek Bankası",
        "branch_name": "Kadıköy Şubesi",
    },
    "el": {
        "service_name": "Καταθέσεις και Αναλήψεις",
        "bank_name": "Τράπεζα Σίρα",
        "branch_name": "Κατάστημα Πειραιά",
    },
    "pl": {
        "service_name": "Wpłaty i wypłaty",
        "bank_name": "Bank Śląski",
        "branch_name": "Oddział Łódź Źródła",
    },
}


def make_ticket(lang: str = "en", **kw: Any) -> TicketContent:
    fields: dict[str, Any] = {
        "code": "A042",
        "lang": lang,
        "issued_at": ISSUED,
        "people_ahead": 3,
        "estimated_wait_s": 610,
        "qr_url": "https://sira.bank/t/Zx81-token",
        **SAMPLES[lang],
    }
    fields.update(kw)
    return TicketContent(**fields)


def network_config(host: str, port: int, **kw: Any) -> dict[str, Any]:
    return {"transport": "network", "host": host, "port": port, "timeout_s": 1.0, **kw}
