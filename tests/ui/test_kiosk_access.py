"""The kiosk without the touch screen (EN 301 549 / European Accessibility Act): keypad and
keyboard only, spoken guidance from the server's offline voices, time limits that warn and
extend, high contrast and large text. Real Chromium, the real server, real espeak-ng and sox.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from drivers.fakes import TestNetworkPrinter
from drivers.speech.words import code_words
from tests.ui.conftest import WAIT_MS, Site, axe_violations, describe, wait_until
from tests.ui.test_customer import tickets_in_db
from tests.ui.test_kiosk import LANGS, PORTRAIT, open_counters, post_bodies
from tests.ui.test_kiosk_printer import printer as printer  # a fixture

pytestmark = pytest.mark.skipif(
    not (shutil.which("espeak-ng") and shutil.which("soxi")),
    reason="spoken guidance needs espeak-ng and sox (apt-get install espeak-ng sox)",
)

# Every kind of pointer or touch event: none may reach a page driven by keys only.
POINTER_EVENTS = ["pointerdown", "pointerup", "mousedown", "mouseup", "touchstart", "touchend"]


@pytest.fixture
def keys(browser: Any) -> Iterator[Any]:
    """A portrait kiosk with a keypad: no touch screen, the mouse never moved."""
    ctx = browser.new_context(viewport=PORTRAIT, has_touch=False)
    yield ctx
    ctx.close()


class Speech:
    """What the page asked the server to say, and the clips it fetched."""

    def __init__(self, page: Any) -> None:
        self.asked: list[dict[str, Any]] = []  # {"lang", "phrases", "clips"}
        self.fetched: list[str] = []  # clip paths the page fetched, answered 200
        page.on("response", self._on_response)

    def _on_response(self, response: Any) -> None:
        url = response.url
        if response.request.method == "POST" and url.endswith("/speech") and response.ok:
            body = json.loads(response.request.post_data or "{}")
            self.asked.append({**body, "clips": response.json()["clips"]})
        elif "/api/v1/speech/clips/" in url and response.ok:
            self.fetched.append("/api/v1/speech/clips/" + url.split("/api/v1/speech/clips/")[1])

    def until(self, page: Any, check: Any, *, timeout_ms: int = WAIT_MS) -> None:
        """Wait until ``check(self)`` holds: the page's answers reach this side as events,
        which Playwright delivers while the test waits on the page."""
        deadline = time.monotonic() + timeout_ms / 1000
        while not check(self):
            if time.monotonic() > deadline:
                raise AssertionError(f"never heard: {self.asked}")
            page.wait_for_timeout(50)

    def clips_of(self, say: str) -> list[dict[str, Any]]:
        return [c for a in self.asked for c in a["clips"] if c["say"] == say]

    def texts(self) -> list[str]:
        return [c["text"] for a in self.asked for c in a["clips"]]

    def phrases(self) -> list[dict[str, Any]]:
        return [p for a in self.asked for p in a["phrases"]]


def open_keypad_kiosk(ctx: Any, site: Site, **params: Any) -> tuple[Any, Speech]:
    open_counters(site, "1", "4")
    page = ctx.new_page()
    speech = Speech(page)
    extra = "".join(f"&{k}={v}" for k, v in {"idle": 600, "back": 600, **params}.items())
    page.goto(f"{site.url}/kiosk/#token={site.devices['kiosk']}{extra}")
    expect(page.get_by_test_id("service-A")).to_be_visible()
    # Count every pointer event the page receives from now on.
    page.evaluate(
        """(types) => { window.__pointer = 0;
        for (const t of types) document.addEventListener(t, () => window.__pointer++, true); }""",
        POINTER_EVENTS,
    )
    return page, speech


def focused(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => { const el = document.activeElement;
        return { id: el.id, lang: el.dataset.lang || null, service: el.dataset.service || null,
                 say: el.dataset.say || null, tag: el.tagName }; }"""
    )


def press_until(page: Any, key: str, want: dict[str, Any], *, limit: int = 12) -> None:
    """Press ``key`` until the focused element has every attribute in ``want``."""
    for _ in range(limit):
        now = focused(page)
        if all(now.get(k) == v for k, v in want.items()):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{key} x{limit} never focused {want}; focus is on {focused(page)}")


