"""The teller console calling customers: a called customer is never finished as served
unasked (two buttons; N asks), a no-show can be undone, the waiting list calls a chosen
customer, other services are offered when nobody waits for this counter, and the transfer
goes to a service or to one counter with a note."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect
from sqlmodel import select

from server.models import Service
from tests.ui.test_teller import TIMEOUT, Staff, open_console, wait_for


def issue(api: Staff, service: str, **body: Any) -> dict[str, Any]:
    res = api.http.post(
        f"/api/v1/branches/{api.site.branch}/tickets",
        json={"service": service, "lang": "en", **body},
        headers={"Authorization": f"Bearer {api.site.devices['kiosk']}"},
    )
    assert res.status_code == 201, res.text
    return res.json()


def status(api: Staff, ticket: dict[str, Any]) -> str:
    return str(api.ticket(ticket["id"])["status"])


def call_first(page: Any, code: str) -> None:
    page.get_by_test_id("call-next").click()
    expect(page.get_by_test_id("current-code")).to_have_text(code, timeout=TIMEOUT)


def test_a_called_customer_gets_two_call_buttons(site: Any, context: Any) -> None:
    api = Staff(site)
    first, second, third = api.issue("A"), api.issue("A"), api.issue("A")
    page = context.new_page()
    open_console(page, site)
    call_first(page, first["code"])
    expect(page.get_by_test_id("call-next")).to_be_hidden()
    expect(page.get_by_test_id("call-next-done")).to_have_text("Served, call next")
    expect(page.get_by_test_id("call-next-no-show")).to_have_text("Did not come, call next")
    page.get_by_test_id("call-next-no-show").click()
    expect(page.get_by_test_id("current-code")).to_have_text(second["code"], timeout=TIMEOUT)
    assert status(api, first) == "no_show"
    # The one who did not come can be taken back.
    expect(page.get_by_test_id(f"undo-{first['code']}")).to_be_visible()
    page.get_by_test_id("call-next-done").click()
    expect(page.get_by_test_id("current-code")).to_have_text(third["code"], timeout=TIMEOUT)
    assert status(api, second) == "done"
    # Being served: one button again, which finishes them.
    page.get_by_test_id("serve").click()
    expect(page.get_by_test_id("call-next")).to_have_text("Finish and call next", timeout=TIMEOUT)
    expect(page.get_by_test_id("call-pair")).to_be_hidden()


def test_n_never_finishes_a_called_customer_as_served(site: Any, context: Any) -> None:
    api = Staff(site)
    first, second = api.issue("A"), api.issue("A")
    page = context.new_page()
    open_console(page, site)
    page.locator("body").press("n")
    expect(page.get_by_test_id("current-code")).to_have_text(first["code"], timeout=TIMEOUT)
    expect(page.get_by_test_id("call-next-done")).to_be_visible()
    page.locator("body").press("n")
    # N only points at the choice: the focus is on it, nobody was finished or called.
    expect(page.get_by_test_id("call-next-done")).to_be_focused()
    assert status(api, first) == "called"
    assert status(api, second) == "waiting"
    # Served: N finishes them and calls the next.
    page.locator("body").press("s")
    expect(page.get_by_test_id("current-status")).to_have_text("Being served", timeout=TIMEOUT)
    page.locator("body").press("n")
    expect(page.get_by_test_id("current-code")).to_have_text(second["code"], timeout=TIMEOUT)
    assert status(api, first) == "done"


def test_a_no_show_can_be_undone(site: Any, context: Any) -> None:
    api = Staff(site)
    ticket = api.issue("A")
    page = context.new_page()
    open_console(page, site)
    call_first(page, ticket["code"])
    page.get_by_test_id("no-show").click()
    expect(page.get_by_test_id("current-empty")).to_be_visible(timeout=TIMEOUT)
    assert status(api, ticket) == "no_show"
    undo = page.get_by_test_id(f"undo-{ticket['code']}")
    expect(undo).to_have_accessible_name(f"Undo the no-show of {ticket['code']}")
    undo.click()
    expect(page.locator(".toast").last).to_contain_text(
        f"{ticket['code']} is back in the queue", timeout=TIMEOUT
    )
    expect(undo).to_be_hidden()
    assert status(api, ticket) == "waiting"
    # Back in the list, and called again from it.
    expect(page.get_by_test_id(f"wait-{ticket['code']}")).to_be_visible(timeout=TIMEOUT)


def test_the_waiting_list_describes_and_calls_a_chosen_customer(site: Any, context: Any) -> None:
    api = Staff(site)
    first = issue(api, "A", lang="tr")
    chosen = issue(api, "B", lang="el", priority=True, priority_reason="elderly")
    other = api.issue("C")
    page = context.new_page()
    open_console(page, site)
    row = page.get_by_test_id(f"wait-{first['code']}")
    expect(row).to_contain_text("Türkçe", timeout=TIMEOUT)
    expect(row).to_contain_text("A · Cash and deposits")
    expect(row.locator("[lang=tr]")).to_have_text("Türkçe")
    expect(page.get_by_test_id(f"wait-{chosen['code']}")).to_contain_text("Priority: elderly")
    expect(page.get_by_test_id(f"wait-{chosen['code']}")).to_contain_text("Ελληνικά")
    # Another service's customers are folded away, and not callable while ours wait.
    others = page.get_by_test_id("waiting-others")
    expect(others).to_contain_text("Other services: 1 customer waiting")
    expect(page.get_by_test_id(f"wait-{other['code']}")).to_be_hidden()
    others.locator("summary").click()
    expect(page.get_by_test_id(f"call-{other['code']}")).to_be_disabled()
    # A customer arriving shows up (events refresh the list).
    late = api.issue("A")
    expect(page.get_by_test_id(f"wait-{late['code']}")).to_be_visible(timeout=TIMEOUT)
    page.get_by_test_id(f"call-{chosen['code']}").click()
    expect(page.get_by_test_id("current-code")).to_have_text(chosen["code"], timeout=TIMEOUT)
    expect(page.get_by_test_id("current-rule")).to_have_text("Chosen from the waiting list")
    expect(page.get_by_test_id(f"wait-{chosen['code']}")).to_be_hidden()
    called = api.ticket(chosen["id"])
    assert (called["status"], called["call_rule"]) == ("called", "chosen")
    assert status(api, first) == "waiting"


def test_calling_from_the_list_asks_about_a_called_customer(site: Any, context: Any) -> None:
    api = Staff(site)
    first, second = api.issue("A"), api.issue("A")
    page = context.new_page()
    open_console(page, site)
    call_first(page, first["code"])
    page.get_by_test_id(f"call-{second['code']}").click()
    dialog = page.get_by_test_id("previous-dialog")
    expect(dialog).to_contain_text(f"{first['code']} was called but is not being served yet")
    page.get_by_test_id("previous-no-show").click()
    expect(page.get_by_test_id("current-code")).to_have_text(second["code"], timeout=TIMEOUT)
    assert status(api, first) == "no_show"
    expect(page.get_by_test_id(f"undo-{first['code']}")).to_be_visible()


def test_other_services_are_callable_once_nobody_waits_for_mine(site: Any, context: Any) -> None:
    api = Staff(site)
    first, second = api.issue("C"), api.issue("C")
    page = context.new_page()
    open_console(page, site)
    expect(page.get_by_test_id("waiting-empty")).to_be_visible(timeout=TIMEOUT)
    page.get_by_test_id("waiting-others").locator("summary").click()
    page.get_by_test_id(f"call-{second['code']}").click()
    expect(page.get_by_test_id("current-code")).to_have_text(second["code"], timeout=TIMEOUT)
    assert api.ticket(second["id"])["counter"]["label"] == "1"
    assert status(api, first) == "waiting"


def test_nobody_waiting_offers_a_call_from_another_service(site: Any, context: Any) -> None:
    api = Staff(site)
    ticket = api.issue("C")
    page = context.new_page()
    open_console(page, site)
    page.get_by_test_id("call-next").click()
    offer = page.get_by_test_id("call-from-C")
    expect(offer).to_contain_text("Call from C · Loans and investments", timeout=TIMEOUT)
    expect(offer).to_contain_text("1 waiting")
    offer.click()
    expect(page.get_by_test_id("current-code")).to_have_text(ticket["code"], timeout=TIMEOUT)
    called = api.ticket(ticket["id"])
    assert (called["status"], called["counter"]["label"]) == ("called", "1")


def test_transfer_to_a_counter_with_a_note(site: Any, browser: Any, context: Any) -> None:
    api = Staff(site)
    ticket = issue(api, "A", lang="tr")
    page = context.new_page()
    open_console(page, site)
    call_first(page, ticket["code"])
    expect(page.get_by_test_id("current-lang")).to_have_text("Türkçe")
    expect(page.get_by_test_id("current-lang")).to_have_attribute("lang", "tr")
    page.get_by_test_id("transfer").click()
    expect(page.get_by_test_id("transfer-counter-1")).to_have_count(0)  # not our own
    expect(page.get_by_test_id("transfer-counter-4")).to_contain_text("Serves C, B")
    page.get_by_test_id("transfer-note").fill("Needs the loan officer's signature")
    page.get_by_test_id("transfer-counter-3").click()
    expect(page.get_by_test_id("current-empty")).to_be_visible(timeout=TIMEOUT)
    expect(page.locator(".toast").last).to_contain_text(f"{ticket['code']} sent to Counter 3")
    moved = api.ticket(ticket["id"])
    assert (moved["status"], moved["service"]) == ("transferred", "A")
    assert moved["transfer_note"] == "Needs the loan officer's signature"
    # The teller at counter 3 sees the note on the customer card.
    other = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page3 = other.new_page()
        open_console(page3, site, label="3", user="teller2")
        expect(page3.get_by_test_id(f"wait-{ticket['code']}-note")).to_contain_text(
            "Needs the loan officer's signature", timeout=TIMEOUT
        )
        call_first(page3, ticket["code"])
        expect(page3.get_by_test_id("current-note")).to_contain_text(
            "Needs the loan officer's signature"
        )
    finally:
        other.close()


def test_recovery_logs_every_chosen_action(site: Any, context: Any) -> None:
    with site.db.unit_of_work() as session:
        svc = session.exec(select(Service).where(Service.code == "A")).one()
        svc.standard_wait_s = 1
        session.add(svc)
    api = Staff(site)
    ticket = api.issue("A")
    queue = f"/api/v1/counters/{api.counter_id('1')}/queue"
    assert wait_for(lambda: api.get(queue)["mine"][0]["over_standard"])  # past the 1 s standard
    page = context.new_page()
    open_console(page, site)
    call_first(page, ticket["code"])
    expect(page.get_by_test_id("recovery-prompt")).to_be_visible(timeout=TIMEOUT)
    for action in ("explained_delay", "apologized", "other"):
        page.get_by_test_id(f"recovery-action-{action}").click()
    page.get_by_test_id("recovery-action-other").click()  # changed their mind
    expect(page.get_by_test_id("recovery-action-apologized")).to_have_attribute(
        "aria-pressed", "true"
    )
    page.get_by_test_id("recovery-note").fill("Offered a seat")
    page.get_by_test_id("recovery-submit").click()
    expect(page.get_by_test_id("recovery-done")).to_have_text(
        "Recovery logged: Apologised and Explained the delay.", timeout=TIMEOUT
    )

    def logged() -> list[tuple[str, str]]:
        from server.models import Event

        with site.db.unit_of_work(write=False) as session:
            rows = session.exec(
                select(Event).where(
                    Event.ticket_id == ticket["id"], Event.type == "ticket.recovery"
                )
            )
            return sorted((e.data["action"], e.data["note"]) for e in rows)

    assert wait_for(lambda: len(logged()) == 2)
    assert logged() == [("apologized", "Offered a seat"), ("explained_delay", "Offered a seat")]


def test_counts_follow_the_plural_rules(site: Any, context: Any) -> None:
    api = Staff(site)
    ticket = api.issue("A")
    page = context.new_page()
    open_console(page, site)
    expect(page.get_by_test_id("queue-A-label")).to_have_text("customer waiting", timeout=TIMEOUT)
    expect(page.get_by_test_id("queue-B-label")).to_have_text("customers waiting")
    expect(page.get_by_test_id("queue-total")).to_have_text("1 customer waiting in the branch")
    api.issue("A")
    expect(page.get_by_test_id("queue-A-count")).to_have_text("2", timeout=TIMEOUT)
    expect(page.get_by_test_id("queue-A-label")).to_have_text("customers waiting")
    call_first(page, ticket["code"])
    page.get_by_test_id("recall").click()
    expect(page.locator("#current-tags")).to_have_text("Called again once", timeout=TIMEOUT)
    page.get_by_test_id("recall").click()
    expect(page.locator("#current-tags")).to_have_text("Called again 2 times", timeout=TIMEOUT)


def test_turkish_wording(site: Any, context: Any) -> None:
    api = Staff(site)
    ticket = api.issue("A")
    page = context.new_page()
    open_console(page, site)
    page.get_by_test_id("lang-select").select_option("tr")
    expect(page.get_by_test_id("counter-badge")).to_have_text("Gişe 1")
    call_first(page, ticket["code"])
    expect(page.get_by_test_id("call-next-no-show")).to_have_text("Gelmedi, sıradakini çağır")
    page.get_by_test_id("transfer").click()
    expect(page.locator("#transfer-title")).to_have_text(f"{ticket['code']} numarasını yönlendir")
    dictionary = page.evaluate("async () => (await import('/teller/i18n.js')).STRINGS.tr")
    assert not [k for k, v in dictionary.items() if "numarayı" in v]
