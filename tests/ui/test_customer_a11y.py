"""The customer's phone page (/t/{token}) against WCAG 2.2 AA, as the European Accessibility Act
asks of it: in every state the real API can put a ticket in (waiting, next, not served now,
called, called again, being served, done with the feedback form, its error, thanks,
transferred, cancelled, missed; an unknown ticket; no connection).

- axe-core with the WCAG 2.0/2.1/2.2 A and AA rules finds nothing, whatever the impact;
- zoomed to 200 % (a 1280×720 window: 640×360 CSS px at device scale 2) and reflowed to 320 CSS
  px (1.4.10): no sideways scrolling, all the words shown at 100 % still shown, none of them
  cut off or spilling out of its box, nothing over the ticket number;
- with WCAG 1.4.12's text spacing forced on: still nothing cut off or spilling;
- every control at least 24×24 CSS px (2.5.8); the called box stops pulsing within 5 s (2.2.2);
- tabbing through the page, each control shows a focus ring of its own, unclipped and under
  nothing that sticks to the screen (2.4.7, 2.4.11);
- <html lang> is the ticket's language (3.1.1); every change of state is told through a live
  region that was on the page before the change (4.1.3).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.ui.conftest import AXE, TIMEOUT_S, Site, describe, wait_until
from tests.ui.test_customer import PHONE, Teller, issue

LANGS = ["en", "tr", "el", "pl"]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

# A 1280×720 window at 100 %, the same window at 200 %, and WCAG 1.4.10's 320 CSS px (a
# 1280 px wide window at 400 %).
AT_100 = {"viewport": {"width": 1280, "height": 720}}
AT_200 = {"viewport": {"width": 640, "height": 360}, "device_scale_factor": 2}
AT_320 = {"viewport": {"width": 320, "height": 256}}
ON_PHONE = {"viewport": PHONE, "has_touch": True, "is_mobile": True}

# WCAG 1.4.12, as its understanding document's bookmarklet sets it. Added as a constructed
# style sheet: the page's CSP (style-src 'self') refuses a <style> element.
TEXT_SPACING = """(() => {
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(`* { line-height: 1.5 !important; letter-spacing: 0.12em !important;
                         word-spacing: 0.16em !important; }
                     p { margin-bottom: 2em !important; }`);
  const add = () => { document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet]; };
  if (document.documentElement) add(); else document.addEventListener('DOMContentLoaded', add);
})();"""

# Every text the page shows, where it is, and whether it is whole: inside the page's width,
# not cut by its own box (scrollWidth > clientWidth) nor by an ancestor that clips, no glyph
# sideways outside its own box or a box around it, no word broken mid-letters; and every box
# that covers the ticket number.
_LAYOUT = """() => {
  const W = document.documentElement.clientWidth;
  const shown = (el) => el.checkVisibility({opacityProperty: true, visibilityProperty: true})
    && !el.closest('.visually-hidden');
  const name = (el) => el.id ? `#${el.id}` : el.dataset.testid ? `[${el.dataset.testid}]`
    : `${el.tagName.toLowerCase()}.${String(el.className).split(' ')[0]}`;
  const textRects = (el) => [...el.childNodes]
    .filter((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim())
    .flatMap((n) => { const r = document.createRange(); r.selectNodeContents(n);
                      return [...r.getClientRects()]; })
    .filter((r) => r.width > 0);
  const clipOf = (el) => {
    const c = {left: 0, right: W, top: -Infinity, bottom: Infinity};
    for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
      const cs = getComputedStyle(a), b = a.getBoundingClientRect();
      if (cs.overflowX !== 'visible') { c.left = Math.max(c.left, b.left);
                                        c.right = Math.min(c.right, b.right); }
      if (cs.overflowY !== 'visible') { c.top = Math.max(c.top, b.top);
                                        c.bottom = Math.min(c.bottom, b.bottom); }
    }
    return c;
  };
  // A word (no-break spaces and word joiners keep a unit whole: "Counter 1", "10–15")
  // drawn on more than one line: broken mid-letters.
  const broken = (el) => [...el.childNodes]
    .filter((n) => n.nodeType === Node.TEXT_NODE)
    .flatMap((n) => [...n.textContent.matchAll(/[^ \\t\\n\\r]+/g)].filter((m) => {
      const r = document.createRange();
      r.setStart(n, m.index);
      r.setEnd(n, m.index + m[0].length);
      const tops = new Set([...r.getClientRects()].filter((x) => x.width > 0)
                             .map((x) => Math.round(x.top)));
      return tops.size > 1;
    }).map((m) => m[0]));
  const texts = [], outside = [], truncated = [], spills = [], clipped = [], split = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!shown(el)) continue;
    const box = el.getBoundingClientRect();
    if (box.width > 0 && (box.left < -0.5 || box.right > W + 0.5)) outside.push(name(el));
    const rects = textRects(el);
    if (!rects.length) continue;
    texts.push(el.innerText.replace(/\\s+/g, ' ').trim());
    const cs = getComputedStyle(el);
    if (cs.display !== 'inline' && (el.scrollWidth > el.clientWidth + 1
        || (cs.overflowY !== 'visible' && el.scrollHeight > el.clientHeight + 1))) {
      truncated.push(`${name(el)} ${el.scrollWidth}>${el.clientWidth}`);
    }
    // Sideways out of its own box or any box around it (a face's word over the next face).
    for (let a = el; a && a !== document.body; a = a.parentElement) {
      const b = a.getBoundingClientRect();
      if (rects.some((r) => r.left < b.left - 1 || r.right > b.right + 1)) {
        spills.push(a === el ? name(el) : `${name(el)} out of ${name(a)}`);
        break;
      }
    }
    split.push(...broken(el).map((w) => `${name(el)}: ${w}`));
    const c = clipOf(el);
    if (rects.some((r) => r.left < c.left - 0.5 || r.right > c.right + 0.5
                          || r.top < c.top - 0.5 || r.bottom > c.bottom + 0.5)) {
      clipped.push(name(el));
    }
  }
  const code = document.getElementById('code');
  const over = [];
  if (code && shown(code)) {
    const c = code.getBoundingClientRect();
    for (const el of document.body.querySelectorAll('*')) {
      if (el === code || el.contains(code) || !shown(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.width * r.height <= 1) continue;
      const x = Math.min(r.right, c.right) - Math.max(r.left, c.left);
      const y = Math.min(r.bottom, c.bottom) - Math.max(r.top, c.top);
      if (x > 0.5 && y > 0.5) over.push(name(el));
    }
  }
  const doc = document.documentElement;
  return {scrollWidth: doc.scrollWidth, clientWidth: doc.clientWidth, texts: texts.sort(),
          outside, truncated, spills, clipped, split, overCode: over};
}"""


def layout(page: Any) -> dict[str, Any]:
    return page.evaluate(_LAYOUT)


def assert_whole(page: Any, state: str, where: str, *, words: bool = True) -> dict[str, Any]:
    """Nothing sideways, cut, spilling or over the ticket number; with `words`, no word
    broken mid-letters either."""
    got = layout(page)
    label = f"{state}, {where}"
    if words:
        assert got["split"] == [], f"{label}: words broken mid-letters {got['split']}"
    assert got["scrollWidth"] <= got["clientWidth"] + 1, f"{label}: scrolls sideways {got}"
    assert got["outside"] == [], f"{label}: beyond the page's width {got['outside']}"
    assert got["truncated"] == [], f"{label}: text cut off {got['truncated']}"
    assert got["spills"] == [], f"{label}: text out of its box {got['spills']}"
    assert got["clipped"] == [], f"{label}: text clipped {got['clipped']}"
    assert got["overCode"] == [], f"{label}: over the ticket number {got['overCode']}"
    return got


# --- browser contexts, and the page's states driven through the real API ----------------------


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """A page in a context of its own (viewport, scale); the contexts close at the end, and a
    page that broke the server's CSP fails the test."""
    contexts: list[Any] = []
    refused: list[str] = []

    def make(options: dict[str, Any], init_script: str | None = None) -> Any:
        ctx = browser.new_context(**options)
        ctx.on(
            "console",
            lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
        )
        if init_script:
            ctx.add_init_script(init_script)
        contexts.append(ctx)
        return ctx.new_page()

    yield make
    for ctx in contexts:
        ctx.close()
    assert refused == [], "the page broke its CSP:\n" + "\n".join(refused)


