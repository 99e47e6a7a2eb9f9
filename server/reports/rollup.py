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

from sqlalchemy import delete, func, select
from sqlmodel import Session, col

from server.domain.calendar import business_date
from server.models import Branch, ReportState, Ticket
from server.models.types import row_id
from server.reports.build import RA, RD, RF, RR, build_days, dirty_days, grading_key, sx_date
from server.reports.cycle import load_cycle
from server.reports.regrade import locked_state, regrade, sync_hist


def refresh(
    session: Session,
    branch: Branch,
    *,
    now: dt.datetime,
    rebuild: frozenset[dt.date] = frozenset(),
) -> None:
    """Bring the branch's rollups up to yesterday; idempotent and cheap when up to date.

    ``rebuild``: days whose tickets were written without a live event (generated history)
    and are rebuilt if they were summarised already."""
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
            build_days(session, branch, cfg, sx_date(first), through, now=now)
        state = state or ReportState(branch_id=row_id(branch))  # type: ignore[call-arg]
        state.hist_key = None
        sync_hist(session, branch, cfg, state, None)
        state.timezone = branch.timezone
        state.built_through = through
    else:
        dirty = dirty_days(session, branch.id, state)  # type: ignore[arg-type]
        rebuilt = sorted(dirty | {d for d in rebuild if d <= state.built_through})
        for day in rebuilt:
            build_days(session, branch, cfg, day, day, now=now)
        if state.built_through < through:
            rebuilt.append(state.built_through + dt.timedelta(days=1))
            build_days(session, branch, cfg, rebuilt[-1], through, now=now)
            state.built_through = through
        if state.grading != key:
            regrade(session, branch, cfg, state.built_through)
        sync_hist(session, branch, cfg, state, min(rebuilt) if rebuilt else None)
    state.grading = key
    state.checked_seq = seq
    session.add(state)
    session.flush()
