"""Issuing tickets and the operations a teller performs on one ticket."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, select

from server.auth.principal import Principal
from server.branches.issuing import check_issuing
from server.branches.lookup import get_branch_by_id, get_service
from server.config import Settings
from server.counters.holding import check_holder
from server.domain.calendar import business_date, format_code
from server.domain.errors import Conflict, Invalid, NotFound
from server.domain.forecast import Forecast
from server.domain.lifecycle import AT_COUNTER, QUEUED, TicketStatus, check_ticket_op
from server.models import Branch, Counter, Service, Ticket
from server.models.types import row_id
from server.printing.dispatch import PrintDelivery, plan_ticket_print, queue_delivery
from server.realtime.events import EventType, record
from server.reports.touch import record_touch
from server.security import new_customer_token
from server.tickets import forecasting, quotes
from server.tickets.numbering import take_number
from server.tickets.present import ticket_dict, waited_s
from server.tickets.stats import forget_recent

_TICKETS = Ticket.__table__  # type: ignore[attr-defined]
_INSERT_TICKET = insert(_TICKETS).returning(_TICKETS.c.id)


@dataclass(frozen=True)
class Issued:
    """An issued ticket, its position (1 = next), the wait it was quoted (and the range, when
    wide; whether it is rough), and its print (delivered after the commit; None when the device
    has no printer)."""

    ticket: Ticket
    position: int
    estimated_wait_s: int
    print: PrintDelivery | None
    wait_range_s: list[int] | None = None
    estimate_rough: bool = False


def issue_ticket(
    session: Session,
    *,
    branch: Branch,
    service_code: str,
    lang: str | None,
    priority: bool,
    priority_reason: str | None,
    request_id: str | None,
    principal: Principal,
    now: dt.datetime,
    settings: Settings,
    touch_s: int | None = None,
    large_print: bool = False,
) -> Issued:
    """Issue a ticket, record the kiosk's touch time and queue its print for after commit
    (in large type when ``large_print``)."""
    if request_id is not None:
        earlier = session.exec(
            select(Ticket).where(Ticket.branch_id == branch.id, Ticket.request_id == request_id)
        ).first()
        if earlier is not None:
            # A retried or double-tapped request gets the ticket it already got (and its
            # first print: nothing is printed twice, and a retry's large_print, if it differs,
            # changes nothing: the first request's wins).
            place, rough = 1, False
            if earlier.status in QUEUED:
                again = forecasting.quote_ticket(
                    session, earlier, now=now, branch=branch, told=False
                )
                place, rough = forecasting.position(again), again.rough
            return Issued(earlier, place, earlier.quoted_wait_s, None, estimate_rough=rough)
    ticket, quote = _issue(
        session,
        branch=branch,
        service_code=service_code,
        lang=lang,
        priority=priority,
        priority_reason=priority_reason,
        request_id=request_id,
        principal=principal,
        now=now,
    )
    if touch_s is not None:
        record_touch(session, ticket_id=ticket.id, touch_s=touch_s)  # type: ignore[arg-type]
    position, quoted = forecasting.position(quote), forecasting.wait_s(quote)
    wait_range = forecasting.wait_range_s(quote)
    plan = plan_ticket_print(
        session,
        ticket=ticket,
        device_id=principal.device_id,
        position=position,
        estimated_wait_s=quoted,
        settings=settings,
        now=now,
        wait_range_s=wait_range,
        estimate_rough=quote.rough,
        large_print=large_print,
    )
    delivery = queue_delivery(session, plan)
    return Issued(ticket, position, quoted, delivery, wait_range, estimate_rough=quote.rough)


def _issue(
    session: Session,
    *,
    branch: Branch,
    service_code: str,
    lang: str | None,
    priority: bool,
    priority_reason: str | None,
    request_id: str | None,
    principal: Principal,
    now: dt.datetime,
) -> tuple[Ticket, Forecast]:
    if not branch.is_open:
        raise Conflict(f"branch {branch.code} is closed and is not issuing tickets")
    service = get_service(session, branch, service_code)
    # The same rule as the kiosk's "open" (is_open, active, opening hours, cut-off).
    check_issuing(branch, service, now=now)
    lang = lang or branch.default_lang
    if lang not in branch.languages:
        offered = ", ".join(branch.languages)
        raise Invalid(
            f"language '{lang}' is not offered at branch {branch.code} (offered: {offered})"
        )

    day = business_date(now, branch.timezone)
    branch_id = row_id(branch)
    number = take_number(session, branch_id=branch_id, prefix=service.code, business_date=day)
    # Quoted before the ticket exists: the same state the kiosk's services list quoted from.
    quote = forecasting.quote_new(session, branch, service, priority=priority, now=now)
    quoted = forecasting.wait_s(quote)
    values: dict[str, Any] = {
        "branch_id": branch.id,
        "business_date": day,
        "prefix": service.code,
        "number": number,
        "code": format_code(service.code, number),
        "service_code": service.code,
        "original_service_code": service.code,
        "lang": lang,
        "priority": priority,
        "priority_reason": priority_reason if priority else None,
        "status": TicketStatus.WAITING.value,
        "token": new_customer_token(),
        "issued_at": now,
        "queued_at": now,
        "quoted_wait_s": quoted,
        "first_called_at": None,
        "called_at": None,
        "recalled_at": None,
        "serving_at": None,
        "finished_at": None,
        "counter_id": None,
        "teller_id": None,
        "device_id": principal.device_id,
        "call_rule": None,
        "recall_count": 0,
        "transfer_count": 0,
        "transfer_counter_id": None,
        "transfer_note": None,
        "cancel_reason": None,
        "print_status": "none",
        "request_id": request_id,
        "feedback_score": None,
        "feedback_comment": None,
    }
    # The hot path of a busy branch: a Core insert, no ORM object to build and flush.
    values["id"] = session.connection().execute(_INSERT_TICKET, values).scalar_one()
    quote_row = quotes.quote_row(
        values["id"],
        kind=quotes.ISSUE,
        at=now,
        wait_s=quoted,
        wait_range=forecasting.wait_range_s(quote),
        position=forecasting.position(quote),
        forecast=quote,
    )
    quotes.record(session, quote_row)
    ticket = SimpleNamespace(**values)
    record(
        session,
        branch_id=branch.id,  # type: ignore[arg-type]
        type=EventType.TICKET_ISSUED,
        at=now,
        ticket_id=ticket.id,
        device_id=principal.device_id,
        user_id=principal.user_id,
        data={
            "ticket": ticket_dict(ticket),  # type: ignore[arg-type]
            "position": forecasting.position(quote),
            "estimated_wait_s": quoted,
            "estimated_wait_range_s": forecasting.wait_range_s(quote),
        },
    )
    return ticket, quote  # type: ignore[return-value]


def _counter_of(session: Session, ticket: Ticket) -> Counter | None:
    return session.get(Counter, ticket.counter_id) if ticket.counter_id is not None else None


def _at_holders_counter(session: Session, ticket: Ticket, principal: Principal) -> None:
    """A customer at a counter is served by the one holding it: another teller's finish or
    no-show would end someone else's service."""
    if ticket.status in AT_COUNTER:
        counter = _counter_of(session, ticket)
        if counter is not None:
            check_holder(session, counter, principal=principal)


