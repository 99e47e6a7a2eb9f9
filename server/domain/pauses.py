"""When a paused counter is expected back, from how long the branch's pauses have lasted.

A teller pausing says why ("break", "lunch", ...) but not for how long; the branch's own
history does: each past pause either ended with the counter open again (it came back, after
so long) or closed (it did not). The typical length is the median of those that came back,
by reason when the reason has history enough, else over all reasons; none when most paused
counters did not come back (a pause at the end of a shift). Pure: the live state
(``tickets/live_state.py``) and the simulated day (``server/simulation``) both ask here.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

MIN_PAUSES = 3
# A counter past its typical pause is expected back within this long (not never).
OVERDUE_S = 120.0
HISTORY = timedelta(days=14)


@dataclass(frozen=True, slots=True)
class Pause:
    """A past pause: its reason, how long it lasted, and whether the counter came back."""

    reason: str | None
    length_s: float
    returned: bool


def typical_pause_s(pauses: Sequence[Pause], reason: str | None) -> float | None:
    """How long a pause for ``reason`` typically lasts before the counter opens again."""
    own = [p for p in pauses if p.reason == reason]
    chosen = own if len(own) >= MIN_PAUSES else list(pauses)
    if len(chosen) < MIN_PAUSES:
        return None
    back = [p.length_s for p in chosen if p.returned]
    if 2 * len(back) < len(chosen):
        return None
    return statistics.median(back)


def expected_back(
    pauses: Sequence[Pause], *, reason: str | None, since: datetime | None, now: datetime
) -> datetime | None:
    """When a counter paused since ``since`` is expected to call again (None: not known)."""
    typical = typical_pause_s(pauses, reason)
    if typical is None or since is None:
        return None
    return max(since + timedelta(seconds=typical), now + timedelta(seconds=OVERDUE_S))


def pauses_of(changes: Sequence[tuple[int, datetime, str, str | None]]) -> list[Pause]:
    """Past pauses from counters' state changes ``(counter, at, state, pause reason)`` in
    time order (repeated states, e.g. a change of service list, are not changes)."""
    state: dict[int, str] = {}
    started: dict[int, tuple[datetime, str | None]] = {}
    out = []
    for counter, at, new, reason in changes:
        if state.get(counter) == new:
            continue
        state[counter] = new
        if new == "paused":
            started[counter] = (at, reason)
        elif counter in started:
            since, why = started.pop(counter)
            out.append(Pause(why, (at - since).total_seconds(), returned=new == "open"))
    return out
