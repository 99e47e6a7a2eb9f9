"""What a device token may do on ``WS /api/v1/agent``, tried by a hostile client: a real
WebSocket client against a live server, as a stolen display or kiosk token would be used."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from websockets.sync.client import ClientConnection, connect

from tests.support import BranchKit, admin_token, live_server, make_branch


class Site:
    def __init__(self, url: str, kit: BranchKit, admin: str) -> None:
        self.url = url
        self.kit = kit
        self.http = httpx.Client(base_url=url, timeout=20)
        self.admin = {"Authorization": f"Bearer {admin}"}

    def device_id(self, kind: str) -> int:
        devices = self.http.get("/api/v1/admin/devices", headers=self.admin).json()
        return next(d["id"] for d in devices if d["branch"] == self.kit.code and d["kind"] == kind)

    def patch(self, kind: str, body: dict[str, Any], who: dict[str, str] | None = None) -> Any:
        return self.http.patch(
            f"/api/v1/admin/devices/{self.device_id(kind)}", json=body, headers=who or self.admin
        )

    def configure(self, kind: str, config: dict[str, Any]) -> None:
        r = self.patch(kind, {"config": config})
        assert r.status_code == 200, r.text

    @contextmanager
    def agent(self, kind: str) -> Iterator[ClientConnection]:
        """A control socket opened with ``kind``'s token; the hello is read already."""
        with connect(
            self.url.replace("http", "ws") + "/api/v1/agent",
            additional_headers={"Authorization": f"Bearer {self.kit.tokens[kind]}"},
            open_timeout=10,
        ) as ws:
            assert json.loads(ws.recv(timeout=10))["type"] == "hello"
            yield ws

    def open_counter(self, label: str, teller: str) -> None:
        counter = self.kit.counters[label]
        r = self.http.post(f"/api/v1/counters/{counter}/open", headers=self.kit.auth(teller))
        assert r.status_code == 200, r.text

    def issue(self, service: str = "A") -> dict[str, Any]:
        r = self.http.post(
            f"/api/v1/branches/{self.kit.code}/tickets",
            json={"service": service},
            headers=self.kit.auth("kiosk"),
        )
        assert r.status_code == 201, r.text
        return dict(r.json())

    def ticket(self, ticket_id: int) -> dict[str, Any]:
        r = self.http.get(f"/api/v1/tickets/{ticket_id}", headers=self.admin)
        return dict(r.json()["ticket"])

    def device(self, kind: str) -> dict[str, Any]:
        r = self.http.get(f"/api/v1/admin/devices/{self.device_id(kind)}", headers=self.admin)
        return dict(r.json())

    def alerts(self) -> list[dict[str, Any]]:
        r = self.http.get(f"/api/v1/branches/{self.kit.code}/alerts", headers=self.admin)
        return list(r.json())


class ServerErrors(logging.Handler):
    """Collects what the live server logs at ERROR (an unhandled exception in a socket)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def server_errors() -> Iterator[ServerErrors]:
    handler = ServerErrors()
    loggers = [logging.getLogger(name) for name in ("uvicorn.error", "server", "")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)


@pytest.fixture
def site(app: FastAPI, make: Any, server_errors: ServerErrors) -> Iterator[Site]:
    kit = make(make_branch)
    admin = make(admin_token)
    with live_server(app) as url:
        s = Site(url, kit, admin)
        yield s
        s.http.close()
    assert [r.getMessage() for r in server_errors.records] == []


def send(ws: ClientConnection, message: dict[str, Any]) -> dict[str, Any]:
    """Send one message and return the next answer that is not a print job."""
    ws.send(json.dumps(message))
    while True:
        reply = json.loads(ws.recv(timeout=10))
        if reply.get("type") != "print":
            return dict(reply)


def status_then_ping(ws: ClientConnection, status: dict[str, Any]) -> list[dict[str, Any]]:
    """Report ``status``, then wait for the answer to an unknown message (so the report was
    handled); returns what the server answered to the report."""
    ws.send(json.dumps({"type": "status", "status": status}))
    ws.send(json.dumps({"type": "ping?"}))
    replies = []
    while True:
        reply = json.loads(ws.recv(timeout=10))
        if "ping?" in str(reply.get("detail")):
            return replies
        replies.append(reply)


# --- 1. only a counter agent's keypad calls, and only at its own counters ----------------


@pytest.mark.parametrize("kind", ["display", "kiosk", "speaker"])
def test_a_screen_or_kiosk_token_cannot_call_tickets(site: Site, kind: str) -> None:
    site.open_counter("1", "teller1")
    ticket = site.issue("A")
    with site.agent(kind) as ws:
        for key in ("next", "recall"):
            reply = send(ws, {"type": "key", "counter": "1", "key": key})
            assert reply["type"] == "key_result"
            assert "keypad" in reply["error"]
            assert "ticket" not in reply
    assert site.ticket(ticket["id"])["status"] == "waiting"


def test_an_agent_calls_only_at_the_counters_its_keypads_are_at(site: Site) -> None:
    site.configure("agent", {"keypads": [{"port": "/dev/ttyUSB0", "address": 1, "counter": "1"}]})
    site.open_counter("1", "teller1")
    site.open_counter("2", "teller2")
    first = site.issue("A")
    with site.agent("agent") as ws:
        refused = send(ws, {"type": "key", "counter": "2", "key": "next"})
        assert refused["type"] == "key_result"
        assert "counter 2" in refused["error"]
        assert site.ticket(first["id"])["status"] == "waiting"

        called = send(ws, {"type": "key", "counter": "1", "key": "next"})
        assert called["ticket"]["id"] == first["id"]
        assert "error" not in called
    assert site.ticket(first["id"])["counter"]["label"] == "1"


def test_an_agent_without_keypads_calls_nowhere(site: Site) -> None:
    site.open_counter("1", "teller1")
    ticket = site.issue("A")
    with site.agent("agent") as ws:
        reply = send(ws, {"type": "key", "counter": "1", "key": "next"})
        assert "counter 1" in reply["error"]
    assert site.ticket(ticket["id"])["status"] == "waiting"


def test_a_display_cannot_report_a_printer_out_of_paper(site: Site) -> None:
    site.configure("display", {})
    with site.agent("display") as ws:
        status = {
            "printer": {"state": "paper_out", "detail": "fake"},
            "speaker": {"state": "error", "detail": "fake"},
            "display:1": {"state": "error", "detail": "fake"},
        }
        [reply] = status_then_ping(ws, status)
        assert reply["type"] == "error"
        assert "printer" in reply["detail"]
    stored = site.device("display")["status"]
    assert set(stored) == {"agent"}
    assert site.alerts() == []


def test_a_device_reports_the_status_of_the_hardware_it_has(site: Site) -> None:
    site.configure(
        "agent",
        {
            "counter_displays": [{"port": "/dev/ttyUSB0", "address": 1, "counter": "1"}],
            "keypads": [{"port": "/dev/ttyUSB0", "address": 1, "counter": "1"}],
        },
    )
    with site.agent("agent") as ws:
        ok = {"state": "online", "detail": ""}
        status_then_ping(
            ws,
            {
                "display:1": ok,
                "keypad:1": ok,
                "display:2": ok,
                "printer": {"state": "paper_out", "detail": ""},
                "agent": {"state": "offline", "detail": "forged"},
            },
        )
    stored = site.device("agent")["status"]
    assert set(stored) == {"agent", "display:1", "keypad:1"}
    assert site.alerts() == []
