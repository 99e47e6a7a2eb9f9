"""Login throttling per client address, never per account alone.

Failed logins are counted per (address, username as typed) and per address (every username
from it): MAX_FAILED_LOGINS for one username, or MAX_FAILED_PER_ADDRESS in all, within
LOCKOUT_S seconds lock that key for LOCKOUT_S seconds. A caller elsewhere cannot lock a
teller out, and an unknown username counts exactly as a wrong password does (the key is
what was typed, whether or not such an account exists), so the answers tell nothing about
which usernames exist.

The counts live in the database (``login_throttle``): every process and host of an
installation shares them, a restart keeps them, and ``sira user unlock`` clears them. Each
try is counted *before* its password is checked (``reserve``), so a burst of simultaneous
guesses gets no more tries than a sequence; a good login then takes its count back
(``succeeded``). Rows outlive their window or lock by nothing: each reservation purges the
expired ones, which bounds the table by the rate of failed logins times LOCKOUT_S.

The address is the connection's client address; behind a proxy uvicorn takes it from
X-Forwarded-For when the proxy's address is trusted (``FORWARDED_ALLOW_IPS``, default
127.0.0.1: nginx on the same host).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Sequence

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from server import audit
from server.models import LoginThrottle, User

log = logging.getLogger(__name__)

MAX_FAILED_LOGINS = 5
MAX_FAILED_PER_ADDRESS = 20
LOCKOUT_S = 300
EVERY_USERNAME = ""


def _keys(address: str, username: str) -> list[tuple[str, str, int]]:
    return [
        (address, username, MAX_FAILED_LOGINS),
        (address, EVERY_USERNAME, MAX_FAILED_PER_ADDRESS),
    ]


def _live(row: LoginThrottle | None, now: dt.datetime) -> LoginThrottle | None:
    return row if row is not None and row.expires_at > now else None


def _wait(rows: Sequence[LoginThrottle | None], now: dt.datetime) -> int | None:
    waits = [
        (row.locked_until - now).total_seconds()
        for row in rows
        if row is not None and row.locked_until is not None and row.locked_until > now
    ]
    return math.ceil(max(waits)) if waits else None


def locked_for(session: Session, *, address: str, username: str, now: dt.datetime) -> int | None:
    """Seconds this address must wait before trying this username again, or None."""
    rows = [_live(session.get(LoginThrottle, (a, u)), now) for a, u, _ in _keys(address, username)]
    return _wait(rows, now)


def branch_of(session: Session, username: str) -> int | None:
    """The branch of the account named ``username``, if there is one: a failed sign-in or a
    lockout is shown to that branch's managers too (their own staff's names)."""
    if not username:
        return None
    return session.exec(select(User.branch_id).where(User.username == username)).first()


def reserve(session: Session, *, address: str, username: str, now: dt.datetime) -> int | None:
    """Count one try as failed until it proves good; the wait instead when locked."""
    session.execute(delete(LoginThrottle).where(col(LoginThrottle.expires_at) <= now))
    window_end = now + dt.timedelta(seconds=LOCKOUT_S)
    keys = _keys(address, username)
    rows = [_row_for_update(session, a, u, window_end=window_end) for a, u, _ in keys]
    wait = _wait(rows, now)
    if wait is not None:
        return wait
    for row, (_, u, limit) in zip(rows, keys, strict=True):
        row.failures += 1
        if row.failures >= limit and row.locked_until is None:
            row.locked_until = row.expires_at = window_end
            audit.record(
                session,
                kind=audit.Kind.LOCKOUT,
                action="sign_in.locked",
                target=f"user {u[:64]}" if u else "every username from this address",
                branch_id=branch_of(session, u),
                changes={"failures": {"after": row.failures}, "locked_s": {"after": LOCKOUT_S}},
                actor=audit.Actor("anonymous", "", None, address),
                now=now,
            )
            log.warning(
                "logins from %s locked for %d s after %d failed tries (%s)",
                address,
                LOCKOUT_S,
                row.failures,
                "one username" if u else "all usernames",
            )
        session.add(row)
    return None


def _row_for_update(
    session: Session, address: str, username: str, *, window_end: dt.datetime
) -> LoginThrottle:
    fresh = {"address": address, "username": username, "failures": 0, "expires_at": window_end}
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    session.execute(insert(LoginThrottle).values(**fresh).on_conflict_do_nothing())
    row = session.exec(
        select(LoginThrottle)
        .where(LoginThrottle.address == address, LoginThrottle.username == username)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    return row


def succeeded(session: Session, *, address: str, username: str) -> None:
    """A good login: its username starts afresh from this address, and the address's count
    takes back the try ``reserve`` counted."""
    session.execute(
        delete(LoginThrottle).where(
            col(LoginThrottle.address) == address, col(LoginThrottle.username) == username
        )
    )
    row = session.get(LoginThrottle, (address, EVERY_USERNAME), with_for_update=True)
    if row is not None and row.failures > 0:
        row.failures -= 1
        if row.locked_until is not None and row.failures < MAX_FAILED_PER_ADDRESS:
            row.locked_until = None
        session.add(row)


def clear(session: Session, *, username: str | None = None, address: str | None = None) -> int:
    """Forget the failed logins of a username (from every address) or of an address."""
    query = delete(LoginThrottle)
    if username is not None:
        query = query.where(col(LoginThrottle.username) == username)
    if address is not None:
        query = query.where(col(LoginThrottle.address) == address)
    return int(session.execute(query).rowcount or 0)  # type: ignore[attr-defined]


def wait_message(wait_s: int) -> str:
    return (
        f"too many failed logins from this address: try again in {math.ceil(wait_s / 60)} minute(s)"
    )