def _release_counter(session: Session, ticket: Ticket, now: dt.datetime) -> Counter | None:
    counter = _counter_of(session, ticket)
    if counter is not None and counter.current_ticket_id == ticket.id:
        counter.current_ticket_id = None
        counter.state_since = now
        session.add(counter)
    return counter


def _record_ticket(
    session: Session,
    ticket: Ticket,
    kind: EventType,
    *,
    principal: Principal,
    now: dt.datetime,
    counter: Counter | None,
    extra: dict[str, Any] | None = None,
    event_counter: Counter | None = None,
) -> None:
    """Log ``kind``: the ticket as it is now (at ``counter``); the event's own counter is
    ``event_counter`` when it differs (a transfer leaves its counter)."""
    data: dict[str, Any] = {"ticket": ticket_dict(ticket, counter=counter)}
    if extra:
        data.update(extra)
    where = event_counter or counter
    record(
        session,
        branch_id=ticket.branch_id,
        type=kind,
        at=now,
        ticket_id=ticket.id,
        counter_id=where.id if where is not None else None,
        user_id=principal.user_id,
        device_id=principal.device_id,
        data=data,
    )


def serve(session: Session, ticket: Ticket, *, principal: Principal, now: dt.datetime) -> Ticket:
    check_ticket_op("serve", code=ticket.code, status=ticket.status)
    _at_holders_counter(session, ticket, principal)
    ticket.status = TicketStatus.SERVING
    ticket.serving_at = now
    session.add(ticket)
    _record_ticket(
        session,
        ticket,
        EventType.TICKET_SERVING,
        principal=principal,
        now=now,
        counter=_counter_of(session, ticket),
    )
    return ticket


