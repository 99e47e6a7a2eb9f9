"""Reports, the service-cycle map, standard risk and staffing advice (manager, admin)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter, Query
from fastapi import Path as PathParam
from fastapi.responses import StreamingResponse
from sqlmodel import Session

from server.auth.principal import Principal
from server.branches.lookup import branch_for, get_service
from server.deps import ConfigureWork, ContextDep
from server.domain.calendar import business_date
from server.domain.errors import Invalid
from server.models import Branch
from server.reports import export, grouped, regrade, risk, staffing, tellers, views
from server.reports.cycle import cycle_public, load_cycle, update_cycle
from server.reports.period import Period
from server.reports.schemas import (
    BreaksPublic,
    CyclePublic,
    CycleUpdate,
    EstimatePoints,
    EstimateRow,
    HeatmapPublic,
    MomentRow,
    RecoveryPublic,
    ReportRow,
    SatisfactionBucket,
    ServiceRisk,
    StaffingPublic,
    TellerTime,
)

router = APIRouter(prefix="/api/v1/branches", tags=["reports"])

BranchCode = PathParam(min_length=1, max_length=32)
From = Query(default=None, alias="from", description="first business date (inclusive)")
To = Query(default=None, alias="to", description="last business date (inclusive)")
MAX_DAYS = 400
# Report dates a branch can have: local midnights near the ends of the calendar do not exist
# in UTC for every zone.
FIRST_DATE, LAST_DATE = dt.date(1970, 1, 1), dt.date(2999, 12, 31)


def period_of(
    branch: Branch, first: dt.date | None, last: dt.date | None, now: dt.datetime
) -> Period:
    last = last or business_date(now, branch.timezone)
    first = first or last
    for day in (first, last):
        if not FIRST_DATE <= day <= LAST_DATE:
            raise Invalid(f"report dates must lie between {FIRST_DATE} and {LAST_DATE}")
    if first > last:
        raise Invalid("'from' must not be after 'to'")
    if (last - first).days >= MAX_DAYS:
        raise Invalid(f"a report covers at most {MAX_DAYS} days")
    return Period.of(first, last, branch.timezone)


@router.get("/{branch}/service-cycle")
async def get_cycle(work: ConfigureWork, branch: str = BranchCode) -> CyclePublic:
    def run(session: Session, principal: Principal, _now: dt.datetime) -> CyclePublic:
        b = branch_for(session, principal, branch)
        return cycle_public(b, load_cycle(session, b))

    return await work(run)


@router.put("/{branch}/service-cycle")
async def put_cycle(
    body: CycleUpdate, work: ConfigureWork, ctx: ContextDep, branch: str = BranchCode
) -> CyclePublic:
    def run(session: Session, principal: Principal, now: dt.datetime) -> CyclePublic:
        b = branch_for(session, principal, branch)
        cfg = update_cycle(
            session,
            b,
            moments={m.key: m.critical for m in body.moments} if body.moments else None,
            standards=body.standards_dict(),
            overrides=body.overrides_list(),
            now=now,
        )
        # Open risk alerts cite the standards: judge them again under the new ones now.
        risk.check_standard_risk(session, b, now=now)
        changed.append(b.id)
        return cycle_public(b, cfg)

    changed: list[Any] = []
    out = await work(run)
    # Re-grade the summarised days now, two weeks per transaction: kiosks and tellers write
    # in between (one transaction for a busy year held SQLite's only write lock for seconds).
    progress = regrade.Regrade()
    while not await ctx.db.run(regrade.regrade_once, ctx.db, changed[0], progress, write=True):
        pass
    return out


@router.get("/{branch}/reports")
async def report(
    work: ConfigureWork,
    branch: str = BranchCode,
    first: dt.date | None = From,
    last: dt.date | None = To,
    by: Literal["day", "hour", "service", "counter", "teller", "moment"] = Query(default="day"),
) -> list[MomentRow | ReportRow]:
    """Rows per group; ``by=moment`` rows add the moment's own figures (MomentRow)."""

    def run(session: Session, principal: Principal, now: dt.datetime) -> list[ReportRow]:
        b = branch_for(session, principal, branch)
        period = period_of(b, first, last, now)
        return grouped.grouped_report(session, b, load_cycle(session, b), period, by=by, now=now)

    return await work(run)


