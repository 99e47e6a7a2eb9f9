"""Reports read from the rollups of closed days give exactly the figures computed live from
the tickets: with every day summarised, with some, after a summarised day changed (late
feedback) and after the cycle map changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from server.models import Branch, ReportState, report_fact, report_rollup
from server.reports.coverage import coverage
from server.reports.cycle import load_cycle, update_cycle
from server.reports.period import Period
from server.reports.regrade import Regrade, regrade_in_steps, regrade_once
from server.reports.rollup import refresh
from tests.server.reports.scenario import BUSY_DAYS, DAYS, build, local
from tests.support import make_branch

RANGES = [
    (DAYS[0], DAYS[-1]),
    (DAYS[1], DAYS[3]),
    (BUSY_DAYS[1], BUSY_DAYS[1]),
    (DAYS[0] - dt.timedelta(days=3), DAYS[-1] + dt.timedelta(days=2)),
]
VIEWS = ["heatmap", "breaks", "satisfaction", "estimates", "recovery", "teller-time"]
GROUPS = ["day", "hour", "service", "counter", "teller", "moment"]


@pytest.fixture
def world(client: Any, make: Any, clock: Any, db: Any) -> dict[str, Any]:
    kit = make(make_branch, code="demo")
    sc = build(client, kit, clock)
    clock.set(local(DAYS[0] + dt.timedelta(days=7), 8))  # the next Monday: staffing has history
    return {"sc": sc, "kit": kit, "client": client, "db": db, "clock": clock}


def snapshot(world: dict[str, Any]) -> dict[str, Any]:
    kit, client = world["kit"], world["client"]
    out = {}
    for first, last in RANGES:
        params = {"from": first.isoformat(), "to": last.isoformat()}
        for by in GROUPS:
            r = client.get(
                f"/api/v1/branches/{kit.code}/reports",
                params={**params, "by": by},
                headers=kit.auth("manager"),
            )
            assert r.status_code == 200, r.text
            out[(first, last, by)] = r.json()
        for view in VIEWS:
            r = client.get(
                f"/api/v1/branches/{kit.code}/reports/{view}",
                params=params,
                headers=kit.auth("manager"),
            )
            assert r.status_code == 200, r.text
            out[(first, last, view)] = r.json()
    r = client.get(
        f"/api/v1/branches/{kit.code}/staffing",
        params={"weeks": 1, "hours": 12},
        headers=kit.auth("manager"),
    )
    assert r.status_code == 200, r.text
    out["staffing"] = r.json()
    assert any(s["arrivals_per_h"] for h in out["staffing"]["hours"] for s in h["services"])
    return out


def _refresh(world: dict[str, Any], now: dt.datetime) -> None:
    with world["db"].unit_of_work() as session:
        refresh(session, session.get(Branch, world["kit"].branch_id), now=now)


def _live_only(world: dict[str, Any]) -> dict[str, Any]:
    """The figures with the rollups ignored (no rollup state: everything read live)."""
    db = world["db"]
    with db.unit_of_work() as session:
        state = session.get(ReportState, world["kit"].branch_id)
        saved = None if state is None else state.model_dump()
        session.execute(delete(ReportState))
    try:
        return snapshot(world)
    finally:
        if saved is not None:
            with db.unit_of_work() as session:
                session.add(ReportState(**saved))


def _read_from(world: dict[str, Any]) -> tuple[bool, bool]:
    with world["db"].read_session() as s:
        branch = s.get(Branch, world["kit"].branch_id)
        period = Period.of(DAYS[0], DAYS[-1], branch.timezone)
        cov = coverage(s, branch, period, load_cycle(s, branch))
    return cov.has_stored, cov.has_live


def _stored_rows(db: Any) -> tuple[int, int]:
    with db.read_session() as s:
        facts = s.execute(select(func.count()).select_from(report_fact)).scalar_one()
        sums = s.execute(select(func.count()).select_from(report_rollup)).scalar_one()
    return facts, sums


def test_rollups_give_the_live_figures(world: dict[str, Any]) -> None:
    live = snapshot(world)
    assert _stored_rows(world["db"]) == (0, 0)
    # Some days summarised (2 and 3 March), the rest live.
    _refresh(world, local(DAYS[2], 12))
    assert _stored_rows(world["db"])[0] > 0
    assert snapshot(world) == live
    # Every day summarised, through the day-close endpoint.
    r = world["client"].post(
        f"/api/v1/admin/branches/{world['kit'].code}/close-day",
        headers=world["kit"].auth("manager"),
    )
    assert r.status_code == 200, r.text
    _refresh(world, local(DAYS[-1] + dt.timedelta(days=1), 9))
    facts, sums = _stored_rows(world["db"])
    assert facts == len(world["sc"].tickets)
    assert 0 < sums < facts
    assert _read_from(world) == (True, False)  # the whole range comes from the rollups
    # The day close cancelled the customers never called, whose waits then count as missed
    # (they waited past the standard and left unserved): the figures read live agree.
    assert snapshot(world) == _live_only(world)


def test_a_changed_day_is_read_live_then_rebuilt(world: dict[str, Any]) -> None:
    client, kit = world["client"], world["kit"]
    _refresh(world, local(DAYS[-1] + dt.timedelta(days=1), 9))
    # Late feedback on a summarised day's ticket, and the cycle map edited.
    given = None
    for t in world["sc"].tickets:
        r = client.post(f"/api/v1/tickets/by-token/{t['token']}/feedback", json={"score": 1})
        if r.status_code == 201:
            given = t
            break
    assert given is not None
    after = _live_only(world)
    assert _read_from(world) == (True, True)
    assert snapshot(world) == after  # the changed day is read live
    _refresh(world, local(DAYS[-1] + dt.timedelta(days=1), 10))
    assert snapshot(world) == after  # and rebuilt
    edit = {
        "standards": {"A": {"wait": {"expected": 240, "exclusive": 60}}},
        "overrides": [{"label": "eve", "dates": [BUSY_DAYS[1].isoformat()], "factor": 0.5}],
        "moments": [{"key": "walk", "critical": True}],
    }
    r = client.put(
        f"/api/v1/branches/{kit.code}/service-cycle", json=edit, headers=kit.auth("manager")
    )
    assert r.status_code == 200, r.text
    regraded = _live_only(world)
    assert regraded != after
    assert _read_from(world) == (True, False)  # re-graded before the answer: rollups in use
    assert snapshot(world) == regraded


def _edit_map(world: dict[str, Any], wait_expected: int) -> None:
    """Save a cycle map change without the API (which re-grades at once)."""
    with world["db"].unit_of_work() as session:
        branch = session.get(Branch, world["kit"].branch_id)
        update_cycle(
            session,
            branch,
            moments=None,
            standards={"A": {"wait": {"expected": wait_expected}}},
            overrides=None,
            now=world["clock"].now(),
        )


def test_a_changed_map_is_regraded_a_few_days_per_transaction(world: dict[str, Any]) -> None:
    """Each step is its own transaction; until the last the reports read every day live (so
    they are right all along), and a map changed again in between starts over."""
    db, bid = world["db"], world["kit"].branch_id
    _refresh(world, local(DAYS[-1] + dt.timedelta(days=1), 9))
    assert _read_from(world) == (True, False)
    days = (DAYS[-1] - DAYS[0]).days + 1  # summarised days with tickets: 2 March to 6 March
    _edit_map(world, 240)
    assert _read_from(world) == (False, True)  # old grades: not used
    progress = Regrade()
    assert not regrade_once(db, bid, progress, days=2)  # 2-3 March
    assert progress.next_day == DAYS[2]
    assert _read_from(world) == (False, True)
    _edit_map(world, 420)  # changed again: the step after starts from the first day
    expected = _live_only(world)
    steps = 0
    while True:
        steps += 1
        if regrade_once(db, bid, progress, days=2):
            break
        assert _read_from(world) == (False, True)
    assert steps == -(-days // 2)  # 2-3, 4-5 (with the empty 4th), 6 March
    assert _read_from(world) == (True, False)
    assert snapshot(world) == expected
    assert regrade_in_steps(db, bid) == 0  # nothing left to do
    _edit_map(world, 600)
    assert regrade_in_steps(db, bid, days=2) == 3
    assert _read_from(world) == (True, False)


def _moments(world: dict[str, Any]) -> list[Any]:
    kit, client = world["kit"], world["client"]
    out = []
    for first, last in RANGES:
        params = {"from": first.isoformat(), "to": last.isoformat(), "by": "moment"}
        r = client.get(
            f"/api/v1/branches/{kit.code}/reports", params=params, headers=kit.auth("manager")
        )
        assert r.status_code == 200, r.text
        out.append(r.json())
    return out


@pytest.mark.parametrize(
    ("scheme", "group"),
    [
        (((1, 1),), 16),
        (((5_000, 1), (60_000, 700), (900_000, 3_100)), 16),
        (None, 1),
        (None, 3),
    ],
    ids=["one-bucket", "uneven-buckets", "coarse-as-fine", "small-coarse"],
)
def test_moment_percentiles_do_not_depend_on_the_buckets(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch, scheme: Any, group: int
) -> None:
    """The histogram only says which stretch of values to walk: with everything in one
    bucket (a walk of every value), with odd bucket edges or with other coarse buckets
    (the k-th value then sits elsewhere in them) the figures are the same."""
    from server.reports import hist

    expected = _moments(world)  # default buckets, every day live
    if scheme is not None:
        monkeypatch.setattr(hist, "SCHEMES", {name: scheme for name in hist.SCHEMES})
    monkeypatch.setattr(hist, "GROUP", group)
    assert _moments(world) == expected
    _refresh(world, local(DAYS[2], 12))  # part stored, part live
    assert _read_from(world) == (True, True)
    assert _moments(world) == expected
    _refresh(world, local(DAYS[-1] + dt.timedelta(days=1), 9))  # every day stored
    assert _moments(world) == expected


def test_bucket_edges(db: Any) -> None:
    """Each value's bucket (computed by the database) holds it: [lo, hi) of ``bounds``."""
    from sqlalchemy import literal

    from server.reports import hist

    for column, scheme in hist.SCHEMES.items():
        edges = {0, 1, -1, -5000, 10**9}
        for end, width in scheme:
            edges |= {end - 1, end, end + 1, width - 1, width, width + 1}
        values = sorted(edges)
        with db.read_session() as s:
            got = s.execute(select(*(hist.bucket_expr(column, literal(v)) for v in values))).one()
        buckets = [int(b) for b in got]
        assert buckets == sorted(buckets), column  # buckets follow the values' order
        for v, b in zip(values, buckets, strict=True):
            lo, hi = hist.bounds(column, b)
            assert lo is None or lo <= v, (column, v, b, lo)
            assert hi is None or v < hi, (column, v, b, hi)
        assert buckets[0] == 0
        assert hist.bounds(column, buckets[-1])[1] is None  # the last bucket is open