def duration_s(site: Site, clip: str, tmp: Path) -> float:
    """The clip's length in seconds, fetched as the kiosk fetches it (its token)."""
    r = httpx.get(
        site.url + clip, headers={"Authorization": f"Bearer {site.devices['kiosk']}"}, timeout=120
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "audio/wav"
    path = tmp / "clip.wav"
    path.write_bytes(r.content)
    out = subprocess.run(["soxi", "-D", str(path)], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


@pytest.mark.parametrize("lang", LANGS)
def test_a_ticket_with_the_keyboard_only(site: Site, keys: Any, lang: str) -> None:
    page, speech = open_keypad_kiosk(keys, site)
    bodies = post_bodies(page)
    # The first key puts the focus on the first service, visibly.
    page.keyboard.press("Tab")
    expect(page.get_by_test_id("service-A")).to_be_focused()
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineWidth")
    assert float(outline.removesuffix("px")) >= 6, outline
    # Up to the languages (past the reading aids' row), across to this one, Enter.
    for _ in range(3):
        page.keyboard.press("ArrowUp")
        if focused(page)["lang"] is not None:
            break
    assert focused(page)["lang"] is not None, focused(page)
    press_until(page, "ArrowRight", {"lang": lang})
    page.keyboard.press("Enter")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    # Down to the services: the second one, Enter.
    press_until(page, "ArrowDown", {"service": "A"})
    press_until(page, "Tab", {"service": "B"})
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("ticket-code")).to_have_text("B001")
    expect(page.get_by_test_id("ticket-done")).to_be_focused()
    assert bodies[-1]["service"] == "B"
    assert bodies[-1]["lang"] == lang
    # Enter on "Done": the next customer's home screen, in the branch's language.
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("service-A")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert [t.code for t in tickets_in_db(site)] == ["B001"]
    assert page.evaluate("() => window.__pointer") == 0
    # Spoken all the way, in the language chosen (the keys started the guidance).
    speech.until(page, lambda s: any(a["lang"] == lang for a in s.asked))


def test_priority_ticket_and_escape_with_keys(site: Site, keys: Any) -> None:
    page, _ = open_keypad_kiosk(keys, site)
    page.keyboard.press("Tab")
    press_until(page, "ArrowDown", {"id": "priority-entry"})
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("priority-elderly")).to_be_focused()
    # Escape goes back a step, without issuing anything.
    page.keyboard.press("Escape")
    expect(page.get_by_test_id("priority-entry")).to_be_visible()
    press_until(page, "ArrowDown", {"id": "priority-entry"})
    page.keyboard.press("Enter")
    press_until(page, "ArrowRight", {"say": "reason_disabled"})
    page.keyboard.press("Enter")
    expect(page.locator("#priority-banner")).to_be_visible()
    expect(page.get_by_test_id("service-A")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#ticket-prio")).to_be_visible()
    rows = tickets_in_db(site)
    assert len(rows) == 1
    assert rows[0].priority is True
    assert page.evaluate("() => window.__pointer") == 0


def test_f1_starts_speech_from_the_server(site: Site, keys: Any, tmp_path: Path) -> None:
    page, speech = open_keypad_kiosk(keys, site)
    page.keyboard.press("F1")
    # The page asked for the home screen and the keys, in English, and played them in order.
    wait_until(page, "window.sira.speech.played.some((c) => c.say === 'keys')")
    order = page.evaluate("() => window.sira.speech.played.map((c) => c.say)")
    assert order[:2] == ["screen", "keys"], order
    speech.until(page, lambda s: s.clips_of("keys") and s.clips_of("keys")[0]["url"] in s.fetched)
    said = speech.phrases()
    assert {"say": "screen", "screen": "home"} in said
    assert {"say": "keys"} in said
    assert speech.asked[0]["lang"] == "en"
    played = page.evaluate("() => window.sira.speech.played.map((c) => c.text)")
    assert any("choose a service" in t.lower() for t in played), played
    # Each clip the page fetched is real speech: a WAV of a plausible length.
    assert speech.fetched
    for clip in set(speech.fetched):
        seconds = duration_s(site, clip, tmp_path)
        assert 0.4 < seconds < 60, (clip, seconds)
    # The keys help is the longest thing said: seconds, not a blip.
    keys_clip = speech.clips_of("keys")[0]
    assert duration_s(site, keys_clip["url"], tmp_path) > 3


def test_a_busy_server_is_asked_again(site: Site, keys: Any) -> None:
    """The server answers 503 + Retry-After while other kiosks' phrases are being made: the
    kiosk asks again when told, and the customer still hears what was refused."""
    page, _ = open_keypad_kiosk(keys, site)
    asked: list[tuple[int, list[str]]] = []  # (answer, the phrases' kinds)

    def busy_once(route: Any) -> None:
        kinds = [p["say"] for p in json.loads(route.request.post_data or "{}")["phrases"]]
        if not asked:
            asked.append((503, kinds))
            route.fulfill(
                status=503,
                headers={"Retry-After": "1", "Content-Type": "application/json"},
                body=json.dumps({"detail": "speech is busy making other phrases"}),
            )
        else:
            asked.append((200, kinds))
            route.continue_()

    page.route("**/speech", busy_once)
    page.keyboard.press("F1")
    wait_until(page, "window.sira.speech.played.some((c) => c.say === 'keys')")
    refused = asked[0][1]
    assert asked[0][0] == 503, asked
    assert (200, refused) in asked[1:], asked
    played = page.evaluate("() => window.sira.speech.played.map((c) => c.say)")
    assert set(refused) <= set(played), (refused, played)


@pytest.mark.parametrize("lang", LANGS)
def test_moving_the_focus_speaks_the_service(site: Site, keys: Any, lang: str) -> None:
    page, speech = open_keypad_kiosk(keys, site)
    page.get_by_test_id(f"lang-{lang}").press("Enter")  # a key on the language button
    page.keyboard.press("Tab")
    press_until(page, "ArrowDown", {"service": "A"})
    press_until(page, "Tab", {"service": "B"})
    name = page.get_by_test_id("service-B").locator(".svc-name").inner_text()
    # The last thing said is service B, by its name on the screen.
    wait_until(page, f"window.sira.speech.played.at(-1)?.text.startsWith({name!r})")
    # ... asked for by its code (answers may arrive out of order: an earlier focus's phrase,
    # answered after B's, is dropped by the page, not played).
    speech.until(
        page, lambda s: any(p["say"] == "service" and p["service"] == "B" for p in s.phrases())
    )
    # Numbers are words in every language: no digit is ever handed to the voice.
    assert not any(ch.isdigit() for t in speech.texts() for ch in t), speech.texts()
    # Said in the language chosen (the first key's welcome came before the choice).
    assert {a["lang"] for a in speech.asked if a["phrases"][0]["say"] == "service"} == {lang}


@pytest.mark.parametrize("lang", LANGS)
def test_the_number_is_spoken_as_the_display_announces_it(site: Site, keys: Any, lang: str) -> None:
    # Headphones (a headset-socket kiosk): the confirmation says the number.
    page, speech = open_keypad_kiosk(keys, site, audio="private")
    page.get_by_test_id(f"lang-{lang}").press("Enter")
    page.keyboard.press("Tab")
    press_until(page, "ArrowDown", {"service": "A"})
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("ticket-code")).to_have_text("A001")
    wait_until(page, "window.sira.speech.played.some((c) => c.say === 'ticket')")
    speech.until(page, lambda s: s.clips_of("ticket"))
    ticket = speech.clips_of("ticket")[0]
    assert code_words("A001", lang=lang) in ticket["text"], ticket["text"]


