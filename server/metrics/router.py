"""Manager metrics."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from fastapi import Path as PathParam
from sqlmodel import Session

from server.auth.principal import Principal
from server.branches.lookup import branch_for
from server.deps import ConfigureWork
from server.metrics.live import live_metrics
from server.metrics.schemas import LiveMetrics

router = APIRouter(prefix="/api/v1/branches", tags=["metrics"])


@router.get("/{branch}/metrics/live")
async def live(
    work: ConfigureWork, branch: str = PathParam(min_length=1, max_length=32)
) -> LiveMetrics:
    def run(session: Session, principal: Principal, now: dt.datetime) -> LiveMetrics:
        b = branch_for(session, principal, branch)
        return live_metrics(session, b, now=now)

    return await work(run)
