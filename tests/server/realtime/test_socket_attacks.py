"""The branch event feed under hostile or careless use: tokens in logs, tokens that die while
their socket is open, absurd ``since`` values, clients that stop reading, and who hears what.

Real uvicorn, real ``websockets`` clients; every receive has a timeout.
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from server.db import Database
from server.main import create_app
from server.models import Device, User
from server.realtime.events import EventType, record
from tests.server.realtime.test_events_ws import RECV_S, Api, feed, recv, recv_until, ws_url
from tests.server.realtime.test_redis_bus import served_app
from tests.server.scale.redis_util import private_redis, require_redis, unique_channel
from tests.support import admin_token, live_server, make_branch, staff_token


class Captured(logging.Handler):
    """Every record the server logs, formatted as a log file would hold it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


SERVER_LOGGERS = ("uvicorn.access", "uvicorn.error", "uvicorn", "sira", "sira.errors", "")


@contextmanager
def logged_server(app) -> Iterator[tuple[str, Captured]]:
    """The app served with uvicorn's access log on, and everything logged captured."""
    handler = Captured()
    with live_server(app, log_level="info") as base:
        loggers = [logging.getLogger(name) for name in SERVER_LOGGERS]
        for logger in loggers:
            logger.addHandler(handler)
        try:
            yield base, handler
        finally:
            for logger in loggers:
                logger.removeHandler(handler)


@contextmanager
def first_message_feed(base: str, code: str, token: str, **kw: Any) -> Iterator[ClientConnection]:
    """An event socket that signs in with its first message, as the browser pages do."""
    with connect(ws_url(base, code, **kw), proxy=None, open_timeout=60, close_timeout=5) as ws:
        ws.send(json.dumps({"type": "auth", "token": token}))
        yield ws


def closed_with(ws: ClientConnection) -> tuple[int, str]:
    """Read until the server closes; its close code and reason."""
    with pytest.raises(ConnectionClosed) as info:  # noqa: PT012 - every message until then
        while True:
            ws.recv(timeout=RECV_S)
    assert info.value.rcvd is not None, "the server closes with a code"
    return info.value.rcvd.code, info.value.rcvd.reason


# --- 1. tokens never reach a log ----------------------------------------------------------


def test_no_token_in_the_server_log_whichever_way_a_socket_signs_in(app, make) -> None:
    kit = make(make_branch)
    with logged_server(app) as (base, log):
        api = Api(base, kit)
        ticket = api.issue("A")
        # The documented query form, still accepted ...
        with feed(base, kit) as ws:
            assert recv(ws)["type"] == "snapshot"
        with feed(base, kit, who="teller1", since=0) as ws:
            assert recv(ws)["type"] == "ticket.issued"
        # ... the first-message form the browser pages use ...
        with first_message_feed(base, kit.code, kit.tokens["manager"]) as ws:
            assert recv(ws)["type"] == "snapshot"
        # ... a refused token, and ordinary API calls (a customer's link holds a token too).
        with connect(ws_url(base, kit.code, "sdt_refused-" + "x" * 30), proxy=None) as ws:
            assert closed_with(ws)[0] == 4401
        with httpx.Client(base_url=base, timeout=30) as http:
            assert http.get(f"/api/v1/tickets/by-token/{ticket['token']}").status_code == 200
            assert http.get(f"/t/{ticket['token']}").status_code == 200
        api.http.close()
        secrets = [*kit.tokens.values(), "sdt_refused-" + "x" * 30, ticket["token"]]
        text = "\n".join(log.lines)

    assert "WebSocket /api/v1/branches/" in text, "the capture saw the socket handshakes"
    assert "/tickets/by-token/" in text, "the capture saw the access log"
    leaked = [s for s in secrets if s in text]
    assert leaked == [], f"{len(leaked)} token(s) in the log:\n{text}"


