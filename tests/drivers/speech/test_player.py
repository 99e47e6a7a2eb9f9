"""The queued speaker plays with real sox processes. Its "sound card" is a named pipe the test
reads, so the test decides when a playback may finish and sees exactly what was played."""

from __future__ import annotations

import io
import os
import time
import wave
from pathlib import Path

import pytest

from drivers.base import DeviceState, DriverError, Speaker
from drivers.speech import AnnouncementCache, QueuedSpeaker
from tests.drivers.speech.conftest import require_tool

pytestmark = pytest.mark.usefixtures("audio_tools")


def frames_of(path: Path) -> bytes:
    with wave.open(str(path)) as wav:
        return wav.readframes(wav.getnframes())


def read_one_playback(sink: Path) -> bytes:
    """Be the sound card for one playback: everything sox writes until it closes the pipe."""
    with sink.open("rb") as pipe:  # blocks until a player opens the pipe
        data = pipe.read()
    with wave.open(io.BytesIO(data)) as wav:
        return wav.readframes(wav.getnframes())


def test_announcements_play_in_order_and_wait_for_each_other(tmp_path: Path) -> None:
    cache = AnnouncementCache(tmp_path / "cache")
    sink = tmp_path / "soundcard"
    os.mkfifo(sink)
    speaker = QueuedSpeaker(cache, command=["sox", "-q", "{path}", "-t", "wav", str(sink)])
    assert isinstance(speaker, Speaker)

    # announce() only queues: it returns although nothing can play until the fifo is read.
    speaker.announce(code="A042", counter="3", lang="en")
    speaker.announce(code="B107", counter="12", lang="pl")
    speaker.announce(code="C001", counter="1", lang="xx")  # no voice: the chime alone

    time.sleep(0.5)  # the first playback is stuck on the sound card; nothing may overtake it
    assert not speaker.wait_idle(0.1)
    first = read_one_playback(sink)
    second = read_one_playback(sink)
    third = read_one_playback(sink)
    assert speaker.wait_idle(120)  # a condition, not a clock: a loaded machine is slower

    a042 = cache.path_for(code="A042", counter="3", lang="en")
    b107 = cache.path_for(code="B107", counter="12", lang="pl")
    assert a042 is not None
    assert b107 is not None
    # Each playback is one whole file, in the order announced: never cut, never mixed.
    assert first == frames_of(a042)
    assert second == frames_of(b107)
    assert third == frames_of(cache.chime_path())
    assert speaker.status().state is DeviceState.ONLINE
    speaker.close()


def test_plays_with_sox_play_without_a_sound_card(tmp_path: Path) -> None:
    require_tool("play")
    speaker = QueuedSpeaker(
        AnnouncementCache(tmp_path),
        env={"AUDIODRIVER": "alsa", "AUDIODEV": "null"},  # ALSA's null device
    )
    speaker.announce(code="A042", counter="3", lang="tr")
    assert speaker.wait_idle(30)
    assert speaker.status().state is DeviceState.ONLINE
    speaker.close()


def test_a_failing_player_is_reported_and_the_queue_goes_on(tmp_path: Path) -> None:
    cache = AnnouncementCache(tmp_path / "cache")
    out = tmp_path / "out.wav"
    speaker = QueuedSpeaker(cache, command=["sox", "-q", "{path}", str(tmp_path / "no/dir.wav")])
    speaker.announce(code="A042", counter="3", lang="en")
    assert speaker.wait_idle(30)
    assert speaker.status().state is DeviceState.ERROR
    speaker.command = ("sox", "-q", "{path}", str(out))
    speaker.announce(code="A042", counter="3", lang="en")
    assert speaker.wait_idle(30)
    assert speaker.status().state is DeviceState.ONLINE
    assert out.exists()
    speaker.close()
    with pytest.raises(DriverError, match="closed"):
        speaker.announce(code="A043", counter="3", lang="en")


def test_command_needs_a_path_placeholder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="{path}"):
        QueuedSpeaker(AnnouncementCache(tmp_path), command=["play", "-q"])
