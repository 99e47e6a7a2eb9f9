"""The audit trail (append-only ``audit_log``): every configuration change, sign-in, failed
sign-in, lockout, password change, device pairing and revocation, with who, when, from
which address and what changed (before → after; never a password or token).

Configuration changes are found where they are written, not where they are asked for: a
session hook (:func:`install`) reads the changed columns of branches, services, counters,
users, devices, service cycles and a manager's extra branches at each flush, so a change
made by a route, the CLI or a script is recorded the same way, and bumps the row's
``version`` (a form saved over a newer version is refused: :func:`check_version`). Who did
it comes from the unit of work (``session.info["actor"]``, set by ``deps.Work``; the CLI
sets its own; otherwise "system"). Sign-ins and pairing are recorded by their services
with :func:`record`.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, SQLModel

from server.auth.principal import Principal
from server.domain.errors import EditedElsewhere
from server.models import (
    AuditEntry,
    Branch,
    Counter,
    Device,
    Service,
    ServiceCycle,
    User,
    UserBranch,
)

ACTOR = "actor"
NOW = "now"  # the unit of work's clock reading (a test's frozen clock)
SECRET = "(changed)"


class Kind(enum.StrEnum):
    CONFIG = "config"
    SIGN_IN = "sign_in"
    SIGN_IN_FAILED = "sign_in_failed"
    LOCKOUT = "lockout"
    SIGN_OUT = "sign_out"
    PASSWORD = "password"
    PAIRING = "pairing"
    REVOKED = "revoked"


@dataclass(frozen=True)
class Actor:
    """Who is changing things in a unit of work."""

    kind: str  # user | device | cli | system | anonymous
    name: str = ""
    id: int | None = None
    address: str | None = None

    @classmethod
    def of(cls, principal: Principal, address: str | None = None) -> Actor:
        if principal.device_id is not None:
            return cls("device", principal.name, principal.device_id, address)
        if principal.user_id is not None:
            return cls("user", principal.name, principal.user_id, address)
        return cls("system", principal.name or "system", None, address)


SYSTEM = Actor("system", "system")

# What is configuration on each audited table (the rest is operation: a counter's state, a
# device's last contact...). Secret columns are recorded as changed, never by value.
WATCHED: dict[type[SQLModel], frozenset[str]] = {
    Branch: frozenset(
        {
            "code",
            "name",
            "timezone",
            "languages",
            "default_lang",
            "is_open",
            "message",
            "order_mode",
            "priority_mode",
            "priority_ratio",
            "max_wait_s",
            "transfer_placement",
            "keep_waiting_at_close",
            "opening_hours",
            "closed_dates",
            "logo",
        }
    ),
    Service: frozenset(
        {
            "code",
            "names",
            "standard_wait_s",
            "standard_service_s",
            "active",
            "sort_order",
            "cutoff_min",
        }
    ),
    Counter: frozenset({"label", "services"}),
    User: frozenset(
        {
            "username",
            "role",
            "branch_id",
            "full_name",
            "active",
            "password_hash",
            "must_change_password",
        }
    ),
    Device: frozenset({"branch_id", "kind", "name", "token_hash", "config", "active"}),
    ServiceCycle: frozenset({"moments", "standards", "overrides"}),
    UserBranch: frozenset({"user_id", "branch_id"}),
}
SECRETS = frozenset({"password_hash", "token_hash"})
ENTITY: dict[type[SQLModel], str] = {
    Branch: "branch",
    Service: "service",
    Counter: "counter",
    User: "user",
    Device: "device",
    ServiceCycle: "service_cycle",
    UserBranch: "user_branch",
}


def _now(session: Session) -> dt.datetime:
    now = session.info.get(NOW)
    return now if isinstance(now, dt.datetime) else dt.datetime.now(dt.UTC)


def actor_of(session: Session) -> Actor:
    actor = session.info.get(ACTOR)
    return actor if isinstance(actor, Actor) else SYSTEM


def record(
    session: Session,
    *,
    kind: Kind,
    action: str,
    target: str = "",
    branch_id: int | None = None,
    changes: dict[str, Any] | None = None,
    actor: Actor | None = None,
    now: dt.datetime | None = None,
) -> AuditEntry:
    """Append one entry (in this unit of work: it lands with the change it describes)."""
    who = actor or actor_of(session)
    entry = AuditEntry(
        at=now or _now(session),
        branch_id=branch_id,
        branch=_branch_code(session, branch_id),
        actor_kind=who.kind,
        actor_id=who.id,
        actor=who.name[:120],
        address=who.address,
        kind=kind.value,
        action=action,
        target=target[:200],
        changes=changes or {},
    )
    session.add(entry)
    return entry


def check_version(row: Any, version: int | None, *, what: str) -> None:
    """Refuse a save made from a form older than the row (two people editing at once)."""
    if version is not None and version != row.version:
        raise EditedElsewhere(
            f"{what} was changed by someone else while you were editing it (your copy is "
            f"version {version}, it is now version {row.version}): reload it and make your "
            "change again"
        )


# --- the flush hook ------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def _shown(field: str, value: Any) -> Any:
    return SECRET if field in SECRETS and value is not None else _plain(value)


def _changed(obj: Any, fields: frozenset[str]) -> dict[str, dict[str, Any]]:
    state = inspect(obj)
    out: dict[str, dict[str, Any]] = {}
    for field in fields:
        history = state.attrs[field].history
        if not history.has_changes():
            continue
        before = history.deleted[0] if history.deleted else None
        after = history.added[0] if history.added else None
        if _plain(before) == _plain(after):
            continue  # a JSON column assigned an equal value
        out[field] = {"before": _shown(field, before), "after": _shown(field, after)}
    return out


def _values(obj: Any, fields: frozenset[str], side: str) -> dict[str, dict[str, Any]]:
    return {
        f: {side: _shown(f, getattr(obj, f, None))}
        for f in sorted(fields)
        if getattr(obj, f, None) not in (None, "", [], {})
    }


def _target(session: Session, obj: Any) -> str:
    if isinstance(obj, Branch):
        return f"branch {obj.code}"
    if isinstance(obj, Service):
        return f"service {obj.code}"
    if isinstance(obj, Counter):
        return f"counter {obj.label}"
    if isinstance(obj, User):
        return f"user {obj.username}"
    if isinstance(obj, Device):
        return f"{obj.kind.value if isinstance(obj.kind, enum.Enum) else obj.kind} {obj.name}"
    if isinstance(obj, ServiceCycle):
        return "service cycle and standards"
    if isinstance(obj, UserBranch):
        user = session.get(User, obj.user_id)
        return f"user {user.username if user else obj.user_id}"
    return type(obj).__name__.lower()


def _branch_of(obj: Any) -> int | None:
    if isinstance(obj, Branch):
        return obj.id
    return getattr(obj, "branch_id", None)


def _branch_code(session: Session, branch_id: int | None) -> str | None:
    if branch_id is None:
        return None
    with session.no_autoflush:
        branch = session.get(Branch, branch_id)
    return branch.code if branch is not None else None


def _action(session: Session, obj: Any, verb: str, changes: dict[str, Any]) -> tuple[Kind, str]:
    entity = ENTITY[type(obj)]
    if isinstance(obj, UserBranch):
        return Kind.CONFIG, "user.branch_added" if verb == "created" else "user.branch_removed"
    if verb == "updated" and isinstance(obj, Device) and "active" in changes:
        if changes["active"]["after"] is False:
            return Kind.REVOKED, "device.revoked"
    if verb == "updated" and isinstance(obj, User) and "password_hash" in changes:
        own = actor_of(session).id == obj.id and actor_of(session).kind == "user"
        return Kind.PASSWORD, "user.password_changed" if own else "user.password_reset"
    return Kind.CONFIG, f"{entity}.{verb}"


def _watched(obj: Any) -> frozenset[str] | None:
    return WATCHED.get(type(obj))


def _bump_versions(session: OrmSession, _context: Any, _instances: Any) -> None:
    for obj in list(session.dirty):
        fields = _watched(obj)
        if fields is None or not hasattr(obj, "version"):
            continue
        if _changed(obj, fields):
            obj.version = (obj.version or 1) + 1


def _record_changes(session: OrmSession, _context: Any) -> None:
    assert isinstance(session, Session)
    now = _now(session)
    found: list[tuple[Any, str, dict[str, Any]]] = []
    for obj in session.new:
        if (fields := _watched(obj)) is not None:
            found.append((obj, "created", _values(obj, fields, "after")))
    for obj in session.dirty:
        if (fields := _watched(obj)) is not None and (changes := _changed(obj, fields)):
            found.append((obj, "updated", changes))
    for obj in session.deleted:
        if (fields := _watched(obj)) is not None:
            found.append((obj, "deleted", _values(obj, fields, "before")))
    for obj, verb, changes in found:
        kind, action = _action(session, obj, verb, changes)
        record(
            session,
            kind=kind,
            action=action,
            target=_target(session, obj),
            branch_id=_branch_of(obj),
            changes=changes,
            now=now,
        )


_installed = False


def install() -> None:
    """Hook the audit into every session (once per process; idempotent)."""
    global _installed
    if _installed:
        return
    event.listen(OrmSession, "before_flush", _bump_versions)
    event.listen(OrmSession, "after_flush", _record_changes)
    _installed = True
