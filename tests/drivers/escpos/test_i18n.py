"""Ticket wording: estimated waits in each language, and ASCII-only punctuation."""

from __future__ import annotations

import pytest

from drivers.escpos.i18n import LABELS, format_wait, labels_for


@pytest.mark.parametrize(
    ("lang", "seconds", "expected"),
    [
        ("en", 0, "less than a minute"),
        ("en", 59, "less than a minute"),
        ("en", 60, "1 minute"),
        ("en", 61, "2 minutes"),
        ("tr", 30, "1 dakikadan az"),
        ("tr", 300, "5 dakika"),
        ("el", 30, "λιγότερο από ένα λεπτό"),
        ("el", 60, "1 λεπτό"),
        ("el", 600, "10 λεπτά"),
        ("pl", 30, "mniej niż minuta"),
        ("pl", 60, "1 minuta"),
        ("pl", 180, "3 minuty"),
        ("pl", 300, "5 minut"),
        ("pl", 720, "10 minut"),  # to the nearest 5 minutes from 10 minutes on
        ("pl", 1320, "20 minut"),
    ],
)
def test_estimated_wait_is_rounded_and_pluralised(lang: str, seconds: int, expected: str) -> None:
    assert format_wait(lang, seconds) == expected


def test_unknown_language_falls_back_to_english() -> None:
    assert labels_for("xx") == LABELS["en"]
    assert format_wait("xx", 120) == "2 minutes"


def test_labels_use_only_ascii_punctuation() -> None:
    typographic = set("\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00ab\u00bb")
    for lang, labels in LABELS.items():
        for text in vars(labels).values():
            assert not typographic & set(text), (lang, text)
