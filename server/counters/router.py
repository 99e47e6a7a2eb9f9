"""Counter (teller) routes: parse, call one service function, return."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Response
from sqlmodel import Session

from server.auth.principal import Principal
from server.branches.lookup import get_counter
from server.counters import service
from server.counters.schemas import CallPublic, CounterPublic, PauseRequest
from server.deps import OperateWork, ReadQueueWork
from server.models import Counter

router = APIRouter(prefix="/api/v1/counters", tags=["counter"])


def _load(session: Session, principal: Principal, counter_id: int) -> Counter:
    return get_counter(session, counter_id, principal=principal, lock=True)


def _out(session: Session, counter: Counter) -> CounterPublic:
    return service.counter_public(counter, service.current_ticket(session, counter))


@router.get("/{counter_id}")
async def read_counter(counter_id: int, work: ReadQueueWork) -> CounterPublic:
    def run(session: Session, principal: Principal, _now: dt.datetime) -> CounterPublic:
        return _out(session, get_counter(session, counter_id, principal=principal))

    return await work(run)


@router.post(
    "/{counter_id}/call-next",
    response_model=CallPublic,
    responses={204: {"description": "nobody is waiting for this counter"}},
)
async def call_next(counter_id: int, work: OperateWork) -> CallPublic | Response:
    """Finish whoever is at the counter, then call the next ticket by the branch's rules."""

    def run(session: Session, principal: Principal, now: dt.datetime) -> CallPublic | None:
        counter = _load(session, principal, counter_id)
        return service.call_next(session, counter, principal=principal, now=now)

    called = await work(run)
    return Response(status_code=204) if called is None else called


@router.post("/{counter_id}/recall")
async def recall(counter_id: int, work: OperateWork) -> CallPublic:
    def run(session: Session, principal: Principal, now: dt.datetime) -> CallPublic:
        counter = _load(session, principal, counter_id)
        return service.recall(session, counter, principal=principal, now=now)

    return await work(run)


@router.post("/{counter_id}/open")
async def open_counter(counter_id: int, work: OperateWork) -> CounterPublic:
    def run(session: Session, principal: Principal, now: dt.datetime) -> CounterPublic:
        counter = _load(session, principal, counter_id)
        return _out(session, service.open_counter(session, counter, principal=principal, now=now))

    return await work(run)


@router.post("/{counter_id}/pause")
async def pause(
    counter_id: int, work: OperateWork, body: PauseRequest | None = None
) -> CounterPublic:
    reason = body.reason if body else "break"

    def run(session: Session, principal: Principal, now: dt.datetime) -> CounterPublic:
        counter = _load(session, principal, counter_id)
        return _out(
            session, service.pause(session, counter, reason=reason, principal=principal, now=now)
        )

    return await work(run)


@router.post("/{counter_id}/resume")
async def resume(counter_id: int, work: OperateWork) -> CounterPublic:
    def run(session: Session, principal: Principal, now: dt.datetime) -> CounterPublic:
        counter = _load(session, principal, counter_id)
        return _out(session, service.resume(session, counter, principal=principal, now=now))

    return await work(run)


@router.post("/{counter_id}/close")
async def close(counter_id: int, work: OperateWork) -> CounterPublic:
    def run(session: Session, principal: Principal, now: dt.datetime) -> CounterPublic:
        counter = _load(session, principal, counter_id)
        return _out(session, service.close(session, counter, principal=principal, now=now))

    return await work(run)
