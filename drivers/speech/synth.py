"""Announcement audio, generated offline: a chime (sox) followed by the spoken call (espeak-ng).

Every file is a 16-bit mono 22050 Hz WAV kept in one cache directory under a name derived from
a hash of what it says and how it was made, so the server can compute a file's URL before the
file exists and any number of displays can fetch it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import wave
from collections.abc import Callable, Sequence
from pathlib import Path

from drivers.base import DeviceState, DeviceStatus, DriverError
from drivers.speech.words import SPOKEN_LANGS, spoken_text

log = logging.getLogger(__name__)

#: Sira language → espeak-ng voice.
VOICES = {"en": "en-gb", "tr": "tr", "el": "el", "pl": "pl"}
#: Words per minute: espeak-ng's default (175) is too quick for a busy hall.
SPEED_WPM = 140
SAMPLE_RATE = 22050
#: Bump when the chime, the voices' settings or the wording rules change: every name changes,
#: so no display keeps playing a stale file. Also clear the cache after upgrading espeak-ng.
AUDIO_VERSION = "1"
CHIME_NAME = f"chime-v{AUDIO_VERSION}.wav"
DEFAULT_TIMEOUT_S = 20.0
# Announcement files kept on disk (~250 kB each): a busy branch's day of calls in 4 languages.
DEFAULT_MAX_FILES = 2000

_FORMAT = ["-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", "-e", "signed-integer"]
# Ding-dong: E5 then C5, each a sine with a quick attack and a long quarter-sine decay.
_CHIME_EFFECTS = [
    *("synth", "0.45", "sine", "659.25", "fade", "q", "0.01", "0.45", "0.35"),
    *(":", "synth", "0.65", "sine", "523.25", "fade", "q", "0.01", "0.65", "0.55"),
    *("vol", "0.6"),
]
_ERROR = DeviceStatus(DeviceState.ERROR, "audio generation failed")


def _run(args: Sequence[str], *, timeout_s: float, stdin: bytes | None = None) -> None:
    """Run one tool, bounded by ``timeout_s``; any failure is a DriverError."""
    try:
        done = subprocess.run(
            list(args), input=stdin, capture_output=True, timeout=timeout_s, check=False
        )
    except FileNotFoundError as exc:
        raise DriverError(
            f"{args[0]} is not installed",
            status=DeviceStatus(DeviceState.OFFLINE, f"{args[0]} not found"),
        ) from exc
    except subprocess.TimeoutExpired as exc:
        raise DriverError(f"{args[0]} took longer than {timeout_s} s", status=_ERROR) from exc
    if done.returncode != 0:
        err = done.stderr.decode("utf-8", "replace").strip()[-300:]
        raise DriverError(f"{args[0]} failed ({done.returncode}): {err}", status=_ERROR)


def _check_wav(path: Path) -> None:
    try:
        with wave.open(str(path), "rb") as wav:
            if wav.getnframes() == 0:
                raise DriverError(f"{path.name} is empty", status=_ERROR)
    except (wave.Error, EOFError, OSError) as exc:
        raise DriverError(f"{path.name} is not a valid WAV: {exc}", status=_ERROR) from exc


def render_chime(dest: Path, *, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
    """Write the two-tone chime (about 1.1 s) to ``dest``."""
    _run(["sox", "-q", "-n", *_FORMAT, str(dest), *_CHIME_EFFECTS], timeout_s=timeout_s)


def render_speech(
    text: str, *, lang: str, dest: Path, timeout_s: float = DEFAULT_TIMEOUT_S
) -> None:
    """Speak ``text`` with the voice for ``lang`` into ``dest``."""
    # The text goes on stdin (UTF-8, -b 1) so a label starting with "-" is never an option.
    args = ["espeak-ng", "-b", "1", "-v", VOICES[lang], "-s", str(SPEED_WPM), "-w", str(dest)]
    _run(args, stdin=text.encode("utf-8"), timeout_s=timeout_s)


def voices_available() -> set[str]:
    """The Sira languages the installed espeak-ng can speak (empty when it is missing)."""
    try:
        done = subprocess.run(
            ["espeak-ng", "--voices"], capture_output=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return set()
    installed = {
        line.split()[1]
        for line in done.stdout.decode("utf-8", "replace").splitlines()[1:]
        if len(line.split()) > 1
    }
    return {lang for lang, voice in VOICES.items() if voice in installed}


def phrase_name(text: str, *, lang: str) -> str:
    """The file name of a spoken phrase (kiosk guidance): pure, like ``announcement_name``."""
    key = json.dumps([AUDIO_VERSION, "phrase", lang, VOICES[lang], SPEED_WPM, SAMPLE_RATE, text])
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
    return f"say-{lang}-{digest}.wav"


def announcement_name(*, code: str, counter: str, lang: str) -> str:
    """The file name for a call; for a language without a voice, the chime's name.

    Pure: the server may compute the URL before the file exists.
    """
    text = spoken_text(code=code, counter=counter, lang=lang)
    if text is None:
        return CHIME_NAME
    key = json.dumps([AUDIO_VERSION, lang, VOICES[lang], SPEED_WPM, SAMPLE_RATE, text])
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
    return f"call-{lang}-{digest}.wav"


class AnnouncementCache:
    """Announcement files in ``directory``, each generated on first use, atomically."""

    def __init__(
        self,
        directory: Path | str,
        *,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        max_files: int = DEFAULT_MAX_FILES,
        max_bytes: int | None = None,
    ) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self.timeout_s = timeout_s
        self.max_files = max_files
        # The files' total size kept, when set (the chime aside): a bound on disk, not count.
        self.max_bytes = max_bytes
        self._voices: set[str] | None = None
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    @property
    def voices(self) -> set[str]:
        """Languages spoken here: those with a word table and an installed voice."""
        if self._voices is None:
            self._voices = voices_available() & set(SPOKEN_LANGS)
        return self._voices

    def chime_path(self) -> Path:
        """The chime alone, generated on first use."""
        return self._ensure(CHIME_NAME, self._make_chime)

    def path_for(self, *, code: str, counter: str, lang: str) -> Path | None:
        """Chime + spoken call, or None when ``lang`` has no voice (play ``chime_path()``)."""
        text = spoken_text(code=code, counter=counter, lang=lang)
        if text is None or lang not in self.voices:
            if text is not None:
                log.warning("espeak-ng has no voice %r; announcing with the chime only", lang)
            return None
        name = announcement_name(code=code, counter=counter, lang=lang)
        chime = self.chime_path()
        return self._ensure(name, lambda tmp, out: self._make_call(text, lang, chime, tmp, out))

    def name_for(self, *, code: str, counter: str, lang: str) -> str:
        """Like ``announcement_name`` but the chime's name when no voice is installed here."""
        if lang not in self.voices:
            return CHIME_NAME
        return announcement_name(code=code, counter=counter, lang=lang)

    def phrase_path(self, text: str, *, lang: str) -> Path | None:
        """``text`` spoken with the voice for ``lang`` (no chime), or None without that voice."""
        if lang not in VOICES or lang not in self.voices:
            return None
        name = phrase_name(text, lang=lang)
        return self._ensure(name, lambda tmp, out: self._make_phrase(text, lang, tmp, out))

    # -- generation

    def ready(self, name: str) -> Path | None:
        """The file ``name`` if it was made already (marked as just used, so the prune keeps
        the busiest files), without waiting for any generation."""
        final = self.directory / name
        try:
            os.utime(final)
        except OSError:
            return None
        return final

    def _ensure(self, name: str, make: Callable[[Path, Path], None]) -> Path:
        final = self.ready(name)
        if final is not None:
            return final
        final = self.directory / name
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        # One thread of this process generates; the others wait and then find the file.
        # Across processes the rename is atomic, so the worst case is the work done twice.
        try:
            with lock:
                if final.exists():
                    return final
                tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=self.directory))
                try:
                    out = tmp / name
                    make(tmp, out)
                    _check_wav(out)
                    os.replace(out, final)
                finally:
                    shutil.rmtree(tmp, ignore_errors=True)
        finally:
            # The lock table holds only names being generated now: it stays small however
            # many names are asked for. A thread still waiting on this lock finds the file.
            with self._guard:
                if self._locks.get(name) is lock and not lock.locked():
                    del self._locks[name]
        if name != CHIME_NAME:
            self._prune(keep=final)
        return final

    def _prune(self, *, keep: Path) -> None:
        """Delete the least recently used files beyond ``max_files`` and ``max_bytes`` (the
        chime always stays; a file's time is refreshed each time it is asked for)."""
        files = []
        for path in self.directory.glob("*.wav"):
            if path.name == CHIME_NAME:
                continue
            try:
                st = path.stat()
            except OSError:
                continue
            files.append((st.st_mtime, st.st_size, path))
        total = sum(size for _, size, _ in files)
        count = len(files)
        for _, size, old in sorted(files, key=lambda f: f[0]):
            over_bytes = self.max_bytes is not None and total > self.max_bytes
            if count <= self.max_files and not over_bytes:
                break
            if old == keep:
                continue
            old.unlink(missing_ok=True)
            count -= 1
            total -= size

    def _make_chime(self, tmp: Path, out: Path) -> None:
        render_chime(out, timeout_s=self.timeout_s)

    def _make_phrase(self, text: str, lang: str, tmp: Path, out: Path) -> None:
        raw = tmp / "speech-raw.wav"
        render_speech(text, lang=lang, dest=raw, timeout_s=self.timeout_s)
        _check_wav(raw)
        # The same format as the announcements, and a short tail so no player clips the end.
        _run(
            ["sox", "-q", str(raw), *_FORMAT, str(out), "pad", "0", "0.15"],
            timeout_s=self.timeout_s,
        )

    def _make_call(self, text: str, lang: str, chime: Path, tmp: Path, out: Path) -> None:
        raw = tmp / "speech-raw.wav"
        render_speech(text, lang=lang, dest=raw, timeout_s=self.timeout_s)
        _check_wav(raw)
        # Resample the speech to the chime's format (sox concatenates like formats only),
        # then join: chime, speech, and a short tail so no player clips the last syllable.
        speech = tmp / "speech.wav"
        _run(["sox", "-q", str(raw), *_FORMAT, str(speech)], timeout_s=self.timeout_s)
        args = ["sox", "-q", str(chime), str(speech), *_FORMAT, str(out), "pad", "0", "0.3"]
        _run(args, timeout_s=self.timeout_s)
