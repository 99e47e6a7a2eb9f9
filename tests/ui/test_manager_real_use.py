"""The manager dashboard's live tab under real use (issue 13): devices say "Online now" or
when they were last heard from, every time is on the branch's clock with its zone named,
alerts follow `alert.updated` in place, counters are named once and show who holds them,
counts read as words do, a figure keeps its unit on its line, and the bar at 800 px wide."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from server.alerts.service import raise_alert
from server.models import Branch, Device, Ticket, User
from tests.ui.test_manager import sign_in
from tests.ui.test_narrow import _check as check_top_bar
from tests.ui.test_teller import TIMEOUT, Staff

BRANCH_ZONE = "Asia/Kolkata"  # UTC+5:30: no browser zone shares its clock by accident
BROWSER_ZONE = "America/New_York"


def set_branch_zone(api: Staff, site: Any, zone: str = BRANCH_ZONE) -> None:
    res = api.http.patch(
        f"/api/v1/admin/branches/{site.branch}",
        json={"timezone": zone},
        headers={"Authorization": f"Bearer {api.token('admin')}"},
    )
    assert res.status_code == 200, res.text


def hhmm(at: dt.datetime, zone: str) -> str:
    return at.astimezone(ZoneInfo(zone)).strftime("%H:%M")


def zone_label(page: Any, zone: str = BRANCH_ZONE, locale: str = "en-GB") -> str:
    """The zone's name as the browser's Intl says it ("India Time")."""
    return page.evaluate(
        """([zone, locale]) => new Intl.DateTimeFormat(locale, {timeZone: zone,
             timeZoneName: 'shortGeneric'}).formatToParts(new Date())
             .find((p) => p.type === 'timeZoneName').value""",
        [zone, locale],
    )


@contextmanager
def browser_away(browser: Any) -> Iterator[Any]:
    """A browser context in New York (to look at a branch in Kolkata); like the ``context``
    fixture, it fails on a page that breaks its CSP."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, timezone_id=BROWSER_ZONE)
    refused: list[str] = []
    ctx.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    try:
        yield ctx
    finally:
        ctx.close()
    assert refused == [], refused


@pytest.fixture
def away(browser: Any) -> Iterator[Any]:
    with browser_away(browser) as ctx:
        yield ctx


def risk_alert(site: Any, *, at_risk: int, message: str) -> None:
    with site.db.unit_of_work() as session:
        branch = session.exec(select(Branch).where(Branch.code == site.branch)).one()
        raise_alert(
            session,
            branch_id=branch.id,
            key="risk-test:C",
            kind="standard_risk",
            message=message,
            data={
                "service": "C",
                "at_risk": at_risk,
                "missed": 0,
                "standard_wait_s": 1200,
                "waiting": at_risk,
                "suggestions": [],
            },
            now=dt.datetime.now(dt.UTC),
        )


# ------------------------------------------------------------------------------ devices


def test_devices_say_online_now_or_their_last_contact_on_the_branch_clock(
    site: Any, away: Any
) -> None:
    api = Staff(site)
    set_branch_zone(api, site)
    r = api.post(
        "/api/v1/admin/devices",
        {"branch": site.branch, "kind": "display", "name": "Hall TV 2"},
        user="admin",
    )
    assert r.status_code == 201, r.text
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    quiet_since = now - dt.timedelta(hours=2)
    with site.db.unit_of_work() as session:
        for d in session.exec(select(Device)):
            if d.name == "Waiting room TV":  # connected all morning: its stream is open
                d.status = {"screen": {"state": "online", "detail": ""}}
                d.last_seen_at = now - dt.timedelta(minutes=7)
            elif d.kind == "kiosk":  # no stream, but it issued a ticket 20 s ago
                d.status = {}
                d.last_seen_at = now - dt.timedelta(seconds=20)
            else:  # switched off two hours ago
                d.status = {"screen": {"state": "offline", "detail": ""}}
                d.last_seen_at = quiet_since
            session.add(d)
    devices = {d["name"]: d["id"] for d in api.get("/api/v1/admin/devices")}

    page = away.new_page()
    sign_in(page, site)
    contact = lambda name: page.get_by_test_id(f"device-contact-{devices[name]}")  # noqa: E731
    expect(contact("Waiting room TV")).to_have_text("Online now", timeout=TIMEOUT)
    expect(contact("Entrance kiosk")).to_have_text("Online now")
    zone = zone_label(page)
    off = contact("Hall TV 2")
    expect(off).to_contain_text(f"{hhmm(quiet_since, BRANCH_ZONE)} ({zone})")
    expect(off).to_contain_text(re.compile(r"Last contact 2\sh 0\d\smin ago"))
    assert f"{hhmm(quiet_since, BROWSER_ZONE)} (" not in off.inner_text()
    expect(page.get_by_test_id(f"device-pill-{devices['Hall TV 2']}")).to_have_text("offline")
    for name in devices:
        expect(contact(name)).not_to_contain_text("never")


