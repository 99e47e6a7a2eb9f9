"""Counter (teller) routes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from server.announcements.audio import prewarm_call
from server.auth.principal import OPERATE, READ_QUEUE, Principal
from server.branches.lookup import get_counter
from server.counters import service
from server.deps import ContextDep, WorkDep
from server.models import Counter

router = APIRouter(prefix="/api/v1/counters", tags=["counter"])


class PauseRequest(BaseModel):
    reason: str = Field(default="break", min_length=1, max_length=200)


def _load(session: Session, principal: Principal, counter_id: int) -> Counter:
    principal.require(*OPERATE)
    counter = get_counter(session, counter_id, lock=True)
    principal.require_branch(counter.branch_id)
    return counter


def _out(session: Session, counter: Counter) -> dict[str, Any]:
    return service.counter_dict(counter, service.current_ticket(session, counter))


@router.get("/{counter_id}")
async def read_counter(counter_id: int, work: WorkDep) -> dict[str, Any]:
    def run(session: Session, principal: Principal, _now: dt.datetime) -> dict[str, Any]:
        principal.require(*READ_QUEUE)
        counter = get_counter(session, counter_id)
        principal.require_branch(counter.branch_id)
        return _out(session, counter)

    return await work(run)


@router.post("/{counter_id}/call-next", response_model=None)
async def call_next(counter_id: int, work: WorkDep, ctx: ContextDep) -> dict[str, Any] | Response:
    def run(session: Session, principal: Principal, now: dt.datetime) -> dict[str, Any] | None:
        counter = _load(session, principal, counter_id)
        return service.call_next(session, counter, principal=principal, now=now)

    called = await work(run)
    prewarm_call(ctx.settings.data_dir, called)
    return Response(status_code=204) if called is None else called


@router.post("/{counter_id}/recall")
async def recall(counter_id: int, work: WorkDep, ctx: ContextDep) -> dict[str, Any]:
    def run(session: Session, principal: Principal, now: dt.datetime) -> dict[str, Any]:
        counter = _load(session, principal, counter_id)
        return service.recall(session, counter, principal=principal, now=now)

    called = await work(run)
    prewarm_call(ctx.settings.data_dir, called)
    return called


@router.post("/{counter_id}/open")
async def open_counter(counter_id: int, work: WorkDep) -> dict[str, Any]:
    def run(session: Session, principal: Principal, now: dt.datetime) -> dict[str, Any]:
        counter = _load(session, principal, counter_id)
        return _out(session, service.open_counter(session, counter, principal=principal, now=now))

    return await work(run)


@router.post("/{counter_id}/pause")
async def pause(counter_id: int, work: WorkDep, body: PauseRequest | None = None) -> dict[str, Any]:
    reason = body.reason if body else "break"

    def run(session: Session, principal: Principal, now: dt.datetime) -> dict[str, Any]:
        counter = _load(session, principal, counter_id)
        return _out(
            session, service.pause(session, counter, reason=reason, principal=principal, now=now)
        )

    return await work(run)


@router.post("/{counter_id}/resume")
async def resume(counter_id: int, work: WorkDep) -> dict[str, Any]:
    def run(session: Session, principal: Principal, now: dt.datetime) -> dict[str, Any]:
        counter = _load(session, principal, counter_id)
        return _out(session, service.resume(session, counter, principal=principal, now=now))

    return await work(run)


@router.post("/{counter_id}/close")
async def close(counter_id: int, work: WorkDep) -> dict[str, Any]:
    def run(session: Session, principal: Principal, now: dt.datetime) -> dict[str, Any]:
        counter = _load(session, principal, counter_id)
        return _out(session, service.close(session, counter, principal=principal, now=now))

    return await work(run)