def settle(pages: list[Any], expression: str) -> None:
    for page in pages:
        wait_until(page, expression)
    # A moment for what follows a drawing: an announcement, the faces refitted next frame.
    pages[0].wait_for_timeout(300)


def show(site: Site, pages: list[Any], token: str, expression: str) -> None:
    for page in pages:
        page.goto(f"{site.url}/t/{token}#poll=0.5")
    settle(pages, expression)


def status_is(status: str, extra: str = "true") -> str:
    return (
        f"document.getElementById('status')?.dataset.status === '{status}' "
        f"&& !document.getElementById('ticket').hidden && ({extra})"
    )


def states(site: Site, pages: list[Any], lang: str) -> Iterator[str]:
    """Drive tickets in `lang` through every state the API reaches; yields each state's name
    once every page shows it."""
    teller = Teller(site)
    teller.counter("1", "open")
    first = issue(site, "A", lang=lang)
    mine = issue(site, "A", lang=lang)
    show(
        site, pages, mine["token"], status_is("waiting", "window.sira.state.ticket.position === 2")
    )
    yield "waiting, one ahead"
    assert teller.counter("1", "call-next")["ticket"]["id"] == first["id"]
    settle(pages, status_is("waiting", "window.sira.state.ticket.position === 1"))
    yield "waiting, next"
    assert teller.counter("1", "call-next")["ticket"]["id"] == mine["id"]
    settle(pages, status_is("called", "!document.getElementById('your-turn').hidden"))
    yield "called"
    teller.counter("1", "recall")
    settle(pages, status_is("called", "window.sira.state.ticket.recall_count === 1"))
    yield "called again"
    teller.ticket(mine["id"], "serve")
    settle(pages, status_is("serving"))
    yield "being served"
    teller.ticket(mine["id"], "finish")
    settle(pages, status_is("done", "!document.getElementById('feedback').hidden"))
    yield "done, feedback form"
    for page in pages:
        page.locator("#feedback-submit").click()
    settle(pages, "!document.getElementById('feedback-error').hidden")
    yield "feedback without a face"
    for page in pages:
        # In one go: once one page has sent it, the others' next poll thanks them already.
        page.evaluate(
            """() => { if (document.getElementById('feedback').hidden) return;
                       document.querySelector('[data-score="4"]').click();
                       document.getElementById('feedback-submit').click(); }"""
        )
    settle(pages, "!document.getElementById('feedback-thanks').hidden")
    yield "thanks"

    # Priority, for a service no open counter serves: a sentence instead of a quote.
    other = issue(site, "C", lang=lang, priority=True, priority_reason="elderly")
    show(
        site,
        pages,
        other["token"],
        status_is("waiting", "window.sira.state.ticket.served_now === false"),
    )
    yield "waiting, not served now, priority"
    Teller(site, "teller4").counter("4", "open")  # counter 4 serves C
    settle(pages, status_is("waiting", "window.sira.state.ticket.served_now === true"))
    yield "waiting, a counter opened"
    r = httpx.post(
        f"{site.url}/api/v1/tickets/{other['id']}/transfer",
        json={"service": "B"},
        headers=teller.headers,
        timeout=TIMEOUT_S,
    )
    assert r.status_code == 200, r.text
    settle(pages, status_is("transferred", "!document.getElementById('note').hidden"))
    yield "transferred"
    teller.ticket(other["id"], "cancel")
    settle(pages, status_is("cancelled"))
    yield "cancelled"

    late = issue(site, "B", lang=lang)
    show(site, pages, late["token"], status_is("waiting"))
    second = Teller(site, "teller2")
    second.counter("2", "open")
    called = second.counter("2", "call-next")
    assert called["ticket"]["id"] == late["id"], called
    settle(pages, status_is("called"))
    second.ticket(late["id"], "no-show")
    settle(pages, status_is("no_show"))
    yield "missed"

    gone = issue(site, "B", lang=lang)
    show(site, pages, gone["token"], status_is("waiting"))
    for page in pages:
        page.route("**/api/v1/tickets/**", lambda route: route.abort())
    settle(pages, "!document.getElementById('offline').hidden")
    yield "no connection"
    for page in pages:
        page.unroute_all(behavior="ignoreErrors")

    for page in pages:
        page.goto(f"{site.url}/t/nosuchticket0000")
    settle(pages, "!document.getElementById('not-found').hidden")
    yield "unknown ticket"


