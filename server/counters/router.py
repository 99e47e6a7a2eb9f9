"""Counter (teller) routes: parse, call one service function, return."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Response
from sqlmodel import Session

from server.auth.principal import Principal
from server.branches.lookup import get_counter
from server.counters import calling, service
from server.counters.schemas import (
    CallChosenRequest,
    CallNextRequest,
    CallPublic,
    CounterPublic,
    LeaveRequest,
    OpenRequest,
    PauseRequest,
    WaitingListPublic,
)
from server.deps import OperateWork, ReadQueueWork
from server.models import Counter

router = APIRouter(prefix="/api/v1/counters", tags=["counter"])


def _load(session: Session, principal: Principal, counter_id: int) -> Counter:
    return get_counter(session, counter_id, principal=principal, lock=True)


def _out(session: Session, counter: Counter) -> CounterPublic:
    return service.counter_public(session, counter, service.current_ticket(session, counter))


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
async def call_next(
    counter_id: int, work: OperateWork, body: CallNextRequest | None = None
) -> CallPublic | Response:
    """Finish whoever is at the counter (as served, or ``previous: no_show``), then call the
    next ticket by the branch's rules; ``service``: from a service the counter does not
    serve, while its own queues are empty."""
    ask = body or CallNextRequest()

    def run(session: Session, principal: Principal, now: dt.datetime) -> CallPublic | None:
        counter = _load(session, principal, counter_id)
        return calling.call_next(
            session,
            counter,
            principal=principal,
            now=now,
            previous=ask.previous,
            service=ask.service,
        )

    called = await work(run)
    return Response(status_code=204) if called is None else called


@router.post("/{counter_id}/call")
async def call_chosen(counter_id: int, body: CallChosenRequest, work: OperateWork) -> CallPublic:
    """Call the ticket the teller chose from the waiting list (logged with rule ``chosen``)."""

    def run(session: Session, principal: Principal, now: dt.datetime) -> CallPublic:
        counter = _load(session, principal, counter_id)
        return calling.call_chosen(
            session,
            counter,
            ticket_id=body.ticket,
            principal=principal,
            now=now,
            previous=body.previous,
        )

    return await work(run)


@router.get("/{counter_id}/queue")
async def waiting_list(counter_id: int, work: OperateWork) -> WaitingListPublic:
    """Who is waiting: for the counter's own services, and for the others."""

    def run(session: Session, principal: Principal, now: dt.datetime) -> WaitingListPublic:
        counter = get_counter(session, counter_id, principal=principal)
        return calling.waiting_list(session, counter, now=now)

    return await work(run)


@router.post("/{counter_id}/recall")
async def recall(counter_id: int, work: OperateWork) -> CallPublic:
    def run(session: Session, principal: Principal, now: dt.datetime) -> CallPublic:
        counter = _load(session, principal, counter_id)
        return calling.recall(session, counter, principal=principal, now=now)

    return await work(run)


@router.post("/{counter_id}/open")
async def open_counter(
    counter_id: int, work: OperateWork, body: OpenRequest | None = None
) -> CounterPublic:
    """Open the counter and hold it; another's counter only with ``take_over`` (409 without)."""
    take_over = body.take_over if body else False

    def run(session: Session, principal: Principal, now: dt.datetime) -> CounterPublic:
        counter = _load(session, principal, counter_id)
        opened = service.open_counter(
            session, counter, principal=principal, now=now, take_over=take_over
        )
        return _out(session, opened)

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


@router.post("/{counter_id}/leave")
async def leave(
    counter_id: int, work: OperateWork, body: LeaveRequest | None = None
) -> CounterPublic:
    """The teller holding the counter walks away from it (to another one): it is paused
    with reason ``left`` (or closed with ``{counter: "close"}``) and held by nobody, so it
    stops counting as open and a colleague opens it without taking over. Refused (409)
    while a customer is called or served there, and for anyone but its holder."""
    close_it = body is not None and body.counter == "close"

    def run(session: Session, principal: Principal, now: dt.datetime) -> CounterPublic:
        counter = _load(session, principal, counter_id)
        return _out(
            session,
            service.leave_own(session, counter, close_it=close_it, principal=principal, now=now),
        )

    return await work(run)


@router.post("/{counter_id}/close")
async def close(counter_id: int, work: OperateWork) -> CounterPublic:
    def run(session: Session, principal: Principal, now: dt.datetime) -> CounterPublic:
        counter = _load(session, principal, counter_id)
        return _out(session, service.close(session, counter, principal=principal, now=now))

    return await work(run)
