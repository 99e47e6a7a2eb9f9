"""``GET /api/v1/branches/overview``: live metrics of every branch the caller may see.

A regional manager (their own branch plus the ``user_branch`` rows an admin gave them) or an
admin (every branch) watches branches side by side; nobody else sees another branch.
"""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Query
from sqlmodel import Session, col, select

from server.auth.principal import Principal
from server.branches.schemas import BranchLive, OverviewPublic
from server.deps import ConfigureWork
from server.domain.errors import NotFound
from server.metrics.live import live_metrics
from server.models import Branch

router = APIRouter(prefix="/api/v1/branches", tags=["metrics"])

MAX_BRANCHES = 500


@router.get("/overview")
async def overview(
    work: ConfigureWork,
    branches: str | None = Query(
        None, max_length=4000, description="comma-separated branch codes (default: all you see)"
    ),
) -> OverviewPublic:
    """Live metrics per branch, in branch-code order, for a manager's or admin's dashboard."""

    def run(session: Session, principal: Principal, now: dt.datetime) -> OverviewPublic:
        stmt = select(Branch).order_by(col(Branch.code))
        visible = principal.branch_ids
        if visible is not None:
            stmt = stmt.where(col(Branch.id).in_(visible))
        rows = list(session.exec(stmt))
        if branches:
            wanted = {c.strip() for c in branches.split(",") if c.strip()}
            hidden = sorted(wanted - {b.code for b in rows})
            if hidden:
                # The same answer for a branch that does not exist and one out of reach.
                raise NotFound(f"there is no branch {', '.join(repr(c) for c in hidden)}")
            rows = [b for b in rows if b.code in wanted]
        rows = rows[:MAX_BRANCHES]
        return OverviewPublic(
            at=now.isoformat(),
            branches=[
                BranchLive(
                    name=b.name, is_open=b.is_open, **dict(live_metrics(session, b, now=now))
                )
                for b in rows
            ],
        )

    return await work(run)
