"""A report's period: business days in the branch's zone, and its UTC bounds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlmodel import Session

from server.domain.calendar import zone


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date
    start: dt.datetime  # UTC, local midnight of ``first``
    end: dt.datetime  # UTC, local midnight after ``last``

    @classmethod
    def of(cls, first: dt.date, last: dt.date, tz: str) -> Period:
        z = zone(tz)
        start = dt.datetime.combine(first, dt.time(), tzinfo=z).astimezone(dt.UTC)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=z)
        return cls(first, last, start, end.astimezone(dt.UTC))

    def days(self) -> list[dt.date]:
        n = (self.last - self.first).days + 1
        return [self.first + dt.timedelta(days=i) for i in range(n)]


def dialect_of(session: Session) -> str:
    return session.get_bind().dialect.name
