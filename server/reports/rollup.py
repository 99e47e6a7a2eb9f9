"""Rollups of closed business days, and which days of a range can be read from them.

``refresh`` (run by the day close and ``sira simulate``) keeps, per branch, every business
day before today summarised in ``report_fact`` (one narrow row per ticket),
``report_rollup`` (sums per day x hour x service x counter x teller) and ``report_day`` (the
day's exact wait percentiles). Rebuilding a day replaces its rows. A change of the cycle map
re-grades the summarised days two weeks per transaction (``regrade_in_steps``).

Nothing is trusted blindly: every change to a ticket appends an event, so a summarised day
with an event after ``checked_seq`` is read live (from the tickets) until the next refresh
rebuilds it; grades are stored only with the fingerprint of the map they were made with.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, case, delete, func, insert, literal, or_, select
from sqlalchemy.sql import Select
from sqlmodel import Session, col

from server.domain.calendar import business_date
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
from server.models.types import row_id
from server.realtime.events import EventType
from server.reports import hist
from server.reports import sqlexpr as sx
from server.reports.cycle import CycleConfig, load_cycle
from server.reports.facts import Period, dialect_of
from server.reports.measures import graded, live_facts, measure_exprs

RF, RR, RD, RA = report_fact, report_rollup, report_day, report_action


def grading_key(cfg: CycleConfig) -> str:
    """Fingerprint of everything a grade depends on."""
    raw = {
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


def _insert_rollup(
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


def _insert_days(session: Session, branch_id: int, first: dt.date, last: dt.date) -> None:
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
    session: Session, branch: Branch, cfg: CycleConfig, first: dt.date, last: dt.date
) -> None:
    """(Re)build the facts, rollup and percentiles of business days ``first``..``last``."""
    if first > last:
        return
    bid: int = branch.id  # type: ignore[assignment]
    _clear(session, bid, first, last)
    period = Period.of(first, last, branch.timezone)
    facts = live_facts(dialect_of(session), branch, period)
    session.execute(insert(RF).from_select([c.name for c in facts.selected_columns], facts))
    _insert_rollup(session, branch, cfg, first, last)
    _insert_days(session, bid, first, last)
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


def regrade(session: Session, branch: Branch, cfg: CycleConfig, through: dt.date) -> None:
    """Rebuild the graded sums from the stored facts (after the cycle map changed)."""
    first = _first_fact_day(session, branch.id)  # type: ignore[arg-type]
    if first is not None:
        _regrade_days(session, branch, cfg, first, through)


def _first_fact_day(session: Session, branch_id: int) -> dt.date | None:
    first = session.execute(
        select(func.min(RF.c.business_date)).where(RF.c.branch_id == branch_id)
    ).scalar()
    return None if first is None else sx_date(first)


def _regrade_days(
    session: Session, branch: Branch, cfg: CycleConfig, first: dt.date, last: dt.date
) -> None:
    """Rebuild the graded sums of the stored days ``first``..``last`` from their facts."""
    for table in (RR, RD):
        session.execute(
            delete(table).where(
                table.c.branch_id == branch.id, table.c.business_date.between(first, last)
            )
        )
    _insert_rollup(session, branch, cfg, first, last)
    _insert_days(session, branch.id, first, last)  # type: ignore[arg-type]


def _sync_hist(
    session: Session, branch: Branch, cfg: CycleConfig, state: ReportState, since: dt.date | None
) -> None:
    """Histograms built for another key are rebuilt whole; else from the first day rebuilt
    (``since``; the running counts of every later day change too)."""
    if state.hist_key != hist.key(cfg):
        hist.rebuild(session, branch.id, cfg, None)  # type: ignore[arg-type]
        state.hist_key = hist.key(cfg)
    elif since is not None:
        hist.rebuild(session, branch.id, cfg, since)  # type: ignore[arg-type]


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


def refresh(session: Session, branch: Branch, *, now: dt.datetime) -> None:
    """Bring the branch's rollups up to yesterday; idempotent and cheap when up to date."""
    cfg = load_cycle(session, branch)
    key = grading_key(cfg)
    through = business_date(now, branch.timezone) - dt.timedelta(days=1)
    seq = session.execute(
        select(col(Branch.last_seq)).where(col(Branch.id) == branch.id)
    ).scalar_one()
    state = locked_state(session, branch.id)  # type: ignore[arg-type]
    if state is None or state.timezone != branch.timezone:
        for table in (RF, RR, RD, RA):
            session.execute(delete(table).where(table.c.branch_id == branch.id))
        first = session.execute(
            select(func.min(col(Ticket.business_date))).where(col(Ticket.branch_id) == branch.id)
        ).scalar()
        if first is not None:
            build_days(session, branch, cfg, sx_date(first), through)
        state = state or ReportState(branch_id=row_id(branch))  # type: ignore[call-arg]
        state.hist_key = None
        _sync_hist(session, branch, cfg, state, None)
        state.timezone = branch.timezone
        state.built_through = through
    else:
        rebuilt = sorted(dirty_days(session, branch.id, state))  # type: ignore[arg-type]
        for day in rebuilt:
            build_days(session, branch, cfg, day, day)
        if state.built_through < through:
            rebuilt.append(state.built_through + dt.timedelta(days=1))
            build_days(session, branch, cfg, rebuilt[-1], through)
            state.built_through = through
        if state.grading != key:
            regrade(session, branch, cfg, state.built_through)
        _sync_hist(session, branch, cfg, state, min(rebuilt) if rebuilt else None)
    state.grading = key
    state.checked_seq = seq
    session.add(state)
    session.flush()


