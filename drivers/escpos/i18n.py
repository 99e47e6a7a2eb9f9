"""The words printed on a ticket, per language, with ASCII punctuation only.

Thermal printer code pages have no typographic quotes or dashes, so none are used here.
Unknown languages fall back to English rather than failing a ticket.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Labels:
    people_ahead: str
    estimated_wait: str
    issued: str
    priority: str
    reprint: str
    scan: str
    date_format: str  # strftime, numeric only: month names would need a locale database


LABELS: dict[str, Labels] = {
    "en": Labels(
        people_ahead="People ahead of you",
        estimated_wait="Estimated wait",
        issued="Issued",
        priority="PRIORITY",
        reprint="REPRINT",
        scan="Scan to follow your turn",
        date_format="%d/%m/%Y %H:%M",
    ),
    "tr": Labels(
        people_ahead="Önünüzdeki kişi sayısı",
        estimated_wait="Tahmini bekleme süresi",
        issued="Tarih",
        priority="ÖNCELİKLİ",
        reprint="TEKRAR BASKI",
        scan="Sıranızı takip etmek için okutun",
        date_format="%d.%m.%Y %H:%M",
    ),
    "el": Labels(
        people_ahead="Άτομα μπροστά σας",
        estimated_wait="Εκτιμώμενη αναμονή",
        issued="Ημερομηνία",
        priority="ΠΡΟΤΕΡΑΙΟΤΗΤΑ",
        reprint="ΑΝΑΤΥΠΩΣΗ",
        scan="Σαρώστε για να δείτε τη σειρά σας",
        date_format="%d/%m/%Y %H:%M",
    ),
    "pl": Labels(
        people_ahead="Osób przed Tobą",
        estimated_wait="Szacowany czas oczekiwania",
        issued="Data",
        priority="PRIORYTET",
        reprint="DUPLIKAT",
        scan="Zeskanuj, aby śledzić swoją kolejkę",
        date_format="%d.%m.%Y %H:%M",
    ),
}


def labels_for(lang: str) -> Labels:
    return LABELS.get(lang, LABELS["en"])


def format_issued(lang: str, when: dt.datetime) -> str:
    """Date and time in the language's usual numeric order (day first everywhere we ship)."""
    return when.strftime(labels_for(lang).date_format)


def format_wait(lang: str, seconds: int) -> str:
    """An estimated wait in whole minutes, rounded up; under a minute says so in words."""
    if seconds < 60:
        return {
            "tr": "1 dakikadan az",
            "el": "λιγότερο από ένα λεπτό",
            "pl": "mniej niż minuta",
        }.get(lang, "less than a minute")
    minutes = -(-seconds // 60)
    if lang == "tr":
        return f"{minutes} dakika"  # Turkish keeps the noun singular after a number
    if lang == "el":
        return f"{minutes} λεπτό" if minutes == 1 else f"{minutes} λεπτά"
    if lang == "pl":
        return f"{minutes} {_polish_minutes(minutes)}"
    return f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"


def _polish_minutes(n: int) -> str:
    # Polish plural: 1 minuta, 2-4 minuty (but 12-14 minut), otherwise minut.
    if n == 1:
        return "minuta"
    if n % 10 in (2, 3, 4) and n % 100 not in (12, 13, 14):
        return "minuty"
    return "minut"
