"""Settings › Devices in real Chromium: a kiosk paired by the code its screen shows starts at
once and is listed; a wrong code is said beside the field; a device is renamed, then revoked
(its screen returns to pairing); a manager reads the printer but cannot change it; an
administrator sets up a test printer, prints a test ticket and reads the printer's answer."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.ui.conftest import Site, axe_violations, describe
from tests.ui.test_pairing_ui import shown_code

TIMEOUT = 30_000


def open_devices(page: Any, site: Site, user: str = "admin") -> None:
    page.goto(f"{site.url}/manager/")
    page.get_by_test_id("login-username").fill(user)
    page.get_by_test_id("login-password").fill(site.users[user])
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("tab-settings").click()
    page.get_by_test_id("settings-nav-devices").click()
    expect(page.get_by_test_id("settings-devices")).to_be_visible()


def device_id_named(page: Any, name: str) -> str:
    item = page.locator(".sd-device", has=page.get_by_text(name, exact=True))
    expect(item).to_have_count(1)
    return str(item.get_attribute("data-testid")).removeprefix("sd-device-")


def test_pair_rename_and_revoke_a_kiosk(site: Site, context: Any) -> None:
    kiosk = context.new_page()
    kiosk.goto(f"{site.url}/kiosk/#poll=1")
    code = shown_code(kiosk)

    page = context.new_page()
    open_devices(page, site)

    # A wrong code is said beside the field.
    page.get_by_test_id("sd-pair-code").fill("ZZZZ-ZZZZ")
    page.get_by_test_id("sd-pair-name").fill("Door kiosk")
    page.get_by_test_id("sd-pair-submit").click()
    error = page.locator('[data-error-for="code"]').first
    expect(error).to_have_text(re.compile("No device shows this code"))
    expect(page.get_by_test_id("sd-pair-code")).to_have_attribute("aria-invalid", "true")

    # The right one: the kiosk starts and is listed.
    page.get_by_test_id("sd-pair-code").fill(code)
    page.get_by_test_id("sd-pair-kind").select_option("kiosk")
    page.get_by_test_id("sd-pair-submit").click()
    expect(kiosk.locator("#view-home")).to_be_visible(timeout=TIMEOUT)
    device = device_id_named(page, "Door kiosk")
    expect(page.get_by_test_id(f"sd-branch-{device}")).to_contain_text(re.compile(r"\S"))
    expect(page.get_by_test_id(f"sd-printer-state-{device}")).to_have_text("no printer")
    assert axe_violations(page) == [], describe(axe_violations(page))

    # Renamed.
    page.get_by_test_id(f"sd-open-{device}").click()
    page.get_by_test_id(f"sd-rename-{device}").fill("Entrance kiosk")
    page.get_by_test_id(f"sd-rename-save-{device}").click()
    expect(page.get_by_test_id(f"sd-name-{device}")).to_have_text("Entrance kiosk")
    assert axe_violations(page) == [], describe(axe_violations(page))

    # Revoked, after the question: its screen goes back to pairing (the panel stays open).
    page.get_by_test_id(f"sd-revoke-{device}").click()
    dialog = page.get_by_test_id("settings-confirm")
    expect(dialog).to_contain_text("returns to the pairing screen at once")
    page.get_by_test_id("settings-confirm-ok").click()
    expect(kiosk.get_by_test_id("pair-code")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_test_id(f"sd-open-{device}")).to_have_count(0)


def test_a_manager_reads_the_printer_and_an_admin_prints_a_test_ticket(
    site: Site, context: Any
) -> None:
    page = context.new_page()
    open_devices(page, site, "admin")
    kiosk = page.locator(".sd-device", has=page.get_by_text("kiosk", exact=True)).first
    device = str(kiosk.get_attribute("data-testid")).removeprefix("sd-device-")
    page.get_by_test_id(f"sd-open-{device}").click()
    page.get_by_test_id(f"sd-transport-{device}").select_option("network")
    page.get_by_test_id(f"sd-p-host-{device}").fill("not a host!")
    page.get_by_test_id(f"sd-printer-save-{device}").click()
    expect(
        page.locator(f'[data-testid="sd-printer-{device}"] [data-error-for="host"]')
    ).to_have_text(re.compile("host name or an IP address"))
    page.get_by_test_id(f"sd-transport-{device}").select_option("dummy")
    page.get_by_test_id(f"sd-printer-save-{device}").click()
    page.get_by_test_id(f"sd-test-print-{device}").click()
    answer = page.get_by_test_id(f"sd-test-answer-{device}")
    expect(answer).to_have_text(re.compile(r"^Printed\. The printer says: "))
    expect(page.get_by_test_id(f"sd-printer-state-{device}")).not_to_have_text("no printer")
    assert axe_violations(page) == [], describe(axe_violations(page))
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_test_id(f"sd-device-{device}").evaluate("e => e.scrollIntoView()")
    page.screenshot(path="/tmp/settings-devices.png")

    manager = context.new_page()
    open_devices(manager, site, "manager")
    manager.get_by_test_id(f"sd-open-{device}").click()
    expect(manager.get_by_test_id(f"sd-printer-readonly-{device}")).to_contain_text(
        "Only an administrator can change the printer"
    )
    expect(manager.get_by_test_id(f"sd-transport-{device}")).to_be_disabled()
    expect(manager.get_by_test_id(f"sd-transport-{device}")).to_have_value("dummy")
    expect(manager.get_by_test_id(f"sd-printer-save-{device}")).to_have_count(0)
    expect(manager.get_by_test_id(f"sd-test-print-{device}")).to_have_count(0)
    assert axe_violations(manager) == [], describe(axe_violations(manager))
