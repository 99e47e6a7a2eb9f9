"""The wait as the ticket prints it, read back from the test printer: the rounded point or the
range, and the rough note, in the ticket's language, within the paper's width."""

from __future__ import annotations

import pytest

from drivers.escpos import make_printer
from drivers.escpos.parse import EscposStreamParser, Receipt
from drivers.escpos.ticket import TicketOptions, ticket_bytes
from drivers.fakes import TestNetworkPrinter, describe_receipt
from tests.drivers.escpos.factories import make_ticket, network_config

#: Written here, not taken from the driver: the label, and what follows it for a quote of
#: 1500 s said to be 1200-2100 s, rough.
RANGE_ROUGH = {
    "en": ("Estimated wait", "20-35 minutes (rough estimate)"),
    "tr": ("Tahmini bekleme süresi", "20-35 dakika (kaba tahmin)"),
    "el": ("Εκτιμώμενη αναμονή", "20-35 λεπτά (πρόχειρη εκτίμηση)"),
    "pl": ("Szacowany czas oczekiwania", "20-35 minut (orientacyjnie)"),
}


def printed_wait(receipt: Receipt, label: str) -> str:
    """The value printed after ``label``: on its line, or flush right on the lines below."""
    lines = [line.text for line in receipt.lines]
    at = next(i for i, text in enumerate(lines) if text.startswith(label))
    rest = lines[at][len(label) :].strip()
    if rest:
        return rest
    below = []
    for text in lines[at + 1 :]:
        if text.startswith("--") or not text.startswith(" "):
            break
        below.append(text.strip())
    return " ".join(below)


@pytest.mark.parametrize("lang", ["en", "tr", "el", "pl"])
def test_a_rough_range_prints_in_the_tickets_language(
    test_printer: TestNetworkPrinter, lang: str
) -> None:
    ticket = make_ticket(
        lang, estimated_wait_s=1500, estimated_wait_range_s=(1200, 2100), estimate_rough=True
    )
    printer = make_printer(network_config(test_printer.host, test_printer.port, profile="TM-T88V"))
    printer.print_ticket(ticket)
    [receipt] = test_printer.wait_for_receipts(1)
    label, value = RANGE_ROUGH[lang]
    assert printed_wait(receipt, label) == value, describe_receipt(receipt)
    assert receipt.images == []  # printed as text in the language's code page, no raster
    assert "?" not in receipt.text
    assert "\ufffd" not in receipt.text


@pytest.mark.parametrize(
    ("kw", "value"),
    [
        ({"estimated_wait_s": 610}, "10 minutes"),
        ({"estimated_wait_s": 610, "estimate_rough": True}, "10 minutes (rough estimate)"),
        ({"estimated_wait_s": 30, "estimate_rough": True}, "less than a minute"),
        ({"estimated_wait_s": 400, "estimated_wait_range_s": (30, 290)}, "up to 5 minutes"),
    ],
)
def test_the_point_or_range_and_the_note_as_given(kw: dict[str, object], value: str) -> None:
    data = ticket_bytes(make_ticket("en", **kw), TicketOptions(profile="TM-T88V"))
    parser = EscposStreamParser()
    parser.feed(data)
    [receipt] = parser.receipts
    assert printed_wait(receipt, "Estimated wait") == value


@pytest.mark.parametrize("paper_mm", [58, 80])
def test_a_long_wait_wraps_flush_right_within_the_paper(paper_mm: int) -> None:
    ticket = make_ticket(
        "el", estimated_wait_s=3600, estimated_wait_range_s=(2700, 4500), estimate_rough=True
    )
    options = TicketOptions(profile="default", paper_mm=paper_mm)
    parser = EscposStreamParser()
    parser.feed(ticket_bytes(ticket, options))
    [receipt] = parser.receipts
    columns, _ = options.geometry()
    assert all(len(line.text) * line.width <= columns for line in receipt.lines), receipt.text
    assert printed_wait(receipt, "Εκτιμώμενη αναμονή") == (
        "45 λεπτά - 1 ώρα και 15 λεπτά (πρόχειρη εκτίμηση)"
    )
