"""Figures computed straight from the raw rows, in plain Python, written from the definitions
in docs/reports-api.md (not from the report code)."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from typing import Any
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Europe/Istanbul")
CRITICAL = ("kiosk", "wait", "service")
SECOND_HALF = ("walk", "service", "feedback")  # judged by the service actually given


def secs(a: dt.datetime | None, b: dt.datetime | None) -> float | None:
    return None if a is None or b is None else (b - a).total_seconds()


def measures(t: Any, touch: int | None) -> dict[str, float | None]:
    start = t.serving_at if t.serving_at is not None else t.called_at
    return {
        "kiosk": touch,
        "wait": secs(t.issued_at, t.first_called_at),
        "walk": secs(t.called_at, t.serving_at),
        "service": secs(start, t.finished_at) if t.status == "done" else None,
        "feedback": t.feedback_score,
    }


def grade(moment: str, value: float | None, exp: float, exc: float | None) -> str | None:
    if value is None:
        return None
    if moment == "feedback":
        if exc is not None and value >= exc:
            return "exclusive"
        return "expected" if value >= exp else "missed"
    if exc is not None and value <= exc:
        return "exclusive"
    return "expected" if value <= exp else "missed"


def grades(t: Any, touch: int | None, targets: Any) -> dict[str, str | None]:
    """``targets(service, moment, business_date) -> (expected, exclusive)``."""
    m = measures(t, touch)
    out = {}
    for k, v in m.items():
        svc = t.service_code if k in SECOND_HALF else t.original_service_code
        exp, exc = targets(svc, k, t.business_date)
        out[k] = grade(k, v, exp, exc)
    return out


def pdisc(values: list[float], p: float) -> float | None:
    if not values:
        return None
    v = sorted(values)
    return v[max(1, math.ceil(p * len(v))) - 1]


def r1(x: float | None) -> float | None:
    return None if x is None else round(x, 1)


def mean(xs: list[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def row_for(group: list[Any], touches: dict[int, int], targets: Any) -> dict[str, Any]:
    waits = [w for t in group if (w := measures(t, None)["wait"]) is not None]
    services = [s for t in group if (s := measures(t, None)["service"]) is not None]
    fbs = [t.feedback_score for t in group if t.feedback_score is not None]
    judged = missed = 0
    for t in group:
        g = grades(t, touches.get(t.id), targets)
        crit = [g[k] for k in CRITICAL if g[k] is not None]
        if crit:
            judged += 1
            missed += any(x == "missed" for x in crit)
    p50, p90 = pdisc(waits, 0.5), pdisc(waits, 0.9)
    return {
        "tickets": len(group),
        "served": sum(t.status == "done" for t in group),
        "no_show": sum(t.status == "no_show" for t in group),
        "wait_avg_s": r1(mean(waits)),
        "wait_p50_s": None if p50 is None else round(p50),
        "wait_p90_s": None if p90 is None else round(p90),
        "service_avg_s": r1(mean(services)),
        "within_standard_pct": round(100 * (judged - missed) / judged, 1) if judged else None,
        "feedback_avg": r1(mean(fbs)),
        "feedback_n": len(fbs),
        "judged": judged,
        "missed": missed,
    }


def local(t: dt.datetime) -> dt.datetime:
    return t.astimezone(TZ)


def group_by(tickets: list[Any], key: Any) -> dict[Any, list[Any]]:
    out: dict[Any, list[Any]] = defaultdict(list)
    for t in tickets:
        out[key(t)].append(t)
    return out
