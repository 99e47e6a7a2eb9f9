"""Who holds a counter: one person works a counter at a time (a keypad acts as them)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from server.auth.principal import Principal, Role
from server.domain.errors import CounterHeld
from server.models import Counter, User


def holders(session: Session, counters: list[Counter]) -> dict[int | None, dict[str, Any]]:
    """Who holds each of ``counters`` (by counter id), read in one query."""
    ids = {c.teller_id for c in counters if c.teller_id is not None}
    if not ids:
        return {}
    rows = session.execute(
        sa_select(col(User.id), col(User.username), col(User.full_name)).where(
            col(User.id).in_(ids)
        )
    ).all()
    people = {uid: {"id": uid, "username": u, "name": full or u} for uid, u, full in rows}
    return {c.id: people[c.teller_id] for c in counters if c.teller_id in people}


def holder_name(session: Session, counter: Counter) -> str:
    held = holders(session, [counter]).get(counter.id)
    return str(held["name"]) if held else "another user"


def check_holder(
    session: Session, counter: Counter, *, principal: Principal, supervise: bool = False
) -> None:
    """A counter is worked by the one person holding it (a keypad acts as them). With
    ``supervise``, a manager or admin may also act on it (pause, close) without holding it."""
    if counter.teller_id is None or counter.teller_id == principal.user_id:
        return
    if supervise and principal.role in (Role.MANAGER, Role.ADMIN):
        return
    raise CounterHeld(
        f"counter {counter.label} is held by {holder_name(session, counter)}: open it with "
        "'take over' to work there"
    )
