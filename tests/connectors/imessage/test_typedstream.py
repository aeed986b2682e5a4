"""The hand-written attributedBody decoder on every recorded typedstream, and on damaged ones."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homebody.connectors.imessage.typedstream import TypedstreamError, decode_attributed_body

FIXTURES = Path(__file__).parent / "fixtures" / "attributedBody"
DRIVING = "Who's driving? I can take 4 people + skis. "


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("short_ascii.typedstream", "Noted, thanks!"),
        ("emoji.typedstream", "Yes! I'll grab a table \U0001f35c"),
        ("attachment_placeholder.typedstream", "\ufffcView from the trailhead"),
        ("long_over_127_bytes.typedstream", DRIVING * 4 + "\u2014 Alex"),
    ],
)
def test_every_fixture_decodes(name: str, text: str) -> None:
    assert decode_attributed_body((FIXTURES / name).read_bytes()) == text


def test_every_fixture_file_is_covered() -> None:
    assert sorted(p.name for p in FIXTURES.glob("*.typedstream")) == [
        "attachment_placeholder.typedstream",
        "emoji.typedstream",
        "long_over_127_bytes.typedstream",
        "short_ascii.typedstream",
    ]


def _stream(payload: bytes, length: bytes, class_ref: bytes = b"\x01\x95") -> bytes:
    """A typedstream shaped like Messages' own, with the given length encoding and class reference."""
    return (
        b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x19NSMutableAttributedString\x00"
        b"\x84\x84\x12NSAttributedString\x00\x84\x84\x08NSObject\x00\x85\x92\x84\x84\x84\x0f"
        b"NSMutableString\x01\x84\x84\x08NSString" + class_ref + b"\x84\x01+" + length + payload + b"\x86\x84"
    )


@pytest.mark.parametrize(
    ("blob", "text"),
    [
        (_stream(b"hi", b"\x02"), "hi"),
        (_stream(b"", b"\x00"), ""),
        (_stream(b"x" * 0x7F, b"\x7f"), "x" * 0x7F),
        (_stream(b"y" * 300, b"\x81" + struct.pack("<H", 300)), "y" * 300),
        (_stream(b"z" * 70000, b"\x82" + struct.pack("<I", 70000)), "z" * 70000),
        # Another archiver's class reference between the class name and the type tag.
        (_stream("caf\u00e9".encode(), b"\x05", class_ref=b"\x01\x94"), "caf\u00e9"),
    ],
)
def test_length_forms_and_class_references(blob: bytes, text: str) -> None:
    assert decode_attributed_body(blob) == text


@pytest.mark.parametrize(
    ("blob", "reason"),
    [
        (b"", "not a typedstream"),
        (b"bplist00\x00\x01", "not a typedstream"),
        (b"\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@NSNumber", "no NSString"),
        (b"\x04\x0bstreamtypedNSString" + b"\x00" * 40 + b"\x84\x01+\x02hi", "no string bytes"),
        (_stream(b"hi", b"\x05")[:-2], "past the end"),
        (_stream(b"", b"")[:-2], "ends before the string length"),
        (_stream(b"", b"\x81\x01")[:-2], "inside the string length"),
        (_stream(b"hi", b"\x83"), "unknown length tag"),
        (_stream(b"\xff\xfe", b"\x02"), "not UTF-8"),
    ],
)
def test_damaged_streams_raise_a_typedstream_error(blob: bytes, reason: str) -> None:
    with pytest.raises(TypedstreamError, match=reason):
        decode_attributed_body(blob)


_SEEDS = [p.read_bytes() for p in sorted(FIXTURES.glob("*.typedstream"))]


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(_SEEDS),
    st.lists(st.tuples(st.integers(0, 500), st.integers(0, 255)), max_size=8),
    st.integers(0, 500),
)
def test_mutated_streams_only_raise_typedstream_error(
    seed: bytes, flips: list[tuple[int, int]], cut: int
) -> None:
    data = bytearray(seed)
    for at, value in flips:
        if at < len(data):
            data[at] = value
    try:
        text = decode_attributed_body(bytes(data[: len(data) - cut % len(data)]))
    except TypedstreamError:
        return
    assert isinstance(text, str)
