"""Spoken guidance (``POST /branches/{code}/speech``, ``GET /speech/clips/{name}``) tried by a
hostile or broken client: every role and token, malformed bodies, bounded values pushed past
their bounds, clip names that reach for other files, the cache under a flood, and the logs.

Each test states the behaviour the API should have; one that fails names a problem.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from drivers.speech.synth import AnnouncementCache
from server.admin import service as admin
from server.auth.principal import Role
from server.config import Settings
from server.guidance import router as guidance_router
from server.models import Device, User
from tests.support import (
    BranchKit,
    admin_token,
    live_server,
    make_branch,
    skip_or_fail,
    staff_token,
)

HOME = {"say": "screen", "screen": "home"}
LANGS = ["en", "tr", "el", "pl"]
WEEK_S = 7 * 24 * 3600
# A request that hangs past this has queued behind work it had no need to wait for (the
# blocked synthesis is held for much longer, so a loaded machine is not mistaken for it).
PROMPT_S = 40.0


@pytest.fixture(autouse=True)
def _needs_tools() -> None:
    missing = [t for t in ("espeak-ng", "sox", "soxi") if shutil.which(t) is None]
    if missing:
        skip_or_fail(f"spoken guidance needs {', '.join(missing)} (apt-get install espeak-ng sox)")


def speech_url(code: str) -> str:
    return f"/api/v1/branches/{code}/speech"


def speak(client: TestClient, kit: BranchKit, body: Any, who: str = "kiosk") -> Any:
    return client.post(speech_url(kit.code), json=body, headers=kit.auth(who))


def issue(client: TestClient, kit: BranchKit, service: str = "A") -> dict[str, Any]:
    r = client.post(
        f"/api/v1/branches/{kit.code}/tickets", json={"service": service}, headers=kit.auth("kiosk")
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def readable_4xx(r: Any) -> None:
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    detail = r.json()["detail"]
    assert isinstance(detail, str), detail
    assert detail.strip()


# -- factories (run through ``make``)


def revoke_kiosk(session: Session, *, kit: BranchKit, now: dt.datetime) -> None:
    device = session.exec(
        select(Device).where(Device.branch_id == kit.branch_id, Device.kind == Role.KIOSK)
    ).one()
    admin.deactivate_device(session, device, now=now)


def expired_manager_token(session: Session, *, kit: BranchKit, now: dt.datetime) -> str:
    user = session.get(User, kit.user_ids["manager"])
    assert user is not None
    return staff_token(session, user, now=now - dt.timedelta(days=2), ttl_s=3600)


def oversee(session: Session, *, kit: BranchKit, codes: list[str]) -> None:
    user = session.get(User, kit.user_ids["manager"])
    assert user is not None
    admin.set_user_branches(session, user, codes)


# ---------------------------------------------------------------- who may ask


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("kiosk", 200),
        ("manager", 200),
        ("display", 403),
        ("speaker", 403),
        ("agent", 403),
        ("teller1", 403),
    ],
)
def test_each_role_asks_and_fetches_as_its_rule_says(
    client: TestClient, make, who: str, status: int
) -> None:
    kit = make(make_branch)
    url = speak(client, kit, {"lang": "en", "phrases": [HOME]}).json()["clips"][0]["url"]
    r = speak(client, kit, {"lang": "en", "phrases": [HOME]}, who)
    assert r.status_code == status, r.text
    if status != 200:
        readable_4xx(r)
    assert client.get(url, headers=kit.auth(who)).status_code == status


def test_a_revoked_kiosk_token_is_refused_for_speech_and_clips(client: TestClient, make) -> None:
    kit = make(make_branch)
    url = speak(client, kit, {"lang": "en", "phrases": [HOME]}).json()["clips"][0]["url"]
    make(revoke_kiosk, kit=kit)
    r = speak(client, kit, {"lang": "en", "phrases": [HOME]})
    assert r.status_code == 401, r.text
    readable_4xx(r)
    assert client.get(url, headers=kit.auth("kiosk")).status_code == 401


@pytest.mark.parametrize(
    "header",
    [
        "expired",
        "Bearer garbage",
        "Bearer sdt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "Bearer sst_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "Bearer ",
        "Basic Zm9vOmJhcg==",
        "kiosk-without-scheme",
        "truncated",
        None,
    ],
)
def test_bad_and_missing_tokens_are_401(client: TestClient, make, header: str | None) -> None:
    kit = make(make_branch)
    url = speak(client, kit, {"lang": "en", "phrases": [HOME]}).json()["clips"][0]["url"]
    if header == "expired":
        header = f"Bearer {make(expired_manager_token, kit=kit)}"
    elif header == "kiosk-without-scheme":
        header = kit.tokens["kiosk"]
    elif header == "truncated":
        header = f"Bearer {kit.tokens['kiosk'][:-3]}"
    headers = {} if header is None else {"Authorization": header}
    r = client.post(speech_url(kit.code), json={"lang": "en", "phrases": [HOME]}, headers=headers)
    assert r.status_code == 401, r.text
    readable_4xx(r)
    assert client.get(url, headers=headers).status_code == 401


@pytest.mark.parametrize("lang", ["xx", "de", "en"])
def test_without_a_token_the_answer_is_401_whatever_the_language(
    client: TestClient, make, lang: str
) -> None:
    """The language is checked before the token: a caller with no token learns which voices
    the server has (404 'no voice' for 'de', 401 for 'en') instead of being told to log in."""
    kit = make(make_branch)
    r = client.post(speech_url(kit.code), json={"lang": lang, "phrases": [HOME]})
    assert r.status_code == 401, r.text


def test_another_branchs_kiosk_and_manager_are_answered_as_for_no_branch(
    client: TestClient, make
) -> None:
    kit = make(make_branch)
    other = make(make_branch, code="north")
    body = {"lang": "en", "phrases": [HOME]}
    for who in ("kiosk", "manager"):
        r = client.post(speech_url(kit.code), json=body, headers=other.auth(who))
        assert r.status_code == 404, r.text
        nowhere = client.post(speech_url("nowhere"), json=body, headers=other.auth(who))
        assert nowhere.status_code == 404
        # Same words as for a branch that does not exist, bar the code itself.
        assert r.json()["detail"].replace(kit.code, "X") == nowhere.json()["detail"].replace(
            "nowhere", "X"
        )
    # A regional manager who oversees the branch may hear its kiosk; an admin any branch.
    make(oversee, kit=other, codes=[kit.code])
    assert client.post(speech_url(kit.code), json=body, headers=other.auth("manager")).is_success
    root = {"Authorization": f"Bearer {make(admin_token)}"}
    assert client.post(speech_url(kit.code), json=body, headers=root).status_code == 200
    assert client.post(speech_url("nowhere"), json=body, headers=root).status_code == 404


# ---------------------------------------------------------------- what may be asked

T = {"say": "ticket", "code": "A1", "service": "A", "ahead": 0}
S = {"say": "service", "service": "A"}
C = {"say": "screen", "screen": "closed"}


def _one(phrase: dict[str, Any], lang: str = "en") -> dict[str, Any]:
    return {"lang": lang, "phrases": [phrase]}


BAD_BODIES: list[tuple[str, Any]] = [
    # lang
    ("lang upper", {"lang": "EN", "phrases": [HOME]}),
    ("lang region", {"lang": "en-GB", "phrases": [HOME]}),
    ("lang unknown", {"lang": "xx", "phrases": [HOME]}),
    ("lang dots", {"lang": "../", "phrases": [HOME]}),
    ("lang nul", {"lang": "en\u0000", "phrases": [HOME]}),
    ("lang fullwidth", {"lang": "\uff45\uff4e", "phrases": [HOME]}),
    ("lang null", {"lang": None, "phrases": [HOME]}),
    ("lang number", {"lang": 12, "phrases": [HOME]}),
    ("lang missing", {"phrases": [HOME]}),
    # phrases
    ("no phrases", {"lang": "en", "phrases": []}),
    ("13 phrases", {"lang": "en", "phrases": [HOME] * 13}),
    ("phrases null", {"lang": "en", "phrases": None}),
    ("phrases object", {"lang": "en", "phrases": HOME}),
    ("phrase string", {"lang": "en", "phrases": ["keys"]}),
    ("phrase nested", {"lang": "en", "phrases": [[HOME]]}),
    ("say unknown", _one({"say": "text", "text": "anything"})),
    ("say null", _one({"say": None})),
    ("say upper", _one({"say": "SCREEN", "screen": "home"})),
    ("extra in phrase", _one({**HOME, "text": "say this"})),
    ("extra at top", {"lang": "en", "phrases": [HOME], "voice": "en-us"}),
    # service codes
    ("service lower", _one({**S, "service": "a"})),
    ("service fullwidth", _one({**S, "service": "\uff21"})),
    ("service nul", _one({**S, "service": "A\u0000"})),
    ("service zero width", _one({**S, "service": "A\u200b"})),
    ("service dotted I", _one({**S, "service": "\u0130"})),
    ("service too long", _one({**S, "service": "ABCDE"})),
    ("service empty", _one({**S, "service": ""})),
    ("service number", _one({**S, "service": 1})),
    ("service unknown", _one({**S, "service": "Z"})),
    ("screen with unknown service", _one({"say": "screen", "screen": "unserved", "service": "Z"})),
    # ticket codes
    ("ticket arabic digits", _one({**T, "code": "A\u0664\u0662"})),
    ("ticket fullwidth digits", _one({**T, "code": "A\uff14\uff12"})),
    ("ticket nul", _one({**T, "code": "A1\u0000"})),
    ("ticket lower", _one({**T, "code": "a1"})),
    ("ticket number", _one({**T, "code": 42})),
    ("ticket never issued", _one({**T, "code": "A999"})),
    ("ticket ahead text", _one({**T, "ahead": "x"})),
    ("ticket ahead huge", _one({**T, "ahead": 10**30})),
    # times and days
    ("time arabic digits", _one({**C, "time": "\u0660\u0669:\u0663\u0660"})),
    ("time fullwidth", _one({**C, "time": "\uff10\uff19:\uff13\uff10"})),
    ("time one digit", _one({**C, "time": "9:30"})),
    ("time newline", _one({**C, "time": "09:30\n"})),
    ("time 24:00", _one({**C, "time": "24:00"})),
    ("time 09:60", _one({**C, "time": "09:60"})),
    ("time number", _one({**C, "time": 930})),
    ("day capital", _one({**C, "day": "Monday"})),
    ("day fullwidth m", _one({**C, "day": "\uff4donday"})),
    ("day nul", _one({**C, "day": "monday\u0000"})),
    ("day number", _one({**C, "day": 1})),
    # booleans as strings and numbers
    ("private as string", _one({"say": "audio_mode", "private": "true"})),
    ("private as number", _one({"say": "audio_mode", "private": 1})),
    ("pressed as string", _one({"say": "control", "control": "speech", "pressed": "false"})),
    ("rough as string", _one({**S, "wait_s": 60, "rough": "yes"})),
    ("spoken_number as string", _one({**T, "spoken_number": "0"})),
    # counts and seconds
    ("waiting negative", _one({**S, "waiting": -1})),
    ("waiting 1000", _one({**S, "waiting": 1000})),
    ("waiting fraction", _one({**S, "waiting": 2.5})),
    ("wait_s negative", _one({**S, "wait_s": -1})),
    ("wait_s past a week", _one({**S, "wait_s": WEEK_S + 1})),
    ("range of one", _one({**S, "wait_s": 60, "wait_range_s": [60]})),
    ("range of three", _one({**S, "wait_s": 60, "wait_range_s": [60, 120, 180]})),
    ("range of text", _one({**S, "wait_s": 60, "wait_range_s": ["a", "b"]})),
    ("volume 0", _one({"say": "volume", "level": 0})),
    ("volume 11", _one({"say": "volume", "level": 11})),
    ("control unknown", _one({"say": "control", "control": "self_destruct"})),
    ("screen unknown", _one({"say": "screen", "screen": "../../etc/passwd"})),
    # not a body at all
    ("a list", [HOME]),
    ("a string", "speak"),
    ("null", None),
]


@pytest.mark.parametrize(("name", "body"), BAD_BODIES, ids=[n for n, _ in BAD_BODIES])
def test_bad_bodies_are_4xx_with_a_message(client: TestClient, make, name: str, body: Any) -> None:
    kit = make(make_branch)
    readable_4xx(speak(client, kit, body))


RAW_BODIES = [
    ("not json", b"{not json"),
    ("empty", b""),
    ("binary", b"\xff\xfe\x00\x01garbage"),
    ("infinity", b'{"lang":"en","phrases":[{"say":"service","service":"A","wait_s":Infinity}]}'),
    ("nan", b'{"lang":"en","phrases":[{"say":"service","service":"A","wait_s":NaN}]}'),
    ("deep nesting", b'{"lang":"en","phrases":' + b"[" * 200_000 + b"]" * 200_000 + b"}"),
    (
        "5000-digit number",
        b'{"lang":"en","phrases":[{"say":"volume","level":1' + b"0" * 5000 + b"}]}",
    ),
    ("duplicate key", b'{"lang":"en","lang":"xx","phrases":[{"say":"keys"}]}'),
    (
        "20000 phrases",
        b'{"lang":"en","phrases":[' + b",".join([json.dumps(HOME).encode()] * 20000) + b"]}",
    ),
]


@pytest.mark.parametrize(("name", "raw"), RAW_BODIES, ids=[n for n, _ in RAW_BODIES])
def test_raw_bodies_are_4xx_with_a_message(client: TestClient, make, name: str, raw: bytes) -> None:
    kit = make(make_branch)
    headers = {**kit.auth("kiosk"), "Content-Type": "application/json"}
    readable_4xx(client.post(speech_url(kit.code), content=raw, headers=headers))


def test_a_body_at_the_limit_is_read_and_one_byte_more_is_413(
    client: TestClient, make, settings: Settings
) -> None:
    kit = make(make_branch)
    headers = {**kit.auth("kiosk"), "Content-Type": "application/json"}
    small = json.dumps({"lang": "en", "phrases": [HOME]})
    limit = settings.max_body_bytes
    at_limit = small[:-1] + " " * (limit - len(small)) + "}"
    assert client.post(speech_url(kit.code), content=at_limit, headers=headers).status_code == 200
    over = at_limit + " "
    r = client.post(speech_url(kit.code), content=over, headers=headers)
    assert r.status_code == 413
    readable_4xx(r)


OUT_OF_BOUNDS_RANGES = [
    ("en", [0, 10**1000]),  # 500: OverflowError in wait_figure
    ("pl", [0, 10**7]),  # 500: ValueError, Polish hours past 999
    ("en", [0, 10**300]),  # 200: 1,555 characters, a 4.8 MB clip of "seven seven seven…"
    ("el", [10**18, 10**19]),
    ("en", [WEEK_S, WEEK_S + 1]),  # just past the bound wait_s has
    ("en", [900, 60]),  # low above high: "up to fifteen minutes"
    ("tr", [-600, 60]),  # a negative second
]


@pytest.mark.parametrize("kind", ["service", "ticket"])
@pytest.mark.parametrize(("lang", "wait_range"), OUT_OF_BOUNDS_RANGES)
def test_a_wait_range_out_of_bounds_is_422(
    client: TestClient, make, kind: str, lang: str, wait_range: list[int]
) -> None:
    """``wait_range_s`` is a bare ``list[int]`` of two: none of the bounds ``wait_s`` has
    (0 … one week), no order. A kiosk token makes the server speak arbitrarily long numbers
    (the "never free text, files stay small" promise), or answers 500."""
    kit = make(make_branch)
    phrase: dict[str, Any] = {"say": "service", "service": "A", "wait_s": 600}
    if kind == "ticket":
        code = issue(client, kit)["code"]
        phrase = {"say": "ticket", "code": code, "service": "A", "ahead": 0, "wait_s": 600}
    r = speak(client, kit, {"lang": lang, "phrases": [{**phrase, "wait_range_s": wait_range}]})
    assert r.status_code == 422, (r.status_code, r.text[:300])
    readable_4xx(r)


@pytest.mark.parametrize("lang", LANGS)
def test_the_largest_valid_values_are_spoken_in_every_language(
    client: TestClient, make, lang: str
) -> None:
    kit = make(make_branch)
    code = issue(client, kit)["code"]
    phrases = [
        {
            "say": "service",
            "service": "C",
            "waiting": 999,
            "wait_s": WEEK_S,
            "wait_range_s": [WEEK_S - 60, WEEK_S],
            "rough": True,
            "priority": True,
        },
        {
            "say": "ticket",
            "code": code,
            "service": "A",
            "ahead": 999,
            "wait_s": WEEK_S,
            "wait_range_s": [0, WEEK_S],
            "rough": True,
            "priority": True,
            "print_status": "failed",
        },
        {"say": "screen", "screen": "closed", "day": "wednesday", "time": "23:59"},
        {"say": "screen", "screen": "closed", "time": "00:00"},
    ]
    r = speak(client, kit, {"lang": lang, "phrases": phrases})
    assert r.status_code == 200, r.text
    for clip in r.json()["clips"]:
        assert not any(ch.isdigit() for ch in clip["text"]), clip["text"]


def test_a_language_the_branch_does_not_use_is_refused(client: TestClient, make) -> None:
    """The schema says 'one of the branch's languages that this server can speak'; the route
    checks only the server's voices, so a kiosk of an English-only branch makes clips in all
    four languages (four times the files, in languages nobody there configured)."""
    kit = make(make_branch, code="solo", policy={"languages": ["en"], "default_lang": "en"})
    assert speak(client, kit, {"lang": "en", "phrases": [HOME]}).status_code == 200
    r = speak(client, kit, {"lang": "pl", "phrases": [HOME]})
    assert 400 <= r.status_code < 500, r.text
    readable_4xx(r)


# ---------------------------------------------------------------- the ticket phrase


def test_a_ticket_of_another_branch_is_not_spoken(client: TestClient, make) -> None:
    kit = make(make_branch)
    other = make(make_branch, code="north")
    mine = issue(client, kit)["code"]
    theirs = [issue(client, other)["code"] for _ in range(3)][-1]
    assert theirs != mine
    phrase = {"say": "ticket", "code": theirs, "service": "A", "ahead": 0}
    r = speak(client, kit, {"lang": "en", "phrases": [phrase]})
    assert r.status_code == 404, r.text
    readable_4xx(r)
    # An admin naming the kiosk's branch does not reach the other branch's tickets either.
    root = {"Authorization": f"Bearer {make(admin_token)}"}
    r = client.post(speech_url(kit.code), json={"lang": "en", "phrases": [phrase]}, headers=root)
    assert r.status_code == 404


def test_the_twelve_hour_window_holds(client: TestClient, make, clock) -> None:
    kit = make(make_branch)
    code = issue(client, kit)["code"]
    phrase = {"say": "ticket", "code": code, "service": "A", "ahead": 0, "spoken_number": False}
    clock.advance(hours=11, minutes=59)
    assert speak(client, kit, {"lang": "en", "phrases": [phrase]}).status_code == 200
    clock.advance(minutes=2)
    r = speak(client, kit, {"lang": "en", "phrases": [phrase]})
    assert r.status_code == 404, r.text
    readable_4xx(r)


def test_a_ticket_is_spoken_with_its_own_service(client: TestClient, make) -> None:
    """The code must be a real recent ticket, but the rest is the client's: a ticket of Cash
    is confirmed as 'Your number is A-one. Loans.' (one more multiplier of distinct clips, and
    a made-up confirmation the docstring says cannot be made)."""
    kit = make(make_branch)
    code = issue(client, kit, "A")["code"]
    phrase = {"say": "ticket", "code": code, "service": "C", "ahead": 0}
    r = speak(client, kit, {"lang": "en", "phrases": [phrase]})
    assert 400 <= r.status_code < 500, r.json()["clips"][0]["text"] if r.is_success else r.text


# ---------------------------------------------------------------- clip names


TRAVERSALS = [
    "..%2Fchime-v1.wav",
    "..%2F..%2Fsira.db",
    "%2e%2e%2fchime-v1.wav",
    "..%252Fchime-v1.wav",
    "..%5Cchime-v1.wav",
    "....%2F%2Fchime-v1.wav",
    "..",
    "chime-v1.wav",
    "say-en-000000000000000000000000.wav%00",
    "say-en-000000000000000000000000.wav%0a",
    "say-en-000000000000000000000000.wav;.txt",
    "say-EN-000000000000000000000000.wav",
    "%00" * 20,
    "x" * 64,
    "x" * 65,
    "x" * 5000,
    "logo.png",
    "..%2F..%2Flogos%2Flogo.png",
    "..%2F..%2F..%2F..%2F..%2F..%2Fetc%2Fpasswd",
]


@pytest.mark.parametrize("name", TRAVERSALS)
def test_no_clip_name_reaches_another_file(
    client: TestClient, make, settings: Settings, name: str
) -> None:
    kit = make(make_branch)
    speak(client, kit, {"lang": "en", "phrases": [HOME]})
    # What else lives in the data directory: the chime, a database file, a logo.
    data = settings.data_dir
    (data / "audio").mkdir(parents=True, exist_ok=True)
    (data / "audio" / "chime-v1.wav").write_bytes(b"RIFF-chime")
    (data / "sira.db").write_bytes(b"SQLite format 3\x00")
    (data / "logos").mkdir(exist_ok=True)
    (data / "logos" / "logo.png").write_bytes(b"\x89PNG")
    r = client.get(f"/api/v1/speech/clips/{name}", headers=kit.auth("kiosk"))
    assert r.status_code in (404, 422), (name, r.status_code)
    readable_4xx(r)
    for secret in (b"SQLite", b"RIFF", b"PNG"):
        assert secret not in r.content


# ---------------------------------------------------------------- the cache


def test_the_cache_stays_within_its_bound(
    client: TestClient, make, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(guidance_router, "MAX_CLIPS", 5)
    kit = make(make_branch)
    phrases = [{"say": "volume", "level": n} for n in range(1, 11)]
    phrases += [{"say": "audio_mode", "private": True}, {"say": "audio_mode", "private": False}]
    r = speak(client, kit, {"lang": "en", "phrases": phrases})
    assert r.status_code == 200, r.text
    guide = settings.data_dir / "audio" / "guide"
    assert len(list(guide.glob("*.wav"))) <= 5
    assert not [p for p in guide.iterdir() if p.name.startswith(".tmp-")]
    # The last clip made is kept.
    last = r.json()["clips"][-1]["url"]
    assert client.get(last, headers=kit.auth("kiosk")).status_code == 200


def test_a_clip_just_answered_is_not_the_first_evicted(
    client: TestClient, make, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The prune deletes by file age (mtime at creation) and a cache hit never refreshes it:
    the busiest phrase (the home screen, said to every customer) is the oldest file, so it is
    the first deleted once MAX_CLIPS newer ones exist, even right after its URL was answered;
    the kiosk's GET then finds no clip."""
    monkeypatch.setattr(guidance_router, "MAX_CLIPS", 3)
    kit = make(make_branch)

    def say(phrase: dict[str, Any]) -> str:
        r = speak(client, kit, {"lang": "en", "phrases": [phrase]})
        assert r.status_code == 200, r.text
        return str(r.json()["clips"][0]["url"])

    say(HOME)
    say({"say": "volume", "level": 1})
    say({"say": "volume", "level": 2})
    home = say(HOME)  # a hit: answered from the cache
    say({"say": "volume", "level": 3})  # another kiosk's new phrase, in the meantime
    assert client.get(home, headers=kit.auth("kiosk")).status_code == 200