ALL_STATES = 15


# --- axe-core -------------------------------------------------------------------------------


def axe_wcag(page: Any) -> dict[str, Any]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text())
    return page.evaluate(
        "async (tags) => await window.axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )


@pytest.mark.parametrize("where", ["phone", "200%"])
def test_axe_finds_nothing_in_any_state(site: Site, open_page: Any, where: str) -> None:
    """No violation of any impact: serious and critical, and moderate and minor too."""
    page = open_page(ON_PHONE if where == "phone" else AT_200)
    seen = 0
    for state in states(site, [page], "el"):
        result = axe_wcag(page)
        assert result["violations"] == [], f"{state}: {describe(result['violations'])}"
        # The rules ran: contrast and the page's language were checked, not skipped.
        passed = {rule["id"] for rule in result["passes"]}
        assert {"color-contrast", "html-has-lang", "html-lang-valid"} <= passed, (state, passed)
        if page.evaluate("!document.getElementById('feedback').hidden"):
            assert "target-size" in passed, (state, passed)
        seen += 1
    assert seen == ALL_STATES


# --- 200 % zoom and reflow (1.4.4, 1.4.10) ----------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_zoom_200_and_reflow_320_lose_nothing(site: Site, open_page: Any, lang: str) -> None:
    at_100 = open_page(AT_100)
    zoomed = {"200%": open_page(AT_200), "320 px": open_page(AT_320)}
    pages = [at_100, *zoomed.values()]
    seen = 0
    for state in states(site, pages, lang):
        for where, page in zoomed.items():
            got = assert_whole(page, state, where)
            # Every text shown at 100 % is shown, whole, zoomed (polled separately: give a
            # quote that moved between two polls the time to settle).
            for _ in range(20):
                want = layout(at_100)["texts"]
                if got["texts"] == want:
                    break
                page.wait_for_timeout(250)
                got = layout(page)
            assert want, state
            assert got["texts"] == want, (
                f"{state}, {where}: missing {sorted(set(want) - set(got['texts']))}, "
                f"extra {sorted(set(got['texts']) - set(want))}"
            )
        seen += 1
    assert seen == ALL_STATES


_FACE_ROWS = """() => new Set([...document.querySelectorAll('.face')]
  .map((f) => Math.round(f.getBoundingClientRect().top))).size"""


def test_the_faces_stay_five_across_while_their_words_fit(site: Site, open_page: Any) -> None:
    """The faces keep their row where every label's words fit their face, fold into a list
    (one face a row) where they do not, and come back when the screen widens again."""
    page = open_page(ON_PHONE)
    feedback_form(site, [page], "en")
    assert page.evaluate(_FACE_ROWS) == 1  # "Very good" fits a phone's fifth
    page.set_viewport_size({"width": 320, "height": 640})
    wait_until(page, f"({_FACE_ROWS})() === 5")
    assert_whole(page, "feedback form, English", "320 px")
    page.set_viewport_size(PHONE)
    wait_until(page, f"({_FACE_ROWS})() === 1")
    assert_whole(page, "feedback form, English", "phone")


# --- text spacing (1.4.12) ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_text_spacing_cuts_nothing(site: Site, open_page: Any, lang: str) -> None:
    pages = {
        "phone": open_page(ON_PHONE, TEXT_SPACING),
        "320 px": open_page(AT_320, TEXT_SPACING),
    }
    seen = 0
    for state in states(site, list(pages.values()), lang):
        for where, page in pages.items():
            # The spacing is on (else this checks nothing).
            spacing = page.evaluate(
                """() => { const cs = getComputedStyle(document.querySelector('main p'));
                           return [parseFloat(cs.letterSpacing) / parseFloat(cs.fontSize),
                                   parseFloat(cs.lineHeight) / parseFloat(cs.fontSize)]; }"""
            )
            assert spacing == [pytest.approx(0.12, abs=0.01), pytest.approx(1.5, abs=0.01)]
            # WCAG 1.4.12 asks for no loss: a long word may break to fit, none may be cut.
            assert_whole(page, state, f"{where}, text spacing", words=False)
        seen += 1
    assert seen == ALL_STATES


# --- target size (2.5.8) and focus (2.4.7, 2.4.11) ---------------------------------------------

_TARGETS = """() => [...document.querySelectorAll(
    'a[href], button, input, select, textarea, summary, [role=button], [tabindex]')]
  .filter((el) => el.checkVisibility() && el.tabIndex >= 0)
  .map((el) => { const r = el.getBoundingClientRect();
                 return {name: el.dataset.testid || el.id, width: r.width, height: r.height}; })"""


def feedback_form(site: Site, pages: list[Any], lang: str = "pl") -> dict[str, Any]:
    teller = Teller(site)
    teller.counter("1", "open")
    mine = issue(site, "A", lang=lang)
    teller.counter("1", "call-next")
    teller.ticket(mine["id"], "finish")
    show(
        site, pages, mine["token"], status_is("done", "!document.getElementById('feedback').hidden")
    )
    return mine


def test_every_control_is_at_least_24px(site: Site, open_page: Any) -> None:
    pages = {"phone": open_page(ON_PHONE), "200%": open_page(AT_200), "320 px": open_page(AT_320)}
    feedback_form(site, list(pages.values()))
    for where, page in pages.items():
        targets = page.evaluate(_TARGETS)
        assert len(targets) == 7, (where, targets)  # five faces, the comment, "send"
        small = [t for t in targets if t["width"] < 24 or t["height"] < 24]
        assert small == [], (where, small)


# The focused control: its ring (outline or box-shadow, and what it looks like unfocused),
# whether the ring is cut by an ancestor or the page's edge, and whether anything fixed or
# sticky lies over it or a point of it belongs to something else.
_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const cs = getComputedStyle(el), r = el.getBoundingClientRect();
  const ring = parseFloat(cs.outlineWidth) > 0 && cs.outlineStyle !== 'none'
    ? parseFloat(cs.outlineOffset) + parseFloat(cs.outlineWidth) : 0;
  const outer = {left: r.left - ring, right: r.right + ring, top: r.top - ring,
                 bottom: r.bottom + ring};
  const W = document.documentElement.clientWidth, H = innerHeight;
  let cut = outer.left < 0 || outer.right > W;
  for (let a = el.parentElement; a && a !== document.documentElement; a = a.parentElement) {
    const acs = getComputedStyle(a), b = a.getBoundingClientRect();
    if (acs.overflowX !== 'visible' && (outer.left < b.left || outer.right > b.right)) cut = true;
    if (acs.overflowY !== 'visible' && (outer.top < b.top || outer.bottom > b.bottom)) cut = true;
  }
  const overlap = (b) => Math.min(b.right, outer.right) > Math.max(b.left, outer.left)
    && Math.min(b.bottom, outer.bottom) > Math.max(b.top, outer.top);
  const stuck = [...document.body.querySelectorAll('*')].filter((o) => {
    const p = getComputedStyle(o).position;
    return (p === 'fixed' || p === 'sticky') && !o.contains(el) && o.checkVisibility()
      && overlap(o.getBoundingClientRect());
  }).map((o) => o.id || o.className);
  // Its middle and the middle of each edge, just inside (its corners may be rounded off).
  const x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2, inset = 3;
  const points = [[x, y], [x, r.top + inset], [x, r.bottom - inset], [r.left + inset, y],
                  [r.right - inset, y]];
  // Scrolled into view (a tall box at least partly: the browser shows its caret), and each
  // of those points that is on the screen is the control's own.
  const onScreen = points.filter(([px, py]) => px >= 0 && py >= 0 && px < W && py < H);
  const covered = onScreen.filter(([px, py]) => {
    const hit = document.elementFromPoint(px, py);
    return !hit || !(hit === el || el.contains(hit));
  }).map(([px, py]) => `${Math.round(px)},${Math.round(py)}: `
                        + `${document.elementFromPoint(px, py)?.id}`);
  let bg = 'rgba(0, 0, 0, 0)';
  for (let a = el.parentElement; a; a = a.parentElement) {
    const c = getComputedStyle(a).backgroundColor;
    if (!/rgba\\(.*, 0\\)$/.test(c)) { bg = c; break; }
  }
  return {name: el.dataset.testid || el.id || el.tagName, visible: el.matches(':focus-visible'),
          outline: `${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}`,
          outlineWidth: parseFloat(cs.outlineWidth), outlineStyle: cs.outlineStyle,
          outlineColor: cs.outlineColor, shadow: cs.boxShadow, background: bg,
          cut, stuck, covered, onScreen: onScreen.length};
}"""

_UNFOCUSED = """() => Object.fromEntries([...document.querySelectorAll('button, textarea')]
  .map((el) => { const cs = getComputedStyle(el);
                 const ring = `${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}`;
                 return [el.dataset.testid || el.id, `${ring}|${cs.boxShadow}`]; }))"""


def _rgb(css: str) -> tuple[float, ...]:
    return tuple(float(x) for x in re.findall(r"[\d.]+", css)[:3])


def _contrast(a: str, b: str) -> float:
    def lum(rgb: tuple[float, ...]) -> float:
        def ch(c: float) -> float:
            c /= 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        r, g, bl = (ch(c) for c in rgb)
        return 0.2126 * r + 0.7152 * g + 0.0722 * bl

    hi, lo = sorted((lum(_rgb(a)), lum(_rgb(b))), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def tab_through(page: Any) -> list[dict[str, Any]]:
    """Tab from the top of the page until focus comes round again; each stop, as _FOCUSED."""
    unfocused = page.evaluate(_UNFOCUSED)
    page.evaluate("document.activeElement?.blur()")
    stops: list[dict[str, Any]] = []
    for _ in range(30):
        page.keyboard.press("Tab")
        got = page.evaluate(_FOCUSED)
        if got is None or (stops and got["name"] == stops[0]["name"]):
            break
        got["unfocused"] = unfocused.get(got["name"])
        stops.append(got)
    return stops


def assert_ring(stop: dict[str, Any], where: str) -> None:
    label = f"{where}: {stop['name']}"
    assert stop["visible"], f"{label} does not match :focus-visible"
    ringed = stop["outlineStyle"] != "none" and stop["outlineWidth"] >= 2
    mine = f"{stop['outline']}|{stop['shadow']}"
    assert ringed or stop["shadow"] != "none", f"{label}: no outline nor box-shadow {stop}"
    assert mine != stop["unfocused"], f"{label}: looks the same focused and not {stop}"
    if ringed:
        assert _contrast(stop["outlineColor"], stop["background"]) >= 3, (
            f"{label}: faint ring {stop}"
        )
    assert not stop["cut"], f"{label}: the ring is cut off {stop}"
    assert stop["stuck"] == [], f"{label}: under something fixed {stop}"
    assert stop["onScreen"] >= 1, f"{label}: not scrolled into view {stop}"
    assert stop["covered"] == [], f"{label}: covered {stop}"


def test_focus_is_visible_and_never_hidden(site: Site, open_page: Any) -> None:
    pages = {"phone": open_page(ON_PHONE), "200%": open_page(AT_200), "320 px": open_page(AT_320)}
    feedback_form(site, list(pages.values()))
    order = [f"feedback-score-{n}" for n in range(1, 6)] + ["feedback-comment", "feedback-submit"]
    for where, page in pages.items():
        stops = tab_through(page)
        assert [s["name"] for s in stops] == order, where
        for stop in stops:
            assert_ring(stop, where)
    # By keyboard to the end: a face with the space bar, "send" with Enter; the thanks take
    # the focus (the form it was in is gone) and show it.
    page = pages["200%"]
    page.evaluate("document.activeElement?.blur()")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    expect(page.get_by_test_id("feedback-score-2")).to_have_attribute("aria-pressed", "true")
    for _ in range(5):  # faces 3, 4 and 5, the comment, "send"
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "feedback-submit"
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("feedback-thanks")).to_be_visible()
    wait_until(page, "document.activeElement?.id === 'feedback-thanks'")
    stop = page.evaluate(_FOCUSED)
    stop["unfocused"] = None
    assert_ring(stop, "200%, thanks")


# --- movement (2.2.2) -----------------------------------------------------------------------------


def test_the_call_stops_moving_within_five_seconds(site: Site, open_page: Any) -> None:
    """The called box pulses to catch the eye; moving content that starts by itself must stop
    within five seconds (or have a pause button)."""
    page = open_page(ON_PHONE)
    mine = issue(site, "A")
    page.goto(f"{site.url}/t/{mine['token']}#poll=0.5")
    wait_until(page, status_is("waiting"))
    teller = Teller(site)
    teller.counter("1", "open")
    teller.counter("1", "call-next")
    wait_until(page, status_is("called", "!document.getElementById('your-turn').hidden"))
    ends = page.evaluate(
        """document.getAnimations().map((a) => [a.effect.target.id,
                                                 a.effect.getComputedTiming().endTime])"""
    )
    assert "your-turn" in [target for target, _ in ends], ends  # the pulse: what this checks
    assert all(end <= 5000 for _, end in ends), ends


# --- language (3.1.1) and status messages (4.1.3) ----------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_page_is_in_the_tickets_language(site: Site, open_page: Any, lang: str) -> None:
    page = open_page(ON_PHONE)
    mine = issue(site, "A", lang=lang)
    page.goto(f"{site.url}/t/{mine['token']}#poll=0.5")
    wait_until(page, status_is("waiting"))
    words = page.evaluate(
        "async (lang) => (await import('/customer/strings.js')).STRINGS[lang]", lang
    )
    assert page.evaluate("document.documentElement.lang") == lang
    expect(page.get_by_test_id("status")).to_have_text(words["status_waiting"])
    expect(page.locator("h1")).to_have_text(words["your_ticket"])
    assert page.title().startswith(words["doc_title"])
    # No part of the page says it is in another language.
    assert page.evaluate("[...document.querySelectorAll('body [lang]')].map((el) => el.lang)") == []
    assert page.evaluate("[...window.sira.i18n.missing]") == []


# Every non-empty new text of a live region that was on the page (rendered, not hidden) before
# it changed: what a screen reader reads out as the page updates itself.
_LISTEN = """(() => {
  window.__said = [];
  const seen = new Map();
  const on = (el) => el.isConnected && el.checkVisibility() && !el.closest('[aria-hidden=true]');
  const look = () => {
    for (const el of document.querySelectorAll(
        '[aria-live]:not([aria-live=off]), [role=status], [role=alert], [role=log]')) {
      const now = {on: on(el), text: el.textContent.replace(/\\s+/g, ' ').trim()};
      const before = seen.get(el);
      if (before && before.on && now.on && now.text && now.text !== before.text) {
        const live = el.getAttribute('aria-live')
          || (el.getAttribute('role') === 'alert' ? 'assertive' : 'polite');
        window.__said.push({region: el.id, live, text: now.text});
      }
      seen.set(el, now);
    }
  };
  new MutationObserver(look).observe(document,
    {subtree: true, childList: true, characterData: true, attributes: true});
})();"""


def test_every_change_of_state_is_announced(site: Site, open_page: Any) -> None:
    page = open_page(ON_PHONE, _LISTEN)
    # What each state must say (in the page's own words), and how urgently; None: any.
    expect_said = {
        "waiting, next": (["position_next"], None),
        "called": (["your_turn", "Counter 1"], "assertive"),
        "called again": (["your_turn", "Counter 1"], "assertive"),
        "being served": (["serving_at", "Counter 1"], None),
        "done, feedback form": (["status_done", "rate_below"], None),
        "feedback without a face": (["choose_score"], "assertive"),
        "waiting, a counter opened": (["position_label", "wait_label"], None),
        "transferred": (["Accounts and cards", "position_label"], None),
        "cancelled": (["cancelled_note"], None),
        "missed": (["no_show_note"], None),
        "no connection": (["offline"], None),
    }
    # Opened anew: read as a page, nothing to announce.
    opened = {"waiting, one ahead", "waiting, not served now, priority", "unknown ticket"}
    heard: list[str] = []
    document, read = None, 0

    def fresh() -> list[dict[str, str]]:
        """What was said since last asked (a page opened anew keeps its own record)."""
        nonlocal document, read
        said, origin = page.evaluate("[window.__said, performance.timeOrigin]")
        if origin != document:
            document, read = origin, 0
        new, read = said[read:], len(said)
        return list(new)

    for state in states(site, [page], "en"):
        new = fresh()
        if state in opened:
            heard.append(f"{state}: {new}")
            continue
        if state == "thanks":
            # Sent from the form, which is gone with its button: the focus moves to the
            # thanks, where a screen reader reads them (not said twice through a region).
            assert page.evaluate("document.activeElement?.id") == "feedback-thanks"
            continue
        keys, live = expect_said[state]
        words = [
            page.evaluate("(k) => window.sira.i18n.t(k).replace(/\\s+/g, ' ')", k)
            if re.fullmatch(r"[a-z_]+", k)
            else k
            for k in keys
        ]
        # Said a moment after the change (a region emptied, then filled, is read again).
        for _ in range(30):
            if any(all(w in s["text"] for w in words) for s in new):
                break
            page.wait_for_timeout(100)
            new += fresh()
        heard.append(f"{state}: {new}")
        match = [s for s in new if all(w in s["text"] for w in words)]
        assert match, f"{state}: nothing said with {words}; heard:\n" + "\n".join(heard)
        if live:
            assert any(s["live"] == live for s in match), (state, match)
        if state == "waiting, a counter opened":
            unserved = page.evaluate("window.sira.i18n.t('wait_unserved')")
            assert all(unserved not in s["text"] for s in match), match