def test_a_socket_signs_in_with_its_first_message(app, make) -> None:
    kit = make(make_branch)
    app.state.ctx.settings.ws_auth_wait_s = 0.5
    with live_server(app) as base:
        with first_message_feed(base, kit.code, kit.tokens["display"]) as ws:
            snap = recv(ws)
            assert snap["type"] == "snapshot"
            Api(base, kit).issue("A")
            assert recv(ws)["seq"] == snap["seq"] + 1
        # With since: a replay after the sign-in, as with ?token=.
        with first_message_feed(base, kit.code, kit.tokens["teller1"], since=snap["seq"]) as ws:
            assert recv(ws)["seq"] == snap["seq"] + 1

        with first_message_feed(base, kit.code, "sdt_no-such-device") as ws:
            code, reason = closed_with(ws)
            assert (code, reason) == (4401, "unknown or revoked device token")
        # Another branch's token: as a stream that does not exist.
        other = make(make_branch, code="other")
        with first_message_feed(base, kit.code, other.tokens["display"]) as ws:
            assert closed_with(ws)[0] == 4404
        # Anything but a sign-in first, or nothing at all: refused, not waited on forever.
        with connect(ws_url(base, kit.code), proxy=None, open_timeout=60) as ws:
            ws.send("ping")
            code, reason = closed_with(ws)
            assert code == 4401
            assert "auth" in reason
        with connect(ws_url(base, kit.code), proxy=None, open_timeout=60) as ws:
            ws.send(json.dumps({"type": "auth", "token": 42}))
            assert closed_with(ws)[0] == 4401
        with connect(ws_url(base, kit.code), proxy=None, open_timeout=60) as ws:
            code, reason = closed_with(ws)
            assert code == 4401
            assert "auth" in reason


# --- 2. a token that dies closes its open sockets -------------------------------------------


def still_streaming(ws: ClientConnection, api: Api) -> None:
    """The socket hears a ticket issued now (skipping whatever came before it)."""
    issued = api.issue("A")
    while True:
        msg = recv(ws)
        if msg.get("type") == "ticket.issued" and msg["data"]["ticket"]["id"] == issued["id"]:
            return


def device_id(http: httpx.Client, admin: dict[str, str], code: str, kind: str) -> int:
    devices = http.get("/api/v1/admin/devices", headers=admin).json()
    return next(d["id"] for d in devices if d["branch"] == code and d["kind"] == kind)


@pytest.fixture
def served_admin(app, make) -> Iterator[tuple[str, Any, dict[str, str], Api]]:
    kit = make(make_branch)
    admin = {"Authorization": f"Bearer {make(admin_token)}"}
    with live_server(app) as base:
        api = Api(base, kit)
        yield base, kit, admin, api
        api.http.close()


def test_logout_closes_that_sessions_sockets_at_once(served_admin, make, db) -> None:
    base, kit, _, api = served_admin
    with db.unit_of_work() as session:
        other_session = staff_token(session, session.get(User, kit.user_ids["teller1"]))
    with (
        first_message_feed(base, kit.code, kit.tokens["teller1"]) as mine,
        feed(base, kit, who="teller1") as mine_by_query,
        first_message_feed(base, kit.code, other_session) as elsewhere,
    ):
        for ws in (mine, mine_by_query, elsewhere):
            assert recv(ws)["type"] == "snapshot"
        r = api.http.post("/api/v1/auth/logout", headers=kit.auth("teller1"))
        assert r.status_code == 204
        assert closed_with(mine)[0] == 4401
        assert closed_with(mine_by_query)[0] == 4401
        # The same teller signed in on another screen stays signed in there.
        still_streaming(elsewhere, api)


def test_revoking_a_device_or_disabling_a_user_closes_their_sockets(served_admin) -> None:
    base, kit, admin, api = served_admin
    http = api.http
    with (
        first_message_feed(base, kit.code, kit.tokens["display"]) as display,
        first_message_feed(base, kit.code, kit.tokens["speaker"]) as speaker,
        first_message_feed(base, kit.code, kit.tokens["teller2"]) as teller2,
        first_message_feed(base, kit.code, kit.tokens["manager"]) as manager,
    ):
        for ws in (display, speaker, teller2, manager):
            assert recv(ws)["type"] == "snapshot"
        gone = device_id(http, admin, kit.code, "display")
        assert http.delete(f"/api/v1/admin/devices/{gone}", headers=admin).status_code == 204
        assert closed_with(display) == (4401, "unknown or revoked device token")

        off = device_id(http, admin, kit.code, "speaker")
        r = http.patch(f"/api/v1/admin/devices/{off}", json={"active": False}, headers=admin)
        assert r.status_code == 200, r.text
        assert closed_with(speaker)[0] == 4401

        teller = kit.user_ids["teller2"]
        r = http.patch(f"/api/v1/admin/users/{teller}", json={"active": False}, headers=admin)
        assert r.status_code == 200, r.text
        assert closed_with(teller2)[0] == 4401

        # A manager's password changed: every session of theirs ends.
        r = http.patch(
            f"/api/v1/admin/users/{kit.user_ids['manager']}",
            json={"password": "a brand new password"},
            headers=admin,
        )
        assert r.status_code == 200, r.text
        assert closed_with(manager)[0] == 4401


