"""Login and token resolution."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam
from sqlmodel import Session, select

from server.auth.principal import Principal, Role
from server.domain.errors import Unauthorized
from server.models import Device, StaffSession, User
from server.security import (
    DEVICE_PREFIX,
    STAFF_PREFIX,
    dummy_verify,
    new_token,
    token_hash,
    verify_password,
)


def login(
    session: Session, *, username: str, password: str, now: dt.datetime, ttl_s: int
) -> tuple[str, User]:
    user = session.exec(select(User).where(User.username == username)).first()
    if user is None:
        dummy_verify(password)
        raise Unauthorized("wrong username or password")
    if not user.active or not verify_password(password, user.password_hash):
        raise Unauthorized("wrong username or password")
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


_DEVICE_BY_HASH = select(Device).where(Device.token_hash == bindparam("digest"))
_SESSION_BY_HASH = (
    select(StaffSession, User)
    .join(User, User.id == StaffSession.user_id)  # type: ignore[arg-type]
    .where(StaffSession.token_hash == bindparam("digest"))
)


def resolve(session: Session, *, token: str, now: dt.datetime) -> Principal:
    """The principal a bearer token stands for, or Unauthorized."""
    digest = token_hash(token)
    if token.startswith(DEVICE_PREFIX):
        device = session.exec(_DEVICE_BY_HASH, params={"digest": digest}).first()
        if device is None or not device.active:
            raise Unauthorized("unknown or revoked device token")
        return Principal(
            role=Role(device.kind),
            branch_id=device.branch_id,
            device_id=device.id,
            name=device.name,
        )
    if token.startswith(STAFF_PREFIX):
        row = session.exec(_SESSION_BY_HASH, params={"digest": digest}).first()
        if row is not None:
            staff_session, user = row
            if staff_session.expires_at > now and user.active:
                return Principal(
                    role=Role(user.role),
                    branch_id=user.branch_id,
                    user_id=user.id,
                    name=user.username,
                )
        raise Unauthorized("your session has expired; please log in again")
    raise Unauthorized("unknown token")
