"""Settings › Branches: opening hours, closed dates and the logo (manager_ui/settings/hours.js,
logo.js), and Settings › Services: the cut-off before closing — in real Chromium against a
real server. What the form saves is what the API then holds; a wrong period is said beside
its day as it is typed and saves nothing; a logo the page can tell is wrong never leaves the
browser, and one the server refuses is refused beside the field."""

from __future__ import annotations

import io
import random
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.ui.conftest import axe_violations, describe, wait_until
from tests.ui.test_settings_config import Admin, error_for, open_section
from tests.ui.test_teller import TIMEOUT


def png(path: Path, width: int, height: int, *, noise: bool = False) -> Path:
    """A PNG of the given size (``noise``: random pixels, so it compresses poorly)."""
    image = Image.new("RGB", (width, height), (11, 58, 102))
    if noise:
        rnd = random.Random(7)
        image.putdata(
            [
                (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256))
                for _ in range(width * height)
            ]
        )
    buf = io.BytesIO()
    image.save(buf, "PNG")
    path.write_bytes(buf.getvalue())
    return path


def edit_branch(page: Any, site: Any) -> Any:
    open_section(page, site, "branches")
    page.get_by_test_id(f"br-edit-{site.branch}").click()
    form = page.get_by_test_id("br-form")
    expect(page.get_by_test_id("br-hours")).to_be_visible(timeout=TIMEOUT)
    return form


def sent(page: Any, method: str) -> list[str]:
    """The URLs of the requests the page sends with ``method`` from now on."""
    urls: list[str] = []
    page.on("request", lambda r: urls.append(r.url) if r.method == method else None)
    return urls


# --- opening hours and closed dates -----------------------------------------------------------


