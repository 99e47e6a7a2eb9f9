"""The large-print ticket (a customer who switched on the kiosk's large-text mode), printed to
the test printer over a real TCP socket and read back from the bytes it received: the number
at the largest size that fits the paper, every other line at GS ! 0x11 (2 x 2) within half
the columns, no word cut, and every fact of the normal ticket still on it."""

from __future__ import annotations

import re

import pytest

from drivers.base import TicketContent, content_from_json, content_to_json
from drivers.escpos import make_printer
from drivers.escpos.parse import EscposStreamParser, PrintedLine, Receipt
from drivers.escpos.raster import is_blank
from drivers.escpos.ticket import TicketOptions, ticket_bytes
from drivers.fakes import TestNetworkPrinter, describe_receipt
from tests.drivers.escpos.factories import make_ticket, network_config
from tests.drivers.escpos.test_layout import GOLDEN
from tests.drivers.escpos.test_wait_on_paper import RANGE_ROUGH

#: GS ! n: n = (width - 1) << 4 | (height - 1).
SIZE_2X2 = b"\x1d!\x11"


def size_command(scale: int) -> bytes:
    return b"\x1d!" + bytes((((scale - 1) << 4) | (scale - 1),))


def parse(data: bytes) -> Receipt:
    parser = EscposStreamParser()
    parser.feed(data)
    [receipt] = parser.receipts
    return receipt


def words(receipt: Receipt) -> list[str]:
    """Every word printed as text, in order, without the rules and the markers' stars (on
    narrow paper a large marker drops them rather than wrap them onto a line of their own)."""
    return [w for w in " ".join(line.text for line in receipt.lines).split() if w.strip("*-")]


def flat(receipt: Receipt) -> str:
    """The receipt's text as one line of words (wrapped lines joined)."""
    return " ".join(words(receipt))


def print_over_tcp(printer: TestNetworkPrinter, ticket: TicketContent, **config: object) -> Receipt:
    make_printer(network_config(printer.host, printer.port, **config)).print_ticket(ticket)
    [receipt] = printer.wait_for_receipts(1)
    return receipt


def large_ticket(lang: str, **kw: object) -> TicketContent:
    fields: dict[str, object] = {
        "priority": True,
        "reprint": True,
        "footer": "Thank you for waiting",
        "estimated_wait_s": 1500,
        "estimated_wait_range_s": (1200, 2100),
        "estimate_rough": True,
        "large_print": True,
        **kw,
    }
    return make_ticket(lang, **fields)  # type: ignore[arg-type]


def text_lines(receipt: Receipt, code: str) -> tuple[PrintedLine, list[PrintedLine]]:
    """The code's line, and every other line that carries text."""
    code_line = receipt.line(code)
    others = [line for line in receipt.lines if line is not code_line and line.text.strip()]
    return code_line, others


@pytest.mark.parametrize("lang", ["en", "tr", "el", "pl"])
@pytest.mark.parametrize(
    ("profile", "paper_mm", "columns", "code_scale"),
    [
        ("TM-T88V", 80, 42, 8),  # 4 characters x 8 = 32 of 42 columns
        ("default", 58, 32, 8),  # 4 x 8 = 32: exactly the paper
        ("TM-T20II", 80, 48, 8),
    ],
)
def test_a_large_print_ticket_over_tcp(
    test_printer: TestNetworkPrinter,
    lang: str,
    profile: str,
    paper_mm: int,
    columns: int,
    code_scale: int,
) -> None:
    ticket = large_ticket(lang)
    receipt = print_over_tcp(test_printer, ticket, profile=profile, paper_mm=paper_mm)
    shown = describe_receipt(receipt)
    assert SIZE_2X2 in receipt.raw
    assert size_command(code_scale) + b"\x1bE\x01A042\n" in receipt.raw
    assert receipt.images == []  # every language has its page on these models: all text
    assert receipt.cuts == 1

    code, others = text_lines(receipt, "A042")
    assert (code.width, code.height) == (code_scale, code_scale)
    assert len(code.text) * code.width <= columns
    for line in others:
        assert (line.width, line.height) == (2, 2), f"{line!r}\n{shown}"
        assert len(line.text) <= columns // 2, f"{line.text!r} is wider than half\n{shown}"

    # Nothing lost: the same words as the normal ticket, in the same order, and the QR.
    normal = parse(ticket_bytes(large_ticket(lang, large_print=False), TicketOptions(profile)))
    assert words(receipt) == words(normal)
    assert receipt.qr_payloads == normal.qr_payloads == [ticket.qr_url]
    label, wait = RANGE_ROUGH[lang]
    assert f"{label} {wait}" in flat(receipt)
    assert ticket.service_name in flat(receipt)
    assert "?" not in receipt.text
    assert "\ufffd" not in receipt.text


