"""The manager dashboard in English and Turkish (manager_ui/i18n.js) in real Chromium: the two
dictionaries match, every tab in Turkish shows no English word of the dashboard's own (charts
included), and the choice survives a reload and switches back without one."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from playwright.sync_api import expect
from sqlmodel import select

from server.alerts.service import raise_alert
from server.models import Branch
from tests.ui.test_manager import PAYDAY, add_second_branch, cycle_url, put_overrides
from tests.ui.test_teller import TIMEOUT, Staff

STRINGS_JS = """async () => {
    const { STRINGS } = await import('/manager/i18n.js');
    return STRINGS;
}"""

# Every piece of text a person (or a screen reader) meets on the page: text nodes, the
# accessible names and hints in attributes, the document title, and what the charts draw
# (category labels, legends, axis titles). A sentence the dashboard shows as the server wrote it
# (an alert of a kind it cannot phrase itself, marked data-source="server") is left out.
PAGE_TEXT_JS = """() => {
    const out = [];
    const skip = 'script, style, [data-source=server]';
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (n.parentElement.closest(skip)) continue;
        const text = n.textContent.replace(/\\s+/g, ' ').trim();
        if (text) out.push(text);
    }
    const named = '[aria-label], [title], [placeholder], [alt]';
    for (const el of document.body.querySelectorAll(named)) {
        if (el.closest(skip)) continue;
        for (const a of ['aria-label', 'title', 'placeholder', 'alt']) {
            const v = el.getAttribute(a);
            if (v) out.push(v);
        }
    }
    out.push(document.title);
    for (const canvas of document.querySelectorAll('canvas')) {
        const chart = window.Chart && Chart.getChart(canvas);
        if (!chart) continue;
        out.push(...chart.data.labels.map(String));
        for (const d of chart.data.datasets) out.push(String(d.label));
        for (const s of Object.values(chart.options.scales || {})) {
            if (s.title && s.title.text) out.push(String(s.title.text));
        }
    }
    return out;
}"""


def strings(page: Any) -> dict[str, dict[str, str]]:
    return page.evaluate(STRINGS_JS)


def patterns(strings: dict[str, dict[str, str]], lang: str) -> list[tuple[str, re.Pattern[str]]]:
    """A pattern per dashboard string of ``lang`` that would be out of place in the other one:
    strings longer than 3 characters that differ between the two; a {placeholder} matches any
    text, and a template needs at least 3 letters of its own to be recognisable."""
    other = "tr" if lang == "en" else "en"
    out = []
    for key, value in strings[lang].items():
        if value == strings[other][key]:
            continue
        parts = re.split(r"\{\w+\}", value)
        letters = sum(ch.isalpha() for ch in "".join(parts))
        if (len(parts) > 1 and letters < 3) or (len(parts) == 1 and len(value) <= 3):
            continue
        body = ".+?".join(re.escape(p) for p in parts)
        out.append((key, re.compile(rf"(?<!\w){body}(?!\w)")))
    return out


def data_strings(api: Staff, site: Any, extra: tuple[str, ...] = ()) -> list[str]:
    """What the API gives as data (names of branches, services in every language, devices,
    people): shown as is, so taken out of the text before looking for leaks."""
    found: set[str] = set(extra)
    for b in api.get("/api/v1/admin/branches", user="admin"):
        found.update([b["name"], b["code"]])
        for s in api.get(f"/api/v1/admin/branches/{b['code']}/services", user="admin"):
            found.update(s["names"].values())
    found.update(d["name"] for d in api.get("/api/v1/admin/devices", user="admin"))
    for u in api.get("/api/v1/admin/users", user="admin"):
        found.update(x for x in (u["username"], u["full_name"]) if x)
    # Longest first: a name inside a longer one goes with it.
    return sorted((x for x in found if x), key=len, reverse=True)


def leaks(page: Any, strings: dict[str, dict[str, str]], lang: str, data: list[str]) -> list[str]:
    """The dashboard strings of ``lang`` found on the page, as "key: text" (empty: none)."""
    found = []
    pats = patterns(strings, lang)
    for chunk in page.evaluate(PAGE_TEXT_JS):
        for d in data:
            chunk = chunk.replace(d, " ")
        for key, pat in pats:
            if pat.search(chunk):
                found.append(f"{key}: {chunk!r}")
    return sorted(set(found))


def missing_lookups(page: Any) -> list[str]:
    """Keys looked up but absent from the current language (createI18n counts them)."""
    return page.evaluate("async () => [...(await import('/manager/i18n.js')).i18n.missing]")


def sign_in_as(page: Any, site: Any, user: str = "manager") -> None:
    page.get_by_test_id("login-username").fill(user)
    page.get_by_test_id("login-password").fill(site.users[user])
    page.get_by_test_id("login-submit").click()


def busy_branch(api: Staff, site: Any) -> None:
    """Tickets served, one with a recovery and feedback, a paused counter, an alert, an
    override: something in every card of every tab."""
    counter = api.counter_id("1")
    assert api.post(f"/api/v1/counters/{counter}/open", user="teller1").is_success
    for service in "AB":
        issued = api.issue(service)
        res = api.post(f"/api/v1/counters/{counter}/call-next", user="teller1").json()
        ticket_id = res["ticket"]["id"]
        api.post(f"/api/v1/tickets/{ticket_id}/serve", user="teller1")
        api.post(
            f"/api/v1/tickets/{ticket_id}/recovery",
            {"action": "apologized", "note": ""},
            user="teller1",
        )
        api.post(f"/api/v1/tickets/{ticket_id}/finish", user="teller1")
        res = api.http.post(
            f"/api/v1/tickets/by-token/{issued['token']}/feedback", json={"score": 4}
        )
        assert res.status_code == 201, res.text
    api.issue("A")
    api.issue("C")
    api.post(f"/api/v1/counters/{counter}/call-next", user="teller1")
    second = api.counter_id("2")
    api.post(f"/api/v1/counters/{second}/open", user="teller2")
    api.post(f"/api/v1/counters/{second}/pause", {"reason": "Kasa sayımı"}, user="teller2")
    put_overrides(api, site, [{**PAYDAY, "label": "Maaş günü", "moments": ["wait", "service"]}])
    kiosk = next(d for d in api.get("/api/v1/admin/devices") if d["kind"] == "kiosk")
    now = dt.datetime.now(dt.UTC)
    suggestions = [
        {"action": action, "counter": counter, "service": "C", "text": text}
        for action, counter, text in [
            ("resume_counter", "2", "resume counter 2"),
            ("open_counter", "4", "open counter 4"),
            ("open_counter", "3", "open counter 3 with service C"),
            ("add_service", "1", "add service C to counter 1"),
        ]
    ]
    with site.db.unit_of_work() as session:
        branch = session.exec(select(Branch).where(Branch.code == site.branch)).one()
        # The server's sentences are English; the dashboard phrases these kinds from `data`.
        raise_alert(
            session,
            branch_id=branch.id,
            key="printer:test",
            kind="printer",
            severity="warning",
            message=f"The printer of {kiosk['name']} is nearly out of paper",
            data={"state": "paper_near_end", "detail": ""},
            device_id=kiosk["id"],
            now=now,
        )
        raise_alert(
            session,
            branch_id=branch.id,
            key="risk-test:C",
            kind="standard_risk",
            message="Service C: 1 waiting customer(s) will miss the 20 min wait standard. …",
            data={
                "service": "C",
                "at_risk": 1,
                "missed": 0,
                "standard_wait_s": 1200,
                "waiting": 1,
                "suggestions": suggestions,
            },
            now=now,
        )


# ------------------------------------------------------------------------------------ tests


def test_dictionaries_have_the_same_keys_and_no_empty_values(site: Any, context: Any) -> None:
    page = context.new_page()
    page.goto(f"{site.url}/manager/")
    s = strings(page)
    en, tr = s["en"], s["tr"]
    assert {"en", "tr"} <= set(s)
    assert sorted(set(en) - set(tr)) == []
    assert sorted(set(tr) - set(en)) == []
    assert [k for k, v in en.items() if not v.strip()] == []
    assert [k for k, v in tr.items() if not v.strip()] == []

    # The same {placeholders} on both sides: a sentence never loses a number in translation.
    def holes(text: str) -> list[str]:
        return sorted(re.findall(r"\{(\w+)\}", text))

    assert [k for k in en if holes(en[k]) != holes(tr[k])] == []
    # The language picker's label.
    assert (en["language"], tr["language"]) == ("Language", "Dil")


def test_every_tab_in_turkish_shows_no_english(site: Any, context: Any) -> None:
    api = Staff(site)
    add_second_branch(api, site)
    busy_branch(api, site)
    page = context.new_page()
    page.goto(f"{site.url}/manager/")
    s = strings(page)
    # Chosen before signing in: the sign-in screen is Turkish too.
    page.get_by_test_id("lang-select").select_option("tr")
    expect(page.locator("html")).to_have_attribute("lang", "tr")
    expect(page.get_by_test_id("login-submit")).to_have_text("Giriş yap")
    expect(page.locator("#login-title")).to_have_text("Şube paneli")
    data = data_strings(api, site, extra=("Kasa sayımı", "Maaş günü"))
    assert leaks(page, s, "en", data) == []

    sign_in_as(page, site)
    # Branches (a regional manager): the side-by-side view opens first.
    expect(page.get_by_test_id("branch-row-north")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_test_id("live")).to_have_text("Canlı", timeout=TIMEOUT)
    expect(page.get_by_test_id("tab-branches")).to_have_text("Şubeler")
    expect(page.get_by_test_id("tab-live")).to_have_text("Canlı")
    expect(page.get_by_test_id("tab-reports")).to_have_text("Raporlar")
    expect(page.get_by_test_id("tab-standards")).to_have_text("Hizmet standartları")
    expect(page.get_by_test_id("lang-select")).to_have_value("tr")
    expect(page.get_by_label("Dil", exact=True)).to_have_value("tr")
    expect(page.get_by_test_id("sign-out")).to_have_text("Çıkış yap")
    expect(page.locator("#branches-title")).to_have_text("Şubeler yan yana")
    expect(page.locator("#branches-total")).to_contain_text("Tüm şubeler (2)")
    expect(page.get_by_test_id("open-branch-north")).to_have_accessible_name(
        "Şubeyi aç: North Branch"
    )
    assert page.title() == "Sira — Şube yönetimi"
    assert leaks(page, s, "en", data) == []

    # Live.
    page.get_by_test_id("tab-live").click()
    expect(page.get_by_test_id("counter-state-1")).to_have_text("Açık", timeout=TIMEOUT)
    expect(page.get_by_test_id("counter-state-2")).to_have_text("Mola — Kasa sayımı")
    expect(page.get_by_test_id("counter-state-3")).to_have_text("Kapalı")
    expect(page.locator("#services")).to_contain_text("Nakit ve mevduat işlemleri")  # ?lang=tr
    expect(page.locator("#services")).to_contain_text("bekliyor")
    expect(page.locator("#svc-title")).to_have_text("Hizmete göre bekleyenler")
    alerts = page.get_by_test_id("alerts")
    expect(alerts).to_contain_text("uyarı")
    expect(alerts).to_contain_text("Entrance kiosk yazıcısı: kâğıt azaldı")
    risk = alerts.locator("[data-key='risk-test:C']")
    expect(risk.locator(".alert-msg")).to_have_text(
        "C · Kredi ve yatırım: bekleyen 1 müşteri 20 dk bekleme standardını kaçıracak."
    )
    expect(risk.locator(".alert-hint")).to_have_text(
        [
            "→ Gişe 2 moladan dönsün",
            "→ Gişe 4 açılsın",
            "→ Gişe 3, C · Kredi ve yatırım hizmetiyle açılsın",
            "→ Gişe 1, C · Kredi ve yatırım hizmetini de versin",
        ]
    )
    expect(page.get_by_test_id("devices")).to_contain_text(
        re.compile("Hiç bağlanmadı|Son bağlantı|Şu an çevrimiçi")
    )
    expect(page.get_by_test_id("within-standard")).to_have_text(re.compile(r"^%\d+,\d$"))
    expect(page.get_by_test_id("chart-today")).to_have_attribute(
        "data-rendered", re.compile(r"\d+"), timeout=TIMEOUT
    )
    expect(page.get_by_test_id("updated")).to_contain_text("iş günü")
    assert leaks(page, s, "en", data) == []

    # Reports with data: every table grouping, every chart.
    page.get_by_test_id("tab-reports").click()
    expect(page.get_by_test_id("chart-moment")).to_have_attribute(
        "data-rendered", "5", timeout=TIMEOUT
    )
    expect(page.get_by_test_id("report-status")).to_contain_text("bilet", timeout=TIMEOUT)
    expect(page.get_by_test_id("recovery-report")).to_contain_text("Özür dilendi: 2")
    expect(page.locator("#c-moment-title")).to_have_text("Temas anları")
    for by in ("day", "hour", "service", "counter", "teller", "moment"):
        page.get_by_test_id("report-by").select_option(by)
        # The hours are the branch's: the heading names its zone ("Günün saati (TSİ)").
        expect(page.get_by_test_id("report-table").locator("thead th").first).to_have_text(
            re.compile("^" + re.escape(s["tr"][f"by_{by}"])), timeout=TIMEOUT
        )
        expect(page.locator("#table-title")).to_have_text(s["tr"][f"table_title_{by}"])
        assert leaks(page, s, "en", data) == [], by
    expect(page.get_by_test_id("report-table")).to_contain_text("Gişeye yürüme")
    labels = page.evaluate("() => Chart.getChart(document.querySelector('#chart-moment')).data")
    assert labels["labels"][:2] == ["Bilet alma", "Bekleme"]
    assert [d["label"] for d in labels["datasets"]] == [
        "Kaçırılan",
        "Beklenen karşılandı",
        "Fark yaratan",
    ]

    # Standards with a stored override, a new one, and the messages of a refused Save.
    page.get_by_test_id("tab-standards").click()
    expect(page.get_by_test_id("ovr-0-label")).to_have_value("Maaş günü", timeout=TIMEOUT)
    expect(page.get_by_test_id("ovr-0-factor-hint")).to_have_text("0,8 = %20 daha sıkı")
    expect(page.locator("#overrides-title")).to_have_text("Takvim istisnaları")
    expect(page.get_by_test_id("standards-save")).to_have_text("Standartları kaydet")
    expect(page.get_by_role("button", name="2026-12-31 tarihini kaldır")).to_be_visible()
    page.get_by_test_id("override-add").click()
    page.get_by_test_id("ovr-1-days").fill("0, 40")
    page.get_by_test_id("standards-save").click()
    expect(page.get_by_test_id("error")).to_contain_text("Standartlar kaydedilmedi:")
    expect(page.get_by_test_id("ovr-1-error")).to_contain_text(
        "“İstisna 2”: ayın günleri 1 ile 31 arasında tam sayı olmalı"
    )
    expect(page.get_by_test_id("standards-status")).to_have_text("Kaydedilmemiş değişiklikler var.")
    page.get_by_test_id("ovr-1-add-date").click()  # no date picked
    expect(page.get_by_test_id("ovr-1-error")).to_contain_text("Önce bir tarih seçin")
    assert leaks(page, s, "en", data) == []

    expect(page.locator("html")).to_have_attribute("lang", "tr")
    assert missing_lookups(page) == []


def test_language_survives_a_reload_and_switches_back_without_one(site: Any, context: Any) -> None:
    api = Staff(site)
    api.issue("A")
    page = context.new_page()
    page.goto(f"{site.url}/manager/")
    s = strings(page)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("lang-select")).to_have_value("en")
    sign_in_as(page, site)
    expect(page.get_by_test_id("live")).to_have_text("Live", timeout=TIMEOUT)
    expect(page.get_by_test_id("chart-today")).to_have_attribute(
        "data-rendered", re.compile(r"\d+"), timeout=TIMEOUT
    )
    page.get_by_test_id("tab-reports").click()
    expect(page.get_by_test_id("chart-moment")).to_have_attribute(
        "data-rendered", "5", timeout=TIMEOUT
    )
    chart_labels = "(id) => Chart.getChart(document.querySelector(id)).data.datasets[0].label"
    assert page.evaluate(chart_labels, "#chart-hour") == "Average wait"

    # Switched on the Reports tab: the tab, its charts and the rest follow at once.
    navigations: list[str] = []
    page.on("framenavigated", lambda f: navigations.append(f.url))
    page.get_by_test_id("lang-select").select_option("tr")
    expect(page.get_by_test_id("tab-reports")).to_have_text("Raporlar")
    expect(page.locator("html")).to_have_attribute("lang", "tr")
    expect(page.get_by_test_id("report-status")).to_contain_text("bilet")
    assert page.evaluate(chart_labels, "#chart-hour") == "Ortalama bekleme"
    assert page.evaluate(chart_labels, "#chart-today") == "Alınan bilet"
    assert page.evaluate("() => localStorage.getItem('sira.manager.lang')") == "tr"
    assert navigations == []

    page.reload()
    navigations.clear()
    expect(page.get_by_test_id("live")).to_have_text("Canlı", timeout=TIMEOUT)
    expect(page.locator("html")).to_have_attribute("lang", "tr")
    expect(page.get_by_test_id("tab-reports")).to_have_text("Raporlar")
    expect(page.get_by_test_id("counter-state-1")).to_have_text("Kapalı", timeout=TIMEOUT)
    expect(page.get_by_test_id("longest-wait")).to_contain_text(" sn")

    page.get_by_test_id("lang-select").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("live")).to_have_text("Live")
    expect(page.get_by_test_id("tab-standards")).to_have_text("Standards")
    expect(page.get_by_test_id("counter-state-1")).to_have_text("Closed")
    expect(page.get_by_test_id("lang-select")).to_have_value("en")
    expect(page.get_by_label("Language", exact=True)).to_have_value("en")
    assert page.evaluate(chart_labels, "#chart-today") == "Tickets issued"
    assert page.evaluate("() => localStorage.getItem('sira.manager.lang')") == "en"
    assert page.title() == "Sira — Branch manager"
    # English again everywhere: no Turkish string of the dashboard left behind.
    assert leaks(page, s, "tr", data_strings(api, site)) == []
    assert navigations == []


def test_switching_keeps_unsaved_standards_edits(site: Any, context: Any) -> None:
    api = Staff(site)
    put_overrides(api, site, [PAYDAY])
    page = context.new_page()
    page.goto(f"{site.url}/manager/")
    sign_in_as(page, site)
    page.get_by_test_id("tab-standards").click()
    expect(page.get_by_test_id("std-A-wait-expected")).to_have_value("10", timeout=TIMEOUT)
    page.get_by_test_id("std-A-wait-expected").fill("9")
    page.get_by_test_id("std-critical-walk").check()
    page.get_by_test_id("ovr-0-factor").fill("1.5")
    page.get_by_test_id("ovr-0-date-input").fill("2026-05-19")
    page.get_by_test_id("lang-select").select_option("tr")
    expect(page.get_by_test_id("ovr-0-factor-hint")).to_have_text("1,5 = %50 daha gevşek")
    expect(page.get_by_test_id("std-A-wait-expected")).to_have_value("9")
    expect(page.get_by_test_id("std-A-wait-expected")).to_have_accessible_name(
        "Hizmet A · Nakit ve mevduat işlemleri, Bekleme, beklenen (dk)"
    )
    expect(page.get_by_test_id("std-critical-walk")).to_be_checked()
    expect(page.get_by_test_id("ovr-0-date-input")).to_have_value("2026-05-19")
    expect(page.get_by_test_id("standards-status")).to_have_text("Kaydedilmemiş değişiklikler var.")
    page.get_by_test_id("standards-save").click()
    expect(page.get_by_test_id("standards-status")).to_have_text("Kaydedildi.", timeout=TIMEOUT)
    cycle = api.get(cycle_url(site))
    assert cycle["standards"]["A"]["wait"]["expected"] == 540
    assert cycle["overrides"][0]["factor"] == 1.5
    assert next(m for m in cycle["moments"] if m["key"] == "walk")["critical"] is True