def test_hours_with_a_lunch_break_and_closed_dates_are_saved_and_read_back(
    site: Any, context: Any
) -> None:
    api = Admin(site)
    path = f"/api/v1/admin/branches/{site.branch}"
    assert api.read(path)["opening_hours"] is None
    page = context.new_page()
    edit_branch(page, site)

    # No hours yet: the switch says so and the week is out of the way.
    none = page.get_by_test_id("br-hours-none")
    expect(none).to_be_checked()
    expect(page.get_by_test_id("br-hours-days")).to_be_hidden()
    none.uncheck()
    expect(page.get_by_test_id("br-day-mon")).to_contain_text("Monday")
    expect(page.get_by_test_id("br-mon-to-0")).to_have_value("17:00")
    expect(page.get_by_test_id("br-sat-closed")).to_be_checked()

    # A lunch break splits Monday; then it is moved by typing.
    page.get_by_test_id("br-mon-break").click()
    expect(page.get_by_test_id("br-mon-to-0")).to_have_value("12:00")
    expect(page.get_by_test_id("br-mon-from-1")).to_have_value("13:00")
    expect(page.get_by_test_id("br-hours-status")).to_have_text(
        "Monday: open 09:00–12:00, 13:00–17:00."
    )
    page.get_by_test_id("br-mon-to-0").fill("12:30")
    page.get_by_test_id("br-mon-from-1").fill("13:30")
    page.get_by_test_id("br-mon-to-1").fill("17:30")
    page.get_by_test_id("br-hours-copy").click()
    expect(page.get_by_test_id("br-fri-from-1")).to_have_value("13:30")
    # Wednesday afternoons closed: its break removed, then the whole of Sunday closed.
    page.get_by_test_id("br-wed-remove-1").click()
    expect(page.get_by_test_id("br-wed-from-1")).to_have_count(0)
    page.get_by_test_id("br-wed-to-0").fill("12:30")
    page.get_by_test_id("br-sat-closed").uncheck()
    page.get_by_test_id("br-sat-to-0").fill("13:00")

    # Closed dates: added with the button or Enter (which does not submit the form), kept
    # sorted, shown in words, one removed again.
    date = page.get_by_test_id("br-closed-date")
    for day in ("2026-12-25", "2026-05-01"):
        date.fill(day)
        page.get_by_test_id("br-closed-add").click()
    date.fill("2026-01-01")
    date.press("Enter")
    expect(page.get_by_test_id("br-form")).to_be_visible()
    listed = page.get_by_test_id("br-closed-list").locator("li")
    expect(listed).to_have_count(3)
    assert listed.evaluate_all("(rows) => rows.map((r) => r.dataset.date)") == [
        "2026-01-01",
        "2026-05-01",
        "2026-12-25",
    ]
    expect(page.get_by_test_id("br-closed-2026-12-25")).to_contain_text("25 December 2026")
    date.fill("2026-05-01")
    page.get_by_test_id("br-closed-add").click()
    expect(page.get_by_test_id("br-closed-error")).to_have_text("This date is already in the list.")
    date.fill("")
    page.get_by_test_id("br-closed-remove-2026-05-01").click()
    expect(listed).to_have_count(2)
    expect(page.get_by_test_id("br-closed-status")).to_contain_text("removed")

    page.get_by_test_id("br-save").click()
    expect(page.get_by_test_id("settings-toast")).to_have_text("Saved.")
    branch = api.read(path)
    lunch = [["09:00", "12:30"], ["13:30", "17:30"]]
    assert branch["opening_hours"] == {
        "mon": lunch,
        "tue": lunch,
        "wed": [["09:00", "12:30"]],
        "thu": lunch,
        "fri": lunch,
        "sat": [["09:00", "13:00"]],
        "sun": [],
    }
    assert branch["closed_dates"] == ["2026-01-01", "2026-12-25"]

    # Read back: the form, opened again from the server's list, shows what was saved.
    page.get_by_test_id(f"br-edit-{site.branch}").click()
    expect(page.get_by_test_id("br-hours-none")).not_to_be_checked()
    expect(page.get_by_test_id("br-tue-from-1")).to_have_value("13:30")
    expect(page.get_by_test_id("br-wed-from-1")).to_have_count(0)
    expect(page.get_by_test_id("br-sun-closed")).to_be_checked()
    expect(page.get_by_test_id("br-sun-from-0")).to_have_count(0)
    expect(page.get_by_test_id("br-closed-list").locator("li")).to_have_count(2)

    # Back to no hours: null in the API, and the dates stay.
    page.get_by_test_id("br-hours-none").check()
    page.get_by_test_id("br-save").click()
    expect(page.get_by_test_id("settings-toast")).to_have_text("Saved.")
    branch = api.read(path)
    assert branch["opening_hours"] is None
    assert branch["closed_dates"] == ["2026-01-01", "2026-12-25"]


def test_a_wrong_period_is_said_beside_its_day_and_nothing_is_saved(
    site: Any, context: Any
) -> None:
    api = Admin(site)
    path = f"/api/v1/admin/branches/{site.branch}"
    before = api.read(path)
    page = context.new_page()
    edit_branch(page, site)
    page.get_by_test_id("br-hours-none").uncheck()

    # As typed: an end before its start, beside Tuesday, linked to the input at fault.
    until = page.get_by_test_id("br-tue-to-0")
    until.fill("08:00")
    error = page.get_by_test_id("br-tue-error")
    expect(error).to_have_text("A period must end after it starts (09:00–08:00).")
    expect(until).to_have_attribute("aria-invalid", "true")
    error_id = error.get_attribute("id")
    expect(until).to_have_attribute("aria-describedby", error_id)
    expect(page.get_by_test_id("br-mon-error")).to_be_hidden()

    # Two periods that overlap, and two that meet.
    page.get_by_test_id("br-thu-break").click()
    page.get_by_test_id("br-thu-from-1").fill("11:00")
    expect(page.get_by_test_id("br-thu-error")).to_have_text(
        "The periods 09:00–12:00 and 11:00–17:00 overlap."
    )
    page.get_by_test_id("br-thu-from-1").fill("12:00")
    expect(page.get_by_test_id("br-thu-error")).to_contain_text("make them one period, 09:00–17:00")

    # Saving sends nothing and puts the cursor on the first wrong time.
    patches = sent(page, "PATCH")
    page.get_by_test_id("br-save").click()
    expect(until).to_be_focused()
    expect(error).to_be_visible()
    page.wait_for_timeout(300)
    assert patches == []
    assert api.read(path)["version"] == before["version"]

    # Mended: the messages go as the times are corrected, and the save goes through.
    until.fill("16:00")
    expect(error).to_be_hidden()
    expect(until).not_to_have_attribute("aria-invalid", "true")
    page.get_by_test_id("br-thu-remove-1").click()
    expect(page.get_by_test_id("br-thu-error")).to_be_hidden()
    page.get_by_test_id("br-save").click()
    expect(page.get_by_test_id("settings-toast")).to_have_text("Saved.")
    assert api.read(path)["opening_hours"]["tue"] == [["09:00", "16:00"]]


