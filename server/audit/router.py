"""The audit trail for managers and administrators: read, filter, download."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from sqlmodel import Session

from server.audit import query
from server.audit.schemas import AuditPage, AuditRows
from server.auth.principal import Principal
from server.deps import ConfigureWork, ContextDep
from server.domain.errors import Invalid

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])
# The contract's paths (API.md v1.1): rows with before/after, cursor pages, `action` filter.
admin_router = APIRouter(prefix="/api/v1/admin/audit", tags=["audit"])

BranchFilter = Query(default=None, max_length=32, description="a branch code")
ActorFilter = Query(default=None, max_length=120, description="a username or device name")
KindFilter = Query(default=None, max_length=24, description="one of: " + ", ".join(query.KINDS))
ActionFilter = Query(default=None, max_length=24, description="one of: " + ", ".join(query.ACTIONS))
From = Query(default=None, alias="from", description="first UTC date (inclusive)")
To = Query(default=None, alias="to", description="last UTC date (inclusive)")


def _filter(
    branch: str | None,
    actor: str | None,
    kind: str | None,
    first: dt.date | None,
    last: dt.date | None,
) -> query.AuditFilter:
    return query.AuditFilter(branch=branch, actor=actor, kind=kind, first=first, last=last)


@router.get("")
async def read_audit(
    work: ConfigureWork,
    branch: str | None = BranchFilter,
    actor: str | None = ActorFilter,
    kind: str | None = KindFilter,
    first: dt.date | None = From,
    last: dt.date | None = To,
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0, le=10_000_000),
) -> AuditPage:
    """Configuration changes, sign-ins, failed sign-ins, lockouts, password changes, device
    pairing and revocation, newest first. A manager sees their branches' entries."""
    f = _filter(branch, actor, kind, first, last)

    def run(session: Session, principal: Principal, _now: dt.datetime) -> AuditPage:
        return query.page(session, principal, f, limit=limit, offset=offset)

    return await work(run)


@router.get(
    ".csv",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "the filtered audit trail, oldest first (a CSV download)",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
async def audit_csv(
    work: ConfigureWork,
    ctx: ContextDep,
    branch: str | None = BranchFilter,
    actor: str | None = ActorFilter,
    kind: str | None = KindFilter,
    first: dt.date | None = From,
    last: dt.date | None = To,
) -> StreamingResponse:
    return await _download(work, ctx, _filter(branch, actor, kind, first, last), contract=False)


async def _download(
    work: ConfigureWork, ctx: ContextDep, f: query.AuditFilter, *, contract: bool
) -> StreamingResponse:
    """The filtered trail as a CSV download; bad filters are refused before it starts (an
    error mid-stream is a broken file)."""

    def run(session: Session, principal: Principal, _now: dt.datetime) -> Principal:
        query.check(session, principal, f)
        return principal

    principal = await work(run)

    def lines() -> Iterator[str]:
        with ctx.db.read_session() as session:
            yield from query.csv_rows(session, principal, f, contract=contract)

    return StreamingResponse(
        lines(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="sira-audit.csv"'},
    )


MAX_ID = 2**63 - 1  # the largest id either database stores


def _cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    if not (cursor.isascii() and cursor.isdigit()) or int(cursor) > MAX_ID:
        raise Invalid("cursor must be the next_cursor of an earlier page", field="cursor")
    return int(cursor)


@admin_router.get("")
async def read_audit_rows(
    work: ConfigureWork,
    branch: str | None = BranchFilter,
    actor: str | None = ActorFilter,
    action: str | None = ActionFilter,
    first: dt.date | None = From,
    last: dt.date | None = To,
    limit: int = Query(default=50, ge=1, le=500),
    cursor: str | None = Query(default=None, max_length=20, description="next_cursor"),
) -> AuditRows:
    """The audit trail newest first, a page at a time (``next_cursor``). A manager sees their
    branches' entries."""

    def run(session: Session, principal: Principal, _now: dt.datetime) -> AuditRows:
        f = query.AuditFilter(
            branch=branch,
            actor=actor,
            action=action,
            first=first,
            last=last,
            before_id=_cursor(cursor),
        )
        return query.rows(session, principal, f, limit=limit)

    return await work(run)


@admin_router.get(
    ".csv",
    response_class=StreamingResponse,
    responses={
        200: {
            "description": "the filtered audit trail, oldest first (a CSV download)",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
async def audit_rows_csv(
    work: ConfigureWork,
    ctx: ContextDep,
    branch: str | None = BranchFilter,
    actor: str | None = ActorFilter,
    action: str | None = ActionFilter,
    first: dt.date | None = From,
    last: dt.date | None = To,
) -> StreamingResponse:
    f = query.AuditFilter(branch=branch, actor=actor, action=action, first=first, last=last)
    return await _download(work, ctx, f, contract=True)
