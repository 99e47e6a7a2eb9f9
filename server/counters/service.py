"""Counter state: open (and hold), pause, resume, close, leave on sign-out; calling lives in
``calling``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlmodel import Session, col, select

from server.auth.principal import Principal, Role
from server.counters.holding import check_holder, holder_name, holders
from server.counters.schemas import CounterPublic
from server.domain.errors import Conflict, CounterHeld
from server.domain.lifecycle import AT_COUNTER, CounterState, check_counter_op
from server.models import Counter, StaffSession, Ticket
from server.realtime.events import EventType, record
from server.tickets.present import ticket_dict


def counter_public(
    session: Session, counter: Counter, current: Ticket | None = None
) -> CounterPublic:
    held_by = holders(session, [counter]).get(counter.id)
    return CounterPublic.model_validate(
        {**counter_dict(counter, current, held_by=held_by), "version": counter.version}
    )


def counter_dict(
    counter: Counter, current: Ticket | None = None, *, held_by: dict[str, Any] | None
) -> dict[str, Any]:
    """``CounterPublic``'s fields as plain data (event payloads, snapshots)."""
    return {
        "id": counter.id,
        "label": counter.label,
        "state": counter.state,
        "services": list(counter.services),
        "pause_reason": counter.pause_reason,
        "teller_id": counter.teller_id,
        "held_by": held_by,
        "current_ticket": ticket_dict(current, counter=counter) if current is not None else None,
    }


def current_ticket(session: Session, counter: Counter) -> Ticket | None:
    if counter.current_ticket_id is None:
        return None
    return session.get(Ticket, counter.current_ticket_id)


def counter_changed(
    session: Session,
    counter: Counter,
    *,
    principal: Principal,
    now: dt.datetime,
    extra: dict[str, Any] | None = None,
) -> None:
    """Record ``counter.changed``: displays, consoles and dashboards showing it follow."""
    record(
        session,
        branch_id=counter.branch_id,
        type=EventType.COUNTER_CHANGED,
        at=now,
        counter_id=counter.id,
        user_id=principal.user_id,
        device_id=principal.device_id,
        data={"counter": _dict(session, counter), **(extra or {})},
    )


def _dict(session: Session, counter: Counter) -> dict[str, Any]:
    return counter_dict(
        counter,
        current_ticket(session, counter),
        held_by=holders(session, [counter]).get(counter.id),
    )


def _set_state(counter: Counter, state: CounterState, now: dt.datetime) -> None:
    counter.state = state
    counter.state_since = now


def open_counter(
    session: Session,
    counter: Counter,
    *,
    principal: Principal,
    now: dt.datetime,
    take_over: bool = False,
) -> Counter:
    """Open the counter and hold it: a closed counter, one nobody holds (its teller signed
    out), or the caller's own; another's only with ``take_over`` (logged, and their console
    hears it at once in ``counter.changed``)."""
    if principal.user_id is None:
        raise Conflict("a counter is opened by a person: sign in as staff")
    held = counter.state != CounterState.CLOSED and counter.teller_id is not None
    mine = counter.teller_id == principal.user_id
    if held and mine and counter.state == CounterState.OPEN:
        return counter  # already open and theirs: opening again changes nothing
    if held and not mine and not take_over:
        raise CounterHeld(
            f"counter {counter.label} is held by {holder_name(session, counter)}; to work "
            "there, take it over (they will see it at once)"
        )
    taken_from = _dict(session, counter)["held_by"] if held and not mine else None
    _set_state(counter, CounterState.OPEN, now)
    counter.teller_id = principal.user_id
    counter.pause_reason = None
    session.add(counter)
    counter_changed(
        session,
        counter,
        principal=principal,
        now=now,
        extra={"taken_over_from": taken_from} if taken_from else None,
    )
    return counter


def pause(
    session: Session, counter: Counter, *, reason: str, principal: Principal, now: dt.datetime
) -> Counter:
    check_counter_op("pause", label=counter.label, state=counter.state)
    check_holder(session, counter, principal=principal, supervise=True)
    _set_state(counter, CounterState.PAUSED, now)
    counter.pause_reason = reason
    session.add(counter)
    counter_changed(session, counter, principal=principal, now=now)
    return counter


