"""What each customer was told about their wait (``ticket_quote``): the quote at issue and
every re-quote that changed what their phone showed. These are moments of truth: the
accuracy report measures each against the wait that followed it.

A re-quote is stored when the wait shown moved by at least ``REQUOTE_MIN_S`` or
``REQUOTE_SHARE`` of the last figure stored (a phone polls every few seconds: storing each
poll would store the same promise hundreds of times). The phone's request only reads; the row
is written after its commit, in a write unit of its own, which checks again that the figure
still differs from the last one stored (two polls at once store it once).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert, select
from sqlmodel import Session, col

from server.domain.forecast import Forecast
from server.effects import after_commit
from server.models import Ticket, TicketQuote
from server.models.types import table_of

if TYPE_CHECKING:
    from server.context import AppContext

ISSUE = "issue"
REQUOTE = "requote"
REQUOTE_MIN_S = 60
REQUOTE_SHARE = 0.1

_Q = table_of(TicketQuote)


def quote_row(
    ticket_id: int,
    *,
    kind: str,
    at: dt.datetime,
    wait_s: int,
    wait_range: list[int] | None,
    position: int | None,
    forecast: Forecast,
) -> dict[str, Any]:
    """A ``ticket_quote`` row: what the customer was shown (the range only when one was)."""
    low, high = wait_range if wait_range is not None else (None, None)
    return {
        "ticket_id": ticket_id,
        "at": at,
        "kind": kind,
        "wait_s": wait_s,
        "low_s": low,
        "high_s": high,
        "position": position,
        "rough": forecast.rough,
        "fallback": forecast.fallback,
    }


def record(session: Session, row: dict[str, Any]) -> None:
    """Store a quote in this unit of work (the issue's)."""
    session.connection().execute(insert(_Q), [row])


def moved(last_s: int, new_s: int) -> bool:
    """Whether a re-quote changes what the customer was told enough to be a new promise."""
    return abs(new_s - last_s) >= max(REQUOTE_MIN_S, REQUOTE_SHARE * last_s)


def last_told(session: Session, ticket_id: int) -> int | None:
    """The wait the customer was last told (None: no quote stored for this ticket)."""
    found = session.execute(
        select(_Q.c.wait_s)
        .where(_Q.c.ticket_id == ticket_id)
        .order_by(_Q.c.at.desc(), _Q.c.id.desc())
        .limit(1)
    ).scalar()
    return None if found is None else int(found)


def note_requote(session: Session, ticket: Ticket, row: dict[str, Any]) -> None:
    """Store ``row`` as a re-quote after this unit's commit, if it moved the promise."""
    last = last_told(session, row["ticket_id"])
    if last is None:
        last = ticket.quoted_wait_s  # issued before quotes were stored
    if moved(last, row["wait_s"]):
        after_commit(session, _Requote(row))


class _Requote:
    """Writes a re-quote once the phone's read has committed."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.row = row

    async def run(self, ctx: AppContext) -> None:
        await ctx.db.run(self._write, ctx, write=True)

    def _write(self, ctx: AppContext) -> None:
        with ctx.db.unit_of_work() as session:
            last = last_told(session, self.row["ticket_id"])
            if last is None or moved(last, self.row["wait_s"]):
                record(session, self.row)


def told(session: Session, ticket_ids: list[int]) -> dict[int, list[TicketQuote]]:
    """Every quote stored for these tickets, oldest first."""
    rows = session.execute(
        select(TicketQuote)
        .where(col(TicketQuote.ticket_id).in_(ticket_ids))
        .order_by(col(TicketQuote.at), col(TicketQuote.id))
    ).scalars()
    out: dict[int, list[TicketQuote]] = {}
    for q in rows:
        out.setdefault(q.ticket_id, []).append(q)
    return out
