"""Attacks from the network edge: what an unauthenticated caller can do to everyone else."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import argon2
import httpx
import pytest

from tests.support import live_server, make_branch

LOGIN = "/api/v1/auth/login"


class ParkedVerify:
    """argon2's verify, held until released: shows where a login checks its password."""

    def __init__(self) -> None:
        self.entered = 0
        self.threads: set[str] = set()
        self.release = threading.Event()
        self._changed = threading.Condition()

    def install(self, monkeypatch: pytest.MonkeyPatch) -> None:
        original = argon2.PasswordHasher.verify
        parked = self

        def verify(self: argon2.PasswordHasher, hash: Any, password: Any) -> Any:
            with parked._changed:
                parked.entered += 1
                parked.threads.add(threading.current_thread().name)
                parked._changed.notify_all()
            parked.release.wait(60)
            return original(self, hash, password)

        monkeypatch.setattr(argon2.PasswordHasher, "verify", verify)

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
