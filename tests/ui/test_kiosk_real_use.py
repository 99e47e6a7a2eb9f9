"""The kiosk under real use (issue 13): the confirmation fits a landscape and a portrait screen
in every language, "Done" hands the next customer the branch's language, waits read in words
and on a scale, a service no counter serves is said to be so (and taken only after a warning),
and a token of another kind is refused at the connect screen."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.ui.conftest import Site
from tests.ui.test_customer import Teller, issue, tickets_in_db
from tests.ui.test_kiosk import LANDSCAPE, LANGS, PORTRAIT, open_kiosk

# Every part of the confirmation: on the screen, not overlapping another, text not clipped,
# and the number inside its card and its own box.
_CONFIRMATION = """() => {
  const q = (sel) => [...document.querySelectorAll(sel)].filter((el) => el.checkVisibility());
  const box = (el) => el.getBoundingClientRect();
  const name = (el) => el.id || el.className;
  const card = document.querySelector('.ticket-card');
  const code = document.getElementById('ticket-code');
  const parts = [code, ...q('.ticket-service, .fact, #print-result, .qr-row, .go')];
  const overlaps = [];
  for (let i = 0; i < parts.length; i++) {
    for (let j = i + 1; j < parts.length; j++) {
      const a = box(parts[i]), b = box(parts[j]);
      if (a.left < b.right - 0.5 && b.left < a.right - 0.5 &&
          a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) {
        overlaps.push([name(parts[i]), name(parts[j])]);
      }
    }
  }
  const c = box(card);
  const outOfCard = parts.filter((el) => {
    const b = box(el);
    return b.left < c.left - 0.5 || b.right > c.right + 0.5 ||
           b.top < c.top - 0.5 || b.bottom > c.bottom + 0.5;
  }).map(name);
  const texts = q('#view-ticket p, #view-ticket button, #view-ticket .wait-chip');
  const offScreen = texts.filter((el) => {
    const b = box(el);
    return b.top < 0 || b.left < 0 || b.bottom > innerHeight + 0.5 || b.right > innerWidth + 0.5;
  }).map((el) => `${name(el)}: ${el.textContent.trim().slice(0, 40)}`);
  // Cut sideways (a word too long for its box); cut at the bottom is offScreen above.
  const clipped = texts.filter((el) => el.scrollWidth > el.clientWidth + 1)
    .map((el) => `${name(el)}: ${el.textContent.trim().slice(0, 40)}`);
  return {
    overlaps, outOfCard, offScreen, clipped,
    codeOverflows: code.scrollWidth > code.clientWidth + 1,
    codeSize: parseFloat(getComputedStyle(code).fontSize),
    pageScrolls: document.documentElement.scrollWidth > innerWidth ||
                 document.documentElement.scrollHeight > innerHeight,
  };
}"""


@pytest.mark.parametrize("viewport", [LANDSCAPE, PORTRAIT], ids=["landscape", "portrait"])
def test_the_confirmation_fits_in_every_language(site: Site, browser: Any, viewport: dict) -> None:
    for _ in range(3):
        issue(site, "A")  # people ahead, and a wait quoted
    ctx = browser.new_context(viewport=viewport, has_touch=True)
    try:
        page = open_kiosk(ctx, site, idle=600, back=600)
        for lang in LANGS:
            page.get_by_test_id(f"lang-{lang}").tap()
            page.get_by_test_id("service-A").tap()
            expect(page.get_by_test_id("ticket-code")).to_be_visible()
            expect(page.get_by_test_id("ticket-position")).not_to_have_text("")
            got = page.evaluate(_CONFIRMATION)
            found = {k: got[k] for k in ("overlaps", "outOfCard", "offScreen", "clipped")}
            assert found == {"overlaps": [], "outOfCard": [], "offScreen": [], "clipped": []}, (
                lang,
                got,
            )
            assert not got["codeOverflows"], (lang, got)
            assert not got["pageScrolls"], (lang, got)
            assert got["codeSize"] >= 150, (lang, got)
            page.get_by_test_id("ticket-done").tap()
            expect(page.get_by_test_id("service-A")).to_be_visible()
    finally:
        ctx.close()


@pytest.fixture
def touch(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport=PORTRAIT, has_touch=True)
    yield ctx
    ctx.close()


def test_done_hands_the_next_customer_the_branch_language(site: Site, touch: Any) -> None:
    page = open_kiosk(touch, site, idle=600, back=600)
    page.get_by_test_id("lang-pl").tap()
    page.get_by_test_id("service-B").tap()
    expect(page.get_by_test_id("ticket-code")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    page.get_by_test_id("ticket-done").tap()
    # At once (the idle timer is ten minutes here): the next customer reads English.
    expect(page.locator("html")).to_have_attribute("lang", "en", timeout=2000)
    expect(page.get_by_test_id("lang-en")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("heading", level=1)).to_have_text("Please choose a service")
    expect(page.get_by_test_id("service-B")).to_contain_text("Accounts and cards")


def chip(page: Any, code: str) -> dict[str, Any]:
    return page.get_by_test_id(f"service-{code}").evaluate(
        """(b) => {
          const el = b.querySelector('.svc-wait');
          if (!el) return {level: null, text: b.textContent, bars: 0, color: null};
          const cs = getComputedStyle(el);
          return {
            level: el.dataset.level || null,
            text: el.textContent,
            bars: el.querySelectorAll('svg rect[fill="currentColor"]').length,
            icon: el.querySelector('svg') !== null,
            color: cs.color,
            background: cs.backgroundColor,
          };
        }"""
    )


def quoting(ctx: Any, waits: dict[str, int]) -> None:
    """The services list as the server answers it, with these quotes: how a wait reads is
    tested here, the estimator's figures in tests/server/tickets/test_forecasting.py (on
    shared counters a queue of B delays A and C too, so real figures give no three levels)."""

    def quote(rows: list[dict[str, Any]]) -> None:
        for row in rows:
            if row["code"] in waits:
                # One figure each: the real range would belong to the real figure.
                row["estimated_wait_s"] = waits[row["code"]]
                row["estimated_wait_range_s"] = None

    def services(route: Any) -> None:
        response = route.fetch()
        rows = response.json()
        quote(rows)
        route.fulfill(response=response, json=rows)

    def snapshot(route: Any) -> None:  # the kiosk's first list
        response = route.fetch()
        body = response.json()
        quote(body["data"]["services"])
        route.fulfill(response=response, json=body)

    ctx.route("**/api/v1/branches/*/services*", services)
    ctx.route("**/api/v1/branches/*/snapshot", snapshot)


def test_waits_read_in_words_and_on_a_scale(site: Site, touch: Any) -> None:
    for _ in range(11):
        issue(site, "B")
    for _ in range(4):
        issue(site, "A")
    quoting(touch, {"B": 42 * 60, "A": 16 * 60, "C": 0})
    page = open_kiosk(touch, site)
    strings = page.evaluate("async () => (await import('/kiosk/strings.js')).STRINGS")
    for lang in LANGS:
        page.get_by_test_id(f"lang-{lang}").tap()
        long, moderate, none = chip(page, "B"), chip(page, "A"), chip(page, "C")
        assert (long["level"], moderate["level"], none["level"]) == ("long", "moderate", "none")
        # Words say it, and an icon's shape (three, two bars; a tick): not colour alone.
        assert long["text"].startswith(strings[lang]["wait_long"]), (lang, long)
        assert moderate["text"].startswith(strings[lang]["wait_moderate"]), (lang, moderate)
        assert none["text"] == strings[lang]["wait_none"], (lang, none)
        assert (long["bars"], moderate["bars"], none["icon"]) == (3, 2, True)
        # ... and the colours differ too: a 42-minute wait is not the green of "no wait".
        assert len({long["color"], moderate["color"], none["color"]}) == 3
        assert long["background"] != none["background"]
    page.get_by_test_id("lang-en").tap()
    # 42 minutes, to the nearest 5 (ui_common/wait.js).
    assert "40 minutes" in chip(page, "B")["text"].replace("\u00a0", " ")


def test_waits_in_words_still_fit_a_landscape_screen(site: Site, browser: Any) -> None:
    for _ in range(11):
        issue(site, "B")
    for _ in range(4):
        issue(site, "A")
    ctx = browser.new_context(viewport=LANDSCAPE, has_touch=True)
    try:
        page = open_kiosk(ctx, site)
        for lang in LANGS:
            page.get_by_test_id(f"lang-{lang}").tap()
            got = page.evaluate(
                """() => {
                  const entry = document.querySelector('[data-testid=priority-entry]');
                  const chips = [...document.querySelectorAll('.svc-wait')];
                  return {
                    entryBottom: entry.getBoundingClientRect().bottom,
                    clipped: chips.filter((c) => c.scrollWidth > c.clientWidth + 1).length,
                    outside: chips.filter((c) => {
                      const b = c.getBoundingClientRect();
                      const card = c.closest('.service').getBoundingClientRect();
                      return b.right > card.right + 0.5 || b.bottom > card.bottom + 0.5;
                    }).length,
                    pageScrolls: document.documentElement.scrollWidth > innerWidth,
                  };
                }"""
            )
            assert got["entryBottom"] <= LANDSCAPE["height"], (lang, got)
            assert (got["clipped"], got["outside"], got["pageScrolls"]) == (0, 0, False), (
                lang,
                got,
            )
    finally:
        ctx.close()


def test_a_service_nobody_serves_is_said_so_and_taken_only_after_a_warning(
    site: Site, touch: Any
) -> None:
    for _ in range(3):
        issue(site, "A")
    # Counter 4 serves C and B: no counter serves A.
    page = open_kiosk(touch, site, counters=("4",), idle=600, back=600)
    posts: list[dict[str, Any]] = []
    page.on(
        "request",
        lambda r: (
            posts.append(json.loads(r.post_data or "{}"))
            if r.method == "POST" and r.url.endswith("/tickets")
            else None
        ),
    )
    a = chip(page, "A")
    assert a["level"] == "unserved", a
    assert a["text"] == "Not served right now"
    card = page.get_by_test_id("service-A").inner_text()
    # No quote: no minutes, no "about".
    assert "minute" not in card
    assert "about" not in card
    expect(page.get_by_test_id("service-A")).to_be_enabled()  # the server still issues it

    page.get_by_test_id("service-A").tap()
    warning = page.get_by_test_id("unserved-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("No counter is serving this right now")
    expect(warning).to_contain_text("Cash and deposits")
    page.get_by_test_id("unserved-cancel").tap()
    expect(warning).to_be_hidden()
    page.wait_for_timeout(300)
    assert posts == []
    assert len(tickets_in_db(site)) == 3

    page.get_by_test_id("lang-tr").tap()
    page.get_by_test_id("service-A").tap()
    expect(warning).to_contain_text("Bu işlem için şu anda açık gişe yok")
    page.get_by_test_id("unserved-take").tap()
    expect(page.get_by_test_id("ticket-code")).to_have_text("A004")
    expect(page.get_by_test_id("ticket-wait")).to_have_text("Henüz bilinmiyor")
    assert len(posts) == 1
    # A served service is taken with one tap, as before.
    page.get_by_test_id("ticket-done").tap()
    page.get_by_test_id("service-C").tap()
    expect(page.get_by_test_id("ticket-code")).to_have_text("C001")
    expect(warning).to_be_hidden()


@pytest.mark.parametrize(
    ("kind", "said"),
    [("display", "This is a call display's token."), ("staff", "This is a staff member's")],
)
def test_kiosk_refuses_another_kind_of_token(site: Site, touch: Any, kind: str, said: str) -> None:
    if kind == "display":
        token = site.devices["display"]
    else:
        token = Teller(site).headers["Authorization"].removeprefix("Bearer ")
    page = touch.new_page()
    page.goto(f"{site.url}/kiosk/")
    page.locator("#pair-manual").evaluate("d => { d.open = true; }")
    page.locator("#pair-token").fill(token)
    page.get_by_role("button", name="Connect").click()
    error = page.locator("#pair-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text(said)
    expect(error).to_contain_text("This kiosk needs a kiosk's token.")
    expect(page.get_by_test_id("service-A")).to_be_hidden()
    # Given in the address, it is refused the same way, at once.
    page.goto(f"{site.url}/kiosk/#token={token}")
    page.reload()
    expect(error).to_contain_text(said)
    expect(page.get_by_test_id("service-A")).to_be_hidden()
    assert page.evaluate("localStorage.getItem('sira.kiosk.token')") is None