# -------------------------------------------------------------------------------- times


def test_live_times_are_on_the_branch_clock_with_its_zone(site: Any, away: Any) -> None:
    api = Staff(site)
    set_branch_zone(api, site)
    risk_alert(site, at_risk=1, message="Service C: 1 waiting customer(s) will miss …")
    raised = dt.datetime.fromisoformat(
        api.get(f"/api/v1/branches/{site.branch}/alerts")[0]["raised_at"]
    )

    page = away.new_page()
    sign_in(page, site)
    zone = zone_label(page)
    item = page.get_by_test_id("alert-item")
    expect(item).to_contain_text(f"since {hhmm(raised, BRANCH_ZONE)} ({zone})", timeout=TIMEOUT)

    updated = page.get_by_test_id("updated")
    expect(updated).to_contain_text(f"({zone})")
    shown = re.search(r"(\d\d):(\d\d) \(", updated.inner_text())
    assert shown, updated.inner_text()
    branch_now = dt.datetime.now(ZoneInfo(BRANCH_ZONE))
    minutes = int(shown[1]) * 60 + int(shown[2])
    assert abs(minutes - (branch_now.hour * 60 + branch_now.minute)) % (24 * 60) <= 2
    # The hours of today's chart are the branch's, and the axis says so.
    expect(page.get_by_test_id("chart-today")).to_have_attribute(
        "data-rendered", re.compile(r"\d+"), timeout=TIMEOUT
    )
    axis = page.evaluate(
        "() => Chart.getChart(document.querySelector('#chart-today')).options.scales.x.title.text"
    )
    assert axis == f"hour ({zone})"


# ------------------------------------------------------------------------------- alerts


def test_an_updated_alert_is_rewritten_in_place(site: Any, context: Any) -> None:
    risk_alert(site, at_risk=1, message="Service C: 1 waiting customer(s) will miss …")
    page = context.new_page()
    sign_in(page, site)
    item = page.get_by_test_id("alert-item")
    msg = item.locator(".alert-msg")
    expect(msg).to_contain_text("1 waiting customer", timeout=TIMEOUT)
    # The stream's first snapshot fetches the list once: let that settle before counting.
    expect(page.get_by_test_id("live")).to_have_class(re.compile("is-live"))
    page.wait_for_load_state("networkidle")
    page.evaluate(
        "() => { document.querySelector('[data-testid=alert-item]').dataset.probe = 'x'; }"
    )
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "/alerts" in r.url else None)
    # The same alert, three customers now: the server sends alert.updated.
    risk_alert(site, at_risk=3, message="Service C: 3 waiting customer(s) will miss …")
    expect(msg).to_contain_text("3 waiting customer", timeout=TIMEOUT)
    expect(item).to_have_count(1)
    expect(item).to_have_attribute("data-probe", "x")  # the same list item, rewritten
    expect(msg).to_have_text(
        "C · Loans and investments: 3 waiting customers will miss the 20 min wait standard."
    )
    assert requests == []  # from the event itself, no list fetched again


# ----------------------------------------------------------------- counters and words


