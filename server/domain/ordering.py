"""Which waiting ticket a counter calls next, and the rule that chose it.

Precedence, highest first:
1. ``max_wait``: a ticket that has waited past the branch's hard cap, oldest first.
2. ``transfer_first``: transferred tickets ahead of the rest (when the branch places them first).
3. ``priority`` (strict) or ``priority_ratio``: priority customers (elderly, disabled,
   pregnant) strictly first, or one priority call after every N normal calls.
4. the base order: ``fifo`` (first come, first served across the counter's services) or
   ``service_order`` (the counter's service list as strict preference, FIFO within a service).

"Arrival" is the customer's original arrival (issue time), kept across transfers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol


class OrderMode(StrEnum):
    FIFO = "fifo"
    SERVICE_ORDER = "service_order"
    # Not an ordering rule: the teller picked the ticket from the waiting list.
    CHOSEN = "chosen"


class PriorityMode(StrEnum):
    NONE = "none"
    STRICT = "strict"
    RATIO = "ratio"


class TransferPlacement(StrEnum):
    FIRST = "first"
    ARRIVAL = "arrival"


class Rule(StrEnum):
    MAX_WAIT = "max_wait"
    TRANSFER_FIRST = "transfer_first"
    PRIORITY = "priority"
    PRIORITY_RATIO = "priority_ratio"
    FIFO = "fifo"
    SERVICE_ORDER = "service_order"
    # Not an ordering rule: the teller picked the ticket from the waiting list.
    CHOSEN = "chosen"


@dataclass(frozen=True, slots=True)
class Candidate:
    id: int
    service_code: str
    issued_at: datetime
    queued_at: datetime
    priority: bool = False
    transferred: bool = False


@dataclass(frozen=True, slots=True)
class Policy:
    order_mode: OrderMode = OrderMode.FIFO
    priority_mode: PriorityMode = PriorityMode.RATIO
    priority_ratio: int = 2
    max_wait_s: int | None = None
    transfer_placement: TransferPlacement = TransferPlacement.FIRST


@dataclass(frozen=True, slots=True)
class Choice:
    ticket_id: int
    rule: Rule
    priority: bool


class PolicySettings(Protocol):
    """Where a branch keeps its ordering rules (``models.Branch``), read-only."""

    @property
    def order_mode(self) -> str: ...
    @property
    def priority_mode(self) -> str: ...
    @property
    def priority_ratio(self) -> int: ...
    @property
    def max_wait_s(self) -> int | None: ...
    @property
    def transfer_placement(self) -> str: ...


def policy_of(branch: PolicySettings) -> Policy:
    """The ordering rules a branch's settings say: what calling and forecasting both use."""
    return Policy(
        order_mode=OrderMode(branch.order_mode),
        priority_mode=PriorityMode(branch.priority_mode),
        priority_ratio=branch.priority_ratio,
        max_wait_s=branch.max_wait_s,
        transfer_placement=TransferPlacement(branch.transfer_placement),
    )


def _arrival_key(c: Candidate) -> tuple[datetime, int]:
    return (c.issued_at, c.id)


def _base_pick(
    pool: Sequence[Candidate], services: Sequence[str], mode: OrderMode
) -> tuple[Candidate, Rule]:
    if mode is OrderMode.SERVICE_ORDER:
        rank = {code: i for i, code in enumerate(services)}
        best = min(pool, key=lambda c: (rank.get(c.service_code, len(rank)), *_arrival_key(c)))
        return best, Rule.SERVICE_ORDER
    return min(pool, key=_arrival_key), Rule.FIFO


def choose_next(
    candidates: Sequence[Candidate],
    *,
    services: Sequence[str],
    policy: Policy,
    now: datetime,
    normal_streak: int,
) -> Choice | None:
    """Pick the next ticket for a counter serving ``services`` (in its profile order).

    ``candidates`` are the waiting tickets of those services; ``normal_streak`` is how many
    normal tickets this counter called since its last priority call (ratio rule).
    """
    pool = [c for c in candidates if c.service_code in services]
    if not pool:
        return None

    if policy.max_wait_s is not None:
        overdue = [c for c in pool if (now - c.issued_at).total_seconds() > policy.max_wait_s]
        if overdue:
            best = min(overdue, key=_arrival_key)
            return Choice(best.id, Rule.MAX_WAIT, best.priority)

    if policy.transfer_placement is TransferPlacement.FIRST:
        transferred = [c for c in pool if c.transferred]
        if transferred:
            best = min(transferred, key=lambda c: (c.queued_at, c.id))
            return Choice(best.id, Rule.TRANSFER_FIRST, best.priority)

    priority = [c for c in pool if c.priority]
    normal = [c for c in pool if not c.priority]
    if priority and policy.priority_mode is PriorityMode.STRICT:
        best, _ = _base_pick(priority, services, policy.order_mode)
        return Choice(best.id, Rule.PRIORITY, True)
    if priority and policy.priority_mode is PriorityMode.RATIO:
        if not normal or normal_streak >= max(policy.priority_ratio, 0):
            best, base_rule = _base_pick(priority, services, policy.order_mode)
            rule = Rule.PRIORITY_RATIO if normal else base_rule
            return Choice(best.id, rule, True)
        best, rule = _base_pick(normal, services, policy.order_mode)
        return Choice(best.id, rule, False)

    best, rule = _base_pick(pool, services, policy.order_mode)
    return Choice(best.id, rule, best.priority)


def next_streak(streak: int, *, called_priority: bool) -> int:
    """The counter's normal-call streak after a call."""
    return 0 if called_priority else streak + 1
