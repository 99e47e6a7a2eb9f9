"""Request shapes for the service-cycle map (responses are plain dicts, see docs/reports-api.md)."""

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
