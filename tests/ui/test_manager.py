"""The manager dashboard (/manager/) in real Chromium against a real server: the live figures
match the API and follow the event stream; reports, CSV and standards use the real endpoints."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
from playwright.sync_api import expect
from sqlmodel import select

from server.alerts.service import clear_alert, raise_alert
from server.models import Branch
from tests.ui.conftest import axe_violations, describe
from tests.ui.test_teller import TIMEOUT, Staff


def sign_in(page: Any, site: Any, user: str = "manager") -> None:
    page.goto(f"{site.url}/manager/")
    page.get_by_test_id("login-username").fill(user)
    page.get_by_test_id("login-password").fill(site.users[user])
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("live")).to_have_text("Live", timeout=TIMEOUT)


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
    with site.db.unit_of_work() as session:
        branch = session.exec(select(Branch).where(Branch.code == site.branch)).one()
        raise_alert(
            session,
            branch_id=branch.id,
            key="printer:test",
            kind="printer",
            severity="critical",
            message="The printer of Entrance kiosk is out of paper",
            now=dt.datetime.now(dt.UTC),
        )
    item = page.get_by_test_id("alert-item")
    expect(item).to_have_count(1, timeout=TIMEOUT)
    expect(item).to_contain_text("out of paper")
    expect(item).to_contain_text("critical")
    with site.db.unit_of_work() as session:
        branch = session.exec(select(Branch).where(Branch.code == site.branch)).one()
        clear_alert(session, branch_id=branch.id, key="printer:test", now=dt.datetime.now(dt.UTC))
    expect(item).to_have_count(0, timeout=TIMEOUT)


def test_devices_are_listed_with_last_seen(site: Any, context: Any) -> None:
    api = Staff(site)
    devices = api.get("/api/v1/admin/devices")
    page = context.new_page()
    sign_in(page, site)
    listed = page.get_by_test_id("devices")
    for device in devices:
        row = listed.get_by_test_id(f"device-{device['id']}")
        expect(row).to_contain_text(device["name"], timeout=TIMEOUT)
        expect(row).to_contain_text("last seen")


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


def test_standards_editor_saves_through_the_api(site: Any, context: Any) -> None:
    api = Staff(site)
    page = context.new_page()
    sign_in(page, site)
    page.get_by_test_id("tab-standards").click()
    field = page.get_by_test_id("std-A-wait-expected")
    expect(field).to_have_value("600", timeout=TIMEOUT)
    field.fill("420")
    page.get_by_test_id("std-A-wait-exclusive").fill("200")
    page.get_by_test_id("standards-save").click()
    expect(page.get_by_test_id("standards-status")).to_have_text("Saved.", timeout=TIMEOUT)
    cycle = api.get(f"/api/v1/branches/{site.branch}/service-cycle")
    assert cycle["standards"]["A"]["wait"] == {"expected": 420, "exclusive": 200}
    svc = api.get(f"/api/v1/admin/branches/{site.branch}/services/A")
    assert svc["standard_wait_s"] == 420


def test_standards_editor_shows_the_api_refusal(site: Any, context: Any) -> None:
    page = context.new_page()
    sign_in(page, site)
    page.get_by_test_id("tab-standards").click()
    expect(page.get_by_test_id("std-A-wait-expected")).to_have_value("600", timeout=TIMEOUT)
    # exclusive must not be looser than expected: the server says why, the page shows it.
    page.get_by_test_id("std-A-wait-exclusive").fill("900")
    page.get_by_test_id("standards-save").click()
    expect(page.get_by_test_id("error")).to_contain_text("not saved", timeout=TIMEOUT)
    cycle = Staff(site).get(f"/api/v1/branches/{site.branch}/service-cycle")
    assert cycle["standards"]["A"]["wait"]["exclusive"] != 900


def test_teller_cannot_use_the_dashboard(site: Any, context: Any) -> None:
    page = context.new_page()
    page.goto(f"{site.url}/manager/")
    page.get_by_test_id("login-username").fill("teller1")
    page.get_by_test_id("login-password").fill(site.users["teller1"])
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("error")).to_contain_text("for managers", timeout=TIMEOUT)
    expect(page.get_by_test_id("tab-live")).to_be_hidden()


def test_a_regional_manager_sees_branches_side_by_side(site: Any, context: Any) -> None:
    api = Staff(site)
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
    )
    assert r.status_code == 200, r.text
    for service in "AAB":
        api.issue(service)
    north_kiosk = api.post(
        "/api/v1/admin/devices", {"branch": "north", "kind": "kiosk", "name": "N"}, user="admin"
    ).json()["token"]
    r = httpx.post(
        f"{site.url}/api/v1/branches/north/tickets",
        json={"service": "A"},
        headers={"Authorization": f"Bearer {north_kiosk}"},
    )
    assert r.status_code == 201, r.text

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
