"""Request and answer shapes of the reports, the service-cycle map, risk and staffing."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, model_validator

from server.domain.standards import MOMENT_KEYS

MomentKey = Literal["kiosk", "wait", "walk", "service", "feedback"]
ServiceCode = Annotated[str, Field(min_length=1, max_length=4, pattern=r"^[A-Z][A-Z0-9]{0,3}$")]


class MomentEdit(BaseModel):
    model_config = ConfigDict(extra="ignore")

    key: MomentKey
    critical: StrictBool


class TargetEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expected: float | None = Field(default=None, gt=0, le=86400)
    exclusive: float | None = Field(
        default=None, gt=0, le=86400, description="null: no exclusive level for this moment"
    )

    @model_validator(mode="after")
    def _expected_is_a_number(self) -> TargetEdit:
        # Leaving `expected` out keeps the current standard; every moment has one.
        if "expected" in self.model_fields_set and self.expected is None:
            raise ValueError("expected must be a number: every moment has an expected standard")
        return self


class OverrideEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: str = Field(default="", max_length=80)
    dates: list[dt.date] = Field(default_factory=list, max_length=366)
    days_of_month: list[Annotated[int, Field(ge=1, le=31)]] = Field(
        default_factory=list, max_length=31
    )
    moments: list[MomentKey] = Field(default_factory=list)
    factor: float = Field(ge=0.1, le=10)

    @model_validator(mode="after")
    def _some_day(self) -> OverrideEdit:
        if not self.dates and not self.days_of_month:
            raise ValueError("an override needs dates or days_of_month")
        if "feedback" in self.moments:
            raise ValueError("feedback is a score: overrides scale time standards only")
        return self


class CycleUpdate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    moments: list[MomentEdit] | None = None
    standards: dict[ServiceCode, dict[MomentKey, TargetEdit]] | None = None
    overrides: list[OverrideEdit] | None = Field(default=None, max_length=50)

    @model_validator(mode="after")
    def _feedback_scores(self) -> CycleUpdate:
        for per in (self.standards or {}).values():
            fb = per.get("feedback")
            if fb is None:
                continue
            for v in (fb.expected, fb.exclusive):
                if v is not None and (v < 1 or v > 5):
                    raise ValueError("feedback targets are scores from 1 to 5")
        return self

    def standards_dict(self) -> dict[str, dict[str, dict[str, float | None]]] | None:
        if self.standards is None:
            return None
        return {
            code: {m: t.model_dump(exclude_unset=True) for m, t in per.items()}
            for code, per in self.standards.items()
        }

    def overrides_list(self) -> list[dict[str, object]] | None:
        if self.overrides is None:
            return None
        return [
            {
                "label": o.label,
                "dates": [d.isoformat() for d in o.dates],
                "days_of_month": sorted(set(o.days_of_month)),
                "moments": [m for m in MOMENT_KEYS if m in o.moments],
                "factor": o.factor,
            }
            for o in self.overrides
        ]


# --- answers (docs/reports-api.md describes each) -------------------------------------------

Num = int | float  # a target as it was set: 60 stays 60, 1.5 stays 1.5


class CycleMoment(BaseModel):
    """A moment of the service cycle and whether missing it misses the standard."""

    key: MomentKey
    name: str = Field(examples=["Waiting"])
    measure: Literal["seconds", "score"]
    critical: bool = Field(description="missing it puts the ticket outside the standard")


class Target(BaseModel):
    """A moment's standard: seconds (a score 1..5 for feedback)."""

    expected: Num | None
    exclusive: Num | None = Field(description="null: no exclusive level for this moment")


class Override(BaseModel):
    """A calendar override: on matching dates the named moments' time targets are scaled."""

    label: str = ""
    dates: list[str] = Field(default_factory=list, examples=[["2026-12-31"]])
    days_of_month: list[int] = Field(default_factory=list, examples=[[1, 15]])
    moments: list[MomentKey] = Field(default_factory=list)
    factor: float = Field(description="> 1 looser, < 1 stricter", examples=[1.5])


