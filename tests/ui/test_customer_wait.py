"""The phone page words its quote as the kiosk and the paper do (ui_common/wait.js, held to the
same table as drivers/escpos/i18n.py): the range the server gives, "rough estimate" on a line of
its own, in the ticket's language, worded again from every answer as the page polls."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from drivers.escpos.i18n import format_wait
from tests.ui.conftest import Site, wait_until
from tests.ui.test_customer import PHONE, Teller, issue

_SHOWN = """() => ({ text: document.querySelector('[data-testid=wait]').textContent,
                    t: window.sira.state.ticket })"""


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    yield ctx.new_page()
    ctx.unroute_all(behavior="ignoreErrors")
    ctx.close()


def plain(text: str) -> str:
    """As read: no-break spaces and word joiners (kept for wrapping) as plain text."""
    return text.replace("\u00a0", " ").replace("\u2060", "")


def worded(t: dict[str, Any]) -> str:
    return format_wait(
        t["lang"],
        t["estimated_wait_s"],
        wait_range=t["estimated_wait_range_s"],
        rough=t["estimate_rough"],
    )


def test_the_phone_shows_the_range_and_rewords_it_as_it_polls(site: Site, phone: Any) -> None:
    teller = Teller(site)
    teller.counter("1", "open")  # counter 1 alone calls A: a queue wide enough for a range
    tickets = [issue(site, "A", lang="pl") for _ in range(9)]
    mine = tickets[-1]
    assert mine["estimated_wait_range_s"], mine
    assert mine["estimate_rough"] is True  # the demo branch has no history yet
    phone.goto(f"{site.url}/t/{mine['token']}#poll=0.5")
    expect(phone.get_by_test_id("position")).to_have_text("9")

    shown = phone.evaluate(_SHOWN)
    assert shown["t"]["estimated_wait_range_s"], (mine, shown)
    assert plain(shown["text"]) == worded(shown["t"])
    assert "\u2013" in shown["text"]
    assert shown["text"].endswith(" (orientacyjnie)")
    note = phone.locator("[data-testid=wait] .wait-note")
    expect(note).to_have_text("(orientacyjnie)")
    assert note.evaluate("(el) => getComputedStyle(el).display") == "block"

    # The queue moves: the page words each new answer. (Three visits ended at once: fewer than
    # the five that measure a service, so the quote is still rough.)
    before = shown["text"]
    for _ in range(4):
        teller.counter("1", "call-next")
    wait_until(phone, "window.sira.state.ticket.position === 5")
    shown = phone.evaluate(_SHOWN)
    assert plain(shown["text"]) == worded(shown["t"]), shown
    assert shown["text"] != before
    assert shown["text"].endswith(" (orientacyjnie)")


def test_a_measured_quote_says_no_rough_estimate(site: Site, phone: Any) -> None:
    def measured(route: Any) -> None:
        response = route.fetch()
        body = response.json()
        body["estimate_rough"] = False
        route.fulfill(response=response, json=body)

    phone.context.route("**/api/v1/tickets/by-token/*", measured)
    Teller(site).counter("1", "open")
    issue(site, "A")
    mine = issue(site, "A", lang="el")
    phone.goto(f"{site.url}/t/{mine['token']}#poll=0.5")
    expect(phone.get_by_test_id("position")).to_have_text("2")
    shown = phone.evaluate(_SHOWN)
    assert plain(shown["text"]) == worded(shown["t"])
    assert "εκτίμηση" not in shown["text"]
    expect(phone.locator("[data-testid=wait] .wait-note")).to_have_count(0)