def test_the_loudspeaker_keeps_the_number_until_asked(
    site: Site,
    keys: Any,
    printer: TestNetworkPrinter,  # noqa: F811 (the fixture imported above)
) -> None:
    # The ticket is printed (a real test printer): the number is on paper, not said aloud.
    page, speech = open_keypad_kiosk(keys, site)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("ticket-code")).to_have_text("A001")
    printer.wait_for_receipts(1)
    wait_until(page, "window.sira.speech.played.some((c) => c.say === 'ticket')")
    spoken = code_words("A001", lang="en")
    speech.until(page, lambda s: s.clips_of("ticket"))
    first = [c["text"] for c in speech.clips_of("ticket")]
    assert spoken not in first[0], first
    # The customer asks (the help key): now it is said.
    page.keyboard.press("F1")
    wait_until(page, f"window.sira.speech.played.some((c) => c.text.includes({spoken!r}))")


def test_idle_warning_appears_and_a_key_extends_it(site: Site, keys: Any) -> None:
    # Speech on makes every limit three times longer: idle 1 s -> 3 s, warning 3 s -> 9 s.
    page, speech = open_keypad_kiosk(keys, site, idle=1, warn=3)
    page.keyboard.press("Tab")
    press_until(page, "ArrowDown", {"id": "priority-entry"})
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("priority-elderly")).to_be_focused()
    warning = page.get_by_test_id("idle-warning")
    expect(warning).to_be_visible()
    expect(page.get_by_test_id("idle-body")).to_contain_text("second")
    wait_until(
        page,
        "window.sira.speech.played.some((c) => c.say === 'screen' && /more time/i.test(c.text))",
    )
    # A key keeps the screen: the warning goes, the customer is where they were.
    page.keyboard.press("ArrowRight")
    expect(warning).to_be_hidden()
    expect(page.get_by_test_id("priority-elderly")).to_be_visible()
    assert page.evaluate("() => window.sira.state.view") == "priority"
    # The key only extended: it did not move the focus.
    expect(page.get_by_test_id("priority-elderly")).to_be_focused()
    # Nobody answers the next warning: home, speech off, for the next customer.
    expect(warning).to_be_visible()
    expect(page.get_by_test_id("priority-entry")).to_be_visible()
    expect(warning).to_be_hidden()
    assert page.evaluate("() => window.sira.speech.on") is False
    assert tickets_in_db(site) == []


