"""Side effects that must wait for the commit: printing a ticket, pre-generating a call's audio.

A service queues them with ``after_commit(session, effect)`` while it works; the unit of work
hands them on only once its commit succeeded (a rolled-back issue prints nothing), and whoever
owns the event loop runs them: the request that did the work (so it can answer with their
outcome, e.g. the print status), or the app's effect runner for work done elsewhere (a
keypad press on the agent socket, a background job).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from sqlmodel import Session

if TYPE_CHECKING:
    from server.context import AppContext

AFTER_COMMIT = "sira_after_commit"


class Effect(Protocol):
    """Something to do once the unit of work that queued it has committed."""

    async def run(self, ctx: AppContext) -> None: ...


def after_commit(session: Session, effect: Effect) -> None:
    """Queue ``effect`` for after this unit of work's commit (dropped on rollback)."""
    session.info.setdefault(AFTER_COMMIT, []).append(effect)


def take_effects(session: Session) -> list[Effect]:
    effects: list[Effect] = session.info.pop(AFTER_COMMIT, [])
    return effects
