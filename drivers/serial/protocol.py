"""Framing for serial counter displays and keypads: bytes in, bytes out, no I/O.

A ``ProtocolAdapter`` turns commands ("show A042 on display 3") into frames and splits the
bytes a bus delivers into ``DeviceMessage`` s (a key press, a ping answer). Two adapters ship:
``sira-line`` (our documented ASCII line protocol, docs/serial-protocol.md) and ``stx-etx``
(a binary-addressed STX/ETX/BCC framing, the shape many LED counter displays use). A vendor
protocol is one more subclass registered with ``@register_protocol``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar, TypeVar

from drivers.base import DriverError

#: Keys a keypad may send (lower case, as ``Keypad.read_key`` returns them).
KEYS = frozenset({"next", "recall", "pause", "resume", "done", "noshow", "transfer"})


class ProtocolError(DriverError):
    """Bytes that do not follow the protocol (or text it cannot carry)."""


class FramingError(ProtocolError):
    """A frame is malformed: wrong start, missing fields, bad address."""


class ChecksumError(ProtocolError):
    """The checksum does not match: the line is noisy; the frame is dropped."""


class UnknownCommandError(ProtocolError):
    """A well-formed frame with a command or key this adapter does not know."""


class UnsupportedError(ProtocolError):
    """The device family has no such command (e.g. no brightness control)."""


@dataclass(frozen=True)
class DeviceMessage:
    """Something a device on the bus said: ``kind`` is "key", "pong", "ack" or "nak"."""

    address: int
    kind: str
    value: str = ""


class ProtocolAdapter(ABC):
    """Encodes commands for, and decodes messages from, one family of devices."""

    name: ClassVar[str]
    min_address: ClassVar[int] = 1
    max_address: ClassVar[int] = 99
    #: Longest text a display of this family shows.
    max_text: ClassVar[int] = 16

    def __init__(self, *, checksum: bool = True) -> None:
        self.checksum = checksum

    # -- host → device

    @abstractmethod
    def encode_show(self, address: int, text: str) -> bytes: ...

    @abstractmethod
    def encode_blank(self, address: int) -> bytes: ...

    def encode_brightness(self, address: int, level: int) -> bytes:
        """``level`` 0 (dimmest) to 9 (brightest)."""
        raise UnsupportedError(f"{self.name} has no brightness command")

    def encode_blink(self, address: int, times: int) -> bytes:
        """Blink what is shown ``times`` times (0 stops blinking)."""
        raise UnsupportedError(f"{self.name} has no blink command")

    def encode_ping(self, address: int) -> bytes:
        raise UnsupportedError(f"{self.name} has no ping command")

    # -- device → host

    @abstractmethod
    def split(self, buffer: bytearray) -> list[bytes]:
        """Remove every complete frame from ``buffer`` and return them (the rest stays)."""

    @abstractmethod
    def parse_frame(self, frame: bytes) -> DeviceMessage:
        """One frame → a message; raises a ProtocolError subclass."""

    def decode(self, buffer: bytearray) -> list[DeviceMessage | ProtocolError]:
        """Every complete frame in ``buffer``, parsed; bad frames come back as their error."""
        out: list[DeviceMessage | ProtocolError] = []
        for frame in self.split(buffer):
            try:
                out.append(self.parse_frame(frame))
            except ProtocolError as exc:
                out.append(exc)
        return out

    # -- helpers

    def check_address(self, address: int) -> int:
        if not self.min_address <= address <= self.max_address:
            raise FramingError(
                f"{self.name} address must be {self.min_address}..{self.max_address}, got {address}"
            )
        return address

    def check_text(self, text: str, *, forbidden: str = "") -> bytes:
        if len(text) > self.max_text:
            raise ProtocolError(f"{text!r} is longer than {self.max_text} characters")
        if any(not (" " <= ch <= "~") or ch in forbidden for ch in text):
            raise ProtocolError(f"{text!r}: {self.name} carries printable ASCII only")
        return text.encode("ascii")


_A = TypeVar("_A", bound=type[ProtocolAdapter])

#: Protocol name → adapter class; config files name a protocol by these keys.
PROTOCOLS: dict[str, type[ProtocolAdapter]] = {}


def register_protocol(cls: _A) -> _A:
    """Class decorator: make an adapter available under ``cls.name``."""
    PROTOCOLS[cls.name] = cls
    return cls


def xor_checksum(data: bytes) -> int:
    value = 0
    for byte in data:
        value ^= byte
    return value


# ---------------------------------------------------------------- Sira line protocol


@register_protocol
class SiraLineProtocol(ProtocolAdapter):
    """``@AA CMD [ARG]*CS\\r\\n``: ASCII, two-digit address, optional XOR checksum in hex."""

    name = "sira-line"
    min_address = 0  # 0 = every display on the bus (no device answers a broadcast)
    max_address = 99
    max_text = 32
    _KEYS_IN = {key.upper(): key for key in KEYS}

    def _frame(self, address: int, body: str) -> bytes:
        payload = f"{self.check_address(address):02d} {body}".encode("ascii")
        tail = b"*%02X" % xor_checksum(payload) if self.checksum else b""
        return b"@" + payload + tail + b"\r\n"

    def encode_show(self, address: int, text: str) -> bytes:
        if not text.strip():
            return self.encode_blank(address)
        return self._frame(address, "SHOW " + self.check_text(text, forbidden="*@").decode())

    def encode_blank(self, address: int) -> bytes:
        return self._frame(address, "BLANK")

    def encode_brightness(self, address: int, level: int) -> bytes:
        if not 0 <= level <= 9:
            raise ProtocolError(f"brightness must be 0..9, got {level}")
        return self._frame(address, f"BRIGHT {level}")

    def encode_blink(self, address: int, times: int) -> bytes:
        if not 0 <= times <= 99:
            raise ProtocolError(f"blink count must be 0..99, got {times}")
        return self._frame(address, f"BLINK {times}")

    def encode_ping(self, address: int) -> bytes:
        return self._frame(address, "PING")

    def split(self, buffer: bytearray) -> list[bytes]:
        frames: list[bytes] = []
        while (end := buffer.find(b"\n")) >= 0:
            line = bytes(buffer[:end]).rstrip(b"\r")
            del buffer[: end + 1]
            if line.strip():
                frames.append(line)
        return frames

    def parse_frame(self, frame: bytes) -> DeviceMessage:
        start = frame.find(b"@")  # line noise before '@' is skipped
        if start < 0:
            raise FramingError(f"no '@' in {frame!r}")
        try:
            text = frame[start + 1 :].decode("ascii")
        except UnicodeDecodeError as exc:
            raise FramingError(f"non-ASCII bytes in {frame!r}") from exc
        payload, star, given = text.partition("*")
        if star:
            if len(given) != 2 or not all(c in "0123456789ABCDEFabcdef" for c in given):
                raise FramingError(f"checksum must be two hex digits in {frame!r}")
            want = xor_checksum(payload.encode("ascii"))
            if int(given, 16) != want:
                raise ChecksumError(f"checksum {given} != {want:02X} in {frame!r}")
        elif self.checksum:
            raise ChecksumError(f"missing checksum in {frame!r}")
        fields = payload.split()
        if len(fields) < 2 or len(fields[0]) != 2 or not fields[0].isdigit():
            raise FramingError(f"expected '@AA CMD' in {frame!r}")
        address, command, args = int(fields[0]), fields[1].upper(), fields[2:]
        if command == "KEY" and len(args) == 1 and args[0].upper() in self._KEYS_IN:
            return DeviceMessage(address, "key", self._KEYS_IN[args[0].upper()])
        if command in {"PONG", "ACK"} and not args:
            return DeviceMessage(address, command.lower())
        if command == "NAK":
            return DeviceMessage(address, "nak", " ".join(args))
        raise UnknownCommandError(f"unknown message {' '.join(fields[1:])!r} from {address}")


# ---------------------------------------------------------------- STX/ETX example


@register_protocol
class StxEtxProtocol(ProtocolAdapter):
    """``STX addr cmd data ETX BCC``: one binary address byte, BCC = XOR of addr..ETX.

    The address byte is ``0x20 + address`` so it can never be mistaken for STX or ETX.

    Commands: ``S`` show text, ``C`` clear, ``L`` luminance (one digit), ``P`` poll.
    Devices send ``K`` + key letter (N next, R recall, P pause, ...) and ``A`` (poll answer).
    The checksum is always on: this framing has no variant without it.
    """

    name = "stx-etx"
    min_address = 1
    max_address = 0xFF - 0x20
    max_text = 8
    STX, ETX = 0x02, 0x03
    _KEY_LETTERS = {"N": "next", "R": "recall", "P": "pause", "S": "resume", "D": "done"}
    _KEY_LETTERS |= {"X": "noshow", "T": "transfer"}

    def _frame(self, address: int, command: bytes) -> bytes:
        body = bytes([0x20 + self.check_address(address)]) + command + bytes([self.ETX])
        return bytes([self.STX]) + body + bytes([xor_checksum(body)])

    def encode_show(self, address: int, text: str) -> bytes:
        if not text.strip():
            return self.encode_blank(address)
        return self._frame(address, b"S" + self.check_text(text))

    def encode_blank(self, address: int) -> bytes:
        return self._frame(address, b"C")

    def encode_brightness(self, address: int, level: int) -> bytes:
        if not 0 <= level <= 9:
            raise ProtocolError(f"brightness must be 0..9, got {level}")
        return self._frame(address, b"L%d" % level)

    def encode_ping(self, address: int) -> bytes:
        return self._frame(address, b"P")

    def split(self, buffer: bytearray) -> list[bytes]:
        frames: list[bytes] = []
        while True:
            start = buffer.find(self.STX)
            if start < 0:
                buffer.clear()  # noise with no frame start
                return frames
            del buffer[:start]
            end = buffer.find(self.ETX, 1)
            if end < 0 or end + 1 >= len(buffer):
                return frames  # incomplete: wait for ETX and the BCC byte
            frames.append(bytes(buffer[: end + 2]))
            del buffer[: end + 2]

    def parse_frame(self, frame: bytes) -> DeviceMessage:
        if len(frame) < 5 or frame[0] != self.STX or frame[-2] != self.ETX:
            raise FramingError(f"expected STX addr cmd .. ETX BCC, got {frame!r}")
        body = frame[1:-1]
        if xor_checksum(body) != frame[-1]:
            raise ChecksumError(f"BCC {frame[-1]:02X} != {xor_checksum(body):02X} in {frame!r}")
        if body[0] <= 0x20:
            raise FramingError(f"address byte {body[0]:02X} is below 0x21 in {frame!r}")
        address, command, data = body[0] - 0x20, body[1:2], body[2:-1]
        if command == b"K" and data.decode("latin-1") in self._KEY_LETTERS:
            return DeviceMessage(address, "key", self._KEY_LETTERS[data.decode("latin-1")])
        if command == b"A" and not data:
            return DeviceMessage(address, "pong")
        raise UnknownCommandError(f"unknown message {body[1:-1]!r} from {address}")
