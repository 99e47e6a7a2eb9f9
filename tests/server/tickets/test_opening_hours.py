"""Tickets only within opening hours, never on a closed date, and not after a service's
cut-off: the ticket route refuses (409), and the kiosk's service list and the live snapshot
say the same thing (one rule, server/domain/hours.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient

from server.clock import FrozenClock
from tests.support import BranchKit, make_branch

# Europe/Istanbul is UTC+3 all year: 09:00 local is 06:00 UTC.
HOURS = {
    "mon": [["09:00", "12:30"], ["13:30", "17:00"]],
    "tue": [["09:00", "17:00"]],
    "wed": [["09:00", "17:00"]],
    "thu": [["09:00", "17:00"]],
    "fri": [["09:00", "17:00"]],
}
MONDAY = dt.date(2026, 3, 2)


def local(day: dt.date, hhmm: str) -> dt.datetime:
    """``hhmm`` on ``day`` in Istanbul, as UTC."""
    h, m = map(int, hhmm.split(":"))
    return dt.datetime(day.year, day.month, day.day, h, m, tzinfo=dt.UTC) - dt.timedelta(hours=3)


@pytest.fixture
def kit(make: Any, client: TestClient) -> BranchKit:
    kit: BranchKit = make(make_branch)
    manager = kit.auth("manager")
    r = client.patch(
        f"/api/v1/admin/branches/{kit.code}",
        json={"opening_hours": HOURS, "closed_dates": ["2026-03-04"]},  # Wednesday
        headers=manager,
    )
    assert r.status_code == 200, r.text
    r = client.patch(
        f"/api/v1/admin/branches/{kit.code}/services/C", json={"cutoff_min": 30}, headers=manager
    )
    assert r.status_code == 200, r.text
    return kit


def issue(client: TestClient, kit: BranchKit, service: str = "A") -> Any:
    return client.post(
        f"/api/v1/branches/{kit.code}/tickets", json={"service": service}, headers=kit.auth("kiosk")
    )


def refused(client: TestClient, kit: BranchKit, service: str, code: str) -> str:
    r = issue(client, kit, service)
    assert r.status_code == 409, r.text
    assert r.json()["code"] == code
    return str(r.json()["detail"])


def rows(client: TestClient, kit: BranchKit) -> dict[str, dict[str, Any]]:
    r = client.get(f"/api/v1/branches/{kit.code}/services", headers=kit.auth("kiosk"))
    assert r.status_code == 200, r.text
    return {row["code"]: row for row in r.json()}


def test_within_hours_tickets_are_issued(client: TestClient, kit: BranchKit, clock: FrozenClock):
    clock.set(local(MONDAY, "10:00"))
    assert issue(client, kit, "A").status_code == 201
    assert issue(client, kit, "C").status_code == 201
    listed = rows(client, kit)
    assert listed["C"]["open"] is True
    assert listed["C"]["closed_reason"] is None
    assert listed["C"]["closes_at"] == local(MONDAY, "12:30").isoformat()
    assert listed["C"]["cutoff_at"] == local(MONDAY, "12:00").isoformat()
    assert listed["A"]["cutoff_at"] is None


def test_before_opening(client: TestClient, kit: BranchKit, clock: FrozenClock) -> None:
    clock.set(local(MONDAY, "08:30"))
    detail = refused(client, kit, "A", "branch_closed")
    assert detail == "The branch is closed now; it opens again today at 09:00."
    a = rows(client, kit)["A"]
    assert (a["open"], a["closed_reason"]) == (False, "outside_hours")
    assert a["opens_at"] == local(MONDAY, "09:00").isoformat()
    clock.set(local(MONDAY, "09:00"))
    assert issue(client, kit, "A").status_code == 201


def test_at_lunch(client: TestClient, kit: BranchKit, clock: FrozenClock) -> None:
    clock.set(local(MONDAY, "12:45"))
    detail = refused(client, kit, "B", "branch_closed")
    assert detail == "The branch is closed now; it opens again today at 13:30."
    assert {r["closed_reason"] for r in rows(client, kit).values()} == {"outside_hours"}


def test_on_a_closed_date(client: TestClient, kit: BranchKit, clock: FrozenClock) -> None:
    clock.set(local(MONDAY + dt.timedelta(days=2), "11:00"))  # Wednesday, a holiday
    detail = refused(client, kit, "A", "branch_closed")
    assert detail == "The branch is closed today; it opens again tomorrow at 09:00."
    b = rows(client, kit)["B"]
    assert (b["open"], b["closed_reason"]) == (False, "closed_date")
    assert b["opens_at"] == local(MONDAY + dt.timedelta(days=3), "09:00").isoformat()


def test_over_the_weekend_it_names_the_day(client: TestClient, kit: BranchKit, clock: FrozenClock):
    clock.set(local(MONDAY + dt.timedelta(days=4), "17:05"))  # Friday evening
    detail = refused(client, kit, "A", "branch_closed")
    assert detail == "The branch is closed now; it opens again on Monday at 09:00."


def test_after_a_services_cut_off(client: TestClient, kit: BranchKit, clock: FrozenClock) -> None:
    clock.set(local(MONDAY, "16:30"))
    detail = refused(client, kit, "C", "service_cut_off")
    assert detail == (
        "No more tickets for Loans today: the last ticket is issued 30 minutes before "
        "closing (16:30)."
    )
    # The other services are issued until closing; C is shown closed, with why and when.
    assert issue(client, kit, "A").status_code == 201
    listed = rows(client, kit)
    assert listed["A"]["open"] is True
    c = listed["C"]
    assert (c["open"], c["closed_reason"]) == (False, "cut_off")
    assert c["opens_at"] == local(MONDAY + dt.timedelta(days=1), "09:00").isoformat()
    assert c["cutoff_at"] == local(MONDAY, "16:30").isoformat()
    clock.set(local(MONDAY, "16:29"))
    assert issue(client, kit, "C").status_code == 201


def test_a_cut_off_before_lunch_says_when_tickets_resume(
    client: TestClient, kit: BranchKit, clock: FrozenClock
) -> None:
    clock.set(local(MONDAY, "12:10"))
    detail = refused(client, kit, "C", "service_cut_off")
    assert detail.startswith("No more tickets for Loans until 13:30:")


def test_the_snapshot_says_the_same(client: TestClient, kit: BranchKit, clock: FrozenClock):
    clock.set(local(MONDAY, "16:45"))
    r = client.get(f"/api/v1/branches/{kit.code}/snapshot", headers=kit.auth("display"))
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["branch"]["opening_hours"]["mon"] == HOURS["mon"]
    assert data["branch"]["closed_dates"] == ["2026-03-04"]
    services = {s["code"]: s for s in data["services"]}
    assert services == rows(client, kit)
    assert (services["C"]["open"], services["C"]["closed_reason"]) == (False, "cut_off")
    assert services["A"]["open"] is True


def test_staff_are_held_to_the_same_hours(
    client: TestClient, kit: BranchKit, clock: FrozenClock
) -> None:
    clock.set(local(MONDAY, "08:00"))
    r = client.post(
        f"/api/v1/branches/{kit.code}/tickets", json={"service": "A"}, headers=kit.auth("teller1")
    )
    assert (r.status_code, r.json()["code"]) == (409, "branch_closed")


def test_without_hours_nothing_changes(client: TestClient, kit: BranchKit, clock: FrozenClock):
    r = client.patch(
        f"/api/v1/admin/branches/{kit.code}",
        json={"opening_hours": None, "closed_dates": []},
        headers=kit.auth("manager"),
    )
    assert r.status_code == 200, r.text
    clock.set(local(MONDAY, "23:30"))
    assert issue(client, kit, "C").status_code == 201  # a cut-off needs hours to count from
    assert all(row["open"] and row["closed_reason"] is None for row in rows(client, kit).values())
