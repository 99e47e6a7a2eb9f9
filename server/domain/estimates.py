"""Wait estimates quoted to customers."""

from __future__ import annotations

import math
from collections.abc import Sequence


def average_service_s(recent: Sequence[float], *, standard_s: int) -> float:
    """Mean of recent service times, falling back to the service standard when few exist.

    A few samples are blended with the standard so one unusually long or short service
    does not swing every quote.
    """
    usable = [s for s in recent if s > 0]
    if not usable:
        return float(standard_s)
    weight = min(len(usable), 10) / 10
    return weight * (sum(usable) / len(usable)) + (1 - weight) * standard_s


def estimate_wait_s(*, ahead: int, open_counters: int, avg_service_s: float) -> int:
    """Seconds until a ticket with ``ahead`` people before it is called.

    Counters work in parallel, so each "round" clears one ticket per open counter. With no
    counter open yet we still quote as if one were, rather than an infinite wait.
    """
    if ahead <= 0:
        return 0
    servers = max(open_counters, 1)
    rounds = math.ceil(ahead / servers)
    return int(round(rounds * avg_service_s))
