"""Configuration shapes: Base → Create / Update / Public."""

from __future__ import annotations

from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)

from server.devices.config import DeviceConfig
from server.domain.announce import SUPPORTED_LANGS
from server.domain.calendar import check_zone
from server.domain.errors import DomainError
from server.domain.text import Line, Message, Name

LangCode = Literal["en", "tr", "el", "pl"]
ServiceCode = Field(min_length=1, max_length=4, pattern=r"^[A-Z][A-Z0-9]{0,3}$")
OrderMode = Literal["fifo", "service_order"]
PriorityMode = Literal["none", "strict", "ratio"]
TransferPlacement = Literal["first", "arrival"]


def _check_zone(value: str | None) -> str | None:
    if value is None:
        return value
    try:
        check_zone(value)
    except DomainError as exc:
        raise ValueError(exc.message) from exc
    return value


class BranchPolicy(BaseModel):
    order_mode: OrderMode | None = None
    priority_mode: PriorityMode | None = None
    priority_ratio: StrictInt | None = Field(default=None, ge=1, le=20)
    max_wait_s: StrictInt | None = Field(default=None, ge=60, le=86400)
    transfer_placement: TransferPlacement | None = None
    keep_waiting_at_close: StrictBool | None = None


class BranchCreate(BranchPolicy):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[a-z0-9][a-z0-9_-]*$")
    name: Name = Field(min_length=1, max_length=200)
    timezone: str = Field(default="UTC", max_length=64)
    languages: list[LangCode] = Field(
        default_factory=lambda: list[LangCode](["en"]),
        min_length=1,
        max_length=len(SUPPORTED_LANGS),
    )
    default_lang: LangCode | None = None
    message: Message = Field(default="", max_length=500)
    is_open: StrictBool = True

    _zone = field_validator("timezone")(_check_zone)

    @model_validator(mode="after")
    def _default_in_languages(self) -> BranchCreate:
        if self.default_lang is None:
            self.default_lang = self.languages[0]
        if self.default_lang not in self.languages:
            raise ValueError("default_lang must be one of languages")
        return self


class BranchUpdate(BranchPolicy):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = Field(default=None, min_length=1, max_length=200)
    timezone: str | None = Field(default=None, max_length=64)
    languages: list[LangCode] | None = Field(default=None, min_length=1)
    default_lang: LangCode | None = None
    message: Message | None = Field(default=None, max_length=500)
    is_open: StrictBool | None = None
    # max_wait_s: send null explicitly to remove the cap
    _zone = field_validator("timezone")(_check_zone)


def _check_names(v: dict[str, str] | None) -> dict[str, str] | None:
    for lang, name in (v or {}).items():
        if not name.strip() or len(name) > 120:
            raise ValueError(f"name in '{lang}' must be 1 to 120 characters")
    return v


class ServiceCreate(BaseModel):
    code: str = ServiceCode
    names: dict[LangCode, Name] = Field(min_length=1)
    standard_wait_s: StrictInt = Field(default=600, ge=30, le=86400)
    standard_service_s: StrictInt = Field(default=300, ge=10, le=86400)
    active: StrictBool = True
    sort_order: StrictInt = Field(default=0, ge=0, le=1000)

    @field_validator("names")
    @classmethod
    def _names_short(cls, v: dict[str, str]) -> dict[str, str]:
        return _check_names(v)  # type: ignore[return-value]


class ServiceUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    names: dict[LangCode, Name] | None = Field(default=None, min_length=1)
    standard_wait_s: StrictInt | None = Field(default=None, ge=30, le=86400)
    standard_service_s: StrictInt | None = Field(default=None, ge=10, le=86400)
    active: StrictBool | None = None
    sort_order: StrictInt | None = Field(default=None, ge=0, le=1000)

    _names = field_validator("names")(_check_names)


class CounterCreate(BaseModel):
    label: Name = Field(min_length=1, max_length=32)
    services: list[str] = Field(min_length=1, max_length=26)


class CounterUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    label: Name | None = Field(default=None, min_length=1, max_length=32)
    services: list[str] | None = Field(default=None, min_length=1, max_length=26)


class UserCreate(BaseModel):
    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
    password: str = Field(min_length=8, max_length=200)
    role: Literal["admin", "manager", "teller"]
    branch: str | None = Field(default=None, max_length=32)
    full_name: Line = Field(default="", max_length=200)


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str | None = Field(default=None, min_length=8, max_length=200)
    role: Literal["admin", "manager", "teller"] | None = None
    full_name: Line | None = Field(default=None, max_length=200)
    active: StrictBool | None = None


class DeviceCreate(BaseModel):
    branch: str = Field(min_length=1, max_length=32)
    kind: Literal["kiosk", "display", "speaker", "agent"]
    name: Name = Field(min_length=1, max_length=120)
    config: DeviceConfig = Field(default_factory=DeviceConfig)


class DeviceUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = Field(default=None, min_length=1, max_length=120)
    config: DeviceConfig | None = None
    active: StrictBool | None = None
