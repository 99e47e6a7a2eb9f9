"""Announcement audio files for displays and speakers. Public: a ticket code and a counter
label are on the screen anyway, and an <audio> element cannot send a bearer token. A spoken
file is only made for a call that happened (see ``service.was_called``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from server.announcements.audio import CODE, COUNTER, audio_dir, cache_for, voices
from server.announcements.service import was_called
from server.context import AppContext
from server.deps import OPEN_ROUTE, ContextDep
from server.domain.errors import NotFound

router = APIRouter(prefix="/api/v1/announcements", tags=["announcements"], dependencies=OPEN_ROUTE)

CACHE_HEADERS = {"Cache-Control": "public, max-age=86400"}
WAV_ANSWER: dict[int | str, dict[str, Any]] = {
    200: {"description": "the audio (WAV)", "content": {"audio/wav": {}}}
}


@router.get("/chime.wav", response_class=FileResponse, responses=WAV_ANSWER)
async def chime(ctx: ContextDep) -> FileResponse:
    cache = cache_for(audio_dir(ctx.settings.data_dir))
    path = await run_in_threadpool(cache.chime_path)
    return FileResponse(path, media_type="audio/wav", headers=CACHE_HEADERS)


@router.get("/{lang}/{code}/{counter}.wav", response_class=FileResponse, responses=WAV_ANSWER)
async def spoken(
    ctx: ContextDep,
    lang: str = PathParam(min_length=2, max_length=8),
    code: str = PathParam(min_length=2, max_length=8),
    counter: str = PathParam(min_length=1, max_length=32),
) -> FileResponse:
    if lang not in voices():
        raise NotFound(f"there is no voice for language '{lang}' on this server")
    if not CODE.match(code) or not COUNTER.match(counter):
        raise NotFound("no announcement matches this ticket code and counter")
    cache = cache_for(audio_dir(ctx.settings.data_dir))
    ready = cache.directory / cache.name_for(code=code, counter=counter, lang=lang)
    if not ready.exists():
        called = await ctx.db.run(_was_called, ctx, code, counter, write=False)
        if not called:
            raise NotFound(f"no call of {code} at counter {counter} was made lately")
    path = await run_in_threadpool(cache.path_for, code=code, counter=counter, lang=lang)
    if path is None:
        raise NotFound(f"there is no voice for language '{lang}' on this server")
    return FileResponse(path, media_type="audio/wav", headers=CACHE_HEADERS)


def _was_called(ctx: AppContext, code: str, counter: str) -> bool:
    with ctx.db.read_session() as session:
        return was_called(session, code=code, counter=counter, now=ctx.clock.now())
