"""The words a display shows and speaks when a ticket is called."""

from __future__ import annotations

SUPPORTED_LANGS = ("en", "tr", "el", "pl")

_TEMPLATES = {
    "en": "{code}, counter {counter}",
    "tr": "{code}, {counter} numaralı gişe",
    "el": "{code}, θυρίδα {counter}",
    "pl": "{code}, stanowisko {counter}",
}


def announcement_text(*, code: str, counter: str, lang: str) -> str:
    template = _TEMPLATES.get(lang, _TEMPLATES["en"])
    return template.format(code=code, counter=counter)
