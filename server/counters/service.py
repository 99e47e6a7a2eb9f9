"""Counter operations: open, pause, resume, close, call next, recall."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select as sa_select
from sqlalchemy import union_all, update
from sqlmodel import Session, col, select

from server.announcements.audio import PrewarmCall, audio_url
from server.auth.principal import Principal
from server.branches.lookup import get_branch_by_id, get_ticket
from server.counters.schemas import CallPublic, CounterPublic
from server.domain.announce import announcement_text
from server.domain.errors import Conflict
from server.domain.lifecycle import AT_COUNTER, QUEUED, CounterState, TicketStatus, check_counter_op
from server.domain.ordering import (
    Candidate,
    OrderMode,
    Policy,
    PriorityMode,
    TransferPlacement,
    choose_next,
    next_streak,
)
from server.effects import after_commit
from server.models import Branch, Counter, Service, Ticket
from server.realtime.events import EventType, record
from server.tickets import service as tickets
from server.tickets.present import ticket_dict, waited_s

# A claim lost to another counter is retried on the fresh queue up to this many times.
CLAIM_ATTEMPTS = 50


def counter_public(counter: Counter, current: Ticket | None = None) -> CounterPublic:
    return CounterPublic.model_validate(counter_dict(counter, current))


def counter_dict(counter: Counter, current: Ticket | None = None) -> dict[str, Any]:
    """``CounterPublic``'s fields as plain data (event payloads, snapshots)."""
    return {
        "id": counter.id,
        "label": counter.label,
        "state": counter.state,
        "services": list(counter.services),
        "pause_reason": counter.pause_reason,
        "teller_id": counter.teller_id,
        "current_ticket": ticket_dict(current, counter=counter) if current is not None else None,
    }


def current_ticket(session: Session, counter: Counter) -> Ticket | None:
    if counter.current_ticket_id is None:
        return None
    return session.get(Ticket, counter.current_ticket_id)


def counter_changed(
    session: Session, counter: Counter, *, principal: Principal, now: dt.datetime
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
        data={"counter": counter_dict(counter, current_ticket(session, counter))},
    )


def _set_state(counter: Counter, state: CounterState, now: dt.datetime) -> None:
    counter.state = state
    counter.state_since = now


def open_counter(
    session: Session, counter: Counter, *, principal: Principal, now: dt.datetime
) -> Counter:
    check_counter_op("open", label=counter.label, state=counter.state)
    _set_state(counter, CounterState.OPEN, now)
    counter.teller_id = principal.user_id
    counter.pause_reason = None
    session.add(counter)
    counter_changed(session, counter, principal=principal, now=now)
    return counter


def pause(
    session: Session, counter: Counter, *, reason: str, principal: Principal, now: dt.datetime
) -> Counter:
    check_counter_op("pause", label=counter.label, state=counter.state)
    _set_state(counter, CounterState.PAUSED, now)
    counter.pause_reason = reason
    session.add(counter)
    counter_changed(session, counter, principal=principal, now=now)
    return counter


def resume(
    session: Session, counter: Counter, *, principal: Principal, now: dt.datetime
) -> Counter:
    check_counter_op("resume", label=counter.label, state=counter.state)
    _set_state(counter, CounterState.OPEN, now)
    counter.pause_reason = None
    session.add(counter)
    counter_changed(session, counter, principal=principal, now=now)
    return counter


def close(session: Session, counter: Counter, *, principal: Principal, now: dt.datetime) -> Counter:
    check_counter_op("close", label=counter.label, state=counter.state)
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


def policy_of(branch: Branch) -> Policy:
    return Policy(
        order_mode=OrderMode(branch.order_mode),
        priority_mode=PriorityMode(branch.priority_mode),
        priority_ratio=branch.priority_ratio,
        max_wait_s=branch.max_wait_s,
        transfer_placement=TransferPlacement(branch.transfer_placement),
    )


def _candidates(session: Session, counter: Counter, exclude: set[int]) -> list[Candidate]:
    """The heads of the counter's queues: every ticket any ordering rule could pick.

    Each rule picks the earliest ticket (by arrival, or by transfer time among transferred
    tickets) of some group of service x priority x status, so the first of each group is
    enough: one ``LIMIT 1`` per group on the ``ix_ticket_head`` index, all in one statement.
    Python never sees the rest of a long queue.
    """
    cols = (
        col(Ticket.id),
        col(Ticket.service_code),
        col(Ticket.issued_at),
        col(Ticket.queued_at),
        col(Ticket.priority),
        col(Ticket.status),
    )
    heads = []
    for code in counter.services:
        for status in QUEUED:
            for priority in (False, True):
                orders = [(col(Ticket.issued_at), col(Ticket.id))]
                if status == TicketStatus.TRANSFERRED:
                    orders.append((col(Ticket.queued_at), col(Ticket.id)))
                for order in orders:
                    # SQLAlchemy's select: sqlmodel's is typed for at most four columns.
                    stmt = sa_select(*cols).where(
                        col(Ticket.branch_id) == counter.branch_id,
                        col(Ticket.service_code) == code,
                        col(Ticket.status) == status.value,
                        col(Ticket.priority) == priority,
                    )
                    if exclude:
                        stmt = stmt.where(col(Ticket.id).not_in(exclude))
                    heads.append(stmt.order_by(*order).limit(1).subquery().select())
    if not heads:
        return []
    rows = session.execute(union_all(*heads)).all()
    seen: set[int] = set()
    out = []
    for tid, svc, issued, queued_at, prio, status in rows:
        if tid in seen:
            continue
        seen.add(tid)
        out.append(
            Candidate(
                id=tid,
                service_code=svc,
                issued_at=_aware(issued),
                queued_at=_aware(queued_at),
                priority=bool(prio),
                transferred=status == TicketStatus.TRANSFERRED,
            )
        )
    return out