def test_every_day_closed_is_refused_before_saving(site: Any, context: Any) -> None:
    page = context.new_page()
    edit_branch(page, site)
    page.get_by_test_id("br-hours-none").uncheck()
    for day in ("mon", "tue", "wed", "thu", "fri"):
        page.get_by_test_id(f"br-{day}-closed").check()
    patches = sent(page, "PATCH")
    page.get_by_test_id("br-save").click()
    expect(page.get_by_test_id("br-hours-error")).to_contain_text(
        "Every day is closed, so the kiosks would never issue tickets"
    )
    page.wait_for_timeout(300)
    assert patches == []


# --- service cut-off --------------------------------------------------------------------------


def test_service_cut_off_is_set_in_minutes_and_cleared(site: Any, context: Any) -> None:
    api = Admin(site)
    svc_path = f"/api/v1/admin/branches/{site.branch}/services/A"
    page = context.new_page()
    open_section(page, site, "services")
    page.get_by_test_id("svc-edit-A").click()
    form = page.get_by_test_id("svc-form")
    cutoff = page.get_by_test_id("svc-cutoff")
    expect(cutoff).to_have_value("", timeout=TIMEOUT)
    # The branch has no opening hours: the field says it has nothing to count from.
    note = page.get_by_test_id("svc-cutoff-no-hours")
    expect(note).to_contain_text("This branch has no opening hours")
    assert note.get_attribute("id") in (cutoff.get_attribute("aria-describedby") or "")

    cutoff.fill("800")
    cutoff.blur()
    expect(error_for(form, "cutoff_min")).to_have_text(
        "Enter whole minutes from 0 to 720, or leave it empty for no cut-off."
    )
    cutoff.fill("30")
    expect(error_for(form, "cutoff_min")).to_be_hidden()
    page.get_by_test_id("svc-save").click()
    expect(page.get_by_test_id("svc-cutoff-A")).to_have_text("last ticket 30 min before closing")
    assert api.read(svc_path)["cutoff_min"] == 30

    # With opening hours the note goes; emptied, the cut-off is none again (null).
    branch = api.read(f"/api/v1/admin/branches/{site.branch}")
    res = api.call(
        "PATCH",
        f"/api/v1/admin/branches/{site.branch}",
        {"opening_hours": {"mon": [["09:00", "17:00"]]}, "version": branch["version"]},
    )
    assert res.status_code == 200, res.text
    page.get_by_test_id("settings-nav-branches").click()
    page.get_by_test_id("settings-nav-services").click()
    page.get_by_test_id("svc-edit-A").click()
    expect(page.get_by_test_id("svc-cutoff")).to_have_value("30", timeout=TIMEOUT)
    expect(page.get_by_test_id("svc-cutoff-no-hours")).to_have_count(0)
    page.get_by_test_id("svc-cutoff").fill("")
    page.get_by_test_id("svc-save").click()
    expect(page.get_by_test_id("svc-cutoff-A")).to_have_count(0)
    assert api.read(svc_path)["cutoff_min"] is None


# --- logo ---------------------------------------------------------------------------------------


