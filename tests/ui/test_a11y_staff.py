"""axe-core on the staff screens: no serious or critical violations on the teller console
(sign-in, a customer at the counter with the recovery prompt, the pause dialog; the counter
picker with a held counter and the take-over question, the two call buttons, the waiting
list, the undo offer, the transfer, "before calling" and sign-out dialogs, the taken-over
notice) and on the manager dashboard (live, reports with charts, standards with calendar
overrides; in English and in Turkish)."""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import expect
from sqlmodel import select

from server.models import Service, User
from tests.ui.conftest import axe_violations, describe
from tests.ui.test_manager import PAYDAY, put_overrides
from tests.ui.test_manager import sign_in as manager_sign_in
from tests.ui.test_teller import TIMEOUT, Staff, open_console, sign_in


def assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, describe(violations)


def test_teller_sign_in_is_accessible(site: Any, context: Any) -> None:
    page = context.new_page()
    page.goto(f"{site.url}/teller/")
    expect(page.get_by_test_id("login-username")).to_be_visible()
    assert_accessible(page)


def test_teller_console_with_a_customer_is_accessible(site: Any, context: Any) -> None:
    with site.db.unit_of_work() as session:
        svc = session.exec(select(Service).where(Service.code == "A")).one()
        svc.standard_wait_s = 1
        session.add(svc)
    api = Staff(site)
    ticket = api.issue("A")
    api.issue("B")
    time.sleep(1.5)
    page = context.new_page()
    open_console(page, site)
    page.get_by_test_id("call-next").click()
    expect(page.get_by_test_id("current-code")).to_have_text(ticket["code"], timeout=TIMEOUT)
    expect(page.get_by_test_id("recovery-prompt")).to_be_visible()
    assert_accessible(page)
    page.get_by_test_id("lang-select").select_option("tr")
    assert_accessible(page)
    page.get_by_test_id("pause").click()
    expect(page.get_by_test_id("pause-reason")).to_be_visible()
    assert_accessible(page)


def test_teller_counter_choice_is_accessible(site: Any, context: Any) -> None:
    page = context.new_page()
    page.goto(f"{site.url}/teller/")
    page.get_by_test_id("login-username").fill("teller1")
    page.get_by_test_id("login-password").fill(site.users["teller1"])
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("counter-1")).to_be_visible(timeout=TIMEOUT)
    assert_accessible(page)


def test_teller_counter_holding_is_accessible(site: Any, context: Any) -> None:
    """A colleague's counter in the picker, the take-over question, and (in Turkish) the
    notice of a console whose counter was taken over."""
    with site.db.unit_of_work() as session:
        user = session.exec(select(User).where(User.username == "teller2")).one()
        user.full_name = "Ayşe Demir"
        session.add(user)
    api = Staff(site)
    api.post(f"/api/v1/counters/{api.counter_id('2')}/open", user="teller2")
    page = context.new_page()
    sign_in(page, site)
    expect(page.get_by_test_id("holder-2")).to_contain_text("Ayşe Demir", timeout=TIMEOUT)
    assert_accessible(page)
    page.get_by_test_id("counter-2").click()
    expect(page.get_by_test_id("takeover-dialog")).to_be_visible(timeout=TIMEOUT)
    assert_accessible(page)
    page.get_by_test_id("takeover-confirm").click()
    expect(page.get_by_test_id("call-next")).to_be_enabled(timeout=TIMEOUT)
    page.get_by_test_id("lang-select").select_option("tr")
    api.post(f"/api/v1/counters/{api.counter_id('2')}/open", {"take_over": True}, user="teller2")
    expect(page.get_by_test_id("notice")).to_be_visible(timeout=TIMEOUT)
    assert_accessible(page)


def test_teller_calling_states_are_accessible(site: Any, context: Any) -> None:
    """A called customer (two call buttons), the waiting list with another service opened,
    an undo offer, and the "before calling", transfer and sign-out dialogs; in English, and
    the console again in Turkish."""
    api = Staff(site)
    first, second = api.issue("A"), api.issue("A")
    api.issue("B")
    api.issue("C")
    page = context.new_page()
    open_console(page, site)
    expect(page.get_by_test_id(f"wait-{second['code']}")).to_be_visible(timeout=TIMEOUT)
    page.get_by_test_id("call-next").click()
    expect(page.get_by_test_id("call-next-done")).to_be_visible(timeout=TIMEOUT)
    page.get_by_test_id("waiting-others").locator("summary").click()
    assert_accessible(page)
    page.get_by_test_id(f"call-{second['code']}").click()
    expect(page.get_by_test_id("previous-dialog")).to_be_visible(timeout=TIMEOUT)
    assert_accessible(page)
    page.get_by_test_id("previous-no-show").click()
    expect(page.get_by_test_id(f"undo-{first['code']}")).to_be_visible(timeout=TIMEOUT)
    assert_accessible(page)
    page.get_by_test_id("transfer").click()
    expect(page.get_by_test_id("transfer-note")).to_be_visible()
    assert_accessible(page)
    page.keyboard.press("Escape")
    page.get_by_test_id("sign-out").click()
    expect(page.get_by_test_id("signout-dialog")).to_be_visible()
    assert_accessible(page)
    page.keyboard.press("Escape")
    page.get_by_test_id("lang-select").select_option("tr")
    expect(page.get_by_test_id("call-next-done")).to_have_text("Hizmet verildi, sıradakini çağır")
    assert_accessible(page)


