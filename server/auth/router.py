"""Staff login."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from server.auth import service
from server.deps import ContextDep, NowDep, PrincipalDep, SessionDep, bearer_token
from server.models import Branch

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


@router.post("/login")
def login(body: LoginRequest, session: SessionDep, now: NowDep, ctx: ContextDep) -> dict[str, Any]:
    token, user = service.login(
        session, username=body.username, password=body.password, now=now,
        ttl_s=ctx.settings.session_ttl_s,
    )
    branch = session.get(Branch, user.branch_id) if user.branch_id else None
    return {
        "access_token": token, "token_type": "bearer", "role": user.role,
        "branch": branch.code if branch else None, "username": user.username,
        "expires_in": ctx.settings.session_ttl_s,
    }


@router.post("/logout", status_code=204)
def logout(request: Request, session: SessionDep, principal: PrincipalDep) -> Response:
    token = bearer_token(request)
    if token is not None and principal.user_id is not None:
        service.logout(session, token=token)
    return Response(status_code=204)


@router.get("/me")
def me(session: SessionDep, principal: PrincipalDep) -> dict[str, Any]:
    branch = session.get(Branch, principal.branch_id) if principal.branch_id else None
    return {
        "role": principal.role.value, "name": principal.name,
        "branch": branch.code if branch else None,
        "user_id": principal.user_id, "device_id": principal.device_id,
    }
