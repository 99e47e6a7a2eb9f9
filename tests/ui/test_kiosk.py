"""The ticket kiosk in real Chromium against the real server: taps only, as on the touch screen."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.ui.conftest import Site, wait_until
from tests.ui.test_customer import Teller, issue, tickets_in_db

PORTRAIT = {"width": 1080, "height": 1920}
LANDSCAPE = {"width": 1920, "height": 1080}
LANGS = ["en", "tr", "el", "pl"]


@pytest.fixture
def touch(browser: Any) -> Iterator[Any]:
    """A portrait touch screen (taps, no mouse hover, no keyboard needed)."""
    ctx = browser.new_context(viewport=PORTRAIT, has_touch=True)
    yield ctx
    ctx.close()


def open_counters(site: Site, *labels: str) -> None:
    """Counters open for the day (1 serves A and B, 4 serves C and B): every service served."""
    teller = Teller(site)
    for label in labels:
        teller.counter(label, "open")


def open_kiosk(
    ctx: Any, site: Site, *, counters: tuple[str, ...] = ("1", "4"), **params: Any
) -> Any:
    """The kiosk on its home screen; ``counters`` are opened first (a service no counter
    serves asks the customer before issuing, see test_kiosk_real_use.py)."""
    open_counters(site, *counters)
    page = ctx.new_page()
    extra = "".join(f"&{k}={v}" for k, v in params.items())
    page.goto(f"{site.url}/kiosk/#token={site.devices['kiosk']}{extra}")
    expect(page.get_by_test_id("service-A")).to_be_visible()
    return page


def post_bodies(page: Any) -> list[dict[str, Any]]:
    """Collects the JSON body of every ticket POST the page sends."""
    bodies: list[dict[str, Any]] = []
    page.on(
        "request",
        lambda r: (
            bodies.append(json.loads(r.post_data or "{}"))
            if r.method == "POST" and r.url.endswith("/tickets")
            else None
        ),
    )
    return bodies


def test_take_a_ticket_in_turkish(site: Site, touch: Any) -> None:
    page = open_kiosk(touch, site)
    # The branch's languages, its default first.
    langs = page.locator(".langs .lang")
    expect(langs).to_have_count(4)
    assert langs.first.get_attribute("data-testid") == "lang-en"
    page.get_by_test_id("lang-tr").tap()
    expect(page.locator("html")).to_have_attribute("lang", "tr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Lütfen bir işlem seçin")
    expect(page.get_by_test_id("service-A")).to_contain_text("Nakit ve mevduat işlemleri")
    expect(page.get_by_test_id("service-B")).to_contain_text("Hesap ve kart işlemleri")
    expect(page.get_by_test_id("service-A")).to_contain_text("Sıra yok")
    expect(page.get_by_test_id("priority-entry")).to_contain_text("Öncelikli hizmet")

    page.get_by_test_id("service-A").tap()
    code = page.get_by_test_id("ticket-code")
    expect(code).to_be_visible()
    [ticket] = tickets_in_db(site)
    expect(code).to_have_text(ticket.code)
    assert ticket.code == "A001"
    assert ticket.lang == "tr"
    assert ticket.service_code == "A"
    assert ticket.priority is False
    expect(page.get_by_test_id("ticket-position")).to_have_text("Önünüzde kimse yok")
    expect(page.get_by_test_id("ticket-wait")).to_have_text("Beklemeden")
    # No printer on the demo kiosk: print_status "none".
    expect(page.get_by_test_id("print-result")).to_have_text("Lütfen numaranızı not alın.")
    expect(page.get_by_test_id("print-result")).to_have_attribute("data-status", "none")
    qr = page.get_by_test_id("ticket-qr")
    expect(qr).to_have_attribute("src", re.compile(rf"/by-token/{ticket.token}/qr\.svg$"))
    wait_until(page, "document.querySelector('[data-testid=ticket-qr]').naturalWidth > 0")

    # Done: the home screen for the next customer, in the branch's language (English).
    page.get_by_test_id("ticket-done").tap()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("service-A")).to_contain_text("1 person waiting")


def test_second_ticket_shows_people_ahead(site: Site, touch: Any) -> None:
    # One counter serves B: the second customer waits for the first one's visit (with two
    # free counters both are called at once, and the ticket rightly says "No wait").
    page = open_kiosk(touch, site, counters=("1",))
    page.get_by_test_id("service-B").tap()
    expect(page.get_by_test_id("ticket-code")).to_have_text("B001")
    page.get_by_test_id("ticket-done").tap()
    page.get_by_test_id("service-B").tap()
    expect(page.get_by_test_id("ticket-code")).to_have_text("B002")
    expect(page.get_by_test_id("ticket-position")).to_have_text("1")
    expect(page.get_by_test_id("ticket-wait")).to_contain_text("minute")


def test_a_busy_counter_is_a_wait_with_nobody_ahead(site: Site, touch: Any) -> None:
    # Counter 1 alone serves A, and it is busy with a customer: nobody waits, yet the next
    # one waits for that visit to end (the list said "No wait" here before).
    page = open_kiosk(touch, site, counters=("1",))
    first = issue(site, "A")
    assert Teller(site).counter("1", "call-next")["ticket"]["id"] == first["id"]
    page.reload()
    row = page.get_by_test_id("service-A")
    expect(row).to_contain_text("No queue")
    expect(page.get_by_test_id("wait-A")).to_contain_text("minute")
    row.tap()
    expect(page.get_by_test_id("ticket-position")).to_have_text("No one ahead of you")
    expect(page.get_by_test_id("ticket-wait")).to_contain_text("minute")


def test_double_tap_issues_one_ticket(site: Site, touch: Any) -> None:
    page = open_kiosk(touch, site)
    bodies = post_bodies(page)
    # Two activations in the same instant (a bouncing finger).
    page.evaluate(
        "() => { const b = document.querySelector('[data-testid=service-A]');"
        " b.click(); b.click(); }"
    )
    expect(page.get_by_test_id("ticket-code")).to_have_text("A001")
    page.wait_for_timeout(300)
    assert len(tickets_in_db(site)) == 1
    assert len(bodies) == 1


def test_tap_during_the_request_issues_nothing_more(site: Site, touch: Any) -> None:
    page = open_kiosk(touch, site)
    held: list[Any] = []
    page.route("**/api/v1/branches/*/tickets", lambda route: held.append(route))
    button = page.get_by_test_id("service-C")
    box = button.bounding_box()
    button.tap()
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(50)
    assert len(held) == 1
    expect(page.get_by_test_id("busy")).to_be_visible()
    expect(button).to_be_disabled()
    # More taps on the same spot while the first request is still in flight.
    for _ in range(3):
        page.touchscreen.tap(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.get_by_test_id("service-A").dispatch_event("click")
    page.wait_for_timeout(300)
    assert len(held) == 1
    held[0].continue_()
    expect(page.get_by_test_id("ticket-code")).to_have_text("C001")
    page.wait_for_timeout(300)
    assert len(held) == 1
    assert [t.code for t in tickets_in_db(site)] == ["C001"]


def test_priority_ticket_by_taps_only(site: Site, touch: Any) -> None:
    page = open_kiosk(touch, site)
    bodies = post_bodies(page)
    assert page.locator("input:visible, textarea:visible, select:visible").count() == 0
    page.get_by_test_id("lang-pl").tap()
    page.get_by_test_id("priority-entry").tap()
    expect(page.get_by_test_id("priority-elderly")).to_have_text("Senior")
    page.get_by_test_id("priority-pregnant").tap()
    expect(page.locator("#priority-banner")).to_contain_text("Bilet priorytetowy")
    page.get_by_test_id("service-B").tap()
    expect(page.get_by_test_id("ticket-code")).to_have_text("B001")
    expect(page.locator("#ticket-prio")).to_be_visible()
    [ticket] = tickets_in_db(site)
    assert ticket.priority is True
    assert ticket.priority_reason == "pregnant"
    assert ticket.lang == "pl"
    # The time from the first touch to the ticket is sent (seconds, for the kiosk's moment).
    assert isinstance(bodies[0]["touch_s"], int)
    assert 0 <= bodies[0]["touch_s"] < 60


def test_idle_returns_home_in_the_default_language(site: Site, touch: Any) -> None:
    page = open_kiosk(touch, site, idle=2, warn=1)
    page.get_by_test_id("lang-el").tap()
    page.get_by_test_id("priority-entry").tap()
    expect(page.get_by_test_id("priority-elderly")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "el")
    # No touch for the idle time: home, in English (the branch default), nothing issued.
    expect(page.get_by_test_id("lang-en")).to_have_attribute("aria-pressed", "true", timeout=8000)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("priority-entry")).to_be_visible()
    expect(page.get_by_test_id("priority-elderly")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_have_text("Please choose a service")
    assert tickets_in_db(site) == []


def test_confirmation_returns_home_by_itself(site: Site, touch: Any) -> None:
    page = open_kiosk(touch, site, back=2, idle=60, warn=1)
    page.get_by_test_id("lang-tr").tap()
    page.get_by_test_id("service-A").tap()
    expect(page.get_by_test_id("ticket-code")).to_be_visible()
    expect(page.get_by_test_id("service-A")).to_be_visible(timeout=8000)
    expect(page.get_by_test_id("ticket-code")).to_be_hidden()
    # Ready for the next customer: in the branch's language, not the last customer's.
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("lang-en")).to_have_attribute("aria-pressed", "true")


def test_every_language_has_the_same_keys(site: Site, touch: Any) -> None:
    page = open_kiosk(touch, site)
    strings = page.evaluate("async () => (await import('/kiosk/strings.js')).STRINGS")
    assert sorted(strings) == sorted(LANGS)
    keys = set(strings["en"])
    for lang in LANGS:
        assert set(strings[lang]) == keys, lang
        assert all(isinstance(v, str) and v.strip() for v in strings[lang].values()), lang
        for key, value in strings[lang].items():
            # Placeholders stay the same; nothing is left untranslated.
            assert re.findall(r"\{\w+\}", value) == re.findall(r"\{\w+\}", strings["en"][key])
            if lang != "en":
                assert value != strings["en"][key], f"{lang}.{key} is the English text"


@pytest.mark.parametrize("lang", ["tr", "el", "pl"])
def test_rendered_kiosk_has_no_english(site: Site, touch: Any, lang: str) -> None:
    page = open_kiosk(touch, site)
    strings = page.evaluate("async () => (await import('/kiosk/strings.js')).STRINGS")
    page.get_by_test_id(f"lang-{lang}").tap()
    english = {
        v.split("{")[0].strip() for v in strings["en"].values() if len(v.split("{")[0].strip()) > 3
    } | {"Cash and deposits", "Accounts and cards", "Loans and investments", "minute", "waiting"}
    branch_name = page.locator("#bank-name").inner_text()

    def visible_text() -> str:
        return page.locator("body").inner_text().replace(branch_name, "").replace("English", "")

    texts = [visible_text()]
    page.get_by_test_id("priority-entry").tap()
    texts.append(visible_text())
    page.get_by_test_id("priority-disabled").tap()
    texts.append(visible_text())
    page.get_by_test_id("service-A").tap()
    expect(page.get_by_test_id("ticket-code")).to_be_visible()
    texts.append(visible_text())
    for text in texts:
        leaks = sorted(e for e in english if e in text)
        assert leaks == [], f"English on the {lang} kiosk: {leaks}"
    # Every translated element holds this language's text, hidden ones too.
    mismatched = page.evaluate(
        """(lang) => import('/kiosk/strings.js').then(({STRINGS}) =>
            [...document.querySelectorAll('[data-i18n]')]
              .filter(el => el.textContent !== STRINGS[lang][el.dataset.i18n])
              .map(el => el.dataset.i18n))""",
        lang,
    )
    assert mismatched == []
    assert page.evaluate("[...window.sira.i18n.missing]") == []


def test_offline_says_so_issues_nothing_and_recovers(site: Site, touch: Any) -> None:
    page = open_kiosk(touch, site, poll=1)
    bodies = post_bodies(page)
    page.route("**/api/**", lambda route: route.abort("connectionrefused"))
    page.get_by_test_id("service-A").tap()
    expect(page.get_by_test_id("issue-error")).to_be_visible()
    expect(page.get_by_test_id("issue-error")).to_contain_text("Your ticket was not issued")
    expect(page.get_by_test_id("offline-banner")).to_be_visible()
    expect(page.get_by_test_id("ticket-code")).to_be_hidden()
    assert tickets_in_db(site) == []

    page.unroute("**/api/**")
    # It notices by itself that the server is back.
    expect(page.get_by_test_id("offline-banner")).to_be_hidden(timeout=10000)
    page.get_by_test_id("issue-retry").tap()
    expect(page.get_by_test_id("ticket-code")).to_have_text("A001")
    assert len(tickets_in_db(site)) == 1
    # The retry was the same touch: the same request id.
    assert len(bodies) == 2
    assert bodies[0]["request_id"] == bodies[1]["request_id"]


def test_lost_answer_then_retry_gives_the_same_ticket(site: Site, touch: Any) -> None:
    page = open_kiosk(touch, site)

    def issue_then_drop(route: Any) -> None:
        route.fetch()  # the server issues the ticket...
        route.abort("connectionreset")  # ...but its answer never reaches the kiosk

    page.route("**/api/v1/branches/*/tickets", issue_then_drop)
    page.get_by_test_id("service-B").tap()
    expect(page.get_by_test_id("issue-error")).to_be_visible()
    expect(page.get_by_test_id("ticket-code")).to_be_hidden()
    page.unroute("**/api/v1/branches/*/tickets")
    page.get_by_test_id("issue-retry").tap()
    expect(page.get_by_test_id("ticket-code")).to_have_text("B001")
    assert [t.code for t in tickets_in_db(site)] == ["B001"]


def small_text(page: Any) -> list[str]:
    """Visible text nodes drawn smaller than 24 px."""
    return page.evaluate(
        """() => {
          const out = [];
          const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          while (walk.nextNode()) {
            const n = walk.currentNode, el = n.parentElement;
            if (!n.textContent.trim() || !el.checkVisibility()) continue;
            const size = parseFloat(getComputedStyle(el).fontSize);
            if (size < 23.5) out.push(`${n.textContent.trim()} (${size}px)`);
          }
          return out;
        }"""
    )


def fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert small_text(page) == []


@pytest.mark.parametrize("viewport", [PORTRAIT, LANDSCAPE], ids=["portrait", "landscape"])
def test_layout_large_text_and_targets(site: Site, browser: Any, viewport: dict) -> None:
    ctx = browser.new_context(viewport=viewport, has_touch=True)
    try:
        page = open_kiosk(ctx, site)
        for lang in LANGS:
            page.get_by_test_id(f"lang-{lang}").tap()
            fits(page)
            for code in "ABC":
                box = page.get_by_test_id(f"service-{code}").bounding_box()
                assert box["height"] >= 150
                assert box["width"] >= 300
                assert box["y"] + box["height"] <= viewport["height"]
            entry = page.get_by_test_id("priority-entry").bounding_box()
            assert entry["y"] + entry["height"] <= viewport["height"]
        page.get_by_test_id("lang-el").tap()
        page.get_by_test_id("priority-entry").tap()
        fits(page)
        page.get_by_test_id("priority-disabled").tap()
        page.get_by_test_id("service-C").tap()
        expect(page.get_by_test_id("ticket-code")).to_be_visible()
        fits(page)
        code = page.get_by_test_id("ticket-code")
        assert float(code.evaluate("el => getComputedStyle(el).fontSize").rstrip("px")) >= 150
        done = page.get_by_test_id("ticket-done").bounding_box()
        assert done["y"] + done["height"] <= viewport["height"]
    finally:
        ctx.close()


def test_pairing_screen_without_a_token(site: Site, touch: Any) -> None:
    page = touch.new_page()
    page.goto(f"{site.url}/kiosk/")
    page.locator("#pair-manual").evaluate("d => { d.open = true; }")
    page.locator("#pair-token").fill("not-a-real-token")
    page.get_by_role("button", name="Connect").click()
    expect(page.locator("#pair-error")).to_be_visible()
    page.locator("#pair-manual").evaluate("d => { d.open = true; }")
    page.locator("#pair-token").fill(site.devices["kiosk"])
    page.get_by_role("button", name="Connect").click()
    expect(page.get_by_test_id("service-A")).to_be_visible()
    # Remembered: the next start needs no token in the address.
    page.goto(f"{site.url}/kiosk/")
    page.reload()
    expect(page.get_by_test_id("service-A")).to_be_visible()
