"""Every report figure against values computed from the raw rows of a known data set."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.server.reports import expect as ex
from tests.server.reports.scenario import BUSY_DAYS, DAYS, EMPTY_DAY, build, raw
from tests.support import make_branch

DEFAULTS = {
    "kiosk": (60, 20),
    "wait": (600, 300),
    "walk": (90, 30),
    "service": (300, 150),
    "feedback": (4, 5),
}


def default_targets(_svc: str, moment: str, _day: dt.date) -> tuple[float, float | None]:
    return DEFAULTS[moment]


@pytest.fixture
def world(client: Any, make: Any, clock: Any, db: Any) -> dict[str, Any]:
    kit = make(make_branch, code="demo")
    sc = build(client, kit, clock)
    return {"sc": sc, "kit": kit, "raw": raw(db), "client": client}


def get(world: dict[str, Any], path: str, **params: Any) -> Any:
    kit = world["kit"]
    r = world["client"].get(
        f"/api/v1/branches/{kit.code}{path}", params=params, headers=kit.auth("manager")
    )
    assert r.status_code == 200, r.text
    return r.json()


RANGE = {"from": DAYS[0].isoformat(), "to": DAYS[-1].isoformat()}
FIELDS = list(ex.row_for([], {}, default_targets))


def test_data_set_has_the_edge_cases(world: dict[str, Any]) -> None:
    tickets = world["raw"]["tickets"]
    statuses = {t.status for t in tickets}
    assert {"done", "no_show", "waiting"} <= statuses
    assert any(t.transfer_count for t in tickets)
    assert any(t.recall_count for t in tickets)
    assert any(t.serving_at is None and t.status == "done" for t in tickets)
    # The 00:05 ticket belongs to the next Istanbul day although UTC still says the same date.
    late = [t for t in tickets if ex.local(t.issued_at).hour == 0]
    assert late
    assert all(t.business_date == ex.local(t.issued_at).date() for t in tickets)
    assert any(t.business_date != t.issued_at.date() for t in late)


@pytest.mark.parametrize("by", ["day", "hour", "service", "counter", "teller"])
def test_grouped_report(world: dict[str, Any], by: str) -> None:
    r = world["raw"]
    tickets, touches = r["tickets"], r["touches"]
    keys = {
        "day": lambda t: t.business_date.isoformat(),
        "hour": lambda t: ex.local(t.issued_at).hour,
        "service": lambda t: t.original_service_code,
        "counter": lambda t: r["counters"].get(t.counter_id),
        "teller": lambda t: r["users"].get(t.teller_id),
    }
    groups = ex.group_by(tickets, keys[by])
    if by == "day":  # every day of the range, the empty one included
        for d in DAYS:
            groups.setdefault(d.isoformat(), [])
    rows = get(world, "/reports", by=by, **RANGE)
    assert [row["key"] for row in rows] == sorted(
        groups, key=lambda k: (k is None, k if k is not None else "")
    )
    for row in rows:
        want = ex.row_for(groups[row["key"]], touches, default_targets)
        assert {f: row[f] for f in FIELDS} == want, row["key"]
    if by == "day":
        empty = next(row for row in rows if row["key"] == EMPTY_DAY.isoformat())
        assert empty["tickets"] == 0
        assert empty["wait_avg_s"] is None
        assert empty["within_standard_pct"] is None


def test_report_by_moment(world: dict[str, Any]) -> None:
    r = world["raw"]
    rows = {row["key"]: row for row in get(world, "/reports", by="moment", **RANGE)}
    assert list(rows) == ["kiosk", "wait", "walk", "service", "feedback"]
    for moment, row in rows.items():
        measured = []
        counts = {"missed": 0, "expected": 0, "exclusive": 0}
        for t in r["tickets"]:
            g = ex.grades(t, r["touches"].get(t.id), default_targets)[moment]
            if g is not None:
                measured.append(t)
                counts[g] += 1
        values = [ex.measures(t, r["touches"].get(t.id))[moment] for t in measured]
        assert row["tickets"] == len(measured) > 0, moment
        assert row["missed"] == counts["missed"]
        assert row["met_expected"] == counts["expected"]
        assert row["met_exclusive"] == counts["exclusive"]
        assert row["critical"] == (moment in ex.CRITICAL)
        n = len(measured)
        assert row["within_standard_pct"] == round(100 * (n - counts["missed"]) / n, 1)
        assert row["value_avg"] == ex.r1(ex.mean(values))
        assert row["value_p50"] == ex.r1(ex.pdisc(values, 0.5))
        assert row["value_p90"] == ex.r1(ex.pdisc(values, 0.9))
        base = ex.row_for(measured, r["touches"], default_targets)
        assert row["wait_avg_s"] == base["wait_avg_s"]
        assert row["served"] == base["served"]


def test_single_day_and_empty_range(world: dict[str, Any]) -> None:
    r = world["raw"]
    day = BUSY_DAYS[0]
    rows = get(world, "/reports", by="service", **{"from": day.isoformat(), "to": day.isoformat()})
    groups = ex.group_by(
        [t for t in r["tickets"] if t.business_date == day], lambda t: t.original_service_code
    )
    assert {row["key"]: row["tickets"] for row in rows} == {k: len(v) for k, v in groups.items()}
    empty = {"from": "2025-01-01", "to": "2025-01-31"}
    assert get(world, "/reports", by="service", **empty) == []
    assert len(get(world, "/reports", by="day", **empty)) == 31


def test_heatmap(world: dict[str, Any]) -> None:
    r = world["raw"]
    body = get(world, "/reports/heatmap", **RANGE)
    arrivals = [[0] * 24 for _ in range(7)]
    missed = [[0] * 24 for _ in range(7)]
    for t in r["tickets"]:
        lt = ex.local(t.issued_at)
        arrivals[lt.weekday()][lt.hour] += 1
        g = ex.grades(t, r["touches"].get(t.id), default_targets)
        missed[lt.weekday()][lt.hour] += any(g[k] == "missed" for k in ex.CRITICAL)
    assert body["arrivals"] == arrivals
    assert body["missed"] == missed
    assert body["timezone"] == "Europe/Istanbul"
    assert (body["from"], body["to"]) == (RANGE["from"], RANGE["to"])  # by alias, not from_


def test_breaks_ranking(world: dict[str, Any]) -> None:
    r = world["raw"]
    body = get(world, "/reports/breaks", **RANGE)
    per_moment = {}
    for m in DEFAULTS:
        gs = [ex.grades(t, r["touches"].get(t.id), default_targets)[m] for t in r["tickets"]]
        per_moment[m] = (sum(g == "missed" for g in gs), sum(g is not None for g in gs))
    assert {x["key"]: (x["missed"], x["measured"]) for x in body["moments"]} == per_moment
    assert [x["missed"] for x in body["moments"]] == sorted(
        (x["missed"] for x in body["moments"]), reverse=True
    )
    by_service: dict[str, list[int]] = {}
    by_hour: dict[int, list[int]] = {}
    for t in r["tickets"]:
        g = ex.grades(t, r["touches"].get(t.id), default_targets)
        bad = int(any(g[k] == "missed" for k in ex.CRITICAL))
        by_service.setdefault(t.original_service_code, [0, 0])
        by_service[t.original_service_code][0] += bad
        by_service[t.original_service_code][1] += 1
        h = ex.local(t.issued_at).hour
        by_hour.setdefault(h, [0, 0])
        by_hour[h][0] += bad
        by_hour[h][1] += 1
    assert {x["key"]: [x["missed"], x["tickets"]] for x in body["services"]} == by_service
    assert {x["key"]: [x["missed"], x["tickets"]] for x in body["hours"]} == by_hour
    assert body["services"][0]["missed"] == max(v[0] for v in by_service.values())
    assert body["tickets"] == len(r["tickets"])


def test_satisfaction_by_wait_bucket(world: dict[str, Any]) -> None:
    r = world["raw"]
    body = get(world, "/reports/satisfaction", **RANGE)
    edges = [0, 120, 300, 600, 900, 1200, 1800, None]
    for i, row in enumerate(body):
        lo, hi = edges[i], edges[i + 1]
        assert (row["from_s"], row["to_s"]) == (lo, hi)
        inside = [
            t
            for t in r["tickets"]
            if (w := ex.measures(t, None)["wait"]) is not None
            and w >= lo
            and (hi is None or w < hi)
        ]
        scores = [t.feedback_score for t in inside if t.feedback_score is not None]
        assert row["tickets"] == len(inside)
        assert row["feedback_n"] == len(scores)
        assert row["feedback_avg"] == ex.r1(ex.mean(scores))


def test_estimate_accuracy(world: dict[str, Any]) -> None:
    r = world["raw"]
    body = {row["key"]: row for row in get(world, "/reports/estimates", **RANGE)}
    groups = ex.group_by(
        [t for t in r["tickets"] if t.first_called_at is not None],
        lambda t: t.original_service_code,
    )
    groups["*"] = [t for v in list(groups.values()) for t in v]
    assert set(body) == set(groups)
    for key, group in groups.items():
        errors = [ex.measures(t, None)["wait"] - t.quoted_wait_s for t in group]
        assert body[key]["tickets"] == len(group)
        assert body[key]["mae_s"] == ex.r1(ex.mean([abs(e) for e in errors]))
        assert body[key]["bias_s"] == ex.r1(ex.mean(errors))
        within = sum(abs(e) <= 120 for e in errors)
        assert body[key]["within_2min_pct"] == round(100 * within / len(group), 1)
        waits = [ex.measures(t, None)["wait"] for t in group]
        target = sum(abs(e) <= max(120, w / 5) for e, w in zip(errors, waits, strict=True))
        assert body[key]["within_target_pct"] == round(100 * target / len(group), 1)


def test_recovery_report(world: dict[str, Any]) -> None:
    r = world["raw"]
    recovered_ids = {e.ticket_id for e in r["events"] if e.type == "ticket.recovery"}
    actions: dict[str, int] = {}
    for e in r["events"]:
        if e.type == "ticket.recovery":
            actions[e.data["action"]] = actions.get(e.data["action"], 0) + 1
    missed = [t for t in r["tickets"] if ex.grades(t, None, default_targets)["wait"] == "missed"]
    body = get(world, "/reports/recovery", **RANGE)
    assert body["missed"] == len(missed) > 0
    assert body["recovered"] == sum(t.id in recovered_ids for t in missed)
    assert body["actions"] == dict(sorted(actions.items()))
    assert sum(actions.values()) > 0
    rec_scores = [t.feedback_score for t in missed if t.id in recovered_ids and t.feedback_score]
    assert body["feedback_avg_recovered"] == ex.r1(ex.mean(rec_scores))