def _view(fn: Any) -> Any:
    async def endpoint(
        work: ConfigureWork,
        branch: str = BranchCode,
        first: dt.date | None = From,
        last: dt.date | None = To,
    ) -> Any:
        def run(session: Session, principal: Principal, now: dt.datetime) -> Any:
            b = branch_for(session, principal, branch)
            return fn(session, b, load_cycle(session, b), period_of(b, first, last, now), now)

        return await work(run)

    endpoint.__doc__ = fn.__doc__
    return endpoint


for path, view, answer in (
    ("heatmap", views.heatmap, HeatmapPublic),
    ("breaks", views.breaks, BreaksPublic),
    ("satisfaction", views.satisfaction, list[SatisfactionBucket]),
    ("estimates", views.estimates, list[EstimateRow]),
    ("recovery", views.recovery, RecoveryPublic),
):
    router.add_api_route(
        f"/{{branch}}/reports/{path}", _view(view), methods=["GET"], response_model=answer
    )


@router.get("/{branch}/reports/estimates/points")
async def estimate_points(
    work: ConfigureWork,
    branch: str = BranchCode,
    first: dt.date | None = From,
    last: dt.date | None = To,
    service: str | None = Query(
        default=None,
        min_length=1,
        max_length=4,
        pattern=r"^[A-Z][A-Z0-9]{0,3}$",
        description="one issued service's tickets (default: every service)",
    ),
) -> EstimatePoints:
    """Quoted (at issue) against actual wait of called tickets: at most 2,000 points, an
    evenly spread sample (every k-th ticket by id) when there are more."""

    def run(session: Session, principal: Principal, now: dt.datetime) -> EstimatePoints:
        b = branch_for(session, principal, branch)
        period = period_of(b, first, last, now)
        if service is not None:
            get_service(session, b, service)  # 404 for a service the branch does not have
        return views.estimate_points(session, b, period, service=service)

    return await work(run)


@router.get("/{branch}/reports/teller-time")
async def teller_time(
    work: ConfigureWork,
    branch: str = BranchCode,
    first: dt.date | None = From,
    last: dt.date | None = To,
) -> list[TellerTime]:
    def run(session: Session, principal: Principal, now: dt.datetime) -> list[TellerTime]:
        b = branch_for(session, principal, branch)
        return tellers.teller_time(session, b, period_of(b, first, last, now), now=now)

    return await work(run)


@router.get(
    "/{branch}/tickets.csv",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "one row per ticket with every moment's timestamp (a CSV download)",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
async def tickets_csv(
    work: ConfigureWork,
    ctx: ContextDep,
    branch: str = BranchCode,
    first: dt.date | None = From,
    last: dt.date | None = To,
) -> StreamingResponse:
    def run(session: Session, principal: Principal, now: dt.datetime) -> tuple[Any, ...]:
        b = branch_for(session, principal, branch)
        return b.id, b.code, load_cycle(session, b), period_of(b, first, last, now), now

    branch_id, code, cfg, period, now = await work(run)

    def lines() -> Iterator[str]:
        with ctx.db.read_session() as session:
            b = session.get(Branch, branch_id)
            assert b is not None
            yield from export.ticket_rows(session, b, cfg, period, now=now)

    name = f"tickets-{code}-{period.first.isoformat()}-{period.last.isoformat()}.csv"
    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/{branch}/standards/risk")
async def standards_risk(work: ConfigureWork, branch: str = BranchCode) -> list[ServiceRisk]:
    def run(session: Session, principal: Principal, now: dt.datetime) -> list[ServiceRisk]:
        b = branch_for(session, principal, branch)
        return risk.predict_public(session, b, now=now)

    return await work(run)


@router.get("/{branch}/staffing")
async def staffing_advice(
    work: ConfigureWork,
    branch: str = BranchCode,
    hours: int = Query(default=4, ge=1, le=12),
    weeks: int = Query(default=4, ge=1, le=12),
    target_pct: float = Query(default=80, ge=1, le=99.9),
) -> StaffingPublic:
    def run(session: Session, principal: Principal, now: dt.datetime) -> StaffingPublic:
        b = branch_for(session, principal, branch)
        return staffing.staffing_advice(
            session, b, now=now, hours=hours, weeks=weeks, target_pct=target_pct
        )

    return await work(run)