def test_a_touch_extends_without_pressing_what_is_under_it(site: Site, browser: Any) -> None:
    ctx = browser.new_context(viewport=PORTRAIT, has_touch=True)
    try:
        open_counters(site, "1", "4")
        page = ctx.new_page()
        page.goto(f"{site.url}/kiosk/#token={site.devices['kiosk']}&idle=1&warn=30&back=1")
        page.get_by_test_id("service-A").tap()
        expect(page.get_by_test_id("ticket-code")).to_be_visible()
        expect(page.get_by_test_id("idle-warning")).to_be_visible()
        # The tap lands on the confirmation behind the dialog: it must keep it, not finish it.
        page.get_by_test_id("idle-more").tap()
        expect(page.get_by_test_id("idle-warning")).to_be_hidden()
        assert page.evaluate("() => window.sira.state.view") == "ticket"
        expect(page.get_by_test_id("ticket-code")).to_be_visible()
    finally:
        ctx.close()


def test_high_contrast_and_large_text(site: Site, keys: Any) -> None:
    page, _ = open_keypad_kiosk(keys, site)
    bodies = post_bodies(page)
    page.keyboard.press("Tab")
    press_until(page, "Tab", {"say": "high_contrast"})
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("toggle-contrast")).to_have_attribute("aria-pressed", "true")
    press_until(page, "Tab", {"say": "large_text"})
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("toggle-large")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("() => [...document.documentElement.classList].sort()") == [
        "high-contrast",
        "large-text",
    ]

    def check(screen: str) -> None:
        found = axe_violations(page)
        assert found == [], f"{screen}: {describe(found)}"
        contrast = [
            v
            for v in axe_violations(page, impacts=("minor", "moderate", "serious", "critical"))
            if v["id"].startswith("color-contrast")
        ]
        assert contrast == [], f"{screen}: {describe(contrast)}"
        wide = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert wide <= 1, f"{screen}: {wide}px wider than the screen"

    check("home")
    press_until(page, "Tab", {"id": "priority-entry"})
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("priority-elderly")).to_be_focused()
    check("priority")
    page.keyboard.press("Escape")
    press_until(page, "Tab", {"service": "A"})
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("ticket-code")).to_be_visible()
    check("ticket")
    # Large text asks for a large-print ticket.
    assert bodies[-1].get("large_print") is True
    # The next customer gets the kiosk as it was.
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("toggle-contrast")).to_have_attribute("aria-pressed", "false")
    assert page.evaluate("() => document.documentElement.classList.length") == 0


