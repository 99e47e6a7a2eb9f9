"""The kiosk outside opening hours and after a service's cut-off, in real Chromium: a calm
closed screen saying when the branch opens (in the kiosk's language and the branch's time),
back to the services by itself, and a service past its cut-off shown unavailable."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from server.domain.hours import DAYS
from server.models import Branch, Service
from tests.ui.conftest import Site, axe_violations, describe
from tests.ui.test_customer import tickets_in_db
from tests.ui.test_kiosk import PORTRAIT, open_counters, post_bodies


@pytest.fixture
def touch(browser: Any) -> Iterator[Any]:
    """A portrait touch screen, as the kiosk is."""
    ctx = browser.new_context(viewport=PORTRAIT, has_touch=True)
    yield ctx
    ctx.close()


POLISH_DAYS = ("poniedziałek", "wtorek", "środa", "czwartek", "piątek", "sobota", "niedziela")


def configure(
    site: Site,
    *,
    hours: dict[str, list[list[str]]] | None,
    closed: list[str],
    cutoff: dict[str, int | None],
) -> ZoneInfo:
    """Set the demo branch's hours and closed dates and its services' cut-offs; its zone."""
    with site.db.unit_of_work() as session:
        branch = session.exec(select(Branch).where(Branch.code == site.branch)).one()
        branch.opening_hours = hours
        branch.closed_dates = closed
        session.add(branch)
        for service in session.exec(select(Service).where(Service.branch_id == branch.id)):
            service.cutoff_min = cutoff.get(service.code)
            session.add(service)
        return ZoneInfo(branch.timezone)


def branch_now(site: Site) -> dt.datetime:
    with site.db.unit_of_work(write=False) as session:
        branch = session.exec(select(Branch).where(Branch.code == site.branch)).one()
        return dt.datetime.now(ZoneInfo(branch.timezone))


def test_closed_screen_in_polish_then_open_again_by_itself(site: Site, touch: Any) -> None:
    today = branch_now(site).date()
    reopens = today + dt.timedelta(days=2)
    configure(
        site,
        hours={day: [["09:00", "17:00"]] for day in DAYS},
        closed=[today.isoformat(), (today + dt.timedelta(days=1)).isoformat()],
        cutoff={},
    )
    page = touch.new_page()
    page.goto(f"{site.url}/kiosk/#token={site.devices['kiosk']}&poll=1")
    closed = page.get_by_test_id("closed-screen")
    expect(closed).to_be_visible()
    expect(page.get_by_test_id("service-A")).to_be_hidden()
    expect(page.get_by_test_id("priority-entry")).to_be_hidden()
    expect(closed.get_by_role("heading", level=1)).to_have_text("Closed")
    # In the customer's language: the day after tomorrow, by its name, at 09:00 branch time.
    page.get_by_test_id("lang-pl").tap()
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(closed.get_by_role("heading", level=1)).to_have_text("Nieczynne")
    expect(page.get_by_test_id("closed-when")).to_have_text(
        f"Ponownie otwieramy: {POLISH_DAYS[reopens.weekday()]}, godz. 09:00"
    )
    expect(closed.get_by_role("status")).to_contain_text("Bilety wydajemy w godzinach otwarcia")
    found = axe_violations(page)
    assert found == [], describe(found)
    assert tickets_in_db(site) == []

    # Open again (the holiday removed, no hours): the services come back without a touch.
    open_counters(site, "1", "4")
    configure(site, hours=None, closed=[], cutoff={})
    expect(page.get_by_test_id("service-A")).to_be_visible()
    expect(closed).to_be_hidden()
    page.get_by_test_id("service-A").tap()
    expect(page.get_by_test_id("ticket-code")).to_have_text("A001")


def _around(now: dt.datetime) -> list[list[str]]:
    """Today's one interval, from an hour before ``now`` to an hour after (within the day)."""
    minute = now.hour * 60 + now.minute
    start, end = max(0, minute - 60), min(24 * 60, minute + 61)
    return [[f"{start // 60:02d}:{start % 60:02d}", f"{end // 60:02d}:{end % 60:02d}"]]


def test_a_service_past_its_cut_off_in_turkish(site: Site, touch: Any) -> None:
    now = branch_now(site)
    hours: dict[str, list[list[str]]] = {day: [] for day in DAYS}
    hours[DAYS[now.weekday()]] = _around(now)
    # Loans stop two hours before closing: already past; the other services go on.
    configure(site, hours=hours, closed=[], cutoff={"C": 120, "A": 15})
    open_counters(site, "1", "4")
    page = touch.new_page()
    page.goto(f"{site.url}/kiosk/#token={site.devices['kiosk']}")
    bodies = post_bodies(page)
    expect(page.get_by_test_id("service-A")).to_be_enabled()
    page.get_by_test_id("lang-tr").tap()
    loans = page.get_by_test_id("service-C")
    expect(loans).to_be_disabled()
    expect(loans).to_have_attribute("data-reason", "cut_off")
    expect(page.get_by_test_id("closed-C")).to_have_text("Bugün için sıra numarası verilmiyor")
    expect(page.get_by_test_id("closed-screen")).to_be_hidden()
    found = axe_violations(page)
    assert found == [], describe(found)
    loans.tap(force=True)  # a tap on it issues nothing
    page.wait_for_timeout(300)
    assert bodies == []
    page.get_by_test_id("service-A").tap()
    expect(page.get_by_test_id("ticket-code")).to_have_text("A001")
