"""The estimate-accuracy report reads what customers were told (``ticket_quote``): re-quote
accuracy per issued service, the drift flag, and the quoted-against-actual points of the
manager's chart (sampled above 2,000, scoped and validated like the other reports)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import false, func, insert, select, text, update

from server.clock import FrozenClock
from server.db import Database
from server.models import Branch, Ticket, TicketQuote, report_rollup
from server.reports import accuracy, quotes
from server.reports.period import Period
from server.reports.rollup import refresh
from tests.support import BranchKit, make_branch

DAY = dt.date(2026, 3, 2)  # the frozen clock's first day (12:00 in Istanbul)
ONE_COUNTER = {"1": ["A", "B", "C"]}
TICKET = Ticket.__table__  # type: ignore[attr-defined]
QUOTE = TicketQuote.__table__  # type: ignore[attr-defined]


# --- helpers ---------------------------------------------------------------------------------


def get(client: TestClient, kit: BranchKit, path: str, who: str = "manager", **params: Any) -> Any:
    return client.get(
        f"/api/v1/branches/{kit.code}/reports/{path}", params=params, headers=kit.auth(who)
    )


def report(client: TestClient, kit: BranchKit, first: dt.date = DAY, last: dt.date = DAY) -> Any:
    r = get(client, kit, "estimates", **{"from": first.isoformat(), "to": last.isoformat()})
    assert r.status_code == 200, r.text
    return {row["key"]: row for row in r.json()}


def issue(client: TestClient, kit: BranchKit, service: str) -> dict[str, Any]:
    r = client.post(
        f"/api/v1/branches/{kit.code}/tickets", json={"service": service}, headers=kit.auth("kiosk")
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def call_next(client: TestClient, kit: BranchKit) -> dict[str, Any]:
    r = client.post(f"/api/v1/counters/{kit.counters['1']}/call-next", headers=kit.auth("teller1"))
    assert r.status_code == 200, r.text
    return dict(r.json()["ticket"])


def waited(
    client: TestClient,
    kit: BranchKit,
    clock: FrozenClock,
    db: Database,
    visits: list[tuple[str, int, int]],
) -> list[int]:
    """One ticket per (service, wait_s, quoted_s), each alone in the queue: issued, called
    ``wait_s`` later, told ``quoted_s`` at issue (stored over the engine's own quote)."""
    r = client.post(f"/api/v1/counters/{kit.counters['1']}/open", headers=kit.auth("teller1"))
    assert r.status_code == 200, r.text
    ids = []
    for service, wait_s, quoted_s in visits:
        t = issue(client, kit, service)
        clock.advance(wait_s)
        assert call_next(client, kit)["id"] == t["id"]
        clock.advance(30)
        told(db, t["id"], quoted_s)
        ids.append(t["id"])
    return ids


def told(db: Database, ticket_id: int, quoted_s: int) -> None:
    with db.unit_of_work() as s:
        s.execute(update(TICKET).where(TICKET.c.id == ticket_id).values(quoted_wait_s=quoted_s))
        s.execute(
            update(QUOTE)
            .where(QUOTE.c.ticket_id == ticket_id, QUOTE.c.kind == "issue")
            .values(wait_s=quoted_s)
        )


def requote(db: Database, ticket_id: int, *, after_s: int, wait_s: int) -> None:
    """A re-quote ``after_s`` after the ticket's issue, telling ``wait_s``."""
    with db.unit_of_work() as s:
        issued = s.execute(select(TICKET.c.issued_at).where(TICKET.c.id == ticket_id)).scalar_one()
        s.execute(
            insert(QUOTE),
            [
                {
                    "ticket_id": ticket_id,
                    "at": issued + dt.timedelta(seconds=after_s),
                    "kind": "requote",
                    "wait_s": wait_s,
                    "rough": False,
                    "fallback": False,
                }
            ],
        )


def expected(cases: list[tuple[int, int, int]]) -> tuple[int, float | None, float | None]:
    """(count, mean |error|, % within target) of re-quotes given as (issue → call s, re-quote
    after issue s, wait told s), computed here from the contract's words."""
    if not cases:
        return 0, None, None
    errors = [(call - at) - told for call, at, told in cases]
    within = [
        abs(e) <= max(120, 0.2 * (call - at))
        for e, (call, at, _) in zip(errors, cases, strict=True)
    ]
    mae = round(sum(abs(e) for e in errors) / len(errors), 1)
    return len(cases), mae, round(100 * sum(within) / len(cases), 1)


# --- re-quotes -------------------------------------------------------------------------------


def test_the_report_reads_stored_requotes(
    client: TestClient, make: Any, clock: FrozenClock, db: Database
) -> None:
    kit = make(make_branch, counters=ONE_COUNTER)
    a1, a2, b1, c1 = waited(
        client, kit, clock, db, [("A", 600, 500), ("A", 900, 700), ("B", 300, 200), ("C", 60, 0)]
    )
    never_called = issue(client, kit, "A")["id"]
    requote(db, a1, after_s=100, wait_s=450)  # 500 s later: off by 50 s, within
    requote(db, a1, after_s=300, wait_s=100)  # 300 s later: off by 200 s, not within
    requote(db, a2, after_s=60, wait_s=540)  # 840 s later: off by 300 s > 168 s
    requote(db, a2, after_s=600, wait_s=200)  # 300 s later: off by 100 s, within
    requote(db, a2, after_s=1000, wait_s=100)  # after the call: about another wait
    requote(db, b1, after_s=60, wait_s=100)  # 240 s later: off by 140 s > 120 s
    requote(db, never_called, after_s=60, wait_s=100)  # never called: no wait to judge
    cases = {
        "A": [(600, 100, 450), (600, 300, 100), (900, 60, 540), (900, 600, 200)],
        "B": [(300, 60, 100)],
        "C": [],
    }
    cases["*"] = [c for k in "ABC" for c in cases[k]]

    rows = report(client, kit)
    assert list(rows) == ["A", "B", "C", "*"]
    for key, got in rows.items():
        n, mae, within = expected(cases[key])
        assert (got["requotes"], got["requote_mae_s"], got["requote_within_target_pct"]) == (
            n,
            mae,
            within,
        ), key
    assert (rows["A"]["requote_mae_s"], rows["A"]["requote_within_target_pct"]) == (162.5, 50.0)
    assert rows["C"]["tickets"] == 1
    assert rows["C"]["requote_mae_s"] is None
    assert rows["C"]["requote_within_target_pct"] is None
    # The issue quotes are what the report's first columns judge, as before.
    assert rows["A"]["tickets"] == 2
    assert rows["A"]["bias_s"] == ((600 - 500) + (900 - 700)) / 2

    # A re-quote of another business day is counted in that day's report only.
    r = client.post(f"/api/v1/tickets/{never_called}/cancel", headers=kit.auth("teller1"))
    assert r.status_code == 200, r.text
    clock.set(clock.now() + dt.timedelta(days=1))
    [next_day] = waited(client, kit, clock, db, [("A", 400, 400)])
    requote(db, next_day, after_s=100, wait_s=300)
    assert report(client, kit)["*"]["requotes"] == 5
    assert (
        report(client, kit, DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=1))["A"]["requotes"]
        == 1
    )
    both = report(client, kit, DAY, DAY + dt.timedelta(days=1))
    assert both["*"]["requotes"] == 6

    # Once the first day is summarised, its report reads the rollup and still the re-quotes.
    with db.unit_of_work() as s:
        branch = s.get(Branch, kit.branch_id)
        assert branch is not None
        refresh(s, branch, now=clock.now())
        summarised = select(func.count()).where(
            report_rollup.c.branch_id == kit.branch_id, report_rollup.c.business_date == DAY
        )
        assert s.execute(summarised).scalar_one() > 0
    assert report(client, kit) == rows