def test_counters_are_named_once_and_show_who_holds_them(site: Any, context: Any) -> None:
    api = Staff(site)
    with site.db.unit_of_work() as session:
        user = session.exec(select(User).where(User.username == "teller1")).one()
        user.full_name = "Ayşe Demir"
        session.add(user)
    counter = api.counter_id("1")
    r = api.http.patch(
        f"/api/v1/admin/branches/{site.branch}/counters/{counter}",
        json={"label": "Gişe 1"},
        headers={"Authorization": f"Bearer {api.token('admin')}"},
    )
    assert r.status_code == 200, r.text
    assert api.post(f"/api/v1/counters/{counter}/open", user="teller1").is_success

    page = context.new_page()
    sign_in(page, site)
    row = page.locator("#counters tr").filter(has=page.get_by_test_id("counter-state-Gişe 1"))
    expect(row.locator("th")).to_have_text("Gişe 1", timeout=TIMEOUT)
    expect(page.get_by_test_id("counter-holder-Gişe 1")).to_have_text("Ayşe Demir")
    expect(page.get_by_test_id("counter-holder-2")).to_have_text("—")
    expect(page.locator("#counters tr").nth(1).locator("th")).to_have_text("Counter 2")
    expect(row).to_contain_text("A · Cash and deposits")
    page.get_by_test_id("lang-select").select_option("tr")
    expect(row.locator("th")).to_have_text("Gişe 1")  # not "Gişe Gişe 1"
    expect(page.locator("#counters tr").nth(1).locator("th")).to_have_text("Gişe 2")
    expect(row).to_contain_text("A · Nakit ve mevduat işlemleri")


def test_counts_follow_the_plural_rules(site: Any, context: Any) -> None:
    api = Staff(site)
    counter = api.counter_id("1")
    assert api.post(f"/api/v1/counters/{counter}/open", user="teller1").is_success
    risk_alert(site, at_risk=1, message="Service C: 1 waiting customer(s) will miss …")
    page = context.new_page()
    # An administrator with one branch: the side-by-side total.
    sign_in(page, site, user="admin")
    expect(page.locator("#branches-total")).to_have_text(re.compile(r"^Total \(1 branch\)"))
    page.get_by_test_id("tab-live").click()
    expect(page.get_by_test_id("alert-item")).to_contain_text("1 waiting customer will miss")
    page.get_by_test_id("tab-reports").click()
    expect(page.get_by_test_id("staffing").locator("caption")).to_have_text(
        "Open now: 1 counter.", timeout=TIMEOUT
    )
    text = page.locator("body").inner_text()
    assert "(s)" not in text
    assert "1 counters" not in text


# ------------------------------------------------------------------------------ layout

KPI_LINES = """() => [...document.querySelectorAll('.kpi-value')].map((n) => {
    const r = n.getBoundingClientRect(), card = n.closest('.kpi').getBoundingClientRect();
    return {id: n.id, text: n.textContent, height: r.height,
            line: parseFloat(getComputedStyle(n).lineHeight),
            overflow: n.scrollWidth > n.clientWidth + 1 || r.right > card.right + 0.5};
})"""


def test_a_figure_keeps_its_unit_on_its_line(site: Any, context: Any) -> None:
    api = Staff(site)
    ticket = api.issue("B")
    with site.db.unit_of_work() as session:
        row = session.get(Ticket, ticket["id"])
        assert row is not None
        row.issued_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=12, seconds=30)
        session.add(row)
    page = context.new_page()
    sign_in(page, site)
    expect(page.get_by_test_id("longest-wait")).to_contain_text("12 min", timeout=TIMEOUT)
    for lang in ("en", "tr"):
        if lang == "tr":
            page.get_by_test_id("lang-select").select_option("tr")
            expect(page.get_by_test_id("longest-wait")).to_contain_text("12 dk")
        for width in (1280, 800, 1440, 1600, 1920):
            page.set_viewport_size({"width": width, "height": 800})
            for tile in page.evaluate(KPI_LINES):
                where = f"{lang} {width}px {tile}"
                assert tile["height"] < tile["line"] * 1.5, where  # one line
                assert not tile["overflow"], where


@pytest.mark.parametrize("lang", ["en", "tr"])
def test_top_bar_at_800_px(site: Any, browser: Any, lang: str) -> None:
    ctx = browser.new_context(viewport={"width": 800, "height": 800})
    try:
        page = ctx.new_page()
        sign_in(page, site)
        if lang == "tr":
            page.get_by_test_id("lang-select").select_option("tr")
            expect(page.get_by_test_id("tab-standards")).to_have_text("Hizmet standartları")
        check_top_bar(page)
        expect(page.get_by_test_id("tab-standards")).to_be_in_viewport()
    finally:
        ctx.close()
