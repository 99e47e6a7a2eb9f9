"""The staff screens on a phone: the top bar wraps onto rows of its own instead of overflowing
the screen or laying its parts over each other, in English and in Turkish (longer words)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.ui.test_manager import sign_in as manager_sign_in
from tests.ui.test_teller import TIMEOUT, open_console

# Every visible part of the bar: inside the screen, and no two of them overlapping.
_LAYOUT = """() => {
  const bar = document.querySelector('.topbar');
  const parts = [...bar.querySelectorAll(
    '.brand, .tab, .branch-name, .live-dot, .who, .btn, .lang-pick, .counter-badge, .state-pill')]
    .filter((el) => el.offsetParent !== null && el.getBoundingClientRect().width > 0);
  const boxes = parts.map((el) => {
    const r = el.getBoundingClientRect();
    return {name: el.id || el.className, left: r.left, right: r.right, top: r.top,
            bottom: r.bottom, tab: el.classList.contains('tab')};
  });
  const outside = boxes.filter((b) => !b.tab && (b.left < 0 || b.right > innerWidth + 0.5))
    .map((b) => b.name);
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.left < b.right - 0.5 && b.left < a.right - 0.5 &&
          a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5) overlaps.push([a.name, b.name]);
    }
  }
  const tabs = bar.querySelector('.tabs');
  return {
    outside, overlaps, parts: boxes.length,
    pageScrolls: document.documentElement.scrollWidth > innerWidth,
    tabsScroll: tabs ? tabs.scrollWidth > tabs.clientWidth : false,
  };
}"""


def _check(page: Any) -> dict[str, Any]:
    got = page.evaluate(_LAYOUT)
    assert got["parts"] >= 4, got
    assert got["outside"] == [], got
    assert got["overlaps"] == [], got
    assert not got["pageScrolls"], got
    return got


@pytest.fixture(params=[False, True], ids=["en", "tr"])
def turkish(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A page 360 px wide."""
    ctx = browser.new_context(viewport={"width": 360, "height": 740})
    yield ctx.new_page()
    ctx.close()


def _language(page: Any, turkish: bool) -> None:
    expect(page.get_by_test_id("sign-out")).to_be_visible(timeout=TIMEOUT)  # signed in: bar full
    if turkish:
        page.get_by_test_id("lang-select").select_option("tr")
        expect(page.get_by_test_id("sign-out")).to_have_text("Çıkış yap")


def test_manager_top_bar_on_a_phone(site: Any, phone: Any, turkish: bool) -> None:
    manager_sign_in(phone, site)
    expect(phone.get_by_test_id("tab-standards")).to_be_visible(timeout=TIMEOUT)
    _language(phone, turkish)
    _check(phone)
    # Every tab stays reachable (the row of tabs scrolls sideways when it does not fit) and
    # no tab's page is wider than the phone: wide tables scroll inside their cards.
    for name, ready in (("reports", "#staffing tr"), ("standards", "#standards tr")):
        tab = phone.get_by_test_id(f"tab-{name}")
        tab.click()
        expect(tab).to_have_attribute("aria-current", "page", timeout=TIMEOUT)
        expect(tab).to_be_in_viewport()
        phone.wait_for_selector(ready, timeout=TIMEOUT)
        _check(phone)


def test_teller_top_bar_on_a_phone(site: Any, phone: Any, turkish: bool) -> None:
    open_console(phone, site)
    _language(phone, turkish)
    _check(phone)
    expect(phone.get_by_test_id("sign-out")).to_be_in_viewport()