def finish(session: Session, ticket: Ticket, *, principal: Principal, now: dt.datetime) -> Ticket:
    check_ticket_op("finish", code=ticket.code, status=ticket.status)
    _at_holders_counter(session, ticket, principal)
    ticket.status = TicketStatus.DONE
    ticket.finished_at = now
    session.add(ticket)
    counter = _release_counter(session, ticket, now)
    forget_recent(session, ticket.branch_id, ticket.service_code)
    start = ticket.serving_at or ticket.called_at or now
    _record_ticket(
        session,
        ticket,
        EventType.TICKET_FINISHED,
        principal=principal,
        now=now,
        counter=counter,
        extra={"service_s": int((now - start).total_seconds())},
    )
    return ticket


def no_show(session: Session, ticket: Ticket, *, principal: Principal, now: dt.datetime) -> Ticket:
    check_ticket_op("no_show", code=ticket.code, status=ticket.status)
    _at_holders_counter(session, ticket, principal)
    ticket.status = TicketStatus.NO_SHOW
    ticket.finished_at = now
    session.add(ticket)
    counter = _release_counter(session, ticket, now)
    _record_ticket(
        session, ticket, EventType.TICKET_NO_SHOW, principal=principal, now=now, counter=counter
    )
    return ticket


# How long a teller can take back a no-show ("they came after all"), in seconds.
NO_SHOW_UNDO_S = 300


def undo_no_show(
    session: Session, ticket: Ticket, *, principal: Principal, now: dt.datetime
) -> Ticket:
    """Put a customer marked as a no-show a moment ago back in the queue, at their original
    arrival (ahead of everyone who came after them); logged as ``ticket.requeued``."""
    if ticket.status != TicketStatus.NO_SHOW:
        raise Conflict(f"ticket {ticket.code} is '{ticket.status}', not a no-show")
    marked = ticket.finished_at or now
    if (now - marked).total_seconds() > NO_SHOW_UNDO_S:
        raise Conflict(
            f"ticket {ticket.code} was marked as a no-show more than {NO_SHOW_UNDO_S // 60} "
            "minutes ago; issue the customer a new ticket"
        )
    counter = _counter_of(session, ticket)
    ticket.status = TicketStatus.WAITING
    ticket.finished_at = None
    ticket.counter_id = None
    ticket.called_at = None
    ticket.recalled_at = None
    ticket.queued_at = ticket.issued_at
    session.add(ticket)
    _record_ticket(
        session,
        ticket,
        EventType.TICKET_REQUEUED,
        principal=principal,
        now=now,
        counter=None,
        extra={"reason": "no_show_undone", "from_counter": _ref(counter)},
    )
    return ticket


def _ref(counter: Counter | None) -> dict[str, Any] | None:
    return {"id": counter.id, "label": counter.label} if counter is not None else None


