"""The customer's phone page (/t/{token}): live place in the queue, "it's your turn", feedback.

Also holds the small API helpers the other public-screen tests use (teller actions by HTTP).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from sqlmodel import select

from server.models import Ticket
from tests.ui.conftest import TIMEOUT_S, Site, wait_until

PHONE = {"width": 390, "height": 844}


# --- helpers shared by the public-screen tests ------------------------------------------------


def issue(site: Site, service: str = "A", lang: str = "en", **extra: Any) -> dict[str, Any]:
    """A ticket from the kiosk device, as the kiosk would ask for it."""
    r = httpx.post(
        f"{site.url}/api/v1/branches/{site.branch}/tickets",
        json={"service": service, "lang": lang, **extra},
        headers={"Authorization": f"Bearer {site.devices['kiosk']}"},
        timeout=TIMEOUT_S,
    )
    assert r.status_code == 201, r.text
    return r.json()


class Teller:
    """A logged-in demo teller driving counters over HTTP."""

    def __init__(self, site: Site, username: str = "teller1") -> None:
        self.url = site.url
        r = httpx.post(
            f"{site.url}/api/v1/auth/login",
            json={"username": username, "password": site.users[username]},
            timeout=TIMEOUT_S,
        )
        assert r.status_code == 200, r.text
        self.headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        snap = httpx.get(
            f"{site.url}/api/v1/branches/{site.branch}/snapshot",
            headers=self.headers,
            timeout=TIMEOUT_S,
        ).json()
        self.counters = {c["label"]: c["id"] for c in snap["data"]["counters"]}

    def post(self, path: str, expect_status: tuple[int, ...] = (200, 204)) -> Any:
        r = httpx.post(f"{self.url}{path}", headers=self.headers, timeout=TIMEOUT_S)
        assert r.status_code in expect_status, r.text
        return r.json() if r.status_code == 200 else None

    def counter(self, label: str, op: str) -> Any:
        return self.post(f"/api/v1/counters/{self.counters[label]}/{op}")

    def ticket(self, ticket_id: int, op: str) -> Any:
        return self.post(f"/api/v1/tickets/{ticket_id}/{op}")


def tickets_in_db(site: Site) -> list[Ticket]:
    with site.db.unit_of_work(write=False) as session:
        return list(session.exec(select(Ticket).order_by(Ticket.id)))  # type: ignore[arg-type]


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    yield ctx.new_page()
    ctx.close()


# --- the page ---------------------------------------------------------------------------------


def test_waiting_then_called_then_feedback(site: Site, phone: Any) -> None:
    # A counter serving A is open: the page quotes a wait (with none it says nobody serves
    # the service right now).
    teller = Teller(site)
    teller.counter("1", "open")
    first = issue(site)
    mine = issue(site)
    phone.goto(f"{site.url}/t/{mine['token']}#poll=0.5")
    expect(phone.get_by_test_id("code")).to_have_text(mine["code"])
    expect(phone.get_by_test_id("status")).to_have_text("Waiting")
    expect(phone.get_by_test_id("position")).to_have_text("2")
    expect(phone.locator("#ahead")).to_have_text("1 person ahead of you")
    expect(phone.get_by_test_id("wait")).to_contain_text("minute")
    expect(phone.get_by_test_id("your-turn")).to_be_hidden()

    assert teller.counter("1", "call-next")["ticket"]["id"] == first["id"]
    expect(phone.get_by_test_id("position")).to_have_text("1")
    expect(phone.locator("#ahead")).to_have_text("You are next")

    # The next call finishes the first customer and calls this one, at counter 1.
    called = teller.counter("1", "call-next")
    assert called["ticket"]["id"] == mine["id"]
    turn = phone.get_by_test_id("your-turn")
    expect(turn).to_be_visible()
    expect(turn).to_contain_text("It's your turn")
    expect(turn).to_contain_text("Please go to")
    expect(phone.get_by_test_id("turn-counter")).to_have_text("Counter\u00a01")
    expect(phone.get_by_test_id("status")).to_have_text("Called")
    expect(phone.get_by_test_id("position")).to_be_hidden()

    teller.ticket(mine["id"], "finish")
    expect(phone.get_by_text("How was everything?")).to_be_visible()
    expect(phone.get_by_test_id("your-turn")).to_be_hidden()
    phone.get_by_test_id("feedback-score-4").tap()
    expect(phone.get_by_test_id("feedback-score-4")).to_have_attribute("aria-pressed", "true")
    phone.get_by_test_id("feedback-comment").fill("Quick and friendly, thank you.")
    phone.get_by_test_id("feedback-submit").tap()
    expect(phone.get_by_test_id("feedback-thanks")).to_be_visible()
    expect(phone.get_by_test_id("feedback-submit")).to_be_hidden()

    row = next(t for t in tickets_in_db(site) if t.id == mine["id"])
    assert row.feedback_score == 4
    assert row.feedback_comment == "Quick and friendly, thank you."
    status = httpx.get(
        f"{site.url}/api/v1/tickets/by-token/{mine['token']}", timeout=TIMEOUT_S
    ).json()
    assert status["feedback_given"] is True


def test_next_while_the_counter_is_busy_quotes_a_wait(site: Site, phone: Any) -> None:
    # Next in line, but counter 1 (the only one open for A) has a customer: the page says
    # how long that visit may take, not "Any moment now".
    teller = Teller(site)
    teller.counter("1", "open")
    issue(site)
    mine = issue(site)
    teller.counter("1", "call-next")
    phone.goto(f"{site.url}/t/{mine['token']}#poll=0.5")
    expect(phone.locator("#ahead")).to_have_text("You are next")
    expect(phone.get_by_test_id("wait")).to_contain_text("minute")


def test_recall_alerts_again_and_the_phone_buzzes(site: Site, phone: Any) -> None:
    phone.add_init_script(
        "window.__buzz = []; navigator.vibrate = (p) => { window.__buzz.push(p); return true; };"
    )
    mine = issue(site)
    phone.goto(f"{site.url}/t/{mine['token']}#poll=0.5")
    expect(phone.get_by_test_id("position")).to_have_text("1")
    teller = Teller(site)
    teller.counter("2", "open")
    teller.counter("2", "call-next")
    expect(phone.get_by_test_id("your-turn")).to_contain_text("2")
    wait_until(phone, "window.__buzz.length === 1")
    teller.counter("2", "recall")
    wait_until(phone, "window.__buzz.length === 2")


def test_page_speaks_the_tickets_language(site: Site, phone: Any) -> None:
    mine = issue(site, lang="el")
    phone.goto(f"{site.url}/t/{mine['token']}")
    expect(phone.locator("html")).to_have_attribute("lang", "el")
    expect(phone.get_by_test_id("status")).to_have_text("Σε αναμονή")
    expect(phone.get_by_text("Η θέση σας στην ουρά")).to_be_visible()
    missing = phone.evaluate("[...window.sira.i18n.missing]")
    assert missing == []


def test_feedback_already_given_still_thanks(site: Site, phone: Any) -> None:
    mine = issue(site, lang="tr")
    teller = Teller(site)
    teller.counter("1", "open")
    teller.counter("1", "call-next")
    teller.ticket(mine["id"], "finish")
    phone.goto(f"{site.url}/t/{mine['token']}")
    expect(phone.get_by_text("Her şey nasıldı?")).to_be_visible()
    # Given meanwhile from another tab: the server answers 409, the page thanks all the same.
    r = httpx.post(
        f"{site.url}/api/v1/tickets/by-token/{mine['token']}/feedback",
        json={"score": 5},
        timeout=TIMEOUT_S,
    )
    assert r.status_code == 201
    phone.get_by_test_id("feedback-score-2").tap()
    phone.get_by_test_id("feedback-submit").tap()
    expect(phone.get_by_test_id("feedback-thanks")).to_be_visible()
    expect(phone.get_by_test_id("feedback-thanks")).to_contain_text("teşekkür")
    row = next(t for t in tickets_in_db(site) if t.id == mine["id"])
    assert row.feedback_score == 5  # the first answer stands


def test_unknown_token_says_so(site: Site, phone: Any) -> None:
    phone.goto(f"{site.url}/t/nosuchticket0000")
    expect(phone.get_by_test_id("not-found")).to_be_visible()
