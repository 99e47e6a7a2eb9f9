"""Teller time: open, serving, idle and paused (by reason), from the counters' state history.

A counter's state changes are its ``counter.changed`` events; each state lasts until the
counter's next change (or now). Serving is call → finish/no-show of the teller's tickets.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import Integer, and_, case, cast, func, literal, select
from sqlmodel import Session, col

from server.domain.lifecycle import CounterState, TicketStatus
from server.models import Branch, Event, Ticket, User
from server.models.types import UTCDateTime
from server.realtime.events import EventType
from server.reports import sqlexpr as sx
from server.reports.build import RF
from server.reports.coverage import coverage, stored_busy_where
from server.reports.period import Period, dialect_of
from server.reports.schemas import TellerTime


def _at(value: dt.datetime) -> Any:
    return literal(value, type_=UTCDateTime())


def teller_time(
    session: Session, branch: Branch, period: Period, *, now: dt.datetime
) -> list[TellerTime]:
    d = dialect_of(session)
    cap = min(now, period.end)
    if cap <= period.start:
        return []
    data = Event.data
    changes = (
        select(
            col(Event.counter_id).label("counter_id"),
            col(Event.at).label("at"),
            sx.json_text(d, data, "counter", "state").label("state"),
            sx.json_text(d, data, "counter", "pause_reason").label("reason"),
            cast(sx.json_text(d, data, "counter", "teller_id"), Integer).label("teller_id"),
            func.lead(Event.at)
            # Time order: generated history's seqs run below the live ones (see Event).
            .over(partition_by=col(Event.counter_id), order_by=(col(Event.at), col(Event.seq)))
            .label("next_at"),
        )
        .where(
            col(Event.branch_id) == branch.id,
            col(Event.type) == EventType.COUNTER_CHANGED.value,
            col(Event.at) < _at(cap),
        )
        .subquery("changes")
    )
    start, end = _at(period.start), _at(cap)
    s = case((changes.c.at < start, start), else_=changes.c.at)
    nxt = func.coalesce(changes.c.next_at, end)
    e = case((nxt > end, end), else_=nxt)
    secs = sx.seconds_between(d, s, e)
    states = session.execute(
        select(changes.c.teller_id, changes.c.state, changes.c.reason, func.sum(secs))
        .where(
            changes.c.teller_id.is_not(None),
            changes.c.state.in_([CounterState.OPEN.value, CounterState.PAUSED.value]),
            and_(e > s),
        )
        .group_by(changes.c.teller_id, changes.c.state, changes.c.reason)
    ).all()
    busy = _busy(session, branch, period, start=start, end=end)
    per: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"open_s": 0.0, "serving_s": 0.0, "paused": defaultdict(float), "tickets": 0}
    )
    for teller, state, reason, seconds in states:
        if state == CounterState.OPEN.value:
            per[int(teller)]["open_s"] += float(seconds or 0)
        else:
            per[int(teller)]["paused"][reason or ""] += float(seconds or 0)
    for teller, seconds, n in busy:
        per[int(teller)]["serving_s"] += float(seconds or 0)
        per[int(teller)]["tickets"] += int(n)
    names = dict(
        session.execute(
            select(col(User.id), col(User.username)).where(col(User.id).in_(list(per)))
        ).all()
    )
    out = []
    for teller, v in per.items():
        paused = {k: int(round(x)) for k, x in sorted(v["paused"].items())}
        out.append(
            TellerTime(
                teller_id=teller,
                teller=names.get(teller),
                open_s=int(round(v["open_s"])),
                serving_s=int(round(v["serving_s"])),
                idle_s=max(0, int(round(v["open_s"] - v["serving_s"]))),
                paused_s=sum(paused.values()),
                paused=paused,
                tickets=v["tickets"],
            )
        )
    out.sort(key=lambda r: (r.teller or "", r.teller_id))
    return out


def _busy(
    session: Session, branch: Branch, period: Period, *, start: Any, end: Any
) -> list[tuple[int, float, int]]:
    """(teller, seconds serving, tickets) from call to finish of tickets finished in range:
    stored facts of summarised days plus the tickets of the other days."""
    d = dialect_of(session)
    cov = coverage(session, branch, period, None)
    ended = [TicketStatus.DONE.value, TicketStatus.NO_SHOW.value]
    status = Ticket.__table__.c.status  # type: ignore[attr-defined]
    finished = Ticket.__table__.c.finished_at  # type: ignore[attr-defined]
    if cov.built_through is not None:  # the live days are few: reach them by date
        status, finished = sx.NoIndex(status), sx.NoIndex(finished)
    live = (
        select(
            col(Ticket.teller_id),
            func.sum(sx.seconds_between(d, Ticket.called_at, Ticket.finished_at)),
            func.count(),
        )
        .where(
            col(Ticket.branch_id) == branch.id,
            col(Ticket.teller_id).is_not(None),
            status.in_(ended),
            finished >= start,
            finished < end,
            *cov.live_where_any(Ticket.business_date),
        )
        .group_by(col(Ticket.teller_id))
    )
    out = [(int(t), float(s or 0), int(n)) for t, s, n in session.execute(live).all()]
    if cov.built_through is not None:
        stored = (
            select(RF.c.teller_id, func.sum(RF.c.busy_ms), func.count())
            .where(
                RF.c.branch_id == branch.id,
                RF.c.finished_at >= start,
                RF.c.finished_at < end,
                RF.c.teller_id.is_not(None),
                RF.c.status.in_(ended),
                stored_busy_where(cov),
            )
            .group_by(RF.c.teller_id)
        )
        out += [(int(t), int(s or 0) / 1000, int(n)) for t, s, n in session.execute(stored)]
    return out