def transfer(
    session: Session,
    ticket: Ticket,
    *,
    service_code: str | None,
    counter_id: int | None = None,
    note: str | None = None,
    principal: Principal,
    now: dt.datetime,
) -> Ticket:
    """Send the customer to another service's queue, or to a chosen counter (only it calls
    them), keeping their original arrival; ``note`` is for the teller who calls them next."""
    check_ticket_op("transfer", code=ticket.code, status=ticket.status)
    _at_holders_counter(session, ticket, principal)
    branch = get_branch_by_id(session, ticket.branch_id)
    to_counter = _target_counter(session, ticket, counter_id) if counter_id is not None else None
    if service_code is None:
        if to_counter is None:
            raise Invalid("say where to: a service, a counter, or both")
        served = list(to_counter.services)
        if not served:
            raise Conflict(f"counter {to_counter.label} serves no service")
        service_code = ticket.service_code if ticket.service_code in served else served[0]
    target: Service = get_service(session, branch, service_code)
    if to_counter is None and target.code == ticket.service_code:
        raise Invalid(f"ticket {ticket.code} is already in service {target.code}")
    if to_counter is not None and target.code not in to_counter.services:
        raise Conflict(f"counter {to_counter.label} does not serve service {target.code}")
    if not target.active:
        raise Conflict(f"service {target.code} is not available at the moment")
    was_at = ticket.status in AT_COUNTER
    counter = _release_counter(session, ticket, now) if was_at else None
    from_service = ticket.service_code
    ticket.status = TicketStatus.TRANSFERRED
    ticket.service_code = target.code
    ticket.queued_at = now
    ticket.transfer_count += 1
    ticket.transfer_counter_id = to_counter.id if to_counter is not None else None
    ticket.transfer_note = note or None
    # At no counter and with no teller until one calls it: the reports by counter and by
    # teller then put a transferred ticket in the same place (they disagreed by one).
    ticket.counter_id = None
    ticket.teller_id = None
    ticket.serving_at = None
    ticket.called_at = None
    ticket.recalled_at = None
    session.add(ticket)
    # The ticket is at no counter now (the customer's phone must not show the old one); the
    # counter it left is named beside it.
    _record_ticket(
        session,
        ticket,
        EventType.TICKET_TRANSFERRED,
        principal=principal,
        now=now,
        counter=None,
        event_counter=counter,
        extra={
            "from_service": from_service,
            "to_service": target.code,
            "from_counter": _ref(counter),
            "to_counter": _ref(to_counter),
            "note": ticket.transfer_note,
        },
    )
    return ticket


def _target_counter(session: Session, ticket: Ticket, counter_id: int) -> Counter:
    target = session.get(Counter, counter_id) if 1 <= counter_id <= 2**31 - 1 else None
    if target is None or target.branch_id != ticket.branch_id:
        raise NotFound(f"there is no counter {counter_id}")
    if target.id == ticket.counter_id:
        raise Invalid(f"ticket {ticket.code} is already at counter {target.label}")
    return target


def cancel(
    session: Session, ticket: Ticket, *, reason: str, principal: Principal | None, now: dt.datetime
) -> Ticket:
    check_ticket_op("cancel", code=ticket.code, status=ticket.status)
    ticket.status = TicketStatus.CANCELLED
    ticket.cancel_reason = reason
    ticket.finished_at = now
    session.add(ticket)
    record(
        session,
        branch_id=ticket.branch_id,
        type=EventType.TICKET_CANCELLED,
        at=now,
        ticket_id=ticket.id,
        user_id=principal.user_id if principal else None,
        device_id=principal.device_id if principal else None,
        data={"ticket": ticket_dict(ticket), "reason": reason},
    )
    return ticket


def recovery(
    session: Session,
    ticket: Ticket,
    *,
    action: str,
    note: str,
    principal: Principal,
    now: dt.datetime,
) -> Ticket:
    """Log what the teller did to put a missed standard right (a moment of truth too)."""
    check_ticket_op("recovery", code=ticket.code, status=ticket.status)
    _record_ticket(
        session,
        ticket,
        EventType.TICKET_RECOVERY,
        principal=principal,
        now=now,
        counter=_counter_of(session, ticket),
        extra={"action": action, "note": note, "waited_s": waited_s(ticket, now)},
    )
    return ticket
