"""Reading the audit trail: filters, pages and the CSV export (managers see their own
branches' entries, administrators every entry)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from server.audit.schemas import AuditPage, AuditPublic
from server.auth.principal import Principal
from server.branches.lookup import get_branch
from server.domain.errors import Invalid
from server.models import AuditEntry
from server.reports.export import csv_lines

KINDS = (
    "config",
    "sign_in",
    "sign_in_failed",
    "lockout",
    "sign_out",
    "password",
    "pairing",
    "revoked",
)
CSV_COLUMNS = [
    "at_utc",
    "branch",
    "actor_kind",
    "actor",
    "address",
    "kind",
    "action",
    "target",
    "changes",
]
CHUNK = 1000


@dataclass(frozen=True)
class AuditFilter:
    branch: str | None = None
    actor: str | None = None
    kind: str | None = None
    first: dt.date | None = None  # UTC dates, inclusive
    last: dt.date | None = None


def _select(session: Session, principal: Principal, f: AuditFilter) -> SelectOfScalar[AuditEntry]:
    stmt = select(AuditEntry)
    visible = principal.branch_ids
    if visible is not None:  # a manager: their branches' entries only
        stmt = stmt.where(col(AuditEntry.branch_id).in_(visible))
    if f.branch is not None:
        stmt = stmt.where(
            AuditEntry.branch_id == get_branch(session, f.branch, principal=principal).id
        )
    if f.actor is not None:
        stmt = stmt.where(AuditEntry.actor == f.actor)
    if f.kind is not None:
        if f.kind not in KINDS:
            raise Invalid(f"kind must be one of {', '.join(KINDS)}", field="kind")
        stmt = stmt.where(AuditEntry.kind == f.kind)
    if f.first is not None and f.last is not None and f.first > f.last:
        raise Invalid("'from' is after 'to'", field="from")
    if f.first is not None:
        start = dt.datetime.combine(f.first, dt.time(), tzinfo=dt.UTC)
        stmt = stmt.where(col(AuditEntry.at) >= start)
    if f.last is not None and f.last < dt.date.max:  # the last day there is: no bound
        end = dt.datetime.combine(f.last + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
        stmt = stmt.where(col(AuditEntry.at) < end)
    return stmt


def public(entry: AuditEntry) -> AuditPublic:
    return AuditPublic(
        id=entry.id or 0,
        at=entry.at,
        branch=entry.branch,
        actor_kind=entry.actor_kind,
        actor=entry.actor,
        address=entry.address,
        kind=entry.kind,
        action=entry.action,
        target=entry.target,
        changes=dict(entry.changes or {}),
    )


def page(
    session: Session, principal: Principal, f: AuditFilter, *, limit: int, offset: int
) -> AuditPage:
    stmt = _select(session, principal, f)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    rows = session.exec(stmt.order_by(col(AuditEntry.id).desc()).limit(limit).offset(offset)).all()
    return AuditPage(items=[public(r) for r in rows], total=total, limit=limit, offset=offset)


def check(session: Session, principal: Principal, f: AuditFilter) -> None:
    """Refuse bad filters before a download starts (an error mid-stream is a broken file)."""
    _select(session, principal, f)


def csv_rows(session: Session, principal: Principal, f: AuditFilter) -> Iterator[str]:
    """CSV lines (header first), oldest first, read in chunks by id."""
    yield csv_lines([CSV_COLUMNS])
    after = 0
    stmt = _select(session, principal, f)
    while True:
        chunk = session.exec(
            stmt.where(col(AuditEntry.id) > after).order_by(col(AuditEntry.id)).limit(CHUNK)
        ).all()
        if not chunk:
            return
        yield csv_lines(_row(e) for e in chunk)
        after = chunk[-1].id or after


def _row(e: AuditEntry) -> list[Any]:
    changes = json.dumps(e.changes, ensure_ascii=False, sort_keys=True) if e.changes else ""
    return [
        e.at.isoformat(),
        e.branch,
        e.actor_kind,
        e.actor,
        e.address,
        e.kind,
        e.action,
        e.target,
        changes,
    ]
