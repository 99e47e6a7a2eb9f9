"""Login and token resolution."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam
from sqlmodel import Session, select

from server.auth.principal import Principal, Role
from server.domain.errors import DomainError, TooManyAttempts, Unauthorized
from server.models import Device, StaffSession, User, UserBranch
from server.realtime.access import access_changed
from server.security import (
    DEVICE_PREFIX,
    STAFF_PREFIX,
    dummy_verify,
    new_token,
    token_hash,
    verify_password,
)

# Failed logins in a row before an account is locked, and for how long.
MAX_FAILED_LOGINS = 5
LOCKOUT_S = 300


def login(
    session: Session, *, username: str, password: str, now: dt.datetime, ttl_s: int
) -> tuple[str, User] | DomainError:
    """A new staff session, or the error to answer with.

    The error is returned, not raised, so that the unit of work still commits the failure
    count: after MAX_FAILED_LOGINS wrong passwords in a row the account is locked for
    LOCKOUT_S seconds, which stops password guessing without locking it for good.
    """
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        dummy_verify(password)
        return Unauthorized("wrong username or password")
    if user.locked_until is not None and user.locked_until > now:
        dummy_verify(password)
        minutes = max(1, round((user.locked_until - now).total_seconds() / 60))
        return TooManyAttempts(
            f"too many wrong passwords: this account is locked for {minutes} more minute(s)"
        )
    if not user.active or not verify_password(password, user.password_hash):
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.failed_logins = 0
            user.locked_until = now + dt.timedelta(seconds=LOCKOUT_S)
        session.add(user)
        return Unauthorized("wrong username or password")
    user.failed_logins = 0
    user.locked_until = None
    session.add(user)
    token = new_token(STAFF_PREFIX)
    session.add(
        StaffSession(
            token_hash=token_hash(token),
            user_id=user.id,  # type: ignore[arg-type]
            expires_at=now + dt.timedelta(seconds=ttl_s),
        )
    )
    return token, user


def logout(session: Session, *, token: str) -> None:
    row = session.exec(
        select(StaffSession).where(StaffSession.token_hash == token_hash(token))
    ).first()
    if row is not None:
        session.delete(row)
        access_changed(session, user_ids=[row.user_id])  # its open event sockets close


# Every request resolves its token: plain column reads on the session's connection.
_DEVICE_BY_HASH = select(
    Device.kind, Device.branch_id, Device.id, Device.name, Device.active
).where(Device.token_hash == bindparam("digest"))
_SESSION_BY_HASH = (
    select(StaffSession.expires_at, User.role, User.branch_id, User.id, User.username, User.active)
    .join(User, User.id == StaffSession.user_id)  # type: ignore[arg-type]
    .where(StaffSession.token_hash == bindparam("digest"))
)
_EXTRA_BRANCHES = select(UserBranch.branch_id).where(UserBranch.user_id == bindparam("user_id"))


def resolve(session: Session, *, token: str, now: dt.datetime) -> Principal:
    """The principal a bearer token stands for, or Unauthorized."""
    digest = token_hash(token)
    conn = session.connection()
    if token.startswith(DEVICE_PREFIX):
        device = conn.execute(_DEVICE_BY_HASH, {"digest": digest}).first()
        if device is None or not device.active:
            raise Unauthorized("unknown or revoked device token")
        return Principal(
            role=Role(device.kind),
            branch_id=device.branch_id,
            device_id=device.id,
            name=device.name,
        )
    if token.startswith(STAFF_PREFIX):
        row = conn.execute(_SESSION_BY_HASH, {"digest": digest}).first()
        if row is not None:
            expires_at, role, branch_id, user_id, username, active = row
            if expires_at > now and active:
                # Only managers oversee extra branches; one more indexed read for them alone.
                extra = (
                    frozenset(conn.execute(_EXTRA_BRANCHES, {"user_id": user_id}).scalars())
                    if role == Role.MANAGER
                    else frozenset()
                )
                return Principal(
                    role=Role(role),
                    branch_id=branch_id,
                    user_id=user_id,
                    name=username,
                    extra_branch_ids=extra,
                )
        raise Unauthorized("your session has expired; please log in again")
    raise Unauthorized("unknown token")
