"""Read an ESC/POS byte stream back into receipts, the way an Epson-compatible printer
would print it: decoded text lines with their size, alignment and emphasis, QR payloads,
raster images and cuts. Used by the test printers in ``drivers.fakes`` and for previews.

Only what a ticket printer meets is interpreted; other commands are skipped by their known
length and listed in ``Receipt.unknown`` so a test can see anything unexpected.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PIL import Image, ImageOps

from drivers.escpos.codepages import EPSON_SLOTS

ESC, GS, DLE, FS = 0x1B, 0x1D, 0x10, 0x1C
ALIGN = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}
#: Fixed lengths (bytes after the introducer) of commands that are consumed and ignored.
_ESC_FIXED = {
    ord(c): n
    for c, n in {
        "-": 1, "G": 1, "M": 1, "J": 1, "2": 0, " ": 1, "3": 1, "V": 1, "U": 1, "{": 1,
        "r": 1, "R": 1, "S": 0, "T": 1, "L": 0, "e": 1, "=": 1, "%": 1, "?": 1, "c": 2,
        "$": 2, "\\": 2, "p": 3, "W": 8, "i": 0, "m": 0,
    }.items()
}  # fmt: skip
_GS_FIXED = {ord(c): 1 for c in "bHfhwarIE"}
_GS_FIXED.update({ord("L"): 2, ord("W"): 2, ord("P"): 2})


@dataclass
class PrintedLine:
    text: str
    align: str = "left"
    width: int = 1  # character width multiplier (GS ! / ESC !), the largest on the line
    height: int = 1
    bold: bool = False
    invert: bool = False


@dataclass
class PrintedImage:
    image: Image.Image  # mode "1", black ink on white
    align: str = "left"


@dataclass
class PrintedQr:
    data: str
    module: int = 3
    align: str = "left"


Item = PrintedLine | PrintedImage | PrintedQr


@dataclass
class Receipt:
    items: list[Item] = field(default_factory=list)
    cuts: int = 0
    inits: int = 0
    codepage_slots: list[int] = field(default_factory=list)
    #: True when every ESC @ was followed by ESC t before any text was printed.
    codepage_after_init: bool = True
    unknown: list[str] = field(default_factory=list)
    raw: bytes = b""

    @property
    def lines(self) -> list[PrintedLine]:
        return [i for i in self.items if isinstance(i, PrintedLine)]

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def qr_payloads(self) -> list[str]:
        return [i.data for i in self.items if isinstance(i, PrintedQr)]

    @property
    def images(self) -> list[Image.Image]:
        return [i.image for i in self.items if isinstance(i, PrintedImage)]

    def line(self, text: str) -> PrintedLine:
        """The first line whose stripped text equals ``text``."""
        for line in self.lines:
            if line.text.strip() == text:
                return line
        raise KeyError(f"no line {text!r} in receipt:\n{self.text}")


class EscposStreamParser:
    """Incremental: ``feed`` bytes as they arrive; completed receipts land in ``receipts``.

    ``answer(n)`` gives the reply byte(s) to ``DLE EOT n`` (empty for a silent printer);
    ``slots`` is the model's ``{ESC t slot: python codec}`` table.
    """

    def __init__(
        self,
        *,
        slots: dict[int, str] | None = None,
        answer: Callable[[int], bytes] = lambda n: b"",
    ) -> None:
        self.slots = dict(slots or EPSON_SLOTS)
        self.answer = answer
        self.receipts: list[Receipt] = []
        self.current = Receipt()
        self._buf = b""
        self._reset_modes()
        self._slot = 0
        self._awaiting_page = False
        self._qr_data = b""
        self._qr_module = 3

    def _reset_modes(self) -> None:
        self._align, self._w, self._h, self._bold, self._invert = "left", 1, 1, False, False
        self._line: list[tuple[str, int, int, bool, bool]] = []
        self._line_align = "left"

    def feed(self, data: bytes) -> bytes:
        """Consume ``data``; returns the bytes the printer sends back (status replies)."""
        self._buf += data
        out = b""
        pos = 0
        while pos < len(self._buf):
            receipt = self.current  # a cut starts a new one; the cut belongs to this one
            step = self._command(self._buf, pos)
            if step is None:  # incomplete command: wait for more bytes
                break
            used, reply = step
            receipt.raw += self._buf[pos : pos + used]
            out += reply
            pos += used
        self._buf = self._buf[pos:]
        return out

    def finish(self) -> Receipt | None:
        """End of a connection: drops an incomplete command and returns the uncut remainder
        as a receipt, if anything was sent. Modes and the code page are kept, as on a
        real printer."""
        self._buf = b""
        self._flush_line()
        rest = self.current
        self.current = Receipt()
        return rest if rest.items or rest.raw else None

    # -- commands -------------------------------------------------------------------------

    def _command(self, b: bytes, i: int) -> tuple[int, bytes] | None:
        c = b[i]
        if c == 0x0A:
            self._flush_line(force=True)
            return 1, b""
        if c in (0x0D, 0x00):
            return 1, b""
        if c == ESC:
            return self._esc(b, i)
        if c == GS:
            return self._gs(b, i)
        if c == DLE:
            return self._dle(b, i)
        if c == FS:
            return self._fs(b, i)
        if c < 0x20 and c != 0x09:
            self.current.unknown.append(f"control 0x{c:02x}")
            return 1, b""
        self._char(c)
        return 1, b""

    def _esc(self, b: bytes, i: int) -> tuple[int, bytes] | None:
        if i + 1 >= len(b):
            return None
        op = b[i + 1]
        if op == ord("@"):
            self._flush_line()
            self._reset_modes()
            self._slot = 0
            self.current.inits += 1
            self._awaiting_page = True
            return 2, b""
        if op == ord("d"):
            if i + 2 >= len(b):
                return None
            flushed = self._flush_line()
            for _ in range(b[i + 2] - int(flushed)):
                self.current.items.append(PrintedLine(""))
            return 3, b""
        if op in (ord("t"), ord("a"), ord("E"), ord("!")):
            if i + 2 >= len(b):
                return None
            n = b[i + 2]
            if op == ord("t"):
                self._slot = n
                self._awaiting_page = False
                self.current.codepage_slots.append(n)
            elif op == ord("a"):
                self._align = ALIGN.get(n, "left")
            elif op == ord("E"):
                self._bold = bool(n & 1)
            else:  # ESC ! print mode: bit 3 bold, bit 4 double height, bit 5 double width
                self._bold = bool(n & 0x08)
                self._h, self._w = (2 if n & 0x10 else 1), (2 if n & 0x20 else 1)
            return 3, b""
        if op == ord("*"):
            if i + 4 >= len(b):
                return None
            cols = b[i + 3] + 256 * b[i + 4]
            size = 5 + cols * (3 if b[i + 2] in (32, 33) else 1)
            self.current.unknown.append("ESC * column image")
            return (size, b"") if i + size <= len(b) else None
        if op == ord("D"):
            end = b.find(b"\x00", i + 2)
            return None if end < 0 else (end - i + 1, b"")
        if op in _ESC_FIXED:
            size = 2 + _ESC_FIXED[op]
            if i + size > len(b):
                return None
            if op in (ord("i"), ord("m")):
                self._cut()
            return size, b""
        self.current.unknown.append(f"ESC 0x{op:02x}")
        return 2, b""

    def _gs(self, b: bytes, i: int) -> tuple[int, bytes] | None:
        if i + 1 >= len(b):
            return None
        op = b[i + 1]
        if op in (ord("!"), ord("B")):
            if i + 2 >= len(b):
                return None
            n = b[i + 2]
            if op == ord("!"):
                self._w, self._h = (n >> 4) + 1, (n & 0x0F) + 1
            else:
                self._invert = bool(n & 1)
            return 3, b""
        if op == ord("V"):
            if i + 2 >= len(b):
                return None
            size = 4 if b[i + 2] in (65, 66, 97, 98, 103, 104) else 3
            if i + size > len(b):
                return None
            self._cut()
            return size, b""
        if op == ord("v"):
            return self._raster(b, i)
        if op == ord("("):
            if i + 4 >= len(b):
                return None
            size = 5 + b[i + 3] + 256 * b[i + 4]
            if i + size > len(b):
                return None
            if b[i + 2] == ord("k"):
                self._two_d(b[i + 5 : i + size])
            else:
                self.current.unknown.append(f"GS ( {chr(b[i + 2])}")
            return size, b""
        if op == ord("k"):
            return self._barcode(b, i)
        if op in _GS_FIXED:
            size = 2 + _GS_FIXED[op]
            return (size, b"") if i + size <= len(b) else None
        self.current.unknown.append(f"GS 0x{op:02x}")
        return 2, b""

    def _dle(self, b: bytes, i: int) -> tuple[int, bytes] | None:
        if i + 2 >= len(b):
            return None
        if b[i + 1] == 0x04:
            return 3, self.answer(b[i + 2])
        if b[i + 1] == 0x14:  # DLE DC4 fn m t: pulse / power-off / clear buffer
            return (5, b"") if i + 4 < len(b) else None
        return 3, b""  # DLE ENQ n and others

    def _fs(self, b: bytes, i: int) -> tuple[int, bytes] | None:
        if i + 1 >= len(b):
            return None
        op = b[i + 1]
        if op in (ord("."), ord("&")):
            return 2, b""
        if op == ord("("):
            if i + 4 >= len(b):
                return None
            size = 5 + b[i + 3] + 256 * b[i + 4]
            return (size, b"") if i + size <= len(b) else None
        if op == ord("p"):
            return (4, b"") if i + 3 < len(b) else None
        if i + 2 >= len(b):
            return None
        return 3, b""  # FS ! n, FS - n, FS C n ...

    def _raster(self, b: bytes, i: int) -> tuple[int, bytes] | None:
        if i + 7 >= len(b):
            return None
        width_bytes = b[i + 4] + 256 * b[i + 5]
        height = b[i + 6] + 256 * b[i + 7]
        size = 8 + width_bytes * height
        if i + size > len(b):
            return None
        data = b[i + 8 : i + size]
        self._flush_line()
        # Bits set are dots burnt; PIL's "1" mode treats set bits as white, so invert.
        ink = Image.frombytes("1", (width_bytes * 8, height), data)
        image = ImageOps.invert(ink.convert("L")).convert("1")
        self.current.items.append(PrintedImage(image, self._align))
        return size, b""

    def _two_d(self, body: bytes) -> None:
        cn, fn = body[0], body[1]
        if cn != 49:  # not QR (PDF417 and others)
            self.current.unknown.append(f"GS ( k cn={cn}")
        elif fn == 67:
            self._qr_module = body[2]
        elif fn == 80:
            self._qr_data = body[3:]
        elif fn == 81:
            self._flush_line()
            qr = PrintedQr(self._qr_data.decode("utf-8", "replace"), self._qr_module, self._align)
            self.current.items.append(qr)

    def _barcode(self, b: bytes, i: int) -> tuple[int, bytes] | None:
        if i + 3 >= len(b):
            return None
        if b[i + 2] <= 6:
            end = b.find(b"\x00", i + 3)
            return None if end < 0 else (end - i + 1, b"")
        size = 4 + b[i + 3]
        return (size, b"") if i + size <= len(b) else None

    # -- text -----------------------------------------------------------------------------

    def _char(self, c: int) -> None:
        if self._awaiting_page:
            self.current.codepage_after_init = False
            self._awaiting_page = False
        if not self._line:
            self._line_align = self._align
        codec = self.slots.get(self._slot)
        try:
            ch = "\t" if c == 0x09 else bytes((c,)).decode(codec) if codec else "\ufffd"
        except UnicodeDecodeError:
            ch = "\ufffd"
        self._line.append((ch, self._w, self._h, self._bold, self._invert))

    def _flush_line(self, *, force: bool = False) -> bool:
        if not self._line and not force:
            return False
        chars = self._line
        printed = [c for c in chars if not c[0].isspace()] or chars
        line = PrintedLine(
            text="".join(c[0] for c in chars),
            align=self._line_align if chars else self._align,
            width=max((c[1] for c in printed), default=self._w),
            height=max((c[2] for c in printed), default=self._h),
            bold=any(c[3] for c in printed),
            invert=any(c[4] for c in printed),
        )
        self.current.items.append(line)
        self._line = []
        return True

    def _cut(self) -> None:
        self._flush_line()
        self.current.cuts += 1
        self.receipts.append(self.current)
        self.current = Receipt()
