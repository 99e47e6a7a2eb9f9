"""The teller console's new parts fit the screen: on a 1366 x 768 laptop and on a 400 px phone,
in English, Turkish, Greek and Polish (longer words), the picker, the console with a called
customer, the waiting list and the transfer dialog neither overflow the page nor cut a button's
text, and on the phone the call buttons come right after the customer, before the list."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlmodel import select

from server.models import User
from tests.ui.test_teller import TIMEOUT, Staff, sign_in

# Visible elements whose text does not fit their box, and whether the page scrolls sideways.
_FITS = """(root) => {
  const scope = root ? document.querySelector(root) : document;
  const cut = [...scope.querySelectorAll(
      'button, .choice-holder, .wait-item, .wait-note, .state-pill, .tag, .call-choice-hint')]
    .filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
    .map((el) => el.dataset.testid || el.id || el.className);
  return {cut, pageScrolls: document.documentElement.scrollWidth > innerWidth};
}"""


@pytest.fixture(params=[(1366, 768), (400, 800)], ids=["laptop", "phone"])
def screen(request: pytest.FixtureRequest, browser: Any) -> Iterator[Any]:
    width, height = request.param
    ctx = browser.new_context(viewport={"width": width, "height": height})
    refused: list[str] = []
    ctx.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    yield ctx.new_page()
    ctx.close()
    assert refused == []


@pytest.fixture(params=["en", "tr", "el", "pl"])
def lang(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _fits(page: Any, root: str | None = None) -> None:
    got = page.evaluate(_FITS, root)
    assert got == {"cut": [], "pageScrolls": False}, got


def test_new_parts_fit_the_screen(site: Any, screen: Any, lang: str) -> None:
    with site.db.unit_of_work() as session:
        user = session.exec(select(User).where(User.username == "teller2")).one()
        user.full_name = "Ayşegül Karaosmanoğlu-Demirtaş"
        session.add(user)
    api = Staff(site)
    counter2 = api.counter_id("2")
    api.post(f"/api/v1/counters/{counter2}/open", user="teller2")
    moved = api.issue("A")
    called = api.post(f"/api/v1/counters/{counter2}/call-next", user="teller2").json()
    assert called["ticket"]["id"] == moved["id"]
    note = "Müşteri kredi kartı limitini artırmak istiyor; kimlik 2 numaralı gişede kontrol edildi."
    api.post(
        f"/api/v1/tickets/{moved['id']}/transfer", {"service": "B", "note": note}, user="teller2"
    )
    api.issue("A", lang="tr")
    api.issue("C", lang="el")
    page = screen
    if lang != "en":
        page.goto(f"{site.url}/teller/")
        page.get_by_test_id("lang-select").select_option(lang)
    sign_in(page, site)
    expect(page.get_by_test_id("holder-2")).to_contain_text("Karaosmanoğlu", timeout=TIMEOUT)
    _fits(page)
    page.get_by_test_id("counter-1").click()
    expect(page.get_by_test_id(f"wait-{moved['code']}-note")).to_be_visible(timeout=TIMEOUT)
    page.get_by_test_id("call-next").click()
    expect(page.get_by_test_id("call-next-no-show")).to_be_visible(timeout=TIMEOUT)
    expect(page.get_by_test_id("current-note")).to_contain_text(note)
    page.get_by_test_id("waiting-others").locator("summary").click()
    _fits(page)
    if page.viewport_size["width"] < 600:
        pair = page.get_by_test_id("call-pair").bounding_box()
        listed = page.get_by_test_id("waiting-list").bounding_box()
        current = page.locator("#current-card").bounding_box()
        assert current["y"] < pair["y"] < listed["y"]
    page.get_by_test_id("transfer").click()
    expect(page.get_by_test_id("transfer-counter-4")).to_be_visible()
    _fits(page, "#transfer-dialog")