REGRADE_DAYS = 14  # summarised days re-graded per transaction


@dataclass
class Regrade:
    """Progress of a step-wise re-grade: for which grading, and the next day to re-grade."""

    key: str | None = None
    next_day: dt.date | None = None


def locked_state(session: Session, branch_id: int) -> ReportState | None:
    """The branch's rollup state, its row locked to this transaction (PostgreSQL: two
    processes' day closes or re-grades of one branch take turns; SQLite has one writer)."""
    stmt = select(ReportState).where(col(ReportState.branch_id) == branch_id).with_for_update()
    return session.execute(stmt).scalars().first()


def regrade_step(
    session: Session, branch_id: int, progress: Regrade, *, days: int = REGRADE_DAYS
) -> bool:
    """Re-grade the next ``days`` summarised days of a branch whose cycle map changed;
    returns True when nothing is left. Until the last step the stored grades carry the old
    fingerprint, so reports read every day live (correct, slower). A map changed again
    between steps starts over; so does a process restarted in between (the day close)."""
    branch = session.get(Branch, branch_id)
    state = locked_state(session, branch_id)
    if (
        branch is None
        or state is None
        or state.timezone != branch.timezone
        or state.built_through is None
    ):
        return True  # nothing summarised: nothing to re-grade
    cfg = load_cycle(session, branch)
    key = grading_key(cfg)
    if state.grading == key:
        return True
    if progress.key != key or progress.next_day is None:
        progress.key, progress.next_day = key, _first_fact_day(session, branch_id)
    first = progress.next_day
    if first is not None and first <= state.built_through:
        last = min(first + dt.timedelta(days=days - 1), state.built_through)
        _regrade_days(session, branch, cfg, first, last)
        progress.next_day = last + dt.timedelta(days=1)
        if last < state.built_through:
            return False
    # Every day re-graded: the histograms (only if the services with standards changed:
    # one transaction for all days) and the fingerprint.
    _sync_hist(session, branch, cfg, state, None)
    state.grading = key
    session.add(state)
    session.flush()
    return True


def needs_regrade(session: Session, branch_id: int) -> bool:
    """Whether the branch's stored grades were made with another cycle map (a read)."""
    state = session.get(ReportState, branch_id)
    branch = session.get(Branch, branch_id)
    if state is None or branch is None or state.timezone != branch.timezone:
        return False
    return state.grading != grading_key(load_cycle(session, branch))


def regrade_once(db: Any, branch_id: int, progress: Regrade, *, days: int = REGRADE_DAYS) -> bool:
    """One step of ``regrade_step`` in a transaction of its own."""
    with db.unit_of_work() as session:
        return regrade_step(session, branch_id, progress, days=days)


