"""Settings › Staff and Settings › Audit trail in the manager dashboard, and the forced password
change at sign-in on both staff screens, in real Chromium against a real server: what the
pages do is checked through the API."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import expect

from tests.ui.conftest import TIMEOUT_S, axe_violations, describe
from tests.ui.test_manager import sign_in
from tests.ui.test_teller import Staff

TEMP = "Temporary-123"
CHOSEN = "Own-choice-456"


def open_section(page: Any, key: str) -> None:
    page.get_by_test_id("tab-settings").click()
    page.get_by_test_id(f"settings-nav-{key}").click()
    expect(page.get_by_test_id(f"settings-nav-{key}")).to_have_attribute("aria-current", "page")


def login(site: Any, user: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{site.url}/api/v1/auth/login", json={"username": user, "password": password}, timeout=60
    )


def create_teller_in_ui(page: Any, username: str) -> None:
    page.get_by_test_id("users-add").click()
    form = page.get_by_test_id("user-form")
    form.get_by_test_id("user-username").fill(username)
    form.get_by_test_id("user-full-name").fill("Nine Teller")
    form.get_by_test_id("user-role").select_option("teller")
    form.get_by_test_id("user-branch").select_option("demo")
    form.get_by_test_id("user-password").fill(TEMP)
    expect(form.get_by_test_id("user-must-change")).to_be_checked()
    form.get_by_test_id("user-form-save").click()
    expect(page.get_by_test_id("user-form")).to_have_count(0)


def test_new_teller_chooses_a_password_then_the_audit_trail_shows_it(
    site: Any, context: Any
) -> None:
    api = Staff(site)
    page = context.new_page()
    sign_in(page, site, "admin")
    open_section(page, "users")
    expect(page.get_by_test_id("user-row-teller1")).to_be_visible()
    create_teller_in_ui(page, "teller9")
    row = page.get_by_test_id("user-row-teller9")
    expect(row).to_contain_text("Nine Teller")
    expect(row).to_contain_text("Must choose a new password")
    made = next(u for u in api.get("/api/v1/admin/users", "admin") if u["username"] == "teller9")
    assert (made["role"], made["branch"], made["must_change_password"]) == (
        "teller",
        "demo",
        True,
    )
    assert axe_violations(page) == [], describe(axe_violations(page))
    page.screenshot(path="/tmp/settings-users.png")

    # The new teller signs in at the counter console: a new password first, then the picker.
    teller = context.new_page()
    teller.goto(f"{site.url}/teller/")
    teller.get_by_test_id("login-username").fill("teller9")
    teller.get_by_test_id("login-password").fill(TEMP)
    teller.get_by_test_id("login-submit").click()
    dialog = teller.get_by_test_id("password-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text("Choose your own password")
    assert axe_violations(teller) == [], describe(axe_violations(teller))
    teller.screenshot(path="/tmp/password-dialog.png")
    # Checked beside the fields before anything is sent.
    dialog.get_by_test_id("pw-new-password").fill("short")
    dialog.get_by_test_id("pw-new-password-again").fill("other")
    dialog.get_by_test_id("pw-save").click()
    expect(dialog.locator("[data-error-for=new_password]")).to_have_text(
        "The new password needs at least 8 characters."
    )
    expect(dialog.locator("[data-error-for=new_password_again]")).to_be_visible()
    # The server's refusal (the same password again) beside its field.
    dialog.get_by_test_id("pw-new-password").fill(TEMP)
    dialog.get_by_test_id("pw-new-password-again").fill(TEMP)
    dialog.get_by_test_id("pw-save").click()
    expect(dialog.locator("[data-error-for=new_password]")).to_contain_text("must differ")
    dialog.get_by_test_id("pw-new-password").fill(CHOSEN)
    dialog.get_by_test_id("pw-new-password-again").fill(CHOSEN)
    dialog.get_by_test_id("pw-save").click()
    expect(teller.get_by_test_id("password-dialog")).to_have_count(0)
    expect(teller.get_by_test_id("counter-1")).to_be_visible()
    assert login(site, "teller9", TEMP).status_code == 401
    fresh = login(site, "teller9", CHOSEN)
    assert fresh.status_code == 200
    assert fresh.json()["must_change_password"] is False

    # The audit trail: the creation (by admin), the sign-in and the password change (by teller9).
    open_section(page, "audit")
    table = page.get_by_test_id("audit-table")
    created = table.locator("[data-action='user.created']", has_text="user teller9")
    expect(created).to_have_count(1)
    expect(created.locator(".audit-actor")).to_have_text("admin")
    expect(created).to_contain_text("role: teller")
    signed_in = table.locator("[data-action='sign_in']", has_text="user teller9").first
    expect(signed_in.locator(".audit-actor")).to_have_text("teller9")
    expect(signed_in).to_contain_text("Sign-in")
    changed = table.locator("[data-action='user.password_changed']")
    expect(changed).to_have_count(1)
    expect(changed.locator(".audit-actor")).to_have_text("teller9")
    expect(changed).to_contain_text("password_hash: (changed)")
    expect(page.get_by_test_id("audit-row").first.locator(".audit-zone")).not_to_be_empty()
    assert axe_violations(page) == [], describe(axe_violations(page))
    page.screenshot(path="/tmp/settings-audit.png")

    # Filter by kind: only password entries.
    page.get_by_test_id("audit-kind").select_option("password")
    expect(page.get_by_test_id("audit-count")).to_have_text("1 entry")
    expect(page.get_by_test_id("audit-row")).to_have_count(1)
    expect(page.get_by_test_id("audit-row")).to_have_attribute(
        "data-action", "user.password_changed"
    )
    page.get_by_test_id("audit-kind").select_option("")
    expect(page.locator("[data-action='user.created']")).not_to_have_count(0)

    with page.expect_download() as info:
        page.get_by_test_id("audit-csv").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    text = open(download.path(), encoding="utf-8").read()
    assert text.splitlines()[0].startswith("at_utc,branch,actor_kind,actor")
    lines = [line for line in text.splitlines() if "teller9" in line]
    assert any("user.created" in line and ",admin," in line for line in lines), lines
    assert any(",sign_in," in line and ",teller9," in line for line in lines), lines
    assert any("user.password_changed" in line for line in lines), lines


def test_a_reset_manager_chooses_a_password_at_the_dashboard(site: Any, context: Any) -> None:
    api = Staff(site)
    me = next(u for u in api.get("/api/v1/admin/users", "admin") if u["username"] == "manager")
    res = httpx.patch(
        f"{site.url}/api/v1/admin/users/{me['id']}",
        json={"password": TEMP, "must_change_password": True, "version": me["version"]},
        headers={"Authorization": f"Bearer {api.token('admin')}"},
        timeout=TIMEOUT_S,
    )
    assert res.status_code == 200, res.text
    page = context.new_page()
    page.goto(f"{site.url}/manager/")
    page.get_by_test_id("login-username").fill("manager")
    page.get_by_test_id("login-password").fill(TEMP)
    page.get_by_test_id("login-submit").click()
    dialog = page.get_by_test_id("password-dialog")
    expect(dialog).to_be_visible()
    assert axe_violations(page) == [], describe(axe_violations(page))
    dialog.get_by_test_id("pw-new-password").fill(CHOSEN)
    dialog.get_by_test_id("pw-new-password-again").fill(CHOSEN)
    dialog.get_by_test_id("pw-save").click()
    expect(page.get_by_test_id("live")).to_have_text("Live")
    expect(page.get_by_test_id("tab-settings")).to_be_visible()
    assert login(site, "manager", CHOSEN).json()["must_change_password"] is False


def test_the_manager_may_only_create_tellers(site: Any, context: Any) -> None:
    api = Staff(site)
    page = context.new_page()
    sign_in(page, site, "manager")
    open_section(page, "users")
    expect(page.get_by_test_id("user-row-teller1")).to_be_visible()
    expect(page.get_by_test_id("users-scope")).to_have_count(0)
    page.get_by_test_id("users-add").click()
    role = page.get_by_test_id("user-form").get_by_test_id("user-role")
    expect(role.locator("option")).to_have_count(1)
    expect(role.locator("option")).to_have_attribute("value", "teller")
    assert axe_violations(page) == [], describe(axe_violations(page))
    # The server refuses what the form does not offer.
    res = api.post(
        "/api/v1/admin/users",
        {"username": "boss2", "password": TEMP, "role": "manager", "branch": "demo"},
        user="manager",
    )
    assert res.status_code == 403, res.text
    # A teller made by the manager works.
    page.get_by_test_id("user-form-cancel").click()
    create_teller_in_ui(page, "teller8")
    expect(page.get_by_test_id("user-row-teller8")).to_be_visible()


def test_the_last_admin_cannot_be_demoted(site: Any, context: Any) -> None:
    page = context.new_page()
    sign_in(page, site, "admin")
    open_section(page, "users")
    page.get_by_test_id("users-scope").select_option("*")
    expect(page.get_by_test_id("user-row-admin")).to_be_visible()
    # Nobody disables their own account here.
    expect(page.get_by_test_id("user-toggle-admin")).to_have_count(0)
    page.get_by_test_id("user-edit-admin").click()
    form = page.get_by_test_id("user-form")
    form.get_by_test_id("user-role").select_option("manager")
    form.get_by_test_id("user-form-save").click()
    expect(form.get_by_test_id("user-form-error")).to_contain_text(
        "admin is the last active administrator"
    )
    assert Staff(site).get("/api/v1/auth/me", "admin")["role"] == "admin"


def test_edited_elsewhere_is_said_and_reload_offered(site: Any, context: Any) -> None:
    api = Staff(site)
    page = context.new_page()
    sign_in(page, site, "admin")
    open_section(page, "users")
    page.get_by_test_id("user-edit-teller3").click()
    user = next(u for u in api.get("/api/v1/admin/users", "admin") if u["username"] == "teller3")
    res = httpx.patch(
        f"{site.url}/api/v1/admin/users/{user['id']}",
        json={"full_name": "Changed Elsewhere", "version": user["version"]},
        headers={"Authorization": f"Bearer {api.token('admin')}"},
        timeout=TIMEOUT_S,
    )
    assert res.status_code == 200, res.text
    form = page.get_by_test_id("user-form")
    form.get_by_test_id("user-full-name").fill("Mine")
    form.get_by_test_id("user-form-save").click()
    expect(form.get_by_test_id("user-form-error")).to_contain_text("Someone else changed this")
    form.get_by_test_id("user-form-reload").click()
    expect(page.get_by_test_id("user-form").get_by_test_id("user-full-name")).to_have_value(
        "Changed Elsewhere"
    )
    page.get_by_test_id("user-form").get_by_test_id("user-full-name").fill("Mine")
    page.get_by_test_id("user-form").get_by_test_id("user-form-save").click()
    expect(page.get_by_test_id("user-row-teller3")).to_contain_text("Mine")


def test_reset_password_and_sign_out_everywhere(site: Any, context: Any) -> None:
    api = Staff(site)
    teller2 = api.token("teller2")
    page = context.new_page()
    sign_in(page, site, "admin")
    open_section(page, "users")

    page.get_by_test_id("user-reset-teller1").click()
    form = page.get_by_test_id("user-form")
    expect(form).to_contain_text("choose their own password")
    form.get_by_test_id("user-password").fill(TEMP)
    expect(form.get_by_test_id("user-must-change")).to_be_checked()
    form.get_by_test_id("user-form-save").click()
    expect(page.get_by_test_id("settings-toast")).to_contain_text("teller1 was reset")
    expect(page.get_by_test_id("user-row-teller1")).to_contain_text("Must choose a new password")
    assert login(site, "teller1", site.users["teller1"]).status_code == 401
    again = login(site, "teller1", TEMP)
    assert again.json()["must_change_password"] is True

    page.get_by_test_id("user-signout-teller2").click()
    confirm = page.get_by_test_id("settings-confirm")
    expect(confirm).to_contain_text("Sign teller2 out everywhere?")
    confirm.get_by_test_id("settings-confirm-ok").click()
    expect(page.get_by_test_id("settings-toast")).to_contain_text("teller2 was signed out")
    me = httpx.get(
        f"{site.url}/api/v1/auth/me", headers={"Authorization": f"Bearer {teller2}"}, timeout=60
    )
    assert me.status_code == 401

    # Disable, then enable again.
    page.get_by_test_id("user-toggle-teller4").click()
    page.get_by_test_id("settings-confirm").get_by_test_id("settings-confirm-ok").click()
    expect(page.get_by_test_id("user-row-teller4")).to_contain_text("Disabled")
    assert login(site, "teller4", site.users["teller4"]).status_code == 401
    page.get_by_test_id("user-toggle-teller4").click()
    expect(page.get_by_test_id("user-row-teller4")).to_contain_text("Active")
    assert login(site, "teller4", site.users["teller4"]).status_code == 200
