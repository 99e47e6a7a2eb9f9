"""FastAPI dependencies: who may call a route, and the one unit of work that serves it.

Every route declares its access rule in its signature, as the dependency that gives it its
``Work``: ``work: Annotated[Work, Depends(needs(*OPERATE))]`` (or an alias below). A test
then reads every route's rule without running it (``route_access``).

A route's database work runs as *one* call in a worker thread — authenticate, check the
role, do the work, record events, commit — through ``Work``. One thread hop per request
matters: with a session dependency, a sync route and a commit in the dependency's exit, a
request crosses three hops while it holds SQLite's single write slot, and under load the
waiting requests fill the thread pool that the slot holder needs to finish.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from fastapi.routing import APIRoute
from sqlmodel import Session
from starlette.requests import HTTPConnection

from server import audit
from server.auth import service as auth
from server.auth.principal import (
    ADMIN_ONLY,
    CONFIGURE,
    DEVICE_KINDS,
    ISSUE,
    OPERATE,
    READ_QUEUE,
    SIGNED_IN,
    Principal,
    Role,
)
from server.context import AppContext
from server.domain.errors import PasswordChangeRequired, Unauthorized
from server.effects import Effect

T = TypeVar("T")
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def bearer_token(conn: HTTPConnection) -> str | None:
    header = conn.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
    return None


class Work:
    """Runs this request's unit of work: commit before the response, events after commit."""

    def __init__(
        self,
        ctx: AppContext,
        *,
        token: str | None,
        write: bool,
        roles: frozenset[Role] | None,
        address: str | None = None,
        reset_ok: bool = False,
    ) -> None:
        self.ctx = ctx
        self.token = token
        self.write = write
        self.roles = roles
        self.address = address  # the client's, for the audit trail
        self.reset_ok = reset_ok  # callable while the user's password must be changed

    async def __call__(self, fn: Callable[[Session, Principal, dt.datetime], T]) -> T:
        """Run ``fn(session, principal, now)`` for a caller holding one of the route's roles,
        then the side effects it queued (so the response can tell their outcome)."""
        if self.roles is None:
            raise TypeError("a public route has no principal: use Work.public")
        effects: list[Effect] = []
        result: T = await self.ctx.db.run(self._authenticated, fn, effects, write=self.write)
        await self.ctx.run_effects(effects)
        return result

    async def check(self, fn: Callable[[Session, Principal, dt.datetime], T]) -> T:
        """Run ``fn`` for a caller holding one of the route's roles in a read-only unit (no
        write slot, no effects): to refuse a caller before costly work outside the unit."""
        if self.roles is None:
            raise TypeError("a public route has no principal: use Work.public")
        reader = Work(
            self.ctx,
            token=self.token,
            write=False,
            roles=self.roles,
            address=self.address,
            reset_ok=self.reset_ok,
        )
        result: T = await self.ctx.db.run(reader._authenticated, fn, [], write=False)
        return result

    async def public(self, fn: Callable[[Session, dt.datetime], T]) -> T:
        """Run ``fn(session, now)`` for a call that needs no login."""
        effects: list[Effect] = []
        result: T = await self.ctx.db.run(self._public, fn, effects, write=self.write)
        await self.ctx.run_effects(effects)
        return result

    def _authenticated(
        self, fn: Callable[[Session, Principal, dt.datetime], T], effects: list[Effect]
    ) -> T:
        assert self.roles is not None
        with self.ctx.db.unit_of_work(write=self.write, effects=effects) as session:
            now = self.ctx.clock.now()
            if self.token is None:
                raise Unauthorized("log in first: this call needs an 'Authorization: Bearer' token")
            principal = auth.resolve(session, token=self.token, now=now)
            principal.require(*self.roles)
            if principal.must_change_password and not self.reset_ok:
                raise PasswordChangeRequired(
                    "your password was reset: choose a new one first (POST /api/v1/auth/password)"
                )
            session.info[audit.ACTOR] = audit.Actor.of(principal, self.address)
            session.info[audit.NOW] = now
            if principal.device_id is not None:
                self.ctx.contacts[principal.device_id] = now  # see devices.watch.record_contacts
            return fn(session, principal, now)

    def _public(self, fn: Callable[[Session, dt.datetime], T], effects: list[Effect]) -> T:
        with self.ctx.db.unit_of_work(write=self.write, effects=effects) as session:
            now = self.ctx.clock.now()
            session.info[audit.ACTOR] = audit.Actor("anonymous", "", None, self.address)
            session.info[audit.NOW] = now
            return fn(session, now)


class Access:
    """A route's access rule, used as its dependency: gives the route its ``Work``.

    ``roles`` None: anyone may call, no token needed (the route uses ``Work.public`` or no
    database at all). The role check itself runs inside the unit of work (see ``Work``).
    """

    def __init__(self, roles: Iterable[Role] | None, *, reset_ok: bool = False) -> None:
        self.roles = None if roles is None else frozenset(roles)
        # Also for a user whose password was reset (sign out, who am I, change it).
        self.reset_ok = reset_ok

    async def __call__(self, conn: HTTPConnection) -> Work:
        method = conn.scope.get("method", "GET")
        return Work(
            conn.app.state.ctx,
            token=bearer_token(conn),
            write=method not in READ_METHODS,
            roles=self.roles,
            address=conn.client.host if conn.client else None,
            reset_ok=self.reset_ok,
        )

    def __repr__(self) -> str:
        if self.roles is None:
            return "Access(public)"
        return f"Access({', '.join(sorted(r.value for r in self.roles))})"


def needs(*roles: Role) -> Access:
    """The access rule of a route that only these roles may call."""
    if not roles:
        raise ValueError("needs() takes at least one role; use PUBLIC for an open route")
    return Access(roles)


PUBLIC = Access(None)


def route_access(route: APIRoute) -> list[Access]:
    """The access rules a route declares (one, for a well-formed route)."""
    found: list[Access] = []
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        if isinstance(dependant.call, Access):
            found.append(dependant.call)
        pending.extend(dependant.dependencies)
    return found


async def get_context(request: Request) -> AppContext:
    ctx: AppContext = request.app.state.ctx
    return ctx


ContextDep = Annotated[AppContext, Depends(get_context)]

# The rules the routes use (server/auth/principal.py says who is in each set).
PublicWork = Annotated[Work, Depends(PUBLIC)]
SignedInWork = Annotated[Work, Depends(needs(*SIGNED_IN))]
# Signed in, even with a reset password still to replace (sign out, who am I, change it).
AccountWork = Annotated[Work, Depends(Access(SIGNED_IN, reset_ok=True))]
ReadQueueWork = Annotated[Work, Depends(needs(*READ_QUEUE))]
IssueWork = Annotated[Work, Depends(needs(*ISSUE))]
OperateWork = Annotated[Work, Depends(needs(*OPERATE))]
ConfigureWork = Annotated[Work, Depends(needs(*CONFIGURE))]
AdminWork = Annotated[Work, Depends(needs(*ADMIN_ONLY))]
# The device agent's socket: devices only (a key press is checked further: agents at their
# own counters).
DeviceWork = Annotated[Work, Depends(needs(*DEVICE_KINDS))]
# For routes that touch no database and need no login (health, static audio).
OPEN_ROUTE: list[Any] = [Depends(PUBLIC)]
