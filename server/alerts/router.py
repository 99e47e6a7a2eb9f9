"""Alerts for managers: open ones by default, history on request."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from sqlmodel import Session

from server.alerts.schemas import AlertPublic
from server.alerts.service import alert_public, list_alerts
from server.auth.principal import Principal
from server.branches.lookup import branch_for
from server.deps import ConfigureWork

router = APIRouter(prefix="/api/v1/branches", tags=["alerts"])


@router.get("/{branch}/alerts")
async def alerts(
    work: ConfigureWork,
    branch: str = PathParam(min_length=1, max_length=32),
    include_cleared: bool = Query(default=False, alias="all"),
    limit: int = Query(default=200, ge=1, le=1000),
) -> list[AlertPublic]:
    def run(session: Session, principal: Principal, _now: dt.datetime) -> list[AlertPublic]:
        b = branch_for(session, principal, branch)
        rows = list_alerts(session, branch_id=b.id, include_cleared=include_cleared, limit=limit)  # type: ignore[arg-type]
        return [alert_public(a) for a in rows]

    return await work(run)
