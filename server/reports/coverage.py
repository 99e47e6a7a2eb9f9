"""Which days of a report's range are read from the rollups (stored) and which live.

A summarised day with an event after the state's ``checked_seq`` (a ticket changed since) is
read live until the next refresh rebuilds it; stored days count only when graded with the
branch's current map and timezone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session

from server.models import Branch, ReportState
from server.reports import hist
from server.reports.build import RF, dirty_days, grading_key
from server.reports.cycle import CycleConfig
from server.reports.period import Period


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
