"""Counter (teller) routes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from server.auth.principal import OPERATE, READ_QUEUE, Principal
from server.branches.lookup import get_counter
from server.counters import service
from server.deps import NowDep, PrincipalDep, SessionDep
from server.models import Counter
from sqlmodel import Session

router = APIRouter(prefix="/api/v1/counters", tags=["counter"])


class PauseRequest(BaseModel):
    reason: str = Field(default="break", min_length=1, max_length=200)


def _load(session: Session, principal: Principal, counter_id: int, *, lock: bool = True) -> Counter:
    principal.require(*OPERATE)
    counter = get_counter(session, counter_id, lock=lock)
    principal.require_branch(counter.branch_id)
    return counter


def _out(session: Session, counter: Counter) -> dict[str, Any]:
    return service.counter_dict(counter, service.current_ticket(session, counter))


@router.get("/{counter_id}")
def read_counter(counter_id: int, session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    principal.require(*READ_QUEUE)
    counter = get_counter(session, counter_id)
    principal.require_branch(counter.branch_id)
    return _out(session, counter)


@router.post("/{counter_id}/call-next", response_model=None)
def call_next(
    counter_id: int, session: SessionDep, principal: PrincipalDep, now: NowDep
) -> dict[str, Any] | Response:
    counter = _load(session, principal, counter_id)
    called = service.call_next(session, counter, principal=principal, now=now)
    if called is None:
        return Response(status_code=204)
    return called


@router.post("/{counter_id}/recall")
def recall(counter_id: int, session: SessionDep, principal: PrincipalDep, now: NowDep) -> dict[str, Any]:
    return service.recall(session, _load(session, principal, counter_id), principal=principal, now=now)


@router.post("/{counter_id}/open")
def open_counter(counter_id: int, session: SessionDep, principal: PrincipalDep, now: NowDep) -> dict[str, Any]:
    counter = service.open_counter(session, _load(session, principal, counter_id), principal=principal, now=now)
    return _out(session, counter)


@router.post("/{counter_id}/pause")
def pause(
    counter_id: int, session: SessionDep, principal: PrincipalDep, now: NowDep,
    body: PauseRequest | None = None,
) -> dict[str, Any]:
    reason = body.reason if body else "break"
    counter = service.pause(session, _load(session, principal, counter_id), reason=reason,
                            principal=principal, now=now)
    return _out(session, counter)


@router.post("/{counter_id}/resume")
def resume(counter_id: int, session: SessionDep, principal: PrincipalDep, now: NowDep) -> dict[str, Any]:
    counter = service.resume(session, _load(session, principal, counter_id), principal=principal, now=now)
    return _out(session, counter)


@router.post("/{counter_id}/close")
def close(counter_id: int, session: SessionDep, principal: PrincipalDep, now: NowDep) -> dict[str, Any]:
    counter = service.close(session, _load(session, principal, counter_id), principal=principal, now=now)
    return _out(session, counter)
