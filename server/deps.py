"""FastAPI dependencies as Annotated aliases.

A route's database work runs as *one* call in a worker thread — authenticate, do the work,
record events, commit — through ``WorkDep``. One thread hop per request matters: with a
session dependency, a sync route and a commit in the dependency's exit, a request crosses
three hops while it holds SQLite's single write slot, and under load the waiting requests
fill the thread pool that the slot holder needs to finish.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from sqlmodel import Session

from server.auth import service as auth
from server.auth.principal import Principal
from server.context import AppContext
from server.domain.errors import Unauthorized

T = TypeVar("T")
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    return None


class Work:
    """Runs this request's unit of work: commit before the response, events after commit."""

    def __init__(self, ctx: AppContext, *, token: str | None, write: bool) -> None:
        self.ctx = ctx
        self.token = token
        self.write = write

    async def __call__(self, fn: Callable[[Session, Principal, dt.datetime], T]) -> T:
        """Run ``fn(session, principal, now)`` for an authenticated caller."""
        return await self.ctx.db.run(self._authenticated, fn, write=self.write)

    async def public(self, fn: Callable[[Session, dt.datetime], T]) -> T:
        """Run ``fn(session, now)`` for a call that needs no login."""
        return await self.ctx.db.run(self._public, fn, write=self.write)

    def _authenticated(self, fn: Callable[[Session, Principal, dt.datetime], T]) -> T:
        with self.ctx.db.unit_of_work(write=self.write) as session:
            now = self.ctx.clock.now()
            if self.token is None:
                raise Unauthorized("log in first: this call needs an 'Authorization: Bearer' token")
            principal = auth.resolve(session, token=self.token, now=now)
            return fn(session, principal, now)

    def _public(self, fn: Callable[[Session, dt.datetime], T]) -> T:
        with self.ctx.db.unit_of_work(write=self.write) as session:
            return fn(session, self.ctx.clock.now())


async def get_context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


async def get_work(request: Request) -> Work:
    return Work(
        request.app.state.ctx,
        token=bearer_token(request),
        write=request.method not in READ_METHODS,
    )


ContextDep = Annotated[AppContext, Depends(get_context)]
WorkDep = Annotated[Work, Depends(get_work)]