def test_a_token_revoked_outside_the_server_or_expired_closes_on_the_next_check(
    app, make, settings, clock
) -> None:
    """The backstop: a revocation nobody announced (the command line, another tool writing
    the database) and a session that simply expires close on the socket's periodic check."""
    kit = make(make_branch)
    app.state.ctx.settings.ws_recheck_s = 0.2
    with db_elsewhere(settings) as outside:
        with outside.unit_of_work() as session:
            short = staff_token(
                session, session.get(User, kit.user_ids["teller3"]), now=clock.now(), ttl_s=60
            )
        with (
            live_server(app) as base,
            first_message_feed(base, kit.code, kit.tokens["display"]) as display,
            first_message_feed(base, kit.code, short) as teller,
            first_message_feed(base, kit.code, kit.tokens["kiosk"]) as kiosk,
        ):
            for ws in (display, teller, kiosk):
                assert recv(ws)["type"] == "snapshot"
            with outside.unit_of_work() as session:
                session.execute(
                    update(Device)
                    .where(Device.branch_id == kit.branch_id, Device.kind == "display")
                    .values(active=False)
                )
            assert closed_with(display)[0] == 4401
            clock.advance(seconds=61)
            assert closed_with(teller) == (4401, "your session has expired; please log in again")
            still_streaming(kiosk, Api(base, kit))


@contextmanager
def db_elsewhere(settings) -> Iterator[Database]:
    """The same database through an engine of its own, attached to no app (as the CLI)."""
    database = Database(settings.sqlalchemy_url)
    try:
        yield database
    finally:
        database.dispose()


def test_a_revocation_on_one_process_closes_the_socket_on_another(settings, make) -> None:
    """Two processes on one database and one real Redis: the display streams from B, an
    admin revokes it through A."""
    redis_url = require_redis()
    kit = make(make_branch)
    admin = {"Authorization": f"Bearer {make(admin_token)}"}
    ch = unique_channel()
    with (
        served_app(settings, redis_url=redis_url, channel=ch, ws_recheck_s=0) as (a, _),
        served_app(settings, redis_url=redis_url, channel=ch, ws_recheck_s=0) as (b, _),
        httpx.Client(base_url=a, timeout=30) as http,
    ):
        with (
            first_message_feed(b, kit.code, kit.tokens["display"]) as display,
            first_message_feed(b, kit.code, kit.tokens["teller1"]) as teller,
            first_message_feed(b, kit.code, kit.tokens["kiosk"]) as kiosk,
        ):
            for ws in (display, teller, kiosk):
                assert recv(ws)["type"] == "snapshot"
            gone = device_id(http, admin, kit.code, "display")
            assert http.delete(f"/api/v1/admin/devices/{gone}", headers=admin).status_code == 204
            assert closed_with(display)[0] == 4401
            assert http.post("/api/v1/auth/logout", headers=kit.auth("teller1")).status_code == 204
            assert closed_with(teller)[0] == 4401
            still_streaming(kiosk, Api(a, kit))


def test_after_a_redis_outage_every_socket_checks_its_token(settings, make, tmp_path) -> None:
    """A change nobody could announce while Redis was away is caught on reconnect."""
    kit = make(make_branch)
    ch = unique_channel()
    with (
        private_redis(tmp_path) as rds,
        served_app(settings, redis_url=rds.url, channel=ch, ws_recheck_s=0) as (b, _),
        db_elsewhere(settings) as outside,
        first_message_feed(b, kit.code, kit.tokens["display"]) as display,
    ):
        assert recv(display)["type"] == "snapshot"
        rds.stop()
        with outside.unit_of_work() as session:
            session.execute(
                update(Device)
                .where(Device.branch_id == kit.branch_id, Device.kind == "display")
                .values(active=False)
            )
        rds.start()
        assert closed_with(display)[0] == 4401


# --- 3. since out of any range --------------------------------------------------------------


