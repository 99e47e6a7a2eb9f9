"""Browser tests: the real pages in real Chromium (Playwright) against a real server.

The pages are the same on every database, so these run on SQLite only; the API underneath is
tested on both backends elsewhere. The server runs on the system clock because the pages'
timers (idle reset, call history, reconnect) run on the browser's clock.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from server.clock import SystemClock
from server.db import Database
from server.demo import create_demo
from tests.support import live_server

CHROMIUM = os.environ.get("SIRA_TEST_CHROMIUM", "/usr/bin/chromium")
# How long a browser test waits for a page to reach the state it expects.
WAIT_MS = 30_000
# HTTP calls the browser tests make themselves: generous (a sign-in runs argon2 on a loaded CI
# machine); a call that never answers still fails.
TIMEOUT_S = 120
AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # The call display speaks without a click, as it does on the TV (kiosk mode flag).
    "--autoplay-policy=no-user-gesture-required",
]


def _missing_browser() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install -e '.[dev]')"
    return None


@pytest.fixture(params=["sqlite"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "sira.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def clock() -> SystemClock:  # type: ignore[override]
    return SystemClock()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    reason = _missing_browser()
    if reason:
        if os.environ.get("SIRA_TEST_STRICT"):
            pytest.fail(f"{reason} (SIRA_TEST_STRICT is set: CI must run the browser tests)")
        pytest.skip(reason)
    from playwright.sync_api import expect, sync_playwright

    # Wait on conditions, not on short clocks: Playwright's 5 s default failed CI once on a
    # loaded machine (a kiosk page still "Loading…"). A real failure still fails, later.
    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class Site:
    """A running server with the demo branch: base URL, logins and device tokens."""

    url: str
    branch: str
    users: dict[str, str]
    devices: dict[str, str]
    db: Database

    def page_url(self, page: str) -> str:
        """``kiosk``/``display`` pages carry their device token in the fragment."""
        token = self.devices.get(page)
        return f"{self.url}/{page}/" + (f"#token={token}" if token else "")


@pytest.fixture
def site(app: FastAPI, db: Database) -> Iterator[Site]:
    with db.unit_of_work() as session:
        creds = create_demo(session)
    assert creds is not None
    with live_server(app) as url:
        yield Site(
            url=url, branch=creds["branch"], users=creds["users"], devices=creds["devices"], db=db
        )


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser context (no shared storage between tests); a test whose pages hit the
    server's Content-Security-Policy fails (the browser says so on the console)."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    refused: list[str] = []
    ctx.on(
        "console",
        lambda msg: refused.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    yield ctx
    ctx.close()
    assert refused == [], "the pages broke their CSP:\n" + "\n".join(refused)


def wait_until(page: Any, expression: str, *, timeout_ms: int = WAIT_MS) -> None:
    """Poll a page expression until it is truthy. Not ``page.wait_for_function``: it compiles
    its predicate with eval inside the page, which the pages' CSP (script-src 'self') refuses;
    ``page.evaluate`` runs through the DevTools protocol, outside the page's CSP."""
    deadline = time.monotonic() + timeout_ms / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout_ms} ms: {expression}")
        page.wait_for_timeout(100)


def axe_violations(page: Any, *, impacts: tuple[str, ...] = ("serious", "critical")) -> list[dict]:
    """Run the pinned axe-core on the page; the violations of the given impacts."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated, not added as a script tag: the pages' CSP refuses inline scripts.
        page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await window.axe.run(document)")
    return [v for v in result["violations"] if v.get("impact") in impacts]


def describe(violations: list[dict]) -> str:
    """A readable summary for an assertion message."""
    return json.dumps(
        [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "nodes": [n["target"] for n in v["nodes"][:5]],
            }
            for v in violations
        ],
        indent=1,
    )
