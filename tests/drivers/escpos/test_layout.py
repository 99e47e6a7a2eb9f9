"""The ticket layout, rendered on python-escpos's Dummy and read back by the stream parser
(which decodes with Epson's own ESC t table, not the driver's)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from escpos.printer import Dummy
from PIL import Image, ImageChops

from drivers.escpos.parse import EscposStreamParser, Receipt
from drivers.escpos.raster import is_blank, render_line
from drivers.escpos.ticket import TicketOptions, render_ticket, ticket_bytes
from tests.drivers.escpos.factories import make_ticket

GOLDEN = Path(__file__).parent / "golden"


def parse(data: bytes) -> list[Receipt]:
    parser = EscposStreamParser()
    parser.feed(data)
    return parser.receipts


@pytest.mark.parametrize(
    ("name", "lang", "options"),
    [
        ("en_tm-t88v_80", "en", TicketOptions(profile="TM-T88V", paper_mm=80)),
        ("tr_default_58", "tr", TicketOptions(profile="default", paper_mm=58)),
    ],
)
def test_ticket_bytes_match_the_golden_file(name: str, lang: str, options: TicketOptions) -> None:
    """Byte-exact regression guard; regenerate with SIRA_UPDATE_GOLDEN=1 after a deliberate
    layout change and review the diff of the parsed text in the failure message."""
    data = ticket_bytes(make_ticket(lang, priority=True, footer="Thank you"), options)
    golden = GOLDEN / f"{name}.bin"
    if os.environ.get("SIRA_UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_bytes(data)
    expected = golden.read_bytes()
    assert data == expected, f"layout changed:\n{parse(data)[0].text}"


def test_ticket_starts_with_init_then_the_language_page_and_ends_with_a_cut() -> None:
    data = ticket_bytes(make_ticket("tr"), TicketOptions(profile="TM-T88V"))
    assert data.startswith(b"\x1b@\x1bt\x0d")  # ESC @, ESC t 13 = CP857 on TM-T88V
    assert data.endswith(b"\x1bd\x06\x1dV\x00")  # feed 6 lines, full cut
    assert b"\x1d!\x33\x1bE\x01A042\n" in data  # GS ! 4x4, bold, the code


def test_escpos_reset_trap_page_is_reselected_after_every_init() -> None:
    """python-escpos alone: after ESC @ the printer is back on slot 0 but MagicEncode does
    not resend ESC t, so the next Turkish text prints in CP437. The layout must not."""
    plain = Dummy(profile="TM-T88V")
    plain.charcode("CP857")
    plain.textln("Şube")
    plain.hw("INIT")
    plain.textln("Şube")
    plain.cut()
    [trapped] = parse(plain.output)
    assert trapped.codepage_after_init is False
    assert [line.text for line in trapped.lines[:2]] == ["Şube", "₧ube"]  # 0x9e in CP437

    # Two tickets through one Escpos object: the second starts with ESC @ while MagicEncode
    # still believes CP857 is selected.
    p = Dummy(profile="TM-T88V")
    for _ in range(2):
        render_ticket(p, make_ticket("tr"), TicketOptions(profile="TM-T88V"))
    receipts = parse(p.output)
    assert len(receipts) == 2
    for receipt in receipts:
        assert receipt.inits == 1
        assert receipt.codepage_slots == [13]
        assert receipt.codepage_after_init is True
        assert receipt.line("Bireysel İşlemler").height == 2


@pytest.mark.parametrize(
    ("profile", "paper_mm", "columns", "dots"),
    [
        ("default", 58, 32, 384),
        ("default", 80, 48, 576),
        ("TM-T20II", 80, 48, 576),
        ("TM-T88V", 80, 42, 512),  # 180 dpi head: 42 columns of font A on 80 mm paper
    ],
)
def test_every_line_fits_the_paper_width(
    profile: str, paper_mm: int, columns: int, dots: int
) -> None:
    ticket = make_ticket(
        "pl",
        service_name="Kredyty hipoteczne i konsolidacyjne dla klientów indywidualnych",
        footer="Dziękujemy za skorzystanie z naszych usług. Zapraszamy ponownie!",
        priority=True,
    )
    [receipt] = parse(ticket_bytes(ticket, TicketOptions(profile=profile, paper_mm=paper_mm)))
    widths = [len(line.text) * line.width for line in receipt.lines]
    assert max(widths) == columns  # the separator spans the full width
    assert all(w <= columns for w in widths), receipt.text
    assert all(image.width <= dots for image in receipt.images)
    assert receipt.line("-" * columns)
    assert receipt.line("Osób przed Tobą" + " " * (columns - 16) + "3")


def test_code_is_printed_as_large_as_the_paper_allows() -> None:
    [wide] = parse(ticket_bytes(make_ticket(code="A042"), TicketOptions(paper_mm=58)))
    assert (wide.line("A042").width, wide.line("A042").height) == (4, 4)
    [long] = parse(ticket_bytes(make_ticket(code="VIP-1042"), TicketOptions(paper_mm=58)))
    assert (long.line("VIP-1042").width, long.line("VIP-1042").height) == (4, 4)
    [longer] = parse(ticket_bytes(make_ticket(code="CORP-10042"), TicketOptions(paper_mm=58)))
    assert longer.line("CORP-10042").width == 3  # 10 characters x 4 > 32 columns


def test_greek_without_a_greek_page_falls_back_to_images_of_the_same_text() -> None:
    """TM-T88IV's ROM has no Greek page: Greek lines are drawn, ASCII ones stay text."""
    ticket = make_ticket("el")
    [receipt] = parse(ticket_bytes(ticket, TicketOptions(profile="TM-T88IV")))
    assert receipt.codepage_slots == [0]
    assert "\ufffd" not in receipt.text
    assert "?" not in receipt.text
    assert receipt.line("A042").width == 4  # the code is ASCII: still text
    assert not any(any("\u0370" <= c <= "\u03ff" for c in line.text) for line in receipt.lines)
    images = receipt.images
    assert len(images) >= 6
    assert all(img.width == 512 and not is_blank(img) for img in images)
    service = render_line(
        ticket.service_name, width_px=512, scale=2, bold=True, align="center"
    ).convert("1")
    assert any(_same(img, service) for img in images)
    label = render_line("Άτομα μπροστά σας", "3", width_px=512)
    assert any(_same(img, label) for img in images)