@pytest.mark.parametrize(
    "since",
    [2**63, 2**63 - 1, 2**64 + 5, 10**30, 10**400, -1, -(2**63) - 1],
    ids=lambda n: str(n) if abs(n) < 10**6 else f"{'-' if n < 0 else ''}{len(str(abs(n)))}digits",
)
def test_a_since_no_branch_ever_reaches_gets_a_snapshot(app, make, since) -> None:
    """API.md: ``since`` replays what the server still holds; anything else starts over."""
    kit = make(make_branch)
    with live_server(app) as base:
        api = Api(base, kit)
        api.issue("A")
        with first_message_feed(base, kit.code, kit.tokens["display"]) as ws:
            seq = recv(ws)["seq"]
        url = ws_url(base, kit.code) + f"?since={since}"
        with connect(url, proxy=None, open_timeout=60) as ws:
            ws.send(json.dumps({"type": "auth", "token": kit.tokens["display"]}))
            snap = recv(ws)
            assert (snap["type"], snap["seq"]) == ("snapshot", seq)
            api.issue("B")
            assert recv(ws)["seq"] == seq + 1
        api.http.close()


@pytest.mark.parametrize("since", ["abc", "1e3", "", "0x10", "1.5", "%207", "1_000", "%EF%BC%97"])
def test_a_since_that_is_no_number_is_refused_with_a_reason(app, make, since) -> None:
    kit = make(make_branch)
    with live_server(app) as base:
        url = ws_url(base, kit.code, kit.tokens["display"]) + f"&since={since}"
        with connect(url, proxy=None, open_timeout=60) as ws:
            code, reason = closed_with(ws)
    assert code == 4400
    assert "since" in reason


# --- 4. a client that stops reading ---------------------------------------------------------


def publish_padded(db, kit, clock, n: int, pad: str) -> None:
    """n large events committed at once (large, so a client that stops reading backs up)."""
    with db.unit_of_work() as session:
        for _ in range(n):
            record(
                session,
                branch_id=kit.branch_id,
                type=EventType.ALERT_CLEARED,
                at=clock.now(),
                data={"alert": {"kind": "test"}, "pad": pad},
            )


@contextmanager
def stalled_feed(base: str, code: str, token: str) -> Iterator[ClientConnection]:
    """A client that signs in and then reads nothing more: a small receive buffer and room
    for one message in its library's queue, so the server's writes back up quickly."""
    host, port = base.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, int(port)))
    with connect(
        ws_url(base, code), sock=sock, open_timeout=60, close_timeout=5, max_queue=1
    ) as ws:
        ws.send(json.dumps({"type": "auth", "token": token}))
        yield ws


def test_a_client_that_stops_reading_is_dropped_and_the_others_keep_up(
    settings, make, db, clock
) -> None:
    kit = make(make_branch)
    admin = {"Authorization": f"Bearer {make(admin_token)}"}
    app = create_app(settings.model_copy(update={"ws_queue_size": 20}), clock=clock, db=db)
    pad = secrets.token_urlsafe(40_000)  # random: the connection's compression keeps its size
    with (
        live_server(app) as base,
        httpx.Client(base_url=base, timeout=30) as http,
        feed(base, kit, who="teller1") as reader,
        stalled_feed(base, kit.code, kit.tokens["display"]) as stalled,
    ):

        def screen_state() -> str:
            devices = http.get("/api/v1/admin/devices", headers=admin).json()
            display = next(d for d in devices if d["branch"] == kit.code and d["kind"] == "display")
            return display["status"].get("screen", {}).get("state", "")

        seq = recv(reader)["seq"]
        while screen_state() != "online":
            time.sleep(0.05)  # the display's stream registers itself
        batches = 0
        # Far more than the stalled client's queue and its connection's buffers hold.
        while screen_state() == "online":
            assert batches < 400, "the server never dropped the client that stopped reading"
            publish_padded(db, kit, clock, 5, pad)
            batches += 1
            got = recv_until(reader, seq + 5)
            assert [m["seq"] for m in got] == list(range(seq + 1, seq + 6))
            seq += 5

        # The one that kept reading heard everything, and still does.
        publish_padded(db, kit, clock, 1, pad)
        assert recv(reader)["seq"] == seq + 1
        # The stalled one, reading again, finds what was in flight and then the close.
        got = []
        with pytest.raises(ConnectionClosed) as info:  # noqa: PT012 - every message until then
            while True:
                got.append(json.loads(stalled.recv(timeout=RECV_S)))
        assert info.value.rcvd is not None
        assert info.value.rcvd.code == 4008
        assert got[0]["type"] == "snapshot"
        seqs = [m["seq"] for m in got[1:]]
        assert seqs == list(range(got[0]["seq"] + 1, got[0]["seq"] + 1 + len(seqs)))
        assert len(seqs) < seq - got[0]["seq"], "it was cut off, not served to the end"