def test_manager_live_reports_and_standards_are_accessible(site: Any, context: Any) -> None:
    api = Staff(site)
    counter = api.counter_id("1")
    api.post(f"/api/v1/counters/{counter}/open", user="teller1")
    api.issue("A")
    api.issue("B")
    api.post(f"/api/v1/counters/{counter}/call-next", user="teller1")
    page = context.new_page()
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{site.url}/manager/")
    expect(page.get_by_test_id("login-username")).to_be_visible()
    assert_accessible(page)
    manager_sign_in(page, site)
    expect(page.get_by_test_id("counter-state-1")).to_have_text("Open", timeout=TIMEOUT)
    # The figures are drawn before the view shows: axe skips what is hidden.
    expect(page.get_by_test_id("counter-state-1")).to_be_visible()
    assert_accessible(page)
    _reports_tab_accessible(page)
    page.get_by_test_id("tab-standards").click()
    expect(page.get_by_test_id("std-A-wait-expected")).to_be_visible(timeout=TIMEOUT)
    assert_accessible(page)


def test_manager_calendar_overrides_are_accessible(site: Any, context: Any) -> None:
    """The Standards tab with a stored override (moments, days, date chips), a new one, and
    the same card marked invalid after a refused Save."""
    api = Staff(site)
    res = api.http.put(
        f"/api/v1/branches/{site.branch}/service-cycle",
        json={
            "overrides": [
                {
                    "label": "Payday",
                    "dates": ["2026-12-24", "2026-12-31"],
                    "days_of_month": [1, 15, 28, 29, 30, 31],
                    "moments": ["wait", "service"],
                    "factor": 0.8,
                }
            ]
        },
        headers={"Authorization": f"Bearer {api.token('manager')}"},
    )
    assert res.status_code == 200, res.text
    page = context.new_page()
    page.set_viewport_size({"width": 1920, "height": 1080})
    manager_sign_in(page, site)
    page.get_by_test_id("tab-standards").click()
    expect(page.get_by_test_id("ovr-0-label")).to_have_value("Payday", timeout=TIMEOUT)
    expect(page.get_by_role("button", name="Remove 2026-12-31")).to_be_visible()
    expect(page.get_by_role("heading", name="Calendar overrides")).to_be_visible()
    assert_accessible(page)
    page.get_by_test_id("override-add").click()
    page.get_by_test_id("ovr-1-days").fill("0, 40")
    page.get_by_test_id("standards-save").click()
    expect(page.get_by_test_id("ovr-1-error")).to_be_visible()
    expect(page.get_by_test_id("error")).to_be_visible()
    assert_accessible(page)


def test_manager_in_turkish_is_accessible(site: Any, context: Any) -> None:
    """The dashboard switched to Turkish (html lang="tr", the toggle marked lang="en"): sign-in,
    live, reports with charts, standards with an override and a refused Save — at 1280 px,
    where the longer Turkish words are the tightest."""
    api = Staff(site)
    counter = api.counter_id("1")
    api.post(f"/api/v1/counters/{counter}/open", user="teller1")
    api.issue("A")
    api.issue("B")
    api.post(f"/api/v1/counters/{counter}/call-next", user="teller1")
    put_overrides(api, site, [{**PAYDAY, "label": "Maaş günü"}])
    page = context.new_page()
    page.goto(f"{site.url}/manager/")
    page.get_by_test_id("lang-select").select_option("tr")
    expect(page.get_by_test_id("login-submit")).to_have_text("Giriş yap")
    assert page.evaluate("document.documentElement.lang") == "tr"
    assert_accessible(page)
    page.get_by_test_id("login-username").fill("manager")
    page.get_by_test_id("login-password").fill(site.users["manager"])
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("counter-state-1")).to_have_text("Açık", timeout=TIMEOUT)
    expect(page.get_by_test_id("counter-state-1")).to_be_visible()
    assert_accessible(page)
    _reports_tab_accessible(page)
    page.get_by_test_id("tab-standards").click()
    expect(page.get_by_test_id("ovr-0-label")).to_have_value("Maaş günü", timeout=TIMEOUT)
    assert_accessible(page)
    page.get_by_test_id("override-add").click()
    page.get_by_test_id("ovr-1-days").fill("0, 40")
    page.get_by_test_id("standards-save").click()
    expect(page.get_by_test_id("ovr-1-error")).to_contain_text("ayın günleri")
    expect(page.get_by_test_id("error")).to_contain_text("Standartlar kaydedilmedi")
    assert_accessible(page)


def _reports_tab_accessible(page: Any) -> None:
    page.get_by_test_id("tab-reports").click()
    expect(page.get_by_test_id("chart-moment")).to_have_attribute(
        "data-rendered", "5", timeout=TIMEOUT
    )
    assert_accessible(page)
