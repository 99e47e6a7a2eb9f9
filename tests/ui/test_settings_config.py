"""Settings › Branches, Services and Counters (manager_ui/settings/{branches,services,counters}.js)
in real Chromium against a real server: what the forms save is what the API then holds;
errors show beside their field as the user types and when the server refuses; a concurrent
edit is refused and said so; deletes ask first and show the server's refusal."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.ui.conftest import axe_violations, describe
from tests.ui.test_teller import TIMEOUT, Staff


class Admin(Staff):
    """The admin API as the tests drive it next to the browser."""

    def call(self, method: str, path: str, body: Any = None) -> httpx.Response:
        return self.http.request(
            method, path, json=body, headers={"Authorization": f"Bearer {self.token('admin')}"}
        )

    def read(self, path: str) -> Any:
        res = self.call("GET", path)
        res.raise_for_status()
        return res.json()


def open_section(page: Any, site: Any, section: str) -> None:
    page.goto(f"{site.url}/manager/")
    page.get_by_test_id("login-username").fill("admin")
    page.get_by_test_id("login-password").fill(site.users["admin"])
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("tab-settings").click()
    page.get_by_test_id(f"settings-nav-{section}").click()
    expect(page.get_by_test_id("settings-body")).to_have_attribute("data-section", section)


def error_for(form: Any, field: str) -> Any:
    return form.locator(f'[data-error-for="{field}"]')


# --- services ---------------------------------------------------------------------------------


def test_new_service_names_two_languages_and_flags_the_others(site: Any, context: Any) -> None:
    api = Admin(site)
    page = context.new_page()
    open_section(page, site, "services")
    expect(page.get_by_test_id("svc-row-A")).to_be_visible(timeout=TIMEOUT)

    page.get_by_test_id("svc-new").click()
    form = page.get_by_test_id("svc-form")
    page.get_by_test_id("svc-code").fill("d")
    expect(page.get_by_test_id("svc-code")).to_have_value("D")
    # The demo branch speaks en, tr, el and pl: every empty one is flagged, not filled in.
    for lang in ("en", "tr", "el", "pl"):
        expect(page.get_by_test_id(f"svc-missing-{lang}")).to_be_visible()
    page.get_by_test_id("svc-name-en").fill("Foreign exchange")
    page.get_by_test_id("svc-name-tr").fill("Döviz işlemleri")
    expect(page.get_by_test_id("svc-missing-en")).to_be_hidden()
    expect(page.get_by_test_id("svc-missing-tr")).to_be_hidden()
    expect(page.get_by_test_id("svc-missing-el")).to_have_text("Missing translation")
    expect(page.get_by_test_id("svc-missing-pl")).to_be_visible()
    page.get_by_test_id("svc-wait").fill("8")
    page.get_by_test_id("svc-service").fill("4.5")
    page.get_by_test_id("svc-save").click()

    expect(page.get_by_test_id("settings-toast")).to_have_text("Saved.")
    expect(form).to_have_count(0)
    row = page.get_by_test_id("svc-row-D")
    expect(row).to_contain_text("Döviz işlemleri")
    expect(page.get_by_test_id("svc-row-missing-D-el")).to_have_text("Missing translation")
    expect(page.get_by_test_id("svc-row-missing-D-pl")).to_be_visible()
    svc = api.read(f"/api/v1/admin/branches/{site.branch}/services/D")
    # Never silently English: the missing languages are absent, not copies.
    assert svc["names"] == {"en": "Foreign exchange", "tr": "Döviz işlemleri"}
    assert (svc["standard_wait_s"], svc["standard_service_s"]) == (480, 270)


def test_standard_is_edited_in_minutes_and_stored_in_seconds(site: Any, context: Any) -> None:
    api = Admin(site)
    page = context.new_page()
    open_section(page, site, "services")
    expect(page.get_by_test_id("svc-wait-A")).to_have_text("call within 10 min", timeout=TIMEOUT)
    page.get_by_test_id("svc-edit-A").click()
    expect(page.get_by_test_id("svc-wait")).to_have_value("10")
    expect(page.get_by_test_id("svc-service")).to_have_value("4")
    page.get_by_test_id("svc-wait").fill("12.5")
    page.get_by_test_id("svc-save").click()
    expect(page.get_by_test_id("svc-wait-A")).to_have_text("call within 12.5 min")
    svc = api.read(f"/api/v1/admin/branches/{site.branch}/services/A")
    assert svc["standard_wait_s"] == 750
    assert svc["standard_service_s"] == 240


def test_errors_show_beside_their_field_as_typed_and_from_the_server(
    site: Any, context: Any
) -> None:
    api = Admin(site)
    page = context.new_page()
    open_section(page, site, "services")
    expect(page.get_by_test_id("svc-row-A")).to_be_visible(timeout=TIMEOUT)
    page.get_by_test_id("svc-new").click()
    form = page.get_by_test_id("svc-form")

    # As the user types (once they have left the field): beside the field, named by it.
    code = page.get_by_test_id("svc-code")
    code.fill("1X")
    code.blur()
    expect(error_for(form, "code")).to_contain_text("capital letter")
    expect(code).to_have_attribute("aria-invalid", "true")
    code.fill("A")
    expect(error_for(form, "code")).to_have_text(
        "This branch already has a service with this code."
    )
    code.fill("E")
    expect(error_for(form, "code")).to_be_hidden()
    expect(code).not_to_have_attribute("aria-invalid", "true")
    wait = page.get_by_test_id("svc-wait")
    wait.fill("0")
    wait.blur()
    expect(error_for(form, "standard_wait_s")).to_have_text("Enter minutes between 0.5 and 1440.")
    wait.fill("9")
    expect(error_for(form, "standard_wait_s")).to_be_hidden()

    # Submitting with no name at all: refused before sending, beside the names.
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.get_by_test_id("svc-save").click()
    expect(error_for(form, "names")).to_have_text("Enter a name in at least one language.")
    assert posts == []

    # From the server: someone created E meanwhile; its refusal lands beside the code.
    created = api.call(
        "POST",
        f"/api/v1/admin/branches/{site.branch}/services",
        {"code": "E", "names": {"en": "Elsewhere"}},
    )
    assert created.status_code == 201, created.text
    page.get_by_test_id("svc-name-en").fill("Mine")
    page.get_by_test_id("svc-save").click()
    expect(error_for(form, "code")).to_have_text("This is already in use here: choose another.")
    # A failed save changes nothing: the form keeps what was typed, the list is not redrawn.
    expect(page.get_by_test_id("svc-name-en")).to_have_value("Mine")
    expect(page.get_by_test_id("svc-row-E")).to_have_count(0)
    svc = api.read(f"/api/v1/admin/branches/{site.branch}/services/E")
    assert svc["names"] == {"en": "Elsewhere"}


def test_a_server_refusal_is_said_in_the_users_language(site: Any, context: Any) -> None:
    """The server's problems carry a type (and their limits): the form says them in
    Turkish, though the server's own sentence is English."""
    api = Admin(site)
    page = context.new_page()
    page.add_init_script("localStorage.setItem('sira.manager.lang', 'tr')")
    open_section(page, site, "services")
    expect(page.get_by_test_id("svc-row-A")).to_be_visible(timeout=TIMEOUT)
    page.get_by_test_id("svc-new").click()
    form = page.get_by_test_id("svc-form")
    page.get_by_test_id("svc-code").fill("F")
    page.get_by_test_id("svc-name-tr").fill("Fon işlemleri")
    created = api.call(
        "POST",
        f"/api/v1/admin/branches/{site.branch}/services",
        {"code": "F", "names": {"en": "Funds"}},
    )
    assert created.status_code == 201, created.text
    page.get_by_test_id("svc-save").click()
    expect(error_for(form, "code")).to_have_text("Bu zaten kullanılıyor: başka bir değer seçin.")
    expect(page.get_by_test_id("svc-code")).to_have_attribute("aria-invalid", "true")


