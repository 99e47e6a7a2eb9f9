"""Configuration: branches, services, counters, users and devices."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, func, update
from sqlmodel import Session, SQLModel, col, select

from server import audit
from server.admin.schemas import BranchPublic, DevicePublic, ServicePublic, UserPublic
from server.alerts.service import clear_alert
from server.auth.principal import Principal, Role
from server.branches.lookup import (
    branch_for,
    get_branch,
    get_branch_by_id,
    in_scope,
    list_services,
    valid_id,
    visible_branches,
)
from server.branches.snapshot import branch_changed, branch_dict
from server.config import Settings
from server.counters import service as counters
from server.devices.config import admin_only_changes, hardware_problems
from server.devices.watch import device_alert_key, last_seen
from server.domain.errors import Conflict, Duplicate, Forbidden, Invalid, NotFound
from server.models import (
    AuditEntry,
    Branch,
    Counter,
    Device,
    Service,
    StaffSession,
    Ticket,
    User,
    UserBranch,
)
from server.models.types import row_id
from server.printing import jobs
from server.printing.config import hardware_policy
from server.realtime.access import access_changed
from server.reports import risk
from server.security import DEVICE_PREFIX, new_token, token_hash


def branch_public(branch: Branch) -> BranchPublic:
    return BranchPublic.model_validate(
        {
            "id": branch.id,
            **branch_dict(branch),
            "order_mode": branch.order_mode,
            "priority_mode": branch.priority_mode,
            "priority_ratio": branch.priority_ratio,
            "max_wait_s": branch.max_wait_s,
            "transfer_placement": branch.transfer_placement,
            "keep_waiting_at_close": branch.keep_waiting_at_close,
            "version": branch.version,
        }
    )


def service_public(service: Service) -> ServicePublic:
    return ServicePublic.model_validate(service.model_dump())


def user_public(user: User, branch_code: str | None) -> UserPublic:
    return UserPublic(
        id=row_id(user),
        username=user.username,
        role=user.role,
        branch=branch_code,
        full_name=user.full_name,
        active=user.active,
        must_change_password=user.must_change_password,
        version=user.version,
    )


def device_public(
    device: Device, branch_code: str, heard: dict[int, dt.datetime] | None = None
) -> DevicePublic:
    """``heard``: contacts this process has not written yet (see devices.watch.heard_here),
    so a kiosk that just issued a ticket is not shown as never seen."""
    seen = last_seen(device, heard or {})
    return DevicePublic(
        id=row_id(device),
        branch=branch_code,
        kind=device.kind,
        name=device.name,
        config=device.config,
        active=device.active,
        last_seen_at=seen.isoformat() if seen else None,
        # What the device (its agent, or the server for printers it drives) last reported.
        status=dict(device.status or {}),
        version=device.version,
    )


# --- branches ---------------------------------------------------------------------------


def list_branches(session: Session, principal: Principal) -> list[Branch]:
    """The branches the caller may see, by code."""
    return visible_branches(session, principal)


def _codes(session: Session) -> dict[int | None, str]:
    return {b.id: b.code for b in session.exec(select(Branch))}


def list_users(session: Session, principal: Principal) -> list[UserPublic]:
    """The staff accounts of the branches the caller may see, by username."""
    stmt = select(User).order_by(col(User.username))
    if principal.branch_ids is not None:
        stmt = stmt.where(col(User.branch_id).in_(principal.branch_ids))
    codes = _codes(session)
    return [user_public(u, codes.get(u.branch_id)) for u in session.exec(stmt)]


def list_devices(
    session: Session, principal: Principal, heard: dict[int, dt.datetime] | None = None
) -> list[DevicePublic]:
    """The devices of the branches the caller may see, by id."""
    stmt = select(Device).order_by(col(Device.id))
    if principal.branch_ids is not None:
        stmt = stmt.where(col(Device.branch_id).in_(principal.branch_ids))
    codes = _codes(session)
    return [device_public(d, codes[d.branch_id], heard) for d in session.exec(stmt)]


def create_branch(session: Session, data: dict[str, Any]) -> Branch:
    if session.exec(select(Branch).where(Branch.code == data["code"])).first() is not None:
        raise Duplicate(f"a branch with code '{data['code']}' already exists", field="code")
    values = {k: v for k, v in data.items() if v is not None}
    branch = Branch(**values)
    session.add(branch)
    session.flush()
    return branch


def update_branch(
    session: Session,
    branch: Branch,
    changes: dict[str, Any],
    *,
    principal: Principal,
    now: dt.datetime,
) -> Branch:
    for key, value in changes.items():
        setattr(branch, key, value)
    if branch.default_lang not in branch.languages:
        raise Invalid(
            f"default_lang '{branch.default_lang}' must be one of languages {branch.languages}"
        )
    session.add(branch)
    branch_changed(session, branch, user_id=principal.user_id, now=now)
    return branch


def delete_branch(session: Session, branch: Branch) -> None:
    """Delete a branch that never issued a ticket, with everything configured or recorded for
    it; a branch with ticket history is refused (close it instead)."""
    used = session.exec(select(func.count()).where(Ticket.branch_id == branch.id)).one()
    if used:
        raise Conflict(f"branch {branch.code} has ticket history; close it (is_open=false) instead")
    users = select(User.id).where(User.branch_id == branch.id)
    elsewhere = session.exec(
        select(func.count()).where(col(Ticket.teller_id).in_(users), Ticket.branch_id != branch.id)
    ).one()
    if elsewhere:
        raise Conflict(
            f"staff of branch {branch.code} served tickets at other branches; "
            "move them to another branch or close this one (is_open=false) instead"
        )
    # With no tickets, what refers to the branch is configuration, alerts, counter and
    # configuration events and summaries of empty days. Every table with a branch column is
    # found from the schema, so a table added later is not forgotten; children go first.
    session.execute(update(Counter).where(col(Counter.teller_id).in_(users)).values(teller_id=None))
    access_changed(session, branch_ids=[row_id(branch)])
    session.execute(delete(StaffSession).where(col(StaffSession.user_id).in_(users)))
    session.execute(delete(UserBranch).where(col(UserBranch.user_id).in_(users)))
    for table in reversed(SQLModel.metadata.sorted_tables):
        # The audit trail outlives what it describes (deleting the branch is in it too).
        if "branch_id" in table.c and table.name not in ("branch", AuditEntry.__tablename__):
            session.execute(delete(table).where(table.c.branch_id == branch.id))
    session.delete(branch)


# --- services and counters ---------------------------------------------------------------


def create_service(session: Session, branch: Branch, data: dict[str, Any]) -> Service:
    exists = session.exec(
        select(Service).where(Service.branch_id == branch.id, Service.code == data["code"])
    ).first()
    if exists is not None:
        raise Duplicate(f"branch {branch.code} already has service {data['code']}", field="code")
    service = Service(branch_id=branch.id, **data)  # type: ignore[arg-type]
    session.add(service)
    session.flush()
    return service


def update_service(
    session: Session, service: Service, changes: dict[str, Any], *, now: dt.datetime
) -> Service:
    for key, value in changes.items():
        setattr(service, key, value)
    session.add(service)
    if {"standard_wait_s", "standard_service_s"} & changes.keys():
        # Open risk alerts cite the standard: judge them again under the new one now.
        session.flush()
        risk.check_standard_risk(session, get_branch_by_id(session, service.branch_id), now=now)
    return service


def delete_service(session: Session, service: Service) -> None:
    used = session.exec(
        select(func.count()).where(
            Ticket.branch_id == service.branch_id, Ticket.original_service_code == service.code
        )
    ).one()
    counters = session.exec(select(Counter).where(Counter.branch_id == service.branch_id)).all()
    if any(service.code in c.services for c in counters):
        raise Conflict(
            f"service {service.code} is still served by a counter; remove it there first"
        )
    if used:
        # Its history stays readable in reports: retire it instead of deleting.
        service.active = False
        session.add(service)
    else:
        session.delete(service)


def check_counter_services(session: Session, branch: Branch, codes: list[str]) -> list[str]:
    known = {s.code for s in list_services(session, branch.id)}  # type: ignore[arg-type]
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise Invalid(f"branch {branch.code} has no service {', '.join(unknown)}")
    if len(set(codes)) != len(codes):
        raise Invalid("a service is listed twice for this counter")
    return codes


def check_counter_label(session: Session, branch: Branch, counter: Counter, label: str) -> str:
    """A counter's new label, refused when another counter of the branch already has it."""
    clash = session.exec(
        select(Counter).where(
            Counter.branch_id == branch.id, Counter.label == label, Counter.id != counter.id
        )
    ).first()
    if clash is not None:
        raise Duplicate(f"branch {branch.code} already has counter {label}", field="label")
    return label


