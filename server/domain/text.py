"""What a name, a label or a message may contain.

Names typed by staff are shown on TVs, printed on tickets and spoken: they are normalised to NFC
(a decomposed "Ş" and a composed one are the same name) and may not hold control or format
characters. Those are invisible: a bidi override turns a label around on screen, a zero-width
space makes counters ``1`` and ``1\u200b`` look the same, NUL ends the string for the printer.
Customers' free text keeps what it says and only loses such characters.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator

# Control, format, surrogate, private-use and unassigned code points; line and paragraph
# separators (a name is one line).
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def _visible(value: str, *, newlines: bool) -> str:
    """``value`` if it holds no invisible character; ValueError naming the first one."""
    for ch in value:
        if newlines and ch == "\n":
            continue
        if unicodedata.category(ch) in _INVISIBLE:
            raise ValueError(
                f"contains an invisible or control character (U+{ord(ch):04X}); "
                "type it again without it"
            )
    return value


def clean_line(value: str) -> str:
    """One line of visible text (may be empty), NFC, trimmed; ValueError saying what is wrong."""
    return _visible(unicodedata.normalize("NFC", value).strip(), newlines=False)


def clean_name(value: str) -> str:
    """A name: one line of visible text, not blank."""
    value = clean_line(value)
    if not value:
        raise ValueError("must not be blank")
    return value


def clean_message(value: str) -> str:
    """Visible text on one or more lines (may be empty), NFC, trimmed."""
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()
    return _visible(value, newlines=True)


def scrub(value: str) -> str:
    """A customer's free text: NFC, invisible characters dropped (never refused for them)."""
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n"))
    return "".join(
        ch for ch in value if ch == "\n" or unicodedata.category(ch) not in _INVISIBLE
    ).strip()


Name = Annotated[str, AfterValidator(clean_name)]
Line = Annotated[str, AfterValidator(clean_line)]
Message = Annotated[str, AfterValidator(clean_message)]
FreeText = Annotated[str, AfterValidator(scrub)]
