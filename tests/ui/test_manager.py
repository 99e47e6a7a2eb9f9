"""The manager dashboard (/manager/) in real Chromium against a real server: the live figures
match the API and follow the event stream; reports, CSV and standards use the real endpoints."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import httpx
from playwright.sync_api import expect
from sqlmodel import select

from server.alerts.service import clear_alert, raise_alert
from server.models import Branch
from tests.ui.conftest import TIMEOUT_S, axe_violations, describe
from tests.ui.test_teller import TIMEOUT, Staff


def sign_in(page: Any, site: Any, user: str = "manager") -> None:
    page.goto(f"{site.url}/manager/")
    page.get_by_test_id("login-username").fill(user)
    page.get_by_test_id("login-password").fill(site.users[user])
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("live")).to_have_text("Live", timeout=TIMEOUT)


def raise_paper_alert(site: Any, key: str) -> None:
    """A critical printer alert in the branch, raised as the server raises one."""
    with site.db.unit_of_work() as session:
        branch = session.exec(select(Branch).where(Branch.code == site.branch)).one()
        raise_alert(
            session,
            branch_id=branch.id,
            key=key,
            kind="printer",
            severity="critical",
            message="The printer of Entrance kiosk is out of paper",
            now=dt.datetime.now(dt.UTC),
        )


def test_live_figures_match_the_api(site: Any, context: Any) -> None:
    api = Staff(site)
    for service in "AABC":
        api.issue(service)
    counter = api.counter_id("1")
    assert api.post(f"/api/v1/counters/{counter}/open", user="teller1").status_code == 200
    called = api.post(f"/api/v1/counters/{counter}/call-next", user="teller1").json()
    assert api.post(f"/api/v1/tickets/{called['ticket']['id']}/finish", user="teller1").is_success

    page = context.new_page()
    sign_in(page, site)
    metrics = api.get(f"/api/v1/branches/{site.branch}/metrics/live")
    for code in "ABC":
        expect(page.get_by_test_id(f"waiting-{code}")).to_have_text(
            str(metrics["waiting"].get(code, 0)), timeout=TIMEOUT
        )
    assert metrics["served_today"] == 1
    expect(page.get_by_test_id("served-today")).to_have_text("1")
    expect(page.get_by_test_id("within-standard")).to_have_text(
        f"{metrics['within_standard_pct']:.1f}%"
    )
    expect(page.get_by_test_id("waiting-total")).to_have_text(str(metrics["waiting_total"]))
    expect(page.get_by_test_id("longest-wait")).to_contain_text(" s")

    # Live: a new ticket and a call reach the page through the event stream.
    api.issue("C")
    expect(page.get_by_test_id("waiting-C")).to_have_text("2", timeout=TIMEOUT)
    api.post(f"/api/v1/counters/{counter}/call-next", user="teller1")
    expect(page.get_by_test_id("served-today")).to_have_text("1", timeout=TIMEOUT)
    waiting = api.get(f"/api/v1/branches/{site.branch}/metrics/live")["waiting"]
    expect(page.get_by_test_id("waiting-A")).to_have_text(str(waiting.get("A", 0)))


def test_counter_state_changes_live(site: Any, context: Any) -> None:
    api = Staff(site)
    page = context.new_page()
    sign_in(page, site)
    state = page.get_by_test_id("counter-state-2")
    expect(state).to_have_text("Closed", timeout=TIMEOUT)
    counter = api.counter_id("2")
    api.post(f"/api/v1/counters/{counter}/open", user="teller2")
    expect(state).to_have_text("Open", timeout=TIMEOUT)
    api.post(f"/api/v1/counters/{counter}/pause", {"reason": "Cash count"}, user="teller2")
    expect(state).to_have_text("Paused — Cash count", timeout=TIMEOUT)
    ticket = api.issue("A")
    api.post(f"/api/v1/counters/{counter}/resume", user="teller2")
    api.post(f"/api/v1/counters/{counter}/call-next", user="teller2")
    expect(state).to_have_text("Open", timeout=TIMEOUT)
    expect(page.get_by_test_id("counter-ticket-2")).to_contain_text(ticket["code"])
    expect(page.get_by_test_id("counters-open")).to_have_text("1 / 4")


def test_alert_appears_when_raised_and_goes_when_cleared(site: Any, context: Any) -> None:
    page = context.new_page()
    sign_in(page, site)
    expect(page.get_by_test_id("alert-item")).to_have_count(0)
    raise_paper_alert(site, "printer:test")
    item = page.get_by_test_id("alert-item")
    expect(item).to_have_count(1, timeout=TIMEOUT)
    expect(item).to_contain_text("out of paper")
    expect(item).to_contain_text("critical")
    with site.db.unit_of_work() as session:
        branch = session.exec(select(Branch).where(Branch.code == site.branch)).one()
        clear_alert(session, branch_id=branch.id, key="printer:test", now=dt.datetime.now(dt.UTC))
    expect(item).to_have_count(0, timeout=TIMEOUT)


def test_alert_raised_while_the_list_is_on_its_way_stays(site: Any, context: Any) -> None:
    """The stream's (re)sync reads GET …/alerts; an alert raised while that answer is on its
    way arrives as an event first. The older list must not take it off the screen again."""
    page = context.new_page()
    held: list[tuple[Any, Any]] = []
    reads = {"n": 0}

    def hold_after_first(route: Any) -> None:
        reads["n"] += 1
        if route.request.method != "GET" or reads["n"] == 1:
            route.continue_()
            return
        held.append((route, route.fetch()))  # read now, answered later: a stale list

    page.route(re.compile(r".*/api/v1/branches/[^/]+/alerts$"), hold_after_first)
    sign_in(page, site)
    deadline = dt.datetime.now() + dt.timedelta(seconds=TIMEOUT_S)
    while not held:  # the stream's sync asks for the list again; its answer waits here
        assert dt.datetime.now() < deadline, "the dashboard never re-read its alerts"
        page.wait_for_timeout(50)
    assert held[0][1].json() == []
    raise_paper_alert(site, "printer:late")
    item = page.get_by_test_id("alert-item")
    expect(item).to_have_count(1, timeout=TIMEOUT)
    reads_before = page.get_by_test_id("alerts").get_attribute("data-reads")
    for route, stale in held:
        route.fulfill(response=stale)
    expect(page.get_by_test_id("alerts")).not_to_have_attribute(
        "data-reads", reads_before or "", timeout=TIMEOUT
    )
    expect(item).to_have_count(1)
    expect(item).to_contain_text("out of paper")


def test_devices_are_listed_with_last_contact(site: Any, context: Any) -> None:
    api = Staff(site)
    devices = api.get("/api/v1/admin/devices")
    page = context.new_page()
    sign_in(page, site)
    listed = page.get_by_test_id("devices")
    for device in devices:
        row = listed.get_by_test_id(f"device-{device['id']}")
        expect(row).to_contain_text(device["name"], timeout=TIMEOUT)
        expect(row.get_by_test_id(f"device-contact-{device['id']}")).to_have_text(
            re.compile("Never connected|Online now|Last contact")
        )


def test_reports_tab_charts_the_api_rows(site: Any, context: Any) -> None:
    api = Staff(site)
    counter = api.counter_id("1")
    api.post(f"/api/v1/counters/{counter}/open", user="teller1")
    for service in "AB":
        api.issue(service)
        res = api.post(f"/api/v1/counters/{counter}/call-next", user="teller1").json()
        api.post(f"/api/v1/tickets/{res['ticket']['id']}/finish", user="teller1")
    today = api.get(f"/api/v1/branches/{site.branch}/metrics/live")["business_date"]
    rows = api.get(f"/api/v1/branches/{site.branch}/reports?from={today}&to={today}&by=service")
    by_hour = api.get(f"/api/v1/branches/{site.branch}/reports?from={today}&to={today}&by=hour")

    page = context.new_page()
    sign_in(page, site)
    page.get_by_test_id("tab-reports").click()
    page.get_by_test_id("report-from").fill(today)
    page.get_by_test_id("report-to").fill(today)
    page.get_by_test_id("report-by").select_option("service")
    page.get_by_test_id("report-run").click()
    # Each chart is drawn from the API's rows: one label per row.
    expect(page.get_by_test_id("chart-service")).to_have_attribute(
        "data-rendered", str(len(rows)), timeout=TIMEOUT
    )
    expect(page.get_by_test_id("chart-hour")).to_have_attribute("data-rendered", str(len(by_hour)))
    expect(page.get_by_test_id("chart-moment")).to_have_attribute("data-rendered", "5")
    labels = page.evaluate(
        "() => Chart.getChart(document.querySelector('#chart-service')).data.labels"
    )
    assert [label.split(" · ")[0] for label in labels] == [r["key"] for r in rows]
    table = page.get_by_test_id("report-table")
    served = {r["key"]: r["served"] for r in rows}
    assert served["A"] == 1
    assert served["B"] == 1
    expect(table.locator("tbody tr")).to_have_count(len(rows))
    expect(page.get_by_test_id("report-status")).to_contain_text(
        f"{sum(r['tickets'] for r in rows)} tickets"
    )
    expect(page.get_by_test_id("heatmap").locator("tbody tr")).to_have_count(7)
    expect(page.get_by_test_id("breaks")).to_contain_text("Waiting")


def test_csv_export_downloads_the_tickets(site: Any, context: Any) -> None:
    api = Staff(site)
    ticket = api.issue("A")
    page = context.new_page()
    sign_in(page, site)
    page.get_by_test_id("tab-reports").click()
    with page.expect_download(timeout=TIMEOUT) as info:
        page.get_by_test_id("report-csv").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    text = open(download.path(), encoding="utf-8").read()
    assert text.splitlines()[0].startswith("business_date,code,service")
    assert ticket["code"] in text


def test_report_range_ends_on_the_branch_date_not_the_browser_date(site: Any, browser: Any) -> None:
    # A branch at UTC+14 seen from a browser at UTC-12: their calendars never show the same
    # day, so a range taken from the browser's date would miss every ticket issued today.
    api = Staff(site)
    res = api.http.patch(
        f"/api/v1/admin/branches/{site.branch}",
        json={"timezone": "Pacific/Kiritimati"},
        headers={"Authorization": f"Bearer {api.token('admin')}"},
    )
    assert res.status_code == 200, res.text
    ticket = api.issue("A")
    branch_day = api.get(f"/api/v1/branches/{site.branch}/metrics/live")["business_date"]
    context = browser.new_context(viewport={"width": 1280, "height": 800}, timezone_id="Etc/GMT+12")
    try:
        page = context.new_page()
        assert page.evaluate("() => new Date().toLocaleDateString('sv')") != branch_day
        sign_in(page, site)
        page.get_by_test_id("tab-reports").click()
        expect(page.locator("#report-to")).to_have_value(branch_day)
        with page.expect_download(timeout=TIMEOUT) as info:
            page.get_by_test_id("report-csv").click()
        text = open(info.value.path(), encoding="utf-8").read()
        assert ticket["code"] in text
    finally:
        context.close()


def test_standards_editor_saves_through_the_api(site: Any, context: Any) -> None:
    api = Staff(site)
    page = context.new_page()
    sign_in(page, site)
    page.get_by_test_id("tab-standards").click()
    # Waiting is edited in minutes, as every screen shows it; the API keeps seconds.
    field = page.get_by_test_id("std-A-wait-expected")
    expect(field).to_have_value("10", timeout=TIMEOUT)
    field.fill("7")
    page.get_by_test_id("std-A-wait-exclusive").fill("3.5")
    page.get_by_test_id("standards-save").click()
    expect(page.get_by_test_id("standards-status")).to_have_text("Saved.", timeout=TIMEOUT)
    cycle = api.get(f"/api/v1/branches/{site.branch}/service-cycle")
    assert cycle["standards"]["A"]["wait"] == {"expected": 420, "exclusive": 210}
    svc = api.get(f"/api/v1/admin/branches/{site.branch}/services/A")
    assert svc["standard_wait_s"] == 420


def test_standards_editor_shows_the_api_refusal(site: Any, context: Any) -> None:
    page = context.new_page()
    sign_in(page, site)
    page.get_by_test_id("tab-standards").click()
    expect(page.get_by_test_id("std-A-wait-expected")).to_have_value("10", timeout=TIMEOUT)
    # exclusive must not be looser than expected: the page says why (the server would too).
    page.get_by_test_id("std-A-wait-exclusive").fill("15")
    page.get_by_test_id("standards-save").click()
    expect(page.get_by_test_id("error")).to_contain_text("not saved", timeout=TIMEOUT)
    cycle = Staff(site).get(f"/api/v1/branches/{site.branch}/service-cycle")
    assert cycle["standards"]["A"]["wait"]["exclusive"] == 300


# --- calendar overrides (Standards tab) ------------------------------------------------------

PAYDAY = {
    "label": "Payday",
    "dates": ["2026-12-31"],
    "days_of_month": [1, 15],
    "moments": ["wait"],
    "factor": 0.8,
}


def cycle_url(site: Any) -> str:
    return f"/api/v1/branches/{site.branch}/service-cycle"


def put_overrides(api: Staff, site: Any, overrides: list[dict[str, Any]]) -> None:
    res = api.http.put(
        cycle_url(site),
        json={"overrides": overrides},
        headers={"Authorization": f"Bearer {api.token('manager')}"},
    )
    assert res.status_code == 200, res.text


def open_standards(page: Any, site: Any) -> None:
    page.get_by_test_id("tab-standards").click()
    expect(page.get_by_test_id("std-A-wait-expected")).to_have_value("10", timeout=TIMEOUT)


def record_puts(page: Any) -> list[str]:
    """The URLs of the PUT requests the page sends from now on."""
    puts: list[str] = []
    page.on("request", lambda r: puts.append(r.url) if r.method == "PUT" else None)
    return puts


def add_override_in_ui(
    page: Any, *, label: str, factor: str, moment: str, days: str, dates: tuple[str, ...]
) -> None:
    """Add Override, fill it like a manager would; the new card is the last one."""
    page.get_by_test_id("override-add").click()
    i = page.get_by_test_id("override").count() - 1
    expect(page.get_by_test_id(f"ovr-{i}-label")).to_be_focused()
    page.keyboard.type(label)
    page.get_by_test_id(f"ovr-{i}-factor").fill(factor)
    page.get_by_test_id(f"ovr-{i}-moment-{moment}").check()
    page.get_by_test_id(f"ovr-{i}-days").fill(days)
    for date in dates:
        page.get_by_test_id(f"ovr-{i}-date-input").fill(date)
        page.get_by_test_id(f"ovr-{i}-add-date").click()
        expect(page.get_by_role("button", name=f"Remove {date}")).to_be_visible()


def save_standards(page: Any) -> None:
    page.get_by_test_id("standards-save").click()
    expect(page.get_by_test_id("standards-status")).to_have_text("Saved.", timeout=TIMEOUT)


def test_calendar_override_added_in_the_ui_is_stored(site: Any, context: Any) -> None:
    api = Staff(site)
    assert api.get(cycle_url(site))["overrides"] == []
    page = context.new_page()
    sign_in(page, site)
    open_standards(page, site)
    expect(page.get_by_test_id("overrides-empty")).to_be_visible()
    add_override_in_ui(
        page, label="Payday", factor="0.8", moment="wait", days="1, 15", dates=("2026-12-31",)
    )
    # The factor in plain words, live from the value.
    expect(page.get_by_test_id("ovr-0-factor-hint")).to_have_text("0.8 = 20% stricter")
    page.get_by_test_id("ovr-0-factor").fill("1.5")
    expect(page.get_by_test_id("ovr-0-factor-hint")).to_have_text("1.5 = 50% looser")
    page.get_by_test_id("ovr-0-factor").fill("0.8")
    expect(page.get_by_test_id("overrides-empty")).to_be_hidden()
    save_standards(page)
    assert api.get(cycle_url(site))["overrides"] == [PAYDAY]
    # The table's targets went with the same PUT and are unchanged.
    assert api.get(cycle_url(site))["standards"]["A"]["wait"] == {"expected": 600, "exclusive": 300}


def test_calendar_override_shows_after_reload_and_edits_save(site: Any, context: Any) -> None:
    api = Staff(site)
    page = context.new_page()
    sign_in(page, site)
    open_standards(page, site)
    add_override_in_ui(
        page,
        label="Payday",
        factor="0.8",
        moment="wait",
        days="1, 15",
        dates=("2026-12-31", "2026-12-24"),
    )
    save_standards(page)
    assert api.get(cycle_url(site))["overrides"] == [
        {**PAYDAY, "dates": ["2026-12-24", "2026-12-31"]}
    ]

    page.reload()
    expect(page.get_by_test_id("live")).to_have_text("Live", timeout=TIMEOUT)
    open_standards(page, site)
    expect(page.get_by_test_id("override")).to_have_count(1)
    expect(page.get_by_test_id("ovr-0-label")).to_have_value("Payday")
    expect(page.get_by_test_id("ovr-0-factor")).to_have_value("0.8")
    expect(page.get_by_test_id("ovr-0-factor-hint")).to_have_text("0.8 = 20% stricter")
    expect(page.get_by_test_id("ovr-0-moment-wait")).to_be_checked()
    for other in ("kiosk", "walk", "service"):
        expect(page.get_by_test_id(f"ovr-0-moment-{other}")).not_to_be_checked()
    expect(page.get_by_test_id("ovr-0-moment-feedback")).to_have_count(0)
    expect(page.get_by_test_id("ovr-0-days")).to_have_value("1, 15")
    chips = page.get_by_test_id("ovr-0-dates").get_by_role("button")
    expect(chips).to_have_count(2)
    expect(chips.nth(0)).to_have_accessible_name("Remove 2026-12-24")
    expect(chips.nth(1)).to_have_accessible_name("Remove 2026-12-31")

    page.get_by_test_id("ovr-0-factor").fill("1.25")
    expect(page.get_by_test_id("ovr-0-factor-hint")).to_have_text("1.25 = 25% looser")
    page.get_by_role("button", name="Remove 2026-12-24").click()
    expect(page.get_by_role("button", name="Remove 2026-12-24")).to_have_count(0)
    expect(chips).to_have_count(1)
    save_standards(page)
    assert api.get(cycle_url(site))["overrides"] == [{**PAYDAY, "factor": 1.25}]


def test_removing_a_calendar_override_saves_none(site: Any, context: Any) -> None:
    api = Staff(site)
    put_overrides(api, site, [PAYDAY])
    page = context.new_page()
    sign_in(page, site)
    open_standards(page, site)
    expect(page.get_by_test_id("override")).to_have_count(1)
    expect(page.get_by_test_id("ovr-0-label")).to_have_value("Payday")
    page.get_by_role("button", name="Remove override Payday").click()
    expect(page.get_by_test_id("override")).to_have_count(0)
    expect(page.get_by_test_id("overrides-empty")).to_be_visible()
    expect(page.get_by_test_id("override-add")).to_be_focused()
    # Nothing is stored until Save.
    assert api.get(cycle_url(site))["overrides"] == [PAYDAY]
    save_standards(page)
    assert api.get(cycle_url(site))["overrides"] == []


def test_override_without_days_is_refused_before_sending(site: Any, context: Any) -> None:
    api = Staff(site)
    put_overrides(api, site, [PAYDAY])
    before = api.get(cycle_url(site))
    page = context.new_page()
    sign_in(page, site)
    open_standards(page, site)
    puts = record_puts(page)
    page.get_by_test_id("override-add").click()
    page.keyboard.type("Christmas")
    page.get_by_test_id("ovr-1-factor").fill("1.5")
    page.get_by_test_id("standards-save").click()
    error = page.get_by_test_id("error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("not saved")
    expect(error).to_contain_text("“Christmas” needs specific dates or days of the month")
    expect(page.get_by_test_id("ovr-1-error")).to_contain_text("needs specific dates or days")
    expect(page.get_by_test_id("ovr-1-days")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_test_id("ovr-1-days")).to_be_focused()
    expect(page.get_by_test_id("standards-status")).not_to_have_text("Saved.")
    page.wait_for_timeout(300)
    assert puts == []
    assert api.get(cycle_url(site)) == before

    # A date is enough: the message goes and the save goes through.
    page.get_by_test_id("ovr-1-date-input").fill("2026-12-24")
    page.get_by_test_id("ovr-1-add-date").click()
    expect(page.get_by_test_id("ovr-1-error")).to_be_hidden()
    save_standards(page)
    assert len(puts) == 1
    christmas = {"label": "Christmas", "dates": ["2026-12-24"], "days_of_month": []}
    assert api.get(cycle_url(site))["overrides"] == [
        PAYDAY,
        {**christmas, "moments": [], "factor": 1.5},
    ]


def test_days_of_month_out_of_range_are_refused(site: Any, context: Any) -> None:
    api = Staff(site)
    before = api.get(cycle_url(site))
    page = context.new_page()
    sign_in(page, site)
    open_standards(page, site)
    puts = record_puts(page)
    page.get_by_test_id("override-add").click()
    page.keyboard.type("Month end")
    days = page.get_by_test_id("ovr-0-days")
    days.fill("0, 40")
    page.get_by_test_id("standards-save").click()
    error = page.get_by_test_id("error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("“Month end”: days of month must be whole days from 1 to 31")
    expect(error).to_contain_text("(not: 0, 40)")
    # The same message under the card, the field marked.
    expect(page.get_by_test_id("ovr-0-error")).to_contain_text("whole days from 1 to 31")
    expect(days).to_have_attribute("aria-invalid", "true")
    page.wait_for_timeout(300)
    assert puts == []
    assert api.get(cycle_url(site)) == before

    # Ranges are fine; the field is no longer marked once it is right.
    days.fill("1, 28-31")
    expect(page.get_by_test_id("ovr-0-error")).to_be_hidden()
    expect(days).not_to_have_attribute("aria-invalid", "true")
    save_standards(page)
    assert api.get(cycle_url(site))["overrides"] == [
        {
            "label": "Month end",
            "dates": [],
            "days_of_month": [1, 28, 29, 30, 31],
            "moments": [],
            "factor": 1,
        }
    ]


def test_override_factor_out_of_range_is_refused(site: Any, context: Any) -> None:
    api = Staff(site)
    before = api.get(cycle_url(site))
    page = context.new_page()
    sign_in(page, site)
    open_standards(page, site)
    puts = record_puts(page)
    add_override_in_ui(page, label="Storm", factor="12", moment="walk", days="3", dates=())
    expect(page.get_by_test_id("ovr-0-factor-hint")).to_have_text("Enter a number from 0.1 to 10")
    page.get_by_test_id("standards-save").click()
    expect(page.get_by_test_id("error")).to_contain_text(
        "“Storm”: the factor must be a number from 0.1 to 10"
    )
    expect(page.get_by_test_id("ovr-0-factor")).to_have_attribute("aria-invalid", "true")
    page.wait_for_timeout(300)
    assert puts == []
    assert api.get(cycle_url(site)) == before


def test_teller_cannot_use_the_dashboard(site: Any, context: Any) -> None:
    page = context.new_page()
    page.goto(f"{site.url}/manager/")
    page.get_by_test_id("login-username").fill("teller1")
    page.get_by_test_id("login-password").fill(site.users["teller1"])
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("error")).to_contain_text("for managers", timeout=TIMEOUT)
    expect(page.get_by_test_id("tab-live")).to_be_hidden()


def add_second_branch(api: Staff, site: Any) -> None:
    """Branch "north" (North Branch, service A, one waiting ticket) also in the manager's care:
    the manager becomes a regional manager with two branches."""
    r = api.post("/api/v1/admin/branches", {"code": "north", "name": "North Branch"}, user="admin")
    assert r.status_code == 201, r.text
    r = api.post(
        "/api/v1/admin/branches/north/services",
        {"code": "A", "names": {"en": "Cash"}, "standard_wait_s": 600, "standard_service_s": 300},
        user="admin",
    )
    assert r.status_code == 201, r.text
    users = api.get("/api/v1/admin/users", user="admin")
    manager = next(u for u in users if u["username"] == "manager")
    r = httpx.put(
        f"{site.url}/api/v1/admin/users/{manager['id']}/branches",
        json={"branches": ["north"]},
        headers={"Authorization": f"Bearer {api.token('admin')}"},
        timeout=TIMEOUT_S,
    )
    assert r.status_code == 200, r.text
    north_kiosk = api.post(
        "/api/v1/admin/devices", {"branch": "north", "kind": "kiosk", "name": "N"}, user="admin"
    ).json()["token"]
    r = httpx.post(
        f"{site.url}/api/v1/branches/north/tickets",
        json={"service": "A"},
        headers={"Authorization": f"Bearer {north_kiosk}"},
        timeout=TIMEOUT_S,
    )
    assert r.status_code == 201, r.text


def test_a_regional_manager_sees_branches_side_by_side(site: Any, context: Any) -> None:
    api = Staff(site)
    add_second_branch(api, site)
    for service in "AAB":
        api.issue(service)

    page = context.new_page()
    page.goto(f"{site.url}/manager/")
    page.get_by_test_id("login-username").fill("manager")
    page.get_by_test_id("login-password").fill(site.users["manager"])
    page.get_by_test_id("login-submit").click()
    # Two branches: the dashboard opens on the side-by-side view.
    expect(page.get_by_test_id("tab-branches")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_test_id("branches-table")).to_be_visible()
    overview = api.get("/api/v1/branches/overview")["branches"]
    assert [b["branch"] for b in overview] == [site.branch, "north"]
    for b in overview:
        expect(page.get_by_test_id(f"branch-waiting-{b['branch']}")).to_have_text(
            str(b["waiting_total"])
        )
    assert [b["waiting_total"] for b in overview] == [3, 1]
    violations = axe_violations(page)
    assert violations == [], describe(violations)

    page.get_by_test_id("open-branch-north").click()
    expect(page.locator("#branch-name")).to_have_text("North Branch", timeout=TIMEOUT)
    expect(page.get_by_test_id("waiting-total")).to_have_text("1")


def test_a_single_branch_manager_has_no_branches_tab(site: Any, context: Any) -> None:
    page = context.new_page()
    sign_in(page, site)
    expect(page.get_by_test_id("tab-branches")).to_be_hidden()
