"""The call display under real use (issue 13): a burst of calls is caught up with instead of read
out as a backlog, the featured call and the recent-calls list fit the screen whole, counters
are named as the branch names them, and a token of another kind is refused at once."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.ui.conftest import TIMEOUT_S, WAIT_MS, Site, wait_until
from tests.ui.test_customer import Teller, issue
from tests.ui.test_display import TV

PORTRAIT_TV = {"width": 1080, "height": 1920}


class Valve:
    """Sits on the display's event socket: while closed it keeps the server's messages, and
    ``open()`` hands them to the page at once, so a burst reaches the screen as a burst
    whatever the speed of the machine running the test."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.held: list[Any] = []
        self.closed = False
        self.ws: Any = None
        page.route_web_socket("**/events*", self._route)

    def _route(self, ws: Any) -> None:
        server = ws.connect_to_server()
        self.ws = ws

        def to_page(message: Any) -> None:
            if self.closed:
                self.held.append(message)
            else:
                ws.send(message)

        server.on_message(to_page)

    def close(self) -> None:
        self.closed = True

    def wait_for(self, event_type: str, count: int) -> None:
        """Until the server has sent ``count`` events of ``event_type`` (held)."""
        deadline = time.monotonic() + WAIT_MS / 1000
        while (
            sum(
                f'"type": "{event_type}"' in m or f'"type":"{event_type}"' in m
                for m in self.held
                if isinstance(m, str)
            )
            < count
        ):
            assert time.monotonic() < deadline, f"{count} {event_type} not sent in time"
            self.page.wait_for_timeout(50)

    def open(self) -> None:
        self.closed = False
        for message in self.held:
            self.ws.send(message)
        self.held.clear()


@pytest.fixture
def tv(site: Site, browser: Any) -> Iterator[tuple[Any, Valve]]:
    ctx = browser.new_context(viewport=TV)
    page = ctx.new_page()
    valve = Valve(page)
    page.goto(f"{site.url}/display/#token={site.devices['display']}&hold=0.5")
    expect(page.get_by_test_id("clock")).not_to_be_empty()
    expect(page.get_by_test_id("offline-marker")).to_be_hidden()
    wait_until(page, "window.sira.stream?.seq != null")
    yield page, valve
    ctx.close()


def heard(code: str) -> str:
    """The page has received the call of ``code`` (queued, on screen or in the list)."""
    return (
        "(s => [...(s.calls || []), ...s.queue, ...s.history]"
        f".some(c => c.code === '{code}'))(window.sira.state)"
    )


def settled(page: Any) -> None:
    wait_until(
        page,
        "!window.sira.state.playing && window.sira.state.queue.length === 0",
        timeout_ms=60_000,
    )


def announced(page: Any) -> list[str]:
    return page.evaluate("window.sira.state.announced.map(a => a.code)")


def dropped(page: Any) -> dict[str, str]:
    return page.evaluate(
        "Object.fromEntries(window.sira.state.dropped.map(d => [d.code, d.reason]))"
    )


def shown_history(page: Any) -> list[str]:
    return page.get_by_test_id("history-item").evaluate_all("els => els.map(e => e.dataset.code)")


# --- 1. a burst is caught up with --------------------------------------------------------------


def test_a_counter_called_again_and_ended_tickets_are_not_announced(site: Site, tv: Any) -> None:
    page, valve = tv
    for _ in range(9):
        issue(site, "A")
    teller = Teller(site)
    teller.counter("1", "open")
    teller.counter("2", "open")
    valve.close()
    # Six calls in a row from counter 1 (each next call finishes the customer before).
    burst = [teller.counter("1", "call-next")["ticket"]["code"] for _ in range(6)]
    # Counter 2 calls three customers, each gone before their call's turn on the screen.
    ended: dict[str, str] = {}
    for op, reason in (("finish", "finished"), ("no-show", "no_show"), ("transfer", "transferred")):
        ticket = teller.counter("2", "call-next")["ticket"]
        if op == "transfer":
            r = httpx.post(
                f"{site.url}/api/v1/tickets/{ticket['id']}/transfer",
                json={"service": "B"},
                headers=teller.headers,
                timeout=TIMEOUT_S,
            )
            assert r.status_code == 200, r.text
        else:
            teller.ticket(ticket["id"], op)
        ended[ticket["code"]] = reason
    valve.wait_for("ticket.transferred", 1)
    valve.open()
    settled(page)

    # The first call was announced at once; the next four were superseded by counter 1's
    # latest call, and counter 2's customers had gone before their turn.
    assert announced(page) == [burst[0], burst[-1]]
    gone = dropped(page)
    assert sorted(gone) == sorted([*burst[1:-1], *ended])
    # (A counter's next call finishes its customer first: the event says "finished".)
    assert all(gone[c] in ("superseded", "finished") for c in burst[1:-1]), gone
    assert {c: gone[c] for c in ended} == ended
    first = page.evaluate("window.sira.state.announced[0]")
    assert first["superseded"] is True  # its hold was cut short: the screen caught up
    expect(page.get_by_test_id("latest-code")).to_have_text(burst[-1])
    expect(page.get_by_test_id("latest-counter")).to_have_text("1")
    # The list still names every call up to the one on screen, newest first.
    assert shown_history(page) == list(reversed(burst))


