"""Spoken guidance for the kiosk: ``POST`` the phrases to hear, ``GET`` each clip.

The kiosk asks with its device token (a kiosk speaks for its own branch; a manager or an
administrator may ask too, to hear what a kiosk says). The server words each phrase
(``drivers.speech.guidance``), synthesises it offline with espeak-ng the first time and keeps
the file by what it says, so the next customer who moves over the same service hears it at
once. Clips are fetched with the same token (the kiosk plays them from a blob), never through
a public URL.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from sqlmodel import Session, col, select

from drivers.base import DriverError
from drivers.speech import guidance
from drivers.speech.synth import AnnouncementCache, phrase_name
from server.announcements.audio import voices
from server.auth.principal import Principal, Role
from server.branches.lookup import branch_for, get_service, service_name
from server.deps import ContextDep, Work, needs
from server.domain.errors import Invalid, NotFound, Unavailable
from server.guidance.schemas import (
    Clip,
    Phrase,
    SayAudioMode,
    SayControl,
    SayKeys,
    SayLanguage,
    SayScreen,
    SayService,
    SayTicket,
    SayVolume,
    SpeechAnswer,
    SpeechRequest,
)
from server.models import Branch, Service, Ticket

log = logging.getLogger(__name__)

router = APIRouter(prefix="/api/v1", tags=["kiosk"])

HEAR = (Role.KIOSK, Role.ADMIN, Role.MANAGER)
HearWork = Annotated[Work, Depends(needs(*HEAR))]
CLIPS = "/api/v1/speech/clips"
CLIP_NAME = re.compile(r"^say-[a-z]{2,3}-[0-9a-f]{24}\.wav$")
# A ticket whose confirmation may still be spoken: the kiosk's screen shows it for seconds.
TICKET_WINDOW = dt.timedelta(hours=12)
# Phrase files kept: at most this many, and at most this much disk (~45 kB a second of
# speech; most phrases take 2–6 s, a long confirmation 20 s): the least recently used go.
MAX_CLIPS = 1000
MAX_CLIP_BYTES = 200 * 1024 * 1024
# Synthesis runs on its own threads: a kiosk asking for many new phrases at once waits for
# these, never taking the threads every other request's database work runs on, and a phrase
# already made is answered without them.
_synth = ThreadPoolExecutor(max_workers=2, thread_name_prefix="sira-guidance")
# New phrases waiting for those threads, across all kiosks: beyond this the server says it is
# busy (503, Retry-After) rather than keep a queue nobody can wait out.
MAX_WAITING = 24
# ... and for any one caller (a kiosk, a manager), one request's worth: a kiosk asking for new
# phrases without end keeps the other half free for every other kiosk's.
MAX_WAITING_EACH = 12
RETRY_AFTER_S = 2
_waiting = 0
_waiting_by: dict[str, int] = {}

_caches: dict[Path, AnnouncementCache] = {}

WAV_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"description": "the spoken phrase (WAV)", "content": {"audio/wav": {}}}
}


def clip_cache(data_dir: Path) -> AnnouncementCache:
    directory = data_dir / "audio" / "guide"
    cache = _caches.get(directory)
    if cache is None:
        cache = AnnouncementCache(directory, max_files=MAX_CLIPS, max_bytes=MAX_CLIP_BYTES)
        _caches[directory] = cache
    return cache


UNAVAILABLE: dict[int | str, dict[str, Any]] = {
    503: {"description": "speech could not be made now (espeak-ng or sox failed, or busy)"}
}


@router.post("/branches/{branch}/speech", responses=UNAVAILABLE)
async def speak(
    body: SpeechRequest,
    ctx: ContextDep,
    work: HearWork,
    branch: str = PathParam(min_length=1, max_length=32),
) -> SpeechAnswer:
    """Word the phrases in ``lang`` and make their audio; answers each clip's text and URL."""

    def words(
        session: Session, principal: Principal, now: dt.datetime
    ) -> tuple[str, list[tuple[str, str]]]:
        b = branch_for(session, principal, branch)
        if body.lang not in spoken_langs(b):
            raise NotFound(f"branch {b.code} has no voice for language '{body.lang}' here")
        who = (
            f"device {principal.device_id}" if principal.is_device else f"user {principal.user_id}"
        )
        return who, [(p.say, _text(session, b, body.lang, p, now)) for p in body.phrases]

    who, said = await work.check(words)
    cache = clip_cache(ctx.settings.data_dir)
    names = [phrase_name(text, lang=body.lang) for _, text in said]
    missing = {n: t for n, (_, t) in zip(names, said, strict=True) if cache.ready(n) is None}
    if missing:
        await _make(cache, missing, body.lang, who=who)
    return SpeechAnswer(
        lang=body.lang,
        clips=[
            Clip(say=kind, text=text, url=f"{CLIPS}/{name}")
            for (kind, text), name in zip(said, names, strict=True)
        ],
    )


def spoken_langs(branch: Branch) -> set[str]:
    """The languages a kiosk of ``branch`` may hear: its own that have a voice here, and
    English for those that have none (the kiosk speaks them in English)."""
    voiced = set(guidance.GUIDE_LANGS) & voices()
    langs = set(branch.languages or []) | {branch.default_lang}
    allowed = langs & voiced
    if langs - voiced and "en" in voiced:
        allowed.add("en")
    return allowed


