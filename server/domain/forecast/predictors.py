"""Published predictors, for the accuracy benchmark to compare the forecast against: Ibrahim
& Whitt, "Real-time delay estimation based on delay history", Manufacturing & Service
Operations Management 11(3), 2009."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from server.domain.ordering import Candidate


def queue_length_quote(*, ahead: int, servers: int, mean_service_s: float) -> float:
    """QL: (n + 1) E[S] / s for a customer with n ahead in line and s busy servers."""
    return math.inf if servers <= 0 else (ahead + 1) * mean_service_s / servers


def head_of_line_quote(*, waiting: Sequence[Candidate], service_code: str, now: datetime) -> float:
    """HOL: how long the customer at the head of the line (of that service) has waited."""
    line = [c.issued_at for c in waiting if c.service_code == service_code]
    return max((now - min(line)).total_seconds(), 0.0) if line else 0.0


def last_to_enter_service_quote(
    *, last_issued_at: datetime | None, last_called_at: datetime | None
) -> float:
    """LES: the wait of the last customer (of that service) to have been called."""
    if last_issued_at is None or last_called_at is None:
        return 0.0
    return max((last_called_at - last_issued_at).total_seconds(), 0.0)
