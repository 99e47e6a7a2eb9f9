"""Wait quotes from the forecasting engine (``server/domain/forecast``) over the branch's live
state (``tickets/live_state.py``): at issue, on the phone page and in the kiosk's list.

A quote never fails: when the engine raises, is too slow, or cannot say (a queue past its
horizon), the old formula (``server/domain/estimates.py`` through ``tickets/stats.py``)
quotes instead, and the fallback is logged and counted (``sira_estimate_fallbacks_total``).

Seeds come from the queue alone (common random numbers), so the same state gives the same
figure whoever asks and a figure moves only when the queue does. Quotes share one reading of
the state while the branch's event sequence and a few seconds of the clock stay the same
(every change records an event, so a new sequence number means a new reading); the phones,
which poll, share each ticket's quote too.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from sqlmodel import Session

from server.branches.lookup import get_branch_by_id, get_service
from server.domain.forecast import (
    CounterNow,
    Effort,
    Forecast,
    NewTicket,
    call_times,
    forecast,
)
from server.domain.lifecycle import CounterState
from server.metrics.tally import tally
from server.models import Branch, Service, Ticket
from server.models.types import row_id
from server.tickets import quotes, stats
from server.tickets.live_state import LiveState, Unquotable, load_state

log = logging.getLogger("sira.forecast")

# The engine's own wall-clock cut would make the number of runs, so the figure, depend on the
# machine's load: the same state must give the same figure on the kiosk, the paper and the
# phone. Its event budget bounds the work (a few ms); the clock only stops a machine in trouble.
EFFORT = Effort(budget_s=0.05)
SIMULATED = replace(EFFORT, budget_s=math.inf)
# A forecast slower than this is not used: the engine is bounded to a few milliseconds, so
# this one went wrong.
SLOW_S = 0.25
# Quotes share one reading of the state while the branch's event sequence and this many
# seconds of the clock stay the same.
SHARED_S = 10
# A range is given beside the point estimate when it is wider than this, or than this share
# of the estimate.
RANGE_MIN_S = 120
RANGE_SHARE = 0.25
FALLBACKS = "estimate_fallbacks"
_STATES = "forecast_states"
_TICKETS = "forecast_tickets"
_SERVICES = "forecast_services"
# The counter imagined open for a ticket no counter may call now (as the old formula did).
_NOBODY_YET = -1

# A state read, or why it could not be read (the fallback's label).
_Loaded = LiveState | str


# --- the quotes ------------------------------------------------------------------------------


def quote_new(
    session: Session, branch: Branch, service: Service, *, priority: bool, now: dt.datetime
) -> Forecast:
    """The quote for a ticket about to be issued (the paper's): from the reading the kiosk's
    list was quoted from when the branch has not changed since."""

    def old() -> Forecast:
        return _old_new(session, branch, service, priority=priority)

    state = _shared_state(session, branch, now=now)
    target = NewTicket(service.code, priority=priority)
    return _quote(session, branch, state, target, priority=priority, now=now, old=old)


def quote_ticket(
    session: Session,
    ticket: Ticket,
    *,
    now: dt.datetime,
    branch: Branch | None = None,
    told: bool = True,
) -> Forecast:
    """The quote for a waiting ticket (the phone page's, polled). ``told``: the customer is
    shown this figure, so a moved promise is stored (a retried issue, which repeats the
    paper's figure, is not)."""
    branch = branch or get_branch_by_id(session, ticket.branch_id)
    mine = _shared(session, _TICKETS, branch, now, dict)
    found = mine.get(ticket.id)
    if isinstance(found, Forecast):
        return found

    def old() -> Forecast:
        return _old_ticket(session, branch, ticket)

    state = _shared_state(session, branch, now=now)
    out = _quote(session, branch, state, row_id(ticket), priority=ticket.priority, now=now, old=old)
    mine[ticket.id] = out
    if not told:
        return out
    # What the customer is told now: a new promise when it moved (a moment of truth).
    row = quotes.quote_row(
        row_id(ticket),
        kind=quotes.REQUOTE,
        at=now,
        wait_s=wait_s(out),
        wait_range=wait_range_s(out),
        position=position(out),
        forecast=out,
    )
    quotes.note_requote(session, ticket, row)
    return out


def quote_services(
    session: Session, branch: Branch, services: Sequence[Service], *, now: dt.datetime
) -> dict[str, Forecast]:
    """The quote a ticket issued now (not priority) would get, per service: the kiosk list."""
    quotes = _shared(session, _SERVICES, branch, now, dict)
    codes = tuple(s.code for s in services)
    found = quotes.get(codes)
    if isinstance(found, dict):
        return found
    state = _shared_state(session, branch, now=now)
    out = {}
    for service in services:

        def old(service: Service = service) -> Forecast:
            return _old_new(session, branch, service, priority=False)

        target = NewTicket(service.code)
        out[service.code] = _quote(session, branch, state, target, priority=False, now=now, old=old)
    quotes[codes] = out
    return out


def predicted_calls(
    session: Session, branch: Branch, *, now: dt.datetime
) -> dict[int, float] | None:
    """Seconds from now until each waiting ticket is called, the whole queue in one pass with
    mean times (the standard-risk check); a ticket missing is not called within hours. None
    when the engine cannot be asked (logged and counted): the caller reckons the old way."""
    state = _shared_state(session, branch, now=now)
    if isinstance(state, str):
        tally(_cache(session), FALLBACKS).add(branch.code, state)
        return None
    try:
        return call_times(
            now=state.now,
            policy=state.policy,
            waiting=state.waiting,
            counters=state.counters,
            service_times=state.models,
            transfer_counter=state.reserved,
            arrivals=state.arrivals,
            tz=state.tz,
        )
    except Exception:
        log.warning("the wait estimator failed at branch %s", branch.code, exc_info=True)
        tally(_cache(session), FALLBACKS).add(branch.code, "error")
        return None


def wait_s(f: Forecast) -> int:
    """The wait to tell the customer, in seconds."""
    return max(int(round(f.wait_s or 0.0)), 0)


def position(f: Forecast) -> int:
    """The ticket's place in the order the counters will call (1: next)."""
    return (f.position or 0) + 1


def wait_range_s(f: Forecast) -> list[int] | None:
    """``[low, high]`` seconds when the spread is too wide for one figure to be a promise."""
    if f.wait_s is None or f.low_s is None or f.high_s is None:
        return None
    if f.high_s - f.low_s <= max(RANGE_MIN_S, RANGE_SHARE * f.wait_s):
        return None
    return [int(round(f.low_s)), int(round(f.high_s))]


# --- the engine, guarded ---------------------------------------------------------------------


def _quote(
    session: Session,
    branch: Branch,
    state: _Loaded,
    target: int | NewTicket,
    *,
    priority: bool,
    now: dt.datetime,
    old: Callable[[], Forecast],
) -> Forecast:
    if isinstance(state, str):
        return _fallback(session, branch, state, old)
    started = time.perf_counter()
    try:
        code = target.service_code if isinstance(target, NewTicket) else _code_of(state, target)
        out = estimate(state, target, seed=seed_of(state.branch_id, code, priority, state.now))
    except Exception:
        log.warning("the wait estimator failed at branch %s", branch.code, exc_info=True)
        return _fallback(session, branch, "error", old)
    took = time.perf_counter() - started
    if took > SLOW_S:
        log.warning("the wait estimator took %.0f ms at branch %s", took * 1000, branch.code)
        return _fallback(session, branch, "slow", old)
    if out.wait_s is None or out.position is None:
        return _fallback(session, branch, "horizon", old)
    return out


def estimate(
    state: LiveState, target: int | NewTicket, *, seed: int, effort: Effort = EFFORT
) -> Forecast:
    """The engine's forecast for ``target`` in ``state``: what every live quote and every
    quote in ``sira simulate`` comes from (the simulation without the wall-clock cut, so
    the same seed gives the same history on a busy machine: ``SIMULATED``)."""

    def run(counters: Sequence[CounterNow]) -> Forecast:
        return forecast(
            now=state.now,
            policy=state.policy,
            waiting=state.waiting,
            counters=counters,
            service_times=state.models,
            target=target,
            transfer_counter=state.reserved,
            arrivals=state.arrivals,
            effort=effort,
            seed=seed,
            tz=state.tz,
        )

    out = run(state.counters)
    if out.served_now:
        return out
    # No counter may call it now: quoted as if one opened for its service now (the old
    # formula's assumption), and said to be not served now.
    if isinstance(target, NewTicket):
        code, reserved_for = target.service_code, None
    else:
        code, reserved_for = _code_of(state, target), state.reserved.get(target)
    desk = CounterNow(reserved_for or _NOBODY_YET, (code,), CounterState.OPEN)
    return replace(run([*state.counters, desk]), served_now=False)


def _code_of(state: LiveState, ticket_id: int) -> str:
    for c in state.waiting:
        if c.id == ticket_id:
            return c.service_code
    raise ValueError(f"ticket {ticket_id} is not waiting")


def _fallback(
    session: Session, branch: Branch, reason: str, old: Callable[[], Forecast]
) -> Forecast:
    tally(_cache(session), FALLBACKS).add(branch.code, reason)
    return old()


def _read(session: Session, branch: Branch, *, now: dt.datetime) -> _Loaded:
    """The branch's live state, or why it cannot be had (logged)."""
    try:
        # A failed statement must not abort the request's transaction: issuing goes on.
        with session.begin_nested():
            return load_state(session, branch, now=now)
    except Unquotable as exc:
        return str(exc)
    except Exception:
        log.warning("reading the queue to quote failed at branch %s", branch.code, exc_info=True)
        return "error"


def _shared_state(session: Session, branch: Branch, *, now: dt.datetime) -> _Loaded:
    box = _shared(session, _STATES, branch, now, dict)
    found = box.get("state")
    if isinstance(found, LiveState | str):
        return found
    box["state"] = state = _read(session, branch, now=now)
    return state


def _shared(
    session: Session, name: str, branch: Branch, now: dt.datetime, make: Callable[[], Any]
) -> Any:
    """The branch's entry in the shared cache ``name``: a new one when the branch's state (its
    event sequence) has changed since, or the clock has moved on to another period."""
    cache = _cache(session).setdefault(name, {})
    key = (branch.last_seq, int(now.timestamp()) // SHARED_S)
    branch_id = row_id(branch)
    hit = cache.get(branch_id)
    if hit is not None and hit[0] == key:
        return hit[1]
    fresh = make()
    cache[branch_id] = (key, fresh)
    return fresh


# --- the old formula (the fallback) ----------------------------------------------------------


def _old_new(session: Session, branch: Branch, service: Service, *, priority: bool) -> Forecast:
    branch_id = row_id(branch)
    ahead = stats.count_ahead_of_new(
        session, branch_id=branch_id, service_code=service.code, priority=priority
    )
    return _old(session, branch_id, service, ahead)


def _old_ticket(session: Session, branch: Branch, ticket: Ticket) -> Forecast:
    service = get_service(session, branch, ticket.service_code)
    return _old(session, row_id(branch), service, stats.people_ahead(session, ticket))


def _old(session: Session, branch_id: int, service: Service, ahead: int) -> Forecast:
    open_n = stats.open_counters_for(session, branch_id=branch_id, service_code=service.code)
    quoted = float(
        stats.quote(
            session, branch_id=branch_id, service=service, ahead=ahead, open_counters=open_n
        )
    )
    return Forecast(
        wait_s=quoted,
        mean_s=quoted,
        low_s=None,
        high_s=None,
        position=ahead,
        served_now=open_n > 0,
        runs=0,
        rough=True,
        fallback=True,
    )


# --- small helpers ---------------------------------------------------------------------------


def _cache(session: Session) -> dict[str, Any]:
    cache: dict[str, Any] = session.info.setdefault("cache", {})
    return cache


def seed_of(branch_id: int, service_code: str, priority: bool, now: dt.datetime) -> int:
    """A seed from the queue, not from the ticket or the clock: the kiosk's list, the paper
    and the phone page show the same figure (whichever worker answers), and one quote to the
    next draws the same random visits (common random numbers), so a figure moves when the
    queue does, not with the draw (a seed per minute made a quiet queue's figures jump by
    10-40 % from one minute to the next). ``now`` is kept for callers' symmetry."""
    del now
    return zlib.crc32(f"{branch_id}:{service_code}:{int(priority)}".encode())
