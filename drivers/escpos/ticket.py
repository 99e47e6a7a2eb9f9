"""The kiosk ticket layout: a pure function of the ticket and the printer's options that
drives a python-escpos ``Escpos`` object, so the same code prints to any transport and to
``Dummy`` for golden-byte tests.
"""

from __future__ import annotations

import io
import logging
import textwrap
import unicodedata
from dataclasses import dataclass
from typing import Any

import qrcode
from escpos.capabilities import CAPABILITIES
from escpos.constants import QR_ECLEVEL_M
from escpos.escpos import Escpos
from escpos.image import EscposImage
from escpos.magicencode import MagicEncode
from escpos.printer import Dummy
from PIL import Image, ImageOps

from drivers.base import TicketContent
from drivers.escpos.codepages import CodePage, base_codepage, choose_codepage
from drivers.escpos.i18n import format_issued, format_wait, labels_for, paper_text
from drivers.escpos.raster import render_line

log = logging.getLogger(__name__)

#: Font A columns and printable dots for each paper width, on a 203 dpi head.
PAPER = {80: (48, 576), 58: (32, 384)}
#: The tallest a branch logo is printed, in dots (15 mm at 203 dpi).
LOGO_MAX_DOTS = 120
#: The largest character size ESC/POS's GS ! selects (width and height multipliers 1-8).
MAX_SCALE = 8
#: The size of every line but the number on a large-print ticket: GS ! 0x11, 2 x 2.
LARGE_SCALE = 2


@dataclass(frozen=True)
class TicketOptions:
    """What the layout needs from a printer configuration."""

    profile: str = "default"
    paper_mm: int = 80
    codepages: tuple[tuple[str, str], ...] = ()  # (lang, code page) overrides
    raster_fallback: bool = True
    raster_languages: frozenset[str] = frozenset()
    logo_path: str | None = None
    footer: str | None = None

    @classmethod
    def from_config(cls, config: Any) -> TicketOptions:
        return cls(
            profile=config.profile,
            paper_mm=config.paper_mm,
            codepages=tuple(sorted(config.codepages.items())),
            raster_fallback=config.raster_fallback,
            raster_languages=frozenset(config.raster_languages),
            logo_path=config.logo_path,
            footer=config.footer,
        )

    def geometry(self) -> tuple[int, int]:
        """(font A columns, printable dots): the paper's, narrowed to the model's if known."""
        columns, dots = PAPER[self.paper_mm]
        profile = CAPABILITIES["profiles"][self.profile]
        model_dots = profile.get("media", {}).get("width", {}).get("pixels")
        if isinstance(model_dots, int):
            dots = min(dots, model_dots)
            model_columns = profile.get("fonts", {}).get("0", {}).get("columns")
            if isinstance(model_columns, int):
                columns = min(columns, model_columns)
        return columns, dots


def printable(text: str) -> str:
    """``text`` without control characters: configured text (a footer, a name) must not
    smuggle ESC/POS commands (cut, cash drawer, code page) into the byte stream."""
    return "".join(c for c in text if unicodedata.category(c) != "Cc")


