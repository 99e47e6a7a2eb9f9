"""Announcement audio really generated with espeak-ng and sox, measured with soxi."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import wave
from pathlib import Path

import pytest

from drivers.base import DeviceState, DriverError
from drivers.speech import (
    CHIME_NAME,
    SPOKEN_LANGS,
    AnnouncementCache,
    announcement_name,
    voices_available,
)
from tests.drivers.speech.conftest import duration_s, soxi

pytestmark = pytest.mark.usefixtures("audio_tools")


def test_every_language_has_a_voice() -> None:
    assert voices_available() >= set(SPOKEN_LANGS)


def test_chime_alone(tmp_path: Path) -> None:
    chime = AnnouncementCache(tmp_path).chime_path()
    assert chime.name == CHIME_NAME
    assert 0.8 <= duration_s(chime) <= 1.5
    assert (soxi("-r", chime), soxi("-c", chime), soxi("-b", chime)) == ("22050", "1", "16")


@pytest.mark.parametrize("lang", SPOKEN_LANGS)
def test_announcement_per_language(tmp_path: Path, lang: str) -> None:
    cache = AnnouncementCache(tmp_path)
    path = cache.path_for(code="A042", counter="3", lang=lang)
    assert path is not None
    assert path.name == announcement_name(code="A042", counter="3", lang=lang)
    seconds = duration_s(path)
    assert 1.0 <= seconds <= 8.0
    assert seconds > duration_s(cache.chime_path()) + 1.0  # the speech follows the chime
    assert (soxi("-r", path), soxi("-c", path), soxi("-b", path)) == ("22050", "1", "16")
    with wave.open(str(path)) as wav:  # a WAV any browser or player reads
        assert wav.getnframes() == round(seconds * 22050)


def test_longer_words_make_longer_audio(tmp_path: Path) -> None:
    cache = AnnouncementCache(tmp_path)
    short = cache.path_for(code="A1", counter="1", lang="pl")
    long = cache.path_for(code="A999", counter="12", lang="pl")
    assert short is not None
    assert long is not None
    assert duration_s(long) > duration_s(short) + 0.5


def test_names_are_stable_and_distinct() -> None:
    name = announcement_name(code="A042", counter="3", lang="tr")
    assert name == announcement_name(code="A042", counter="3", lang="tr")
    assert name.startswith("call-tr-")
    assert name.endswith(".wav")
    others = {
        announcement_name(code="A043", counter="3", lang="tr"),
        announcement_name(code="A042", counter="4", lang="tr"),
        announcement_name(code="A042", counter="3", lang="pl"),
    }
    assert name not in others
    assert len(others) == 3
    # "A42" and "A042" are spoken the same, so they share a file
    assert announcement_name(code="A42", counter="3", lang="tr") == name


def test_cache_hit_does_not_regenerate(tmp_path: Path) -> None:
    cache = AnnouncementCache(tmp_path)
    first = cache.path_for(code="B007", counter="2", lang="el")
    assert first is not None
    before = first.stat()
    again = AnnouncementCache(tmp_path).path_for(code="B007", counter="2", lang="el")
    assert again == first
    after = again.stat()
    # The same file (a regenerated one replaces it: a new inode), only marked as just used
    # (its time refreshed, so the prune keeps the files asked for most).
    assert after.st_ino == before.st_ino
    assert after.st_size == before.st_size
    assert after.st_mtime_ns >= before.st_mtime_ns


def test_the_prune_keeps_what_was_used_lately_within_its_bytes(tmp_path: Path) -> None:
    cache = AnnouncementCache(tmp_path, max_files=100)
    old = cache.phrase_path("One.", lang="en")
    newer = cache.phrase_path("Two.", lang="en")
    assert old is not None
    assert newer is not None
    os.utime(old, ns=(1, 1))
    os.utime(newer, ns=(2, 2))
    assert cache.ready(old.name) == old  # asked for again: now the latest used
    # Room for about two such short words, not three.
    size = max(old.stat().st_size, newer.stat().st_size)
    cache.max_bytes = old.stat().st_size + size * 3 // 2
    third = cache.phrase_path("Three.", lang="en")
    assert third is not None
    assert old.exists()
    assert not newer.exists()  # the least recently used went
    assert third.exists()


def test_unknown_language_means_chime_only(tmp_path: Path) -> None:
    cache = AnnouncementCache(tmp_path)
    assert cache.path_for(code="A042", counter="3", lang="de") is None
    assert announcement_name(code="A042", counter="3", lang="de") == CHIME_NAME
    assert cache.name_for(code="A042", counter="3", lang="de") == CHIME_NAME
    assert not list(tmp_path.glob("call-*"))


def test_threads_asking_at_once_get_one_valid_file(tmp_path: Path) -> None:
    cache = AnnouncementCache(tmp_path)
    start = threading.Barrier(8)
    results: list[Path | None] = []

    def ask() -> None:
        start.wait()
        results.append(cache.path_for(code="C123", counter="VIP", lang="en"))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 8
    assert len(set(results)) == 1
    path = results[0]
    assert path is not None
    assert 1.0 <= duration_s(path) <= 8.0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([CHIME_NAME, path.name])


def test_processes_asking_at_once_get_one_valid_file(tmp_path: Path) -> None:
    script = (
        "import sys; from drivers.speech import AnnouncementCache; "
        "print(AnnouncementCache(sys.argv[1]).path_for(code='D321', counter='5', lang='tr'))"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", script, str(tmp_path)], stdout=subprocess.PIPE)
        for _ in range(3)
    ]
    outputs = {proc.communicate(timeout=60)[0].decode().strip() for proc in procs}
    assert all(proc.returncode == 0 for proc in procs)
    assert len(outputs) == 1
    path = Path(outputs.pop())
    assert 1.0 <= duration_s(path) <= 8.0
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]


def test_generation_is_bounded_by_a_timeout(tmp_path: Path) -> None:
    cache = AnnouncementCache(tmp_path, timeout_s=0.000_001)
    with pytest.raises(DriverError, match="took longer") as raised:
        cache.path_for(code="A042", counter="3", lang="en")
    assert raised.value.status is not None
    assert raised.value.status.state is DeviceState.ERROR
    assert not list(tmp_path.glob("*.wav"))  # nothing half-written is left behind
