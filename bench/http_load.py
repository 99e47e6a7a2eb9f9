"""HTTP phases: staff setup, kiosks issuing tickets, tellers calling the next ticket.

One asyncio process drives all virtual clients over keep-alive connections with aiohttp
(about 0.3 ms of client CPU a request here, against 2-6 ms for httpx.AsyncClient); each phase
reports the client's own CPU use so a saturated load generator shows up in the figures.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp

BRANCH = "demo"
SERVICES = ("A", "B", "C")
EXTRA_COUNTER_SERVICES = ["A", "B", "C"]
EXTRA_PASSWORD = "bench-teller-pass"
# Short enough that a wedged server ends a phase soon after its time limit.
REQUEST_TIMEOUT_S = 10.0


@dataclass
class PhaseResult:
    """Latencies (ms) and counts of one timed phase."""

    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    wall_s: float = 0.0
    client_cpu_s: float = 0.0

    def error(self, key: str) -> None:
        self.errors[key] = self.errors.get(key, 0) + 1


@dataclass(frozen=True)
class Teller:
    """A logged-in teller at their counter."""

    username: str
    token: str
    counter_id: int
    services: tuple[str, ...]


def session(connections: int, token: str | None = None) -> aiohttp.ClientSession:
    """A keep-alive client session with up to ``connections`` connections."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return aiohttp.ClientSession(
        headers=headers,
        connector=aiohttp.TCPConnector(limit=connections),
        timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S),
    )


async def _post(client: aiohttp.ClientSession, url: str, expected: int, **kw: Any) -> Any:
    async with client.post(url, **kw) as resp:
        text = await resp.text()
        if resp.status != expected:
            raise RuntimeError(f"POST {url} -> {resp.status}: {text[:300]}")
        return json.loads(text)


async def _login(client: aiohttp.ClientSession, base_url: str, username: str, password: str) -> str:
    body = {"username": username, "password": password}
    return str(
        (await _post(client, f"{base_url}/api/v1/auth/login", 200, json=body))["access_token"]
    )


async def setup_tellers(base_url: str, users: dict[str, str], n: int) -> list[Teller]:
    """Give ``n`` tellers a counter each (creating counters and users past the demo's four),
    log them in and open their counters."""
    async with session(4) as client:
        admin_token = await _login(client, base_url, "admin", users["admin"])
        admin = {"Authorization": f"Bearer {admin_token}"}
        counters_url = f"{base_url}/api/v1/admin/branches/{BRANCH}/counters"
        async with client.get(counters_url, headers=admin) as resp:
            counters = [(int(c["id"]), tuple(c["services"])) for c in await resp.json()]
        passwords = {f"teller{i}": users[f"teller{i}"] for i in range(1, 5)}
        for i in range(len(counters) + 1, n + 1):
            body = {"label": str(i), "services": EXTRA_COUNTER_SERVICES}
            counter = await _post(client, counters_url, 201, headers=admin, json=body)
            counters.append((int(counter["id"]), tuple(counter["services"])))
        for i in range(len(passwords) + 1, n + 1):
            body = {
                "username": f"teller{i}",
                "password": EXTRA_PASSWORD,
                "role": "teller",
                "branch": BRANCH,
            }
            await _post(client, f"{base_url}/api/v1/admin/users", 201, headers=admin, json=body)
            passwords[f"teller{i}"] = EXTRA_PASSWORD
        tellers = []
        for i, (counter_id, services) in enumerate(counters[:n], start=1):
            name = f"teller{i}"
            token = await _login(client, base_url, name, passwords[name])
            await _post(
                client,
                f"{base_url}/api/v1/counters/{counter_id}/open",
                200,
                headers={"Authorization": f"Bearer {token}"},
            )
            tellers.append(Teller(name, token, counter_id, services))
    return tellers


async def issue_tickets(
    base_url: str, kiosk_token: str, *, kiosks: int, total: int, time_limit_s: float
) -> PhaseResult:
    """``kiosks`` concurrent clients issue up to ``total`` tickets, stopping at the time limit."""
    result = PhaseResult()
    numbers = itertools.count()
    services = itertools.cycle(SERVICES)
    deadline = time.perf_counter() + time_limit_s

    url = f"{base_url}/api/v1/branches/{BRANCH}/tickets"

    async def kiosk(client: aiohttp.ClientSession) -> None:
        while next(numbers) < total and time.perf_counter() < deadline:
            body = {"service": next(services), "lang": "en"}
            start = time.perf_counter()
            try:
                async with client.post(url, json=body) as resp:
                    await resp.read()
                    status = resp.status
            except (aiohttp.ClientError, TimeoutError) as exc:
                result.error(type(exc).__name__)
                continue
            if status == 201:
                result.latencies_ms.append((time.perf_counter() - start) * 1000)
            else:
                result.error(str(status))

    async with session(kiosks, kiosk_token) as client:
        cpu0, wall0 = time.process_time(), time.perf_counter()
        await asyncio.gather(*(kiosk(client) for _ in range(kiosks)))
        result.wall_s = time.perf_counter() - wall0
        result.client_cpu_s = time.process_time() - cpu0
    return result


@dataclass
class CallResult(PhaseResult):
    """A call-next phase: also the ticket ids handed out and the empty-queue answers."""

    ticket_ids: list[int] = field(default_factory=list)
    empty: int = 0


async def call_next_loop(
    base_url: str, tellers: list[Teller], *, calls_per_teller: int, time_limit_s: float
) -> CallResult:
    """Every teller presses call-next ``calls_per_teller`` times, all at once."""
    result = CallResult()
    deadline = time.perf_counter() + time_limit_s

    async def teller(client: aiohttp.ClientSession, who: Teller) -> None:
        headers = {"Authorization": f"Bearer {who.token}"}
        url = f"{base_url}/api/v1/counters/{who.counter_id}/call-next"
        for _ in range(calls_per_teller):
            if time.perf_counter() >= deadline:
                return
            start = time.perf_counter()
            try:
                async with client.post(url, headers=headers) as resp:
                    body = await resp.read()
                    status = resp.status
            except (aiohttp.ClientError, TimeoutError) as exc:
                result.error(type(exc).__name__)
                continue
            elapsed_ms = (time.perf_counter() - start) * 1000
            if status == 200:
                result.latencies_ms.append(elapsed_ms)
                result.ticket_ids.append(int(json.loads(body)["ticket"]["id"]))
            elif status == 204:
                result.empty += 1
            else:
                result.error(str(status))

    async with session(len(tellers)) as client:
        cpu0, wall0 = time.process_time(), time.perf_counter()
        await asyncio.gather(*(teller(client, t) for t in tellers))
        result.wall_s = time.perf_counter() - wall0
        result.client_cpu_s = time.process_time() - cpu0
    return result


def throughput(result: PhaseResult) -> dict[str, Any]:
    """Requests per second and client CPU share of a phase."""
    wall = result.wall_s or 1e-9
    return {
        "ok": len(result.latencies_ms),
        "errors": result.errors,
        "wall_s": round(result.wall_s, 2),
        "per_s": round(len(result.latencies_ms) / wall, 1),
        "client_cpu_pct": round(100 * result.client_cpu_s / wall, 1),
    }