def test_logo_is_uploaded_shown_and_removed(site: Any, context: Any, tmp_path: Path) -> None:
    api = Admin(site)
    path = f"/api/v1/admin/branches/{site.branch}"
    page = context.new_page()
    edit_branch(page, site)
    expect(page.get_by_test_id("br-logo-preview")).to_have_text("No logo yet.")
    expect(page.get_by_test_id("br-logo-remove")).to_be_hidden()

    page.get_by_test_id("br-logo-file").set_input_files(png(tmp_path / "wide.png", 320, 120))
    expect(page.get_by_test_id("br-logo-status")).to_have_text("Logo saved.")
    img = page.get_by_test_id("br-logo-img")
    expect(img).to_have_attribute("alt", "Current logo of Sira Demo Bank, Central Branch")
    # Loaded under the page's CSP, from the address the server gives.
    wait_until(page, "document.querySelector('[data-testid=br-logo-img]').naturalWidth > 0")
    url = api.read(path)["logo_url"]
    assert url
    assert url.startswith(f"/api/v1/branches/{site.branch}/logo")
    assert img.get_attribute("src") == url

    # The upload changed the branch's version; the form still saves (it was its own change).
    page.get_by_test_id("br-message").fill("Welcome")
    page.get_by_test_id("br-save").click()
    expect(page.get_by_test_id("settings-toast")).to_have_text("Saved.")
    assert api.read(path)["message"] == "Welcome"

    # Removed, after saying what that does; cancelling first keeps it.
    page.get_by_test_id(f"br-edit-{site.branch}").click()
    page.get_by_test_id("br-logo-remove").click()
    dialog = page.get_by_test_id("settings-confirm")
    expect(dialog).to_contain_text("The kiosks and call displays stop showing it")
    dialog.get_by_role("button", name="Cancel").click()
    assert api.read(path)["logo_url"] == url
    page.get_by_test_id("br-logo-remove").click()
    page.get_by_test_id("settings-confirm-ok").click()
    expect(page.get_by_test_id("br-logo-status")).to_have_text("Logo removed.")
    expect(page.get_by_test_id("br-logo-preview")).to_have_text("No logo yet.")
    assert api.read(path)["logo_url"] is None


def test_a_logo_taller_than_wide_never_leaves_the_browser(
    site: Any, context: Any, tmp_path: Path
) -> None:
    api = Admin(site)
    page = context.new_page()
    edit_branch(page, site)
    puts = sent(page, "PUT")
    field = page.get_by_test_id("br-logo-file")
    field.set_input_files(png(tmp_path / "tall.png", 100, 300))
    error = page.get_by_test_id("br-logo-error")
    expect(error).to_have_text(
        "This image is taller than it is wide (100×300 px). "
        "Use a landscape or square version of the logo."
    )
    expect(field).to_have_attribute("aria-invalid", "true")
    assert error.get_attribute("id") in (field.get_attribute("aria-describedby") or "")
    # Not an image at all, and too large: said before sending too.
    (tmp_path / "notes.png").write_bytes(b"not a picture")
    field.set_input_files(tmp_path / "notes.png")
    expect(error).to_contain_text("could not be read as an image")
    field.set_input_files(png(tmp_path / "big.png", 700, 600, noise=True))
    expect(error).to_contain_text("a logo may be at most 1 MB")
    page.wait_for_timeout(300)
    assert puts == []
    assert api.read(f"/api/v1/admin/branches/{site.branch}")["logo_url"] is None


