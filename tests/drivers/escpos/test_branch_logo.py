"""The branch logo a ticket carries (``TicketContent.logo_png``), on python-escpos's Dummy."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from drivers.escpos.parse import EscposStreamParser, PrintedImage, Receipt
from drivers.escpos.ticket import TicketOptions, ticket_bytes
from tests.drivers.escpos.factories import make_ticket
from tests.support import logo_image


def parse(data: bytes) -> Receipt:
    parser = EscposStreamParser()
    parser.feed(data)
    [receipt] = parser.receipts
    return receipt


def test_a_small_logo_is_enlarged_to_120_dots_and_a_flat_one_to_the_paper_width() -> None:
    square = parse(ticket_bytes(make_ticket(logo_png=logo_image(64, 64)), TicketOptions()))
    assert square.images[0].size == (576, 120)
    flat = parse(ticket_bytes(make_ticket(logo_png=logo_image(1000, 50)), TicketOptions()))
    assert flat.images[0].size == (576, 29)  # 1000 x 50 at 576 / 1000


def test_the_branch_logo_takes_the_place_of_a_printer_logo_file(tmp_path: Path) -> None:
    file = tmp_path / "printer-logo.png"
    Image.new("L", (100, 40), 0).save(file)
    ticket = make_ticket(logo_png=logo_image(400, 100))
    receipt = parse(ticket_bytes(ticket, TicketOptions(logo_path=str(file))))
    assert [i.image.size for i in receipt.items if isinstance(i, PrintedImage)] == [(576, 120)]


def test_a_logo_that_does_not_decode_is_left_out_and_the_ticket_prints() -> None:
    receipt = parse(ticket_bytes(make_ticket(logo_png=b"\x89PNG broken"), TicketOptions()))
    assert receipt.images == []
    assert receipt.line("A042")
    assert receipt.cuts == 1
