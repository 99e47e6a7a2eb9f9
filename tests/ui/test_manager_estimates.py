"""The manager's estimate-accuracy card in real Chromium with a week of history: the
within-target and re-quote columns, a drift marker in words on the services whose quotes
drift, and the quoted-against-actual scatter chart (a dot per called ticket, one colour and
legend entry per service, the diagonal and the target band) with an accessible name and a
summary in words; axe-clean at 1366 and 390 px."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import insert, select
from sqlmodel import col

from server.models import Branch, Ticket, TicketQuote
from tests.ui.test_a11y_staff import assert_accessible
from tests.ui.test_manager import sign_in
from tests.ui.test_manager_reports_real_use import open_reports
from tests.ui.test_teller import TIMEOUT, Staff

TICKET = Ticket.__table__  # type: ignore[attr-defined]
QUOTE = TicketQuote.__table__  # type: ignore[attr-defined]
Quote = Callable[[int, random.Random], int]


def too_short(wait: int, rng: random.Random) -> int:
    return int(wait * rng.uniform(0.45, 0.7))


def about_right(wait: int, rng: random.Random) -> int:
    return max(0, int(wait + rng.uniform(-200, 140)))


def too_long(wait: int, rng: random.Random) -> int:
    return int(wait + rng.uniform(360, 600))


# Per service: tickets, and the quote at issue from the actual wait (seconds).
HISTORY: dict[str, tuple[int, Quote]] = {
    "A": (40, too_short),
    "B": (30, about_right),
    "C": (25, too_long),
}
CALLED = sum(n for n, _ in HISTORY.values())

CHART = """() => {
    const chart = Chart.getChart(document.querySelector('#chart-estimates'));
    return {
        type: chart.config.type,
        datasets: chart.data.datasets.map(
            (d) => ({type: d.type, label: d.label, n: d.data.length})),
        legend: chart.legend.legendItems.map((i) => i.text),
        x: chart.options.scales.x.title.text,
        y: chart.options.scales.y.title.text,
    };
}"""


def week_of_history(site: Any, today: dt.date) -> None:
    """Called tickets on the six days before ``today``, written straight to the database
    (a real wait takes minutes): quotes too short for A, about right for B, too long for C,
    and re-quotes half-way through some of A's waits."""
    rng = random.Random(15)
    with site.db.unit_of_work() as s:
        branch_id = s.execute(
            select(col(Branch.id)).where(col(Branch.code) == site.branch)
        ).scalar_one()
        for service, (n, quote) in HISTORY.items():
            for i in range(n):
                day = today - dt.timedelta(days=1 + i % 6)
                issued = dt.datetime.combine(day, dt.time(8, 0), tzinfo=dt.UTC) + dt.timedelta(
                    minutes=7 * i
                )
                wait = rng.randint(150, 1500)
                called = issued + dt.timedelta(seconds=wait)
                ticket_id = s.execute(
                    insert(TICKET).returning(TICKET.c.id),
                    {
                        "branch_id": branch_id,
                        "business_date": day,
                        "prefix": service,
                        "number": 100 + i,
                        "code": f"{service}{100 + i:03d}",
                        "service_code": service,
                        "original_service_code": service,
                        "lang": "en",
                        "priority": False,
                        "status": "done",
                        "token": f"history-{service}-{i}",
                        "issued_at": issued,
                        "queued_at": issued,
                        "quoted_wait_s": quote(wait, rng),
                        "first_called_at": called,
                        "called_at": called,
                        "finished_at": called + dt.timedelta(minutes=4),
                        "recall_count": 0,
                        "transfer_count": 0,
                        "print_status": "none",
                    },
                ).scalar_one()
                if service == "A" and i % 2 == 0:
                    half = wait // 2
                    s.execute(
                        insert(QUOTE),
                        {
                            "ticket_id": ticket_id,
                            "at": issued + dt.timedelta(seconds=half),
                            "kind": "requote",
                            "wait_s": int((wait - half) * rng.uniform(0.8, 1.1)),
                            "rough": False,
                            "fallback": False,
                        },
                    )


