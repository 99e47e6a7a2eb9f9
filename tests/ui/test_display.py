"""The call display (waiting-room TV) in real Chromium against a real server: calls shown and
announced (chime, then the spoken call), bursts queued, recalls, and a server restart."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from playwright.sync_api import expect

from server.clock import SystemClock
from server.config import Settings
from server.db import Database
from server.demo import create_demo
from server.main import create_app
from tests.support import free_port
from tests.ui.conftest import TIMEOUT_S, Site, wait_until
from tests.ui.test_customer import Teller, issue

TV = {"width": 1920, "height": 1080}
CHIME = "/api/v1/announcements/chime.wav"


def open_display(browser: Any, url: str, token: str, hold: float = 1) -> tuple[Any, list[str]]:
    ctx = browser.new_context(viewport=TV)
    page = ctx.new_page()
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{url}/display/#token={token}&hold={hold}")
    expect(page.get_by_test_id("clock")).not_to_be_empty()
    return page, requested


def wait_for(predicate: Any, timeout: float = 20, page: Any = None) -> None:
    """Poll ``predicate``; with a page, let Playwright deliver its events meanwhile."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        if page is not None:
            page.wait_for_timeout(100)
        else:
            time.sleep(0.1)


def history_codes(page: Any) -> list[str]:
    return page.get_by_test_id("history-item").evaluate_all("els => els.map(e => e.dataset.code)")


@pytest.fixture
def tv(site: Site, browser: Any) -> Iterator[tuple[Any, list[str]]]:
    page, requested = open_display(browser, site.url, site.devices["display"])
    expect(page.get_by_test_id("offline-marker")).to_be_hidden()
    yield page, requested
    page.context.close()


def test_a_call_is_shown_and_announced(site: Site, tv: Any) -> None:
    page, requested = tv
    expect(page.get_by_test_id("waiting-A")).to_contain_text("0")
    ticket = issue(site, "A", lang="tr")
    expect(page.get_by_test_id("waiting-A")).to_have_attribute("data-waiting", "1")
    teller = Teller(site)
    teller.counter("3", "open")
    called = teller.counter("3", "call-next")
    assert called["ticket"]["code"] == ticket["code"]

    expect(page.get_by_test_id("latest-code")).to_have_text(ticket["code"])
    expect(page.get_by_test_id("latest-counter")).to_have_text("3")
    expect(page.get_by_test_id("history-item").first).to_have_attribute("data-code", ticket["code"])
    expect(page.locator("#latest-text")).to_have_text(called["announcement"]["text"])
    expect(page.get_by_test_id("waiting-A")).to_have_attribute("data-waiting", "0")
    wait_for(lambda: any(u.endswith(CHIME) for u in requested), page=page)
    audio_url = called["announcement"]["audio_url"]
    if audio_url is not None:
        # The spoken call in the ticket's language, after the chime.
        wait_for(lambda: any(u.endswith(audio_url) for u in requested), page=page)
        chime_at = next(i for i, u in enumerate(requested) if u.endswith(CHIME))
        speech_at = next(i for i, u in enumerate(requested) if u.endswith(audio_url))
        assert chime_at < speech_at
    wait_until(page, "window.sira.state.announced.length === 1")
    record = page.evaluate("window.sira.state.announced[0]")
    assert record["code"] == ticket["code"]
    assert record["chime"] in ("ended", "timeout", "error", "blocked")


def test_a_burst_of_calls_is_queued_in_order(site: Site, tv: Any) -> None:
    page, _ = tv
    codes = [issue(site, svc)["code"] for svc in ("A", "B", "A")]
    teller = Teller(site)
    for label in ("1", "2", "3"):
        teller.counter(label, "open")
    called = [teller.counter(label, "call-next")["ticket"]["code"] for label in ("1", "2", "3")]
    assert sorted(called) == sorted(codes)
    # Each call takes its turn on screen and is announced in full, in call order.
    wait_until(page, "window.sira.state.announced.length === 3", timeout_ms=60000)
    announced = page.evaluate("window.sira.state.announced.map(a => a.code)")
    assert announced == called
    expect(page.get_by_test_id("history-item")).to_have_count(3)
    assert history_codes(page) == list(reversed(called))
    expect(page.get_by_test_id("latest-code")).to_have_text(called[-1])
    expect(page.get_by_test_id("latest-counter")).to_have_text("3")