def regrade_in_steps(db: Any, branch_id: int, *, days: int = REGRADE_DAYS) -> int:
    """Re-grade a branch if its cycle map changed, one transaction per ``days`` days (other
    writes go in between); returns how many write transactions it took (0: none needed)."""
    with db.read_session() as session:
        if not needs_regrade(session, branch_id):
            return 0
    progress, steps = Regrade(), 0
    while True:
        steps += 1
        if regrade_once(db, branch_id, progress, days=days):
            return steps


@dataclass(frozen=True)
class Coverage:
    """Which days of a range come from the rollups (stored) and which from tickets (live)."""

    first: dt.date
    last: dt.date
    built_through: dt.date | None = None
    dirty: frozenset[dt.date] = field(default_factory=frozenset)

    @property
    def stored_last(self) -> dt.date | None:
        if self.built_through is None:
            return None
        last = min(self.last, self.built_through)
        return last if last >= self.first else None

    @property
    def has_stored(self) -> bool:
        last = self.stored_last
        if last is None:
            return False
        n = (last - self.first).days + 1
        return n > len([d for d in self.dirty if self.first <= d <= last])

    @property
    def has_live(self) -> bool:
        if self.built_through is None or self.last > self.built_through:
            return True
        return any(self.first <= d <= self.last for d in self.dirty)

    @property
    def live_first(self) -> dt.date:
        """The first day of the range read live: the range's tickets are read from here on
        (so the index on the business date is walked only over the live days)."""
        if self.built_through is None:
            return self.first
        days = [d for d in self.dirty if self.first <= d <= self.last]
        if self.last > self.built_through:
            days.append(max(self.first, self.built_through + dt.timedelta(days=1)))
        return min(days) if days else self.first

    def stored_where(self, day: Any) -> list[Any]:
        last = self.stored_last
        assert last is not None
        dirty = sorted(d for d in self.dirty if self.first <= d <= last)
        out = [day >= self.first, day <= last]
        return [*out, day.not_in(dirty)] if dirty else out

    def live_where(self, day: Any) -> list[Any]:
        """Conditions on a ticket's business date (the range itself is applied elsewhere)."""
        if self.built_through is None:
            return []
        dirty = sorted(d for d in self.dirty if self.first <= d <= self.last)
        later = day > self.built_through
        return [or_(later, day.in_(dirty)) if dirty else later]

    def live_where_any(self, day: Any) -> list[Any]:
        """Like ``live_where`` for tickets of any business date (teller time, staffing)."""
        if self.built_through is None:
            return []
        later = day > self.built_through
        return [or_(later, day.in_(sorted(self.dirty)))] if self.dirty else [later]

    def stored_days(self) -> set[dt.date]:
        last = self.stored_last
        if last is None:
            return set()
        days = {self.first + dt.timedelta(days=i) for i in range((last - self.first).days + 1)}
        return days - set(self.dirty)


def coverage(session: Session, branch: Branch, period: Period, cfg: CycleConfig | None) -> Coverage:
    """Stored days must match the branch's timezone and (when ``cfg``) its grading."""
    state = session.get(ReportState, branch.id)
    usable = state is not None and state.timezone == branch.timezone
    if usable and cfg is not None:
        # Graded with this map, and histograms of this version for its services.
        usable = state.grading == grading_key(cfg) and state.hist_key == hist.key(cfg)  # type: ignore[union-attr]
    if not usable or state is None:
        return Coverage(period.first, period.last)
    dirty = dirty_days(session, branch.id, state)  # type: ignore[arg-type]
    return Coverage(period.first, period.last, state.built_through, frozenset(dirty))


def stored_busy_where(cov: Coverage) -> Any:
    """Stored facts of days that are summarised and clean (any business date)."""
    bt = cov.built_through
    assert bt is not None
    conds = [RF.c.business_date <= bt]
    if cov.dirty:
        conds.append(RF.c.business_date.not_in(sorted(cov.dirty)))
    return and_(*conds)
