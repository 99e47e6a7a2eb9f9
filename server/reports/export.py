"""CSV export of tickets with every moment's timestamp, streamed in chunks."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from server.domain.lifecycle import TicketStatus
from server.domain.standards import MOMENTS, Target, classify, factor_for
from server.models import Counter, Ticket, TicketTouch, User
from server.reports.cycle import CycleConfig
from server.reports.period import Period

COLUMNS = [
    "business_date",
    "code",
    "service",
    "final_service",
    "status",
    "priority",
    "lang",
    "issued_at",
    "first_called_at",
    "called_at",
    "recalled_at",
    "serving_at",
    "finished_at",
    "counter",
    "teller",
    "wait_s",
    "walk_s",
    "service_s",
    "quoted_wait_s",
    "touch_s",
    "recall_count",
    "transfer_count",
    "feedback_score",
    *(f"{m.key}_class" for m in MOMENTS),
]
CHUNK = 1000


def _iso(t: dt.datetime | None) -> str:
    return t.isoformat() if t is not None else ""


def _secs(a: dt.datetime | None, b: dt.datetime | None) -> int | None:
    if a is None or b is None:
        return None
    return int(round((b - a).total_seconds()))


# A text cell a spreadsheet would read as a formula (OWASP "CSV injection"): counter labels
# and usernames are typed by staff, so such a cell is kept as text with a leading apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _lines(rows: Iterable[list[Any]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerows([_cell(v) for v in row] for row in rows)  # None: an empty field
    return buf.getvalue()


# Per moment: its key, the target and the calendar factor that apply to a ticket.
Standards = list[tuple[str, Target | None, float]]


class _Standards:
    """The standards of (issued service, final service, day), worked out once per export."""

    def __init__(self, cfg: CycleConfig) -> None:
        self.cfg = cfg
        self.known: dict[tuple[str, str, dt.date], Standards] = {}

    def of(self, t: Any) -> Standards:
        key = (t.original_service_code, t.service_code, t.business_date)
        found = self.known.get(key)
        if found is None:
            found = self.known[key] = [
                (
                    m.key,
                    self.cfg.target(key[0] if m.key in ("kiosk", "wait") else key[1], m.key),
                    factor_for(self.cfg.overrides, moment=m.key, day=key[2]),
                )
                for m in MOMENTS
            ]
        return found


def ticket_rows(
    session: Session, branch_id: int, cfg: CycleConfig, period: Period
) -> Iterator[str]:
    """CSV lines (header first); reads the tickets in chunks from a server-side cursor."""
    yield _lines([COLUMNS])
    standards = _Standards(cfg)
    teller = aliased(User)
    stmt: Any = (
        # Plain rows, no ORM objects: nothing accumulates in the session while streaming.
        select(
            Ticket.__table__,  # type: ignore[attr-defined]
            col(Counter.label).label("counter_label"),
            col(teller.username).label("teller_name"),
            col(TicketTouch.touch_s).label("touch"),
        )
        .outerjoin(Counter, col(Counter.id) == Ticket.counter_id)
        .outerjoin(teller, col(teller.id) == Ticket.teller_id)
        .outerjoin(TicketTouch, col(TicketTouch.ticket_id) == Ticket.id)
        .where(
            col(Ticket.branch_id) == branch_id,
            col(Ticket.business_date) >= period.first,
            col(Ticket.business_date) <= period.last,
        )
        .order_by(col(Ticket.issued_at), col(Ticket.id))
        .execution_options(yield_per=CHUNK)
    )
    result = session.execute(stmt)
    for chunk in result.partitions():
        yield _lines(
            _values(t, t.counter_label, t.teller_name, t.touch, standards.of(t)) for t in chunk
        )


def _values(
    t: Any, counter: str | None, username: str | None, touch: int | None, standards: Standards
) -> list[Any]:
    wait = _secs(t.issued_at, t.first_called_at)
    walk = _secs(t.called_at, t.serving_at)
    service = (
        _secs(t.serving_at or t.called_at, t.finished_at) if t.status == TicketStatus.DONE else None
    )
    measured = {
        "kiosk": touch,
        "wait": wait,
        "walk": walk,
        "service": service,
        "feedback": t.feedback_score,
    }
    grades = []
    for key, target, factor in standards:
        g = classify(key, measured[key], target, factor) if target else None
        grades.append(g.value if g else None)
    return [
        t.business_date.isoformat(),
        t.code,
        t.original_service_code,
        t.service_code,
        t.status,
        int(bool(t.priority)),
        t.lang,
        _iso(t.issued_at),
        _iso(t.first_called_at),
        _iso(t.called_at),
        _iso(t.recalled_at),
        _iso(t.serving_at),
        _iso(t.finished_at),
        counter,
        username,
        wait,
        walk,
        service,
        t.quoted_wait_s,
        touch,
        t.recall_count,
        t.transfer_count,
        t.feedback_score,
        *grades,
    ]
