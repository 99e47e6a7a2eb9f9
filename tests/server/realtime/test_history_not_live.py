"""Generated history never reaches a live screen, and a screen far behind gets one snapshot.

``sira simulate`` beside a running server once queued 9,536 old calls on every display: its
events took live seqs, so the next live event left a gap that each socket filled from the
log, call by call. Here the history is written while a display listens, as the CLI would
write it (a Database of its own, publishing nothing).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from server.auth.principal import Principal, Role
from server.branches.lookup import get_branch
from server.db import Database
from server.simulate import simulate
from server.tickets import service as tickets
from tests.server.realtime.test_events_ws import Api, feed, last_seq, recv
from tests.support import live_server, make_branch


@pytest.fixture
def served(app, make):
    kit = make(make_branch)
    with live_server(app) as base:
        yield base, kit


@pytest.fixture
def api(served) -> Iterator[Api]:
    client = Api(*served)
    yield client
    client.http.close()


@pytest.fixture
def cli_db(settings) -> Iterator[Database]:
    """A second Database on the same store, like the CLI's: it records events, publishes none."""
    database = Database(settings.sqlalchemy_url)
    yield database
    database.dispose()


def test_simulated_history_never_reaches_a_live_display(served, api, db, cli_db, clock):
    base, kit = served
    before = last_seq(db, kit.branch_id)
    with feed(base, kit) as ws:
        assert recv(ws)["type"] == "snapshot"
        totals = simulate(cli_db, branch_code=kit.code, days=5, seed=5, end=clock.now().date())
        assert totals["events"] > 100
        first, second = api.issue("A"), api.issue("B")
        got = [recv(ws), recv(ws)]
    # The live events follow on from the live log: nothing generated came in between.
    assert [(m["seq"], m["type"]) for m in got] == [
        (before + 1, "ticket.issued"),
        (before + 2, "ticket.issued"),
    ]
    assert [m["data"]["ticket"]["id"] for m in got] == [first["id"], second["id"]]
    assert last_seq(db, kit.branch_id) == before + 2


def test_a_screen_reconnecting_after_history_gets_no_generated_calls(
    served,
    api,
    db,
    cli_db,
    clock,
):
    base, kit = served
    api.issue("A")
    since = last_seq(db, kit.branch_id)
    totals = simulate(cli_db, branch_code=kit.code, days=5, seed=3, end=clock.now().date())
    assert totals["events"] > 100
    api.issue("B")
    with feed(base, kit, since=since) as ws:
        replay = recv(ws)
    assert (replay["seq"], replay["type"]) == (since + 1, "ticket.issued")
    with feed(base, kit) as ws:
        snap = recv(ws)
    # Yesterday's (generated) calls are not today's recent calls on the display.
    assert snap["type"] == "snapshot"
    assert snap["data"]["recent_calls"] == []


def test_a_live_stream_far_behind_gets_one_snapshot_not_every_event(
    served,
    api,
    db,
    cli_db,
    app,
):
    """Events committed without a publish (another process whose publish was lost) leave a
    gap; more than a replay's worth is answered with a fresh snapshot."""
    base, kit = served
    app.state.ctx.settings.replay_limit = 3
    with feed(base, kit) as ws:
        assert recv(ws)["type"] == "snapshot"
        with cli_db.unit_of_work() as session:
            branch = get_branch(session, kit.code)
            kiosk = Principal(role=Role.KIOSK, branch_id=kit.branch_id)
            for _ in range(10):
                tickets.issue_ticket(
                    session,
                    branch=branch,
                    service_code="C",
                    lang=None,
                    priority=False,
                    priority_reason=None,
                    request_id=None,
                    principal=kiosk,
                    now=app.state.ctx.clock.now(),
                    settings=app.state.ctx.settings,
                )
        live = api.issue("A")
        snap = recv(ws)
        assert snap["type"] == "snapshot"
        assert snap["seq"] == last_seq(db, kit.branch_id)
        waiting = {s["code"]: s["waiting"] for s in snap["data"]["services"]}
        assert (waiting["C"], waiting["A"]) == (10, 1)
        nxt = api.issue("B")
        msg = recv(ws)
    assert (msg["seq"], msg["type"]) == (snap["seq"] + 1, "ticket.issued")
    assert msg["data"]["ticket"]["id"] == nxt["id"] != live["id"]