def test_requotes_walk_the_ticket_and_quote_indexes(db: Database, make: Any) -> None:
    """Half a year of days with re-quotes: one day's re-quotes are read through the date
    index of the tickets and the ticket index of the quotes (on PostgreSQL too, once the
    quotes outnumber what a scan of them would cost)."""
    kit = make(make_branch)
    for i in range(200):
        many_called(db, kit, "A", 40, day=DAY - dt.timedelta(days=i))
    with db.unit_of_work() as s:
        requotes = select(
            TICKET.c.id, TICKET.c.issued_at, text("'requote'"), text("60"), false(), false()
        )
        names = ["ticket_id", "at", "kind", "wait_s", "rough", "fallback"]
        for _ in range(4):
            s.execute(insert(QUOTE).from_select(names, requotes))
    with db.unit_of_work() as s:
        s.execute(text("ANALYZE"))
    with db.unit_of_work() as s:
        branch = s.get(Branch, kit.branch_id)
        assert branch is not None
        dialect = s.get_bind().dialect.name
        period = Period.of(DAY, DAY, branch.timezone)
        stmt = quotes.requote_select(dialect, branch, period)
        compiled = stmt.compile(s.get_bind(), compile_kwargs={"literal_binds": True})
        explain = "EXPLAIN" if dialect == "postgresql" else "EXPLAIN QUERY PLAN"
        plan = " ".join(str(r[-1]) for r in s.execute(text(f"{explain} {compiled}")))
        assert quotes.requote_sums(s, branch, period)["A"].n == 160
    assert "ix_ticket_branch_date" in plan, plan
    assert "ix_ticket_quote_ticket" in plan, plan