def open_estimates(site: Any, context: Any, width: int = 1366) -> tuple[Any, dict[str, Any]]:
    api = Staff(site)
    today = dt.date.fromisoformat(
        api.get(f"/api/v1/branches/{site.branch}/metrics/live")["business_date"]
    )
    week_of_history(site, today)
    first = (today - dt.timedelta(days=6)).isoformat()
    q = f"from={first}&to={today.isoformat()}"
    rows = {r["key"]: r for r in api.get(f"/api/v1/branches/{site.branch}/reports/estimates?{q}")}
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, site)
    open_reports(page)
    expect(page.get_by_test_id("chart-estimates")).to_have_attribute(
        "data-rendered", str(CALLED), timeout=TIMEOUT
    )
    return page, rows


def test_the_estimates_card_shows_drift_within_target_and_the_chart(
    site: Any, context: Any, tmp_path: Path
) -> None:
    page, rows = open_estimates(site, context)
    assert (rows["A"]["drift"], rows["B"]["drift"], rows["C"]["drift"]) == ("short", None, "long")
    assert rows["A"]["requotes"] == 20

    table = page.get_by_test_id("estimates")
    heads = table.locator("thead th")
    expect(heads).to_have_text(
        [
            "Service",
            "Tickets",
            "Mean error",
            "Bias",
            "Within ±2 min",
            "Within target",
            "Re-quotes",
            "Re-quote mean error",
            "Re-quotes within target",
        ]
    )
    for key in ("A", "B", "C"):
        row = page.get_by_test_id(f"estimates-row-{key}")
        within = f"{rows[key]['within_target_pct']:.1f}%"
        expect(row.get_by_test_id("within-target")).to_have_text(within)
    a, b, c = (page.get_by_test_id(f"estimates-row-{k}") for k in "ABC")
    expect(a.get_by_test_id("drift-flag")).to_have_text("Quotes too short")
    expect(c.get_by_test_id("drift-flag")).to_have_text("Quotes too long")
    expect(b.get_by_test_id("drift-flag")).to_have_count(0)
    expect(a.locator("td").nth(5)).to_have_text("20")  # the re-quotes column
    note = page.get_by_test_id("est-drift-note")
    expect(note).to_contain_text("A · Cash and deposits: quotes too short — customers waited")
    expect(note).to_contain_text("quotes too long — customers were called")
    expect(page.get_by_test_id("est-target-note")).to_contain_text(
        "off by at most 2 min or 20% of the actual wait"
    )

    chart = page.evaluate(CHART)
    scatter = [d for d in chart["datasets"] if d["type"] == "scatter"]
    assert [d["n"] for d in scatter] == [HISTORY[k][0] for k in "ABC"]
    assert chart["legend"] == [
        *(d["label"] for d in scatter),
        "Quoted = actual",
        "Target band (±2\u00a0min or 20%)",  # a number keeps its unit
    ]
    assert scatter[0]["label"].startswith("A · ")
    assert (chart["x"], chart["y"]) == ("quoted wait (min)", "actual wait (min)")
    canvas = page.get_by_test_id("chart-estimates")
    expect(canvas).to_have_accessible_name("Quoted against actual wait, one dot per called ticket")
    expect(canvas).to_have_accessible_description(
        re.compile(rf"for {CALLED} called tickets; dots above the diagonal waited longer")
    )
    summary = page.get_by_test_id("est-chart-summary")
    expect(summary).to_contain_text("A · Cash and deposits: customers waited")
    expect(summary).to_contain_text("longer than quoted on average")
    expect(page.get_by_test_id("est-chart-note")).to_have_text(f"{CALLED} called tickets.")

    card = page.get_by_test_id("estimates-card")
    card.scroll_into_view_if_needed()
    shot = tmp_path / "manager-estimates.png"
    card.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000

    page.get_by_test_id("lang-select").select_option("tr")
    expect(a.get_by_test_id("drift-flag")).to_have_text("Tahminler çok kısa")
    expect(heads.nth(5)).to_have_text("Hedef aralıkta")
    assert page.evaluate(CHART)["x"] == "bildirilen bekleme (dk)"


def test_the_estimates_card_is_accessible_wide_and_narrow(site: Any, context: Any) -> None:
    page, _ = open_estimates(site, context)
    expect(page.get_by_test_id("drift-flag").first).to_be_visible()
    assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_test_id("estimates-card").scroll_into_view_if_needed()
    expect(page.get_by_test_id("drift-flag").first).to_be_visible()
    assert_accessible(page)
    # On a phone the card keeps inside the page: its table scrolls in its own box.
    inside = page.evaluate(
        """() => {
            const card = document.querySelector('[data-testid=estimates-card]');
            return card.getBoundingClientRect().right <= document.documentElement.clientWidth + 0.5;
        }"""
    )
    assert inside
