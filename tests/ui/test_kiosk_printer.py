"""The kiosk with a real (test) ticket printer on a TCP socket: a printed ticket says "take
your ticket"; a printer out of paper still gives the customer their number on screen, with the
reason in their language, and the manager is alerted until the paper is loaded."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from drivers.fakes import TestNetworkPrinter
from tests.ui.conftest import TIMEOUT_S, Site
from tests.ui.test_kiosk import open_kiosk
from tests.ui.test_teller import open_console


@pytest.fixture
def printer(site: Site) -> Iterator[TestNetworkPrinter]:
    with TestNetworkPrinter() as fake:
        admin = login(site, "admin")
        devices = httpx.get(
            f"{site.url}/api/v1/admin/devices", headers=admin, timeout=TIMEOUT_S
        ).json()
        kiosk = next(d for d in devices if d["kind"] == "kiosk")
        config = {"printer": {"transport": "network", "host": fake.host, "port": fake.port}}
        r = httpx.patch(
            f"{site.url}/api/v1/admin/devices/{kiosk['id']}",
            json={"config": config},
            headers=admin,
            timeout=TIMEOUT_S,
        )
        assert r.status_code == 200, r.text
        yield fake


def login(site: Site, user: str) -> dict[str, str]:
    r = httpx.post(
        f"{site.url}/api/v1/auth/login",
        json={"username": user, "password": site.users[user]},
        timeout=TIMEOUT_S,
    )
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@pytest.fixture
def touch(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1080, "height": 1920}, has_touch=True)
    yield ctx
    ctx.close()


def test_a_printed_ticket_says_take_your_ticket(
    site: Site, touch: Any, printer: TestNetworkPrinter
) -> None:
    page = open_kiosk(touch, site)
    page.get_by_test_id("service-B").tap()
    code = page.get_by_test_id("ticket-code")
    expect(code).to_be_visible()
    [receipt] = printer.wait_for_receipts(1)
    assert code.inner_text() in receipt.text
    result = page.get_by_test_id("print-result")
    expect(result).to_have_attribute("data-status", "printed")
    expect(result).to_have_text("Please take your ticket below.")


def test_paper_out_shows_the_number_and_the_reason_and_alerts_the_manager(
    site: Site, touch: Any, printer: TestNetworkPrinter
) -> None:
    printer.set_state(paper="out")
    page = open_kiosk(touch, site)
    page.get_by_test_id("lang-pl").tap()
    page.get_by_test_id("service-A").tap()
    code = page.get_by_test_id("ticket-code")
    expect(code).to_have_text("A001")  # the customer keeps their number
    result = page.get_by_test_id("print-result")
    expect(result).to_have_attribute("data-status", "failed")
    expect(result).to_contain_text("brak papieru")  # "out of paper", in Polish
    assert printer.receipts == []
    manager = login(site, "manager")
    alerts = httpx.get(
        f"{site.url}/api/v1/branches/{site.branch}/alerts", headers=manager, timeout=TIMEOUT_S
    )
    [alert] = alerts.json()
    assert alert["kind"] == "printer"
    assert "out of paper" in alert["message"]

    # Paper loaded: the next customer's ticket prints and the alert clears.
    printer.set_state(paper="ok")
    page.get_by_test_id("print-result").tap()  # touch anywhere: back to the start
    page.get_by_test_id("service-A").tap()
    expect(code).to_have_text("A002")
    expect(page.get_by_test_id("print-result")).to_have_attribute("data-status", "printed")
    assert (
        httpx.get(
            f"{site.url}/api/v1/branches/{site.branch}/alerts", headers=manager, timeout=TIMEOUT_S
        ).json()
        == []
    )


def test_the_teller_reprints_the_current_customers_ticket(
    site: Site, browser: Any, touch: Any, printer: TestNetworkPrinter
) -> None:
    kiosk = open_kiosk(touch, site)
    kiosk.get_by_test_id("lang-tr").tap()
    kiosk.get_by_test_id("service-A").tap()
    expect(kiosk.get_by_test_id("ticket-code")).to_have_text("A001")
    [original] = printer.wait_for_receipts(1)

    console = browser.new_context(viewport={"width": 1280, "height": 800})
    page = console.new_page()
    open_console(page, site)
    page.get_by_test_id("call-next").click()
    expect(page.get_by_test_id("current-code")).to_have_text("A001")
    page.get_by_test_id("reprint").click()
    expect(page.locator("#toasts")).to_contain_text("A001 reprinted.")
    first, again = printer.wait_for_receipts(2)
    assert first is original
    assert "A001" in again.text
    assert "TEKRAR BASKI" in again.text  # marked as a reprint, in the ticket's language
    assert again.qr_payloads == original.qr_payloads
    console.close()
