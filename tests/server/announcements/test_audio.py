"""Announcement audio through the API: every call names a file the display can fetch, in the
ticket's language, made of the chime and the spoken words (lengths measured with soxi)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from drivers.speech.synth import CHIME_NAME, AnnouncementCache
from server.announcements.audio import audio_url
from tests.support import BranchKit, make_branch, skip_or_fail

LANGS = ["en", "tr", "el", "pl"]


@pytest.fixture(autouse=True)
def _needs_tools() -> None:
    missing = [t for t in ("espeak-ng", "sox", "soxi") if shutil.which(t) is None]
    if missing:
        reason = f"announcement audio needs {', '.join(missing)} (apt-get install espeak-ng sox)"
        skip_or_fail(reason)


def duration_s(path: Path) -> float:
    out = subprocess.run(["soxi", "-D", str(path)], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def save(client: TestClient, url: str, dest: Path) -> Path:
    r = client.get(url)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "audio/wav"
    assert r.content[:4] == b"RIFF"
    dest.write_bytes(r.content)
    return dest


def call_in(client: TestClient, kit: BranchKit, lang: str, label: str = "1") -> dict[str, Any]:
    r = client.post(
        f"/api/v1/branches/{kit.code}/tickets",
        json={"service": "A", "lang": lang},
        headers=kit.auth("kiosk"),
    )
    assert r.status_code == 201, r.text
    counter = kit.counters[label]
    teller = kit.auth(f"teller{label}")
    client.post(f"/api/v1/counters/{counter}/open", headers=teller)
    r = client.post(f"/api/v1/counters/{counter}/call-next", headers=teller)
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize("lang", LANGS)
def test_each_call_names_a_spoken_file_with_chime_and_words(
    client: TestClient, make, tmp_path: Path, lang: str
) -> None:
    kit = make(make_branch)
    called = call_in(client, kit, lang)
    code = called["ticket"]["code"]
    announcement = called["announcement"]
    assert announcement["lang"] == lang
    assert announcement["audio_url"] == f"/api/v1/announcements/{lang}/{code}/1.wav"
    chime = duration_s(save(client, "/api/v1/announcements/chime.wav", tmp_path / "chime.wav"))
    spoken = duration_s(save(client, announcement["audio_url"], tmp_path / f"{lang}.wav"))
    assert 0.3 < chime < 2.5
    # The chime, then at least a second of words, and not a runaway (digit by digit) reading.
    assert chime + 1.0 < spoken < chime + 8.0


def test_the_event_carries_the_same_audio_url_as_the_answer(client: TestClient, make) -> None:
    kit = make(make_branch)
    with client.websocket_connect(
        f"/api/v1/branches/{kit.code}/events?token={kit.tokens['display']}"
    ) as ws:
        assert ws.receive_json()["type"] == "snapshot"
        called = call_in(client, kit, "tr", label="3")
        seen = [ws.receive_json() for _ in range(3)]
    event = next(m for m in seen if m["type"] == "ticket.called")
    assert event["data"]["announcement"] == called["announcement"]
    assert event["data"]["announcement"]["audio_url"].endswith("/3.wav")


def test_a_recall_is_spoken_again_with_the_same_file(client: TestClient, make) -> None:
    kit = make(make_branch)
    called = call_in(client, kit, "pl")
    r = client.post(f"/api/v1/counters/{kit.counters['1']}/recall", headers=kit.auth("teller1"))
    assert r.status_code == 200, r.text
    assert r.json()["announcement"]["audio_url"] == called["announcement"]["audio_url"]


def test_a_language_without_a_voice_gets_no_url_and_a_clear_404(client: TestClient) -> None:
    assert audio_url(code="A042", counter="3", lang="xx") is None
    r = client.get("/api/v1/announcements/xx/A042/3.wav")
    assert r.status_code == 404
    assert "no voice" in r.json()["detail"]


@pytest.mark.parametrize(
    "path", ["/api/v1/announcements/en/a042/3.wav", "/api/v1/announcements/en/A042/..%2F.wav"]
)
def test_malformed_codes_are_refused_without_touching_files(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    assert r.json()["detail"]


def test_a_call_that_was_never_made_is_not_synthesised(
    client: TestClient, make: Any, settings: Any
) -> None:
    """The route is public: made-up codes and counters would fill the disk (200 of them once
    made 54 MB). Only a call that happened gets a file."""
    kit = make(make_branch)
    audio = settings.data_dir / "audio"
    before = set(audio.glob("*.wav")) if audio.exists() else set()
    for n in range(5):
        r = client.get(f"/api/v1/announcements/en/Z{n:03d}/counter%20{n}.wav")
        assert r.status_code == 404, r.status_code
        assert "no call" in r.json()["detail"]
    after = set(audio.glob("*.wav")) if audio.exists() else set()
    assert {p.name for p in after - before} <= {CHIME_NAME}
    # A real call's file is served, and a different counter for that ticket is not.
    called = call_in(client, kit, "en")
    url = called["announcement"]["audio_url"]
    assert client.get(url).status_code == 200
    code = called["ticket"]["code"]
    assert client.get(f"/api/v1/announcements/en/{code}/9.wav").status_code == 404


def test_the_cache_keeps_a_bounded_number_of_files_and_locks(tmp_path: Path) -> None:
    cache = AnnouncementCache(tmp_path, max_files=2)
    made = [cache.path_for(code=f"A00{n}", counter="1", lang="en") for n in range(4)]
    assert all(p is not None for p in made)
    left = sorted(p.name for p in tmp_path.glob("*.wav") if p.name != CHIME_NAME)
    assert len(left) == 2
    assert made[-1] is not None
    assert made[-1].name in left
    assert cache._locks == {}