def test_a_logo_the_server_refuses_is_refused_beside_the_field(
    site: Any, context: Any, tmp_path: Path
) -> None:
    """A damaged PNG: the browser shows what it can of it, the server will not store it."""
    api = Admin(site)
    whole = png(tmp_path / "whole.png", 300, 100, noise=True).read_bytes()
    damaged = tmp_path / "damaged.png"
    damaged.write_bytes(whole[: len(whole) // 2])
    page = context.new_page()
    edit_branch(page, site)
    field = page.get_by_test_id("br-logo-file")
    field.set_input_files(damaged)
    error = page.get_by_test_id("br-logo-error")
    expect(error).to_have_text("The image could not be read: is the file damaged?")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()
    expect(page.get_by_test_id("br-logo-preview")).to_have_text("No logo yet.")
    assert api.read(f"/api/v1/admin/branches/{site.branch}")["logo_url"] is None


# --- in another language, and accessibility -----------------------------------------------------


def test_the_hours_form_in_polish(site: Any, context: Any) -> None:
    api = Admin(site)
    page = context.new_page()
    open_section(page, site, "branches")
    page.get_by_test_id("lang-select").select_option("pl")
    page.get_by_test_id(f"br-edit-{site.branch}").click()
    expect(page.get_by_test_id("br-hours")).to_contain_text("Godziny otwarcia", timeout=TIMEOUT)
    page.get_by_test_id("br-hours-none").uncheck()
    # Weekday names from the browser's calendar, in Polish, Monday first.
    legends = page.get_by_test_id("br-hours-days").locator("legend")
    expect(legends).to_have_text(
        ["Poniedziałek", "Wtorek", "Środa", "Czwartek", "Piątek", "Sobota", "Niedziela"]
    )
    expect(page.get_by_test_id("br-mon-break")).to_have_text("Dodaj przerwę")
    page.get_by_test_id("br-mon-to-0").fill("08:30")
    expect(page.get_by_test_id("br-mon-error")).to_have_text(
        "Przedział musi kończyć się po swoim początku (09:00–08:30)."
    )
    page.get_by_test_id("br-mon-to-0").fill("16:00")
    page.get_by_test_id("br-closed-date").fill("2026-11-11")
    page.get_by_test_id("br-closed-add").click()
    expect(page.get_by_test_id("br-closed-2026-11-11")).to_contain_text("11 listopada 2026")
    expect(page.get_by_test_id("br-closed-remove-2026-11-11")).to_have_attribute(
        "aria-label", "Usuń środa, 11 listopada 2026"
    )
    expect(page.get_by_test_id("br-logo")).to_contain_text("Logo oddziału")
    page.get_by_test_id("br-save").click()
    expect(page.get_by_test_id("settings-toast")).to_have_text("Zapisano.")
    branch = api.read(f"/api/v1/admin/branches/{site.branch}")
    assert branch["opening_hours"]["mon"] == [["09:00", "16:00"]]
    assert branch["closed_dates"] == ["2026-11-11"]

    page.get_by_test_id("settings-nav-services").click()
    page.get_by_test_id("svc-edit-B").click()
    expect(page.get_by_test_id("svc-form")).to_contain_text(
        "Koniec wydawania przed zamknięciem (minuty)", timeout=TIMEOUT
    )
    # The branch has hours now: no note.
    expect(page.get_by_test_id("svc-cutoff-no-hours")).to_have_count(0)
    page.get_by_test_id("lang-select").select_option("en")  # leave the stored choice English


@pytest.mark.parametrize("width", [1366, 390])
def test_hours_dates_and_logo_pass_axe(site: Any, context: Any, tmp_path: Path, width: int) -> None:
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": 800})
    edit_branch(page, site)
    page.get_by_test_id("br-hours-none").uncheck()
    page.get_by_test_id("br-mon-break").click()
    page.get_by_test_id("br-tue-to-0").fill("08:00")  # an error showing
    page.get_by_test_id("br-closed-date").fill("2026-12-25")
    page.get_by_test_id("br-closed-add").click()
    page.get_by_test_id("br-logo-file").set_input_files(png(tmp_path / "logo.png", 200, 80))
    expect(page.get_by_test_id("br-logo-img")).to_be_visible()
    violations = axe_violations(page)
    assert violations == [], describe(violations)

    # Each part reachable from the keyboard: Tab moves from Monday's Closed into its times.
    page.get_by_test_id("br-mon-closed").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_test_id("br-mon-from-0")).to_be_focused()

    page.get_by_test_id("settings-nav-services").click()
    page.get_by_test_id("svc-edit-A").click()
    expect(page.get_by_test_id("svc-cutoff-no-hours")).to_be_visible(timeout=TIMEOUT)
    violations = axe_violations(page)
    assert violations == [], describe(violations)
