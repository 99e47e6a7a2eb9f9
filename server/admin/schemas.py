"""Configuration shapes: Base → Create / Update / Public."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from server.devices.config import DeviceConfig
from server.domain.announce import SUPPORTED_LANGS
from server.domain.calendar import check_zone
from server.domain.errors import DomainError
from server.domain.hours import (
    MAX_CUTOFF_MIN,
    HoursError,
    check_closed_dates,
    check_opening_hours,
)
from server.domain.ordering import OrderMode as OrderModeValue
from server.domain.ordering import PriorityMode as PriorityModeValue
from server.domain.ordering import TransferPlacement as TransferPlacementValue
from server.domain.roles import Role
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


def _field_problem(exc: HoursError) -> PydanticCustomError:
    # The domain's sentence as it is ("Tuesday: 13:00–12:00 ends before it starts") with its
    # kind and values, for a form to say it in its user's language.
    return PydanticCustomError(exc.kind, str(exc), dict(exc.ctx))


def _check_hours(value: dict[str, list[list[str]]] | None) -> dict[str, list[list[str]]] | None:
    if value is None:
        return value
    try:
        return check_opening_hours(value)
    except HoursError as exc:
        raise _field_problem(exc) from None


def _check_dates(value: list[str] | None) -> list[str] | None:
    if value is None:
        return value
    try:
        return check_closed_dates(value)
    except HoursError as exc:
        raise _field_problem(exc) from None


# Field settings shared by the create, update and public shapes.
OPENING_HOURS: dict[str, Any] = {
    "description": "when kiosks issue tickets, in the branch's timezone: "
    '{"mon": [["09:00", "17:00"]], ..., "sun": []}; up to 4 intervals a day; a day left out '
    "is closed; null: no hours (issued whenever the branch is open)",
    "examples": [{"mon": [["09:00", "12:30"], ["13:30", "17:00"]], "sat": [], "sun": []}],
}
CLOSED_DATES: dict[str, Any] = {
    "description": "whole days the branch is shut (YYYY-MM-DD); kept sorted, at most 400",
    "examples": [["2026-01-01", "2026-04-23"]],
}
CUTOFF: dict[str, Any] = {
    "description": "minutes before the branch closes (the end of an opening-hours interval) "
    "after which kiosks stop issuing tickets for this service; null: until closing",
}


class Versioned(BaseModel):
    """An edit made from a form: ``version`` is the row's version when the form was loaded."""

    version: StrictInt | None = Field(
        default=None,
        ge=1,
        description="the version you edited; refused (409 edited_elsewhere) if the row has "
        "changed since. Omit to overwrite whatever is there",
    )


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
    opening_hours: dict[str, list[list[str]]] | None = Field(default=None, **OPENING_HOURS)
    closed_dates: list[str] = Field(default_factory=list, max_length=1000, **CLOSED_DATES)

    _zone = field_validator("timezone")(_check_zone)
    _hours = field_validator("opening_hours")(_check_hours)
    _dates = field_validator("closed_dates")(_check_dates)

    @model_validator(mode="after")
    def _default_in_languages(self) -> BranchCreate:
        if self.default_lang is None:
            self.default_lang = self.languages[0]
        if self.default_lang not in self.languages:
            raise ValueError("default_lang must be one of languages")
        return self


class BranchUpdate(BranchPolicy, Versioned):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = Field(default=None, min_length=1, max_length=200)
    timezone: str | None = Field(default=None, max_length=64)
    languages: list[LangCode] | None = Field(default=None, min_length=1)
    default_lang: LangCode | None = None
    message: Message | None = Field(default=None, max_length=500)
    is_open: StrictBool | None = None
    # max_wait_s, opening_hours: send null explicitly to remove the cap or the hours
    opening_hours: dict[str, list[list[str]]] | None = Field(default=None, **OPENING_HOURS)
    closed_dates: list[str] | None = Field(default=None, max_length=1000, **CLOSED_DATES)
    _zone = field_validator("timezone")(_check_zone)
    _hours = field_validator("opening_hours")(_check_hours)
    _dates = field_validator("closed_dates")(_check_dates)


class BranchPublic(BaseModel):
    """A branch with its languages, message and call-ordering policy."""

    id: int
    code: str = Field(description="the branch's code in every URL", examples=["central"])
    name: str
    timezone: str = Field(description="IANA zone of its business day", examples=["Europe/Istanbul"])
    languages: list[str] = Field(examples=[["tr", "en"]])
    default_lang: str
    is_open: bool = Field(description="false: kiosks issue no tickets")
    message: str = Field(description="shown on kiosks and displays")
    order_mode: OrderModeValue
    priority_mode: PriorityModeValue
    priority_ratio: int = Field(description="ratio mode: a priority ticket every N calls")
    max_wait_s: int | None = Field(
        description="a ticket waiting longer is called first; null: no cap"
    )
    transfer_placement: TransferPlacementValue = Field(
        description="where a transferred ticket joins its new queue: first, or by arrival"
    )
    keep_waiting_at_close: bool = Field(
        description="tickets left waiting at the end of a day stay queued instead of cancelled"
    )
    opening_hours: dict[str, list[list[str]]] | None = Field(default=None, **OPENING_HOURS)
    closed_dates: list[str] = Field(default_factory=list, **CLOSED_DATES)
    logo_url: str | None = Field(
        default=None,
        description="the branch's logo (PUT/DELETE .../logo to change it); null: none",
    )
    version: int = Field(description="bumped by each change; send it back when editing")


