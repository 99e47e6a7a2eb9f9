"""The customer's phone page under real use (issue 13): a counter's name stays whole on a narrow
phone, the service (and priority) are shown, "being served" names the counter serving them, a
transfer shows the new queue and never the old counter, and counts read right in every
language."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.ui.conftest import TIMEOUT_S, Site
from tests.ui.test_customer import Teller, issue
from tests.ui.test_display_catch_up import rename_counter

LANGS = ["en", "tr", "el", "pl"]
NARROW = {"width": 320, "height": 640}
# The word each language names a counter with (any case or ending).
COUNTER_WORD = {"en": "counter", "tr": "gişe", "el": "θυρίδ", "pl": "stanowisk"}


@pytest.fixture
def narrow(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport=NARROW, has_touch=True, is_mobile=True)
    yield ctx.new_page()
    ctx.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True)
    yield ctx.new_page()
    ctx.close()


# The counter's word and its number inside `root`: the lines they are drawn on.
_LINES = """([root, word, number]) => {
  const el = document.querySelector(root);
  const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let text = '';
  while (walk.nextNode()) {
    nodes.push([walk.currentNode, text.length]);
    text += walk.currentNode.textContent;
  }
  const lower = text.toLocaleLowerCase();
  const words = [...lower.matchAll(new RegExp(word, 'g'))].map((m) => m.index);
  const n = [...text.matchAll(new RegExp(`(?<!\\\\d)${number}(?!\\\\d)`, 'g'))].map((m) => m.index);
  if (!words.length || !n.length) return {text, found: false};
  // The word and the number closest together name the counter.
  const pairs = words.flatMap((w) => n.map((x) => [w, x]));
  const [w, nearest] = pairs.sort((a, b) => Math.abs(a[0] - a[1]) - Math.abs(b[0] - b[1]))[0];
  const start = Math.min(w, nearest);
  const end = Math.max(w + word.length, nearest + number.length);
  const at = (i) => {
    const [node, off] = nodes.filter(([, o]) => o <= i).pop();
    return [node, i - off];
  };
  const range = document.createRange();
  range.setStart(...at(start));
  range.setEnd(...at(end - 1));
  range.setEnd(range.endContainer, range.endOffset + 1);
  const tops = [...range.getClientRects()].filter((r) => r.width > 0).map((r) => r.top);
  const lineHeight = parseFloat(getComputedStyle(range.startContainer.parentElement).fontSize);
  return {text, found: true, lines: tops.length ? (Math.max(...tops) - Math.min(...tops)) /
          lineHeight : null, overflows: document.documentElement.scrollWidth > innerWidth};
}"""


def counter_lines(page: Any, root: str, lang: str, number: str = "1") -> dict[str, Any]:
    return page.evaluate(_LINES, [root, COUNTER_WORD[lang], number])


@pytest.mark.parametrize("lang", LANGS)
def test_a_counter_name_stays_on_one_line(site: Site, narrow: Any, lang: str) -> None:
    mine = issue(site, lang=lang)
    narrow.goto(f"{site.url}/t/{mine['token']}#poll=0.5")
    expect(narrow.get_by_test_id("position")).to_have_text("1")
    teller = Teller(site)
    teller.counter("1", "open")
    teller.counter("1", "call-next")
    expect(narrow.get_by_test_id("your-turn")).to_be_visible()
    got = counter_lines(narrow, "#your-turn", lang)
    assert got["found"], got
    assert got["lines"] < 0.5, got  # the word and its number on one line
    assert not got["overflows"], got
    teller.ticket(mine["id"], "serve")
    expect(narrow.get_by_test_id("status")).to_have_attribute("data-status", "serving")
    got = counter_lines(narrow, "#serving", lang)
    assert got["found"], got
    assert got["lines"] < 0.5, got
    assert not got["overflows"], got


def test_being_served_names_the_counter_serving_them(site: Site, phone: Any) -> None:
    teller = Teller(site)
    rename_counter(site, teller, "2", "Gişe 2")  # a branch that names its counters itself
    mine = issue(site, lang="tr")
    phone.goto(f"{site.url}/t/{mine['token']}#poll=0.5")
    expect(phone.get_by_test_id("position")).to_have_text("1")
    teller.counter("2", "open")
    teller.counter("2", "call-next")
    turn = phone.get_by_test_id("your-turn")
    expect(turn).to_be_visible()
    expect(turn).to_contain_text("Gişe\u00a02")
    assert "numaralı gişe" not in turn.inner_text()  # never "Gişe 2 numaralı gişeye"
    teller.ticket(mine["id"], "serve")
    expect(phone.get_by_test_id("status")).to_have_text("Hizmet alıyor")
    expect(turn).to_be_hidden()
    serving = phone.get_by_test_id("serving")
    expect(serving).to_be_visible()
    expect(phone.get_by_test_id("serving-counter")).to_have_text("Gişe\u00a02")
    body = phone.locator("body").inner_text()
    assert "gidin" not in body  # nothing says "go to" while they are at the counter
    assert "numaralı gişe" not in body


def test_a_transfer_shows_the_new_queue_never_the_old_counter(site: Site, phone: Any) -> None:
    # Every rendering of the ticket after the transfer is kept and read.
    phone.add_init_script(
        """window.__afterTransfer = [];
        new MutationObserver(() => {
          const s = document.getElementById('status');
          if (s && s.dataset.status === 'transferred') {
            window.__afterTransfer.push(document.getElementById('ticket').innerText);
          }
        }).observe(document, {subtree: true, childList: true, characterData: true,
                              attributes: true});"""
    )
    mine = issue(site, "A")
    phone.goto(f"{site.url}/t/{mine['token']}#poll=0.5")
    teller = Teller(site)
    teller.counter("1", "open")
    teller.counter("1", "call-next")
    status = phone.get_by_test_id("status")
    expect(status).to_have_attribute("data-status", "called")
    expect(phone.get_by_test_id("your-turn")).to_contain_text(re.compile(r"counter\W1", re.I))
    r = httpx.post(
        f"{site.url}/api/v1/tickets/{mine['id']}/transfer",
        json={"service": "C"},
        headers=teller.headers,
        timeout=TIMEOUT_S,
    )
    assert r.status_code == 200, r.text
    expect(status).to_have_attribute("data-status", "transferred")
    expect(phone.locator("#note")).to_contain_text("Loans and investments")
    expect(phone.get_by_test_id("service")).to_have_text("Loans and investments")
    expect(phone.get_by_test_id("position")).to_have_text("1")
    expect(phone.get_by_test_id("your-turn")).to_be_hidden()
    seen = phone.evaluate("window.__afterTransfer")
    assert seen
    for text in seen:
        assert not re.search(r"counter\W+1\b", text, re.IGNORECASE), text


def test_the_service_and_priority_are_shown(site: Site, phone: Any) -> None:
    """The phone names the service in the customer's language and says it is a priority
    ticket (never why)."""
    mine = issue(site, "B", lang="pl", priority=True, priority_reason="elderly")
    phone.goto(f"{site.url}/t/{mine['token']}#poll=30")
    expect(phone.get_by_test_id("service")).to_have_text("Konta i karty")
    expect(phone.get_by_test_id("priority")).to_have_text("Priorytet")
    assert "elderly" not in phone.content()
    plain = issue(site, "B", lang="en")
    phone.goto(f"{site.url}/t/{plain['token']}#poll=30")
    expect(phone.get_by_test_id("service")).to_have_text("Accounts and cards")
    expect(phone.get_by_test_id("priority")).to_be_hidden()


def test_a_service_nobody_serves_now_is_said_not_quoted(site: Site, phone: Any) -> None:
    """With no open counter for its service the phone said "You are next · Any moment now"
    while the kiosk said the service was not served right now."""
    mine = issue(site, "C", lang="en")
    phone.goto(f"{site.url}/t/{mine['token']}#poll=1")
    wait = phone.get_by_test_id("wait")
    expect(wait).to_have_text(
        "No counter is serving this right now. Please stay: staff can see you are waiting."
    )
    expect(phone.get_by_text("Any moment now")).to_have_count(0)
    status = httpx.get(
        f"{site.url}/api/v1/tickets/by-token/{mine['token']}", timeout=TIMEOUT_S
    ).json()
    assert status["served_now"] is False
    # A counter serving C opens: the page quotes again.
    Teller(site, "teller4").counter("4", "open")
    expect(wait).to_have_text("Any moment now")


# How many people are ahead, as each language says it (Polish has three forms for integers).
AHEAD = {
    "pl": {5: "5 osób przed Tobą", 2: "2 osoby przed Tobą", 1: "1 osoba przed Tobą"},
    "el": {5: "5 άτομα πριν από εσάς", 2: "2 άτομα πριν από εσάς", 1: "1 άτομο πριν από εσάς"},
    "en": {5: "5 people ahead of you", 2: "2 people ahead of you", 1: "1 person ahead of you"},
    "tr": {5: "Önünüzde 5 kişi var", 2: "Önünüzde 2 kişi var", 1: "Önünüzde 1 kişi var"},
}


@pytest.mark.parametrize("lang", list(AHEAD))
def test_counts_follow_the_languages_plural_rules(site: Site, phone: Any, lang: str) -> None:
    for _ in range(5):
        issue(site, "A")
    mine = issue(site, "A", lang=lang)
    phone.goto(f"{site.url}/t/{mine['token']}#poll=0.5")
    teller = Teller(site)
    teller.counter("1", "open")
    before = 5
    for n, text in AHEAD[lang].items():
        for _ in range(before - n):
            teller.counter("1", "call-next")
        before = n
        expect(phone.locator("#ahead")).to_have_text(text)
    assert phone.evaluate("[...window.sira.i18n.missing]") == []


def test_every_count_has_every_plural_form_and_no_brackets(site: Site, phone: Any) -> None:
    phone.goto(f"{site.url}/t/nosuchticket0000")
    expect(phone.get_by_test_id("not-found")).to_be_visible()
    found = phone.evaluate(
        """async () => {
          const { neededForms } = await import('/ui/plural.js');
          const out = {missing: [], brackets: []};
          for (const page of ['customer', 'kiosk', 'display']) {
            const m = await import(`/${page}/strings.js`);
            for (const [lang, dict] of Object.entries(m.STRINGS)) {
              for (const [key, text] of Object.entries(dict)) {
                if (/\\(\\p{L}{1,3}\\)/u.test(text)) out.brackets.push(`${page}.${lang}.${key}`);
              }
              for (const [key, forms] of Object.entries((m.PLURALS || {})[lang] || {})) {
                for (const form of neededForms(lang)) {
                  if (!forms[form]) out.missing.push(`${page}.${lang}.${key}.${form}`);
                }
              }
            }
            const langs = Object.keys(m.PLURALS || {}).sort().join();
            if (m.PLURALS && langs !== Object.keys(m.STRINGS).sort().join()) {
              out.missing.push(`${page}: plural languages ${langs}`);
            }
            const keys = (l) => Object.keys((m.PLURALS || {})[l] || {}).sort().join();
            for (const lang of Object.keys(m.PLURALS || {})) {
              if (keys(lang) !== keys('en')) out.missing.push(`${page}.${lang}: plural keys`);
            }
          }
          out.customerHasPlurals = Boolean((await import('/customer/strings.js')).PLURALS);
          return out;
        }"""
    )
    assert found == {"missing": [], "brackets": [], "customerHasPlurals": True}, json.dumps(found)
