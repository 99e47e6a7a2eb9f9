"""The waiting tickets as heaps by group, so a counter's candidates are the heads of its
groups: what ``counters/calling.py`` passes to ``ordering.choose_next``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from heapq import heappop, heappush

from server.domain.ordering import Candidate

_Key = tuple[str, bool, bool, int | None]  # service, priority, transferred, reserved counter
_Entry = tuple[float, int, Candidate]


class WaitingQueues:
    """Waiting tickets by service x priority x transferred (x the counter a transfer is reserved
    for), each group a heap by arrival (and transferred ones also by transfer time), so a
    counter's candidates are the heads of its groups: what ``calling._candidates`` passes."""

    def __init__(self, origin: datetime) -> None:
        self.origin = origin
        self.by_issued: dict[_Key, list[_Entry]] = {}
        self.by_queued: dict[_Key, list[_Entry]] = {}
        self.gone: set[int] = set()

    def group(self, key: _Key) -> None:
        self.by_issued.setdefault(key, [])
        if key[2]:
            self.by_queued.setdefault(key, [])

    def add(self, c: Candidate, reserved_for: int | None = None) -> None:
        key = (c.service_code, c.priority, c.transferred, reserved_for if c.transferred else None)
        self.group(key)
        heappush(self.by_issued[key], ((c.issued_at - self.origin).total_seconds(), c.id, c))
        if c.transferred:
            heappush(self.by_queued[key], ((c.queued_at - self.origin).total_seconds(), c.id, c))

    def keys_for(self, services: Sequence[str], counter_id: int) -> list[_Key]:
        """The groups a counter may call from (of those that exist)."""
        keys: list[_Key] = [
            (code, prio, moved, to)
            for code in services
            for prio in (False, True)
            for moved, to in ((False, None), (True, None), (True, counter_id))
        ]
        return [k for k in keys if k in self.by_issued]

    def heads(self, keys: Sequence[_Key]) -> list[Candidate]:
        out: list[Candidate] = []
        gone = self.gone
        for key in keys:
            heap = self.by_issued[key]
            while heap and heap[0][1] in gone:
                heappop(heap)
            if not heap:
                continue
            out.append(heap[0][2])
            if key[2]:
                other = self.by_queued[key]
                while other and other[0][1] in gone:
                    heappop(other)
                if other[0][1] != heap[0][1]:
                    out.append(other[0][2])
        return out

    def heads_for(self, services: Sequence[str], counter_id: int) -> list[Candidate]:
        return self.heads(self.keys_for(services, counter_id))

    def copy(self) -> WaitingQueues:
        new = WaitingQueues(self.origin)
        new.by_issued = {k: v.copy() for k, v in self.by_issued.items()}
        new.by_queued = {k: v.copy() for k, v in self.by_queued.items()}
        new.gone = set(self.gone)
        return new