# The code's own estimate (router.MAX_CLIPS): "a few hundred MB at most".
DISK_BUDGET = 500 * 1024 * 1024


def test_the_cache_fits_its_disk_budget_with_the_longest_valid_clips(
    client: TestClient, make, settings: Settings
) -> None:
    """MAX_CLIPS bounds the number of files, not their size; a kiosk chooses the longest
    phrases the schema allows (a ticket confirmation with 999 people ahead, a wait range of
    a week, a failed print, in Polish): 1,000 of them are far past the budget."""
    kit = make(make_branch)
    code = issue(client, kit)["code"]
    largest = 0
    for ahead in (977, 997):
        phrase = {
            "say": "ticket",
            "code": code,
            "service": "A",
            "ahead": ahead,
            "wait_s": WEEK_S,
            "wait_range_s": [WEEK_S - 900, WEEK_S],
            "rough": True,
            "priority": True,
            "print_status": "failed",
        }
        r = speak(client, kit, {"lang": "pl", "phrases": [phrase]})
        assert r.status_code == 200, r.text
        clip = client.get(r.json()["clips"][0]["url"], headers=kit.auth("kiosk"))
        largest = max(largest, len(clip.content))
    cache = guidance_router.clip_cache(settings.data_dir)
    bound = getattr(cache, "max_bytes", None) or guidance_router.MAX_CLIPS * largest
    assert bound <= DISK_BUDGET, f"{largest} bytes a clip: up to {bound / 1e6:.0f} MB"


