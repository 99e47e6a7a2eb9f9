"""Staff login."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from server.auth import schemas, service
from server.auth.principal import Principal
from server.deps import AccountWork, PublicWork
from server.security import new_password_hash

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


@router.post("/login")
async def login(body: LoginRequest, work: PublicWork, request: Request) -> schemas.LoginPublic:
    # The password is checked outside any unit of work; tries are throttled per client
    # address (see service.login).
    return await service.login(
        work.ctx,
        username=body.username,
        password=body.password,
        address=request.client.host if request.client else "unknown",
        ttl_s=work.ctx.settings.session_ttl_s,
    )


class LogoutRequest(BaseModel):
    counter: Literal["pause", "close"] = Field(
        default="pause",
        description="what becomes of the counter the user holds: paused (reason signed_out) "
        "or closed (paused anyway while a customer is at it)",
    )


@router.post("/logout", status_code=204)
async def logout(work: AccountWork, body: LogoutRequest | None = None) -> Response:
    token = work.token
    close_counters = body is not None and body.counter == "close"

    def run(session: Session, principal: Principal, now: dt.datetime) -> None:
        if token is not None and principal.user_id is not None:
            service.logout(
                session, token=token, principal=principal, close_counters=close_counters, now=now
            )

    await work(run)
    return Response(status_code=204)


@router.get("/me")
async def me(work: AccountWork) -> schemas.MePublic:
    def run(session: Session, principal: Principal, _now: dt.datetime) -> schemas.MePublic:
        return service.me(session, principal)

    return await work(run)


@router.put("/me/language", status_code=204)
async def set_language(body: schemas.LanguageRequest, work: AccountWork) -> Response:
    """Remember the staff screens' language for the signed-in user (a device has none)."""

    def run(session: Session, principal: Principal, _now: dt.datetime) -> None:
        service.set_language(session, principal, body.language)

    await work(run)
    return Response(status_code=204)


@router.patch("/me")
async def update_me(body: schemas.MeUpdate, work: AccountWork) -> schemas.MePublic:
    """Change what a person may change about themselves: the staff screens' language."""

    def run(session: Session, principal: Principal, _now: dt.datetime) -> schemas.MePublic:
        service.set_language(session, principal, body.lang)
        return service.me(session, principal)

    return await work(run)


@router.post("/password", status_code=204)
async def change_password(body: schemas.PasswordChange, work: AccountWork) -> Response:
    """Choose a new password (required after a reset): the current one proves it is you;
    your other sessions end."""
    username, current = await work.check(service.account_of)
    await service.check_password_change(
        body.current_password, body.new_password, username=username, digest=current
    )
    digest = await new_password_hash(body.new_password)
    token = work.token

    def run(session: Session, principal: Principal, now: dt.datetime) -> None:
        service.change_password(
            session, principal, digest=digest, previous=current, keep=token, now=now
        )

    await work(run)
    return Response(status_code=204)