def create_counter(session: Session, branch: Branch, *, label: str, services: list[str]) -> Counter:
    if session.exec(
        select(Counter).where(Counter.branch_id == branch.id, Counter.label == label)
    ).first():
        raise Duplicate(f"branch {branch.code} already has counter {label}", field="label")
    counter = Counter(
        branch_id=row_id(branch),
        label=label,
        services=check_counter_services(session, branch, services),
    )
    session.add(counter)
    session.flush()
    return counter


def update_counter(
    session: Session,
    branch: Branch,
    counter: Counter,
    *,
    label: str | None,
    services: list[str] | None,
    principal: Principal,
    now: dt.datetime,
) -> Counter:
    """Relabel a counter or change what it serves; screens showing it follow (counter.changed)."""
    # Both checked before either is set: one change, one audit entry, one version.
    new_services = check_counter_services(session, branch, services) if services else None
    new_label = check_counter_label(session, branch, counter, label) if label else None
    if new_services is not None:
        counter.services = new_services
    if new_label is not None:
        counter.label = new_label
    session.add(counter)
    counters.counter_changed(session, counter, principal=principal, now=now)
    return counter


def delete_counter(session: Session, counter: Counter) -> None:
    if counter.state != "closed":
        raise Conflict(f"counter {counter.label} is {counter.state}; close it first")
    used = session.exec(select(func.count()).where(Ticket.counter_id == counter.id)).one()
    if used:
        raise Conflict(f"counter {counter.label} has ticket history and cannot be deleted")
    session.delete(counter)


