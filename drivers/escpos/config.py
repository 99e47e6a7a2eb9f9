"""Typed printer configuration: a pydantic discriminated union keyed by ``transport``.

The server stores this as JSON under a device's ``config.printer`` and hands it to
``make_printer``; the same model validates ``PATCH /api/v1/admin/devices/{id}`` bodies, so
every rule here speaks in terms an administrator can act on.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from escpos.capabilities import CAPABILITIES
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)

from drivers.escpos.codepages import python_codec

TRANSPORTS = ("network", "serial", "usb", "file", "dummy")
BAUDRATES = (1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200)
_LANG = re.compile(r"^[a-z]{2,3}$")


def strip_controls(text: str) -> str:
    """Printed text without control characters (ESC/POS commands), newlines kept."""
    return "".join(c for c in text if c == "\n" or unicodedata.category(c) != "Cc")


def _usb_id(value: Any) -> Any:
    """USB ids are written in hex everywhere (lsusb, datasheets): accept "0x04b8" and "04b8"."""
    if isinstance(value, str):
        text = value.strip().lower().removeprefix("0x")
        if not re.fullmatch(r"[0-9a-f]{1,4}", text):
            raise ValueError(f"{value!r} is not a USB id; write it in hex like 0x04b8")
        return int(text, 16)
    return value


UsbId = Annotated[int, BeforeValidator(_usb_id), Field(ge=0, le=0xFFFF)]


class _PrinterBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    profile: str = Field("default", description='python-escpos profile, e.g. "TM-T88V"')
    paper_mm: Literal[80, 58] = 80
    timeout_s: float = Field(3.0, gt=0, le=60)
    codepages: dict[str, str] = Field(
        default_factory=dict, description='per-language code page override, {"tr": "CP857"}'
    )
    raster_fallback: bool = True
    raster_languages: list[str] = Field(
        default_factory=list, description="languages always printed as images"
    )
    logo_path: str | None = Field(None, max_length=1024)
    footer: str | None = Field(None, max_length=1000)

    @field_validator("profile")
    @classmethod
    def _known_profile(cls, value: str) -> str:
        profiles = CAPABILITIES["profiles"]
        if value not in profiles:
            known = ", ".join(sorted(profiles))
            raise ValueError(f"unknown printer profile {value!r}; known profiles: {known}")
        return value

    @field_validator("footer")
    @classmethod
    def _footer_text(cls, value: str | None) -> str | None:
        return None if value is None else strip_controls(value)

    @field_validator("raster_languages")
    @classmethod
    def _lang_codes(cls, value: list[str]) -> list[str]:
        for lang in value:
            if not _LANG.match(lang):
                raise ValueError(f"{lang!r} is not a language code like 'tr'")
        return value

    @model_validator(mode="after")
    def _codepages_in_profile(self) -> _PrinterBase:
        slots = {name for name in CAPABILITIES["profiles"][self.profile]["codePages"].values()}
        for lang, page in self.codepages.items():
            if not _LANG.match(lang):
                raise ValueError(f"codepages: {lang!r} is not a language code like 'tr'")
            if page not in slots:
                raise ValueError(
                    f"codepages.{lang}: profile {self.profile!r} has no code page {page!r}"
                )
            if python_codec(page) is None:
                raise ValueError(f"codepages.{lang}: code page {page!r} cannot be encoded")
        return self


class NetworkPrinterConfig(_PrinterBase):
    transport: Literal["network"]
    host: str = Field(min_length=1, max_length=253)
    port: int = Field(9100, ge=1, le=65535)

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9.\-:\[\]_]+", value):
            raise ValueError(f"{value!r} is not a host name or IP address")
        return value


class SerialPrinterConfig(_PrinterBase):
    transport: Literal["serial"]
    device: str = Field(min_length=1, description="/dev/ttyUSB0, COM3 or a pyserial URL")
    baudrate: int = 9600
    bytesize: Literal[5, 6, 7, 8] = 8
    parity: Literal["N", "E", "O", "M", "S"] = "N"
    stopbits: float = Field(default=1, description="1, 1.5 or 2")
    rtscts: bool = False
    dsrdtr: bool = False
    xonxoff: bool = False

    @field_validator("stopbits")
    @classmethod
    def _stopbits(cls, value: float) -> float:
        # A float Literal is not a type: the three values serial lines have.
        if value not in (1, 1.5, 2):
            raise ValueError("stopbits must be 1, 1.5 or 2")
        return value

    @field_validator("baudrate")
    @classmethod
    def _baudrate(cls, value: int) -> int:
        if value not in BAUDRATES:
            raise ValueError(f"baudrate {value} is not one of {', '.join(map(str, BAUDRATES))}")
        return value


class UsbPrinterConfig(_PrinterBase):
    transport: Literal["usb"]
    vendor_id: UsbId
    product_id: UsbId
    interface: int = Field(0, ge=0, le=255)
    in_ep: UsbId | None = Field(None, description="found from the interface when omitted")
    out_ep: UsbId | None = Field(None, description="found from the interface when omitted")


class FilePrinterConfig(_PrinterBase):
    transport: Literal["file"]
    path: str = Field(min_length=1, description="/dev/usb/lp0, or a file to append to")


class DummyPrinterConfig(_PrinterBase):
    transport: Literal["dummy"]


PrinterConfig = Annotated[
    NetworkPrinterConfig
    | SerialPrinterConfig
    | UsbPrinterConfig
    | FilePrinterConfig
    | DummyPrinterConfig,
    Field(discriminator="transport"),
]
_ADAPTER: TypeAdapter[PrinterConfig] = TypeAdapter(PrinterConfig)


class PrinterConfigError(ValueError):
    """The printer configuration is invalid; ``problems`` lists ``(field, message)`` pairs."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__(
            "; ".join(f"{where}: {what}" if where else what for where, what in problems)
        )


def parse_printer_config(data: Mapping[str, Any] | str | bytes) -> PrinterConfig:
    """Validate a printer configuration (a mapping or JSON text) into its typed model."""
    try:
        if isinstance(data, str | bytes):
            return _ADAPTER.validate_json(data)
        return _ADAPTER.validate_python(data)
    except ValidationError as exc:
        raise PrinterConfigError([_describe(err) for err in exc.errors()]) from None


def _describe(err: Any) -> tuple[str, str]:
    """One pydantic error as (dotted field, sentence) without the union-tag noise."""
    loc = [str(part) for part in err["loc"]]
    if err["type"] in ("union_tag_not_found", "union_tag_invalid"):
        given = err.get("ctx", {}).get("tag")
        head = f"{given!r} is not supported; " if given else "required; "
        return "transport", head + "use one of " + ", ".join(TRANSPORTS)
    if loc and loc[0] in TRANSPORTS:
        loc = loc[1:]
    message = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        message = "unknown field"
    if not loc and (found := re.match(r"^([\w.]+): (.*)$", message)):
        # Cross-field checks name their field in the message ("codepages.el: ...").
        return found.group(1), found.group(2)
    return ".".join(loc), message


def config_json_schema() -> dict[str, Any]:
    """JSON schema of the union, for API docs and admin forms."""
    return _ADAPTER.json_schema()


def dumps(config: PrinterConfig) -> str:
    """The configuration as JSON, as stored by the server."""
    return json.dumps(config.model_dump(mode="json"))