class CyclePublic(BaseModel):
    """The branch's service-cycle map: moments, per-service standards and overrides."""

    branch: str
    moments: list[CycleMoment]
    standards: dict[str, dict[MomentKey, Target]] = Field(
        description="per service code, per moment",
        examples=[{"A": {"wait": {"expected": 600, "exclusive": 300}}}],
    )
    overrides: list[Override] = Field(description="the first matching override wins")
    updated_at: str | None = Field(description="null: never saved (the defaults)")


class ReportRow(BaseModel):
    """One group of the grouped report (``by`` day, hour, service, counter or teller)."""

    key: str | int | None = Field(
        description="the date, local hour (0..23), service code, counter label or teller "
        "username; null: tickets at no counter yet (never called, or transferred and not "
        "called again)",
        examples=["2026-03-02", 14, "A"],
    )
    label: str | None = Field(description="the key as a person reads it (service name...)")
    tickets: int = Field(description="tickets issued in the group")
    served: int = Field(description="tickets done")
    no_show: int
    wait_avg_s: float | None
    wait_p50_s: int | None
    wait_p90_s: int | None
    service_avg_s: float | None
    within_standard_pct: float | None = Field(
        description="judged tickets with no missed critical moment, percent"
    )
    feedback_avg: float | None
    feedback_n: int
    judged: int = Field(description="tickets with a measured critical moment")
    missed: int = Field(description="judged tickets with a missed critical moment")


class MomentRow(ReportRow):
    """One moment of the cycle (``by=moment``): ``tickets`` are those where it was measured
    and ``within_standard_pct`` the share of them that met its expected standard."""

    critical: bool
    met_expected: int
    met_exclusive: int
    value_avg: float | None = Field(description="seconds; a score for feedback")
    value_p50: float | None
    value_p90: float | None


class HeatmapPublic(BaseModel):
    """Arrivals and tickets with a missed critical moment, by ``[weekday][local hour]``
    (weekday 0 = Monday)."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from", description="first business date")
    to: str = Field(description="last business date")
    timezone: str
    arrivals: list[list[int]] = Field(description="7 rows of 24 hours")
    missed: list[list[int]] = Field(description="7 rows of 24 hours")


class MomentBreak(BaseModel):
    key: MomentKey
    critical: bool
    missed: int
    measured: int
    share_pct: float | None = Field(description="missed of measured, percent")


class ServiceBreak(BaseModel):
    key: str = Field(description="the service code")
    missed: int = Field(description="tickets with a missed critical moment")
    tickets: int
    share_pct: float | None


class HourBreak(BaseModel):
    key: int = Field(description="local hour of issue, 0..23")
    missed: int = Field(description="tickets with a missed critical moment")
    tickets: int
    share_pct: float | None


class BreaksPublic(BaseModel):
    """Where the cycle breaks: each list by ``missed``, most first."""

    tickets: int
    moments: list[MomentBreak]
    services: list[ServiceBreak]
    hours: list[HourBreak]


class SatisfactionBucket(BaseModel):
    """Feedback of the tickets whose wait lies in ``[from_s, to_s)``."""

    bucket: str = Field(examples=["0-2 min"])
    from_s: int
    to_s: int | None = Field(description="null for the last bucket")
    tickets: int
    feedback_n: int
    feedback_avg: float | None


class EstimateRow(BaseModel):
    """Quoted against actual wait of called tickets (error = actual − quoted)."""

    key: str = Field(description='the issued service code; "*" for the total row')
    tickets: int
    mae_s: float | None = Field(description="mean absolute error")
    bias_s: float | None = Field(description="mean error; > 0: customers waited longer")
    within_2min_pct: float | None
    within_target_pct: float | None = Field(
        description="share of quotes within max(2 min, 20 % of the actual wait)"
    )
    requotes: int = Field(
        description="re-quotes (the phone's figure moved by at least max(1 min, 10 %)) of "
        "the row's called tickets, made before the call"
    )
    requote_mae_s: float | None = Field(
        description="mean absolute error of the re-quotes against the wait that followed "
        "each (first call − re-quote); null: no re-quotes"
    )
    requote_within_target_pct: float | None = Field(
        description="share of re-quotes within max(2 min, 20 % of the wait that followed)"
    )
    drift: Literal["short", "long"] | None = Field(
        description='"short": quotes systematically too short (customers waited longer than '
        'told), "long": too long; set when the row has at least 20 quotes, |bias_s| >= 60 '
        "and within_target_pct < 80"
    )


class EstimatePoint(BaseModel):
    """A called ticket: the wait quoted at issue and the wait it had (first call − issue)."""

    service: str = Field(description="the issued service code")
    quoted_s: int
    actual_s: float


class EstimatePoints(BaseModel):
    """Quoted against actual wait of the range's called tickets, for a scatter chart."""

    points: list[EstimatePoint]
    total: int = Field(description="called tickets in the range (and service)")
    sampled: bool = Field(
        description="more than the points cap: every k-th ticket by id, evenly spread"
    )
    target_min_s: int = Field(
        description="the target band is ±max(target_min_s, target_share × the actual wait)",
        examples=[120],
    )
    target_share: float = Field(description="see target_min_s", examples=[0.2])