def test_greek_with_a_greek_page_prints_as_text_in_cp737() -> None:
    [receipt] = parse(ticket_bytes(make_ticket("el"), TicketOptions(profile="TM-T88V")))
    assert receipt.codepage_slots == [14]
    assert receipt.line("Καταθέσεις και Αναλήψεις").height == 2
    assert "Εκτιμώμενη αναμονή" in receipt.text
    assert receipt.images == []


def test_raster_can_be_forced_for_a_language() -> None:
    options = TicketOptions(profile="TM-T88V", raster_languages=frozenset({"tr"}))
    [receipt] = parse(ticket_bytes(make_ticket("tr"), options))
    assert "Önünüzdeki" not in receipt.text
    assert any(
        _same(img, render_line("Önünüzdeki kişi sayısı", "3", width_px=512))
        for img in receipt.images
    )


def test_without_raster_fallback_missing_letters_lose_their_accents() -> None:
    options = TicketOptions(profile="TM-T88IV", raster_fallback=False)
    [receipt] = parse(ticket_bytes(make_ticket("tr"), options))
    assert receipt.images == []
    # CP437 has Ö and ü but not ş or ı.
    assert "Önünüzdeki kisi sayisi" in receipt.text
    assert receipt.line("Bireysel Islemler")


def test_codepage_override_from_config_is_used() -> None:
    options = TicketOptions(profile="TM-T88V", codepages=(("tr", "CP1254"),))
    [receipt] = parse(ticket_bytes(make_ticket("tr"), options))
    assert receipt.codepage_slots == [48]
    assert receipt.line("Bireysel İşlemler")


def test_priority_and_reprint_markers_only_when_flagged() -> None:
    [plain] = parse(ticket_bytes(make_ticket("pl"), TicketOptions()))
    assert "PRIORYTET" not in plain.text
    assert "DUPLIKAT" not in plain.text
    [marked] = parse(ticket_bytes(make_ticket("pl", priority=True, reprint=True), TicketOptions()))
    assert marked.line("** PRIORYTET **").invert is True
    assert marked.line("*** DUPLIKAT ***").bold is True


def test_logo_is_printed_centred_and_a_missing_logo_is_skipped(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    Image.new("L", (100, 40), 0).save(logo)
    [receipt] = parse(ticket_bytes(make_ticket(logo_path=str(logo)), TicketOptions()))
    first = receipt.items[0]
    assert receipt.images[0] is getattr(first, "image", None)
    assert receipt.images[0].size == (576, 40)
    assert receipt.images[0].getbbox() is not None
    ink = ImageChops.invert(receipt.images[0].convert("L")).getbbox()
    assert ink == (238, 0, 338, 40)  # 100 px of ink in the middle of 576

    [without] = parse(
        ticket_bytes(make_ticket(logo_path=str(tmp_path / "nope.png")), TicketOptions())
    )
    assert without.images == []
    assert without.line("A042")


def test_printer_without_native_qr_or_cutter_gets_the_code_as_an_image_and_no_cut() -> None:
    parser = EscposStreamParser()
    parser.feed(ticket_bytes(make_ticket(), TicketOptions(profile="POS-5890", paper_mm=58)))
    receipt = parser.finish()
    assert receipt is not None
    assert receipt.cuts == 0
    assert parser.receipts == []
    assert receipt.qr_payloads == []
    [qr] = receipt.images
    assert qr.width == 384
    assert not is_blank(qr)


def _same(a: Image.Image, b: Image.Image) -> bool:
    return (
        a.size == b.size and ImageChops.difference(a.convert("L"), b.convert("L")).getbbox() is None
    )