def test_a_concurrent_edit_is_refused_and_the_other_change_kept(site: Any, context: Any) -> None:
    api = Admin(site)
    page = context.new_page()
    open_section(page, site, "services")
    page.get_by_test_id("svc-edit-B").click()
    expect(page.get_by_test_id("svc-wait")).to_have_value("15", timeout=TIMEOUT)
    path = f"/api/v1/admin/branches/{site.branch}/services/B"
    version = api.read(path)["version"]

    # Someone else saves B while the form is open.
    other = api.call("PATCH", path, {"standard_service_s": 480, "version": version})
    assert other.status_code == 200, other.text

    page.get_by_test_id("svc-wait").fill("7")
    page.get_by_test_id("svc-save").click()
    expect(page.get_by_test_id("svc-form-error")).to_contain_text(
        "Someone else changed this while you were editing it"
    )
    expect(page.get_by_test_id("svc-wait")).to_have_value("7")
    svc = api.read(path)
    assert svc["standard_service_s"] == 480
    assert svc["standard_wait_s"] == 900
    assert svc["version"] == version + 1

    # Offered: reload the row, see their change, make ours again.
    page.get_by_test_id("svc-reload").click()
    expect(page.get_by_test_id("svc-service")).to_have_value("8")
    expect(page.get_by_test_id("svc-wait")).to_have_value("15")
    expect(page.get_by_test_id("svc-form-error")).to_be_hidden()
    page.get_by_test_id("svc-wait").fill("7")
    page.get_by_test_id("svc-save").click()
    expect(page.get_by_test_id("settings-toast")).to_have_text("Saved.")
    svc = api.read(path)
    assert (svc["standard_wait_s"], svc["standard_service_s"]) == (420, 480)