class _Writer:
    """Sends each line as text in the chosen code page, or as an image when it cannot be."""

    def __init__(self, p: Escpos, ticket: TicketContent, options: TicketOptions) -> None:
        self.p = p
        self.columns, self.dots = options.geometry()
        self.fallback = options.raster_fallback
        labels = labels_for(ticket.lang)
        sample = " ".join([*vars(labels).values(), format_wait(ticket.lang, 30), wait_text(ticket)])
        if ticket.lang in options.raster_languages:
            page = None
        else:
            override = dict(options.codepages).get(ticket.lang)
            page = choose_codepage(options.profile, ticket.lang, override=override, sample=sample)
        # Without a page for the language, ASCII lines still print as text in slot 0.
        self.page: CodePage = page or base_codepage(options.profile)
        # Large print: every line at 2 x 2, wrapped to half the columns without cutting words.
        self.large = ticket.large_print
        self.base = LARGE_SCALE if self.large else 1
        self.align = "left"
        self.scale = 1
        self.bold = False
        self.invert = False

    def start(self) -> None:
        """Reset the printer and select the code page explicitly.

        ``ESC @`` puts the printer back on slot 0, but python-escpos's MagicEncode still
        believes the old page and would not resend ``ESC t``; so the page is selected here,
        unconditionally, and MagicEncode is pinned to it (no automatic switching mid-line).
        """
        self.p.hw("INIT")
        # Our own ESC t with the model's lowest slot for the page: python-escpos maps a page
        # listed twice in a profile to its last slot, which some clones do not implement.
        self.p._raw(b"\x1bt" + bytes((self.page.slot,)))
        self.p.magic = MagicEncode(self.p, encoding=self.page.name, disabled=True)

    def style(
        self, *, align: str | None = None, scale: int | None = None, bold: bool | None = None
    ) -> None:
        if align is not None and align != self.align:
            self.p.set(align=align)
            self.align = align
        if scale is not None and scale != self.scale:
            # GS ! with equal width and height multipliers.
            self.p.set(custom_size=True, width=scale, height=scale)
            self.scale = scale
        if bold is not None and bold != self.bold:
            self.p.set(bold=bold)
            self.bold = bold

    def inverted(self, on: bool) -> None:
        """White on black; GS B only affects characters, so drawn lines are inverted here."""
        self.p.set(invert=on)
        self.invert = on

    def line(self, text: str, *, double_height: bool = False) -> None:
        """A (wrapped) text line in the current style; double height keeps the width (a
        large-print ticket is double height already: there it is ignored)."""
        text = printable(text)
        width = self.columns // self.scale
        double_height = double_height and not self.large
        for part in self._wrap(text, width):
            if len(part) > width:
                self._long_word(part)
                continue
            as_text = self._as_text(part)
            if as_text is not None:
                if double_height:
                    self.p.set(custom_size=True, width=self.scale, height=2 * self.scale)
                self.p.textln(as_text)
                if double_height:
                    self.p.set(custom_size=True, width=self.scale, height=self.scale)
            else:
                scale = 2 * self.scale if double_height else self.scale
                self.image(
                    render_line(
                        part, width_px=self.dots, scale=scale, bold=self.bold, align=self.align
                    )
                )

    def pair(self, label: str, value: str) -> None:
        """``label`` flush left and ``value`` flush right, on two lines if they do not fit
        (the value wrapped, flush right, when it is wider than the paper; on a large-print
        ticket the label is wrapped too)."""
        if self.large:
            self._large_pair(printable(label), printable(value))
            return
        label, value = printable(label), printable(value)
        fits = len(label) + 1 + len(value) <= self.columns
        text_label, text_value = self._as_text(label), self._as_text(value)
        if text_label is not None and text_value is not None:
            label, value = text_label, text_value
            if fits:
                self.p.textln(label + " " * (self.columns - len(label) - len(value)) + value)
            else:
                self.p.textln(label)
                for part in textwrap.wrap(value, self.columns):
                    self.p.textln(part.rjust(self.columns))
            return
        if fits:
            self.image(render_line(label, value, width_px=self.dots, bold=self.bold))
        else:
            self.image(render_line(label, width_px=self.dots, bold=self.bold))
            for part in textwrap.wrap(value, self.columns):
                self.image(render_line(part, width_px=self.dots, bold=self.bold, align="right"))

    def _large_pair(self, label: str, value: str) -> None:
        """``pair`` at the current scale: one line when both fit in ``columns // scale``,
        else the label wrapped flush left and the value wrapped flush right below it."""
        width = self.columns // self.scale
        text_label, text_value = self._as_text(label), self._as_text(value)
        if len(label) + 1 + len(value) <= width:
            if text_label is not None and text_value is not None:
                self.p.textln(text_label + " " * (width - len(label) - len(value)) + text_value)
            else:
                self.image(
                    render_line(label, value, width_px=self.dots, scale=self.scale, bold=self.bold)
                )
            return
        self.line(label)
        for part in self._wrap(value, width):
            as_text = self._as_text(part)
            if len(part) > width:
                self._long_word(part, right=True)
            elif as_text is not None:
                self.p.textln(as_text.rjust(width))
            else:
                self.image(
                    render_line(
                        part, width_px=self.dots, scale=self.scale, bold=self.bold, align="right"
                    )
                )

    def marker(self, word: str, stars: str) -> str:
        """``word`` between ``stars``; on a large-print ticket the word alone when the stars
        would wrap onto a line of their own (narrow paper)."""
        framed = f"{stars} {word} {stars}"
        if self.large and len(framed) > self.columns // self.scale:
            return word
        return framed

    def rule(self) -> None:
        """A dashed line across the paper, at the current size."""
        self.p.textln("-" * (self.columns // self.scale))

    def _wrap(self, text: str, width: int) -> list[str]:
        """``text`` in lines of at most ``width`` characters. A large-print ticket never cuts
        a word (nor a range such as "20-35" at its dash): a word longer than a line is left
        whole, on a line of its own, for ``_long_word``."""
        if not self.large:
            return textwrap.wrap(text, width) or [""]
        parts = textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)
        return parts or [""]

    def _long_word(self, word: str, *, right: bool = False) -> None:
        """One word longer than a line at the current size (a large-print ticket only):
        printed as wide as fits, keeping the height, rather than cut; cut only when even
        single width cannot hold it. Drawn lines fit their font to the paper by themselves.
        ``right``: flush right (a pair's value)."""
        as_text = self._as_text(word)
        if as_text is None:
            align = "right" if right else self.align
            self.image(
                render_line(word, width_px=self.dots, scale=self.scale, bold=self.bold, align=align)
            )
            return
        narrow = next(
            (s for s in range(self.scale - 1, 1, -1) if len(as_text) * s <= self.columns), 1
        )
        width = self.columns // narrow
        self.p.set(custom_size=True, width=narrow, height=self.scale)
        for piece in textwrap.wrap(as_text, width):
            self.p.textln(piece.rjust(width) if right else piece)
        self.p.set(custom_size=True, width=self.scale, height=self.scale)

    def _as_text(self, text: str) -> str | None:
        """The text to send as characters, or None when it must be drawn as an image."""
        if self.page.encodes(text):
            return text
        if self.fallback:
            return None
        # Raster disabled: letters the page lacks lose their accents (s for ş), else '?'.
        return "".join(c if self.page.encodes(c) else self._plain(c) for c in text)

    def _plain(self, char: str) -> str:
        base = unicodedata.normalize("NFKD", char.replace("ı", "i"))[0]
        return base if self.page.encodes(base) else "?"

    def image(self, image: Image.Image) -> None:
        """GS v 0 raster image, built here rather than with ``Escpos.image`` because that
        prints warnings to stdout for profiles without a known paper width."""
        if image.width > self.dots:
            image = image.resize((self.dots, round(image.height * self.dots / image.width)))
        if self.invert:
            image = ImageOps.invert(image.convert("L"))
        im = EscposImage(image)
        width_bytes = im.width_bytes
        header = b"\x1dv0\x00" + bytes(
            (width_bytes & 0xFF, width_bytes >> 8, im.height & 0xFF, im.height >> 8)
        )
        self.p._raw(header + im.to_raster_format())


def render_ticket(p: Escpos, ticket: TicketContent, options: TicketOptions) -> None:
    """Drive ``p`` to print one ticket and cut it."""
    w = _Writer(p, ticket, options)
    labels = labels_for(ticket.lang)
    w.start()
    # The branch's logo, else a logo file configured for this printer.
    logo = ticket.logo_path or options.logo_path
    if ticket.logo_png:
        _branch_logo(w, ticket.logo_png)
    elif logo:
        _logo(w, logo)
    # Large print: everything at 2 x 2 from here on (the normal ticket sends no size yet).
    w.style(align="center", bold=True, scale=w.base)
    w.line(ticket.bank_name, double_height=True)
    w.style(bold=False)
    if ticket.branch_name:
        w.line(ticket.branch_name)
    w.rule()
    if ticket.reprint:
        w.style(bold=True)
        w.line(w.marker(labels.reprint, "***"))
        w.style(bold=False)
    # The number is the point of the ticket: as big as the paper allows, up to 4x (large
    # print: up to the largest size GS ! has).
    w.style(scale=code_scale(ticket.code, w.columns, large=w.large), bold=True)
    w.line(ticket.code)
    w.style(scale=w.base)
    if ticket.priority:
        w.inverted(True)
        w.line(w.marker(labels.priority, "**"))
        w.inverted(False)
    w.line(ticket.service_name, double_height=True)
    w.style(bold=False)
    w.rule()
    w.style(align="left")
    w.pair(labels.issued, format_issued(ticket.lang, ticket.issued_at))
    w.pair(labels.people_ahead, str(ticket.people_ahead))
    w.pair(labels.estimated_wait, wait_text(ticket))
    w.rule()
    w.style(align="center")
    if ticket.qr_url:
        _qr(w, ticket.qr_url, profile=options.profile)
        w.line(labels.scan)
    footer = ticket.footer or options.footer
    if footer:
        w.p.ln()
        for paragraph in footer.splitlines():
            w.line(paragraph)
    w.style(align="left", scale=1)
    w.p.cut()


def code_scale(code: str, columns: int, *, large: bool = False) -> int:
    """The size the ticket number is printed at: the largest whose width fits the paper,
    up to 4x (large print: up to ``MAX_SCALE``)."""
    top = MAX_SCALE if large else 4
    return next((s for s in range(top, 1, -1) if len(code) * s <= columns), 1)


def wait_text(ticket: TicketContent) -> str:
    """The wait as the ticket prints it: the screens' wording (range, rough note), with the
    range dash a code page can print."""
    return paper_text(
        format_wait(
            ticket.lang,
            ticket.estimated_wait_s,
            wait_range=ticket.estimated_wait_range_s,
            rough=ticket.estimate_rough,
        )
    )


def _qr(w: _Writer, url: str, *, profile: str) -> None:
    module = 6 if w.columns >= 42 else 5
    if CAPABILITIES["profiles"][profile]["features"].get("qrCode"):
        # Native GS ( k: sharper than an image, and centred by ESC a like text.
        w.p.qr(url, ec=QR_ECLEVEL_M, size=module, native=True)
        return
    code = qrcode.QRCode(
        box_size=module, border=1, error_correction=qrcode.constants.ERROR_CORRECT_M
    )
    code.add_data(url)
    code.make(fit=True)
    img = code.make_image().get_image().convert("L")
    canvas = Image.new("L", (w.dots, img.height), 255)
    canvas.paste(img, ((w.dots - img.width) // 2, 0))
    w.image(canvas)


def _logo(w: _Writer, path: str) -> None:
    # A missing or broken logo must not stop the queue: print the ticket without it.
    try:
        with Image.open(path) as src:
            img = src.convert("RGBA")
    except OSError as exc:
        log.warning("logo %s not printed: %s", path, exc)
        return
    if img.width > w.dots:
        img = img.resize((w.dots, round(img.height * w.dots / img.width)))
    canvas = Image.new("RGBA", (w.dots, img.height), (255, 255, 255, 255))
    canvas.paste(img, ((w.dots - img.width) // 2, 0), img)
    w.image(canvas.convert("L"))


def _branch_logo(w: _Writer, png: bytes) -> None:
    """The branch's logo across the paper's printable width, at most LOGO_MAX_DOTS tall,
    dithered to black dots (Floyd-Steinberg) once at its printed size."""
    try:
        with Image.open(io.BytesIO(png), formats=("PNG",)) as src:
            rgba = src.convert("RGBA")
    except (OSError, SyntaxError, ValueError) as exc:
        log.warning("branch logo not printed: %s", exc)
        return
    paper = Image.new("RGB", rgba.size, (255, 255, 255))
    paper.paste(rgba, mask=rgba.getchannel("A"))
    scale = min(w.dots / paper.width, LOGO_MAX_DOTS / paper.height)
    size = (max(1, round(paper.width * scale)), max(1, round(paper.height * scale)))
    grey = paper.convert("L").resize(size, Image.Resampling.LANCZOS)
    dots = grey.convert("1", dither=Image.Dither.FLOYDSTEINBERG)
    canvas = Image.new("1", (w.dots, dots.height), 1)
    canvas.paste(dots, ((w.dots - dots.width) // 2, 0))
    w.image(canvas)


def ticket_bytes(ticket: TicketContent, options: TicketOptions) -> bytes:
    """The complete ESC/POS byte stream for one ticket."""
    p = Dummy(profile=options.profile)
    render_ticket(p, ticket, options)
    output: bytes = p.output
    return output
