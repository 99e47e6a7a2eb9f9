"""A live server and a sira-agent running in its own thread and event loop, as on a kiosk PC."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from drivers.agent.client import Agent
from server.config import PRINTER_HOSTS, SERIAL_PORTS, Settings
from tests.support import BranchKit, admin_token, live_server, make_branch


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(
        env="test",
        database_url=db_url,
        data_dir=tmp_path / "data",
        day_close_interval_s=0,
        printer_poll_s=0,
        agent_heartbeat_s=0.3,
        agent_ack_wait_s=3.0,
        public_url="http://sira.test",
        # The serial lines here are socat pty pairs.
        serial_ports=[*SERIAL_PORTS, "/dev/pts/*"],
        printer_hosts=[*PRINTER_HOSTS, "127.0.0.1"],
    )


class AgentThread:
    """Runs ``Agent.run()`` on a private loop; the test calls into it thread-safely."""

    def __init__(self, agent: Agent) -> None:
        self.agent = agent
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._main, daemon=True)

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.agent.run())

    def start(self) -> AgentThread:
        self.thread.start()
        return self

    def call(self, coro_fn: Callable[[], Any], timeout: float = 10) -> Any:
        return asyncio.run_coroutine_threadsafe(coro_fn(), self.loop).result(timeout)

    def wait_connections(self, n: int, timeout: float = 15) -> None:
        wait_until(lambda: self.agent.connections >= n and self.agent.connected.is_set(), timeout)

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.agent.stop)
        self.thread.join(timeout=15)
        assert not self.thread.is_alive(), "the agent did not stop"


def wait_until(check: Callable[[], Any], timeout: float = 10, what: str = "condition") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class Site:
    def __init__(self, url: str, kit: BranchKit, admin: str) -> None:
        self.url = url
        self.kit = kit
        self.http = httpx.Client(base_url=url, timeout=20)
        self.admin = {"Authorization": f"Bearer {admin}"}

    def device(self, kind: str) -> dict[str, Any]:
        devices = self.http.get("/api/v1/admin/devices", headers=self.admin).json()
        return next(d for d in devices if d["branch"] == self.kit.code and d["kind"] == kind)

    def configure(self, kind: str, config: dict[str, Any]) -> int:
        device_id = self.device(kind)["id"]
        r = self.http.patch(
            f"/api/v1/admin/devices/{device_id}", json={"config": config}, headers=self.admin
        )
        assert r.status_code == 200, r.text
        return device_id

    def issue(self, service: str = "A", lang: str = "en") -> dict[str, Any]:
        r = self.http.post(
            f"/api/v1/branches/{self.kit.code}/tickets",
            json={"service": service, "lang": lang},
            headers=self.kit.auth("kiosk"),
        )
        assert r.status_code == 201, r.text
        return r.json()

    def alerts(self) -> list[dict[str, Any]]:
        return self.http.get(f"/api/v1/branches/{self.kit.code}/alerts", headers=self.admin).json()


@pytest.fixture
def site(app: FastAPI, make) -> Iterator[Site]:
    kit = make(make_branch)
    admin = make(admin_token)
    with live_server(app) as url:
        s = Site(url, kit, admin)
        yield s
        s.http.close()


@pytest.fixture
def start_agent(site: Site, tmp_path: Path) -> Iterator[Callable[..., AgentThread]]:
    running: list[AgentThread] = []

    def start(kind: str = "kiosk", data_dir: Path | None = None, **kw: Any) -> AgentThread:
        agent = Agent(
            server=site.url,
            token=site.kit.tokens[kind],
            data_dir=data_dir or tmp_path / "agent",
            max_backoff_s=0.5,
            **kw,
        )
        thread = AgentThread(agent).start()
        running.append(thread)
        return thread

    yield start
    for thread in running:
        if thread.thread.is_alive():
            thread.stop()
