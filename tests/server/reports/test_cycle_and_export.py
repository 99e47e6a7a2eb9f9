"""The service-cycle map API, calendar overrides in the classification, the CSV export and
teller time, each checked against the raw rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest

from tests.server.reports import expect as ex
from tests.server.reports.scenario import BUSY_DAYS, DAYS, build, raw
from tests.support import make_branch

RANGE = {"from": DAYS[0].isoformat(), "to": DAYS[-1].isoformat()}


@pytest.fixture
def kit(make: Any) -> Any:
    return make(make_branch, code="demo")


def test_cycle_defaults_and_edit(client: Any, kit: Any) -> None:
    url = f"/api/v1/branches/{kit.code}/service-cycle"
    body = client.get(url, headers=kit.auth("manager")).json()
    assert [m["key"] for m in body["moments"]] == ["kiosk", "wait", "walk", "service", "feedback"]
    assert body["standards"]["A"]["wait"] == {"expected": 600, "exclusive": 300}
    edit = {
        "moments": [{"key": "walk", "critical": True}],
        "standards": {
            "A": {"wait": {"expected": 420, "exclusive": 120}, "kiosk": {"exclusive": 10}}
        },
        "overrides": [
            {"label": "payday", "days_of_month": [15], "moments": ["wait"], "factor": 1.5}
        ],
    }
    r = client.put(url, json=edit, headers=kit.auth("manager"))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["standards"]["A"]["wait"] == {"expected": 420, "exclusive": 120}
    assert out["standards"]["A"]["kiosk"] == {"expected": 60, "exclusive": 10}
    assert out["standards"]["B"]["wait"] == {"expected": 600, "exclusive": 300}
    assert next(m for m in out["moments"] if m["key"] == "walk")["critical"] is True
    assert out["overrides"][0]["days_of_month"] == [15]
    # The expected wait is the service's own standard: the admin view agrees.
    svc = client.get(
        f"/api/v1/admin/branches/{kit.code}/services/A", headers=kit.auth("manager")
    ).json()
    assert svc["standard_wait_s"] == 420
    bad = {"standards": {"A": {"wait": {"exclusive": 900}}}}
    assert client.put(url, json=bad, headers=kit.auth("manager")).status_code == 422
    assert (
        client.get(url, headers=kit.auth("manager")).json()["standards"]["A"]["wait"]["exclusive"]
        == 120
    )
    unknown = {"standards": {"Z": {"wait": {"expected": 100}}}}
    assert client.put(url, json=unknown, headers=kit.auth("manager")).status_code == 404
    assert client.put(url, json=edit, headers=kit.auth("teller1")).status_code == 403


def test_override_changes_classification(client: Any, kit: Any, clock: Any, db: Any) -> None:
    """Stricter wait on 2 March (the first busy day), looser kiosk for service B everywhere."""
    url = f"/api/v1/branches/{kit.code}/service-cycle"
    edit = {
        "standards": {
            "A": {"wait": {"expected": 500, "exclusive": 200}},
            "B": {"kiosk": {"expected": 30, "exclusive": None}},
        },
        "overrides": [
            {
                "label": "eve",
                "dates": [BUSY_DAYS[0].isoformat()],
                "moments": ["wait"],
                "factor": 0.5,
            },
            {"label": "never", "dates": ["2030-01-01"], "factor": 3},
        ],
    }
    assert client.put(url, json=edit, headers=kit.auth("manager")).status_code == 200
    build(client, kit, clock, seed=11)
    rows = raw(db)

    def targets(svc: str, moment: str, day: dt.date) -> tuple[float, float | None]:
        base = {
            "kiosk": (30, None) if svc == "B" else (60, 20),
            "wait": (500, 200) if svc == "A" else (600, 300),
            "walk": (90, 30),
            "service": (300, 150),
            "feedback": (4, 5),
        }[moment]
        if moment == "wait" and day == BUSY_DAYS[0]:
            return base[0] * 0.5, None if base[1] is None else base[1] * 0.5
        return base

    got = client.get(
        f"/api/v1/branches/{kit.code}/reports",
        params={"by": "moment", **RANGE},
        headers=kit.auth("manager"),
    ).json()
    for row in got:
        counts = {"missed": 0, "expected": 0, "exclusive": 0}
        for t in rows["tickets"]:
            g = ex.grades(t, rows["touches"].get(t.id), targets)[row["key"]]
            if g:
                counts[g] += 1
        assert (row["missed"], row["met_expected"], row["met_exclusive"]) == (
            counts["missed"],
            counts["expected"],
            counts["exclusive"],
        ), row["key"]
    days = client.get(
        f"/api/v1/branches/{kit.code}/reports",
        params={"by": "day", **RANGE},
        headers=kit.auth("manager"),
    ).json()
    for row in days:
        group = [t for t in rows["tickets"] if t.business_date.isoformat() == row["key"]]
        assert (
            row["within_standard_pct"]
            == ex.row_for(group, rows["touches"], targets)["within_standard_pct"]
        )


def test_csv_export(client: Any, kit: Any, clock: Any, db: Any) -> None:
    build(client, kit, clock)
    rows = raw(db)
    r = client.get(
        f"/api/v1/branches/{kit.code}/tickets.csv", params=RANGE, headers=kit.auth("manager")
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    lines = list(csv.DictReader(io.StringIO(r.text)))
    tickets = sorted(rows["tickets"], key=lambda t: (t.issued_at, t.id))
    assert [x["code"] for x in lines] == [t.code for t in tickets]
    for line, t in zip(lines, tickets, strict=True):
        m = ex.measures(t, rows["touches"].get(t.id))

        def s(v: Any) -> str:
            return "" if v is None else str(round(v))

        assert line["business_date"] == t.business_date.isoformat()
        assert line["service"] == t.original_service_code
        assert line["status"] == t.status
        assert line["issued_at"] == t.issued_at.isoformat()
        assert line["first_called_at"] == (
            t.first_called_at.isoformat() if t.first_called_at else ""
        )
        assert line["finished_at"] == (t.finished_at.isoformat() if t.finished_at else "")
        assert line["counter"] == (rows["counters"].get(t.counter_id) or "")
        assert line["teller"] == (rows["users"].get(t.teller_id) or "")
        assert line["wait_s"] == s(m["wait"])
        assert line["service_s"] == s(m["service"])
        assert line["touch_s"] == s(m["kiosk"])
        assert line["feedback_score"] == s(t.feedback_score)
        g = ex.grades(t, rows["touches"].get(t.id), lambda _s, k, _d: _DEFAULTS[k])
        assert line["wait_class"] == (g["wait"] or "")
        assert line["kiosk_class"] == (g["kiosk"] or "")
    # Another branch's manager gets nothing.
    other = client.get(
        f"/api/v1/branches/{kit.code}/tickets.csv", params=RANGE, headers={"Authorization": "x"}
    )
    assert other.status_code == 401


_DEFAULTS = {
    "kiosk": (60, 20),
    "wait": (600, 300),
    "walk": (90, 30),
    "service": (300, 150),
    "feedback": (4, 5),
}


def test_teller_time(client: Any, kit: Any, clock: Any, db: Any) -> None:
    build(client, kit, clock)
    rows = raw(db)
    now = clock.now()
    # From midnight of the first day (the range starts there); the first ticket issued, not
    # the first row a query happens to return (PostgreSQL gives no order without ORDER BY).
    first = min(t.issued_at for t in rows["tickets"])
    start = ex.local(first).replace(hour=0, minute=0).astimezone(dt.UTC)
    # Replay each counter's state changes from the event log.
    open_s: dict[int, float] = {}
    paused: dict[tuple[int, str], float] = {}
    by_counter: dict[int, list[Any]] = {}
    for e in rows["events"]:
        if e.type == "counter.changed":
            by_counter.setdefault(e.counter_id, []).append(e)
    for evs in by_counter.values():
        for a, b in zip(evs, [*evs[1:], None], strict=True):
            c = a.data["counter"]
            end = b.at if b is not None else now
            span = (min(end, now) - max(a.at, start)).total_seconds()
            if c["teller_id"] is None or span <= 0:
                continue
            if c["state"] == "open":
                open_s[c["teller_id"]] = open_s.get(c["teller_id"], 0) + span
            elif c["state"] == "paused":
                key = (c["teller_id"], c["pause_reason"] or "")
                paused[key] = paused.get(key, 0) + span
    serving: dict[int, float] = {}
    for t in rows["tickets"]:
        if t.teller_id and t.status in ("done", "no_show"):
            serving[t.teller_id] = serving.get(t.teller_id, 0) + ex.secs(t.called_at, t.finished_at)
    body = client.get(
        f"/api/v1/branches/{kit.code}/reports/teller-time",
        params=RANGE,
        headers=kit.auth("manager"),
    ).json()
    assert {r["teller_id"] for r in body} == set(open_s) | set(serving)
    for r in body:
        tid = r["teller_id"]
        assert r["teller"] == rows["users"][tid]
        assert r["open_s"] == round(open_s.get(tid, 0))
        assert r["serving_s"] == round(serving.get(tid, 0))
        assert r["idle_s"] == max(0, round(open_s.get(tid, 0) - serving.get(tid, 0)))
        assert r["paused"] == {k[1]: round(v) for k, v in sorted(paused.items()) if k[0] == tid}
    assert any(r["paused"] for r in body)
