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

from server.domain.calendar import zone
from server.domain.lifecycle import TicketStatus
from server.domain.standards import MOMENTS
from server.models import Branch, Counter, Event, Ticket, TicketTouch, User
from server.realtime.events import EventType
from server.reports.cycle import CycleConfig
from server.reports.grading import GRADE_EXCLUSIVE, GRADE_EXPECTED, GRADE_MISSED
from server.reports.measures import graded, live_facts
from server.reports.period import Period, dialect_of

# The timestamps, in UTC and again in the branch's local time (ISO 8601 with its offset).
TIMES = ("issued_at", "first_called_at", "called_at", "recalled_at", "serving_at", "finished_at")
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
    # Added after the first release (at the end: readers by position keep working).
    "service_name",
    "final_service_name",
    "priority_reason",
    "recovery_actions",
    *(f"{name}_local" for name in TIMES),
]
CHUNK = 1000
GRADE_NAMES = {GRADE_MISSED: "missed", GRADE_EXPECTED: "expected", GRADE_EXCLUSIVE: "exclusive"}


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


def csv_lines(rows: Iterable[list[Any]]) -> str:
    """CSV text of ``rows`` (CRLF lines), formula-like text cells kept as text."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerows([_cell(v) for v in row] for row in rows)  # None: an empty field
    return buf.getvalue()


def ticket_rows(
    session: Session, branch: Branch, cfg: CycleConfig, period: Period, *, now: dt.datetime
) -> Iterator[str]:
    """CSV lines (header first); reads the tickets in chunks from a server-side cursor.

    Each moment's class is the reports' own grade of the ticket (``measures.graded``, read at
    ``now``): the export, the reports and the live tile judge by one definition."""
    yield csv_lines([COLUMNS])
    dialect = dialect_of(session)
    grades = graded(dialect, cfg, live_facts(dialect, branch, period, now=now).subquery("f"))
    names = cfg.names  # each service's name in the branch's default language
    zone_ = zone(branch.timezone)
    teller = aliased(User)
    stmt: Any = (
        # Plain rows, no ORM objects: nothing accumulates in the session while streaming.
        select(
            Ticket.__table__,  # type: ignore[attr-defined]
            col(Counter.label).label("counter_label"),
            col(teller.username).label("teller_name"),
            col(TicketTouch.touch_s).label("touch"),
            *(grades.c[f"g_{m.key}"] for m in MOMENTS),
        )
        .join(grades, grades.c.ticket_id == Ticket.id)
        .outerjoin(Counter, col(Counter.id) == Ticket.counter_id)
        .outerjoin(teller, col(teller.id) == Ticket.teller_id)
        .outerjoin(TicketTouch, col(TicketTouch.ticket_id) == Ticket.id)
        .where(
            col(Ticket.branch_id) == branch.id,
            col(Ticket.business_date) >= period.first,
            col(Ticket.business_date) <= period.last,
        )
        .order_by(col(Ticket.issued_at), col(Ticket.id))
        .execution_options(yield_per=CHUNK)
    )
    result = session.execute(stmt)
    for chunk in result.partitions():
        actions = _recovery_actions(session, [t.id for t in chunk])
        yield csv_lines(_values(t, names, actions.get(t.id, []), zone_) for t in chunk)


def _recovery_actions(session: Session, ticket_ids: list[Any]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    if not ticket_ids:
        return found
    rows = session.execute(
        select(col(Event.ticket_id), col(Event.data))
        .where(
            col(Event.ticket_id).in_(ticket_ids),
            col(Event.type) == EventType.TICKET_RECOVERY.value,
        )
        .order_by(col(Event.at), col(Event.id))
    ).all()
    for ticket_id, data in rows:
        found.setdefault(ticket_id, []).append(str((data or {}).get("action", "")))
    return found


def _local(t: dt.datetime | None, zone_: Any) -> str:
    return t.astimezone(zone_).isoformat() if t is not None else ""


def _values(t: Any, names: dict[str, str], actions: list[str], zone_: Any) -> list[Any]:
    wait = _secs(t.issued_at, t.first_called_at)
    walk = _secs(t.called_at, t.serving_at)
    service = (
        _secs(t.serving_at or t.called_at, t.finished_at) if t.status == TicketStatus.DONE else None
    )
    grades = [GRADE_NAMES.get(getattr(t, f"g_{m.key}")) for m in MOMENTS]
    return [
        t.business_date.isoformat(),
        t.code,
        t.original_service_code,
        t.service_code,
        t.status,
        int(bool(t.priority)),
        t.lang,
        *(_iso(getattr(t, name)) for name in TIMES),
        t.counter_label,
        t.teller_name,
        wait,
        walk,
        service,
        t.quoted_wait_s,
        t.touch,
        t.recall_count,
        t.transfer_count,
        t.feedback_score,
        *grades,
        names.get(t.original_service_code, t.original_service_code),
        names.get(t.service_code, t.service_code),
        t.priority_reason,
        ";".join(actions),
        *(_local(getattr(t, name), zone_) for name in TIMES),
    ]
