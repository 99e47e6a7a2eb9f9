"""The branch event feed under hostile or careless use: tokens in logs, tokens that die while
their socket is open, absurd ``since`` values, clients that stop reading, and who hears what.

Real uvicorn, real ``websockets`` clients; every receive has a timeout.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.server.realtime.test_events_ws import RECV_S, Api, feed, recv, ws_url
from tests.support import live_server, make_branch


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
    with connect(ws_url(base, code, **kw), proxy=None, open_timeout=10, close_timeout=5) as ws:
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
        with connect(ws_url(base, kit.code), proxy=None, open_timeout=10) as ws:
            ws.send("ping")
            code, reason = closed_with(ws)
            assert code == 4401
            assert "auth" in reason
        with connect(ws_url(base, kit.code), proxy=None, open_timeout=10) as ws:
            ws.send(json.dumps({"type": "auth", "token": 42}))
            assert closed_with(ws)[0] == 4401
        with connect(ws_url(base, kit.code), proxy=None, open_timeout=10) as ws:
            code, reason = closed_with(ws)
            assert code == 4401
            assert "auth" in reason