def test_calls_at_different_counters_all_play_in_order(site: Site, tv: Any) -> None:
    page, valve = tv
    for svc in ("A", "B", "A", "B"):
        issue(site, svc)
    teller = Teller(site)
    for label in ("1", "2", "3"):
        teller.counter(label, "open")
    valve.close()
    called = [
        teller.counter(label, "call-next")["ticket"]["code"] for label in ("1", "2", "3", "2")
    ]
    valve.wait_for("ticket.called", 4)
    valve.open()
    wait_until(page, heard(called[-1]))
    settled(page)
    # Counters 1, 2 and 3 in call order; counter 2's first call was superseded by its second.
    assert announced(page) == [called[0], called[2], called[3]]
    # (Its next call finished that customer first: the event says "finished".)
    assert dropped(page) in ({called[1]: "superseded"}, {called[1]: "finished"})
    assert shown_history(page) == list(reversed(called))


# --- 2. the featured call and the list fit the screen whole ------------------------------------

_FITS = """() => {
  const card = document.getElementById('latest');
  const cs = getComputedStyle(card);
  const r = card.getBoundingClientRect();
  const inner = {
    top: r.top + parseFloat(cs.borderTopWidth), bottom: r.bottom - parseFloat(cs.borderBottomWidth),
    left: r.left + parseFloat(cs.borderLeftWidth), right: r.right - parseFloat(cs.borderRightWidth),
  };
  const parts = ['.latest-label', '#recall-cue', '#latest-code', '.latest-arrow',
                 '.latest-counter', '#latest-text'];
  const outside = [];
  for (const sel of parts) {
    const el = card.querySelector(sel);
    if (!el || !el.checkVisibility()) { outside.push(sel + ' not shown'); continue; }
    const b = el.getBoundingClientRect();
    if (b.top < inner.top - 0.5 || b.bottom > inner.bottom + 0.5 ||
        b.left < inner.left - 0.5 || b.right > inner.right + 0.5) {
      outside.push(`${sel} ${JSON.stringify([b.top, b.bottom, b.left, b.right])}` +
                   ` card ${JSON.stringify(inner)}`);
    }
  }
  const list = document.getElementById('history');
  const lb = list.getBoundingClientRect();
  const rows = [...list.children];
  const shown = rows.filter((li) => li.checkVisibility());
  const cut = shown.filter((li) => {
    const b = li.getBoundingClientRect();
    return b.top < lb.top - 0.5 || b.bottom > lb.bottom + 0.5;
  }).map((li) => li.dataset.code);
  return {
    outside,
    cardOverflows: card.scrollHeight > card.clientHeight + 1,
    rows: rows.length,
    shown: shown.length,
    shownFirst: rows.slice(0, shown.length).every((li) => li.checkVisibility()),
    cut,
    pageScrolls: document.documentElement.scrollHeight > innerHeight + 1 ||
                 document.documentElement.scrollWidth > innerWidth + 1,
    cardOffScreen: r.left < 0 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5 ||
                   lb.right > innerWidth + 0.5,
  };
}"""


@pytest.mark.parametrize("viewport", [TV, PORTRAIT_TV], ids=["landscape", "portrait"])
def test_a_recall_and_a_full_list_fit_whole(site: Site, browser: Any, viewport: dict) -> None:
    ctx = browser.new_context(viewport=viewport)
    try:
        page = ctx.new_page()
        page.goto(f"{site.url}/display/#token={site.devices['display']}&hold=0.2")
        expect(page.get_by_test_id("offline-marker")).to_be_hidden()
        teller = Teller(site)
        for label in ("1", "2", "3", "4"):
            teller.counter(label, "open")
        langs = ["el", "pl", "tr", "en"]
        for i in range(9):
            issue(site, "AB"[i % 2], lang=langs[i % 4])
        issue(site, "C", lang="el")
        for label in ("1", "2", "3", "1", "2", "3", "1", "2", "4"):
            teller.counter(label, "call-next")
        last = teller.counter("4", "recall")
        wait_until(page, heard(last["ticket"]["code"]))
        settled(page)
        expect(page.get_by_test_id("recall-cue")).to_be_visible()
        expect(page.locator("#latest-text")).not_to_be_empty()
        got = page.evaluate(_FITS)
        # Inside the card: the heading, the cue, the number, the counter and the spoken text;
        # eight tickets called: the list shows whole rows only, the newest first.
        keys = ("outside", "cardOverflows", "pageScrolls", "cardOffScreen", "cut", "rows")
        found = {k: got[k] for k in keys}
        assert found == {
            "outside": [],
            "cardOverflows": False,
            "pageScrolls": False,
            "cardOffScreen": False,
            "cut": [],
            "rows": 8,
        }, got
        assert got["shownFirst"], got
        assert got["shown"] >= 4, got
    finally:
        ctx.close()


