"""The teller console (/teller/) in real Chromium against a real server: every action is
checked through the API (or the moment-of-truth log) after the page did it."""

from __future__ import annotations

import time
from typing import Any

import httpx
from playwright.sync_api import expect
from sqlmodel import select

from server.models import Event, Service
from tests.ui.conftest import WAIT_MS

TIMEOUT = WAIT_MS  # never shorter than the suite-wide wait (a loaded CI machine)


class Staff:
    """The API as a test sees it: logins, tickets, counters."""

    def __init__(self, site: Any) -> None:
        self.site = site
        self.http = httpx.Client(base_url=site.url, timeout=120)
        self._tokens: dict[str, str] = {}

    def token(self, user: str) -> str:
        if user not in self._tokens:
            res = self.http.post(
                "/api/v1/auth/login", json={"username": user, "password": self.site.users[user]}
            )
            res.raise_for_status()
            self._tokens[user] = res.json()["access_token"]
        return self._tokens[user]

    def get(self, path: str, user: str = "manager") -> Any:
        res = self.http.get(path, headers={"Authorization": f"Bearer {self.token(user)}"})
        res.raise_for_status()
        return res.json()

    def post(self, path: str, body: Any = None, user: str = "manager") -> httpx.Response:
        return self.http.post(
            path, json=body, headers={"Authorization": f"Bearer {self.token(user)}"}
        )

    def issue(self, service: str = "A", lang: str = "en") -> dict[str, Any]:
        res = self.http.post(
            f"/api/v1/branches/{self.site.branch}/tickets",
            json={"service": service, "lang": lang},
            headers={"Authorization": f"Bearer {self.site.devices['kiosk']}"},
        )
        assert res.status_code == 201, res.text
        return res.json()

    def counter_id(self, label: str) -> int:
        snap = self.get(f"/api/v1/branches/{self.site.branch}/snapshot")
        return next(c["id"] for c in snap["data"]["counters"] if c["label"] == label)

    def counter(self, label: str) -> dict[str, Any]:
        return self.get(f"/api/v1/counters/{self.counter_id(label)}")

    def ticket(self, ticket_id: int) -> dict[str, Any]:
        return self.get(f"/api/v1/tickets/{ticket_id}")["ticket"]


def sign_in(page: Any, site: Any, user: str = "teller1") -> None:
    page.goto(f"{site.url}/teller/")
    page.get_by_test_id("login-username").fill(user)
    page.get_by_test_id("login-password").fill(site.users[user])
    page.get_by_test_id("login-submit").click()


def open_console(page: Any, site: Any, label: str = "1", user: str = "teller1") -> None:
    sign_in(page, site, user)
    page.get_by_test_id(f"counter-{label}").click()
    expect(page.get_by_test_id("call-next")).to_be_enabled(timeout=TIMEOUT)
    expect(page.get_by_test_id("live")).to_have_text("Live", timeout=TIMEOUT)


