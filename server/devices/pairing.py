"""Pairing a device by a short code instead of copying its token into a URL.

A kiosk, display or agent without a token asks for a pairing (:func:`start`): it gets a
short code to show (and a QR of the Settings page with the code filled in) and a secret it
keeps. An administrator (or the branch's manager) enters the code in Settings with the
branch, kind and name (:func:`claim`): the device is created then, and its token waits in
the pairing row until the device, asking with its secret (:func:`status`), takes it; it is
erased as it is handed over. Codes are single-use and expire after ``TTL_S``; starting is
limited per client address and wrong codes per person (both over ``WINDOW_S``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from server import audit
from server.admin import service as admin
from server.auth.principal import Principal
from server.customers.qr import qr_svg
from server.domain.errors import Conflict, DomainError, NotFound, TooManyAttempts
from server.models import AuditEntry, Branch, Pairing

TTL_S = 600
WINDOW_S = 600
MAX_STARTS_PER_ADDRESS = 20
MAX_WRONG_CODES = 10
# No 0/O, 1/I/L: read off a screen across a room and typed by hand.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


class PairingExpired(DomainError):
    status_code = 410
    code = "pairing_expired"


class UnknownCode(NotFound):
    code = "unknown_code"


class UsedCode(Conflict):
    code = "used_code"


class TokenTaken(DomainError):
    status_code = 410
    code = "pairing_taken"


# What a person typing a code can get wrong (each counts towards the limit).
WRONG_CODE = (UnknownCode, UsedCode, PairingExpired)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def normalize(code: str) -> str:
    """What the person typed, as stored: capitals, no spaces or dashes; O read as 0 is not
    in the alphabet, so an O typed for a 0... is simply wrong."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def shown(code: str) -> str:
    """ABCD-EFGH: two groups of four are easier to read out and type."""
    return f"{code[:4]}-{code[4:]}"


def pair_url(public_url: str, code: str) -> str:
    """The Settings page with the code filled in (in the fragment: never sent to a server,
    so never in a log)."""
    return f"{public_url.rstrip('/')}/manager/#pair={shown(code)}"


def start(
    session: Session, *, kind: str | None, address: str | None, public_url: str, now: dt.datetime
) -> dict[str, Any]:
    """A new pairing attempt: its code (to show), its secret (to keep) and when it ends."""
    session.execute(delete(Pairing).where(col(Pairing.expires_at) < now - dt.timedelta(days=1)))
    recent = session.exec(
        select(func.count()).where(
            Pairing.address == address,
            col(Pairing.created_at) > now - dt.timedelta(seconds=WINDOW_S),
        )
    ).one()
    if recent >= MAX_STARTS_PER_ADDRESS:
        raise TooManyAttempts(
            "too many pairing codes asked for from this address: try again in a few minutes"
        )
    code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    secret = secrets.token_urlsafe(32)
    expires = now + dt.timedelta(seconds=TTL_S)
    session.add(
        Pairing(
            code_hash=_digest(code),
            secret_hash=_digest(secret),
            kind=kind,
            address=address,
            created_at=now,
            expires_at=expires,
        )
    )
    url = pair_url(public_url, code)
    return {
        "code": shown(code),
        "pairing_id": secret,
        "secret": secret,
        "expires_at": expires,
        "expires_in": TTL_S,
        "poll_s": 2,
        "pair_url": url,
        "qr_svg": qr_svg(url).decode(),
    }


def _wrong_codes(session: Session, principal: Principal, now: dt.datetime) -> int:
    return session.exec(
        select(func.count()).where(
            AuditEntry.actor_id == principal.user_id,
            AuditEntry.action == "pairing.refused",
            col(AuditEntry.at) > now - dt.timedelta(seconds=WINDOW_S),
        )
    ).one()


def check_attempts(session: Session, principal: Principal, now: dt.datetime) -> None:
    if _wrong_codes(session, principal, now) >= MAX_WRONG_CODES:
        raise TooManyAttempts(
            "too many wrong pairing codes: wait ten minutes, then read the code off the "
            "device's screen again"
        )


def refused(
    session: Session, *, code: str, reason: str, branch_id: int | None, now: dt.datetime
) -> None:
    """A wrong, used or expired code: recorded (it counts towards the limit), under the
    branch the device was to join."""
    audit.record(
        session,
        branch_id=branch_id,
        kind=audit.Kind.PAIRING,
        action="pairing.refused",
        target=f"code {shown(code) if len(code) == CODE_LENGTH else code[:16]}",
        changes={"reason": {"after": reason}},
        now=now,
    )


def find_claimable(session: Session, code: str, *, now: dt.datetime) -> Pairing:
    """The waiting pairing of ``code`` (normalized), or the error to answer with."""
    row = session.exec(select(Pairing).where(Pairing.code_hash == _digest(code))).first()
    if row is None:
        raise UnknownCode(
            f"no device is showing the code {shown(code) if len(code) == CODE_LENGTH else code}: "
            "check it on the device's screen (codes expire after 10 minutes)"
        )
    if row.claimed_at is not None:
        raise UsedCode("this code was already used: the device shows a new one after pairing")
    if row.expires_at <= now:
        raise PairingExpired(
            "this code has expired: reload the device's page for a new one, then enter it"
        )
    return row


def claim(
    session: Session,
    row: Pairing,
    *,
    branch: Branch,
    kind: str,
    name: str,
    config: dict[str, Any],
    principal: Principal,
    now: dt.datetime,
) -> Any:
    """Create the device for a waiting pairing; its token waits for the device."""
    device, token = admin.create_device(session, branch=branch, kind=kind, name=name, config=config)
    row.claimed_at = now
    row.claimed_by = principal.user_id
    row.device_id = device.id
    row.token = token
    session.add(row)
    audit.record(
        session,
        kind=audit.Kind.PAIRING,
        action="device.paired",
        target=f"{kind} {name}",
        branch_id=branch.id,
        changes={"address": {"after": row.address}},
        now=now,
    )
    return device


def poll(session: Session, pairing_id: str, *, now: dt.datetime) -> dict[str, Any]:
    """Where the pairing the device knows by ``pairing_id`` (its secret) stands:
    ``waiting`` for staff, ``paired`` with the device's token (handed over once, then
    erased), ``delivered`` (the token was already taken) or ``expired``."""
    row = session.exec(select(Pairing).where(Pairing.secret_hash == _digest(pairing_id))).first()
    if row is None:
        raise NotFound("unknown pairing: ask for a new code")
    if row.token is not None:
        token, row.token, row.delivered_at = row.token, None, now
        session.add(row)
        device = admin.get_device(session, row.device_id or 0)
        branch = session.get(Branch, device.branch_id)
        return {
            "state": "paired",
            "token": token,
            "device": {
                "id": device.id,
                "kind": device.kind,
                "name": device.name,
                "branch": branch.code if branch else None,
            },
        }
    if row.delivered_at is not None:
        return {"state": "delivered"}
    if row.expires_at <= now:
        return {"state": "expired"}
    return {"state": "waiting", "expires_at": row.expires_at}


ALREADY_TAKEN = "this pairing's token was already handed over: ask for a new code"


def status(session: Session, secret: str, *, now: dt.datetime) -> dict[str, Any]:
    """:func:`poll` for ``POST /pairing/status``: a used pairing is a conflict, an expired one
    gone (410)."""
    answer = poll(session, secret, now=now)
    if answer["state"] == "delivered":
        raise Conflict(ALREADY_TAKEN)
    if answer["state"] == "expired":
        raise PairingExpired("the pairing code expired before anyone entered it: ask for a new one")
    return answer
