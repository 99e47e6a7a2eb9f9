"""Spoken guidance through the API (``POST /branches/{code}/speech``, ``GET /speech/clips/…``):
who may ask, what may be asked, and that what comes back is real speech (espeak-ng, soxi)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient

from drivers.speech import guidance
from drivers.speech.words import code_words
from server.guidance.schemas import Control, Day, SayService, Screen
from tests.support import BranchKit, admin_token, make_branch, skip_or_fail

LANGS = ["en", "tr", "el", "pl"]
HOME = {"say": "screen", "screen": "home"}


@pytest.fixture(autouse=True)
def _needs_tools() -> None:
    missing = [t for t in ("espeak-ng", "sox", "soxi") if shutil.which(t) is None]
    if missing:
        skip_or_fail(f"spoken guidance needs {', '.join(missing)} (apt-get install espeak-ng sox)")


def speak(client: TestClient, kit: BranchKit, body: dict[str, Any], who: str = "kiosk") -> Any:
    return client.post(f"/api/v1/branches/{kit.code}/speech", json=body, headers=kit.auth(who))


def duration_s(client: TestClient, kit: BranchKit, url: str, tmp: Path) -> float:
    r = client.get(url, headers=kit.auth("kiosk"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "audio/wav"
    path = tmp / "clip.wav"
    path.write_bytes(r.content)
    out = subprocess.run(["soxi", "-D", str(path)], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def issue(client: TestClient, kit: BranchKit, service: str = "A") -> dict[str, Any]:
    r = client.post(
        f"/api/v1/branches/{kit.code}/tickets", json={"service": service}, headers=kit.auth("kiosk")
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


@pytest.mark.parametrize("lang", LANGS)
def test_each_phrase_is_worded_in_the_language_and_spoken(
    client: TestClient, make, tmp_path: Path, lang: str
) -> None:
    kit = make(make_branch)
    ticket = issue(client, kit)
    phrases = [
        HOME,
        {"say": "keys"},
        {"say": "language"},
        {"say": "service", "service": "B", "waiting": 3, "wait_s": 700, "wait_range_s": [600, 900]},
        {"say": "control", "control": "large_text", "pressed": True},
        {"say": "ticket", "code": ticket["code"], "service": "A", "ahead": 2, "wait_s": 420},
        {"say": "volume", "level": 7},
    ]
    r = speak(client, kit, {"lang": lang, "phrases": phrases})
    assert r.status_code == 200, r.text
    clips = r.json()["clips"]
    assert [c["say"] for c in clips] == [p["say"] for p in phrases]
    for clip in clips:
        assert clip["text"].strip()
        assert not any(ch.isdigit() for ch in clip["text"]), clip["text"]
        assert 0.4 < duration_s(client, kit, clip["url"], tmp_path) < 30, clip
    # The number as the display announces it; the service by its name in that language.
    assert code_words(ticket["code"], lang=lang) in clips[5]["text"]
    assert ("Hesaplar" if lang == "tr" else "Accounts") in clips[3]["text"]


def test_the_same_phrase_is_one_file(client: TestClient, make) -> None:
    kit = make(make_branch)
    first = speak(client, kit, {"lang": "en", "phrases": [HOME]}).json()["clips"][0]
    again = speak(client, kit, {"lang": "en", "phrases": [HOME]}).json()["clips"][0]
    assert first == again


def test_the_number_stays_out_unless_asked(client: TestClient, make) -> None:
    kit = make(make_branch)
    code = issue(client, kit)["code"]
    base = {"say": "ticket", "code": code, "service": "A", "ahead": 0, "print_status": "printed"}
    quiet = speak(client, kit, {"lang": "en", "phrases": [{**base, "spoken_number": False}]})
    said = speak(client, kit, {"lang": "en", "phrases": [base]})
    assert code_words(code, lang="en") not in quiet.json()["clips"][0]["text"]
    assert code_words(code, lang="en") in said.json()["clips"][0]["text"]


@pytest.mark.parametrize("who", ["display", "speaker", "agent", "teller1"])
def test_only_kiosks_and_managers_may_ask(client: TestClient, make, who: str) -> None:
    kit = make(make_branch)
    assert speak(client, kit, {"lang": "en", "phrases": [HOME]}, who).status_code == 403
    assert speak(client, kit, {"lang": "en", "phrases": [HOME]}, "manager").status_code == 200


def test_another_branch_and_no_token_are_refused(client: TestClient, make) -> None:
    kit = make(make_branch)
    other = make(make_branch, code="north")
    r = client.post(
        f"/api/v1/branches/{kit.code}/speech",
        json={"lang": "en", "phrases": [HOME]},
        headers=other.auth("kiosk"),
    )
    assert r.status_code == 404
    r = client.post(f"/api/v1/branches/{kit.code}/speech", json={"lang": "en", "phrases": [HOME]})
    assert r.status_code == 401
    # Clips need a token too (never a public URL).
    url = speak(client, kit, {"lang": "en", "phrases": [HOME]}).json()["clips"][0]["url"]
    assert client.get(url).status_code == 401
    assert client.get(url, headers=kit.auth("display")).status_code == 403
    admin = {"Authorization": f"Bearer {make(admin_token)}"}
    assert client.get(url, headers=admin).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"lang": "en", "phrases": []},
        {"lang": "en", "phrases": [HOME] * 13},
        {"lang": "en", "phrases": [{"say": "text", "text": "anything at all"}]},
        {"lang": "en", "phrases": [{**HOME, "extra": "x"}]},
        {"lang": "EN; rm", "phrases": [HOME]},
        {"lang": "en", "phrases": [{"say": "service", "service": "a b"}]},
        {"lang": "en", "phrases": [{"say": "service", "service": "A", "waiting": -1}]},
        {"lang": "en", "phrases": [{"say": "service", "service": "A", "wait_s": 10**9}]},
        {"lang": "en", "phrases": [{"say": "screen", "screen": "closed", "time": "25:00"}]},
        {"lang": "en", "phrases": [{"say": "volume", "level": 11}]},
        {"lang": "en", "phrases": [{"say": "ticket", "code": "A1", "service": "A", "ahead": "x"}]},
    ],
)
def test_bad_requests_are_422_with_a_message(client: TestClient, make, body: dict) -> None:
    kit = make(make_branch)
    r = speak(client, kit, body)
    assert r.status_code == 422, r.text
    assert r.json()["detail"]


def test_unknown_things_are_404_with_a_message(client: TestClient, make) -> None:
    kit = make(make_branch)
    for body, words in [
        ({"lang": "de", "phrases": [HOME]}, "no voice"),
        ({"lang": "en", "phrases": [{"say": "service", "service": "Z"}]}, "no service"),
        (
            {
                "lang": "en",
                "phrases": [{"say": "ticket", "code": "A999", "service": "A", "ahead": 0}],
            },
            "no ticket",
        ),
    ]:
        r = speak(client, kit, body)
        assert r.status_code == 404, r.text
        assert words in r.json()["detail"]
    for name in ["x.wav", "say-en-" + "0" * 24 + ".wav", "..%2Fsira.db", "chime-v1.wav"]:
        r = client.get(f"/api/v1/speech/clips/{name}", headers=kit.auth("kiosk"))
        assert r.status_code in (404, 422), (name, r.status_code)


def test_the_api_offers_exactly_what_the_wording_knows() -> None:
    """One list of screens, buttons and days: the request schema's and the wording's."""
    assert set(get_args(Screen)) == set(guidance.SCREENS)
    assert set(get_args(Control)) == set(guidance.CONTROLS)
    assert set(get_args(Day)) == set(guidance.DAYS)
    assert set(get_args(SayService.model_fields["state"].annotation)) == set(
        get_args(guidance.ServiceState)
    )