def test_a_recall_is_announced_again(site: Site, tv: Any) -> None:
    page, _ = tv
    ticket = issue(site, "B")
    teller = Teller(site)
    teller.counter("2", "open")
    teller.counter("2", "call-next")
    wait_until(page, "window.sira.state.announced.length === 1", timeout_ms=30000)
    expect(page.get_by_test_id("recall-cue")).to_be_hidden()
    teller.counter("2", "recall")
    wait_until(page, "window.sira.state.announced.length === 2", timeout_ms=30000)
    second = page.evaluate("window.sira.state.announced[1]")
    assert second["code"] == ticket["code"]
    assert second["recall"] is True
    expect(page.get_by_test_id("recall-cue")).to_be_visible()
    expect(page.get_by_test_id("latest-code")).to_have_text(ticket["code"])
    # One line per ticket in the history, marked as a recall.
    assert history_codes(page) == [ticket["code"]]
    expect(page.get_by_test_id("history-item").first).to_have_class("history-item current recall")


def test_message_and_clock(site: Site, tv: Any) -> None:
    page, _ = tv
    expect(page.get_by_test_id("message")).to_have_text(
        "Welcome to Sira Demo Bank. Please take a ticket and have a seat."
    )
    expect(page.get_by_test_id("clock")).to_have_text(__import__("re").compile(r"^\d{2}:\d{2}$"))
    for code in "ABC":
        expect(page.get_by_test_id(f"waiting-{code}")).to_be_visible()


# --- a server that really stops and starts again on the same port ------------------------------