async def _make(cache: AnnouncementCache, texts: dict[str, str], lang: str, *, who: str) -> None:
    """Synthesise the phrases not made yet (two at a time), or refuse when too many wait, in
    all or from ``who``."""
    global _waiting
    mine = _waiting_by.get(who, 0)
    if _waiting + len(texts) > MAX_WAITING or mine + len(texts) > MAX_WAITING_EACH:
        raise Unavailable(
            "speech is busy making other phrases: ask again in a moment",
            retry_after_s=RETRY_AFTER_S,
        )
    _waiting += len(texts)
    _waiting_by[who] = mine + len(texts)
    loop = asyncio.get_running_loop()
    try:
        jobs = [
            loop.run_in_executor(_synth, functools.partial(cache.phrase_path, text, lang=lang))
            for text in texts.values()
        ]
        made = await asyncio.gather(*jobs, return_exceptions=True)
    finally:
        _waiting -= len(texts)
        left = _waiting_by.pop(who) - len(texts)
        if left:
            _waiting_by[who] = left
    for result in made:
        if isinstance(result, DriverError):
            log.warning("kiosk speech could not be made: %s", result)
            raise Unavailable("speech could not be made on this server now") from result
        if isinstance(result, BaseException):
            raise result
        if result is None:
            raise NotFound(f"there is no voice for language '{lang}' on this server")


@router.get(
    f"{CLIPS.removeprefix('/api/v1')}/{{name}}", response_class=FileResponse, responses=WAV_ANSWER
)
async def clip(
    ctx: ContextDep,
    work: HearWork,
    name: str = PathParam(min_length=10, max_length=64),
) -> FileResponse:
    """One clip made by ``POST …/speech`` (audio/wav)."""
    await work.check(lambda session, principal, now: None)
    path = clip_cache(ctx.settings.data_dir).directory / name
    if not CLIP_NAME.fullmatch(name) or not path.is_file():
        raise NotFound("no such clip: ask for the phrase again (POST …/speech)")
    return FileResponse(path, media_type="audio/wav", headers={"Cache-Control": "no-store"})


def _text(session: Session, branch: Branch, lang: str, phrase: Phrase, now: dt.datetime) -> str:
    try:
        return _word(session, branch, lang, phrase, now)
    except (ValueError, OverflowError) as exc:  # a value the wording cannot say
        raise Invalid(f"this phrase cannot be said: {exc}") from exc


def _word(session: Session, branch: Branch, lang: str, phrase: Phrase, now: dt.datetime) -> str:
    match phrase:
        case SayScreen():
            name = _name(session, branch, phrase.service, lang) if phrase.service else None
            return guidance.screen(
                lang, phrase.screen, service=name, day=phrase.day, time=phrase.time
            )
        case SayKeys():
            return guidance.keys_help(lang)
        case SayLanguage():
            return guidance.language(lang)
        case SayService():
            return guidance.service(
                lang,
                name=_name(session, branch, phrase.service, lang),
                state=phrase.state,
                waiting=phrase.waiting,
                wait_s=phrase.wait_s,
                wait_range=_range(phrase.wait_range_s),
                rough=phrase.rough,
                priority=phrase.priority,
            )
        case SayControl():
            return guidance.control(lang, phrase.control, pressed=phrase.pressed)
        case SayTicket():
            ticket = _recent_ticket(session, branch, phrase.code, now)
            if phrase.service is not None and phrase.service != ticket.original_service_code:
                raise Invalid(f"ticket {ticket.code} is not for service '{phrase.service}'")
            return guidance.ticket(
                lang,
                code=phrase.code if phrase.spoken_number else None,
                service=_name(session, branch, ticket.original_service_code, lang),
                ahead=phrase.ahead,
                wait_s=phrase.wait_s,
                wait_range=_range(phrase.wait_range_s),
                rough=phrase.rough,
                unserved=phrase.unserved,
                print_status=phrase.print_status,
                priority=ticket.priority,
            )
        case SayVolume():
            return guidance.volume(lang, phrase.level)
        case SayAudioMode():
            return guidance.audio_mode(lang, phrase.private)
    raise AssertionError(f"unknown phrase {phrase!r}")  # pragma: no cover


def _name(session: Session, branch: Branch, code: str, lang: str) -> str:
    service: Service = get_service(session, branch, code)
    return service_name(branch, service, lang=lang)


def _range(value: list[int] | None) -> tuple[int, int] | None:
    return (value[0], value[1]) if value else None


def _recent_ticket(session: Session, branch: Branch, code: str, now: dt.datetime) -> Ticket:
    """Only a ticket this branch issued lately is spoken (no made-up codes), with its own
    service and priority; the latest of that code (codes restart each day)."""
    found = session.exec(
        select(Ticket)
        .where(
            Ticket.branch_id == branch.id,
            Ticket.code == code,
            col(Ticket.issued_at) >= now - TICKET_WINDOW,
        )
        .order_by(col(Ticket.issued_at).desc())
        .limit(1)
    ).first()
    if found is None:
        raise NotFound(f"branch {branch.code} issued no ticket {code} lately")
    return found
