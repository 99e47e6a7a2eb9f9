"""Calling customers to a counter: the next by the branch's rules, a chosen one, a recall.

Whoever is at the counter is finished first (``previous``: served, or never came); the
ticket is claimed with a row lock that skips a row another counter is claiming, so two
counters never call the same customer.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from sqlalchemy import or_, union_all, update
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from server.announcements.audio import PrewarmCall, audio_url
from server.auth.principal import Principal
from server.branches.lookup import get_branch_by_id, get_ticket
from server.counters.holding import check_holder
from server.counters.schemas import CallPublic, WaitingListPublic, WaitingTicket
from server.counters.service import current_ticket
from server.domain.announce import announcement_text
from server.domain.errors import Conflict, Invalid, NotFound
from server.domain.lifecycle import AT_COUNTER, QUEUED, TicketStatus, check_counter_op
from server.domain.ordering import Candidate, Choice, Rule, choose_next, next_streak, policy_of
from server.effects import after_commit
from server.models import Branch, Counter, Service, Ticket
from server.models.types import row_id
from server.realtime.events import EventType, record
from server.tickets import service as tickets
from server.tickets.present import ticket_dict, ticket_public, waited_s

# A claim lost to another counter is retried on the fresh queue up to this many times.
CLAIM_ATTEMPTS = 50
Previous = Literal["done", "no_show"]


def _candidates(
    session: Session, counter: Counter, services: list[str], exclude: set[int]
) -> list[Candidate]:
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
    for code in services:
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
                    if status == TicketStatus.TRANSFERRED:
                        # A ticket sent to a chosen counter waits for that counter alone.
                        stmt = stmt.where(
                            or_(
                                col(Ticket.transfer_counter_id).is_(None),
                                col(Ticket.transfer_counter_id) == counter.id,
                            )
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


def finish_current(
    session: Session,
    counter: Counter,
    *,
    previous: Previous,
    principal: Principal,
    now: dt.datetime,
) -> None:
    """End the visit of whoever is at the counter: served (``done``), or called and never
    came (``no_show``: they count as no-show, not as served, and get no feedback request)."""
    current = current_ticket(session, counter)
    if current is None or current.status not in AT_COUNTER:
        return
    if previous == "no_show":
        if current.status != TicketStatus.CALLED:
            raise Conflict(
                f"{current.code} is being served, so they came: finish them as served instead"
            )
        tickets.no_show(session, current, principal=principal, now=now)
    else:
        tickets.finish(session, current, principal=principal, now=now)


def _queues_empty(session: Session, counter: Counter) -> bool:
    return not _candidates(session, counter, list(counter.services), set())


def _borrowing(session: Session, counter: Counter, service: str) -> None:
    """A counter calls from a service it does not serve only while its own queues are empty."""
    if service in counter.services:
        return
    if not _queues_empty(session, counter):
        raise Conflict(
            f"customers are waiting for counter {counter.label}'s own services: call them "
            f"before service {service}"
        )


def call_next(
    session: Session,
    counter: Counter,
    *,
    principal: Principal,
    now: dt.datetime,
    previous: Previous = "done",
    service: str | None = None,
) -> CallPublic | None:
    """Finish whoever is at the counter (as ``previous`` says), then claim the next ticket by
    the branch's rules: of the counter's services, or of ``service`` (one it does not serve,
    while its own queues are empty)."""
    check_counter_op("call", label=counter.label, state=counter.state)
    check_holder(session, counter, principal=principal)
    branch = get_branch_by_id(session, counter.branch_id)
    services = list(counter.services)
    if service is not None:
        _known_service(session, branch, service)
        _borrowing(session, counter, service)
        services = [service]
    finish_current(session, counter, previous=previous, principal=principal, now=now)
    policy = policy_of(branch)
    lost: set[int] = set()
    for _ in range(CLAIM_ATTEMPTS):
        choice = choose_next(
            _candidates(session, counter, services, lost),
            services=services,
            policy=policy,
            now=now,
            normal_streak=counter.normal_streak,
        )
        if choice is None:
            return None
        if _claim(session, counter, choice, principal=principal, now=now):
            break
        lost.add(choice.ticket_id)  # another counter took it first
    else:
        raise Conflict("the queue is very busy right now; please press call again")
    return _called(session, counter, choice, principal=principal, now=now)


def call_chosen(
    session: Session,
    counter: Counter,
    *,
    ticket_id: int,
    principal: Principal,
    now: dt.datetime,
    previous: Previous = "done",
) -> CallPublic:
    """Call the ticket the teller picked from the waiting list (rule ``chosen``): one of the
    counter's services, or any while the counter's own queues are empty."""
    check_counter_op("call", label=counter.label, state=counter.state)
    check_holder(session, counter, principal=principal)
    ticket = get_ticket(session, ticket_id)
    if ticket.branch_id != counter.branch_id:
        raise NotFound(f"there is no ticket {ticket_id}")
    if ticket.status not in QUEUED:
        raise Conflict(f"ticket {ticket.code} is '{ticket.status}' and is not waiting any more")
    if _reserved_elsewhere(ticket, counter):
        raise Conflict(f"ticket {ticket.code} was sent to another counter, which will call it")
    _borrowing(session, counter, ticket.service_code)
    finish_current(session, counter, previous=previous, principal=principal, now=now)
    choice = Choice(row_id(ticket), Rule.CHOSEN, ticket.priority)
    if not _claim(session, counter, choice, principal=principal, now=now):
        raise Conflict(f"ticket {ticket.code} was just called at another counter")
    return _called(session, counter, choice, principal=principal, now=now)


def _known_service(session: Session, branch: Branch, code: str) -> None:
    found = session.exec(
        select(Service.code).where(Service.branch_id == branch.id, Service.code == code)
    ).first()
    if found is None:
        raise Invalid(f"branch {branch.code} has no service '{code}'")


def _claim(
    session: Session, counter: Counter, choice: Choice, *, principal: Principal, now: dt.datetime
) -> bool:
    """Take the chosen ticket for this counter; False when another counter has it."""
    # Lock the chosen row without waiting: a row another counter is claiming right now is
    # skipped at once (PostgreSQL; SQLite has one writer).
    free = session.execute(
        select(Ticket.id)
        .where(col(Ticket.id) == choice.ticket_id, col(Ticket.status).in_(QUEUED))
        .with_for_update(skip_locked=True)
    ).first()
    if free is None:
        return False
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
    return True


def _called(
    session: Session, counter: Counter, choice: Choice, *, principal: Principal, now: dt.datetime
) -> CallPublic:
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
    check_holder(session, counter, principal=principal)
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


WAITING_LIST_LIMIT = 200


def _reserved_elsewhere(ticket: Ticket, counter: Counter) -> bool:
    """Transferred to a chosen counter that is not this one (only that counter calls it)."""
    return (
        ticket.status == TicketStatus.TRANSFERRED
        and ticket.transfer_counter_id is not None
        and ticket.transfer_counter_id != counter.id
    )


def waiting_list(session: Session, counter: Counter, *, now: dt.datetime) -> WaitingListPublic:
    """The branch's waiting tickets in arrival order, the counter's services first."""
    rows = session.exec(
        select(Ticket)
        .where(Ticket.branch_id == counter.branch_id, col(Ticket.status).in_(QUEUED))
        .order_by(col(Ticket.issued_at), col(Ticket.id))
        .limit(WAITING_LIST_LIMIT + 1)
    ).all()
    standards = {
        code: wait
        for code, wait in session.exec(
            select(Service.code, Service.standard_wait_s).where(
                Service.branch_id == counter.branch_id
            )
        )
    }
    mine: list[WaitingTicket] = []
    others: list[WaitingTicket] = []
    for ticket in rows[:WAITING_LIST_LIMIT]:
        # Since the customer arrived: still waiting now, whatever happened before.
        waited = max(int((now - ticket.issued_at).total_seconds()), 0)
        standard = standards.get(ticket.original_service_code)
        row = WaitingTicket(
            ticket=ticket_public(ticket),
            waited_s=waited,
            standard_wait_s=standard,
            over_standard=standard is not None and waited > standard,
            transfer_note=ticket.transfer_note,
        )
        own = ticket.service_code in counter.services and not _reserved_elsewhere(ticket, counter)
        (mine if own else others).append(row)
    return WaitingListPublic(mine=mine, others=others, truncated=len(rows) > WAITING_LIST_LIMIT)
