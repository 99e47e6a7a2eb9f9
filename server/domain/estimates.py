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


def formula_quote(
    *, ahead: int, open_counters: int, recent: Sequence[float], standard_s: int
) -> int:
    """The first release's quote (now the fallback when the forecast cannot say):
    ``ceil(ahead / open counters) x mean recent service``."""
    avg = average_service_s(recent, standard_s=standard_s)
    return estimate_wait_s(ahead=ahead, open_counters=open_counters, avg_service_s=avg)


# A quote "within target": off by at most 2 minutes, or by 20 % of the actual wait when that
# is more (API.md: within_target_pct; the accuracy benchmark's target share).
WITHIN_MIN_S = 120
WITHIN_SHARE = 0.2


def within_target(*, quoted_s: float, actual_s: float) -> bool:
    return abs(actual_s - quoted_s) <= max(WITHIN_MIN_S, WITHIN_SHARE * actual_s)
