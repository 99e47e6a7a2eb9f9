"""Framing, byte for byte: the Sira line protocol and the STX/ETX example adapter."""

from __future__ import annotations

import pytest

from drivers.serial import (
    PROTOCOLS,
    ChecksumError,
    DeviceMessage,
    FramingError,
    ProtocolError,
    SiraLineProtocol,
    StxEtxProtocol,
    UnknownCommandError,
    UnsupportedError,
)
from drivers.serial.protocol import xor_checksum


def line(payload: str) -> bytes:
    """A device → host line with its checksum, computed independently of the adapter."""
    cs = 0
    for byte in payload.encode():
        cs ^= byte
    return f"@{payload}*{cs:02X}\r\n".encode()


# ---------------------------------------------------------------- sira-line, host → device


def test_sira_line_golden_bytes() -> None:
    p = SiraLineProtocol()
    assert p.encode_show(3, "A042") == b"@03 SHOW A042*77\r\n"
    assert p.encode_blank(3) == b"@03 BLANK*69\r\n"
    assert p.encode_brightness(3, 7) == b"@03 BRIGHT 7*36\r\n"
    assert p.encode_blink(3, 3) == b"@03 BLINK 3*72\r\n"
    assert p.encode_ping(12) == b"@12 PING*33\r\n"
    assert (
        p.encode_show(0, "CLOSED")
        == b"@00 SHOW CLOSED*" + b"%02X" % xor_checksum(b"00 SHOW CLOSED") + b"\r\n"
    )
    # The checksum is the XOR of every byte between '@' and '*'.
    assert xor_checksum(b"03 SHOW A042") == 0x77


def test_sira_line_without_checksum_and_blank_text() -> None:
    p = SiraLineProtocol(checksum=False)
    assert p.encode_show(3, "A042") == b"@03 SHOW A042\r\n"
    assert p.encode_show(3, "") == b"@03 BLANK\r\n"
    assert p.encode_show(3, "   ") == b"@03 BLANK\r\n"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda p: p.encode_show(3, "Ä042"), "printable ASCII"),
        (lambda p: p.encode_show(3, "A*42"), "printable ASCII"),
        (lambda p: p.encode_show(3, "A042\r\n@04 SHOW X"), "printable ASCII"),
        (lambda p: p.encode_show(3, "X" * 33), "longer than 32"),
        (lambda p: p.encode_show(100, "A042"), "address must be 0..99"),
        (lambda p: p.encode_brightness(3, 10), "brightness must be 0..9"),
        (lambda p: p.encode_blink(3, -1), "blink count"),
    ],
)
def test_sira_line_refuses_what_it_cannot_carry(call, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        call(SiraLineProtocol())


# ---------------------------------------------------------------- sira-line, device → host


def test_sira_line_parses_keys_and_answers() -> None:
    p = SiraLineProtocol()
    buffer = bytearray(
        line("03 KEY NEXT") + line("03 KEY recall") + line("04 KEY PAUSE") + line("07 PONG")
    )
    assert p.decode(buffer) == [
        DeviceMessage(3, "key", "next"),
        DeviceMessage(3, "key", "recall"),
        DeviceMessage(4, "key", "pause"),
        DeviceMessage(7, "pong"),
    ]
    assert buffer == b""


def test_sira_line_detects_a_corrupted_line() -> None:
    p = SiraLineProtocol()
    good = line("03 KEY NEXT")
    noisy = good.replace(b"NEXT", b"NEXU")  # one bit flipped on the wire
    out = p.decode(bytearray(noisy + good))
    assert isinstance(out[0], ChecksumError)
    assert out[1] == DeviceMessage(3, "key", "next")


def test_sira_line_checksum_required_unless_disabled() -> None:
    bare = b"@03 KEY NEXT\r\n"
    with pytest.raises(ChecksumError, match="missing checksum"):
        SiraLineProtocol().parse_frame(bare.strip())
    assert SiraLineProtocol(checksum=False).parse_frame(bare.strip()) == DeviceMessage(
        3, "key", "next"
    )
    # A checksum that is present is always checked, even when not required.
    with pytest.raises(ChecksumError):
        SiraLineProtocol(checksum=False).parse_frame(b"@03 KEY NEXT*00")


@pytest.mark.parametrize(
    ("frame", "error"),
    [
        (b"03 KEY NEXT*53", FramingError),  # no '@'
        (b"@3 KEY NEXT", FramingError),  # one-digit address
        (b"@03", FramingError),  # no command
        (b"@03 KEY NEXT*5", FramingError),  # one hex digit
        (b"@03 KEY \xff", FramingError),  # not ASCII
        (b"@03 KEY ESCAPE", UnknownCommandError),
        (b"@03 SHOW A042", UnknownCommandError),  # a host command echoed back
    ],
)
def test_sira_line_typed_parse_errors(frame: bytes, error: type[ProtocolError]) -> None:
    with pytest.raises(error):
        SiraLineProtocol(checksum=False).parse_frame(frame)


def test_sira_line_split_keeps_a_partial_line_and_skips_noise() -> None:
    p = SiraLineProtocol()
    whole = line("03 KEY NEXT")
    buffer = bytearray(b"\x00\xfe" + whole + whole[:6])
    assert p.decode(buffer) == [DeviceMessage(3, "key", "next")]  # noise before '@' skipped
    assert buffer == whole[:6]
    buffer += whole[6:]
    assert p.decode(buffer) == [DeviceMessage(3, "key", "next")]
    assert buffer == b""


# ---------------------------------------------------------------- stx-etx example adapter


def test_stx_etx_golden_bytes() -> None:
    v = StxEtxProtocol()
    # STX, address 3 + 0x20, 'S', text, ETX, BCC (XOR of address .. ETX)
    body = b"\x23SA042\x03"
    assert v.encode_show(3, "A042") == b"\x02" + body + bytes([xor_checksum(body)])
    assert v.encode_show(3, "A042") == b"\x02#SA042\x03\x04"
    assert v.encode_blank(3) == b"\x02#C\x03c"
    assert v.encode_brightness(3, 5) == b"\x02#L5\x03\x59"
    assert v.encode_ping(200) == b"\x02\xe8P\x03\xbb"
    with pytest.raises(UnsupportedError):
        v.encode_blink(3, 3)
    with pytest.raises(ProtocolError, match="longer than 8"):
        v.encode_show(3, "A042-B043")


def test_stx_etx_parses_keys_and_detects_bad_bcc() -> None:
    v = StxEtxProtocol()
    key = b"\x02%KN\x03" + bytes([xor_checksum(b"%KN\x03")])  # address 5, NEXT
    bad = b"\x02%KR\x03\x00"
    pong = b"\x02%A\x03" + bytes([xor_checksum(b"%A\x03")])
    buffer = bytearray(b"noise" + key + bad + pong + key[:3])
    out = v.decode(buffer)
    assert out[0] == DeviceMessage(5, "key", "next")
    assert isinstance(out[1], ChecksumError)
    assert out[2] == DeviceMessage(5, "pong")
    assert buffer == key[:3]  # the partial frame waits for the rest


def test_registry_names_both_adapters() -> None:
    assert PROTOCOLS["sira-line"] is SiraLineProtocol
    assert PROTOCOLS["stx-etx"] is StxEtxProtocol
