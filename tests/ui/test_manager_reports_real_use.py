"""The manager dashboard's reports and standards under real use (issue 13): the tickets no
counter or teller has are one group in both tables, services carry their names, charts draw
their lines above the bars, the estimates table stays in its card, times are the branch's,
standards are edited in minutes, unsaved edits are not lost without a question, and a refused
save names the fields as the form does."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from playwright.sync_api import expect

from tests.ui.test_manager import PAYDAY, cycle_url, open_standards, put_overrides, sign_in
from tests.ui.test_manager_i18n import busy_branch
from tests.ui.test_manager_real_use import (
    BRANCH_ZONE,
    browser_away,
    hhmm,
    set_branch_zone,
    zone_label,
)
from tests.ui.test_teller import TIMEOUT, Staff


def open_reports(page: Any) -> None:
    page.get_by_test_id("tab-reports").click()
    expect(page.get_by_test_id("chart-moment")).to_have_attribute(
        "data-rendered", "5", timeout=TIMEOUT
    )


def show_table(page: Any, by: str, first_head: str) -> Any:
    page.get_by_test_id("report-by").select_option(by)
    table = page.get_by_test_id("report-table")
    expect(table.locator("thead th").first).to_have_text(first_head, timeout=TIMEOUT)
    return table


# ------------------------------------------------------------------------------ tables


def test_tickets_without_a_counter_are_one_group_in_both_tables(site: Any, context: Any) -> None:
    api = Staff(site)
    counter = api.counter_id("1")
    assert api.post(f"/api/v1/counters/{counter}/open", user="teller1").is_success
    served = api.issue("A")
    api.post(f"/api/v1/counters/{counter}/call-next", user="teller1")
    api.post(f"/api/v1/tickets/{served['id']}/finish", user="teller1")
    # Called, then sent to another service's queue and not called again.
    moved = api.issue("A")
    api.post(f"/api/v1/counters/{counter}/call-next", user="teller1")
    r = api.post(f"/api/v1/tickets/{moved['id']}/transfer", {"service": "C"}, user="teller1")
    assert r.is_success, r.text
    api.issue("B")  # still waiting
    day = api.get(f"/api/v1/branches/{site.branch}/metrics/live")["business_date"]
    q = f"/api/v1/branches/{site.branch}/reports?from={day}&to={day}"
    by_counter = api.get(f"{q}&by=counter")
    by_teller = api.get(f"{q}&by=teller")
    none_c = next(r for r in by_counter if r["key"] is None)
    none_t = next(r for r in by_teller if r["key"] is None)
    assert none_c["tickets"] == none_t["tickets"] == 2
    total = sum(r["tickets"] for r in by_counter)
    assert total == sum(r["tickets"] for r in by_teller) == 3

    page = context.new_page()
    sign_in(page, site)
    open_reports(page)
    expect(page.get_by_test_id("report-status")).to_contain_text(f"{total} tickets")
    table = show_table(page, "counter", "Counter")
    expect(table.get_by_test_id("report-row-none").locator("th")).to_have_text(
        "Not at a counter yet"
    )
    expect(table.get_by_test_id("report-row-none").locator("td").first).to_have_text("2")
    expect(table.locator("tbody tr")).to_have_count(len(by_counter))
    expect(page.get_by_test_id("report-table-note")).to_contain_text(
        f"is 2 tickets that no counter has: still waiting, cancelled, or transferred and not "
        f"called again. With them the rows add up to the {total} tickets of the period."
    )
    table = show_table(page, "teller", "Teller")
    expect(table.get_by_test_id("report-row-none").locator("th")).to_have_text("No teller yet")
    expect(table.get_by_test_id("report-row-none").locator("td").first).to_have_text("2")
    expect(page.get_by_test_id("report-table-note")).to_contain_text(
        f"the rows add up to the {total} tickets"
    )
    page.get_by_test_id("lang-select").select_option("tr")
    expect(table.get_by_test_id("report-row-none").locator("th")).to_have_text("Henüz görevli yok")
    expect(page.get_by_test_id("report-table-note")).to_contain_text("dönemin 3 biletini verir")


def test_services_carry_their_names(site: Any, context: Any) -> None:
    api = Staff(site)
    busy_branch(api, site)
    page = context.new_page()
    sign_in(page, site)
    expect(page.locator("#counters")).to_contain_text("B · Accounts and cards", timeout=TIMEOUT)
    expect(page.get_by_test_id("alerts")).to_contain_text("C · Loans and investments:")
    open_reports(page)
    estimates = page.get_by_test_id("estimates")
    expect(estimates.locator("tbody th").first).to_have_text("A · Cash and deposits")
    expect(page.get_by_test_id("breaks")).to_contain_text("A · Cash and deposits")
    expect(page.get_by_test_id("staffing").locator("thead")).to_contain_text(
        "A · Cash and deposits"
    )
    page.get_by_test_id("lang-select").select_option("tr")
    expect(estimates.locator("tbody th").first).to_have_text("A · Nakit ve mevduat işlemleri")
    page.get_by_test_id("tab-standards").click()
    expect(page.get_by_test_id("standards").locator("tbody th").first).to_have_text(
        "A · Nakit ve mevduat işlemleri", timeout=TIMEOUT
    )


def test_report_hours_are_the_branch_s_and_say_so(site: Any, browser: Any) -> None:
    api = Staff(site)
    set_branch_zone(api, site)
    put_overrides(api, site, [PAYDAY])  # the standards now have a "last changed" time
    changed = dt.datetime.fromisoformat(api.get(cycle_url(site))["updated_at"])
    with browser_away(browser) as away:
        page = away.new_page()
        check_branch_hours(page, site, changed)


def check_branch_hours(page: Any, site: Any, changed: dt.datetime) -> None:
    sign_in(page, site)
    zone = zone_label(page)
    open_reports(page)
    show_table(page, "hour", f"Hour of day ({zone})")
    expect(page.get_by_test_id("staffing").locator("thead th").first).to_have_text(f"Hour ({zone})")
    axis = page.evaluate(
        "() => Chart.getChart(document.querySelector('#chart-hour')).options.scales.x.title.text"
    )
    assert axis == f"hour ({zone})"
    page.get_by_test_id("tab-standards").click()
    expect(page.get_by_test_id("standards-status")).to_contain_text(
        f"{hhmm(changed, BRANCH_ZONE)} ({zone})", timeout=TIMEOUT
    )


# ------------------------------------------------------------------------------ charts

DRAWN = """(id) => {
    const chart = Chart.getChart(document.querySelector(id));
    // Chart.js draws the sorted datasets from the last to the first.
    return chart.getSortedVisibleDatasetMetas().reverse().map((m) => m.type);
}"""


def test_lines_are_drawn_above_the_bars(site: Any, context: Any) -> None:
    api = Staff(site)
    busy_branch(api, site)
    page = context.new_page()
    sign_in(page, site)
    expect(page.get_by_test_id("chart-today")).to_have_attribute(
        "data-rendered", re.compile(r"\d+"), timeout=TIMEOUT
    )
    open_reports(page)
    expect(page.get_by_test_id("chart-teller")).to_have_attribute(
        "data-rendered", re.compile(r"\d+"), timeout=TIMEOUT
    )
    for chart in ("#chart-today", "#chart-teller", "#chart-satisfaction"):
        drawn = page.evaluate(DRAWN, chart)
        assert "line" in drawn, (chart, drawn)
        assert "bar" in drawn, (chart, drawn)
        last_bar = max(i for i, kind in enumerate(drawn) if kind == "bar")
        first_line = min(i for i, kind in enumerate(drawn) if kind == "line")
        assert first_line > last_bar, (chart, drawn)
        # The legend still lists the datasets in their own order (bars first).
        legend = page.evaluate(
            "(id) => Chart.getChart(document.querySelector(id)).legend.legendItems"
            ".map((i) => i.datasetIndex)",
            chart,
        )
        assert legend == sorted(legend), (chart, legend)


# ------------------------------------------------------------------------------ layout

FITS = """() => {
    const table = document.querySelector('#estimates');
    const wrap = table.parentElement, card = table.closest('.chart-card');
    const c = card.getBoundingClientRect(), w = wrap.getBoundingClientRect();
    const t = table.getBoundingClientRect();
    return {wrapInside: w.left >= c.left - 0.5 && w.right <= c.right + 0.5,
            tableInside: t.right <= c.right + 0.5, scrolls: wrap.scrollWidth > wrap.clientWidth,
            rows: table.querySelectorAll('tbody tr').length};
}"""


def test_estimates_table_stays_in_its_card(site: Any, context: Any) -> None:
    busy_branch(Staff(site), site)
    page = context.new_page()
    sign_in(page, site)
    open_reports(page)
    expect(page.get_by_test_id("estimates").locator("tbody tr").first).to_be_visible()
    for lang in ("en", "tr"):
        if lang == "tr":
            page.get_by_test_id("lang-select").select_option("tr")
            expect(page.get_by_test_id("tab-reports")).to_have_text("Raporlar")
        for width in (1280, 800, 1000, 1440, 1920):
            page.set_viewport_size({"width": width, "height": 800})
            got = page.evaluate(FITS)
            assert got["rows"] >= 2, got
            # Fits its card with no sideways scrolling on a laptop or a narrow window.
            where = (lang, width, got)
            assert got["wrapInside"], where
            assert got["tableInside"], where
            assert not got["scrolls"], where
        # A phone: still inside the card, scrolling there if it must.
        page.set_viewport_size({"width": 360, "height": 740})
        assert page.evaluate(FITS)["wrapInside"], lang


# --------------------------------------------------------------------------- standards


def test_standards_are_edited_in_minutes(site: Any, context: Any) -> None:
    api = Staff(site)
    page = context.new_page()
    sign_in(page, site)
    open_standards(page, site)
    table = page.get_by_test_id("standards")
    expect(table.locator("thead")).to_contain_text("Waiting (min)")
    expect(table.locator("thead")).to_contain_text("Service (min)")
    expect(table.locator("thead")).to_contain_text("Walking to the counter (s)")
    expect(page.get_by_test_id("std-B-service-expected")).to_have_value("7")  # 420 s
    expect(page.get_by_test_id("std-B-service-exclusive")).to_have_value("3.5")  # 210 s
    expect(page.get_by_test_id("std-A-walk-expected")).to_have_value("90")  # seconds
    expect(page.get_by_test_id("std-A-wait-expected")).to_have_accessible_name(
        "Service A · Cash and deposits, Waiting, expected (min)"
    )
    page.get_by_test_id("std-B-service-expected").fill("7.5")
    page.get_by_test_id("standards-save").click()
    expect(page.get_by_test_id("standards-status")).to_have_text("Saved.", timeout=TIMEOUT)
    cycle = api.get(cycle_url(site))
    assert cycle["standards"]["B"]["service"] == {"expected": 450, "exclusive": 210}
    assert cycle["standards"]["A"]["walk"] == {"expected": 90, "exclusive": 30}


def test_unsaved_standards_ask_before_they_are_lost(site: Any, context: Any) -> None:
    page = context.new_page()
    sign_in(page, site)
    page.get_by_test_id("tab-standards").click()
    field = page.get_by_test_id("std-A-wait-expected")
    expect(field).not_to_have_value("", timeout=TIMEOUT)
    field.click()
    field.fill("12")
    dialog = page.get_by_test_id("leave-dialog")

    # Another tab: the dashboard asks; keeping the edits stays on the tab with them.
    page.get_by_test_id("tab-live").click()
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("not saved")
    expect(page.get_by_test_id("leave-stay")).to_be_focused()
    page.get_by_test_id("leave-stay").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("#view-standards")).to_be_visible()
    expect(page.get_by_test_id("tab-standards")).to_have_attribute("aria-current", "page")
    expect(field).to_have_value("12")

    # Leaving the page (reload, close): the browser asks.
    page.on("dialog", lambda d: d.dismiss())
    page.close(run_before_unload=True)
    asked = page.wait_for_event("dialog", timeout=TIMEOUT)
    assert asked.type == "beforeunload"
    assert not page.is_closed()

    # Discarding goes to the other tab; the next visit shows the stored value.
    page.get_by_test_id("tab-reports").click()
    expect(dialog).to_be_visible()
    page.get_by_test_id("leave-discard").click()
    expect(page.locator("#view-reports")).to_be_visible()
    page.get_by_test_id("tab-standards").click()
    expect(field).to_have_value("10", timeout=TIMEOUT)
    # Nothing edited: no question.
    page.get_by_test_id("tab-live").click()
    expect(page.locator("#view-live")).to_be_visible()
    expect(dialog).to_be_hidden()


def test_a_refused_save_names_the_fields_as_the_form_does(site: Any, context: Any) -> None:
    api = Staff(site)
    put_overrides(api, site, [PAYDAY])
    page = context.new_page()
    sign_in(page, site)
    open_standards(page, site)
    puts: list[str] = []
    page.on("request", lambda r: puts.append(r.url) if r.method == "PUT" else None)

    # Said by the page before anything is sent, in minutes.
    page.get_by_test_id("std-A-wait-exclusive").fill("15")
    page.get_by_test_id("standards-save").click()
    error = page.locator("#error-text")
    expect(error).to_have_text(
        "The standards were not saved: A · Cash and deposits — Waiting: the exclusive target "
        "(15 min) must be better than the expected one (10 min)."
    )
    expect(page.get_by_test_id("std-A-wait-exclusive")).to_be_focused()
    assert puts == []
    page.get_by_test_id("std-A-wait-exclusive").fill("5")

    # The server's refusal by field path, said in the form's words.
    refusal = {
        "detail": "standards.A.wait.expected: Input should be less than or equal to 86400; "
        "overrides.0.factor: Input should be greater than or equal to 0.1",
        "code": "invalid",
        "errors": [
            {
                "field": "standards.A.wait.expected",
                "message": "standards.A.wait.expected: Input should be less than or equal to 86400",
            },
            {
                "field": "overrides.0.factor",
                "message": "overrides.0.factor: Input should be greater than or equal to 0.1",
            },
            {"field": "request", "message": "something the page does not know"},
        ],
    }

    def refuse(route: Any) -> None:
        if route.request.method == "PUT":
            route.fulfill(status=422, content_type="application/json", body=json.dumps(refusal))
        else:
            route.continue_()

    page.route("**/service-cycle", refuse)
    page.get_by_test_id("standards-save").click()
    expect(error).to_contain_text(
        "A · Cash and deposits — Waiting, expected: must be at most 1,440 min", timeout=TIMEOUT
    )
    expect(error).to_contain_text("Override 1 (“Payday”), factor: must be at least 0.1")
    expect(error).to_contain_text("something the page does not know")
    expect(error).not_to_contain_text("standards.A")
    page.get_by_test_id("lang-select").select_option("tr")
    expect(error).to_contain_text(
        "A · Nakit ve mevduat işlemleri — Bekleme, beklenen: en fazla 1.440 dk olabilir"
    )