# ---------------------------------------------------------------- a flood of new phrases


@contextmanager
def busy_synthesis(
    app: FastAPI, kit: BranchKit, monkeypatch: pytest.MonkeyPatch
) -> Iterator[httpx.Client]:
    """A live server whose two synthesis threads are both taken by new phrases that do not
    finish until the block ends (a kiosk flooding it with new phrases, frozen in time)."""
    release = threading.Event()
    entered = threading.Semaphore(0)
    original = AnnouncementCache._make_phrase

    def slow(self: AnnouncementCache, text: str, lang: str, tmp: Path, out: Path) -> None:
        entered.release()
        release.wait(120)
        original(self, text, lang, tmp, out)

    with live_server(app) as base:
        http = httpx.Client(base_url=base, headers=kit.auth("kiosk"), timeout=60)
        # The home screen is made (and cached) before the flood.
        assert http.post(speech_url(kit.code), json=_one(HOME)).status_code == 200
        monkeypatch.setattr(AnnouncementCache, "_make_phrase", slow)
        flood = [
            threading.Thread(
                target=http.post,
                args=(speech_url(kit.code),),
                kwargs={"json": _one({"say": "volume", "level": n})},
            )
            for n in (1, 2)
        ]
        for t in flood:
            t.start()
        try:
            for _ in flood:
                assert entered.acquire(timeout=30), "the flood never reached the synthesis"
            yield http
        finally:
            release.set()
            for t in flood:
                t.join(60)
            http.close()


