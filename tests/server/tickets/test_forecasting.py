"""Live quotes from the forecasting engine, through the API: at issue, on the phone page and
in the kiosk's services list; and the old formula when the engine fails.

Every service of ``make_branch`` has a 300 s service standard and no history, so the engine
models each visit as log-normal with mean 300 s (a rough quote).
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from server.clock import FrozenClock
from server.config import Settings
from server.db import Database
from server.main import create_app
from server.metrics.tally import tally
from server.tickets import forecasting
from tests.support import BranchKit, make_branch

ONE_COUNTER = {"1": ["A"]}
TWO_COUNTERS = {"1": ["A"], "2": ["A"]}


# --- helpers ---------------------------------------------------------------------------------


def issue(client: TestClient, kit: BranchKit, service: str = "A", **body: Any) -> dict[str, Any]:
    r = client.post(
        f"/api/v1/branches/{kit.code}/tickets",
        json={"service": service, **body},
        headers=kit.auth("kiosk"),
    )
    assert r.status_code == 201, r.text
    return r.json()


def counter(client: TestClient, kit: BranchKit, label: str, op: str) -> Any:
    """``op`` at counter ``label`` by its teller (teller1 works counter 1, ...)."""
    who = f"teller{label}"
    r = client.post(f"/api/v1/counters/{kit.counters[label]}/{op}", headers=kit.auth(who))
    assert r.status_code in (200, 204), r.text
    return r.json() if r.status_code == 200 else None


def status(client: TestClient, token: str) -> dict[str, Any]:
    r = client.get(f"/api/v1/tickets/by-token/{token}")
    assert r.status_code == 200, r.text
    return r.json()


def services(client: TestClient, kit: BranchKit) -> dict[str, dict[str, Any]]:
    r = client.get(f"/api/v1/branches/{kit.code}/services", headers=kit.auth("kiosk"))
    assert r.status_code == 200, r.text
    return {row["code"]: row for row in r.json()}


def branch(make: Any, counters: dict[str, list[str]], **policy: Any) -> BranchKit:
    kit: BranchKit = make(make_branch, counters=counters, policy=policy or None)
    return kit


# --- the state shows in the quote ------------------------------------------------------------


def test_busy_counters_with_nobody_ahead_quote_a_wait(client: TestClient, make: Any) -> None:
    kit = branch(make, ONE_COUNTER)
    counter(client, kit, "1", "open")
    first = issue(client, kit)
    assert (first["position"], first["estimated_wait_s"]) == (1, 0)  # a free counter
    assert counter(client, kit, "1", "call-next")["ticket"]["id"] == first["id"]

    listed = services(client, kit)["A"]
    assert listed["waiting"] == 0
    # Nobody ahead, but the one counter is busy: the rest of that visit (the old formula
    # said 0 here).
    assert 60 < listed["estimated_wait_s"] < 600
    second = issue(client, kit)
    assert second["position"] == 1
    assert second["estimated_wait_s"] == listed["estimated_wait_s"]
    assert status(client, second["token"])["estimated_wait_s"] > 0


@pytest.mark.parametrize(
    ("policy", "expected_position"),
    [
        ({"priority_mode": "ratio", "priority_ratio": 2}, 3),  # after two normal calls
        ({"priority_mode": "strict"}, 1),
        ({"priority_mode": "none"}, 5),  # in arrival order
    ],
)
def test_positions_are_the_order_calls_then_happen(
    client: TestClient, make: Any, policy: dict[str, Any], expected_position: int
) -> None:
    kit = branch(make, ONE_COUNTER, **policy)
    counter(client, kit, "1", "open")
    tickets = [issue(client, kit) for _ in range(4)]
    urgent = issue(client, kit, priority=True, priority_reason="elderly")
    assert urgent["position"] == expected_position
    tickets.insert(expected_position - 1, urgent)

    # Every waiting ticket's place on the phone is the order the counter then calls them in,
    # before the first call and after each.
    for done in range(len(tickets)):
        waiting = tickets[done:]
        assert [status(client, t["token"])["position"] for t in waiting] == list(
            range(1, len(waiting) + 1)
        )
        called = counter(client, kit, "1", "call-next")["ticket"]
        assert called["id"] == tickets[done]["id"]


def test_a_paused_counter_raises_the_quote(client: TestClient, make: Any) -> None:
    kit = branch(make, TWO_COUNTERS)
    for label in ("1", "2"):
        counter(client, kit, label, "open")
    line = [issue(client, kit) for _ in range(5)]
    for label in ("1", "2"):
        counter(client, kit, label, "call-next")
    mine = line[-1]["token"]
    both = status(client, mine)
    listed_both = services(client, kit)["A"]["estimated_wait_s"]

    counter(client, kit, "2", "pause")
    one = status(client, mine)
    assert one["position"] == both["position"] == 3
    assert one["estimated_wait_s"] > both["estimated_wait_s"] * 1.3
    assert services(client, kit)["A"]["estimated_wait_s"] > listed_both * 1.3
    assert one["served_now"] is True

    counter(client, kit, "1", "pause")
    # No counter may call it now: quoted as if one opened now, and said not to be served.
    nobody = status(client, mine)
    assert nobody["served_now"] is False
    assert nobody["estimated_wait_s"] > 0


def test_the_kiosk_list_and_the_issued_ticket_agree(client: TestClient, make: Any) -> None:
    kit = branch(make, {"1": ["A", "B"], "2": ["B", "A"], "3": ["C"]})
    for label in ("1", "2"):
        counter(client, kit, label, "open")
    for service in ("A", "B", "B", "A", "C"):
        issue(client, kit, service)
    counter(client, kit, "1", "call-next")
    for service in ("A", "B", "C", "A", "B"):
        listed = services(client, kit)[service]
        issued = issue(client, kit, service)
        assert issued["estimated_wait_s"] == listed["estimated_wait_s"], service
        # The phone, asked at once about the same state, says the same.
        assert status(client, issued["token"])["estimated_wait_s"] == issued["estimated_wait_s"]


def test_a_reload_shows_the_same_figure(client: TestClient, make: Any) -> None:
    kit = branch(make, TWO_COUNTERS)
    counter(client, kit, "1", "open")
    tickets = [issue(client, kit) for _ in range(6)]
    counter(client, kit, "1", "call-next")
    first = status(client, tickets[-1]["token"])
    assert status(client, tickets[-1]["token"]) == first


def test_a_wide_spread_is_given_as_a_range(client: TestClient, make: Any) -> None:
    kit = branch(make, ONE_COUNTER)
    counter(client, kit, "1", "open")
    first = issue(client, kit)
    assert first.get("estimated_wait_range_s") is None  # called at once: no doubt
    tickets = [issue(client, kit) for _ in range(8)]
    last = tickets[-1]
    low, high = last["estimated_wait_range_s"]
    assert low < last["estimated_wait_s"] < high
    assert high - low > max(120, 0.25 * last["estimated_wait_s"])
    assert status(client, last["token"])["estimated_wait_range_s"] == [low, high]


# --- the fallback ----------------------------------------------------------------------------


def _engine_fails(*_: Any, **__: Any) -> Any:
    raise RuntimeError("the engine broke")


def _reading_fails(session: Any, *_: Any, **__: Any) -> Any:
    # A failed statement: on PostgreSQL it would abort the request's transaction.
    session.execute(text("SELECT no_such_column FROM ticket"))


@pytest.mark.parametrize(
    ("patch", "reason"),
    [
        (("forecast", _engine_fails), "error"),
        (("load_state", _reading_fails), "error"),
        (("SLOW_S", -1.0), "slow"),
    ],
)
def test_the_old_formula_quotes_when_the_estimator_fails(
    client: TestClient,
    make: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    settings: Settings,
    clock: FrozenClock,
    db: Database,
    patch: tuple[str, Any],
    reason: str,
) -> None:
    kit = branch(make, ONE_COUNTER)
    counter(client, kit, "1", "open")
    issue(client, kit)
    counter(client, kit, "1", "call-next")
    monkeypatch.setattr(forecasting, *patch)
    caplog.set_level(logging.WARNING, logger="sira.forecast")

    # The old formula: nobody ahead is 0, each one ahead one 300 s visit per open counter.
    assert services(client, kit)["A"]["estimated_wait_s"] == 0
    second = issue(client, kit)
    third = issue(client, kit)
    assert (second["position"], second["estimated_wait_s"]) == (1, 0)
    assert (third["position"], third["estimated_wait_s"]) == (2, 300)
    assert "estimated_wait_range_s" not in third or third["estimated_wait_range_s"] is None
    on_phone = status(client, third["token"])
    assert (on_phone["position"], on_phone["estimated_wait_s"]) == (2, 300)
    assert tally(db.cache, forecasting.FALLBACKS).total() >= 4
    assert any(r.name == "sira.forecast" for r in caplog.records)

    public = settings.model_copy(update={"metrics_access": "public"})
    with TestClient(create_app(public, clock=clock, db=db)) as scraper:
        metrics = scraper.get("/metrics").text
    assert "# TYPE sira_estimate_fallbacks_total counter" in metrics
    assert f'sira_estimate_fallbacks_total{{branch="{kit.code}",reason="{reason}"}}' in metrics
