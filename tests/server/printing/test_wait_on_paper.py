"""The quote as the kiosk's printer prints it, end to end: the API's range and rough flag
reach the paper (and a reprint) in the ticket's language, worded as the screens word them."""

from __future__ import annotations

import pytest

from drivers.escpos.i18n import format_wait, labels_for, paper_text
from tests.drivers.escpos.test_wait_on_paper import printed_wait
from tests.server.printing.conftest import PrintingBranch


def open_counter_1(branch: PrintingBranch) -> None:
    """Counter 1 alone calls A: a queue of a few customers then quotes a range."""
    r = branch.client.post(
        f"/api/v1/counters/{branch.kit.counters['1']}/open", headers=branch.kit.auth("teller1")
    )
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_a_range_and_the_rough_note_are_printed_as_the_api_quoted(
    branch: PrintingBranch, lang: str
) -> None:
    open_counter_1(branch)
    issued = [branch.issue(lang) for _ in range(9)]
    last = issued[-1]
    wait_range = last["estimated_wait_range_s"]
    assert wait_range is not None, last  # wide enough a queue for a range
    assert last["estimate_rough"] is True  # a new branch: the standard stands in
    receipts = branch.printer.wait_for_receipts(len(issued))

    expected = paper_text(
        format_wait(lang, last["estimated_wait_s"], wait_range=wait_range, rough=True)
    )
    assert "-" in expected
    assert printed_wait(receipts[-1], labels_for(lang).estimated_wait) == expected
    # The first, with the counter free: no range, and no rough note under a minute.
    assert printed_wait(receipts[0], labels_for(lang).estimated_wait) == format_wait(lang, 0)

    r = branch.client.post(
        f"/api/v1/tickets/{last['id']}/reprint", headers=branch.kit.auth("teller1")
    )
    assert r.status_code == 200, r.text
    reprinted = branch.printer.wait_for_receipts(len(issued) + 1)[-1]
    assert printed_wait(reprinted, labels_for(lang).estimated_wait) == expected
