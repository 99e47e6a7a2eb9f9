"""Building the rollups of closed business days from their tickets.

Per branch and day: ``report_fact`` (one narrow row per ticket with its moments measured),
``report_rollup`` (graded sums per day x hour x service x counter x teller), ``report_day``
(the day's sums and exact wait percentiles) and ``report_action`` (recovery actions).
Rebuilding a day replaces its rows; ``grading_key`` fingerprints what a grade depends on.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import case, delete, func, insert, literal, select
from sqlalchemy.sql import Select
from sqlmodel import Session, col

from server.models import (
    Branch,
    Event,
    ReportState,
    Ticket,
    report_action,
    report_day,
    report_fact,
    report_rollup,
)
from server.models.analytics import ROLLUP_KEYS, ROLLUP_MEASURES
from server.realtime.events import EventType
from server.reports import sqlexpr as sx
from server.reports.cycle import CycleConfig
from server.reports.measures import graded, live_facts, measure_exprs
from server.reports.period import Period, dialect_of

RF, RR, RD, RA = report_fact, report_rollup, report_day, report_action


def grading_key(cfg: CycleConfig) -> str:
    """Fingerprint of everything a grade depends on."""
    raw = {
        # Bumped when the stored sums gain a measure: days summarised before are read live
        # until their next rebuild (2: est_within_target).
        "measures": 2,
        "critical": cfg.critical,
        "targets": {
            s: {m: [t.expected, t.exclusive] for m, t in per.items()}
            for s, per in cfg.targets.items()
        },
        "overrides": list(cfg.raw_overrides),
    }
    text = json.dumps(raw, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _clear(session: Session, branch_id: int, first: dt.date, last: dt.date) -> None:
    for table in (RF, RR, RD, RA):
        session.execute(
            delete(table).where(
                table.c.branch_id == branch_id,
                table.c.business_date >= first,
                table.c.business_date <= last,
            )
        )


def insert_rollup(
    session: Session, branch: Branch, cfg: CycleConfig, first: dt.date, last: dt.date
) -> None:
    facts = (
        select(RF)
        .where(RF.c.branch_id == branch.id, RF.c.business_date.between(first, last))
        .subquery("rf")
    )
    g = graded(dialect_of(session), cfg, facts)
    exprs = measure_exprs(g)
    keys = [g.c[k] for k in ROLLUP_KEYS]
    stmt = select(g.c.branch_id, *keys, *(exprs[m] for m in ROLLUP_MEASURES)).group_by(
        g.c.branch_id, *keys
    )
    session.execute(insert(RR).from_select(["branch_id", *ROLLUP_KEYS, *ROLLUP_MEASURES], stmt))


def insert_days(session: Session, branch_id: int, first: dt.date, last: dt.date) -> None:
    """Per-day sums (from the rollup) and exact wait percentiles (from the facts)."""
    v = RF.c.wait_ms
    part = [RF.c.business_date]
    ranked = (
        select(
            RF.c.business_date.label("k"),
            v.label("v"),
            func.row_number().over(partition_by=part, order_by=v).label("rn"),
            func.count().over(partition_by=part).label("n"),
        )
        .where(RF.c.branch_id == branch_id, RF.c.business_date.between(first, last))
        .where(v.is_not(None))
        .subquery("ranked")
    )
    rank = {
        p: func.min(case((ranked.c.rn == sx.rank_for(p, ranked.c.n), ranked.c.v))) for p in (50, 90)
    }
    pcts = (
        select(ranked.c.k, rank[50].label("p50"), rank[90].label("p90"))
        .group_by(ranked.c.k)
        .subquery("p")
    )
    sums = (
        select(
            RR.c.business_date.label("d"), *(func.sum(RR.c[m]).label(m) for m in ROLLUP_MEASURES)
        )
        .where(RR.c.branch_id == branch_id, RR.c.business_date.between(first, last))
        .group_by(RR.c.business_date)
        .subquery("s")
    )
    stmt = select(
        literal(branch_id), sums.c.d, pcts.c.p50, pcts.c.p90, *(sums.c[m] for m in ROLLUP_MEASURES)
    ).select_from(sums.outerjoin(pcts, pcts.c.k == sums.c.d))
    names = ["branch_id", "business_date", "wait_p50_ms", "wait_p90_ms", *ROLLUP_MEASURES]
    session.execute(insert(RD).from_select(names, stmt))


def build_days(
    session: Session,
    branch: Branch,
    cfg: CycleConfig,
    first: dt.date,
    last: dt.date,
    *,
    now: dt.datetime | None = None,
) -> None:
    """(Re)build the facts, rollup and percentiles of business days ``first``..``last``
    (read at ``now``: a customer still waiting from such a day is judged up to it)."""
    if first > last:
        return
    bid: int = branch.id  # type: ignore[assignment]
    _clear(session, bid, first, last)
    period = Period.of(first, last, branch.timezone)
    facts = live_facts(dialect_of(session), branch, period, now=now)
    session.execute(insert(RF).from_select([c.name for c in facts.selected_columns], facts))
    insert_rollup(session, branch, cfg, first, last)
    insert_days(session, bid, first, last)
    acts = recovery_actions(session, branch, first, last).add_columns(literal(bid))
    session.execute(insert(RA).from_select(["business_date", "action", "n", "branch_id"], acts))


def recovery_actions(
    session: Session, branch: Branch, first: dt.date, last: dt.date, *where: Any
) -> Select[Any]:
    """(business date, action, count) of the recovery events of the days' tickets."""
    action = sx.json_text(dialect_of(session), Event.data, "action")
    day = Ticket.__table__.c.business_date  # type: ignore[attr-defined]
    # A ticket's events come after its issue: none before its day began (two days' margin
    # for a timezone changed since). Bounds the walk of the branch's recovery events.
    since = Period.of(first, last, branch.timezone).start - dt.timedelta(days=2)
    return (
        select(day, action, func.count())
        .select_from(Event)
        .join(Ticket, col(Ticket.id) == Event.ticket_id)
        .where(
            col(Event.branch_id) == branch.id,
            col(Event.type) == EventType.TICKET_RECOVERY.value,
            col(Event.at) >= since,
            # Driven by the (few) recovery events, not by the range's tickets: no condition on
            # the ticket an index could serve (an event's ticket is of the event's branch).
            # With one, and no statistics yet for a new branch, PostgreSQL scanned the
            # branch's events once per ticket.
            sx.NoIndexDate(day) >= first,
            sx.NoIndexDate(day) <= last,
            *where,
        )
        .group_by(day, action)
    )


def sx_date(value: Any) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def dirty_days(session: Session, branch_id: int, state: ReportState) -> set[dt.date]:
    """Summarised days with a ticket changed (an event recorded) after ``checked_seq``."""
    rows = session.execute(
        select(col(Ticket.business_date))
        .distinct()
        .select_from(Event)
        .join(Ticket, col(Ticket.id) == Event.ticket_id)
        .where(
            col(Event.branch_id) == branch_id,
            col(Event.seq) > state.checked_seq,
            col(Ticket.business_date) <= state.built_through,
        )
    ).scalars()
    return {sx_date(d) for d in rows}
