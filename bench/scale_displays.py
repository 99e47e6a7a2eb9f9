"""Display sockets for bench/scale.py, in child processes (so the parent's HTTP load and the
sockets do not share one event loop). Each ``ticket.called`` message is stamped with
``time.monotonic_ns()`` when read; CLOCK_MONOTONIC is system-wide on Linux, so the stamps
compare directly with the caller's in the parent."""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import time
from multiprocessing.synchronize import Event as MpEvent
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

CALLED = '"type":"ticket.called"'


async def _one(
    url: str, branch: str, gate: asyncio.Semaphore, ready: list[int], stop: MpEvent
) -> list[tuple[str, int, int]]:
    async with gate:
        ws: ClientConnection = await connect(url, open_timeout=60, max_size=None)
        await asyncio.wait_for(ws.recv(), 60)  # the snapshot
        ready.append(1)
    got: list[tuple[str, int, int]] = []
    try:
        while not stop.is_set():
            try:
                text = await asyncio.wait_for(ws.recv(), 0.5)
            except TimeoutError:
                continue
            stamp = time.monotonic_ns()
            if isinstance(text, str) and CALLED in text:
                ticket_id = json.loads(text)["data"]["ticket"]["id"]
                got.append((branch, ticket_id, stamp))
    except ConnectionClosed:
        pass
    finally:
        await ws.close()
    return got


async def _main(
    targets: list[tuple[str, str]], out: Any, stop: MpEvent
) -> list[tuple[str, int, int]]:
    gate = asyncio.Semaphore(25)
    ready: list[int] = []
    tasks = [asyncio.create_task(_one(url, b, gate, ready, stop)) for url, b in targets]
    while len(ready) < len(targets):
        if any(t.done() and t.exception() for t in tasks):
            break
        await asyncio.sleep(0.1)
    out.put(("ready", len(ready)))
    results = await asyncio.gather(*tasks, return_exceptions=True)
    stamps: list[tuple[str, int, int]] = []
    errors = 0
    for r in results:
        if isinstance(r, BaseException):
            errors += 1
        else:
            stamps.extend(r)
    out.put(("errors", errors))
    return stamps


def display_process(targets: list[tuple[str, str]], out: Any, stop: MpEvent) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover
        pass
    stamps = asyncio.run(_main(targets, out, stop))
    out.put(("stamps", stamps))


def start(targets: list[tuple[str, str]], processes: int) -> tuple[list[mp.Process], Any, MpEvent]:
    ctx = mp.get_context("spawn")
    out = ctx.Queue()
    stop = ctx.Event()
    procs = []
    for i in range(processes):
        p = ctx.Process(target=display_process, args=(targets[i::processes], out, stop))
        p.start()
        procs.append(p)
    return procs, out, stop