def wait_for(predicate: Any, timeout: float = 10.0) -> Any:
    """Poll the API until ``predicate()`` is truthy (the page acts asynchronously)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def test_sign_in_open_counter_and_call_next(site: Any, context: Any) -> None:
    api = Staff(site)
    ticket = api.issue("A")
    page = context.new_page()
    open_console(page, site)
    counter = api.counter("1")
    assert counter["state"] == "open"
    page.get_by_test_id("call-next").click()
    expect(page.get_by_test_id("current-code")).to_have_text(ticket["code"], timeout=TIMEOUT)
    expect(page.get_by_test_id("current-rule")).to_have_text("First come, first served")
    expect(page.get_by_test_id("current-wait")).to_contain_text(" s")
    called = api.ticket(ticket["id"])
    assert called["status"] == "called"
    assert called["counter"]["label"] == "1"
    assert api.counter("1")["current_ticket"]["id"] == ticket["id"]


def test_keyboard_shortcut_calls_next(site: Any, context: Any) -> None:
    api = Staff(site)
    ticket = api.issue("B")
    page = context.new_page()
    open_console(page, site)
    page.locator("body").press("n")
    expect(page.get_by_test_id("current-code")).to_have_text(ticket["code"], timeout=TIMEOUT)
    assert api.ticket(ticket["id"])["status"] == "called"


def test_serve_then_finish(site: Any, context: Any) -> None:
    api = Staff(site)
    ticket = api.issue("A")
    page = context.new_page()
    open_console(page, site)
    page.get_by_test_id("call-next").click()
    expect(page.get_by_test_id("current-code")).to_have_text(ticket["code"], timeout=TIMEOUT)
    page.get_by_test_id("serve").click()
    expect(page.get_by_test_id("current-status")).to_have_text("Being served", timeout=TIMEOUT)
    assert api.ticket(ticket["id"])["status"] == "serving"
    page.get_by_test_id("finish").click()
    expect(page.get_by_test_id("current-empty")).to_be_visible(timeout=TIMEOUT)
    assert api.ticket(ticket["id"])["status"] == "done"
    assert api.counter("1")["current_ticket"] is None


def test_no_show(site: Any, context: Any) -> None:
    api = Staff(site)
    ticket = api.issue("A")
    page = context.new_page()
    open_console(page, site)
    page.get_by_test_id("call-next").click()
    expect(page.get_by_test_id("current-code")).to_have_text(ticket["code"], timeout=TIMEOUT)
    page.get_by_test_id("no-show").click()
    expect(page.get_by_test_id("current-empty")).to_be_visible(timeout=TIMEOUT)
    assert api.ticket(ticket["id"])["status"] == "no_show"


def test_transfer_to_service_b(site: Any, context: Any) -> None:
    api = Staff(site)
    ticket = api.issue("A")
    page = context.new_page()
    open_console(page, site)
    page.get_by_test_id("call-next").click()
    expect(page.get_by_test_id("current-code")).to_have_text(ticket["code"], timeout=TIMEOUT)
    page.get_by_test_id("transfer").click()
    page.get_by_test_id("transfer-service-B").click()
    expect(page.get_by_test_id("current-empty")).to_be_visible(timeout=TIMEOUT)
    moved = api.ticket(ticket["id"])
    assert (moved["status"], moved["service"]) == ("transferred", "B")
    assert moved["code"] == ticket["code"]
    # The queue panel follows: the ticket now waits in B.
    expect(page.get_by_test_id("queue-B-count")).to_have_text("1", timeout=TIMEOUT)
    expect(page.get_by_test_id("queue-A-count")).to_have_text("0", timeout=TIMEOUT)


def test_pause_with_reason_then_resume(site: Any, context: Any) -> None:
    api = Staff(site)
    page = context.new_page()
    open_console(page, site)
    page.get_by_test_id("pause").click()
    page.get_by_test_id("pause-reason").fill("Cash count")
    page.get_by_test_id("pause-confirm").click()
    expect(page.get_by_test_id("paused-banner")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_test_id("paused-banner")).to_contain_text("Cash count")
    expect(page.get_by_test_id("call-next")).to_be_disabled()
    counter = api.counter("1")
    assert (counter["state"], counter["pause_reason"]) == ("paused", "Cash count")
    page.get_by_test_id("resume").click()
    expect(page.get_by_test_id("paused-banner")).to_be_hidden(timeout=TIMEOUT)
    expect(page.get_by_test_id("call-next")).to_be_enabled()
    assert api.counter("1")["state"] == "open"


def test_pause_reason_from_a_choice(site: Any, context: Any) -> None:
    api = Staff(site)
    page = context.new_page()
    open_console(page, site)
    page.get_by_test_id("pause").click()
    page.get_by_test_id("pause-choice-lunch").click()
    page.get_by_test_id("pause-confirm").click()
    expect(page.get_by_test_id("paused-banner")).to_contain_text("Lunch", timeout=TIMEOUT)
    assert api.counter("1")["pause_reason"] == "Lunch"


def test_wait_over_standard_prompts_recovery_and_logs_it(site: Any, context: Any) -> None:
    # The API keeps standards at 30 s or more; a 1 s standard is set in the database so the
    # test need not wait half a minute for a real breach.
    with site.db.unit_of_work() as session:
        svc = session.exec(select(Service).where(Service.code == "A")).one()
        svc.standard_wait_s = 1
        session.add(svc)
    api = Staff(site)
    ticket = api.issue("A")
    time.sleep(2.2)
    page = context.new_page()
    open_console(page, site)
    page.get_by_test_id("call-next").click()
    expect(page.get_by_test_id("current-code")).to_have_text(ticket["code"], timeout=TIMEOUT)
    prompt = page.get_by_test_id("recovery-prompt")
    expect(prompt).to_be_visible(timeout=TIMEOUT)
    expect(prompt).to_contain_text(ticket["code"])
    page.get_by_test_id("recovery-action-apologized").click()
    page.get_by_test_id("recovery-note").fill("Offered a seat and water")
    page.get_by_test_id("recovery-submit").click()
    expect(page.get_by_test_id("recovery-done")).to_contain_text("Apologised", timeout=TIMEOUT)
    expect(prompt).to_be_hidden()

    def logged() -> list[Event]:
        with site.db.unit_of_work(write=False) as session:
            return list(
                session.exec(
                    select(Event).where(
                        Event.ticket_id == ticket["id"], Event.type == "ticket.recovery"
                    )
                )
            )

    events = wait_for(logged)
    assert len(events) == 1
    assert events[0].data["action"] == "apologized"
    assert events[0].data["note"] == "Offered a seat and water"
    assert events[0].data["waited_s"] >= 2


def test_no_prompt_when_wait_within_standard(site: Any, context: Any) -> None:
    api = Staff(site)
    ticket = api.issue("A")
    page = context.new_page()
    open_console(page, site)
    page.get_by_test_id("call-next").click()
    expect(page.get_by_test_id("current-code")).to_have_text(ticket["code"], timeout=TIMEOUT)
    expect(page.get_by_test_id("recovery-prompt")).to_be_hidden()


def test_nobody_waiting_state_on_204(site: Any, context: Any) -> None:
    page = context.new_page()
    open_console(page, site)
    page.get_by_test_id("call-next").click()
    empty = page.get_by_test_id("current-empty")
    expect(empty).to_have_attribute("data-state", "nobody-waiting", timeout=TIMEOUT)
    expect(empty).to_contain_text("Nobody is waiting for this counter")
    expect(page.get_by_test_id("current-code")).to_be_hidden()


def test_queue_counts_follow_the_event_stream(site: Any, context: Any) -> None:
    api = Staff(site)
    page = context.new_page()
    open_console(page, site)
    expect(page.get_by_test_id("queue-C-count")).to_have_text("0", timeout=TIMEOUT)
    api.issue("C")
    api.issue("C")
    expect(page.get_by_test_id("queue-C-count")).to_have_text("2", timeout=TIMEOUT)


def test_conflict_is_shown_from_the_api_detail(site: Any, context: Any) -> None:
    api = Staff(site)
    ticket = api.issue("A")
    page = context.new_page()
    open_console(page, site)
    page.get_by_test_id("call-next").click()
    expect(page.get_by_test_id("current-code")).to_have_text(ticket["code"], timeout=TIMEOUT)
    page.get_by_test_id("close-counter").click()
    error = page.get_by_test_id("error")
    expect(error).to_be_visible(timeout=TIMEOUT)
    expect(error).to_contain_text(f"still has ticket {ticket['code']}")
    assert api.counter("1")["state"] == "open"


def test_wrong_password_is_explained(site: Any, context: Any) -> None:
    page = context.new_page()
    page.goto(f"{site.url}/teller/")
    page.get_by_test_id("login-username").fill("teller1")
    page.get_by_test_id("login-password").fill("not the password")
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("error")).to_contain_text("Sign-in failed", timeout=TIMEOUT)
    expect(page.get_by_test_id("counter-1")).to_be_hidden()


def test_turkish_ui_is_remembered(site: Any, context: Any) -> None:
    page = context.new_page()
    open_console(page, site)
    page.get_by_test_id("lang-select").select_option("tr")
    expect(page.get_by_test_id("call-next")).to_contain_text("Sıradakini çağır")
    assert page.evaluate("document.documentElement.lang") == "tr"
    page.reload()
    expect(page.get_by_test_id("call-next")).to_contain_text("Sıradakini çağır", timeout=TIMEOUT)
    expect(page.get_by_test_id("live")).to_have_text("Canlı", timeout=TIMEOUT)


def test_dictionaries_have_the_same_keys(site: Any, context: Any) -> None:
    page = context.new_page()
    page.goto(f"{site.url}/teller/")
    missing = page.evaluate(
        """async () => {
            const { STRINGS } = await import('/teller/i18n.js');
            const en = Object.keys(STRINGS.en), tr = Object.keys(STRINGS.tr);
            return [en.filter(k => !tr.includes(k)), tr.filter(k => !en.includes(k))];
        }"""
    )
    assert missing == [[], []]
