"""How a wait quote is judged in the reports: the within-target rule in SQL (the rollups'
``est_within_target``, re-quotes and the chart's target band all use it) and the drift flag.

A quote is *within target* when its error (actual − quoted wait) is at most
max(``TARGET_MIN_S``, ``TARGET_SHARE`` × the actual wait): the contract's
``within_target_pct``, max(2 min, 20 %). The figures are ``server.domain.estimates``'s
(``within_target`` there is the same rule in Python, for the accuracy benchmark).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Literal

from sqlalchemy import case, func
from sqlalchemy.sql.elements import ColumnElement

from server.domain.estimates import WITHIN_MIN_S, WITHIN_SHARE

WITHIN_S = 120  # within_2min_pct: |error| <= 2 min
TARGET_MIN_S = WITHIN_MIN_S  # the target band is never narrower than ±2 min ...
TARGET_SHARE = WITHIN_SHARE  # ... and otherwise ± this share (20 %) of the actual wait
# The share as a fraction, so that SQL compares integers: 1/5.
_SHARE = Fraction(TARGET_SHARE).limit_denominator(1000)

# Drift: a service's quotes are systematically off when, over enough quotes, the mean error
# is a minute or more and fewer than 80 % are within target (issue 15's own goals: at least
# 80 % within target and |bias| under a minute). Fewer quotes than DRIFT_MIN_QUOTES say
# nothing either way: a handful of odd days is not a drift.
DRIFT_MIN_QUOTES = 20
DRIFT_BIAS_S = 60
DRIFT_WITHIN_PCT = 80

Drift = Literal["short", "long"]


def within_target(err_ms: Any, wait_ms: Any) -> ColumnElement[bool]:
    """SQL: the quote with error ``err_ms`` on an actual wait of ``wait_ms`` (both integer
    milliseconds) is within target. In integers, with share = p/q and no division:
    ``q |error| <= max(q TARGET_MIN_S, p wait)`` (5 |error| <= max(600 s, wait))."""
    p, q = _SHARE.numerator, _SHARE.denominator
    floor = TARGET_MIN_S * 1000 * q
    scaled = wait_ms * p if p != 1 else wait_ms
    widest = case((scaled > floor, scaled), else_=floor)
    judged: ColumnElement[bool] = func.abs(err_ms) * q <= widest
    return judged


def drift(*, quotes: int, bias_s: float | None, within_target_pct: float | None) -> Drift | None:
    """``"short"`` when quotes are systematically too short (customers waited longer than
    told: bias > 0), ``"long"`` when too long, else None. Judged on a report row's figures
    as the row shows them."""
    if quotes < DRIFT_MIN_QUOTES or bias_s is None or within_target_pct is None:
        return None
    if abs(bias_s) < DRIFT_BIAS_S or within_target_pct >= DRIFT_WITHIN_PCT:
        return None
    return "short" if bias_s > 0 else "long"