# --- drift -----------------------------------------------------------------------------------


def test_drift_flags_quotes_too_short_and_too_long(
    client: TestClient, make: Any, clock: FrozenClock, db: Database
) -> None:
    kit = make(make_branch, counters=ONE_COUNTER)
    visits = (
        [("A", 600, 300)] * 20  # waited 5 min longer than told: quotes too short
        + [("B", 300, 600)] * 20  # 5 min less than told: too long
        + [("C", 600, 300)] * 19  # as short, but 19 quotes say nothing yet
    )
    waited(client, kit, clock, db, visits)
    rows = report(client, kit)
    assert (rows["A"]["bias_s"], rows["A"]["within_target_pct"]) == (300.0, 0.0)
    assert (rows["B"]["bias_s"], rows["B"]["within_target_pct"]) == (-300.0, 0.0)
    assert {k: r["drift"] for k, r in rows.items()} == {
        "A": "short",
        "B": "long",
        "C": None,
        "*": "short",  # 59 quotes, bias (20 − 20 + 19) × 300 / 59 s
    }


def test_accurate_quotes_do_not_drift(
    client: TestClient, make: Any, clock: FrozenClock, db: Database
) -> None:
    kit = make(make_branch, counters=ONE_COUNTER)
    # A minute and more off, but every one within target (20 % of a 15-minute wait is 3 min).
    waited(client, kit, clock, db, [("A", 900, 780)] * 20)
    rows = report(client, kit)
    assert (rows["A"]["bias_s"], rows["A"]["within_target_pct"]) == (120.0, 100.0)
    assert rows["A"]["drift"] is None


@pytest.mark.parametrize(
    ("quotes_n", "bias_s", "within", "flag"),
    [
        (20, 60.0, 79.9, "short"),
        (20, -60.0, 79.9, "long"),
        (19, 300.0, 0.0, None),  # too few quotes
        (20, 59.9, 0.0, None),  # off by under a minute on average
        (20, -59.9, 0.0, None),
        (20, 300.0, 80.0, None),  # 80 % within target: the goal is met
        (500, 0.0, 10.0, None),  # wrong both ways, no direction
        (0, None, None, None),
    ],
)
def test_the_drift_rule(
    quotes_n: int, bias_s: float | None, within: float | None, flag: str | None
) -> None:
    got = accuracy.drift(quotes=quotes_n, bias_s=bias_s, within_target_pct=within)
    assert got == flag


# --- the chart's points ----------------------------------------------------------------------


def points(client: TestClient, kit: BranchKit, **params: Any) -> Any:
    r = get(
        client,
        kit,
        "estimates/points",
        **{"from": DAY.isoformat(), "to": DAY.isoformat()},
        **params,
    )
    assert r.status_code == 200, r.text
    return r.json()


def test_points_are_issue_quotes_against_actual_waits(
    client: TestClient, make: Any, clock: FrozenClock, db: Database
) -> None:
    kit = make(make_branch, counters=ONE_COUNTER)
    waited(client, kit, clock, db, [("A", 600, 500), ("B", 300, 420), ("A", 95, 0)])
    issue(client, kit, "A")  # never called: no actual wait
    body = points(client, kit)
    assert body == {
        "points": [
            {"service": "A", "quoted_s": 500, "actual_s": 600.0},
            {"service": "B", "quoted_s": 420, "actual_s": 300.0},
            {"service": "A", "quoted_s": 0, "actual_s": 95.0},
        ],
        "total": 3,
        "sampled": False,
        "target_min_s": 120,
        "target_share": 0.2,
    }
    only_b = points(client, kit, service="B")
    assert only_b["points"] == [{"service": "B", "quoted_s": 420, "actual_s": 300.0}]
    assert only_b["total"] == 1
    assert points(client, kit, service="C") == {**body, "points": [], "total": 0}


