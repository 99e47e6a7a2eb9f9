"""Service-time models: a log-normal (or exponential) duration per service, by hour of day
when measured, fitted from recent services; and the residual time of a service under way."""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

# Assumed until a service has samples enough to measure its own: visit durations are
# right-skewed, with a spread of the order of their mean.
DEFAULT_CV = 0.8
MIN_SAMPLES = 5
MIN_HOUR_SAMPLES = 20
# Measured visits count fully from this many on; fewer are blended with the standard.
FULL_WEIGHT = 10
_CV_RANGE = (0.05, 3.0)
_NORMAL = statistics.NormalDist()


class Shape(StrEnum):
    LOGNORMAL = "lognormal"
    EXPONENTIAL = "exponential"  # memoryless (cv 1): the M/M/c check


@dataclass(frozen=True, slots=True)
class ServiceModel:
    """Service duration of one service: mean, coefficient of variation, by local hour if known."""

    mean_s: float
    cv: float = DEFAULT_CV
    shape: Shape = Shape.LOGNORMAL
    rough: bool = False  # from the standard, not measured
    hourly: Mapping[int, ServiceModel] = field(default_factory=dict)

    def at_hour(self, hour: int) -> ServiceModel:
        return self.hourly.get(hour, self)


def fit_service_times(
    samples_by_service: Mapping[str, Sequence[float]],
    standards: Mapping[str, float],
    *,
    hourly_samples: Mapping[str, Mapping[int, Sequence[float]]] | None = None,
    min_samples: int = MIN_SAMPLES,
    min_hour_samples: int = MIN_HOUR_SAMPLES,
    default_cv: float = DEFAULT_CV,
) -> dict[str, ServiceModel]:
    """A log-normal model per service from recent durations (moments: mean and CV), or the
    service's standard with ``default_cv`` (``rough``) when it has fewer than ``min_samples``."""
    hourly_samples = hourly_samples or {}
    out: dict[str, ServiceModel] = {}
    for code in {*standards, *samples_by_service}:
        samples = samples_by_service.get(code, ())
        overall = _fit(samples, min_samples)
        if overall is None:
            if code not in standards:
                continue
            overall = ServiceModel(float(standards[code]), default_cv, rough=True)
        elif code in standards:
            overall = _toward(overall, float(standards[code]), default_cv, _count(samples))
        hours = {
            hour: model
            for hour, samples in hourly_samples.get(code, {}).items()
            if (model := _fit(samples, min_hour_samples)) is not None
        }
        out[code] = ServiceModel(overall.mean_s, overall.cv, rough=overall.rough, hourly=hours)
    return out


def _toward(model: ServiceModel, standard_s: float, default_cv: float, n: int) -> ServiceModel:
    """Few samples lean on the standard (weight n / FULL_WEIGHT): five mis-clicked 2-second
    "visits" must not promise the whole queue a call within seconds (the first release's
    formula blended the same way)."""
    w = min(n, FULL_WEIGHT) / FULL_WEIGHT
    if w >= 1:
        return model
    return ServiceModel(
        w * model.mean_s + (1 - w) * standard_s, w * model.cv + (1 - w) * default_cv
    )


def _count(samples: Sequence[float]) -> int:
    return sum(1 for s in samples if s > 0)


def _fit(samples: Sequence[float], minimum: int) -> ServiceModel | None:
    usable = [s for s in samples if s > 0]
    if len(usable) < max(minimum, 2):
        return None
    mean = statistics.fmean(usable)
    cv = min(max(statistics.stdev(usable) / mean, _CV_RANGE[0]), _CV_RANGE[1])
    return ServiceModel(mean, cv)


def residual_s(model: ServiceModel, elapsed_s: float, rng: random.Random | None = None) -> float:
    """What is left of a service already ``elapsed_s`` long: E[S - a | S > a], or a draw of
    S - a given S > a when ``rng`` is given."""
    if model.shape is Shape.EXPONENTIAL:  # memoryless
        return model.mean_s if rng is None else rng.expovariate(1.0 / model.mean_s)
    sigma = math.sqrt(math.log1p(model.cv * model.cv))
    mu = math.log(model.mean_s) - sigma * sigma / 2
    if elapsed_s <= 0:
        return model.mean_s if rng is None else rng.lognormvariate(mu, sigma)
    x = (math.log(elapsed_s) - mu) / sigma
    tail = 0.5 * math.erfc(x / math.sqrt(2))  # P(S > a)
    if rng is not None:
        p = min(max(tail * (1.0 - rng.random()), 1e-300), 1 - 1e-16)
        return max(math.exp(mu - sigma * _NORMAL.inv_cdf(p)) - elapsed_s, 0.0)
    if tail < 1e-12:  # far in the tail: the log-normal's asymptotic mean residual life
        return elapsed_s * sigma / x
    beyond = math.exp(mu + sigma * sigma / 2) * 0.5 * math.erfc((x - sigma) / math.sqrt(2))
    return max(beyond / tail - elapsed_s, 0.0)