def test_live_part_starts_at_the_first_live_day() -> None:
    from server.reports.coverage import Coverage

    d = dt.date(2026, 3, 1)
    day = dt.timedelta(days=1)
    assert Coverage(d, d + 9 * day).live_first == d  # nothing stored
    assert Coverage(d, d + 9 * day, d + 4 * day).live_first == d + 5 * day
    assert Coverage(d, d + 9 * day, d - 2 * day).live_first == d  # stored before the range
    dirty = frozenset({d + 2 * day, d - 5 * day})
    assert Coverage(d, d + 9 * day, d + 4 * day, dirty).live_first == d + 2 * day
    # Everything stored and clean: no live part (any day will do).
    assert Coverage(d, d + 9 * day, d + 20 * day).live_first == d


def test_long_ranges_walk_the_value_indexes(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every range read as a long one (value-index walks, date bounds dropped when every
    stored fact meets them): the same figures."""
    from server.reports import source

    live = snapshot(world)
    monkeypatch.setattr(source, "SHORT_DAYS", 0)
    _refresh(world, local(DAYS[2], 12))  # part stored, part live
    assert snapshot(world) == live
    _refresh(world, local(DAYS[-1] + dt.timedelta(days=1), 9))  # every day stored
    assert _read_from(world) == (True, False)
    assert snapshot(world) == live


def test_histograms_cut_by_another_release_are_not_read(
    world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an upgrade that changes the histograms, a branch's rollups are read again only
    once its histograms were rebuilt (until then every day is read live)."""
    from server.reports import hist

    _refresh(world, local(DAYS[-1] + dt.timedelta(days=1), 9))
    assert _read_from(world) == (True, False)
    expected = _moments(world)
    monkeypatch.setattr(hist, "VERSION", hist.VERSION + 1)
    assert _read_from(world) == (False, True)
    assert _moments(world) == expected
    _refresh(world, local(DAYS[-1] + dt.timedelta(days=1), 10))
    assert _read_from(world) == (True, False)
    assert _moments(world) == expected


def test_the_day_close_finishes_a_regrade_left_unfinished(world: dict[str, Any]) -> None:
    """A process stopped between two steps of a re-grade: the next day-close round re-grades
    the rest (and the reports read live until then)."""
    from server.main import close_days_once

    db, bid = world["db"], world["kit"].branch_id
    ctx = world["client"].app.state.ctx
    close_days_once(ctx)  # the days closed (tickets left waiting cancelled) and summarised
    close_days_once(ctx)  # and the days those cancellations changed rebuilt
    assert _read_from(world) == (True, False)
    _edit_map(world, 300)
    assert not regrade_once(db, bid, Regrade(), days=2)  # one step, then the process stops
    expected = _live_only(world)
    assert _read_from(world) == (False, True)
    close_days_once(ctx)
    assert _read_from(world) == (True, False)
    assert snapshot(world) == expected
