"""Staff login."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from server.auth import schemas, service
from server.auth.principal import Principal
from server.deps import PublicWork, SignedInWork

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


@router.post("/logout", status_code=204)
async def logout(work: SignedInWork) -> Response:
    token = work.token

    def run(session: Session, principal: Principal, _now: dt.datetime) -> None:
        if token is not None and principal.user_id is not None:
            service.logout(session, token=token)

    await work(run)
    return Response(status_code=204)


@router.get("/me")
async def me(work: SignedInWork) -> schemas.MePublic:
    def run(session: Session, principal: Principal, _now: dt.datetime) -> schemas.MePublic:
        return service.me(session, principal)

    return await work(run)
