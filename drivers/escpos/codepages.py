"""Which character code table prints a language, and where a printer model keeps it.

ESC/POS printers have no UTF-8: text is sent in a single-byte code page selected with
``ESC t n``, and the slot ``n`` of a given page differs between models. python-escpos's
capabilities database lists the slots per model; we pick the first page from a
per-language preference list that the model has and that really encodes the text.
"""

from __future__ import annotations

from dataclasses import dataclass

from escpos.capabilities import CAPABILITIES

#: Preferred code pages per language, best first. DOS pages come first because every
#: Epson-compatible has them in ROM; the Windows pages are a second choice.
LANGUAGE_CODEPAGES: dict[str, tuple[str, ...]] = {
    "en": ("CP437", "CP858", "CP850", "CP1252"),
    "tr": ("CP857", "CP1254"),
    # CP851 is listed by many models but implemented inconsistently, so it is never chosen.
    "el": ("CP737", "CP869", "CP1253", "ISO_8859-7"),
    "pl": ("CP852", "ISO_8859-2", "CP1250"),
}
_FALLBACK_CODEPAGES = ("CP858", "CP437")

#: Epson's ESC t table (TM-T88/T20 family, "Character code tables" in the ESC/POS manual).
#: Written out independently of python-escpos so the test printer can check the driver.
EPSON_SLOTS: dict[int, str] = {
    0: "cp437",
    2: "cp850",
    3: "cp860",
    4: "cp863",
    5: "cp865",
    13: "cp857",
    14: "cp737",
    15: "iso8859_7",
    16: "cp1252",
    17: "cp866",
    18: "cp852",
    19: "cp858",
    33: "cp775",
    34: "cp855",
    35: "cp861",
    36: "cp862",
    37: "cp864",
    38: "cp869",
    39: "iso8859_2",
    40: "iso8859_15",
    45: "cp1250",
    46: "cp1251",
    47: "cp1253",
    48: "cp1254",
    49: "cp1255",
    50: "cp1256",
    51: "cp1257",
    52: "cp1258",
}


@dataclass(frozen=True)
class CodePage:
    name: str  # python-escpos name, "CP857"
    slot: int  # the model's ESC t argument
    codec: str  # python codec, "cp857"

    def encodes(self, text: str) -> bool:
        try:
            text.encode(self.codec)
        except UnicodeEncodeError:
            return False
        return True


def python_codec(name: str) -> str | None:
    """The Python codec for a python-escpos code page name, or None if it has none."""
    info = CAPABILITIES["encodings"].get(name)
    return info.get("python_encode") if info else None


def profile_codepages(profile: str) -> dict[str, int]:
    """``{code page name: slot}`` for a profile, lowest slot kept when a page repeats."""
    pages: dict[str, int] = {}
    for slot, name in sorted(
        CAPABILITIES["profiles"][profile]["codePages"].items(), key=lambda kv: int(kv[0])
    ):
        pages.setdefault(name, int(slot))
    return pages


def profile_slot_table(profile: str) -> dict[int, str]:
    """``{slot: python codec}`` for a profile, as a printer of that model decodes."""
    table: dict[int, str] = {}
    for slot, name in CAPABILITIES["profiles"][profile]["codePages"].items():
        codec = python_codec(name)
        if codec:
            table[int(slot)] = codec
    return table


def choose_codepage(
    profile: str, lang: str, *, override: str | None = None, sample: str = ""
) -> CodePage | None:
    """The code page to print ``lang`` on ``profile``, or None when the model has none that
    encodes ``sample`` (the caller then prints those lines as images)."""
    available = profile_codepages(profile)
    wanted = (override,) if override else LANGUAGE_CODEPAGES.get(lang, _FALLBACK_CODEPAGES)
    for name in wanted:
        codec = python_codec(name)
        if name in available and codec:
            page = CodePage(name=name, slot=available[name], codec=codec)
            if page.encodes(sample):
                return page
    return None


def base_codepage(profile: str) -> CodePage:
    """Slot 0's page (CP437 on every known model), used for ASCII-only tickets."""
    available = profile_codepages(profile)
    for name, slot in available.items():
        codec = python_codec(name)
        if slot == 0 and codec:
            return CodePage(name=name, slot=0, codec=codec)
    return CodePage(name="CP437", slot=0, codec="cp437")
