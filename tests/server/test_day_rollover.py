"""Business days follow the branch's own timezone; closing a day cancels yesterday's queue.

The branch is in Europe/Istanbul (UTC+3, no DST): 23:50 local is 20:50 UTC, and 00:10 local
the next day is 21:10 UTC, still the same UTC date.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import select

from server.main import close_days_once
from server.models import Event
from tests.support import make_branch

UTC = dt.UTC
DAY1 = "2026-03-02"
DAY2 = "2026-03-03"
LATE_DAY1 = dt.datetime(2026, 3, 2, 20, 50, tzinfo=UTC)  # 23:50 in Istanbul on DAY1
EARLY_DAY2 = dt.datetime(2026, 3, 2, 21, 10, tzinfo=UTC)  # 00:10 in Istanbul on DAY2


def issue(client, kit, service: str = "A", **extra: Any) -> dict[str, Any]:
    r = client.post(
        f"/api/v1/branches/{kit.code}/tickets",
        json={"service": service, **extra},
        headers=kit.auth("kiosk"),
    )
    assert r.status_code == 201, r.text
    return r.json()


def ticket(client, kit, ticket_id: int) -> dict[str, Any]:
    r = client.get(f"/api/v1/tickets/{ticket_id}", headers=kit.auth("teller1"))
    assert r.status_code == 200, r.text
    return r.json()["ticket"]


def cancelled_events(db, branch_id: int) -> list[Event]:
    with db.read_session() as session:
        return list(
            session.exec(
                select(Event)
                .where(Event.branch_id == branch_id, Event.type == "ticket.cancelled")
                .order_by(Event.seq)  # type: ignore[arg-type]
            )
        )


def test_business_date_is_the_branch_local_date_and_numbering_restarts(client, make, clock):
    kit = make(make_branch, timezone="Europe/Istanbul")
    utc_kit = make(make_branch, code="utc", timezone="UTC")

    clock.set(LATE_DAY1)
    a1, a2, b1 = issue(client, kit, "A"), issue(client, kit, "A"), issue(client, kit, "B")
    clock.set(dt.datetime(2026, 3, 2, 20, 59, 59, tzinfo=UTC))  # 23:59:59 local
    a3 = issue(client, kit, "A")
    assert [t["code"] for t in (a1, a2, b1, a3)] == ["A001", "A002", "B001", "A003"]
    assert {t["business_date"] for t in (a1, a2, b1, a3)} == {DAY1}

    clock.set(EARLY_DAY2)
    n1, n2, nb = issue(client, kit, "A"), issue(client, kit, "A"), issue(client, kit, "B")
    assert [(t["code"], t["number"]) for t in (n1, n2, nb)] == [
        ("A001", 1),
        ("A002", 2),
        ("B001", 1),
    ]
    assert {t["business_date"] for t in (n1, n2, nb)} == {DAY2}
    # The customer-facing lookups agree with the stored ticket.
    assert ticket(client, kit, n1["id"])["business_date"] == DAY2
    assert ticket(client, kit, a1["id"])["business_date"] == DAY1

    # Same instants in a UTC branch: still DAY1 there, so its numbering carries on.
    clock.set(LATE_DAY1)
    u1 = issue(client, utc_kit, "A")
    clock.set(EARLY_DAY2)
    u2 = issue(client, utc_kit, "A")
    assert (u1["code"], u1["business_date"]) == ("A001", DAY1)
    assert (u2["code"], u2["business_date"]) == ("A002", DAY1)


def _yesterday_with_a_busy_floor(client, kit, clock) -> dict[str, dict[str, Any]]:
    """At 23:50: one ticket being served, one called, two waiting, one transferred-waiting."""
    clock.set(LATE_DAY1)
    made: dict[str, dict[str, Any]] = {}
    for name, svc in (
        ("serving", "A"),
        ("called", "A"),
        ("waiting_a", "A"),
        ("waiting_b", "B"),
        ("transferred", "B"),
    ):
        made[name] = issue(client, kit, svc)
        clock.advance(10)
    c1, c2 = kit.counters["1"], kit.counters["2"]
    for c, who in ((c1, "teller1"), (c2, "teller2")):
        assert client.post(f"/api/v1/counters/{c}/open", headers=kit.auth(who)).status_code == 200
    r = client.post(f"/api/v1/counters/{c1}/call-next", headers=kit.auth("teller1"))
    assert r.json()["ticket"]["id"] == made["serving"]["id"]
    r = client.post(f"/api/v1/tickets/{made['serving']['id']}/serve", headers=kit.auth("teller1"))
    assert r.status_code == 200, r.text
    r = client.post(f"/api/v1/counters/{c2}/call-next", headers=kit.auth("teller2"))
    assert r.json()["ticket"]["id"] == made["called"]["id"]
    r = client.post(
        f"/api/v1/tickets/{made['transferred']['id']}/transfer",
        json={"service": "C"},
        headers=kit.auth("teller1"),
    )
    assert r.status_code == 200, r.text
    assert ticket(client, kit, made["transferred"]["id"])["status"] == "transferred"
    return made


def test_close_day_cancels_yesterdays_queue_once_and_spares_the_counters(
    client, make, clock, app, db
):
    kit = make(make_branch, timezone="Europe/Istanbul")
    made = _yesterday_with_a_busy_floor(client, kit, clock)
    ctx = app.state.ctx

    # Before midnight nothing is left over from an earlier day.
    assert close_days_once(ctx) == 0
    assert ticket(client, kit, made["waiting_a"]["id"])["status"] == "waiting"

    clock.set(EARLY_DAY2)
    today = issue(client, kit, "A")
    assert (today["code"], today["business_date"]) == ("A001", DAY2)

    assert close_days_once(ctx) == 3
    leftovers = ("waiting_a", "waiting_b", "transferred")
    for name in leftovers:
        t = ticket(client, kit, made[name]["id"])
        assert (t["status"], t["cancel_reason"]) == ("cancelled", "day_closed"), name
    assert ticket(client, kit, made["serving"]["id"])["status"] == "serving"
    assert ticket(client, kit, made["called"]["id"])["status"] == "called"
    assert ticket(client, kit, today["id"])["status"] == "waiting"

    events = cancelled_events(db, kit.branch_id)
    assert sorted(e.ticket_id for e in events) == sorted(made[n]["id"] for n in leftovers)
    for e in events:
        assert e.data["reason"] == "day_closed"
        assert e.data["ticket"]["status"] == "cancelled"
        assert e.data["ticket"]["cancel_reason"] == "day_closed"
        assert e.at == EARLY_DAY2

    # The day's queue as screens see it: only today's ticket is waiting.
    r = client.get(f"/api/v1/branches/{kit.code}/services", headers=kit.auth("display"))
    assert {s["code"]: s["waiting"] for s in r.json()} == {"A": 1, "B": 0, "C": 0}

    # Running it again (same minute, later that night) cancels nothing more.
    assert close_days_once(ctx) == 0
    clock.advance(3600)
    assert close_days_once(ctx) == 0
    assert len(cancelled_events(db, kit.branch_id)) == len(leftovers)
    assert ticket(client, kit, today["id"])["status"] == "waiting"


def test_keep_waiting_at_close_leaves_yesterdays_queue_waiting(client, make, clock, app, db):
    kit = make(make_branch, timezone="Europe/Istanbul", policy={"keep_waiting_at_close": True})
    made = _yesterday_with_a_busy_floor(client, kit, clock)

    clock.set(EARLY_DAY2)
    assert close_days_once(app.state.ctx) == 0
    for name in ("waiting_a", "waiting_b"):
        assert ticket(client, kit, made[name]["id"])["status"] == "waiting"
    assert ticket(client, kit, made["transferred"]["id"])["status"] == "transferred"
    assert cancelled_events(db, kit.branch_id) == []
    # They are still served: today's numbering restarts, but the earlier arrival comes first.
    new = issue(client, kit, "A")
    assert new["code"] == "A001"
    r = client.post(f"/api/v1/counters/{kit.counters['3']}/open", headers=kit.auth("teller3"))
    assert r.status_code == 200
    r = client.post(f"/api/v1/counters/{kit.counters['3']}/call-next", headers=kit.auth("teller3"))
    assert r.status_code == 200
    assert r.json()["ticket"]["id"] in {made["waiting_a"]["id"], made["waiting_b"]["id"]}


def test_close_day_endpoint_for_managers(client, make, clock, db):
    kit = make(make_branch, timezone="Europe/Istanbul")
    clock.set(LATE_DAY1)
    left = [issue(client, kit, "A"), issue(client, kit, "C")]
    clock.set(EARLY_DAY2)
    url = f"/api/v1/admin/branches/{kit.code}/close-day"

    assert client.post(url, headers=kit.auth("teller1")).status_code == 403
    assert client.post(url).status_code == 401
    r = client.post(url, headers=kit.auth("manager"))
    assert r.status_code == 200, r.text
    assert r.json() == {"cancelled": 2}
    for t in left:
        got = ticket(client, kit, t["id"])
        assert (got["status"], got["cancel_reason"]) == ("cancelled", "day_closed")
    assert sorted(e.ticket_id for e in cancelled_events(db, kit.branch_id)) == sorted(
        t["id"] for t in left
    )

    r = client.post(url, headers=kit.auth("manager"))
    assert r.json() == {"cancelled": 0}
    assert len(cancelled_events(db, kit.branch_id)) == 2
