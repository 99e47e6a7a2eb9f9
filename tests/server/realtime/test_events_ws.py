"""The branch event feed over a real WebSocket (``websockets`` client, uvicorn server).

Every receive has a timeout: a missing event fails the test instead of hanging it.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import Counter as Tally
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlmodel import select
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from server.announcements.audio import audio_url
from server.models import Branch, Event
from server.realtime.events import for_screens
from tests.support import live_server, make_branch

RECV_S = 60.0


@pytest.fixture
def served(app, make):
    """(base http URL, kit) with the app running in uvicorn."""
    kit = make(make_branch)
    with live_server(app) as base:
        yield base, kit


def ws_url(base: str, branch: str, token: str | None = None, since: int | None = None) -> str:
    params = []
    if token is not None:
        params.append(f"token={token}")
    if since is not None:
        params.append(f"since={since}")
    query = ("?" + "&".join(params)) if params else ""
    return base.replace("http://", "ws://") + f"/api/v1/branches/{branch}/events{query}"


@contextmanager
def feed(
    base: str, kit, *, who: str = "display", since: int | None = None, **kw: Any
) -> Iterator[ClientConnection]:
    with connect(
        ws_url(base, kit.code, kit.tokens[who], since),
        proxy=None,
        open_timeout=60,
        close_timeout=5,
        **kw,
    ) as ws:
        yield ws


def recv(ws: ClientConnection, timeout: float = RECV_S) -> dict[str, Any]:
    return json.loads(ws.recv(timeout=timeout))


def recv_until(
    ws: ClientConnection, last_seq: int, timeout: float = RECV_S
) -> list[dict[str, Any]]:
    """Messages up to and including ``last_seq`` (each receive bounded by ``timeout``)."""
    got: list[dict[str, Any]] = []
    while not got or got[-1]["seq"] < last_seq:
        got.append(recv(ws, timeout))
    return got


def close_code(url: str) -> int:
    with connect(url, proxy=None, open_timeout=60, close_timeout=5) as ws:
        with pytest.raises(ConnectionClosed) as info:
            ws.recv(timeout=RECV_S)
    assert info.value.rcvd is not None, "the server closes with a code"
    return info.value.rcvd.code


def last_seq(db, branch_id: int) -> int:
    with db.read_session() as session:
        return session.get(Branch, branch_id).last_seq


def stored_events(db, branch_id: int, after: int = 0) -> list[Event]:
    with db.read_session() as session:
        return list(
            session.exec(
                select(Event)
                .where(Event.branch_id == branch_id, Event.seq > after)
                .order_by(Event.seq)  # type: ignore[arg-type]
            )
        )


class Api:
    def __init__(self, base: str, kit) -> None:
        self.kit = kit
        self.http = httpx.Client(base_url=base, timeout=30)

    def issue(self, service: str = "A", lang: str = "tr") -> dict[str, Any]:
        r = self.http.post(
            f"/api/v1/branches/{self.kit.code}/tickets",
            json={"service": service, "lang": lang},
            headers=self.kit.auth("kiosk"),
        )
        assert r.status_code == 201, r.text
        return r.json()

    def counter(self, label: str, op: str, who: str = "teller1") -> httpx.Response:
        r = self.http.post(
            f"/api/v1/counters/{self.kit.counters[label]}/{op}", headers=self.kit.auth(who)
        )
        assert r.status_code in (200, 204), r.text
        return r


@pytest.fixture
def api(served) -> Iterator[Api]:
    base, kit = served
    client = Api(base, kit)
    yield client
    client.http.close()


def test_snapshot_first_then_each_event_with_seq_rising_by_one(served, api, db):
    base, kit = served
    waiting = [api.issue("A"), api.issue("B")]
    api.counter("1", "open")
    seq0 = last_seq(db, kit.branch_id)

    with feed(base, kit) as ws, feed(base, kit, who="speaker") as other:
        snap = recv(ws)
        assert snap["type"] == "snapshot"
        assert snap["seq"] == seq0
        assert recv(other) == snap
        data = snap["data"]
        assert {s["code"]: s["waiting"] for s in data["services"]} == {"A": 1, "B": 1, "C": 0}
        assert [c["label"] for c in data["counters"]] == ["1", "2", "3", "4"]
        assert data["counters"][0]["state"] == "open"
        assert [t["code"] for t in data["queue"]] == [t["code"] for t in waiting]
        assert data["recent_calls"] == []

        issued = api.issue("A", lang="tr")
        called = api.counter("1", "call-next").json()
        api.counter("1", "recall")
        end = last_seq(db, kit.branch_id)
        assert end == seq0 + 3

        msgs = recv_until(ws, end)
        assert [m["seq"] for m in msgs] == [seq0 + 1, seq0 + 2, seq0 + 3]
        assert [m["type"] for m in msgs] == ["ticket.issued", "ticket.called", "ticket.recalled"]
        for m in msgs:
            assert set(m) == {"seq", "type", "at", "data"}
            assert dt.datetime.fromisoformat(m["at"]).utcoffset() is not None
        assert msgs[0]["data"]["ticket"]["id"] == issued["id"]
        assert msgs[0]["data"]["ticket"]["code"] == "A002"

        call = msgs[1]["data"]
        first = waiting[0]
        assert call["ticket"]["id"] == called["ticket"]["id"] == first["id"]
        assert (call["ticket"]["code"], call["ticket"]["service"]) == ("A001", "A")
        assert call["counter"] == {"id": kit.counters["1"], "label": "1"}
        assert call["announcement"] == {
            "text": "A001, 1 numaralı gişe",
            "lang": "tr",
            "audio_url": audio_url(code="A001", counter="1", lang="tr"),
        }

        # A second subscriber hears exactly the same sequence.
        assert recv_until(other, end) == msgs

        # The stored log is what was sent.
        stored = stored_events(db, kit.branch_id, seq0)
        assert [(e.seq, e.type, e.ticket_id) for e in stored] == [
            (m["seq"], m["type"], m["data"]["ticket"]["id"]) for m in msgs
        ]

    # A new subscriber's snapshot now lists the call.
    with feed(base, kit) as ws:
        snap = recv(ws)
        assert (snap["type"], snap["seq"]) == ("snapshot", end)
        assert [c["ticket"]["code"] for c in snap["data"]["recent_calls"]] == ["A001", "A001"]
        assert [c["type"] for c in snap["data"]["recent_calls"]] == [
            "ticket.recalled",
            "ticket.called",
        ]


def test_reconnect_with_since_replays_exactly_the_missed_events(served, api, db):
    base, kit = served
    with feed(base, kit) as ws:
        seq0 = recv(ws)["seq"]
        api.issue("A")
        api.issue("B")
        seen = recv_until(ws, seq0 + 2)
    assert [m["seq"] for m in seen] == [seq0 + 1, seq0 + 2]
    seen_last = seen[-1]["seq"]

    # While disconnected: issues, a counter opening and a call.
    api.issue("A")
    api.issue("C")
    api.counter("1", "open")
    api.counter("1", "call-next")
    end = last_seq(db, kit.branch_id)
    assert end == seen_last + 4

    with feed(base, kit, since=seen_last) as ws:
        replay = recv_until(ws, end)
        assert [m["seq"] for m in replay] == list(range(seen_last + 1, end + 1)), (
            "no snapshot, no gap"
        )
        assert [m["type"] for m in replay] == [
            "ticket.issued",
            "ticket.issued",
            "counter.changed",
            "ticket.called",
        ]
        stored = stored_events(db, kit.branch_id, seen_last)
        # As a screen in the hall receives them (staff-only keys blanked).
        assert [(m["seq"], m["type"], m["data"]) for m in replay] == [
            (
                e.seq,
                e.type,
                for_screens({"type": e.type, "data": json.loads(json.dumps(e.data))})["data"],
            )
            for e in stored
        ]
        # Then live again: the very next message is the next event (nothing repeated).
        fresh = api.issue("B")
        live = recv(ws)
        assert (live["seq"], live["type"]) == (end + 1, "ticket.issued")
        assert live["data"]["ticket"]["id"] == fresh["id"]

    # since == the current seq: nothing to replay, and no snapshot either; live events follow.
    current = end + 1
    with feed(base, kit, since=current) as ws:
        nxt = api.issue("A")
        msg = recv(ws)
        assert (msg["seq"], msg["type"]) == (current + 1, "ticket.issued")
        assert msg["data"]["ticket"]["id"] == nxt["id"]


def test_since_ahead_of_the_log_or_too_old_gets_a_snapshot(served, api, app, db):
    base, kit = served
    for _ in range(5):
        api.issue("A")
    end = last_seq(db, kit.branch_id)

    # A seq the branch never reached (e.g. the database was restored): start over.
    with feed(base, kit, since=end + 100) as ws:
        snap = recv(ws)
        assert (snap["type"], snap["seq"]) == ("snapshot", end)
        assert len(snap["data"]["queue"]) == 5

    # Further back than the server replays: a snapshot instead of a partial replay.
    app.state.ctx.settings.replay_limit = 3
    with feed(base, kit, since=end - 4) as ws:
        snap = recv(ws)
        assert (snap["type"], snap["seq"]) == ("snapshot", end)
        api.issue("B")
        assert recv(ws)["seq"] == end + 1
    # Within the limit it still replays.
    with feed(base, kit, since=end - 2) as ws:
        assert [m["seq"] for m in recv_until(ws, end + 1)] == [end - 1, end, end + 1]


def test_auth_close_codes_and_staff_tokens(served, make, db, app):
    base, kit = served
    other = make(make_branch, code="other")

    # No token: the server waits a moment for a sign-in message, then refuses.
    app.state.ctx.settings.ws_auth_wait_s = 0.5
    assert close_code(ws_url(base, kit.code)) == 4401
    assert close_code(ws_url(base, kit.code, "sira_d_not-a-real-token")) == 4401
    assert close_code(ws_url(base, kit.code, "garbage")) == 4401
    # Another branch's stream is closed as one that does not exist.
    assert close_code(ws_url(base, kit.code, other.tokens["display"])) == 4404
    assert close_code(ws_url(base, kit.code, other.tokens["teller1"])) == 4404
    assert close_code(ws_url(base, "nowhere", kit.tokens["display"])) == 4404

    seq = last_seq(db, kit.branch_id)
    # A staff token in the query string (as a browser WebSocket sends it).
    with connect(ws_url(base, kit.code, kit.tokens["teller1"]), proxy=None, open_timeout=60) as ws:
        snap = recv(ws)
        assert (snap["type"], snap["seq"]) == ("snapshot", seq)
    # And a device token in the Authorization header.
    with connect(
        ws_url(base, kit.code),
        proxy=None,
        open_timeout=60,
        additional_headers={"Authorization": f"Bearer {kit.tokens['kiosk']}"},
    ) as ws:
        assert recv(ws)["type"] == "snapshot"


def test_concurrent_events_arrive_in_strict_seq_order_exactly_once(served, db):
    base, kit = served
    kiosks, per_kiosk, tellers = 8, 15, 2
    with feed(base, kit) as ws:
        seq0 = recv(ws)["seq"]
        start = threading.Barrier(kiosks + tellers)

        def kiosk(_: int) -> list[int]:
            ids = []
            with httpx.Client(base_url=base, timeout=30, headers=kit.auth("kiosk")) as http:
                start.wait(timeout=30)
                for n in range(per_kiosk):
                    r = http.post(
                        f"/api/v1/branches/{kit.code}/tickets", json={"service": "AB"[n % 2]}
                    )
                    assert r.status_code == 201, r.text
                    ids.append(r.json()["id"])
            return ids

        def teller(i: int) -> int:
            calls = 0
            who, counter = f"teller{i}", kit.counters[str(i)]
            with httpx.Client(base_url=base, timeout=30, headers=kit.auth(who)) as http:
                assert http.post(f"/api/v1/counters/{counter}/open").status_code == 200
                start.wait(timeout=30)
                for _ in range(20):
                    r = http.post(f"/api/v1/counters/{counter}/call-next")
                    assert r.status_code in (200, 204), r.text
                    calls += r.status_code == 200
            return calls

        with ThreadPoolExecutor(kiosks + tellers) as pool:
            kiosk_jobs = [pool.submit(kiosk, i) for i in range(kiosks)]
            teller_jobs = [pool.submit(teller, i) for i in range(1, tellers + 1)]
            issued = [tid for f in kiosk_jobs for tid in f.result(timeout=60)]
            [f.result(timeout=60) for f in teller_jobs]

        end = last_seq(db, kit.branch_id)
        msgs = recv_until(ws, end)

    assert [m["seq"] for m in msgs] == list(range(seq0 + 1, end + 1)), (
        "strict order, no gap, no repeat"
    )
    stored = stored_events(db, kit.branch_id, seq0)
    assert [(m["seq"], m["type"]) for m in msgs] == [(e.seq, e.type) for e in stored]
    issued_seen = Tally(m["data"]["ticket"]["id"] for m in msgs if m["type"] == "ticket.issued")
    assert issued_seen == Tally(issued), "each issued ticket announced exactly once"
    assert len(issued) == kiosks * per_kiosk