class DayClosed(BaseModel):
    """The outcome of closing past business days now."""

    cancelled: int = Field(description="tickets of earlier days cancelled (reason day_closed)")


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
    cutoff_min: StrictInt | None = Field(default=None, ge=0, le=MAX_CUTOFF_MIN, **CUTOFF)

    @field_validator("names")
    @classmethod
    def _names_short(cls, v: dict[str, str]) -> dict[str, str]:
        return _check_names(v)  # type: ignore[return-value]


class ServiceUpdate(Versioned):
    model_config = ConfigDict(extra="forbid")

    names: dict[LangCode, Name] | None = Field(default=None, min_length=1)
    standard_wait_s: StrictInt | None = Field(default=None, ge=30, le=86400)
    standard_service_s: StrictInt | None = Field(default=None, ge=10, le=86400)
    active: StrictBool | None = None
    sort_order: StrictInt | None = Field(default=None, ge=0, le=1000)
    # send null explicitly to issue until closing again
    cutoff_min: StrictInt | None = Field(default=None, ge=0, le=MAX_CUTOFF_MIN, **CUTOFF)

    _names = field_validator("names")(_check_names)


class ServicePublic(BaseModel):
    """A service (its code is the ticket prefix) with its names and standards."""

    id: int
    branch_id: int
    code: str = Field(description="the ticket prefix", examples=["A"])
    names: dict[str, str] = Field(description="name per language", examples=[{"en": "Cash"}])
    standard_wait_s: int = Field(description="a customer should be called within this")
    standard_service_s: int = Field(description="a customer should be served within this")
    active: bool
    sort_order: int = Field(description="place on the kiosk, lowest first")
    cutoff_min: int | None = Field(default=None, **CUTOFF)
    version: int = Field(description="bumped by each change; send it back when editing")


class CounterCreate(BaseModel):
    label: Name = Field(min_length=1, max_length=32)
    services: list[str] = Field(min_length=1, max_length=26)


class CounterUpdate(Versioned):
    model_config = ConfigDict(extra="forbid")

    label: Name | None = Field(default=None, min_length=1, max_length=32)
    services: list[str] | None = Field(default=None, min_length=1, max_length=26)


class UserCreate(BaseModel):
    username: str = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
    password: str = Field(min_length=8, max_length=200)
    role: Literal["admin", "manager", "teller"]
    branch: str | None = Field(default=None, max_length=32)
    full_name: Line = Field(default="", max_length=200)
    must_change_password: StrictBool = Field(
        default=False, description="true: they must choose their own password at first sign-in"
    )


class UserUpdate(Versioned):
    model_config = ConfigDict(extra="forbid")

    password: str | None = Field(default=None, min_length=8, max_length=200)
    role: Literal["admin", "manager", "teller"] | None = None
    full_name: Line | None = Field(default=None, max_length=200)
    active: StrictBool | None = None
    must_change_password: StrictBool | None = Field(
        default=None, description="true with a new password: a reset the user must replace"
    )


class UserPublic(BaseModel):
    """A staff account (never its password)."""

    id: int
    username: str
    role: Role
    branch: str | None = Field(description="code of the user's own branch; null for an admin")
    full_name: str
    active: bool = Field(description="false: deactivated, cannot sign in")
    must_change_password: bool = Field(
        default=False, description="true: they choose a new password at their next sign-in"
    )
    version: int = Field(description="bumped by each change; send it back when editing")


class UserBranchesPublic(BaseModel):
    """The branches a manager oversees: their own and the extra ones."""

    branch: str | None = Field(description="code of the user's own branch")
    branches: list[str] = Field(description="codes of the extra branches overseen")


class DevicePublic(BaseModel):
    """A registered device (never its token)."""

    id: int
    branch: str = Field(description="code of the device's branch")
    kind: Role = Field(examples=["kiosk"])
    name: str
    config: dict[str, object] = Field(description="hardware settings, e.g. its printer")
    active: bool = Field(description="false: revoked, its token no longer works")
    last_seen_at: str | None = Field(description="last contact, ISO 8601; null: never seen")
    status: dict[str, object] = Field(
        description="what the device last reported of its hardware",
        examples=[{"printer": {"state": "ok", "detail": ""}}],
    )
    version: int = Field(description="bumped by each change; send it back when editing")


class DeviceCreated(DevicePublic):
    """A new device and its token, shown only this once."""

    token: str = Field(description="the device's bearer token; not shown again")


class DeviceCreate(BaseModel):
    branch: str = Field(min_length=1, max_length=32)
    kind: Literal["kiosk", "display", "speaker", "agent"]
    name: Name = Field(min_length=1, max_length=120)
    config: DeviceConfig = Field(default_factory=DeviceConfig)


class DeviceUpdate(Versioned):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = Field(default=None, min_length=1, max_length=120)
    config: DeviceConfig | None = None
    active: StrictBool | None = None
    branch: str | None = Field(
        default=None,
        min_length=1,
        max_length=32,
        description="move the device to this branch (its code; you must see both branches):"
        " its open screens reconnect and follow the new branch",
    )


class TestPrintResult(BaseModel):
    """What the printer answered to a test ticket (``queued``: handed to the device's agent,
    which prints it when it is connected)."""

    ok: bool = Field(description="true: printed (or queued for the agent)")
    state: str = Field(
        description="online | paper_near_end | paper_out | cover_open | offline | error |"
        " unknown | queued",
        examples=["online"],
    )
    detail: str = Field(description="the printer's or the server's words, may be empty")