# --- users and devices ---------------------------------------------------------------------


def _branch_code(session: Session, branch_id: int | None) -> str | None:
    return get_branch_by_id(session, branch_id).code if branch_id is not None else None


def check_user_scope(principal: Principal, *, role: str, branch_id: int | None) -> None:
    """Admins manage everyone; a manager manages the tellers of the branches they oversee."""
    visible = principal.branch_ids
    if visible is None:
        return
    if role != Role.TELLER or branch_id not in visible:
        raise Forbidden("a manager can only manage tellers of their own branches")


def user_branches(session: Session, user: User) -> list[str]:
    """Codes of the branches a manager oversees besides their own."""
    rows = session.exec(
        select(Branch.code)
        .join(UserBranch, col(UserBranch.branch_id) == Branch.id)
        .where(UserBranch.user_id == user.id)
        .order_by(col(Branch.code))
    )
    return list(rows)


def set_user_branches(session: Session, user: User, codes: list[str]) -> list[str]:
    """Replace the extra branches a manager oversees (a regional manager)."""
    if user.role != Role.MANAGER:
        raise Invalid(f"only a manager oversees several branches; {user.username} is a {user.role}")
    ids = {get_branch(session, code).id for code in codes}
    ids.discard(user.branch_id)  # their own branch is implied
    session.execute(delete(UserBranch).where(UserBranch.user_id == user.id))  # type: ignore[arg-type]
    for branch_id in sorted(ids):  # type: ignore[type-var]
        session.add(UserBranch(user_id=user.id, branch_id=branch_id))  # type: ignore[arg-type]
    session.flush()
    access_changed(session, user_ids=[user.id])  # a branch they no longer oversee
    return user_branches(session, user)


