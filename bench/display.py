"""Call-to-display latency: WebSocket displays in child processes, one teller calling.

Each child process holds its share of the display sockets and stamps every ``ticket.called``
message with ``time.monotonic_ns()`` the moment it is read (parsing waits until the run is
over). CLOCK_MONOTONIC is system-wide on Linux, so those stamps compare directly with the
caller's stamps in the parent process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing as mp
import queue
import time
from dataclasses import dataclass, field
from multiprocessing.synchronize import Event as MpEvent
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from bench.http_load import Teller, session
from bench.stats import summarize

CALLED_MARK = '"type":"ticket.called"'
CONNECT_CONCURRENCY = 20
CONNECT_TIMEOUT_S = 30.0
CHILD_TIMEOUT_S = 120.0
QUIET_S = 1.0


async def _open(url: str, gate: asyncio.Semaphore) -> tuple[ClientConnection, int]:
    """A connected display and the size of its snapshot message in bytes."""
    async with gate:
        ws = await connect(url, open_timeout=CONNECT_TIMEOUT_S, max_size=None)
        text = await asyncio.wait_for(ws.recv(), CONNECT_TIMEOUT_S)
        if json.loads(text).get("type") != "snapshot":
            raise RuntimeError(f"expected a snapshot first, got {text[:80]!r}")
        return ws, len(text)


async def _read_calls(
    ws: ClientConnection, expected: int, calls_done: MpEvent, deadline: float
) -> list[tuple[int, str]]:
    """(receive time ns, raw text) of ``ticket.called`` messages: until ``expected`` arrived,
    or the caller is done and the socket has been quiet for ``QUIET_S``."""
    got: list[tuple[int, str]] = []
    while len(got) < expected and time.monotonic() < deadline:
        try:
            text = await asyncio.wait_for(ws.recv(), QUIET_S)
        except TimeoutError:
            if calls_done.is_set():
                break
            continue
        except ConnectionClosed:
            break
        stamp = time.monotonic_ns()
        if isinstance(text, str) and CALLED_MARK in text:
            got.append((stamp, text))
    return got


async def _display_main(
    url: str, sockets: int, expected: int, out: Any, calls_done: MpEvent, stop: MpEvent
) -> None:
    gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
    opened = await asyncio.gather(*(_open(url, gate) for _ in range(sockets)))
    conns = [ws for ws, _ in opened]
    out.put(("ready", max(size for _, size in opened)))
    deadline = time.monotonic() + CHILD_TIMEOUT_S
    readings = await asyncio.gather(
        *(_read_calls(ws, expected, calls_done, deadline) for ws in conns)
    )
    rows = [
        (int(json.loads(text)["data"]["ticket"]["id"]), stamp)
        for per_socket in readings
        for stamp, text in per_socket
    ]
    out.put(("done", rows))
    # Keep the sockets open until the parent has measured the server's memory.
    await asyncio.to_thread(stop.wait, CHILD_TIMEOUT_S)
    for ws in conns:
        with contextlib.suppress(Exception):
            await ws.close()


def display_process(
    url: str, sockets: int, expected: int, out: Any, calls_done: MpEvent, stop: MpEvent
) -> None:
    """Child process entry point: report ``ready`` (with the largest snapshot's size), then
    ``done`` with (ticket id, ns) rows."""
    try:
        asyncio.run(_display_main(url, sockets, expected, out, calls_done, stop))
    except Exception as exc:  # the parent waits on this queue; tell it instead of hanging it
        out.put(("error", repr(exc)))


@dataclass
class DisplayRun:
    """Sent and received stamps of a call-to-display run."""

    sent_ns: dict[int, int] = field(default_factory=dict)
    answered_ns: dict[int, int] = field(default_factory=dict)
    received: list[tuple[int, int]] = field(default_factory=list)
    memory_mb: dict[str, float] = field(default_factory=dict)
    connected_rss_mb: float = 0.0
    snapshot_bytes: int = 0
    errors: dict[str, int] = field(default_factory=dict)

    def summary(self, sockets: int) -> dict[str, Any]:
        """Latency from call-next's response (and from its request) to each display."""
        from_response = [
            (t - self.answered_ns[tid]) / 1e6 for tid, t in self.received if tid in self.answered_ns
        ]
        from_request = [
            (t - self.sent_ns[tid]) / 1e6 for tid, t in self.received if tid in self.sent_ns
        ]
        return {
            "calls": len(self.answered_ns),
            "sockets": sockets,
            "deliveries": len(self.received),
            "expected_deliveries": len(self.answered_ns) * sockets,
            "before_http_response": sum(1 for v in from_response if v < 0),
            "snapshot_bytes": self.snapshot_bytes,
            "from_response": summarize(from_response),
            "from_request": summarize(from_request),
            "errors": self.errors,
        }


def _wait_for(out: Any, kind: str, count: int, timeout_s: float) -> list[Any]:
    payloads = []
    deadline = time.monotonic() + timeout_s
    while len(payloads) < count:
        try:
            got, payload = out.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty as exc:
            raise RuntimeError(f"display clients: no '{kind}' within {timeout_s:.0f} s") from exc
        if got == "error":
            raise RuntimeError(f"display client failed: {payload}")
        payloads.append(payload)
    return payloads


async def _call_sequence(
    base_url: str, teller: Teller, calls: int, pause_s: float, run: DisplayRun
) -> None:
    url = f"{base_url}/api/v1/counters/{teller.counter_id}/call-next"
    async with session(1, teller.token) as client:
        for _ in range(calls):
            sent = time.monotonic_ns()
            async with client.post(url) as resp:
                body = await resp.read()
                answered = time.monotonic_ns()
                status = resp.status
            if status == 200:
                tid = int(json.loads(body)["ticket"]["id"])
                run.sent_ns[tid], run.answered_ns[tid] = sent, answered
            else:
                run.errors[str(status)] = run.errors.get(str(status), 0) + 1
            await asyncio.sleep(pause_s)


def measure_call_to_display(
    *,
    base_url: str,
    ws_url: str,
    token: str,
    teller: Teller,
    sockets: int,
    processes: int,
    calls: int,
    pause_s: float,
    memory: Any,
) -> DisplayRun:
    """Open ``sockets`` displays over ``processes`` children, make ``calls`` sequential calls,
    sample ``memory()`` while every socket is still open, and collect the stamps."""
    ctx = mp.get_context("spawn")
    out, calls_done, stop = ctx.Queue(), ctx.Event(), ctx.Event()
    url = f"{ws_url}/api/v1/branches/demo/events?token={token}"
    shares = [sockets // processes + (i < sockets % processes) for i in range(processes)]
    children = [
        ctx.Process(
            target=display_process, args=(url, n, calls, out, calls_done, stop), daemon=True
        )
        for n in shares
        if n
    ]
    run = DisplayRun()
    for child in children:
        child.start()
    try:
        run.snapshot_bytes = max(_wait_for(out, "ready", len(children), CONNECT_TIMEOUT_S * 4))
        run.connected_rss_mb = memory()["VmRSS"]
        asyncio.run(_call_sequence(base_url, teller, calls, pause_s, run))
        calls_done.set()
        for rows in _wait_for(out, "done", len(children), CHILD_TIMEOUT_S):
            run.received.extend(rows)
        run.memory_mb = memory()
    finally:
        stop.set()
        for child in children:
            child.join(timeout=15)
            if child.is_alive():
                child.terminate()
                child.join(timeout=5)
    return run
