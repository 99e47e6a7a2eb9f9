"""Every screen reconnecting at once (after a restart): snapshots are built once per branch and
shared, and every socket still gets every event exactly once and in order."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from server.realtime.snapshots import SocketWork
from tests.server.realtime.test_events_ws import Api, feed, recv
from tests.support import live_server, make_branch


def test_sockets_asking_while_a_snapshot_is_built_share_it() -> None:
    work = SocketWork(workers=2)
    release = threading.Event()
    calls: list[int] = []

    def build() -> tuple[str, int]:
        calls.append(1)
        assert release.wait(60), "the test never released the build"
        return "snapshot", 7

    async def storm() -> list[Any]:
        first = asyncio.ensure_future(work.snapshot(("b", False), build))
        while not calls:  # the build runs: everyone asking now joins it
            await asyncio.sleep(0.01)
        others = [asyncio.ensure_future(work.snapshot(("b", False), build)) for _ in range(20)]
        other_branch = asyncio.ensure_future(work.snapshot(("c", False), lambda: ("other", 1)))
        assert (await other_branch).text == "other"  # another branch does not wait
        release.set()
        return [await first, *[await o for o in others]]

    try:
        got = asyncio.run(storm())
    finally:
        work.close()
    assert len(calls) == 1
    assert {(s.text, s.seq) for s in got} == {("snapshot", 7)}
    assert [s.joined for s in got] == [False] + [True] * 20
    assert work.builds == 2  # one for each branch


@pytest.fixture
def served(app: Any, make: Any) -> Any:
    kit = make(make_branch)
    with live_server(app) as base:
        yield base, kit


def test_a_reconnect_storm_while_tickets_are_issued_loses_no_event(served: Any) -> None:
    base, kit = served
    api = Api(base, kit)
    sockets, issued = 30, 12
    final: list[int] = []  # the branch's last seq once every ticket is issued

    def screen() -> list[int]:
        with feed(base, kit) as ws:
            first = recv(ws)
            assert first["type"] == "snapshot"
            seqs = [first["seq"]]
            deadline = time.monotonic() + 120
            while not final or seqs[-1] < final[0]:
                assert time.monotonic() < deadline, f"stuck at {seqs[-1]} of {final}"
                try:
                    seqs.append(json.loads(ws.recv(timeout=1))["seq"])
                except TimeoutError:
                    continue
            return seqs

    with ThreadPoolExecutor(max_workers=sockets + 4) as pool:
        # The screens connect while tickets are being issued.
        screens = [pool.submit(screen) for _ in range(sockets)]
        for ticket in [pool.submit(api.issue) for _ in range(issued)]:
            ticket.result(timeout=120)
        snap = api.http.get(f"/api/v1/branches/{kit.code}/snapshot", headers=kit.auth("manager"))
        final.append(snap.json()["seq"])
        results = [s.result(timeout=180) for s in screens]
    for seqs in results:
        # From its snapshot on, a socket sees each later event once, in order, to the last.
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), seqs
        assert seqs[-1] == final[0]
