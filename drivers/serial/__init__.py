"""Serial counter displays and keypads: framing per device family (protocol.py), one owner
per port (transport.py), typed configuration (config.py). See docs/serial-protocol.md."""

from drivers.serial.config import (
    FACTORIES,
    SerialDeviceConfig,
    SerialDisplayConfig,
    SerialKeypadConfig,
    build_serial_device,
    parse_serial_config,
)
from drivers.serial.protocol import (
    KEYS,
    PROTOCOLS,
    ChecksumError,
    DeviceMessage,
    FramingError,
    ProtocolAdapter,
    ProtocolError,
    SiraLineProtocol,
    StxEtxProtocol,
    UnknownCommandError,
    UnsupportedError,
    register_protocol,
)
from drivers.serial.transport import (
    BUSES,
    PortSettings,
    SerialBus,
    SerialBuses,
    SerialCounterDisplay,
    SerialKeypad,
)

__all__ = [
    "BUSES",
    "FACTORIES",
    "KEYS",
    "PROTOCOLS",
    "ChecksumError",
    "DeviceMessage",
    "FramingError",
    "PortSettings",
    "ProtocolAdapter",
    "ProtocolError",
    "SerialBus",
    "SerialBuses",
    "SerialCounterDisplay",
    "SerialDeviceConfig",
    "SerialDisplayConfig",
    "SerialKeypad",
    "SerialKeypadConfig",
    "SiraLineProtocol",
    "StxEtxProtocol",
    "UnknownCommandError",
    "UnsupportedError",
    "build_serial_device",
    "parse_serial_config",
    "register_protocol",
]
