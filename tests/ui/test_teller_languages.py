"""The teller console in Greek and Polish, and its language picker, in real Chromium: the
dictionaries (teller_ui/lang/el.js, pl.js) have the English keys, every {placeholder} and, in
Polish, every plural form; the sign-in screen, the counter picker and the console with a
customer (and the pause dialog and banner) show no English word of the console's own; the
choice survives a reload and is saved for the person on the server (and taken from it at
sign-in); the picker works from the keyboard alone."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from server.models import Service
from tests.ui.test_a11y_staff import assert_accessible
from tests.ui.test_teller import TIMEOUT, Staff, open_console, sign_in

LANGS = ["en", "tr", "el", "pl"]
SAVE_PATH = "/api/v1/auth/me/language"

STRINGS_JS = """async () => (await import('/teller/i18n.js')).STRINGS"""
MISSING_JS = """async () => [...(await import('/teller/i18n.js')).store.i18n.missing]"""

# What a person sees or hears: the rendered text of the page (hidden views, closed dialogs and
# closed <details> are not rendered), the names and hints of visible elements, the title.
VISIBLE_TEXT_JS = """() => {
    const out = document.body.innerText.split('\\n');
    for (const el of document.body.querySelectorAll('[aria-label], [title], [placeholder]')) {
        if (!el.checkVisibility()) continue;
        for (const a of ['aria-label', 'title', 'placeholder']) {
            const v = el.getAttribute(a);
            if (v) out.push(v);
        }
    }
    out.push(document.title);
    return out.map((s) => s.replace(/\\s+/g, ' ').trim()).filter(Boolean);
}"""


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _holes(text: str) -> list[str]:
    return sorted(re.findall(r"\{(\w+)\}", text))


def english_patterns(strings: dict[str, dict[str, str]], lang: str) -> list[tuple[str, Any]]:
    """A pattern per English string of the console that ``lang`` says differently: longer
    than 3 characters, a {placeholder} matching any text, a template needing 3 letters of its
    own to be recognisable."""
    en, other = strings["en"], strings[lang]
    out = []
    for key, value in en.items():
        if _norm(value) == _norm(other.get(key, "")):
            continue
        parts = re.split(r"\{\w+\}", _norm(value))
        letters = sum(ch.isalpha() for ch in "".join(parts))
        if (len(parts) > 1 and letters < 3) or (len(parts) == 1 and len(value) <= 3):
            continue
        body = ".+?".join(re.escape(p) for p in parts)
        out.append((key, re.compile(rf"(?<!\w){body}(?!\w)")))
    return out


def data_strings(api: Staff, site: Any) -> list[str]:
    """Names the API gives (services in every language, people): shown as they are."""
    found: set[str] = set()
    for s in api.get(f"/api/v1/admin/branches/{site.branch}/services", user="admin"):
        found.update(s["names"].values())
    for u in api.get("/api/v1/admin/users", user="admin"):
        found.update(x for x in (u["username"], u["full_name"]) if x)
    return sorted((x for x in found if x), key=len, reverse=True)


def english_on_page(page: Any, pats: list[tuple[str, Any]], data: list[str]) -> list[str]:
    found = []
    for chunk in page.evaluate(VISIBLE_TEXT_JS):
        for d in data:
            chunk = chunk.replace(d, " ")
        found += [f"{key}: {chunk!r}" for key, pat in pats if pat.search(chunk)]
    return sorted(set(found))


def saves(page: Any) -> list[Any]:
    """The language saves the page sends (PUT /auth/me/language), as their JSON bodies."""
    sent: list[Any] = []
    page.on(
        "request",
        lambda r: (
            sent.append(json.loads(r.post_data or "null"))
            if r.method == "PUT" and r.url.endswith(SAVE_PATH)
            else None
        ),
    )
    return sent


def server_says(page: Any, language: str | None) -> None:
    """GET /auth/me answers with this saved language (whatever the server keeps)."""

    def handle(route: Any) -> None:
        res = route.fetch()
        body = res.json()
        body["language"] = language
        route.fulfill(response=res, json=body)

    page.route("**/api/v1/auth/me", handle)


# ------------------------------------------------------------------------------------ tests


def test_greek_and_polish_dictionaries_match_the_english_one(site: Any, context: Any) -> None:
    page = context.new_page()
    page.goto(f"{site.url}/teller/")
    s = page.evaluate(STRINGS_JS)
    assert list(s) == LANGS
    en = s["en"]
    pairs = [k[: -len("_one")] for k in en if k.endswith("_one")]
    assert pairs
    assert all(f"{p}_other" in en for p in pairs)
    for lang in ("el", "pl"):
        d = s[lang]
        forms = ("few", "many") if lang == "pl" else ()
        extra_forms = {f"{p}_{f}" for p in pairs for f in forms}
        assert sorted(set(en) - set(d)) == [], lang
        assert sorted(set(d) - set(en) - extra_forms) == [], lang
        assert sorted(extra_forms - set(d)) == [], lang
        assert [k for k, v in d.items() if not v.strip()] == [], lang
        # Every {placeholder} kept ("Called again once" may say its one without {n}).
        for key, value in d.items():
            base = re.sub(r"_(few|many)$", "_other", key)
            want = [h for h in _holes(en[base]) if not (key.endswith("_one") and h == "n")]
            got = [h for h in _holes(value) if not (key.endswith("_one") and h == "n")]
            assert got == want, (lang, key, value)
        # Translated, not copied: only codes and units may read as in English.
        same = sorted(k for k in en if _norm(en[k]) == _norm(d[k]))
        assert set(same) <= {"min_s", "sec", "min", "standard_is", "std_short"}, (lang, same)
    # The counts in Polish take the form of their number.
    page.get_by_test_id("lang-select").select_option("pl")
    counts = page.evaluate(
        """async () => {
            const { plural } = await import('/teller/i18n.js');
            return [1, 2, 5, 22, 25].map((n) => plural('queue_total', n));
        }"""
    )
    assert counts == [
        "1 klient czeka w oddziale",
        "2 klientów czeka w oddziale",
        "5 klientów czeka w oddziale",
        "22 klientów czeka w oddziale",
        "25 klientów czeka w oddziale",
    ]


@pytest.mark.parametrize("lang", ["el", "pl"])
def test_console_in_greek_and_polish_shows_no_english(site: Any, context: Any, lang: str) -> None:
    with site.db.unit_of_work() as session:
        svc = session.exec(select(Service).where(Service.code == "A")).one()
        svc.standard_wait_s = 1  # the first customer has waited too long: the recovery card
        session.add(svc)
    api = Staff(site)
    second = api.counter_id("2")
    assert api.post(f"/api/v1/counters/{second}/open", user="teller2").is_success
    api.post(f"/api/v1/counters/{second}/pause", {"reason": "signed_out"}, user="teller2")
    res = api.http.post(
        f"/api/v1/branches/{site.branch}/tickets",
        json={"service": "A", "lang": lang, "priority": True, "priority_reason": "elderly"},
        headers={"Authorization": f"Bearer {site.devices['kiosk']}"},
    )
    assert res.status_code == 201, res.text
    first = res.json()
    api.issue("A")
    api.issue("B", lang="tr")
    api.issue("C")
    time.sleep(1.5)
    data = data_strings(api, site)

    page = context.new_page()
    page.goto(f"{site.url}/teller/")
    strings = page.evaluate(STRINGS_JS)
    pats = english_patterns(strings, lang)
    assert len(pats) > 150
    # Chosen on the sign-in screen.
    page.get_by_test_id("lang-select").select_option(lang)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.get_by_test_id("login-submit")).to_have_text(strings[lang]["sign_in"])
    assert english_on_page(page, pats, data) == []

    sign_in(page, site)
    expect(page.get_by_test_id("counter-2")).to_contain_text(
        strings[lang]["state_paused"], timeout=TIMEOUT
    )
    assert english_on_page(page, pats, data) == []

    page.get_by_test_id("counter-1").click()
    expect(page.get_by_test_id("live")).to_have_text(strings[lang]["live"], timeout=TIMEOUT)
    expect(page.get_by_test_id("call-next")).to_be_enabled()
    # The priority customer waits in the list, with the reason in words.
    expect(page.get_by_test_id("waiting-mine")).to_contain_text(first["code"])
    expect(page.get_by_test_id("waiting-mine")).to_contain_text(strings[lang]["prio_elderly"])
    assert english_on_page(page, pats, data) == []

    page.get_by_test_id("call-next").click()
    expect(page.get_by_test_id("current-code")).to_have_text(re.compile(r"^A\d+$"), timeout=TIMEOUT)
    expect(page.get_by_test_id("recovery-prompt")).to_be_visible()
    page.get_by_test_id("recall").click()
    expect(page.locator("#current-tags")).to_contain_text(strings[lang]["recalls_one"])
    expect(page.get_by_test_id("call-pair")).to_be_visible()
    if page.get_by_test_id("waiting-others").is_visible():
        page.get_by_test_id("waiting-others").locator("summary").click()
    assert english_on_page(page, pats, data) == []
    assert_accessible(page)

    page.get_by_test_id("serve").click()
    expect(page.get_by_test_id("current-status")).to_have_text(strings[lang]["status_serving"])
    page.get_by_test_id("transfer").click()
    expect(page.get_by_test_id("transfer-service-B")).to_be_visible()
    assert english_on_page(page, pats, data) == []
    page.keyboard.press("Escape")
    page.get_by_test_id("finish").click()
    expect(page.get_by_test_id("current-empty")).to_be_visible(timeout=TIMEOUT)
    page.get_by_test_id("pause").click()
    expect(page.get_by_test_id("pause-reason")).to_be_visible()
    assert english_on_page(page, pats, data) == []
    page.get_by_test_id("pause-choice-lunch").click()
    page.get_by_test_id("pause-confirm").click()
    expect(page.get_by_test_id("paused-banner")).to_be_visible(timeout=TIMEOUT)
    assert english_on_page(page, pats, data) == []
    page.get_by_test_id("sign-out").click()
    expect(page.get_by_test_id("signout-dialog")).to_be_visible()
    assert english_on_page(page, pats, data) == []
    assert page.evaluate(MISSING_JS) == []


def test_the_choice_survives_a_reload_and_is_saved_for_the_person(site: Any, context: Any) -> None:
    page = context.new_page()
    sent = saves(page)
    open_console(page, site)
    page.get_by_test_id("lang-select").select_option("el")
    expect(page.get_by_test_id("call-next")).to_contain_text("Κλήση επόμενου")
    expect(page.locator("html")).to_have_attribute("lang", "el")
    assert page.evaluate("localStorage.getItem('sira.teller.lang')") == "el"
    page.wait_for_timeout(300)
    assert sent == [{"language": "el"}]

    page.reload()
    expect(page.get_by_test_id("live")).to_have_text("Σε σύνδεση", timeout=TIMEOUT)
    expect(page.get_by_test_id("call-next")).to_contain_text("Κλήση επόμενου")
    expect(page.get_by_test_id("lang-select")).to_have_value("el")
    expect(page.get_by_test_id("counter-badge")).to_have_text("Θυρίδα 1")

    page.get_by_test_id("lang-select").select_option("pl")
    expect(page.get_by_test_id("call-next")).to_contain_text("Wezwij następnego")
    expect(page.get_by_test_id("counter-badge")).to_have_text("Stanowisko 1")
    page.wait_for_timeout(300)
    assert sent == [{"language": "el"}, {"language": "pl"}]


def test_the_language_saved_on_the_server_is_taken_at_sign_in(site: Any, context: Any) -> None:
    page = context.new_page()
    sent = saves(page)
    server_says(page, "pl")
    sign_in(page, site)
    page.get_by_test_id("counter-1").click()
    expect(page.get_by_test_id("live")).to_have_text("Na żywo", timeout=TIMEOUT)
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page.get_by_test_id("call-next")).to_contain_text("Wezwij następnego")
    expect(page.get_by_test_id("lang-select")).to_have_value("pl")
    assert sent == []  # taken, not saved again


def test_a_choice_on_the_sign_in_screen_wins_and_is_saved(site: Any, context: Any) -> None:
    page = context.new_page()
    sent = saves(page)
    server_says(page, "pl")
    page.goto(f"{site.url}/teller/")
    page.get_by_test_id("lang-select").select_option("el")
    assert sent == []  # nobody to save it for yet
    page.get_by_test_id("login-username").fill("teller1")
    page.get_by_test_id("login-password").fill(site.users["teller1"])
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("counter-1").click()
    expect(page.get_by_test_id("live")).to_have_text("Σε σύνδεση", timeout=TIMEOUT)
    expect(page.locator("html")).to_have_attribute("lang", "el")
    expect(page.get_by_test_id("call-next")).to_contain_text("Κλήση επόμενου")
    page.wait_for_timeout(300)
    assert sent == [{"language": "el"}]


def test_a_server_without_the_route_changes_nothing(site: Any, context: Any) -> None:
    page = context.new_page()
    page.route(
        f"**{SAVE_PATH}",
        lambda route: route.fulfill(status=404, json={"detail": "Not Found"}),
    )
    open_console(page, site)
    page.get_by_test_id("lang-select").select_option("tr")
    expect(page.get_by_test_id("call-next")).to_contain_text("Sıradakini çağır")
    page.wait_for_timeout(300)
    expect(page.get_by_test_id("error")).to_be_hidden()
    expect(page.get_by_test_id("call-next")).to_be_enabled()


def test_the_picker_works_from_the_keyboard(site: Any, context: Any) -> None:
    page = context.new_page()
    page.goto(f"{site.url}/teller/")
    picker = page.get_by_test_id("lang-select")
    expect(page.get_by_test_id("login-username")).to_be_focused()
    expect(picker).to_have_accessible_name("Language")
    options = picker.locator("option")
    expect(options).to_have_text(["English", "Türkçe", "Ελληνικά", "Polski"])
    assert [options.nth(i).get_attribute("lang") for i in range(4)] == LANGS
    # Reached with the keyboard (just before the sign-in form), its focus plain to see.
    page.keyboard.press("Shift+Tab")
    expect(picker).to_be_focused()
    ring = page.evaluate(
        """() => {
            const s = getComputedStyle(document.activeElement);
            return [document.activeElement.matches(':focus-visible'), s.outlineStyle,
                    parseFloat(s.outlineWidth)];
        }"""
    )
    assert ring == [True, "solid", 3]
    box = picker.bounding_box()
    assert box["height"] >= 44
    assert box["width"] >= 44
    # The arrow keys choose: each choice applies at once.
    page.keyboard.press("ArrowDown")
    expect(page.locator("html")).to_have_attribute("lang", "tr")
    expect(page.get_by_test_id("login-submit")).to_have_text("Giriş yap")
    page.keyboard.press("ArrowDown")
    expect(page.locator("html")).to_have_attribute("lang", "el")
    expect(picker).to_have_accessible_name("Γλώσσα")
    expect(picker).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page.get_by_test_id("login-submit")).to_have_text("Zaloguj się")
    expect(picker).to_have_accessible_name("Język")
    # And on to the form.
    page.keyboard.press("Tab")
    expect(page.get_by_test_id("login-username")).to_be_focused()


def test_the_address_can_ask_for_a_language(site: Any, context: Any) -> None:
    """`/teller/?lang=pl` (the contract's staff-page parameter) shows Polish from the first
    screen on, over the browser's stored choice and the one saved on the server, and is not
    saved as the person's own."""
    page = context.new_page()
    page.add_init_script("localStorage.setItem('sira.teller.lang', 'el')")
    sent = saves(page)
    server_says(page, "tr")
    page.goto(f"{site.url}/teller/?lang=pl")
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    expect(page.get_by_test_id("lang-select")).to_have_value("pl")
    page.get_by_test_id("login-username").fill("teller1")
    page.get_by_test_id("login-password").fill(site.users["teller1"])
    page.get_by_test_id("login-submit").click()
    page.get_by_test_id("counter-1").click()
    expect(page.get_by_test_id("live")).to_have_text("Na żywo", timeout=TIMEOUT)
    expect(page.get_by_test_id("call-next")).to_contain_text("Wezwij następnego")
    page.wait_for_timeout(300)
    assert sent == []
