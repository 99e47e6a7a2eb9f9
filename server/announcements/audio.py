"""Where announcement audio lives: URLs for the display, files generated on first request.

The URL is known when the call is made (it names the language, ticket code and counter), so
the call is never held up by speech synthesis; the file is generated right after the call (or
on the display's first request) and cached in the data directory.
"""

from __future__ import annotations

import functools
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from drivers.speech import AnnouncementCache, voices_available

if TYPE_CHECKING:
    from server.context import AppContext

log = logging.getLogger(__name__)

PREFIX = "/api/v1/announcements"
CODE = re.compile(r"^[A-Z][A-Z0-9]{0,3}\d{1,4}$")
COUNTER = re.compile(r"^[\w .\-]{1,32}$")

_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sira-speech")


@functools.cache
def voices() -> frozenset[str]:
    """Languages espeak-ng can speak on this machine (asked once per process)."""
    try:
        return frozenset(voices_available())
    except Exception:  # no espeak-ng: chime and text only
        log.warning("no speech voices available; calls are announced by chime and text only")
        return frozenset()


def audio_url(*, code: str, counter: str, lang: str) -> str | None:
    """The spoken call's URL, or None when this language has no voice here."""
    if lang not in voices() or not CODE.match(code) or not COUNTER.match(counter):
        return None
    return f"{PREFIX}/{lang}/{quote(code)}/{quote(counter, safe='')}.wav"


@functools.cache
def cache_for(directory: Path) -> AnnouncementCache:
    return AnnouncementCache(directory)


def prewarm(directory: Path, *, code: str, counter: str, lang: str) -> None:
    """Generate the file in the background so the display's request finds it ready."""
    if audio_url(code=code, counter=counter, lang=lang) is None:
        return

    def run() -> None:
        try:
            cache_for(directory).path_for(code=code, counter=counter, lang=lang)
        except Exception:  # the display asks again and falls back to text if it fails
            log.warning("could not pre-generate the announcement for %s", code, exc_info=True)

    _pool.submit(run)


@dataclass(frozen=True)
class PrewarmCall:
    """After a call or recall commits: have its audio ready before the display asks."""

    code: str
    counter: str
    lang: str

    async def run(self, ctx: AppContext) -> None:
        prewarm(
            audio_dir(ctx.settings.data_dir), code=self.code, counter=self.counter, lang=self.lang
        )


def audio_dir(data_dir: Path) -> Path:
    """Where the announcement files are cached."""
    return data_dir / "audio"