def resume(
    session: Session, counter: Counter, *, principal: Principal, now: dt.datetime
) -> Counter:
    check_counter_op("resume", label=counter.label, state=counter.state)
    check_holder(session, counter, principal=principal)
    _set_state(counter, CounterState.OPEN, now)
    # A counter its teller left by signing out is nobody's: resuming it takes it.
    counter.teller_id = counter.teller_id or principal.user_id
    counter.pause_reason = None
    session.add(counter)
    counter_changed(session, counter, principal=principal, now=now)
    return counter


def close(session: Session, counter: Counter, *, principal: Principal, now: dt.datetime) -> Counter:
    check_counter_op("close", label=counter.label, state=counter.state)
    check_holder(session, counter, principal=principal, supervise=True)
    current = current_ticket(session, counter)
    if current is not None and current.status in AT_COUNTER:
        raise Conflict(
            f"counter {counter.label} still has ticket {current.code}: finish it, mark it a "
            "no-show or transfer it before closing"
        )
    _set_state(counter, CounterState.CLOSED, now)
    counter.teller_id = None
    counter.pause_reason = None
    counter.current_ticket_id = None
    session.add(counter)
    counter_changed(session, counter, principal=principal, now=now)
    return counter


SIGNED_OUT = "signed_out"
LEFT = "left"


def leave(
    session: Session,
    counter: Counter,
    *,
    close_it: bool,
    reason: str,
    principal: Principal,
    now: dt.datetime,
) -> Counter:
    """The holder leaves ``counter``: closed when asked and no customer is at it, paused
    with ``reason`` otherwise, and held by nobody (it stops counting as open, and a colleague
    opens it without taking over)."""
    current = current_ticket(session, counter)
    busy = current is not None and current.status in AT_COUNTER
    if close_it and not busy:
        _set_state(counter, CounterState.CLOSED, now)
        counter.pause_reason = None
        counter.current_ticket_id = None
    else:
        if counter.state != CounterState.PAUSED:
            _set_state(counter, CounterState.PAUSED, now)
        counter.pause_reason = reason
    counter.teller_id = None
    session.add(counter)
    counter_changed(session, counter, principal=principal, now=now)
    return counter


def leave_own(
    session: Session,
    counter: Counter,
    *,
    close_it: bool,
    principal: Principal,
    now: dt.datetime,
) -> Counter:
    """The teller holding ``counter`` walks away from it (to another counter): see
    :func:`leave`, reason ``left``. Only its holder leaves it (a manager pauses or closes
    it instead), and not while a customer is called or served there: they would be left
    waiting at a counter nobody works."""
    if counter.teller_id != principal.user_id or counter.state == CounterState.CLOSED:
        check_holder(session, counter, principal=principal)  # another's: 409 counter_held
        raise Conflict(f"you are not at counter {counter.label}: there is nothing to leave")
    current = current_ticket(session, counter)
    if current is not None and current.status in AT_COUNTER:
        raise Conflict(
            f"{current.code} is still at counter {counter.label}: finish it, mark it a no-show "
            "or transfer it before leaving"
        )
    return leave(session, counter, close_it=close_it, reason=LEFT, principal=principal, now=now)


def leave_counters(
    session: Session,
    *,
    user_id: int,
    close_them: bool,
    now: dt.datetime,
    principal: Principal | None = None,
) -> list[Counter]:
    """The counters ``user_id`` holds, left as they sign out (or their session ends), reason
    ``signed_out`` (see :func:`leave`). ``principal`` None: the server itself (an expired
    session)."""
    actor = principal or Principal(role=Role.ADMIN, branch_id=None, name="system")
    counters = session.exec(
        select(Counter)
        .where(Counter.teller_id == user_id, Counter.state != CounterState.CLOSED)
        .with_for_update()
    ).all()
    for counter in counters:
        leave(session, counter, close_it=close_them, reason=SIGNED_OUT, principal=actor, now=now)
    return list(counters)


def release_expired(session: Session, *, now: dt.datetime) -> int:
    """Leave (pause) the counters of tellers whose every session has ended; how many."""
    alive = select(StaffSession.user_id).where(StaffSession.expires_at > now)
    held = session.exec(
        select(Counter.teller_id)
        .distinct()
        .where(
            col(Counter.teller_id).is_not(None),
            Counter.state != CounterState.CLOSED,
            col(Counter.teller_id).not_in(alive),
        )
    ).all()
    return sum(
        len(leave_counters(session, user_id=uid, close_them=False, now=now))
        for uid in held
        if uid is not None
    )
