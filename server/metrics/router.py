"""Manager metrics."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi import Path as PathParam

from server.auth.principal import CONFIGURE
from server.branches.lookup import get_branch
from server.deps import NowDep, PrincipalDep, SessionDep
from server.metrics.live import live_metrics

router = APIRouter(prefix="/api/v1/branches", tags=["metrics"])


@router.get("/{branch}/metrics/live")
def live(session: SessionDep, principal: PrincipalDep, now: NowDep,
         branch: str = PathParam(min_length=1, max_length=32)) -> dict[str, Any]:
    principal.require(*CONFIGURE)
    b = get_branch(session, branch)
    principal.require_branch(b.id, b.code)  # type: ignore[arg-type]
    return live_metrics(session, b, now=now)
