"""FastAPI dependencies as Annotated aliases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from server.auth import service as auth
from server.auth.principal import Principal
from server.context import AppContext
from server.domain.errors import Unauthorized

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


async def get_context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


ContextDep = Annotated[AppContext, Depends(get_context)]


def get_session(request: Request) -> Iterator[Session]:
    """One unit of work per request, committed before the response is sent."""
    ctx: AppContext = request.app.state.ctx
    with ctx.db.unit_of_work(write=request.method not in READ_METHODS) as session:
        yield session


# scope="function": the commit happens before the response goes out, so a client never
# holds a 201 for a ticket that was not stored.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


async def get_now(request: Request) -> dt.datetime:
    ctx: AppContext = request.app.state.ctx
    return ctx.clock.now()


NowDep = Annotated[dt.datetime, Depends(get_now)]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    return None


def current_principal(request: Request, session: SessionDep, now: NowDep) -> Principal:
    token = bearer_token(request)
    if token is None:
        raise Unauthorized("log in first: this call needs an 'Authorization: Bearer' token")
    return auth.resolve(session, token=token, now=now)


PrincipalDep = Annotated[Principal, Depends(current_principal)]