@pytest.mark.parametrize("paper_mm", [58, 80])
def test_no_word_is_cut_and_a_word_longer_than_a_line_keeps_its_height(
    test_printer: TestNetworkPrinter, paper_mm: int
) -> None:
    # 30 letters: wider than a 2 x 2 line (16 or 24 characters), narrower than the paper.
    service = "Auslandszahlungsverkehrsstelle und Kontoeröffnungen"
    footer = "Kreditangelegenheiten-Beratung"
    ticket = large_ticket("en", service_name=service, footer=footer)
    receipt = print_over_tcp(test_printer, ticket, paper_mm=paper_mm)
    columns = 48 if paper_mm == 80 else 32
    for word in [*service.split(), footer]:
        line = next(line for line in receipt.lines if word in line.text.split())
        assert len(line.text) * line.width <= columns
        assert line.height == 2
        # A word that fits a 2 x 2 line is printed so; a longer one narrower, whole.
        assert line.width == (2 if len(word) <= columns // 2 else 1), line
    assert receipt.line("Auslandszahlungsverkehrsstelle").width == 1
    assert f"{service} " in flat(receipt)
    assert flat(receipt).endswith(footer)


def test_range_dash_and_code_are_never_split() -> None:
    ticket = large_ticket("en", code="CORP-10042", estimated_wait_range_s=(1200, 2100))
    receipt = parse(ticket_bytes(ticket, TicketOptions(paper_mm=58)))
    code = receipt.line("CORP-10042")
    assert code.width == 3  # 10 characters: 3 x 10 = 30 of 32 columns
    assert any(re.search(r"(^|\s)20-35(\s|$)", line.text) for line in receipt.lines)


def test_a_language_without_a_code_page_is_drawn_large() -> None:
    """TM-T88IV has no Greek page: Greek lines are images at twice the normal height."""
    receipt = parse(ticket_bytes(large_ticket("el"), TicketOptions(profile="TM-T88IV")))
    normal = parse(ticket_bytes(large_ticket("el", large_print=False), TicketOptions("TM-T88IV")))
    assert receipt.line("A042").width == 8
    assert receipt.images
    assert all(img.width == 512 and not is_blank(img) for img in receipt.images)
    assert {img.height for img in receipt.images} == {60}  # raster lines are 30 dots a size
    assert max(img.height for img in normal.images) == 60  # only the service name there
    _, others = text_lines(receipt, "A042")
    assert all((line.width, line.height) == (2, 2) for line in others)
    assert all(len(line.text) <= 21 for line in others)


@pytest.mark.parametrize(
    ("name", "lang", "options"),
    [
        ("en_tm-t88v_80", "en", TicketOptions(profile="TM-T88V", paper_mm=80)),
        ("tr_default_58", "tr", TicketOptions(profile="default", paper_mm=58)),
    ],
)
def test_large_print_false_is_the_normal_ticket_byte_for_byte(
    test_printer: TestNetworkPrinter, name: str, lang: str, options: TicketOptions
) -> None:
    ticket = make_ticket(lang, priority=True, footer="Thank you", large_print=False)
    golden = (GOLDEN / f"{name}.bin").read_bytes()
    assert ticket_bytes(ticket, options) == golden
    receipt = print_over_tcp(
        test_printer, ticket, profile=options.profile, paper_mm=options.paper_mm
    )
    assert receipt.raw.endswith(golden)
    assert SIZE_2X2 not in receipt.raw


def test_large_print_travels_in_a_print_job_as_json() -> None:
    ticket = large_ticket("tr")
    as_json = content_to_json(ticket)
    assert as_json["large_print"] is True
    assert content_from_json(as_json).large_print is True
    assert content_from_json({**as_json, "large_print": "yes"}).large_print is False
    without = {k: v for k, v in as_json.items() if k != "large_print"}  # an older server's job
    assert content_from_json(without).large_print is False