def test_active_toggle_and_retiring_a_service_with_history(site: Any, context: Any) -> None:
    api = Admin(site)
    api.issue("C")
    # C is still served by counter 4: the server says so, and the page shows it.
    page = context.new_page()
    open_section(page, site, "services")
    page.get_by_test_id("svc-toggle-C").click()
    expect(page.get_by_test_id("svc-status-C")).to_have_text("Inactive", timeout=TIMEOUT)
    assert api.read(f"/api/v1/admin/branches/{site.branch}/services/C")["active"] is False

    page.get_by_test_id("svc-delete-C").click()
    dialog = page.get_by_test_id("settings-confirm")
    expect(dialog).to_contain_text("its history stays in the reports")
    page.get_by_test_id("settings-confirm-ok").click()
    expect(page.get_by_test_id("svc-alert")).to_contain_text("still served by a counter")
    expect(page.get_by_test_id("svc-row-C")).to_be_visible()


# --- counters ---------------------------------------------------------------------------------


def test_counter_services_are_reordered_with_buttons(site: Any, context: Any) -> None:
    api = Admin(site)
    counter = api.counter_id("1")
    page = context.new_page()
    open_section(page, site, "counters")
    expect(page.get_by_test_id("ctr-services-1")).to_contain_text(
        "Cash and deposits", timeout=TIMEOUT
    )
    page.get_by_test_id("ctr-edit-1").click()
    chosen = page.get_by_test_id("ctr-chosen").locator("li")
    expect(chosen).to_have_count(2)
    expect(page.get_by_test_id("ctr-up-A")).to_be_disabled()

    page.get_by_test_id("ctr-add-C").click()
    expect(chosen).to_have_count(3)
    # From the keyboard: focus stays on the moved service's button, each move is announced.
    expect(page.get_by_test_id("ctr-up-C")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("ctr-order-status")).to_have_text(
        "C — Loans and investments is now number 2 of 3."
    )
    expect(page.get_by_test_id("ctr-up-C")).to_be_focused()
    page.keyboard.press("Space")
    expect(chosen.nth(0)).to_contain_text("C — Loans")
    page.get_by_test_id("ctr-down-A").click()
    expect(chosen.nth(1)).to_contain_text("B — Accounts")
    expect(chosen.nth(2)).to_contain_text("A — Cash")
    page.get_by_test_id("ctr-save").click()

    expect(page.get_by_test_id("settings-toast")).to_have_text("Saved.")
    listed = page.get_by_test_id("ctr-services-1").locator("li")
    expect(listed).to_have_text(
        ["C — Loans and investments", "B — Accounts and cards", "A — Cash and deposits"]
    )
    row = api.read(f"/api/v1/admin/branches/{site.branch}/counters/{counter}")
    assert row["services"] == ["C", "B", "A"]


