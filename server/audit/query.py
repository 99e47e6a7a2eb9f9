"""Reading the audit trail: filters, pages and the CSV export (managers see their own
branches' entries, administrators every entry)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from server.audit.schemas import AuditPage, AuditPublic, AuditRow, AuditRows
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

# The contract's actions (API.md v1.1, `GET /admin/audit?action=`), each as the entries it
# covers: exact ``action`` values, or configuration entries whose action ends with a verb.
EXACT_ACTIONS: dict[str, tuple[str, ...]] = {
    "login": ("sign_in",),
    "login_failed": ("sign_in.failed",),
    "lockout": ("sign_in.locked",),
    "logout": ("sign_out",),
    "sign_out_everywhere": ("user.signed_out_everywhere",),
    "password_reset": ("user.password_reset",),
    "password_change": ("user.password_changed",),
    "device_paired": ("device.paired",),
    "pairing_refused": ("pairing.refused",),
    "device_revoked": ("device.revoked",),
}
CONFIG_ACTIONS: dict[str, tuple[str, str]] = {
    # contract action: (suffix of a configuration entry's action, the extra-branch variant)
    "create": (".created", "user.branch_added"),
    "update": (".updated", ""),
    "delete": (".deleted", "user.branch_removed"),
}
ACTIONS = tuple(EXACT_ACTIONS) + tuple(CONFIG_ACTIONS)
CONTRACT_CSV_COLUMNS = [
    "id",
    "at",
    "actor",
    "action",
    "branch",
    "target",
    "before",
    "after",
    "ip",
    "actor_kind",
    "event",
]


def contract_action(entry: AuditEntry) -> str:
    """The contract's name for what ``entry`` records (create, update, login, ...)."""
    for name, exact in EXACT_ACTIONS.items():
        if entry.action in exact:
            return name
    for name, (suffix, variant) in CONFIG_ACTIONS.items():
        if entry.action.endswith(suffix) or entry.action == variant:
            return name
    return entry.action


@dataclass(frozen=True)
class AuditFilter:
    branch: str | None = None
    actor: str | None = None
    kind: str | None = None
    first: dt.date | None = None  # UTC dates, inclusive
    last: dt.date | None = None
    action: str | None = None  # the contract's action name (ACTIONS)
    before_id: int | None = None  # a page cursor: entries older than this one


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
    if f.action is not None:
        stmt = stmt.where(_action_clause(f.action))
    if f.before_id is not None:
        stmt = stmt.where(col(AuditEntry.id) < f.before_id)
    if f.first is not None and f.last is not None and f.first > f.last:
        raise Invalid("'from' is after 'to'", field="from")
    if f.first is not None:
        start = dt.datetime.combine(f.first, dt.time(), tzinfo=dt.UTC)
        stmt = stmt.where(col(AuditEntry.at) >= start)
    if f.last is not None and f.last < dt.date.max:  # the last day there is: no bound
        end = dt.datetime.combine(f.last + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
        stmt = stmt.where(col(AuditEntry.at) < end)
    return stmt


def _action_clause(action: str) -> ColumnElement[bool]:
    if action in EXACT_ACTIONS:
        return col(AuditEntry.action).in_(EXACT_ACTIONS[action])
    if action in CONFIG_ACTIONS:
        suffix, variant = CONFIG_ACTIONS[action]
        return or_(
            and_(col(AuditEntry.kind) == "config", col(AuditEntry.action).endswith(suffix)),
            col(AuditEntry.action) == variant,
        )
    raise Invalid(f"action must be one of {', '.join(ACTIONS)}", field="action")


def _sides(entry: AuditEntry) -> tuple[dict[str, Any], dict[str, Any]]:
    """``changes`` ({field: {before, after}}) as the contract's two sides."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for field, change in (entry.changes or {}).items():
        if isinstance(change, dict):
            if "before" in change:
                before[field] = change["before"]
            if "after" in change:
                after[field] = change["after"]
    return before, after


def row_public(entry: AuditEntry) -> AuditRow:
    before, after = _sides(entry)
    return AuditRow(
        id=entry.id or 0,
        at=entry.at,
        actor=entry.actor,
        actor_kind=entry.actor_kind,
        action=contract_action(entry),
        event=entry.action,
        branch=entry.branch,
        target=entry.target,
        before=before,
        after=after,
        ip=entry.address,
    )


def rows(session: Session, principal: Principal, f: AuditFilter, *, limit: int) -> AuditRows:
    """A page of the contract's audit rows, newest first; ``next_cursor`` continues it."""
    found = session.exec(
        _select(session, principal, f).order_by(col(AuditEntry.id).desc()).limit(limit + 1)
    ).all()
    more = len(found) > limit
    found = found[:limit]
    cursor = str(found[-1].id) if more and found else None
    return AuditRows(rows=[row_public(e) for e in found], next_cursor=cursor)


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


def csv_rows(
    session: Session, principal: Principal, f: AuditFilter, *, contract: bool = False
) -> Iterator[str]:
    """CSV lines (header first), oldest first, read in chunks by id; ``contract``: the
    columns of the contract's rows (``/admin/audit.csv``)."""
    yield csv_lines([CONTRACT_CSV_COLUMNS if contract else CSV_COLUMNS])
    shape = _contract_row if contract else _row
    after = 0
    stmt = _select(session, principal, f)
    while True:
        chunk = session.exec(
            stmt.where(col(AuditEntry.id) > after).order_by(col(AuditEntry.id)).limit(CHUNK)
        ).all()
        if not chunk:
            return
        yield csv_lines(shape(e) for e in chunk)
        after = chunk[-1].id or after


def _json(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""


def _contract_row(e: AuditEntry) -> list[Any]:
    before, after = _sides(e)
    return [
        e.id,
        e.at.isoformat(),
        e.actor,
        contract_action(e),
        e.branch,
        e.target,
        _json(before),
        _json(after),
        e.address,
        e.actor_kind,
        e.action,
    ]


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