def _aware(value: dt.datetime) -> dt.datetime:
    # Columns read through a UNION lose their type on SQLite: restore UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _announcement(ticket: Ticket, counter: Counter) -> dict[str, Any]:
    return {
        "text": announcement_text(code=ticket.code, counter=counter.label, lang=ticket.lang),
        "lang": ticket.lang,
        # Chime + spoken words, generated offline; None where the language has no voice.
        "audio_url": audio_url(code=ticket.code, counter=counter.label, lang=ticket.lang),
    }


def _standard_wait(session: Session, ticket: Ticket) -> int | None:
    service = session.exec(
        select(Service).where(
            Service.branch_id == ticket.branch_id, Service.code == ticket.original_service_code
        )
    ).first()
    return service.standard_wait_s if service is not None else None


def _call_payload(
    session: Session, ticket: Ticket, counter: Counter, now: dt.datetime
) -> dict[str, Any]:
    waited = waited_s(ticket, now)
    standard = _standard_wait(session, ticket)
    return {
        "ticket": ticket_dict(ticket, counter=counter),
        "counter": {"id": counter.id, "label": counter.label},
        "announcement": _announcement(ticket, counter),
        "rule": ticket.call_rule,
        "waited_s": waited,
        "standard_wait_s": standard,
        "standard_missed": standard is not None and waited > standard,
    }


def call_next(
    session: Session, counter: Counter, *, principal: Principal, now: dt.datetime
) -> CallPublic | None:
    """Finish whoever is at the counter, then claim the next ticket by the branch's rules."""
    check_counter_op("call", label=counter.label, state=counter.state)
    current = current_ticket(session, counter)
    if current is not None and current.status in AT_COUNTER:
        tickets.finish(session, current, principal=principal, now=now)
    branch = get_branch_by_id(session, counter.branch_id)
    policy = policy_of(branch)
    lost: set[int] = set()
    for _ in range(CLAIM_ATTEMPTS):
        choice = choose_next(
            _candidates(session, counter, lost),
            services=counter.services,
            policy=policy,
            now=now,
            normal_streak=counter.normal_streak,
        )
        if choice is None:
            return None
        # Lock the chosen row without waiting: a row another counter is claiming right now is
        # skipped at once and the next best is tried (PostgreSQL; SQLite has one writer).
        free = session.execute(
            select(Ticket.id)
            .where(col(Ticket.id) == choice.ticket_id, col(Ticket.status).in_(QUEUED))
            .with_for_update(skip_locked=True)
        ).first()
        if free is not None:
            session.execute(
                update(Ticket)
                .where(col(Ticket.id) == choice.ticket_id)
                .values(
                    status=TicketStatus.CALLED,
                    counter_id=counter.id,
                    teller_id=principal.user_id,
                    called_at=now,
                    recalled_at=None,
                    call_rule=choice.rule.value,
                )
                .execution_options(synchronize_session=False)
            )
            break
        lost.add(choice.ticket_id)  # another counter took it first
    else:
        raise Conflict("the queue is very busy right now; please press call again")

    ticket = get_ticket(session, choice.ticket_id)
    session.refresh(ticket)
    if ticket.first_called_at is None:
        ticket.first_called_at = now
    counter.current_ticket_id = ticket.id
    counter.normal_streak = next_streak(counter.normal_streak, called_priority=choice.priority)
    session.add_all([ticket, counter])
    return _announce(
        session, ticket, counter, EventType.TICKET_CALLED, principal=principal, now=now
    )


def recall(
    session: Session, counter: Counter, *, principal: Principal, now: dt.datetime
) -> CallPublic:
    check_counter_op("recall", label=counter.label, state=counter.state)
    ticket = current_ticket(session, counter)
    if ticket is None or ticket.status != TicketStatus.CALLED:
        raise Conflict(f"counter {counter.label} has no called ticket to recall")
    ticket.recall_count += 1
    ticket.recalled_at = now
    session.add(ticket)
    return _announce(
        session, ticket, counter, EventType.TICKET_RECALLED, principal=principal, now=now
    )


def _announce(
    session: Session,
    ticket: Ticket,
    counter: Counter,
    kind: EventType,
    *,
    principal: Principal,
    now: dt.datetime,
) -> CallPublic:
    """Log a call or recall; its payload is both the event data and the teller's answer."""
    payload = _call_payload(session, ticket, counter, now)
    payload["recall_count"] = ticket.recall_count
    if payload["announcement"]["audio_url"]:
        after_commit(session, PrewarmCall(ticket.code, counter.label, ticket.lang))
    record(
        session,
        branch_id=ticket.branch_id,
        type=kind,
        at=now,
        ticket_id=ticket.id,
        counter_id=counter.id,
        user_id=principal.user_id,
        device_id=principal.device_id,
        data=payload,
    )
    return CallPublic.model_validate(payload)
