"""Taking the next ticket number: one atomic upsert per service per business day."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from server.models import TicketSequence


def _statement(insert: Any) -> Any:
    table = TicketSequence.__table__  # type: ignore[attr-defined]
    stmt = insert(table).values(
        branch_id=bindparam("branch_id"),
        service_code=bindparam("prefix"),
        business_date=bindparam("business_date"),
        last_number=1,
    )
    return stmt.on_conflict_do_update(
        index_elements=["branch_id", "service_code", "business_date"],
        set_={"last_number": table.c.last_number + 1},
    ).returning(table.c.last_number)


_TAKE = {"postgresql": _statement(pg_insert), "sqlite": _statement(sqlite_insert)}


def take_number(session: Session, *, branch_id: int, prefix: str, business_date: dt.date) -> int:
    """The next number for ``prefix`` on ``business_date``: 1, 2, 3 … with no gap or repeat.

    The row is locked until commit (PostgreSQL row lock; SQLite's single writer), and a
    rolled-back issue rolls the number back with it, so numbers never skip.
    """
    stmt = _TAKE[session.get_bind().dialect.name]
    params = {"branch_id": branch_id, "prefix": prefix, "business_date": business_date}
    return int(session.connection().execute(stmt, params).scalar_one())
