"""Re-grading summarised days after the cycle map changed.

The facts stay; the graded sums and histograms are rebuilt with the new map, two weeks per
transaction (``regrade_in_steps``) so kiosks and tellers write in between. Until the last step
the stored grades carry the old fingerprint and reports read every day live.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlmodel import Session, col

from server.models import Branch, ReportState
from server.reports import hist
from server.reports.build import RD, RF, RR, grading_key, insert_days, insert_rollup, sx_date
from server.reports.cycle import CycleConfig, load_cycle


def regrade(session: Session, branch: Branch, cfg: CycleConfig, through: dt.date) -> None:
    """Rebuild the graded sums from the stored facts (after the cycle map changed)."""
    first = first_fact_day(session, branch.id)  # type: ignore[arg-type]
    if first is not None:
        regrade_days(session, branch, cfg, first, through)


def first_fact_day(session: Session, branch_id: int) -> dt.date | None:
    first = session.execute(
        select(func.min(RF.c.business_date)).where(RF.c.branch_id == branch_id)
    ).scalar()
    return None if first is None else sx_date(first)


def regrade_days(
    session: Session, branch: Branch, cfg: CycleConfig, first: dt.date, last: dt.date
) -> None:
    """Rebuild the graded sums of the stored days ``first``..``last`` from their facts."""
    for table in (RR, RD):
        session.execute(
            delete(table).where(
                table.c.branch_id == branch.id, table.c.business_date.between(first, last)
            )
        )
    insert_rollup(session, branch, cfg, first, last)
    insert_days(session, branch.id, first, last)  # type: ignore[arg-type]


def sync_hist(
    session: Session, branch: Branch, cfg: CycleConfig, state: ReportState, since: dt.date | None
) -> None:
    """Histograms built for another key are rebuilt whole; else from the first day rebuilt
    (``since``; the running counts of every later day change too)."""
    if state.hist_key != hist.key(cfg):
        hist.rebuild(session, branch.id, cfg, None)  # type: ignore[arg-type]
        state.hist_key = hist.key(cfg)
    elif since is not None:
        hist.rebuild(session, branch.id, cfg, since)  # type: ignore[arg-type]


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
        progress.key, progress.next_day = key, first_fact_day(session, branch_id)
    first = progress.next_day
    if first is not None and first <= state.built_through:
        last = min(first + dt.timedelta(days=days - 1), state.built_through)
        regrade_days(session, branch, cfg, first, last)
        progress.next_day = last + dt.timedelta(days=1)
        if last < state.built_through:
            return False
    # Every day re-graded: the histograms (only if the services with standards changed:
    # one transaction for all days) and the fingerprint.
    sync_hist(session, branch, cfg, state, None)
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
