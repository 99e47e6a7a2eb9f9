"""What customers were told is stored (``ticket_quote``): the quote at issue, and a re-quote
each time the phone's figure moved enough to be a new promise, not at every poll."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from server.db import Database
from server.models import TicketQuote
from server.tickets import forecasting, quotes
from tests.server.tickets.test_forecasting import branch, counter, issue, status

TWO_COUNTERS = {"1": ["A"], "2": ["A"]}


def stored(db: Database, ticket_id: int) -> list[TicketQuote]:
    with db.unit_of_work() as s:
        return list(
            s.execute(
                select(TicketQuote)
                .where(TicketQuote.ticket_id == ticket_id)  # type: ignore[arg-type]
                .order_by(TicketQuote.id)  # type: ignore[arg-type]
            ).scalars()
        )


def test_the_issue_quote_is_stored_as_told(client: TestClient, make: Any, db: Database) -> None:
    kit = branch(make, TWO_COUNTERS)
    counter(client, kit, "1", "open")
    tickets = [issue(client, kit) for _ in range(4)]
    for t in tickets:
        rows = stored(db, t["id"])
        assert [r.kind for r in rows] == ["issue"]
        assert rows[0].wait_s == t["estimated_wait_s"]
        assert rows[0].position == t["position"]
        assert rows[0].rough
        assert not rows[0].fallback
        told_range = t.get("estimated_wait_range_s")
        assert [rows[0].low_s, rows[0].high_s] == (told_range or [None, None])
    assert stored(db, tickets[-1]["id"])[0].wait_s > 0


def test_a_requote_is_stored_when_the_promise_moves(
    client: TestClient, make: Any, db: Database
) -> None:
    kit = branch(make, TWO_COUNTERS)
    counter(client, kit, "1", "open")
    first = [issue(client, kit) for _ in range(5)]
    last = first[-1]
    # Polling an unchanged queue tells the customer nothing new: nothing stored.
    for _ in range(3):
        assert status(client, last["token"])["estimated_wait_s"] == last["estimated_wait_s"]
    assert [r.kind for r in stored(db, last["id"])] == ["issue"]

    # A second counter opens: the wait roughly halves, and the phone says so.
    counter(client, kit, "2", "open")
    now = status(client, last["token"])["estimated_wait_s"]
    assert now < last["estimated_wait_s"] - 60
    rows = stored(db, last["id"])
    assert [r.kind for r in rows] == ["issue", "requote"]
    assert rows[1].wait_s == now
    assert rows[1].at >= rows[0].at
    # Asked again with nothing changed: still one re-quote.
    status(client, last["token"])
    assert len(stored(db, last["id"])) == 2


def test_a_small_move_is_not_a_new_promise() -> None:
    assert not quotes.moved(600, 650)  # under a minute
    assert quotes.moved(600, 660)
    assert not quotes.moved(3000, 3250)  # under 10 % of a long wait
    assert quotes.moved(3000, 3300)
    assert quotes.moved(0, 60)


def _engine_fails(*_: Any, **__: Any) -> Any:
    raise RuntimeError("the engine broke")


def test_a_fallback_quote_is_stored_as_one(
    client: TestClient, make: Any, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    kit = branch(make, TWO_COUNTERS)
    counter(client, kit, "1", "open")
    monkeypatch.setattr(forecasting, "forecast", _engine_fails)
    t = issue(client, kit)
    [row] = stored(db, t["id"])
    assert row.fallback
    assert row.wait_s == t["estimated_wait_s"]