# --- 5. who hears what ----------------------------------------------------------------------


def test_free_text_about_a_customer_reaches_staff_only(app, make) -> None:
    """A feedback comment (and a priority reason, a recovery note) is for the branch's staff;
    the screens in the hall get the same events without it."""
    kit = make(make_branch)
    comment = "the teller was rude about my disability"
    with live_server(app) as base:
        api = Api(base, kit)
        screens = {
            who: first_message_feed(base, kit.code, kit.tokens[who])
            for who in ("display", "speaker", "kiosk")
        }
        staff = {
            who: first_message_feed(base, kit.code, kit.tokens[who])
            for who in ("manager", "teller1")
        }
        with contextlib.ExitStack() as stack:
            sockets = {who: stack.enter_context(cm) for who, cm in {**screens, **staff}.items()}
            seq = {who: recv(ws)["seq"] for who, ws in sockets.items()}
            r = api.http.post(
                f"/api/v1/branches/{kit.code}/tickets",
                json={"service": "A", "priority": True, "priority_reason": "pregnant"},
                headers=kit.auth("kiosk"),
            )
            assert r.status_code == 201, r.text
            ticket = r.json()
            api.counter("1", "open")
            api.counter("1", "call-next")
            for op in ("serve", "finish"):
                r = api.http.post(
                    f"/api/v1/tickets/{ticket['id']}/{op}", headers=kit.auth("teller1")
                )
                assert r.status_code == 200, r.text
            r = api.http.post(
                f"/api/v1/tickets/by-token/{ticket['token']}/feedback",
                json={"score": 2, "comment": comment},
            )
            assert r.status_code == 201, r.text
            heard = {}
            for who, ws in sockets.items():
                msgs = []
                while not msgs or msgs[-1]["type"] != "ticket.feedback":
                    msgs.append(recv(ws))
                heard[who] = msgs
                assert msgs[0]["seq"] == seq[who] + 1

        for who in staff:
            feedback = heard[who][-1]["data"]
            assert (feedback["score"], feedback["comment"]) == (2, comment)
            assert heard[who][0]["data"]["ticket"]["priority_reason"] == "pregnant"
        for who in screens:
            assert [m["seq"] for m in heard[who]] == [m["seq"] for m in heard["manager"]]
            feedback = heard[who][-1]["data"]
            assert feedback["score"] == 2
            assert feedback["comment"] is None
            assert comment not in json.dumps(heard[who])
            assert "pregnant" not in json.dumps(heard[who])
            assert heard[who][0]["data"]["ticket"]["priority"] is True

        # The same on a replay and in a snapshot.
        with first_message_feed(base, kit.code, kit.tokens["display"], since=seq["display"]) as ws:
            replay = [recv(ws) for _ in heard["display"]]
        assert replay == heard["display"]
        api.issue("B")
        r = api.http.post(
            f"/api/v1/branches/{kit.code}/tickets",
            json={"service": "B", "priority": True, "priority_reason": "disabled"},
            headers=kit.auth("kiosk"),
        )
        assert r.status_code == 201, r.text
        with first_message_feed(base, kit.code, kit.tokens["display"]) as ws:
            snap = recv(ws)
        assert [t["priority"] for t in snap["data"]["queue"]] == [False, True]
        assert "disabled" not in json.dumps(snap)
        with first_message_feed(base, kit.code, kit.tokens["manager"]) as ws:
            assert recv(ws)["data"]["queue"][1]["priority_reason"] == "disabled"
        api.http.close()


# --- 6. the bus modules ---------------------------------------------------------------------


def test_the_redis_bus_does_not_import_the_bus_that_picks_it() -> None:
    """``bus.make_bus`` picks ``RedisBus``; what both need lives beside them, so the two
    modules do not import each other (a cycle that only a deferred import kept working)."""
    probe = (
        "import sys, server.realtime.redis_bus;"
        "assert 'server.realtime.bus' not in sys.modules, 'redis_bus imports bus'"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