class Restartable:
    """The app on a fixed port; ``stop()`` closes the socket, ``start()`` serves again."""

    def __init__(self, settings: Settings, db: Database) -> None:
        self.settings = settings
        self.db = db
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None

    def app(self, **overrides: Any) -> Any:
        settings = self.settings.model_copy(update=overrides)
        return create_app(settings, clock=SystemClock(), db=self.db)

    def start(self, **overrides: Any) -> None:
        config = uvicorn.Config(
            self.app(**overrides),
            host="127.0.0.1",
            port=self.port,
            ws="websockets-sansio",
            log_level="warning",
            lifespan="on",
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        wait_for(lambda: self.server is not None and self.server.started, timeout=15)

    def stop(self) -> None:
        assert self.server is not None
        assert self.thread is not None
        self.server.should_exit = True
        self.thread.join(timeout=15)
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{self.url}/healthz", timeout=2)

    @contextmanager
    def offline_client(self, **overrides: Any) -> Iterator[TestClient]:
        """The same database through another process-like app while the port is down."""
        with TestClient(self.app(**overrides)) as client:
            yield client


@pytest.fixture
def restartable(settings: Settings, db: Database) -> Iterator[tuple[Restartable, dict]]:
    with db.unit_of_work() as session:
        creds = create_demo(session)
    assert creds is not None
    srv = Restartable(settings, db)
    srv.start()
    yield srv, creds
    if srv.server is not None and not srv.server.should_exit:
        srv.stop()


def _calls_while_down(srv: Restartable, creds: dict, teller_headers: dict, n: int) -> list[str]:
    kiosk = {"Authorization": f"Bearer {creds['devices']['kiosk']}"}
    with srv.offline_client() as c:
        counters = {
            x["label"]: x["id"]
            for x in c.get(f"/api/v1/branches/{creds['branch']}/snapshot", headers=kiosk).json()[
                "data"
            ]["counters"]
        }
        codes = []
        for _ in range(n):
            r = c.post(
                f"/api/v1/branches/{creds['branch']}/tickets", json={"service": "A"}, headers=kiosk
            )
            assert r.status_code == 201
        for label in ("1", "2", "3")[:n]:
            r = c.post(f"/api/v1/counters/{counters[label]}/call-next", headers=teller_headers)
            assert r.status_code == 200, r.text
            codes.append(r.json()["ticket"]["code"])
        c.post(f"/api/v1/branches/{creds['branch']}/tickets", json={"service": "B"}, headers=kiosk)
    return codes


def assert_matches_server(page: Any, srv: Restartable, creds: dict) -> None:
    snap = httpx.get(
        f"{srv.url}/api/v1/branches/{creds['branch']}/snapshot",
        headers={"Authorization": f"Bearer {creds['devices']['display']}"},
        timeout=TIMEOUT_S,
    ).json()["data"]
    expected: list[tuple[str, str]] = []
    for call in snap["recent_calls"]:
        if all(code != call["ticket"]["code"] for code, _ in expected):
            expected.append((call["ticket"]["code"], call["counter"]["label"]))
    shown = page.get_by_test_id("history-item").evaluate_all(
        "els => els.map(e => [e.dataset.code, e.dataset.counter])"
    )
    assert [tuple(x) for x in shown] == expected
    expect(page.get_by_test_id("latest-code")).to_have_text(expected[0][0])
    expect(page.get_by_test_id("latest-counter")).to_have_text(expected[0][1])
    for service in snap["services"]:
        expect(page.get_by_test_id(f"waiting-{service['code']}")).to_have_attribute(
            "data-waiting", str(service["waiting"])
        )


def test_reconnects_after_a_server_restart(restartable: Any, browser: Any) -> None:
    srv, creds = restartable
    page, _ = open_display(browser, srv.url, creds["devices"]["display"], hold=0.5)
    try:
        expect(page.get_by_test_id("offline-marker")).to_be_hidden()
        r = httpx.post(
            f"{srv.url}/api/v1/auth/login",
            json={"username": "teller1", "password": creds["users"]["teller1"]},
            timeout=TIMEOUT_S,
        )
        teller = {"Authorization": f"Bearer {r.json()['access_token']}"}
        snap = httpx.get(
            f"{srv.url}/api/v1/branches/{creds['branch']}/snapshot",
            headers=teller,
            timeout=TIMEOUT_S,
        ).json()
        for c in snap["data"]["counters"][:3]:
            httpx.post(
                f"{srv.url}/api/v1/counters/{c['id']}/open", headers=teller, timeout=TIMEOUT_S
            )
        first = httpx.post(
            f"{srv.url}/api/v1/branches/{creds['branch']}/tickets",
            json={"service": "A"},
            headers={"Authorization": f"Bearer {creds['devices']['kiosk']}"},
            timeout=TIMEOUT_S,
        ).json()
        counter1 = snap["data"]["counters"][0]["id"]
        httpx.post(
            f"{srv.url}/api/v1/counters/{counter1}/call-next", headers=teller, timeout=TIMEOUT_S
        )
        expect(page.get_by_test_id("latest-code")).to_have_text(first["code"])

        # 1. Down: the marker shows; calls made meanwhile are replayed after the restart.
        srv.stop()
        expect(page.get_by_test_id("offline-marker")).to_be_visible(timeout=15000)
        missed = _calls_while_down(srv, creds, teller, 2)
        srv.start()
        expect(page.get_by_test_id("offline-marker")).to_be_hidden(timeout=30000)
        wait_until(
            page,
            f"window.sira.state.announced.map(a => a.code).join() === '{first['code']},"
            f"{','.join(missed)}'",
            timeout_ms=30000,
        )
        expect(page.get_by_test_id("latest-code")).to_have_text(missed[-1])
        assert_matches_server(page, srv, creds)

        # 2. Down again, and the server no longer holds enough to replay: it sends a snapshot
        # and the screen re-renders from it (announcing the calls it had not shown).
        srv.stop()
        expect(page.get_by_test_id("offline-marker")).to_be_visible(timeout=15000)
        missed2 = _calls_while_down(srv, creds, teller, 3)
        srv.start(replay_limit=1)
        expect(page.get_by_test_id("offline-marker")).to_be_hidden(timeout=30000)
        wait_until(page, "window.sira.state.announced.length === 6", timeout_ms=60000)
        announced = page.evaluate("window.sira.state.announced.map(a => a.code)")
        assert announced[3:] == missed2
        assert_matches_server(page, srv, creds)
    finally:
        page.context.close()


def test_speech_that_fails_still_chimes_and_shows_the_text(site: Site, tv: Any) -> None:
    page, requested = tv
    page.route("**/api/v1/announcements/*/**", lambda route: route.abort())
    ticket = issue(site, "C", lang="pl")
    teller = Teller(site)
    teller.counter("4", "open")
    called = teller.counter("4", "call-next")
    expect(page.get_by_test_id("latest-code")).to_have_text(ticket["code"])
    expect(page.locator("#latest-text")).to_have_text("C001, stanowisko 4")
    wait_until(page, "window.sira.state.announced.length === 1", timeout_ms=30000)
    record = page.evaluate("window.sira.state.announced[0]")
    assert any(u.endswith(CHIME) for u in requested)
    if called["announcement"]["audio_url"] is not None:
        assert record["speech"] == "error"
    # The next call is not held up by the failure.
    issue(site, "C")
    teller.counter("4", "call-next")
    wait_until(page, "window.sira.state.announced.length === 2", timeout_ms=30000)
