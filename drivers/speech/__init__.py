"""Spoken announcements: the words per language, the audio (chime + espeak-ng) and its cache,
and a queued player for a speaker PC. See docs/announcements.md."""

from drivers.speech.player import PLAY_COMMAND, QueuedSpeaker
from drivers.speech.synth import (
    CHIME_NAME,
    VOICES,
    AnnouncementCache,
    announcement_name,
    phrase_name,
    voices_available,
)
from drivers.speech.words import SPOKEN_LANGS, spoken_text

__all__ = [
    "CHIME_NAME",
    "PLAY_COMMAND",
    "SPOKEN_LANGS",
    "VOICES",
    "AnnouncementCache",
    "QueuedSpeaker",
    "announcement_name",
    "phrase_name",
    "spoken_text",
    "voices_available",
]
