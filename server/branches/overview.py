"""``GET /api/v1/branches/overview``: live metrics of every branch the caller may see.

A regional manager (their own branch plus the ``user_branch`` rows an admin gave them) or an
admin (every branch) watches branches side by side; nobody else sees another branch.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query
from sqlmodel import Session

from server.auth.principal import Principal
from server.branches.lookup import visible_branches
from server.branches.schemas import BranchLive, OverviewPublic
from server.deps import ConfigureWork
from server.metrics.live import live_metrics

router = APIRouter(prefix="/api/v1/branches", tags=["metrics"])

MAX_BRANCHES = 500


def overview_public(
    session: Session, principal: Principal, *, codes: set[str] | None, now: dt.datetime
) -> OverviewPublic:
    """Live metrics of the branches ``principal`` may see (or of ``codes`` among them)."""
    rows = visible_branches(session, principal, codes)[:MAX_BRANCHES]
    return OverviewPublic(
        at=now.isoformat(),
        branches=[
            BranchLive(name=b.name, is_open=b.is_open, **dict(live_metrics(session, b, now=now)))
            for b in rows
        ],
    )


@router.get("/overview")
async def overview(
    work: ConfigureWork,
    branches: str | None = Query(
        None, max_length=4000, description="comma-separated branch codes (default: all you see)"
    ),
) -> OverviewPublic:
    """Live metrics per branch, in branch-code order, for a manager's or admin's dashboard."""

    wanted = {c.strip() for c in branches.split(",") if c.strip()} if branches else None

    def run(session: Session, principal: Principal, now: dt.datetime) -> OverviewPublic:
        return overview_public(session, principal, codes=wanted or None, now=now)

    return await work(run)