def test_speech_switched_off_stays_off_while_keys_are_pressed(site: Site, keys: Any) -> None:
    page, _ = open_keypad_kiosk(keys, site)
    sent: list[dict[str, Any]] = []  # every speech request, as the page sends it
    page.on(
        "request",
        lambda r: (
            sent.append(json.loads(r.post_data or "{}"))
            if r.method == "POST" and r.url.endswith("/speech")
            else None
        ),
    )
    page.keyboard.press("Tab")  # the first key: speech on
    expect(page.get_by_test_id("toggle-speech")).to_have_attribute("aria-pressed", "true")
    press_until(page, "Tab", {"say": "speech"})
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("toggle-speech")).to_have_attribute("aria-pressed", "false")
    before = len(sent)
    # Moving on with the keys does not turn it back on, nor ask for anything to be said.
    press_until(page, "Tab", {"service": "A"})
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => window.sira.speech.on") is False
    # The help key still does (the customer asks), and it is the first thing asked since.
    page.keyboard.press("F1")
    expect(page.get_by_test_id("toggle-speech")).to_have_attribute("aria-pressed", "true")
    wait_until(page, "window.sira.speech.played.some((c) => c.say === 'keys')")
    assert {"say": "keys"} in sent[before]["phrases"], sent[before:]


# The browser's view of the kiosk's audio outputs, as a kiosk PC reports them: a headphone
# socket appears as a new output when a plug goes in. Headless Chromium has no sound card, so
# the list and the routing call are stood in for; the kiosk's own logic runs as it is.
HEADPHONE_SOCKET = """
(() => {
  const outputs = [{ kind: "audiooutput", deviceId: "default", label: "" },
                   { kind: "audiooutput", deviceId: "speaker-1", label: "" }];
  window.__plug = () => {
    outputs.push({ kind: "audiooutput", deviceId: "headphones-1", label: "" });
    navigator.mediaDevices.dispatchEvent(new Event("devicechange"));
  };
  window.__sinks = [];
  navigator.mediaDevices.enumerateDevices = async () => outputs.map((d) => ({ ...d }));
  HTMLMediaElement.prototype.setSinkId = async function (id) { window.__sinks.push(id); };
})();
"""


def test_plugging_headphones_starts_private_speech(
    site: Site,
    keys: Any,
    printer: TestNetworkPrinter,  # noqa: F811 (the fixture imported above)
) -> None:
    keys.add_init_script(HEADPHONE_SOCKET)
    page, speech = open_keypad_kiosk(keys, site)
    assert page.evaluate("() => window.sira.speech.on") is False
    page.evaluate("() => window.__plug()")
    # Speech starts by itself, routed to the new output, in private mode: it says so.
    wait_until(page, "window.sira.speech.on && window.sira.speech.private")
    assert page.evaluate("() => window.__sinks") == ["headphones-1"]
    wait_until(page, "window.sira.speech.played.some((c) => c.say === 'audio_mode')")
    speech.until(page, lambda s: {"say": "audio_mode", "private": True} in s.phrases())
    # The confirmation then says the number unasked, though it is printed too.
    page.keyboard.press("Enter")  # the first item: service A
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("ticket-code")).to_have_text("A001")
    printer.wait_for_receipts(1)
    wait_until(page, "window.sira.speech.played.some((c) => c.say === 'ticket')")
    speech.until(page, lambda s: s.clips_of("ticket"))
    ticket = [p for p in speech.phrases() if p["say"] == "ticket"]
    assert ticket[-1]["print_status"] == "printed"
    assert ticket[-1]["spoken_number"] is True
