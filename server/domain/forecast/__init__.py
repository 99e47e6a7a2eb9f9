"""When will a waiting ticket be called? A forward simulation over the real ordering code.

From the live state (the waiting tickets, each counter's services, state, streak and the
customer at it, the branch's rules) the queue is played forward: each time a counter becomes
free it calls the ticket ``ordering.choose_next`` picks from the heads of its queues, exactly
what ``counters/calling.py`` passes it. Service times come from models fitted to recent
services (log-normal); a customer already at a counter takes the *residual* time
E[S - a | S > a]; priority, transferred and (for ``service_order``) normal tickets arriving
meanwhile may overtake. Monte Carlo over a bounded number of runs, seeded so the same state
gives the same quote; a queue too long for the budget takes one pass with mean times instead.

Pure: plain dataclasses in, a ``Forecast`` out. ``simulate_period`` plays given arrivals
through the same engine (the base for ``sira simulate``). The published predictors of Ibrahim
& Whitt (2009) are here too, for the accuracy benchmark to compare against.

Modules, each importing only those above it: ``models`` (service times), ``queues`` (waiting
tickets by group), ``engine`` (the simulation), ``quote`` (``forecast()``), ``period`` (a whole
simulated period); ``predictors`` stands alone.
"""

from server.domain.forecast.engine import Call, CounterNow, InService
from server.domain.forecast.models import (
    DEFAULT_CV,
    MIN_HOUR_SAMPLES,
    MIN_SAMPLES,
    ServiceModel,
    Shape,
    fit_service_times,
    residual_s,
)
from server.domain.forecast.period import Arrival, poisson_arrivals, simulate_period
from server.domain.forecast.predictors import (
    head_of_line_quote,
    last_to_enter_service_quote,
    queue_length_quote,
)
from server.domain.forecast.queues import WaitingQueues
from server.domain.forecast.quote import (
    DEFAULT_EFFORT,
    NO_ARRIVALS,
    Arrivals,
    Effort,
    Forecast,
    NewTicket,
    call_times,
    forecast,
)

__all__ = [
    "DEFAULT_CV",
    "DEFAULT_EFFORT",
    "MIN_HOUR_SAMPLES",
    "MIN_SAMPLES",
    "NO_ARRIVALS",
    "Arrival",
    "Arrivals",
    "Call",
    "CounterNow",
    "Effort",
    "Forecast",
    "InService",
    "NewTicket",
    "ServiceModel",
    "Shape",
    "WaitingQueues",
    "call_times",
    "fit_service_times",
    "forecast",
    "head_of_line_quote",
    "last_to_enter_service_quote",
    "poisson_arrivals",
    "queue_length_quote",
    "residual_s",
    "simulate_period",
]
