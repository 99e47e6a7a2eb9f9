"""What a kiosk may ask to hear: phrases of known kinds with bounded values, never free text.

The server words every phrase itself (``drivers.speech.guidance``) from these values and the
branch's own service names, so a device token cannot make it synthesise arbitrary text, and the
set of audio files stays small (waits are rounded before they are worded).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictInt

ServiceCode = Annotated[str, Field(min_length=1, max_length=4, pattern=r"^[A-Z][A-Z0-9]{0,3}$")]
TicketCode = Annotated[
    str, Field(min_length=2, max_length=8, pattern=r"^[A-Z][A-Z0-9]{0,3}\d{1,4}$")
]
Seconds = Annotated[StrictInt, Field(ge=0, le=7 * 24 * 3600)]


def _ordered(value: list[int] | None) -> list[int] | None:
    if value is not None and value[0] > value[1]:
        raise ValueError("a wait range is [low, high] with low no more than high")
    return value


# A quote's range as the screen shows it: two figures within a week, the lower first.
WaitRange = Annotated[
    list[Seconds] | None,
    Field(min_length=2, max_length=2, description="[low, high] seconds, as the screen shows it"),
    AfterValidator(_ordered),
]
Screen = Literal[
    "home",
    "priority_service",
    "priority",
    "closed",
    "unserved",
    "not_issued",
    "unavailable",
    "cut_off",
    "idle",
    "offline",
]
Control = Literal[
    "priority_entry",
    "reason_elderly",
    "reason_disabled",
    "reason_pregnant",
    "back",
    "cancel",
    "done",
    "try_again",
    "unserved_take",
    "more_time",
    "large_text",
    "high_contrast",
    "speech",
]
Day = Literal[
    "today",
    "tomorrow",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
]


class _Phrase(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SayScreen(_Phrase):
    """Where the customer is: said on arriving at a screen (and on the help key)."""

    say: Literal["screen"]
    screen: Screen
    service: ServiceCode | None = Field(default=None, description="for 'unserved'")
    day: Day | None = Field(default=None, description="for 'closed': the day it opens again")
    time: str | None = Field(
        default=None,
        pattern=r"^([01]\d|2[0-3]):[0-5]\d$",
        description="for 'closed': the time it opens again, HH:MM in the branch's zone",
    )


class SayKeys(_Phrase):
    """How to use the keypad."""

    say: Literal["keys"]


class SayLanguage(_Phrase):
    """The request's language named in itself ("Türkçe"), to be chosen with Enter."""

    say: Literal["language"]


class SayService(_Phrase):
    """A service as its button shows it: the figures are the ones on the screen."""

    say: Literal["service"]
    service: ServiceCode
    state: Literal["open", "unserved", "closed", "cut_off"] = "open"
    waiting: StrictInt = Field(default=0, ge=0, le=999)
    wait_s: Seconds | None = None
    wait_range_s: WaitRange = None
    rough: StrictBool = False
    priority: StrictBool = False


class SayControl(_Phrase):
    """A button's label (and a toggle's state)."""

    say: Literal["control"]
    control: Control
    pressed: StrictBool | None = None


class SayTicket(_Phrase):
    """The confirmation, with the figures the screen shows. The service and priority are the
    ticket's own (``service``, if sent, must be its service). ``spoken_number`` false keeps
    the number out of what a loudspeaker says (the customer has no headphones on)."""

    say: Literal["ticket"]
    code: TicketCode
    service: ServiceCode | None = None
    ahead: StrictInt = Field(ge=0, le=999)
    wait_s: Seconds | None = None
    wait_range_s: WaitRange = None
    rough: StrictBool = False
    unserved: StrictBool = False
    priority: StrictBool = Field(default=False, description="ignored: the ticket's own is said")
    print_status: Literal["printed", "failed", "none"] = "none"
    spoken_number: StrictBool = True


class SayVolume(_Phrase):
    say: Literal["volume"]
    level: StrictInt = Field(ge=1, le=10)


class SayAudioMode(_Phrase):
    say: Literal["audio_mode"]
    private: StrictBool


Phrase = Annotated[
    SayScreen
    | SayKeys
    | SayLanguage
    | SayService
    | SayControl
    | SayTicket
    | SayVolume
    | SayAudioMode,
    Field(discriminator="say"),
]


class SpeechRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lang: str = Field(
        min_length=2,
        max_length=8,
        pattern=r"^[a-z]{2,3}$",
        description="The voice: one of the branch's languages that this server can speak, or "
        "English when the branch has a language without a voice",
    )
    phrases: list[Phrase] = Field(min_length=1, max_length=12)


class Clip(BaseModel):
    say: str
    text: str = Field(description="what the clip says (for captions and support)")
    url: str = Field(description="GET it with the same token; audio/wav")


class SpeechAnswer(BaseModel):
    lang: str
    clips: list[Clip]