class RecoveryService(BaseModel):
    key: str = Field(description="the service code")
    missed: int
    recovered: int
    recovered_pct: float | None


class RecoveryPublic(BaseModel):
    """Tickets whose wait missed the standard, and those a recovery was logged for."""

    missed: int
    recovered: int
    recovered_pct: float | None
    actions: dict[str, int] = Field(
        description="recovery actions logged for the range's tickets",
        examples=[{"apologized": 20, "fast_tracked": 5}],
    )
    by_service: list[RecoveryService]
    feedback_avg_recovered: float | None
    feedback_avg_unrecovered: float | None


class TellerTime(BaseModel):
    """A teller's time at counters in the range, in seconds."""

    teller_id: int
    teller: str | None = Field(description="username")
    open_s: int = Field(description="counter open, serving or not")
    serving_s: int = Field(description="from call to finish or no-show")
    idle_s: int = Field(description="open but not serving")
    paused_s: int
    paused: dict[str, int] = Field(
        description="paused seconds by reason", examples=[{"lunch": 1800}]
    )
    tickets: int


class Suggestion(BaseModel):
    action: str = Field(examples=["open_counter", "resume_counter", "add_service"])
    counter_id: int
    counter: str = Field(description="the counter's label")
    service: str
    text: str = Field(examples=["open counter 3"])


class ServiceRisk(BaseModel):
    """A service's waiting customers predicted to miss the wait standard."""

    service: str
    waiting: int
    open_counters: int
    avg_service_s: float
    standard_wait_s: int
    at_risk: int = Field(description="waiting, predicted to miss the standard")
    missed: int = Field(description="waiting longer than the standard already")
    worst_predicted_wait_s: int | None = Field(description="null: no counter open for it")
    suggestions: list[Suggestion]


class StaffingService(BaseModel):
    service: str
    arrivals_per_h: float
    aht_s: float = Field(description="mean service time of recent done tickets")
    standard_wait_s: int
    counters_needed: int
    service_level_pct: float = Field(description="customers called within the standard")
    prob_wait_pct: float = Field(description="customers who wait at all (Erlang C)")


class StaffingHour(BaseModel):
    start: str = Field(description="the hour's start, UTC")
    local_hour: int
    weekday: int = Field(description="0 = Monday")
    services: list[StaffingService]
    counters_needed: int = Field(description="the sum over services")


class StaffingPublic(BaseModel):
    """Counters needed per service for the coming hours (Erlang C)."""

    generated_at: str
    weeks: int
    target_pct: float
    open_now: dict[str, int] = Field(description="open counters per service code")
    counters_open: int
    hours: list[StaffingHour]