def many_called(
    db: Database, kit: BranchKit, service: str, n: int, start: int = 0, day: dt.date = DAY
) -> None:
    """``n`` called tickets of ``day`` written straight to the table; the i-th was told
    ``start + i`` s."""
    at = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)
    rows = [
        {
            "branch_id": kit.branch_id,
            "business_date": day,
            "prefix": service,
            "number": start + i + 1,
            "code": f"{service}{start + i + 1:04d}",
            "service_code": service,
            "original_service_code": service,
            "lang": "en",
            "priority": False,
            "status": "done",
            "token": f"t-{kit.code}-{day}-{service}-{start + i}",
            "issued_at": at,
            "queued_at": at,
            "quoted_wait_s": start + i,
            "first_called_at": at + dt.timedelta(seconds=60),
            "called_at": at + dt.timedelta(seconds=60),
            "finished_at": at + dt.timedelta(seconds=120),
            "recall_count": 0,
            "transfer_count": 0,
            "print_status": "none",
        }
        for i in range(n)
    ]
    with db.unit_of_work() as s:
        s.execute(insert(TICKET), rows)


def test_points_are_an_even_sample_above_the_cap(
    client: TestClient, make: Any, db: Database
) -> None:
    kit = make(make_branch)
    many_called(db, kit, "A", 3001)
    many_called(db, kit, "B", 10, start=5000)
    body = points(client, kit)
    assert body["total"] == 3011
    assert body["sampled"]
    assert len(body["points"]) <= quotes.MAX_POINTS
    # Every 2nd ticket by id (k = ceil(3011 / 2000)), from the first one.
    by_id = [*range(3001), *range(5000, 5010)]
    assert [p["quoted_s"] for p in body["points"]] == by_id[::2]
    assert body == points(client, kit)  # the same sample every time
    # One service's points: under the cap, all of them.
    only_b = points(client, kit, service="B")
    assert not only_b["sampled"]
    assert only_b["total"] == 10
    assert [p["quoted_s"] for p in only_b["points"]] == list(range(5000, 5010))


def test_points_exactly_at_the_cap_are_all_shown(
    client: TestClient, make: Any, db: Database
) -> None:
    kit = make(make_branch)
    many_called(db, kit, "A", quotes.MAX_POINTS)
    body = points(client, kit)
    assert (body["total"], body["sampled"], len(body["points"])) == (2000, False, 2000)


@pytest.mark.parametrize(
    ("params", "status", "words"),
    [
        ({"from": "2026-03-05", "to": "2026-03-02"}, 422, "'from' must not be after 'to'"),
        ({"from": "2025-01-01", "to": "2026-03-02"}, 422, "at most 400 days"),
        ({"from": "0001-01-01", "to": "0001-01-01"}, 422, "between"),
        ({"from": "2026-02-30"}, 422, "from: Input should be a valid date"),
        ({"service": "a"}, 422, "service: String should match pattern"),
        ({"service": "TOOLONG"}, 422, "service"),
        ({"service": "Z"}, 404, "has no service 'Z'"),
    ],
)
def test_points_refuse_bad_input(
    client: TestClient, make: Any, params: dict[str, str], status: int, words: str
) -> None:
    kit = make(make_branch)
    r = get(client, kit, "estimates/points", **params)
    assert r.status_code == status, r.text
    assert words in r.text


def test_points_are_the_branch_s_own(client: TestClient, make: Any, db: Database) -> None:
    kit = make(make_branch)
    other = make(make_branch, code="other")
    many_called(db, other, "A", 3)
    assert points(client, kit)["total"] == 0
    assert get(client, other, "estimates/points", who="teller1").status_code == 403
    r = client.get(
        f"/api/v1/branches/{other.code}/reports/estimates/points", headers=kit.auth("manager")
    )
    assert r.status_code == 404, r.text
    assert "no branch 'other'" in r.json()["detail"]