def test_a_cached_phrase_is_answered_while_synthesis_is_busy(
    app: FastAPI, make, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every phrase, cached or not, goes through the two synthesis threads (the file's
    existence is checked there), so one kiosk's new phrases hold up every kiosk's cached
    ones, in every branch: measured with 80 flooding connections, a cached phrase of another
    branch took 1.7-1.8 s instead of milliseconds."""
    kit = make(make_branch)
    with busy_synthesis(app, kit, monkeypatch) as http:
        try:
            r = http.post(speech_url(kit.code), json=_one(HOME), timeout=PROMPT_S)
        except httpx.TimeoutException:
            pytest.fail(f"a cached phrase waited more than {PROMPT_S} s behind new ones")
        assert r.status_code == 200


def test_other_calls_are_answered_while_synthesis_is_busy(
    app: FastAPI, make, monkeypatch: pytest.MonkeyPatch
) -> None:
    kit = make(make_branch)
    with busy_synthesis(app, kit, monkeypatch) as http:
        services = http.get(f"/api/v1/branches/{kit.code}/services", timeout=PROMPT_S)
        assert services.status_code == 200
        ticket = http.post(
            f"/api/v1/branches/{kit.code}/tickets", json={"service": "A"}, timeout=PROMPT_S
        )
        assert ticket.status_code == 201, ticket.text


def test_one_kiosk_flooding_new_phrases_leaves_room_for_the_others(
    app: FastAPI, make, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A caller may have one request's worth of new phrases waiting (12); beyond that it is
    told to ask again, while another caller's new phrases still get a place in the queue."""
    kit = make(make_branch)

    def phrases(first: int, n: int) -> dict[str, Any]:  # new to the cache: waits never said
        return {"lang": "en", "phrases": [{**S, "waiting": w} for w in range(first, first + n)]}

    def waiting(n: int) -> None:
        deadline = time.monotonic() + PROMPT_S
        while guidance_router._waiting != n:
            assert time.monotonic() < deadline, (guidance_router._waiting, n)
            time.sleep(0.02)

    answers: list[httpx.Response] = []
    with busy_synthesis(app, kit, monkeypatch) as http:  # the kiosk: 2 new phrases waiting
        kiosk = httpx.Client(base_url=http.base_url, headers=kit.auth("kiosk"), timeout=120)
        more = threading.Thread(
            target=lambda: answers.append(kiosk.post(speech_url(kit.code), json=phrases(100, 10)))
        )
        more.start()
        waiting(12)
        # Its thirteenth is refused at once, with when to ask again.
        busy = http.post(speech_url(kit.code), json=phrases(200, 1), timeout=PROMPT_S)
        assert busy.status_code == 503, busy.text
        assert busy.headers["Retry-After"] == str(guidance_router.RETRY_AFTER_S)
        assert "ask again" in busy.json()["detail"]
        # The manager's twelve new phrases take the other half of the queue.
        manager = httpx.Client(base_url=http.base_url, headers=kit.auth("manager"), timeout=120)
        other = threading.Thread(
            target=lambda: answers.append(manager.post(speech_url(kit.code), json=phrases(300, 12)))
        )
        other.start()
        waiting(24)
        assert answers == []  # both admitted: waiting for the synthesis, not refused
        # Nothing more fits now, from anyone.
        full = manager.post(speech_url(kit.code), json=phrases(400, 1), timeout=PROMPT_S)
        assert full.status_code == 503, full.text
    more.join(120)
    other.join(120)
    manager.close()
    kiosk.close()
    assert sorted((a.status_code, len(a.json()["clips"])) for a in answers) == [
        (200, 10),
        (200, 12),
    ]
    assert guidance_router._waiting == 0
    assert guidance_router._waiting_by == {}


# ---------------------------------------------------------------- the logs


def test_no_token_reaches_the_logs(app: FastAPI, make, caplog: pytest.LogCaptureFixture) -> None:
    kit = make(make_branch)
    root = make(admin_token)
    caplog.set_level(logging.DEBUG)
    with live_server(app, log_config=None, log_level="debug", access_log=True) as base:
        for who in ("kiosk", "manager", "display", "teller1"):
            token = kit.tokens[who]
            # A fresh connection each time: a 500 may close the previous one.
            for call in (
                lambda h: h.post(speech_url(kit.code), json=_one(HOME)),
                lambda h: h.post(
                    speech_url(kit.code),
                    json=_one({"say": "service", "service": "A", "wait_range_s": [0, 10**1000]}),
                ),
                lambda h: h.post(speech_url(kit.code), content=b"{not json"),
                lambda h, t=token: h.get(f"/api/v1/speech/clips/x?token={t}"),
                lambda h, t=token: h.get(f"/api/v1/speech/clips/{t}"),
                lambda h, t=token: h.post(speech_url(t[:32]), json=_one(HOME)),
            ):
                with httpx.Client(
                    base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60
                ) as http:
                    call(http)
        with httpx.Client(base_url=base, timeout=60) as http:
            http.post(
                speech_url(kit.code),
                json=_one(HOME),
                headers={"Authorization": f"Bearer {kit.tokens['kiosk'][:-2]}"},
            )
            http.post(speech_url(kit.code), json=_one(HOME), headers={"Authorization": root})
    server_lines = []
    for record in caplog.records:
        if record.name.startswith(("httpx", "httpcore")):
            continue  # the test's own client
        server_lines.append(record.getMessage())
        if record.exc_info:
            server_lines.append(logging.Formatter().formatException(record.exc_info))
    logged = "\n".join(server_lines)
    assert "/api/v1/speech/clips/" in logged  # the access log was captured
    for token in [*kit.tokens.values(), root]:
        secret = token[4:]
        assert secret[:16] not in logged, f"a token ({token[:4]}…) is in the server's log"
