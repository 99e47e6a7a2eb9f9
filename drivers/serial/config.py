"""Typed configuration for serial displays and keypads, and the factory that builds them.

    {"kind": "serial-display", "port": "/dev/ttyUSB0", "baudrate": 9600,
     "protocol": "sira-line", "address": 3, "counter": "3"}

``parse_serial_config`` validates such a mapping (pydantic: a union discriminated by
``kind``; ``protocol`` must name a registered adapter and ``address`` fit its range) and
``build_serial_device`` turns it into a driver through the ``FACTORIES`` registry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator, model_validator

from drivers.serial.protocol import PROTOCOLS
from drivers.serial.transport import (
    BUSES,
    PortSettings,
    SerialBuses,
    SerialCounterDisplay,
    SerialKeypad,
)


class _SerialDeviceBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    port: str = Field(min_length=1, description="/dev/ttyUSB0, COM3, loop://, rfc2217://h:p")
    baudrate: int = Field(9600, gt=0, le=4_000_000)
    bytesize: Literal[7, 8] = 8
    parity: Literal["N", "E", "O"] = "N"
    stopbits: Literal[1, 2] = 1
    write_timeout_s: float = Field(1.0, gt=0, le=30)
    rs485_rts: bool = False
    protocol: str = "sira-line"
    checksum: bool = True
    address: int
    counter: str = Field(min_length=1, max_length=16)

    @field_validator("protocol")
    @classmethod
    def _known_protocol(cls, value: str) -> str:
        if value not in PROTOCOLS:
            raise ValueError(f"unknown protocol {value!r}; known: {', '.join(sorted(PROTOCOLS))}")
        return value

    @model_validator(mode="after")
    def _address_in_range(self) -> Self:
        adapter = PROTOCOLS[self.protocol]
        if not adapter.min_address <= self.address <= adapter.max_address:
            raise ValueError(
                f"address {self.address} is outside {adapter.min_address}..{adapter.max_address}"
                f" for protocol {self.protocol!r}"
            )
        return self

    def port_settings(self) -> PortSettings:
        return PortSettings(
            url=self.port,
            baudrate=self.baudrate,
            bytesize=self.bytesize,
            parity=self.parity,
            stopbits=self.stopbits,
            write_timeout_s=self.write_timeout_s,
            rs485_rts=self.rs485_rts,
        )


class SerialDisplayConfig(_SerialDeviceBase):
    kind: Literal["serial-display"] = "serial-display"
    brightness: int | None = Field(None, ge=0, le=9)
    blink_on_call: int = Field(3, ge=0, le=99)


class SerialKeypadConfig(_SerialDeviceBase):
    kind: Literal["serial-keypad"] = "serial-keypad"


SerialDeviceConfig = Annotated[
    SerialDisplayConfig | SerialKeypadConfig, Field(discriminator="kind")
]
_CONFIG: TypeAdapter[SerialDisplayConfig | SerialKeypadConfig] = TypeAdapter(SerialDeviceConfig)


def parse_serial_config(data: Mapping[str, Any]) -> SerialDisplayConfig | SerialKeypadConfig:
    """Validate one device's configuration; raises pydantic.ValidationError, field by field."""
    return _CONFIG.validate_python(data)


def _build_display(config: Any, buses: SerialBuses) -> SerialCounterDisplay:
    assert isinstance(config, SerialDisplayConfig)
    bus = buses.acquire(config.port_settings(), protocol=config.protocol, checksum=config.checksum)
    display = SerialCounterDisplay(
        bus,
        address=config.address,
        blink_on_call=config.blink_on_call,
        on_close=lambda: buses.release(bus),
    )
    if config.brightness is not None:
        try:
            display.set_brightness(config.brightness)
        except BaseException:
            display.close()
            raise
    return display


def _build_keypad(config: Any, buses: SerialBuses) -> SerialKeypad:
    assert isinstance(config, SerialKeypadConfig)
    bus = buses.acquire(config.port_settings(), protocol=config.protocol, checksum=config.checksum)
    return SerialKeypad(bus, address=config.address, on_close=lambda: buses.release(bus))


#: kind → factory. A new serial device kind adds one entry here.
FACTORIES: dict[str, Callable[[Any, SerialBuses], SerialCounterDisplay | SerialKeypad]] = {
    "serial-display": _build_display,
    "serial-keypad": _build_keypad,
}


def build_serial_device(
    config: SerialDisplayConfig | SerialKeypadConfig | Mapping[str, Any],
    *,
    buses: SerialBuses = BUSES,
) -> SerialCounterDisplay | SerialKeypad:
    """Open (or share) the port and return the display or keypad the config describes."""
    if not isinstance(config, SerialDisplayConfig | SerialKeypadConfig):
        config = parse_serial_config(config)
    return FACTORIES[config.kind](config, buses)
