"""Branch state for screens: the same snapshot the event stream starts with."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter
from fastapi import Path as PathParam
from sqlmodel import Session

from server.auth.principal import Principal
from server.branches.lookup import branch_for
from server.branches.snapshot import snapshot
from server.deps import ReadQueueWork

router = APIRouter(prefix="/api/v1/branches", tags=["branches"])


@router.get("/{branch}/snapshot")
async def branch_snapshot(
    work: ReadQueueWork, branch: str = PathParam(min_length=1, max_length=32)
) -> dict[str, Any]:
    def run(session: Session, principal: Principal, now: dt.datetime) -> dict[str, Any]:
        b = branch_for(session, principal, branch)
        return {"seq": b.last_seq, "data": snapshot(session, b, now=now)}

    return await work(run)
