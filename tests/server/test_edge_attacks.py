"""Attacks from the network edge: what an unauthenticated caller can do to everyone else."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import argon2
import httpx
import pytest

from tests.support import admin_token, live_server, make_branch

LOGIN = "/api/v1/auth/login"


class ParkedVerify:
    """An argon2 method (``verify`` by default), held until released: shows where a login
    checks a password, or an account change hashes one."""

    def __init__(self, method: str = "verify") -> None:
        self.method = method
        self.entered = 0
        self.threads: set[str] = set()
        self.release = threading.Event()
        self._changed = threading.Condition()

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        original = getattr(argon2.PasswordHasher, self.method)
        parked = self

        def held(self: argon2.PasswordHasher, *args: Any, **kwargs: Any) -> Any:
            with parked._changed:
                parked.entered += 1
                parked.threads.add(threading.current_thread().name)
                parked._changed.notify_all()
            parked.release.wait(60)
            return original(self, *args, **kwargs)

        monkeypatch.setattr(argon2.PasswordHasher, self.method, held)

    def wait_for(self, n: int) -> None:
        with self._changed:
            assert self._changed.wait_for(lambda: self.entered >= n, timeout=30)


@pytest.fixture
def parked(monkeypatch: pytest.MonkeyPatch) -> Iterator[ParkedVerify]:
    p = ParkedVerify()
    p.install(monkeypatch)
    yield p
    p.release.set()


def test_logins_checking_passwords_do_not_stall_writes(app, make, parked):
    """While bogus logins are checking their passwords (argon2 held still), a kiosk still
    issues a ticket: the password check does not hold the database's write slot."""
    kit = make(make_branch)
    bogus = [("demo-teller1", "guess"), ("nobody-here", "guess")] * 4
    with live_server(app) as url, ThreadPoolExecutor(len(bogus)) as pool:
        logins = [
            pool.submit(httpx.post, url + LOGIN, json={"username": u, "password": p}, timeout=120)
            for u, p in bogus
        ]
        try:
            parked.wait_for(1)
            issued = httpx.post(
                f"{url}/api/v1/branches/{kit.code}/tickets",
                json={"service": "A"},
                headers=kit.auth("kiosk"),
                timeout=30,
            )
            assert issued.status_code == 201, issued.text
        finally:
            parked.release.set()
        answers = [f.result() for f in logins]
    assert {r.status_code for r in answers} == {401}
    assert not any(name.startswith("sira-sqlite-writer") for name in parked.threads)


@pytest.fixture
def parked_hash() -> Iterator[ParkedVerify]:
    """argon2's hash held still, once the test installs it (after its own accounts)."""
    p = ParkedVerify("hash")
    yield p
    p.release.set()


def test_a_new_password_is_hashed_outside_the_write_slot(app, db, make, parked_hash, monkeypatch):
    """While an admin's new user and a manager's password change are hashing (argon2 held
    still), a kiosk still issues a ticket; a teller's password change is refused before any
    hashing happens."""
    kit = make(make_branch)
    teller = kit.user_ids["teller1"]
    with db.unit_of_work() as session:
        admin = {"Authorization": f"Bearer {admin_token(session)}"}
    parked_hash.install(monkeypatch)
    with live_server(app) as url, ThreadPoolExecutor(2) as pool:
        changes = [
            pool.submit(
                httpx.post,
                f"{url}/api/v1/admin/users",
                json={
                    "username": "newteller",
                    "password": "long-enough-1",
                    "role": "teller",
                    "branch": kit.code,
                },
                headers=admin,
                timeout=120,
            ),
            pool.submit(
                httpx.patch,
                f"{url}/api/v1/admin/users/{teller}",
                json={"password": "long-enough-2"},
                headers=kit.auth("manager"),
                timeout=120,
            ),
        ]
        try:
            parked_hash.wait_for(2)
            issued = httpx.post(
                f"{url}/api/v1/branches/{kit.code}/tickets",
                json={"service": "A"},
                headers=kit.auth("kiosk"),
                timeout=30,
            )
            assert issued.status_code == 201, issued.text
        finally:
            parked_hash.release.set()
        assert [f.result().status_code for f in changes] == [201, 200]
        entered = parked_hash.entered
        refused = httpx.patch(
            f"{url}/api/v1/admin/users/{teller}",
            json={"password": "long-enough-3"},
            headers=kit.auth("teller2"),
            timeout=30,
        )
    assert refused.status_code == 403
    assert parked_hash.entered == entered
    assert not any(name.startswith("sira-sqlite-writer") for name in parked_hash.threads)


