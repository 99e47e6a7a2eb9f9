"""Absurd report input is refused with a readable 4xx, and nothing a manager can store makes a
later report fail: calendar ends, explicit nulls in the standards, spreadsheet formulas."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from server.models import Counter
from tests.support import make_branch

DATED = [
    "reports",
    "reports/heatmap",
    "reports/breaks",
    "reports/satisfaction",
    "reports/estimates",
    "reports/recovery",
    "reports/teller-time",
    "tickets.csv",
]


@pytest.fixture
def kit(make: Any) -> Any:
    # East of UTC: local midnight of 1 January of year 1 is still in year 0 in UTC.
    return make(make_branch, code="far", timezone="Asia/Tokyo")


@pytest.mark.parametrize("path", DATED)
@pytest.mark.parametrize(
    "dates",
    [
        {"from": "0001-01-01", "to": "0001-01-01"},
        {"from": "9999-12-31", "to": "9999-12-31"},
        {"to": "9999-12-31"},
    ],
)
def test_dates_at_the_ends_of_the_calendar_are_refused(
    client: Any, kit: Any, path: str, dates: dict[str, str]
) -> None:
    r = client.get(f"/api/v1/branches/{kit.code}/{path}", params=dates, headers=kit.auth("manager"))
    assert r.status_code == 422, r.text[:300]
    assert "between" in r.json()["detail"]


def test_explicit_null_standards_are_refused_and_reports_keep_working(
    client: Any, kit: Any
) -> None:
    url = f"/api/v1/branches/{kit.code}/service-cycle"
    manager = kit.auth("manager")
    before = client.get(url, headers=manager).json()
    for moment in ("kiosk", "wait", "walk", "service", "feedback"):
        r = client.put(
            url, json={"standards": {"A": {moment: {"expected": None}}}}, headers=manager
        )
        assert r.status_code == 422, (moment, r.text[:300])
        assert "expected" in r.json()["detail"]
    assert client.get(url, headers=manager).json() == before
    # "No exclusive level" is a real choice and stays allowed.
    r = client.put(url, json={"standards": {"A": {"walk": {"exclusive": None}}}}, headers=manager)
    assert r.status_code == 200, r.text
    assert r.json()["standards"]["A"]["walk"]["exclusive"] is None
    r = client.get(f"/api/v1/branches/{kit.code}/reports", headers=manager)
    assert r.status_code == 200, r.text


def test_a_null_stored_by_an_earlier_release_falls_back_to_the_default(
    client: Any, kit: Any, db: Any
) -> None:
    from server.models import ServiceCycle

    manager = kit.auth("manager")
    url = f"/api/v1/branches/{kit.code}/service-cycle"
    default = client.get(url, headers=manager).json()["standards"]["A"]["walk"]["expected"]
    with db.unit_of_work() as s:
        s.add(ServiceCycle(branch_id=kit.branch_id, standards={"A": {"walk": {"expected": None}}}))
    cycle = client.get(url, headers=manager)
    assert cycle.status_code == 200, cycle.text
    assert cycle.json()["standards"]["A"]["walk"]["expected"] == default
    assert client.get(f"/api/v1/branches/{kit.code}/reports", headers=manager).status_code == 200


def test_csv_cells_that_a_spreadsheet_would_run_are_defused(client: Any, kit: Any, db: Any) -> None:
    with db.unit_of_work() as s:
        counter = s.get(Counter, kit.counters["1"])
        counter.label = '=HYPERLINK("//e.vil","1")'
        s.add(counter)
    c = kit.counters["1"]
    assert client.post(f"/api/v1/counters/{c}/open", headers=kit.auth("teller1")).status_code == 200
    t = client.post(
        f"/api/v1/branches/{kit.code}/tickets", json={"service": "A"}, headers=kit.auth("kiosk")
    )
    assert t.status_code == 201, t.text
    assert (
        client.post(f"/api/v1/counters/{c}/call-next", headers=kit.auth("teller1")).status_code
        == 200
    )
    r = client.get(f"/api/v1/branches/{kit.code}/tickets.csv", headers=kit.auth("manager"))
    assert r.status_code == 200, r.text
    rows = list(csv.reader(io.StringIO(r.text)))
    cells = [cell for row in rows[1:] for cell in row]
    assert any("HYPERLINK" in cell for cell in cells), rows
    for cell in cells:
        assert not cell.startswith(("=", "+", "@", "\t", "\r")), cell
        if cell.startswith("-"):
            float(cell)  # only a negative number may start with a minus
