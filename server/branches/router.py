"""Branch state for screens: the same snapshot the event stream starts with."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from fastapi import Path as PathParam
from sqlmodel import Session

from server.auth.principal import Principal
from server.branches.lookup import branch_for
from server.branches.schemas import SnapshotPublic
from server.branches.snapshot import snapshot
from server.deps import ReadQueueWork
from server.realtime.events import for_screens

router = APIRouter(prefix="/api/v1/branches", tags=["branches"])


@router.get("/{branch}/snapshot")
async def branch_snapshot(
    work: ReadQueueWork, branch: str = PathParam(min_length=1, max_length=32)
) -> SnapshotPublic:
    def run(session: Session, principal: Principal, now: dt.datetime) -> SnapshotPublic:
        b = branch_for(session, principal, branch)
        # The event stream sends the same snapshot as plain data (server/realtime/ws.py);
        # a device gets it as screens in the hall do, without what is for staff only.
        message = {"type": "snapshot", "seq": b.last_seq, "data": snapshot(session, b, now=now)}
        if principal.is_device:
            message = for_screens(message)
        return SnapshotPublic.model_validate({"seq": message["seq"], "data": message["data"]})

    return await work(run)
