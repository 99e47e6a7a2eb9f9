"""The teller console and who holds a counter: the picker names the holder, picking opens the
counter in the teller's name (a colleague's only after asking, then taken over), the console
that lost its counter says so at once, sign-out pauses or closes the counter, and counters
are named by the one rule every screen uses."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect
from sqlmodel import select

from server.models import Counter, User
from tests.ui.test_teller import TIMEOUT, Staff, open_console, sign_in, wait_for


def name_user(site: Any, username: str, full_name: str) -> None:
    with site.db.unit_of_work() as session:
        user = session.exec(select(User).where(User.username == username)).one()
        user.full_name = full_name
        session.add(user)


def holder(api: Staff, label: str) -> str | None:
    held = api.counter(label)["held_by"]
    return held["username"] if held else None


def test_picker_shows_who_holds_each_counter(site: Any, context: Any) -> None:
    name_user(site, "teller2", "Ayşe Demir")
    api = Staff(site)
    assert api.post(f"/api/v1/counters/{api.counter_id('2')}/open", user="teller2").is_success
    page = context.new_page()
    sign_in(page, site)
    expect(page.get_by_test_id("holder-2")).to_have_text("Held by Ayşe Demir", timeout=TIMEOUT)
    expect(page.get_by_test_id("holder-1")).to_have_text("Free")
    expect(page.get_by_test_id("counter-2")).to_contain_text("Open")


def test_a_held_counter_is_taken_over_only_after_asking(site: Any, context: Any) -> None:
    name_user(site, "teller2", "Ayşe Demir")
    api = Staff(site)
    assert api.post(f"/api/v1/counters/{api.counter_id('2')}/open", user="teller2").is_success
    page = context.new_page()
    sign_in(page, site)
    page.get_by_test_id("counter-2").click()
    dialog = page.get_by_test_id("takeover-dialog")
    expect(dialog).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_test_id("takeover-text")).to_have_text(
        "Counter 2 is held by Ayşe Demir. Take it over? They will be told."
    )
    # Cancel: nothing changes, the picker stays.
    page.get_by_test_id("takeover-cancel").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("counter-select")).to_be_visible()
    assert holder(api, "2") == "teller2"
    # Confirm: the counter is ours.
    page.get_by_test_id("counter-2").click()
    page.get_by_test_id("takeover-confirm").click()
    expect(page.get_by_test_id("counter-badge")).to_have_text("Counter 2", timeout=TIMEOUT)
    expect(page.get_by_test_id("call-next")).to_be_enabled()
    assert wait_for(lambda: holder(api, "2") == "teller1")


def test_picking_a_counter_always_opens_it_in_my_name(site: Any, context: Any) -> None:
    """A counter its teller left paused on sign-out is nobody's: picking it opens it (the old
    console entered it paused, without opening it, and so without holding it)."""
    api = Staff(site)
    counter = api.counter_id("1")
    assert api.post(f"/api/v1/counters/{counter}/open", user="teller2").is_success
    assert api.post("/api/v1/auth/logout", user="teller2").status_code == 204
    left = api.counter("1")
    assert (left["state"], left["held_by"]) == ("paused", None)
    page = context.new_page()
    sign_in(page, site)
    expect(page.get_by_test_id("holder-1")).to_have_text("Free", timeout=TIMEOUT)
    page.get_by_test_id("counter-1").click()
    expect(page.get_by_test_id("counter-state")).to_have_text("Open", timeout=TIMEOUT)
    expect(page.get_by_test_id("takeover-dialog")).to_be_hidden()
    now = api.counter("1")
    assert (now["state"], now["held_by"]["username"]) == ("open", "teller1")


def test_console_that_lost_its_counter_says_who_took_it(site: Any, context: Any) -> None:
    name_user(site, "teller2", "Ayşe Demir")
    api = Staff(site)
    page = context.new_page()
    open_console(page, site)
    res = api.post(
        f"/api/v1/counters/{api.counter_id('1')}/open", {"take_over": True}, user="teller2"
    )
    assert res.is_success, res.text
    notice = page.get_by_test_id("notice")
    expect(notice).to_be_visible(timeout=TIMEOUT)
    expect(notice).to_contain_text("Ayşe Demir took over Counter 1")
    expect(page.get_by_test_id("counter-select")).to_be_visible()
    expect(page.get_by_test_id("call-next")).to_be_hidden()
    expect(page.get_by_test_id("holder-1")).to_have_text("Held by Ayşe Demir", timeout=TIMEOUT)


def test_sign_out_pauses_the_counter_by_default(site: Any, context: Any) -> None:
    api = Staff(site)
    page = context.new_page()
    open_console(page, site)
    page.get_by_test_id("sign-out").click()
    expect(page.get_by_test_id("signout-dialog")).to_contain_text(
        "What should happen to Counter 1?"
    )
    expect(page.get_by_test_id("signout-pause")).to_be_checked()
    page.get_by_test_id("signout-confirm").click()
    expect(page.get_by_test_id("login-username")).to_be_visible(timeout=TIMEOUT)
    left = api.counter("1")
    assert (left["state"], left["pause_reason"], left["held_by"]) == ("paused", "signed_out", None)


def test_sign_out_can_close_the_counter(site: Any, context: Any) -> None:
    api = Staff(site)
    page = context.new_page()
    open_console(page, site)
    page.get_by_test_id("sign-out").click()
    page.get_by_test_id("signout-close").check()
    page.get_by_test_id("signout-confirm").click()
    expect(page.get_by_test_id("login-username")).to_be_visible(timeout=TIMEOUT)
    left = api.counter("1")
    assert (left["state"], left["held_by"]) == ("closed", None)


def test_sign_out_from_the_picker_asks_nothing(site: Any, context: Any) -> None:
    page = context.new_page()
    sign_in(page, site)
    expect(page.get_by_test_id("counter-1")).to_be_visible(timeout=TIMEOUT)
    page.get_by_test_id("sign-out").click()
    expect(page.get_by_test_id("login-username")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_test_id("signout-dialog")).to_be_hidden()


def test_a_label_that_names_the_counter_is_shown_as_it_is(site: Any, context: Any) -> None:
    with site.db.unit_of_work() as session:
        counter = session.exec(select(Counter).where(Counter.label == "4")).one()
        counter.label = "Kasa 1"
        session.add(counter)
    page = context.new_page()
    sign_in(page, site)
    expect(page.get_by_test_id("counter-Kasa 1")).to_contain_text("Kasa 1", timeout=TIMEOUT)
    expect(page.get_by_test_id("counter-Kasa 1")).not_to_contain_text("Counter Kasa 1")
    page.get_by_test_id("counter-Kasa 1").click()
    expect(page.get_by_test_id("counter-badge")).to_have_text("Kasa 1", timeout=TIMEOUT)
    page.get_by_test_id("lang-select").select_option("tr")
    expect(page.get_by_test_id("counter-badge")).to_have_text("Kasa 1")
    page.get_by_test_id("change-counter").click()
    page.get_by_test_id("signout-confirm").click()
    expect(page.get_by_test_id("counter-1")).to_contain_text("Gişe 1", timeout=TIMEOUT)


def test_changing_counter_leaves_the_first_for_a_colleague(site: Any, context: Any) -> None:
    """'Change counter' once left the counter open in the teller's name: counted open in
    every quote, and a colleague had to take it over. Now it asks, then pauses (or closes)
    it and lets go of it."""
    api = Staff(site)
    page = context.new_page()
    sign_in(page, site)
    page.get_by_test_id("counter-1").click()
    expect(page.get_by_test_id("counter-badge")).to_have_text("Counter 1", timeout=TIMEOUT)
    page.get_by_test_id("change-counter").click()
    expect(page.get_by_test_id("signout-dialog")).to_contain_text("Change counter")
    expect(page.get_by_test_id("signout-confirm")).to_have_text("Leave this counter")
    # Cancelling keeps the teller at the counter.
    page.get_by_test_id("signout-dialog").get_by_role("button", name="Cancel").click()
    expect(page.get_by_test_id("counter-badge")).to_have_text("Counter 1")
    assert holder(api, "1") == "teller1"
    page.get_by_test_id("change-counter").click()
    page.get_by_test_id("signout-confirm").click()
    # The picker comes back once the server has let go of the counter (its hidden copy from
    # sign-in still said "Free": waiting on that text alone raced the leave).
    expect(page.locator("#view-pick")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_test_id("holder-1")).to_have_text("Free", timeout=TIMEOUT)
    left = api.counter("1")
    assert (left["state"], left["pause_reason"], left["held_by"]) == ("paused", "left", None)
    page.get_by_test_id("counter-2").click()
    expect(page.get_by_test_id("counter-badge")).to_have_text("Counter 2", timeout=TIMEOUT)
    assert holder(api, "2") == "teller1"
    # Sign-out still says "Sign out" after the dialog served as "Change counter".
    page.get_by_test_id("sign-out").click()
    expect(page.get_by_test_id("signout-confirm")).to_have_text("Sign out")
