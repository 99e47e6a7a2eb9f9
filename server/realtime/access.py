"""Announcing, after the commit, that some tokens may have died (a logout, a revoked device,
a disabled user): their open event sockets check again and close if so (``ws.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlmodel import Session

from server.effects import after_commit
from server.realtime.fanout import AccessChange

if TYPE_CHECKING:
    from server.context import AppContext


@dataclass(frozen=True)
class _Announce:
    change: AccessChange

    async def run(self, ctx: AppContext) -> None:
        ctx.bus.announce(self.change)


def access_changed(
    session: Session,
    *,
    user_ids: Iterable[int | None] = (),
    device_ids: Iterable[int | None] = (),
    branch_ids: Iterable[int | None] = (),
) -> None:
    """Once this unit of work commits, every open event socket of these users, devices or
    branches (in every process) checks its token again; one that died closes with 4401."""

    def ids(values: Iterable[int | None]) -> frozenset[int]:
        return frozenset(v for v in values if v is not None)

    change = AccessChange(
        user_ids=ids(user_ids), device_ids=ids(device_ids), branch_ids=ids(branch_ids)
    )
    after_commit(session, _Announce(change))
