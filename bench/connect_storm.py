"""Reconnect storm: every screen of a branch opens its event socket at once (a server restart)
while the kiosk keeps issuing tickets. Prints how long the sockets took to get their snapshot
and the kiosk's request latency before and during the storm.

Usage: ``.venv/bin/python -m bench.connect_storm [--sockets 300]`` (SQLite, the demo branch).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from typing import Any

import httpx
from websockets.asyncio.client import connect

from bench.server import ServerProcess
from bench.stats import summarize


async def _socket(url: str, token: str, opened: list[float], start: float) -> Any:
    ws = await connect(
        url, additional_headers={"Authorization": f"Bearer {token}"}, open_timeout=120
    )
    first = json.loads(await asyncio.wait_for(ws.recv(), 120))
    assert first["type"] == "snapshot", first["type"]
    opened.append((time.perf_counter() - start) * 1000)
    return ws


async def _kiosk(base: str, token: str, stop: asyncio.Event, lat: list[float]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=120) as http:
        while not stop.is_set():
            t0 = time.perf_counter()
            r = await http.post(
                "/api/v1/branches/demo/tickets",
                json={"service": "A"},
                headers={"Authorization": f"Bearer {token}"},
            )
            r.raise_for_status()
            lat.append((time.perf_counter() - t0) * 1000)


async def storm(server: ServerProcess, sockets: int) -> dict[str, Any]:
    devices = server.credentials["devices"]
    url = f"{server.ws_url}/api/v1/branches/demo/events"
    before: list[float] = []
    stop = asyncio.Event()
    # The kiosk's latency on a quiet server, then during the storm.
    quiet = asyncio.create_task(_kiosk(server.base_url, devices["kiosk"], stop, before))
    await asyncio.sleep(3)
    stop.set()
    await quiet
    during: list[float] = []
    stop = asyncio.Event()
    kiosk = asyncio.create_task(_kiosk(server.base_url, devices["kiosk"], stop, during))
    opened: list[float] = []
    start = time.perf_counter()
    conns = await asyncio.gather(
        *(_socket(url, devices["display"], opened, start) for _ in range(sockets))
    )
    all_open_ms = (time.perf_counter() - start) * 1000
    stop.set()
    await kiosk
    for ws in conns:
        await ws.close()
    return {
        "sockets": sockets,
        "all_snapshots_ms": round(all_open_ms, 1),
        "snapshot_ms": summarize(opened),
        "kiosk_quiet_ms": summarize(before),
        "kiosk_during_storm_ms": summarize(during),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sockets", type=int, default=300)
    args = parser.parse_args()
    with ServerProcess() as server:
        out = asyncio.run(storm(server, args.sockets))
    sys.stdout.write(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
