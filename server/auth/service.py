"""Login and token resolution."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from server import audit
from server.auth import throttle
from server.auth.principal import Principal, Role
from server.auth.schemas import STAFF_LANGUAGES, LoginPublic, MePublic
from server.counters.service import leave_counters
from server.domain.errors import Conflict, Forbidden, Invalid, TooManyAttempts, Unauthorized
from server.models import Branch, Device, StaffSession, User, UserBranch
from server.realtime.access import access_changed
from server.security import (
    DEVICE_PREFIX,
    STAFF_PREFIX,
    check_password,
    new_token,
    token_hash,
)

if TYPE_CHECKING:
    from server.context import AppContext


@dataclass(frozen=True)
class _Account:
    user_id: int
    password_hash: str


def _look(
    session: Session, *, username: str, address: str, now: dt.datetime
) -> tuple[_Account | None, int | None]:
    """The usable account of this username, if any, and how long this address must wait."""
    wait = throttle.locked_for(session, address=address, username=username, now=now)
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None or user.id is None or not user.active:
        return None, wait
    return _Account(user.id, user.password_hash), wait


async def login(
    ctx: AppContext, *, username: str, password: str, address: str, ttl_s: int
) -> LoginPublic:
    """A new staff session (the login answer), or raises the error to answer with.

    The slow password check (argon2) holds no unit of work: read the account and the
    address's throttle, count the try (server/auth/throttle.py), check the password on the
    password threads, then a short write opens the session. An unknown username, an
    inactive account and a wrong password answer alike and count alike.
    """
    now = ctx.clock.now()
    where = {"username": username, "address": address, "now": now}
    account, wait = await ctx.unit(_look, write=False, **where)
    if wait is None:
        wait = await ctx.unit(throttle.reserve, write=True, **where)
    if wait is not None:
        raise TooManyAttempts(throttle.wait_message(wait))
    good = await check_password(password, account.password_hash if account else None)
    answer: LoginPublic | None = None
    if account is not None and good:
        answer = await ctx.unit(
            _open_session, account, address=address, now=now, ttl_s=ttl_s, write=True
        )
    if answer is None:  # wrong, or the account changed meanwhile (reset, deactivated)
        await ctx.unit(_failed, username=username, address=address, now=now, write=True)
        raise Unauthorized("wrong username or password")
    return answer


def _failed(session: Session, *, username: str, address: str, now: dt.datetime) -> None:
    audit.record(
        session,
        kind=audit.Kind.SIGN_IN_FAILED,
        action="sign_in.failed",
        target=f"user {username[:64]}",  # as typed: the account may not exist
        branch_id=throttle.branch_of(session, username),
        actor=audit.Actor("anonymous", "", None, address),
        now=now,
    )


def _open_session(
    session: Session, account: _Account, *, address: str, now: dt.datetime, ttl_s: int
) -> LoginPublic | None:
    user = session.get(User, account.user_id)
    if user is None or not user.active or user.password_hash != account.password_hash:
        return None
    throttle.succeeded(session, address=address, username=user.username)
    audit.record(
        session,
        kind=audit.Kind.SIGN_IN,
        action="sign_in",
        target=f"user {user.username}",
        branch_id=user.branch_id,
        actor=audit.Actor("user", user.username, user.id, address),
        now=now,
    )
    token = new_token(STAFF_PREFIX)
    session.add(
        StaffSession(
            token_hash=token_hash(token),
            user_id=account.user_id,
            expires_at=now + dt.timedelta(seconds=ttl_s),
        )
    )
    branch = session.get(Branch, user.branch_id) if user.branch_id else None
    return LoginPublic(
        access_token=token,
        token_type="bearer",
        role=user.role,
        branch=branch.code if branch else None,
        username=user.username,
        expires_in=ttl_s,
        must_change_password=user.must_change_password,
    )


def logout(
    session: Session,
    *,
    token: str,
    principal: Principal,
    close_counters: bool = False,
    now: dt.datetime,
) -> None:
    """End this session; the counters its user holds are paused (reason ``signed_out``), or
    closed when asked, and held by nobody."""
    row = session.exec(
        select(StaffSession).where(StaffSession.token_hash == token_hash(token))
    ).first()
    if row is not None:
        audit.record(
            session,
            kind=audit.Kind.SIGN_OUT,
            action="sign_out",
            target=f"user {principal.name}",
            branch_id=principal.branch_id,
            now=now,
        )
        session.delete(row)
        access_changed(session, user_ids=[row.user_id])  # its open event sockets close
        leave_counters(
            session, user_id=row.user_id, close_them=close_counters, now=now, principal=principal
        )


# Every request resolves its token: plain column reads on the session's connection.
_DEVICE_BY_HASH = sa_select(
    col(Device.kind), col(Device.branch_id), col(Device.id), col(Device.name), col(Device.active)
).where(col(Device.token_hash) == bindparam("digest"))
_SESSION_BY_HASH = (
    sa_select(
        col(StaffSession.expires_at),
        col(User.role),
        col(User.branch_id),
        col(User.id),
        col(User.username),
        col(User.active),
        col(User.must_change_password),
    )
    .join(User, col(User.id) == StaffSession.user_id)
    .where(col(StaffSession.token_hash) == bindparam("digest"))
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
            expires_at, role, branch_id, user_id, username, active, must_change = row
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
                    must_change_password=bool(must_change),
                )
        raise Unauthorized("your session has expired; please log in again")
    raise Unauthorized("unknown token")


def me(session: Session, principal: Principal) -> MePublic:
    """Who the caller is, and every branch they may see (a regional manager's too)."""
    branch = session.get(Branch, principal.branch_id) if principal.branch_id else None
    visible = principal.branch_ids
    others = (
        session.exec(select(Branch.code).where(col(Branch.id).in_(visible))).all()
        if visible is not None
        else None
    )
    user = session.get(User, principal.user_id) if principal.user_id is not None else None
    fallback = branch.default_lang if branch and branch.default_lang in STAFF_LANGUAGES else "en"
    return MePublic(
        username=user.username if user else None,
        language=user.language if user else None,
        lang=(user.language if user and user.language else None) or fallback,
        must_change_password=user.must_change_password if user else False,
        role=principal.role,
        name=principal.name,
        branch=branch.code if branch else None,
        branches=sorted(others) if others is not None else None,  # null: all (an admin)
        user_id=principal.user_id,
        device_id=principal.device_id,
    )


def set_language(session: Session, principal: Principal, language: str) -> None:
    """Remember the staff screens' language for this user."""
    if principal.user_id is None:
        raise Forbidden("a device has no language of its own to remember")
    user = session.get(User, principal.user_id)
    if user is not None and user.language != language:
        user.language = language
        session.add(user)


def account_of(session: Session, principal: Principal, _now: dt.datetime) -> tuple[str, str]:
    """The caller's username and current password hash (a device has no password)."""
    user = session.get(User, principal.user_id) if principal.user_id is not None else None
    if user is None:
        raise Forbidden("a device has no password: it signs in with its token")
    return user.username, user.password_hash


async def check_password_change(current: str, new: str, *, username: str, digest: str) -> None:
    """The current password proves it is you; the new one is not the username, nor the
    password it replaces (argon2 on the password threads)."""
    if not await check_password(current, digest):
        raise Invalid("the current password is wrong", field="current_password")
    if new.strip().lower() == username.lower():
        raise Invalid("the new password must not be your username", field="new_password")
    if await check_password(new, digest):
        raise Invalid("the new password must differ from the one it replaces", field="new_password")


def change_password(
    session: Session,
    principal: Principal,
    *,
    digest: str,
    previous: str,
    keep: str | None,
    now: dt.datetime,
) -> None:
    """Set the caller's new password (hashed outside the unit of work); their other sessions
    end, this one stays. Refused if the password changed meanwhile."""
    user = session.get(User, principal.user_id) if principal.user_id is not None else None
    if user is None or user.password_hash != previous:
        raise Conflict("your password was changed meanwhile: sign in again")
    user.password_hash = digest
    user.must_change_password = False
    session.add(user)
    others = select(StaffSession).where(StaffSession.user_id == user.id)
    if keep is not None:
        others = others.where(StaffSession.token_hash != token_hash(keep))
    for row in session.exec(others):
        session.delete(row)
    access_changed(session, user_ids=[user.id])