# --- 3. counter names --------------------------------------------------------------------------


def rename_counter(site: Site, teller: Teller, label: str, new: str) -> None:
    admin = Teller(site, "admin")
    r = httpx.patch(
        f"{site.url}/api/v1/admin/branches/{site.branch}/counters/{teller.counters[label]}",
        json={"label": new},
        headers=admin.headers,
        timeout=TIMEOUT_S,
    )
    assert r.status_code == 200, r.text


def test_counters_are_named_once(site: Site, tv: Any) -> None:
    page, _ = tv
    teller = Teller(site)
    rename_counter(site, teller, "2", "Gişe 2")
    issue(site, "A")
    issue(site, "B")
    teller.counter("1", "open")
    teller.counter("2", "open")
    first = teller.counter("1", "call-next")["ticket"]["code"]
    second = teller.counter("2", "call-next")["ticket"]["code"]
    wait_until(page, heard(second))
    settled(page)
    line = page.locator("#latest .latest-counter")
    expect(line).to_have_text("Gişe 2")
    expect(page.get_by_test_id("latest-counter")).to_have_text("Gişe 2")
    names = page.get_by_test_id("history-item").evaluate_all(
        "els => els.map(e => [e.dataset.code, e.querySelector('.h-counter').textContent])"
    )
    assert names == [[second, "Gişe 2"], [first, "Counter 1"]]
    assert "Counter Gişe" not in page.locator("body").inner_text()


def test_a_call_without_a_counter_shows_its_number_alone(site: Site, browser: Any) -> None:
    ctx = browser.new_context(viewport=TV)
    try:
        page = ctx.new_page()

        def strip_counter(ws: Any) -> None:
            # The server's messages as they are, but a call's counter label left out (a call
            # recorded without one, as older history is).
            server = ws.connect_to_server()

            def to_page(message: Any) -> None:
                data = json.loads(message) if isinstance(message, str) else None
                if data and data.get("type") == "ticket.called":
                    data["data"]["counter"] = {"id": None, "label": ""}
                    message = json.dumps(data)
                ws.send(message)

            server.on_message(to_page)

        page.route_web_socket("**/events*", strip_counter)
        page.goto(f"{site.url}/display/#token={site.devices['display']}&hold=0.2")
        wait_until(page, "window.sira.stream?.seq != null")
        ticket = issue(site, "A")
        teller = Teller(site)
        teller.counter("1", "open")
        teller.counter("1", "call-next")
        expect(page.get_by_test_id("latest-code")).to_have_text(ticket["code"])
        expect(page.locator("#latest .latest-counter")).to_be_hidden()
        expect(page.locator("#latest-arrow")).to_be_hidden()
        latest = page.locator("#latest").inner_text()
        assert "Counter" not in latest
        item = page.get_by_test_id("history-item").first
        expect(item).to_have_attribute("data-code", ticket["code"])
        assert "Counter" not in item.inner_text()
    finally:
        ctx.close()


# --- 8. a token of another kind is refused at once ---------------------------------------------


def new_device(site: Site, kind: str) -> str:
    admin = Teller(site, "admin")
    r = httpx.post(
        f"{site.url}/api/v1/admin/devices",
        json={"branch": site.branch, "kind": kind, "name": f"Test {kind}"},
        headers=admin.headers,
        timeout=TIMEOUT_S,
    )
    assert r.status_code == 201, r.text
    return str(r.json()["token"])


def test_display_refuses_a_kiosk_or_staff_token(site: Site, context: Any) -> None:
    page = context.new_page()
    page.goto(f"{site.url}/display/#token={site.devices['kiosk']}")
    error = page.locator("#pair-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("This is a kiosk's token.")
    expect(page.locator("#board")).to_be_hidden()
    assert page.evaluate("localStorage.getItem('sira.display.token')") is None

    # Typed in at the connect screen: refused at once too.
    page.locator("#pair-manual").evaluate("d => { d.open = true; }")
    page.locator("#pair-token").fill(Teller(site).headers["Authorization"][7:])
    page.get_by_role("button", name="Connect").click()
    expect(error).to_contain_text("This is a staff member's sign-in token.")
    expect(page.locator("#board")).to_be_hidden()

    # A speaker's token runs the screen (a speaker plays the same calls).
    page.locator("#pair-manual").evaluate("d => { d.open = true; }")
    page.locator("#pair-token").fill(new_device(site, "speaker"))
    page.get_by_role("button", name="Connect").click()
    expect(page.get_by_test_id("clock")).not_to_be_empty()
    expect(page.locator("#board")).to_be_visible()
