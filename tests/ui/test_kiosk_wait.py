"""The kiosk words a quote as the paper and the phone do (ui_common/wait.js, held to the same
table as drivers/escpos/i18n.py): a range when the server gives one, on the service's chip and
the ticket screen; "rough estimate" when the quote is rough (a short mark on the chip, its words
for screen readers); and the longest wording still fits a portrait kiosk, and reads whole (not
cut, not overlapping) on a 1366 x 768 one, where the confirmation may scroll as it did before
in Greek."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from drivers.escpos.i18n import format_wait
from tests.ui.conftest import Site, wait_until
from tests.ui.test_customer import Teller, issue
from tests.ui.test_kiosk import LANGS, PORTRAIT, open_kiosk
from tests.ui.test_kiosk_real_use import _CONFIRMATION

LAPTOP = {"width": 1366, "height": 768}
ROUGH = {"en": "(rough estimate)", "tr": "(kaba tahmin)", "el": "(πρόχειρη εκτίμηση)"}
ROUGH["pl"] = "(orientacyjnie)"

# The chip of service A: its figure, the rough mark, the words read for it; the row it shows.
_CHIP = """() => {
  const time = document.querySelector('[data-testid=wait-A] .wait-time');
  const row = window.sira.state.services.find((s) => s.code === 'A');
  if (!time) return { row };
  return {
    row,
    figure: [...time.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join(''),
    mark: time.querySelector('.wait-rough')?.textContent ?? null,
    markHidden: time.querySelector('.wait-rough')?.getAttribute('aria-hidden') ?? null,
    spoken: time.querySelector('.visually-hidden')?.textContent.trim() ?? null,
  };
}"""


@pytest.fixture
def touch(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport=PORTRAIT, has_touch=True)
    yield ctx
    ctx.unroute_all(behavior="ignoreErrors")
    ctx.close()


def plain(text: str) -> str:
    """As read: no-break spaces and word joiners (kept for wrapping) as plain text."""
    return text.replace("\u00a0", " ").replace("\u2060", "")


def test_a_wide_spread_reads_as_a_range_on_the_chip_and_the_ticket(site: Site, touch: Any) -> None:
    Teller(site).counter("1", "open")  # counter 1 alone calls A
    for _ in range(8):
        issue(site, "A")
    page = open_kiosk(touch, site, counters=(), idle=600, back=600)
    for lang in LANGS:
        page.get_by_test_id(f"lang-{lang}").tap()
        got = page.evaluate(_CHIP)
        row = got["row"]
        assert row["estimated_wait_range_s"], row  # the queue is wide enough for a range
        assert row["estimate_rough"] is True  # the demo branch has no history yet
        figure = format_wait(
            lang, row["estimated_wait_s"], wait_range=row["estimated_wait_range_s"]
        )
        assert "\u2013" in figure
        assert (plain(got["figure"]), got["mark"], got["markHidden"], got["spoken"]) == (
            figure,
            "≈",
            "true",
            ROUGH[lang],
        ), lang

    page.get_by_test_id("lang-pl").tap()
    page.get_by_test_id("service-A").tap()
    expect(page.get_by_test_id("ticket-code")).to_be_visible()
    shown = page.evaluate(
        """() => ({ text: document.querySelector('[data-testid=ticket-wait]').textContent,
                    t: window.sira.state.ticket })"""
    )
    t = shown["t"]
    assert t["estimated_wait_range_s"], t
    assert t["estimate_rough"] is True
    expected = format_wait(
        "pl", t["estimated_wait_s"], wait_range=t["estimated_wait_range_s"], rough=True
    )
    assert plain(shown["text"]) == expected
    assert expected.endswith(" (orientacyjnie)")
    # The note on a line of its own under the figure.
    note = page.locator("[data-testid=ticket-wait] .wait-note")
    expect(note).to_have_text("(orientacyjnie)")
    assert note.evaluate("(el) => getComputedStyle(el).display") == "block"


def test_a_measured_quote_is_not_marked_rough(site: Site, touch: Any) -> None:
    """The same screens with the flag off (a branch with history): no mark, no words."""

    def measured(route: Any) -> None:
        response = route.fetch()
        body = response.json()
        rows = body if isinstance(body, list) else body["data"]["services"]
        for row in rows:
            row["estimate_rough"] = False
        route.fulfill(response=response, json=body)

    touch.route("**/api/v1/branches/*/services*", measured)
    touch.route("**/api/v1/branches/*/snapshot", measured)
    Teller(site).counter("1", "open")
    for _ in range(3):
        issue(site, "A")
    page = open_kiosk(touch, site, counters=())
    wait_until(page, "document.querySelector('[data-testid=wait-A] .wait-time') !== null")
    got = page.evaluate(_CHIP)
    assert (got["mark"], got["spoken"]) == (None, None)
    assert plain(got["figure"]) == format_wait(
        "en", got["row"]["estimated_wait_s"], wait_range=got["row"]["estimated_wait_range_s"]
    )


def quoting_a_long_rough_range(ctx: Any) -> None:
    """A's quote as 1 h, 45 min to 1 h 15 min, rough: the longest wording there is."""
    quote = {"estimated_wait_s": 3600, "estimated_wait_range_s": [2700, 4500]}

    def rows(route: Any) -> None:
        response = route.fetch()
        body = response.json()
        for row in body if isinstance(body, list) else body["data"]["services"]:
            if row["code"] == "A":
                row.update(quote, estimate_rough=True)
        route.fulfill(response=response, json=body)

    def ticket(route: Any) -> None:
        response = route.fetch()
        body = response.json()
        body.update(quote, estimate_rough=True)
        route.fulfill(response=response, json=body)

    ctx.route("**/api/v1/branches/*/services*", rows)
    ctx.route("**/api/v1/branches/*/snapshot", rows)
    ctx.route("**/api/v1/branches/*/tickets", ticket)


@pytest.mark.parametrize("viewport", [PORTRAIT, LAPTOP], ids=["portrait", "laptop"])
def test_the_longest_wording_fits(site: Site, browser: Any, viewport: dict[str, int]) -> None:
    ctx = browser.new_context(viewport=viewport, has_touch=True)
    try:
        quoting_a_long_rough_range(ctx)
        page = open_kiosk(ctx, site, idle=600, back=600)
        for lang in LANGS:
            page.get_by_test_id(f"lang-{lang}").tap()
            chip = page.get_by_test_id("wait-A")
            expect(chip.locator(".wait-rough")).to_have_text("≈")
            fits = chip.evaluate(
                """(c) => {
                  const b = c.getBoundingClientRect();
                  const card = c.closest('.service').getBoundingClientRect();
                  return { clipped: c.scrollWidth > c.clientWidth + 1,
                           outside: b.right > card.right + 0.5 || b.bottom > card.bottom + 0.5,
                           pageScrolls: document.documentElement.scrollWidth > innerWidth };
                }"""
            )
            assert fits == {"clipped": False, "outside": False, "pageScrolls": False}, lang

            page.get_by_test_id("service-A").tap()
            wait = page.get_by_test_id("ticket-wait")
            # A spaced dash between two durations: no word joiners in this one.
            expect(wait).to_have_text(format_wait(lang, 3600, wait_range=(2700, 4500), rough=True))
            got = page.evaluate(_CONFIRMATION)
            whole = ("overlaps", "outOfCard", "clipped")
            if viewport == PORTRAIT:
                whole += ("offScreen",)
                assert not got["pageScrolls"], (lang, got)
            assert {k: got[k] for k in whole} == dict.fromkeys(whole, []), (lang, got)
            page.get_by_test_id("ticket-done").tap()
            expect(page.get_by_test_id("service-A")).to_be_visible()
    finally:
        ctx.unroute_all(behavior="ignoreErrors")
        ctx.close()