def create_user(
    session: Session,
    *,
    username: str,
    password_hash: str,
    role: str,
    branch: str | None,
    full_name: str = "",
    must_change_password: bool = False,
) -> User:
    """A new staff account; ``password_hash`` is made by the caller, outside the unit of work
    (``security.new_password_hash``): argon2 in the write slot stalls every branch's writes."""
    if session.exec(select(User).where(User.username == username)).first() is not None:
        raise Duplicate(f"username '{username}' is taken", field="username")
    branch_id = None
    if role != Role.ADMIN:
        if branch is None:
            raise Invalid(f"a {role} must belong to a branch")
        branch_id = get_branch(session, branch).id
    elif branch is not None:
        branch_id = get_branch(session, branch).id
    user = User(
        username=username,
        password_hash=password_hash,
        role=Role(role),
        branch_id=branch_id,
        full_name=full_name,
        must_change_password=must_change_password,
    )
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, user_id: int, *, principal: Principal | None = None) -> User:
    """User ``user_id``; for a manager, only one of the branches they oversee."""
    user = session.get(User, user_id) if valid_id(user_id) else None
    missing = f"there is no user {user_id}"
    if user is None:
        raise NotFound(missing)
    if principal is not None and principal.branch_ids is not None:
        # An admin without a branch, or a user of a branch out of reach, is not there for them.
        if user.branch_id is None:
            raise NotFound(missing)
        in_scope(principal, user.branch_id, missing)
    return user


def update_user(
    session: Session, user: User, changes: dict[str, Any], *, password_hash: str | None = None
) -> User:
    """Apply ``changes``; a new password comes as its hash, made outside the unit of work."""
    if password_hash is not None:
        user.password_hash = password_hash
    check_last_admin(session, user, changes)
    if changes.get("role", user.role) != Role.ADMIN and user.branch_id is None:
        raise Invalid(
            f"{user.username} belongs to no branch: a {changes['role']} needs one (create a new "
            "account in the branch instead)",
            field="role",
        )
    for key, value in changes.items():
        setattr(user, key, value)
    if password_hash is not None or changes.get("active") is False:
        revoke_sessions(session, user)
    session.add(user)
    # Open event sockets check again: a revoked session, or a role that no longer reads.
    access_changed(session, user_ids=[user.id])
    return user


def check_last_admin(session: Session, user: User, changes: dict[str, Any]) -> None:
    """Nobody may demote or disable the last active administrator: Sira would have nobody
    left to configure it."""
    if user.role != Role.ADMIN or not user.active:
        return
    demoted = changes.get("role", Role.ADMIN) != Role.ADMIN
    disabled = changes.get("active", True) is False
    if not (demoted or disabled):
        return
    others = session.exec(
        select(func.count()).where(
            User.role == Role.ADMIN, col(User.active).is_(True), User.id != user.id
        )
    ).one()
    if not others:
        raise Conflict(
            f"{user.username} is the last active administrator: make someone else an "
            "administrator first"
        )


def sign_out_everywhere(session: Session, user: User, *, now: dt.datetime) -> None:
    """End all the user's sessions, leave their counters (paused) and say so in the trail."""
    revoke_sessions(session, user)
    access_changed(session, user_ids=[user.id])
    counters.leave_counters(session, user_id=row_id(user), close_them=False, now=now)
    audit.record(
        session,
        kind=audit.Kind.SIGN_OUT,
        action="user.signed_out_everywhere",
        target=f"user {user.username}",
        branch_id=user.branch_id,
        now=now,
    )


def revoke_sessions(session: Session, user: User) -> None:
    session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))  # type: ignore[arg-type]


def create_device(
    session: Session, *, branch: Branch, kind: str, name: str, config: dict[str, Any]
) -> tuple[Device, str]:
    token = new_token(DEVICE_PREFIX)
    device = Device(
        branch_id=row_id(branch),
        kind=Role(kind),
        name=name,
        token_hash=token_hash(token),
        config=config,
    )
    session.add(device)
    session.flush()
    return device, token