def test_counter_is_created_and_deleted_after_a_confirmation(site: Any, context: Any) -> None:
    api = Admin(site)
    page = context.new_page()
    open_section(page, site, "counters")
    expect(page.get_by_test_id("ctr-row-4")).to_be_visible(timeout=TIMEOUT)
    page.get_by_test_id("ctr-new").click()
    form = page.get_by_test_id("ctr-form")
    page.get_by_test_id("ctr-save").click()
    expect(error_for(form, "label")).to_have_text("Enter a label (up to 32 characters).")
    expect(error_for(form, "services")).to_have_text("Choose at least one service.")
    page.get_by_test_id("ctr-label").fill("9")
    page.get_by_test_id("ctr-add-B").click()
    expect(error_for(form, "services")).to_be_hidden()
    page.get_by_test_id("ctr-save").click()
    expect(page.get_by_test_id("ctr-row-9")).to_be_visible()
    path = f"/api/v1/admin/branches/{site.branch}/counters"
    assert [c["services"] for c in api.read(path) if c["label"] == "9"] == [["B"]]

    # Cancelled: nothing happens.
    page.get_by_test_id("ctr-delete-9").click()
    dialog = page.get_by_test_id("settings-confirm")
    expect(dialog).to_contain_text("must be closed before it is deleted")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_test_id("ctr-row-9")).to_be_visible()

    page.get_by_test_id("ctr-delete-9").click()
    page.get_by_test_id("settings-confirm-ok").click()
    expect(page.get_by_test_id("ctr-row-9")).to_have_count(0)
    expect(page.get_by_test_id("settings-toast")).to_have_text("Counter 9 deleted.")
    assert all(c["label"] != "9" for c in api.read(path))

    # An open counter: the server's sentence, as it says it.
    counter = api.counter_id("2")
    assert api.post(f"/api/v1/counters/{counter}/open", user="teller2").status_code == 200
    page.get_by_test_id("ctr-delete-2").click()
    page.get_by_test_id("settings-confirm-ok").click()
    expect(page.get_by_test_id("ctr-alert")).to_have_text("counter 2 is open; close it first")
    expect(page.get_by_test_id("ctr-row-2")).to_be_visible()


# --- branches ---------------------------------------------------------------------------------


def test_branch_ordering_settings_are_edited(site: Any, context: Any) -> None:
    api = Admin(site)
    path = f"/api/v1/admin/branches/{site.branch}"
    page = context.new_page()
    open_section(page, site, "branches")
    page.get_by_test_id(f"br-edit-{site.branch}").click()
    form = page.get_by_test_id("br-form")
    expect(page.get_by_test_id("br-order_mode")).to_be_visible(timeout=TIMEOUT)

    page.get_by_test_id("br-order_mode").select_option("service_order")
    expect(page.get_by_test_id("br-order_mode-hint")).to_contain_text(
        "The counter's first service is emptied first"
    )
    page.get_by_test_id("br-priority_mode").select_option("ratio")
    ratio = page.get_by_test_id("br-priority_ratio")
    expect(ratio).to_be_visible()
    ratio.fill("30")
    ratio.blur()
    expect(error_for(form, "priority_ratio")).to_have_text("Enter a whole number from 1 to 20.")
    ratio.fill("3")
    expect(error_for(form, "priority_ratio")).to_be_hidden()
    page.get_by_test_id("br-max_wait").fill("25")
    page.get_by_test_id("br-transfer_placement").select_option("arrival")
    page.get_by_test_id("br-keep_waiting").check()
    page.get_by_test_id("br-message").fill("Open 9:00–17:00")
    page.get_by_test_id("br-save").click()
    expect(page.get_by_test_id("settings-toast")).to_have_text("Saved.")

    branch = api.read(path)
    assert branch["order_mode"] == "service_order"
    assert branch["priority_mode"] == "ratio"
    assert branch["priority_ratio"] == 3
    assert branch["max_wait_s"] == 1500
    assert branch["transfer_placement"] == "arrival"
    assert branch["keep_waiting_at_close"] is True
    assert branch["message"] == "Open 9:00–17:00"

    # Minutes on screen; empty is "no cap" (null in the API). Strict hides the ratio.
    page.get_by_test_id(f"br-edit-{site.branch}").click()
    expect(page.get_by_test_id("br-max_wait")).to_have_value("25")
    page.get_by_test_id("br-max_wait").fill("")
    page.get_by_test_id("br-priority_mode").select_option("strict")
    expect(page.get_by_test_id("br-priority_ratio")).to_be_hidden()
    page.get_by_test_id("br-save").click()
    expect(form).to_have_count(0)
    branch = api.read(path)
    assert branch["max_wait_s"] is None
    assert branch["priority_mode"] == "strict"


