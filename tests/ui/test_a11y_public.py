"""axe-core on every public screen in its main states: no serious or critical violations."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.ui.conftest import Site, axe_violations, describe
from tests.ui.test_customer import PHONE, Teller, issue


def clean(page: Any, state: str) -> None:
    found = axe_violations(page)
    assert found == [], f"{state}: {describe(found)}"


def test_kiosk(site: Site, browser: Any) -> None:
    ctx = browser.new_context(viewport={"width": 1080, "height": 1920}, has_touch=True)
    page = ctx.new_page()
    page.goto(f"{site.url}/kiosk/")
    expect(page.get_by_test_id("pair-code")).to_have_text(re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}$"))
    clean(page, "kiosk pairing")
    page.close()
    page = ctx.new_page()
    page.goto(f"{site.url}/kiosk/#token={site.devices['kiosk']}&idle=600&back=600")
    expect(page.get_by_test_id("service-A")).to_be_visible()
    clean(page, "kiosk home")
    page.get_by_test_id("lang-el").tap()
    page.get_by_test_id("priority-entry").tap()
    clean(page, "kiosk priority")
    page.get_by_test_id("priority-elderly").tap()
    clean(page, "kiosk priority service")
    page.get_by_test_id("service-A").tap()
    # No counter is open yet: the kiosk says so before it issues.
    expect(page.get_by_test_id("unserved-warning")).to_be_visible()
    clean(page, "kiosk warning, no counter serving")
    page.get_by_test_id("unserved-take").tap()
    expect(page.get_by_test_id("ticket-code")).to_be_visible()
    clean(page, "kiosk confirmation")
    page.get_by_test_id("ticket-done").tap()
    page.route("**/api/**", lambda route: route.abort())
    page.get_by_test_id("service-B").tap()
    page.get_by_test_id("unserved-take").tap()
    expect(page.get_by_test_id("issue-error")).to_be_visible()
    clean(page, "kiosk not issued, offline")
    ctx.close()


def test_display(site: Site, browser: Any) -> None:
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = ctx.new_page()
    page.goto(f"{site.url}/display/#token={site.devices['display']}&hold=0.5")
    expect(page.get_by_test_id("clock")).not_to_be_empty()
    clean(page, "display, no calls")
    teller = Teller(site)
    for label, svc in (("1", "A"), ("2", "B"), ("4", "C")):
        issue(site, svc)
        teller.counter(label, "open")
        teller.counter(label, "call-next")
    expect(page.get_by_test_id("history-item")).to_have_count(3, timeout=30000)
    teller.counter("4", "recall")
    expect(page.get_by_test_id("recall-cue")).to_be_visible(timeout=30000)
    clean(page, "display with calls")
    ctx.close()
    ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = ctx.new_page()
    page.goto(f"{site.url}/display/")
    expect(page.get_by_test_id("pair-code")).to_have_text(re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}$"))
    clean(page, "display pairing")
    ctx.close()


def test_customer(site: Site, browser: Any) -> None:
    ctx = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    page = ctx.new_page()
    ticket = issue(site, lang="pl")
    page.goto(f"{site.url}/t/{ticket['token']}#poll=0.5")
    expect(page.get_by_test_id("position")).to_be_visible()
    clean(page, "customer waiting")
    teller = Teller(site)
    teller.counter("1", "open")
    teller.counter("1", "call-next")
    expect(page.get_by_test_id("your-turn")).to_be_visible()
    clean(page, "customer called")
    teller.ticket(ticket["id"], "serve")
    expect(page.get_by_test_id("serving")).to_be_visible()
    clean(page, "customer being served")
    teller.ticket(ticket["id"], "finish")
    expect(page.get_by_test_id("feedback-score-5")).to_be_visible()
    clean(page, "customer feedback")
    page.get_by_test_id("feedback-score-5").tap()
    page.get_by_test_id("feedback-submit").tap()
    expect(page.get_by_test_id("feedback-thanks")).to_be_visible()
    clean(page, "customer thanks")
    ctx.close()
