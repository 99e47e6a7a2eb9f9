"""The Redis event bus: two apps (two "processes") on one database and one real Redis.

Each app runs in its own uvicorn server with its own engine and its own ``RedisBus``; a
display on one hears what the other commits. Redis message order, a publisher that never
published, and a Redis that dies and comes back are tested against the same invariant: every
event exactly once, in seq order.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from server.clock import SystemClock
from server.config import Settings
from server.db import Database
from server.main import create_app
from server.realtime.bus import InProcessBus, read_tail
from server.realtime.redis_bus import RedisBus, pack, unpack
from tests.server.realtime.test_events_ws import Api, feed, last_seq, recv, recv_until
from tests.server.scale.redis_util import private_redis, require_redis, unique_channel
from tests.support import live_server, make_branch


@pytest.fixture
def redis_url() -> str:
    return require_redis()


@contextlib.contextmanager
def served_app(
    settings: Settings, *, redis_url: str | None, channel: str, **kw: Any
) -> Iterator[tuple[str, Database]]:
    """One more "process": its own engine and bus, served by uvicorn on a free port."""
    s = settings.model_copy(update={"redis_url": redis_url, "redis_channel": channel, **kw})
    db = Database(s.sqlalchemy_url)
    bus = None if redis_url else InProcessBus()
    app = create_app(s, db=db, clock=SystemClock(), bus=bus)
    try:
        with live_server(app) as base:
            yield base, db
    finally:
        db.dispose()


def test_pack_round_trip() -> None:
    batch = [(3, 7, '{"seq":7,"data":{"t":"a b\\nc"}}'), (4, 1, "{}")]
    assert unpack(pack("p1", batch)) == ("p1", batch)


def test_event_committed_on_one_process_reaches_display_on_another(
    settings, make, redis_url
) -> None:
    kit = make(make_branch)
    ch = unique_channel()
    with (
        served_app(settings, redis_url=redis_url, channel=ch) as (a, db),
        served_app(settings, redis_url=redis_url, channel=ch) as (b, _),
    ):
        api_a, api_b = Api(a, kit), Api(b, kit)
        with feed(a, kit) as on_a, feed(b, kit) as on_b:
            seq0 = recv(on_a)["seq"]
            assert recv(on_b)["seq"] == seq0
            for i in range(10):
                (api_a if i % 2 else api_b).issue("A")
            end = last_seq(db, kit.branch_id)
            assert end == seq0 + 10
            got_a = recv_until(on_a, end)
            got_b = recv_until(on_b, end)
            assert [m["seq"] for m in got_a] == list(range(seq0 + 1, end + 1))
            assert got_b == got_a
            # Nothing more arrives (no duplicate from Redis echoing a process's own events).
            with pytest.raises(TimeoutError):
                on_a.recv(timeout=0.5)
            with pytest.raises(TimeoutError):
                on_b.recv(timeout=0.5)
        # Reconnect with since= against the *other* process: the replay is exact.
        api_a.issue("B")
        with feed(b, kit, since=seq0 + 5) as again:
            replay = recv_until(again, end + 1)
        assert [m["seq"] for m in replay] == list(range(seq0 + 6, end + 2))
        api_a.http.close()
        api_b.http.close()


def _silent_issue(settings: Settings, kit, n: int) -> None:
    """Commit ``n`` events through an app whose bus reaches nobody (a publisher that died)."""
    s = settings.model_copy(update={"redis_url": None})
    db = Database(s.sqlalchemy_url)
    try:
        app = create_app(s, db=db, clock=SystemClock(), bus=InProcessBus())
        from fastapi.testclient import TestClient

        with TestClient(app) as c:
            for _ in range(n):
                r = c.post(
                    f"/api/v1/branches/{kit.code}/tickets",
                    json={"service": "A"},
                    headers=kit.auth("kiosk"),
                )
                assert r.status_code == 201, r.text
    finally:
        db.dispose()


@pytest.mark.parametrize("order", ["reversed", "only_last"])
def test_out_of_order_and_missing_messages_reach_display_in_order(
    settings, make, redis_url, order
) -> None:
    """Seq 6 published before 5 (two processes racing), or 5 never published at all."""
    kit = make(make_branch)
    ch = unique_channel()
    with served_app(settings, redis_url=redis_url, channel=ch, bus_resync_s=0) as (b, db):
        with feed(b, kit) as ws:
            seq0 = recv(ws)["seq"]
            _silent_issue(settings, kit, 2)
            rows = read_tail(db, kit.branch_id, seq0)
            assert [s for s, _ in rows] == [seq0 + 1, seq0 + 2]
            msgs = [pack("other-process", [(kit.branch_id, s, t)]) for s, t in rows]
            client = redis.Redis.from_url(redis_url)
            if order == "reversed":
                client.publish(ch, msgs[1])
                client.publish(ch, msgs[0])
            else:
                client.publish(ch, msgs[1])  # seq0+1 is read from the database
            client.close()
            got = recv_until(ws, seq0 + 2)
            assert [m["seq"] for m in got] == [seq0 + 1, seq0 + 2]
            assert [m["type"] for m in got] == ["ticket.issued", "ticket.issued"]
            with pytest.raises(TimeoutError):
                ws.recv(timeout=0.5)


def test_event_never_published_is_found_by_the_periodic_check(settings, make, redis_url) -> None:
    kit = make(make_branch)
    ch = unique_channel()
    with served_app(settings, redis_url=redis_url, channel=ch, bus_resync_s=0.3) as (b, _):
        with feed(b, kit) as ws:
            seq0 = recv(ws)["seq"]
            _silent_issue(settings, kit, 3)  # committed, published to nobody
            got = recv_until(ws, seq0 + 3, timeout=60)
            assert [m["seq"] for m in got] == [seq0 + 1, seq0 + 2, seq0 + 3]


def test_redis_outage_does_not_stop_the_server_and_loses_nothing(settings, make, tmp_path) -> None:
    """Redis is killed and restarted: requests keep working, displays catch up in order."""
    kit = make(make_branch)
    ch = unique_channel()
    with (
        private_redis(tmp_path) as rds,
        served_app(settings, redis_url=rds.url, channel=ch, bus_resync_s=0) as (a, db),
        served_app(settings, redis_url=rds.url, channel=ch, bus_resync_s=0) as (b, _),
    ):
        api_a = Api(a, kit)
        with feed(b, kit) as ws:
            seq0 = recv(ws)["seq"]
            api_a.issue("A")
            assert recv(ws)["seq"] == seq0 + 1
            rds.stop()
            # Without Redis: issuing still works (events are stored; publishing waits).
            for _ in range(3):
                api_a.issue("B")
            ready = api_a.http.get("/readyz")
            assert ready.status_code == 503
            assert ready.json()["bus"] is False
            assert ready.json()["database"] is True
            rds.start()
            end = last_seq(db, kit.branch_id)
            assert end == seq0 + 4
            got = recv_until(ws, end, timeout=60)
            assert [m["seq"] for m in got] == [seq0 + 2, seq0 + 3, seq0 + 4]
            api_a.issue("C")
            assert recv(ws, timeout=60)["seq"] == seq0 + 5
            with pytest.raises(TimeoutError):
                ws.recv(timeout=0.5)
            # Ready again once its own bus has noticed Redis is back (checked on a timer):
            # waited for, not read once (a loaded run saw it still 503 right after the catch-up).
            deadline = time.monotonic() + 60
            while api_a.http.get("/readyz").status_code != 200:
                assert time.monotonic() < deadline, "not ready 60 s after Redis came back"
                time.sleep(0.2)
        api_a.http.close()


def test_bus_survives_unreachable_redis_at_start() -> None:
    async def run() -> None:
        bus = RedisBus("redis://127.0.0.1:1/0", channel=unique_channel())
        await bus.start()  # does not raise: the server starts and reconnects in the background
        try:
            assert not bus.connected.is_set()
            with pytest.raises((redis.RedisError, OSError)):
                await bus.ping()
            bus.publish([{"branch_id": 1, "seq": 1, "type": "x", "at": "t", "data": {}}])
        finally:
            await bus.stop()

    asyncio.run(run())
