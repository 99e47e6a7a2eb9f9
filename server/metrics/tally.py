"""Counts of things that happened in this process, by label: Prometheus counters.

A tally lives in a Database's cache (``session.info["cache"]``), like the other per-database
state, so tests that build many apps in one process never see each other's counts.
"""

from __future__ import annotations

import threading
from typing import Any


class Tally:
    """A counter by label values, safe to add to from request threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, ...], int] = {}

    def add(self, *labels: str) -> None:
        with self._lock:
            self._counts[labels] = self._counts.get(labels, 0) + 1

    def items(self) -> list[tuple[tuple[str, ...], int]]:
        with self._lock:
            return sorted(self._counts.items())

    def total(self) -> int:
        with self._lock:
            return sum(self._counts.values())


def tally(cache: dict[str, Any], name: str) -> Tally:
    """The tally ``name`` of a database's cache (made on first use)."""
    found = cache.get(name)
    if isinstance(found, Tally):
        return found
    return cache.setdefault(name, Tally())  # type: ignore[no-any-return]
