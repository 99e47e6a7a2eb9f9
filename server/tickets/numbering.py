"""Taking the next ticket number: one atomic upsert per service per business day."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from server.models import TicketSequence


def take_number(
    session: Session, *, branch_id: int, prefix: str, business_date: dt.date
) -> int:
    """The next number for ``prefix`` on ``business_date``: 1, 2, 3 … with no gap or repeat.

    The row is locked until commit (PostgreSQL row lock; SQLite's single writer), and a
    rolled-back issue rolls the number back with it, so numbers never skip.
    """
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = insert(TicketSequence).values(
        branch_id=branch_id, service_code=prefix, business_date=business_date, last_number=1
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["branch_id", "service_code", "business_date"],
        set_={"last_number": TicketSequence.last_number + 1},
    ).returning(TicketSequence.last_number)
    return int(session.execute(stmt).scalar_one())