def test_branch_timezone_refused_beside_its_field(site: Any, context: Any) -> None:
    page = context.new_page()
    open_section(page, site, "branches")
    page.get_by_test_id(f"br-edit-{site.branch}").click()
    form = page.get_by_test_id("br-form")
    zone = page.get_by_test_id("br-timezone")
    expect(zone).to_have_value("Europe/Istanbul", timeout=TIMEOUT)
    zone.fill("Mars/Olympus")
    zone.blur()
    expect(error_for(form, "timezone")).to_contain_text("Choose a time zone from the list")
    zone.fill("Europe/Warsaw")
    expect(error_for(form, "timezone")).to_be_hidden()
    # Unticking every language: the default has nothing to be, and saying so is immediate.
    for lang in ("en", "tr", "el", "pl"):
        page.get_by_test_id(f"br-lang-{lang}").uncheck()
    expect(error_for(form, "languages")).to_have_text("Choose at least one language.")


def test_a_branch_with_history_is_not_deleted_and_the_server_says_why(
    site: Any, context: Any
) -> None:
    api = Admin(site)
    api.issue("A")
    page = context.new_page()
    open_section(page, site, "branches")
    page.get_by_test_id(f"br-delete-{site.branch}").click()
    dialog = page.get_by_test_id("settings-confirm")
    expect(dialog).to_contain_text("cannot be deleted")
    expect(dialog).to_contain_text("close it instead")
    page.get_by_test_id("settings-confirm-ok").click()
    expect(page.get_by_test_id("br-alert")).to_have_text(
        f"branch {site.branch} has ticket history; close it (is_open=false) instead"
    )
    assert api.read(f"/api/v1/admin/branches/{site.branch}")["code"] == site.branch

    # A new branch (admin), then deleted: it had no tickets.
    page.get_by_test_id("br-new").click()
    page.get_by_test_id("br-code").fill("north")
    page.get_by_test_id("br-name").fill("North Branch")
    page.get_by_test_id("br-timezone").fill("Europe/Athens")
    page.get_by_test_id("br-lang-el").check()
    page.get_by_test_id("br-default").select_option("el")
    page.get_by_test_id("br-save").click()
    expect(page.get_by_test_id("br-row-north")).to_contain_text("Ελληνικά (default)")
    created = api.read("/api/v1/admin/branches/north")
    assert created["languages"] == ["en", "el"]
    assert created["default_lang"] == "el"
    page.get_by_test_id("br-delete-north").click()
    page.get_by_test_id("settings-confirm-ok").click()
    expect(page.get_by_test_id("br-row-north")).to_have_count(0)
    assert api.call("GET", "/api/v1/admin/branches/north").status_code == 404


# --- accessibility ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "open_form"),
    [("branches", "br-edit-demo"), ("services", "svc-edit-A"), ("counters", "ctr-edit-1")],
)
def test_sections_pass_axe(site: Any, context: Any, section: str, open_form: str) -> None:
    page = context.new_page()
    open_section(page, site, section)
    page.get_by_test_id(open_form).click()
    expect(page.locator(".cfg-form")).to_be_visible(timeout=TIMEOUT)
    violations = axe_violations(page)
    assert violations == [], describe(violations)