def check_device_config(
    *,
    principal: Principal,
    old: dict[str, Any] | None,
    new: dict[str, Any],
    settings: Settings,
) -> None:
    """Refuse a device configuration the caller may not set (file, serial and USB printers,
    logos, serial ports and speaker commands are an administrator's), or one pointing where
    this installation does not allow (its directories, port patterns, printer networks)."""
    changed = admin_only_changes(old, new)
    if changed and principal.role is not Role.ADMIN:
        raise Forbidden(
            f"only an administrator may set {', '.join(changed)}: they reach into the files"
            " and devices of the machine that drives the hardware (a manager may change the"
            " other settings, and set up a network printer)"
        )
    problems = hardware_problems(new, hardware_policy(settings))
    if problems:
        raise Invalid("; ".join(f"config.{p}" for p in problems))


def update_device(
    session: Session,
    device: Device,
    changes: dict[str, Any],
    *,
    principal: Principal,
    settings: Settings,
    now: dt.datetime,
) -> Device:
    changes = dict(changes)
    target = changes.pop("branch", None)
    if "config" in changes:
        check_device_config(
            principal=principal, old=device.config, new=changes["config"], settings=settings
        )
    if target is not None:
        # The caller sees the device's branch (it was loaded in scope) and must see this one.
        _move_device(session, device, branch_for(session, principal, target), now=now)
    had_printer = (device.config or {}).get("printer")
    for key, value in changes.items():
        setattr(device, key, value)
    if had_printer and (device.config or {}).get("printer") != had_printer:
        # Another printer, or none: what the old one last said is no longer true.
        _forget_printer(session, device, now=now)
    if changes.get("active") is False:
        _retire_alerts(session, device, now=now)
    _device_changed(session, device, now=now)
    return device


def _move_device(session: Session, device: Device, branch: Branch, *, now: dt.datetime) -> None:
    """Move ``device`` to ``branch``: its alerts stay behind, cleared (they were the old
    branch's), the old branch's dashboards are told, and its open sockets, which follow the
    old branch, check again and close (``_device_changed``): the screens reconnect to the new
    one."""
    if branch.id == device.branch_id:
        return
    _retire_alerts(session, device, now=now, reason="device moved to another branch")
    jobs.device_changed(session, device, now=now)
    device.branch_id = row_id(branch)


def deactivate_device(session: Session, device: Device, *, now: dt.datetime) -> None:
    """Revoke the device's token (its history stays); its open sockets close, its alerts
    are cleared."""
    device.active = False
    _retire_alerts(session, device, now=now)
    _device_changed(session, device, now=now)


def _forget_printer(session: Session, device: Device, *, now: dt.datetime) -> None:
    device.status = {k: v for k, v in (device.status or {}).items() if k != "printer"}
    clear_alert(
        session,
        branch_id=device.branch_id,
        key=jobs.printer_alert_key(row_id(device)),
        now=now,
        reason="printer removed or replaced",
    )


def _retire_alerts(
    session: Session, device: Device, *, now: dt.datetime, reason: str = "device removed"
) -> None:
    for key in (jobs.printer_alert_key(row_id(device)), device_alert_key(row_id(device))):
        clear_alert(session, branch_id=device.branch_id, key=key, now=now, reason=reason)


def _device_changed(session: Session, device: Device, *, now: dt.datetime) -> None:
    session.add(device)
    # Dashboards showing the device follow the edit; its sockets re-check their token.
    jobs.device_changed(session, device, now=now)
    access_changed(session, device_ids=[row_id(device)])


def get_device(session: Session, device_id: int, *, principal: Principal | None = None) -> Device:
    device = session.get(Device, device_id) if valid_id(device_id) else None
    missing = f"there is no device {device_id}"
    if device is None:
        raise NotFound(missing)
    in_scope(principal, device.branch_id, missing)
    return device


def user_branch_code(session: Session, user: User) -> str | None:
    return _branch_code(session, user.branch_id)
