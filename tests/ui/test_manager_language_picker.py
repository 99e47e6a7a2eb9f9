"""The manager dashboard's language picker (ui_common/langpick.js) in real Chromium: it lists
the languages the dashboard's dictionary has, each in its own language; choosing Turkish turns
the dashboard Turkish at once, is remembered across a reload and saved for the person on the
server; a language saved on the server is taken at sign-in."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.ui.test_manager import sign_in
from tests.ui.test_teller import TIMEOUT
from tests.ui.test_teller_languages import saves, server_says

OWN_NAMES = {"en": "English", "tr": "Türkçe", "el": "Ελληνικά", "pl": "Polski"}


def test_the_picker_lists_the_dashboards_languages(site: Any, context: Any) -> None:
    page = context.new_page()
    page.goto(f"{site.url}/manager/")
    langs = page.evaluate("async () => Object.keys((await import('/manager/i18n.js')).STRINGS)")
    assert langs[:2] == ["en", "tr"]
    picker = page.get_by_test_id("lang-select")
    expect(picker).to_have_value("en")
    expect(picker).to_have_accessible_name("Language")
    options = picker.locator("option")
    expect(options).to_have_count(len(langs))
    assert [options.nth(i).get_attribute("value") for i in range(len(langs))] == langs
    assert [options.nth(i).get_attribute("lang") for i in range(len(langs))] == langs
    expect(options).to_have_text([OWN_NAMES[lang] for lang in langs])
    box = picker.bounding_box()
    assert box["height"] >= 44


def test_turkish_is_applied_remembered_and_saved(site: Any, context: Any) -> None:
    page = context.new_page()
    sent = saves(page)
    sign_in(page, site)
    page.get_by_test_id("lang-select").select_option("tr")
    expect(page.locator("html")).to_have_attribute("lang", "tr")
    expect(page.get_by_test_id("tab-reports")).to_have_text("Raporlar")
    expect(page.get_by_test_id("live")).to_have_text("Canlı")
    expect(page.get_by_test_id("lang-select")).to_have_accessible_name("Dil")
    assert page.evaluate("localStorage.getItem('sira.manager.lang')") == "tr"
    page.wait_for_timeout(300)
    assert sent == [{"language": "tr"}]

    page.reload()
    expect(page.get_by_test_id("live")).to_have_text("Canlı", timeout=TIMEOUT)
    expect(page.get_by_test_id("lang-select")).to_have_value("tr")
    expect(page.get_by_test_id("tab-standards")).to_have_text("Hizmet standartları")
    assert page.title() == "Sira — Şube yönetimi"

    page.get_by_test_id("lang-select").select_option("en")
    expect(page.get_by_test_id("live")).to_have_text("Live")
    expect(page.get_by_test_id("lang-select")).to_have_accessible_name("Language")
    page.wait_for_timeout(300)
    assert sent == [{"language": "tr"}, {"language": "en"}]


def test_the_language_saved_on_the_server_is_taken_at_sign_in(site: Any, context: Any) -> None:
    page = context.new_page()
    sent = saves(page)
    server_says(page, "tr")
    page.goto(f"{site.url}/manager/")
    page.get_by_test_id("login-username").fill("manager")
    page.get_by_test_id("login-password").fill(site.users["manager"])
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("live")).to_have_text("Canlı", timeout=TIMEOUT)
    expect(page.get_by_test_id("lang-select")).to_have_value("tr")
    expect(page.get_by_test_id("tab-live")).to_have_text("Canlı")
    assert sent == []