MIB = 1024 * 1024


def test_a_body_over_the_limit_answers_413_before_it_is_read(client, make):
    kit = make(make_branch)
    huge = b'{"username": "' + b"x" * (2 * MIB) + b'", "password": "p"}'
    r = client.post(LOGIN, content=huge, headers={"Content-Type": "application/json"})
    assert r.status_code == 413
    assert r.json() == {
        "detail": "the request body is larger than 1048576 bytes",
        "code": "too_large",
    }
    ticket = client.post(
        f"/api/v1/branches/{kit.code}/tickets",
        content=b'{"service": "A", "pad": "' + b"x" * (2 * MIB) + b'"}',
        headers={**kit.auth("kiosk"), "Content-Type": "application/json"},
    )
    assert ticket.status_code == 413


def test_a_streamed_body_without_length_is_cut_off_at_the_limit(client, make):
    kit = make(make_branch)

    def chunks() -> Iterator[bytes]:
        yield b'{"service": "A", "pad": "'
        for _ in range(40):
            yield b"x" * 64 * 1024
        yield b'"}'

    r = client.post(
        f"/api/v1/branches/{kit.code}/tickets",
        content=chunks(),
        headers={**kit.auth("kiosk"), "Content-Type": "application/json"},
    )
    assert r.status_code == 413
    assert r.json()["code"] == "too_large"
    # The ticket was not issued: nothing is waiting.
    snap = client.get(f"/api/v1/branches/{kit.code}/snapshot", headers=kit.auth("manager"))
    assert snap.status_code == 200
    assert snap.json()["data"]["queue"] == []


def test_a_body_under_the_limit_still_passes(client, make):
    kit = make(make_branch)
    r = client.post(
        f"/api/v1/branches/{kit.code}/tickets",
        content=b'{"service": "A", "pad": "' + b"x" * 512 * 1024 + b'"}',
        headers={**kit.auth("kiosk"), "Content-Type": "application/json"},
    )
    assert r.status_code == 201, r.text


def _read_until_closed(ws: Any) -> None:
    while True:
        ws.recv(timeout=30)


def test_a_websocket_message_over_the_limit_closes_the_socket(app, settings, make):
    """`sira serve` runs uvicorn with these options: a client's huge message ends its socket."""
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    from server.cli import server_options

    kit = make(make_branch)
    with live_server(app, **server_options(settings)) as url:
        events = url.replace("http://", "ws://") + f"/api/v1/branches/{kit.code}/events"
        with connect(
            events,
            additional_headers=kit.auth("display"),
            proxy=None,
            open_timeout=60,
            close_timeout=5,
        ) as ws:
            ws.recv(timeout=30)  # the snapshot: the feed is open
            ws.send("x" * (settings.ws_max_bytes + 1))
            with pytest.raises(ConnectionClosed) as closed:
                _read_until_closed(ws)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009


PAGES = ["/kiosk/", "/display/", "/teller/", "/manager/", "/t/abc123", "/ui/base.css"]


@pytest.mark.parametrize(
    "path", [*PAGES, "/api/v1/auth/me", "/healthz", "/no/such/page", "/openapi.json"]
)
def test_every_answer_carries_the_browser_security_headers(client, path):
    r = client.get(path)
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    csp = dict(
        part.strip().split(" ", 1) for part in r.headers["content-security-policy"].split(";")
    )
    assert csp["frame-ancestors"] == "'none'"
    assert csp["default-src"] == "'self'"
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-eval'" not in csp["script-src"]


def test_the_api_docs_page_keeps_its_own_scripts(client):
    r = client.get("/docs")
    assert r.status_code == 200
    csp = r.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self';" in csp  # the vendored Swagger UI, no CDN, no inline script
    assert r.headers["x-frame-options"] == "DENY"
