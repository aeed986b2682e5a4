"""Cutting files into cards and lines: structure, encodings, QP, and fuzzing (FORMATS.md §7)."""

from __future__ import annotations

import json
import random
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homebody.connectors.vcard.lines import decode_vcf
from homebody.connectors.vcard.parse import parse_vcards
from homebody.errors import BadRecord
from homebody.vault.items import Item

FIXTURES = Path(__file__).parent / "fixtures"
ALL_FIXTURES = sorted(str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*.vcf"))


def _parse(text: str, region: str = "US", zone: str = "UTC") -> list[Item | BadRecord]:
    return list(parse_vcards(text, file_name="x.vcf", region=region, zone=ZoneInfo(zone)))


@pytest.mark.parametrize(
    ("text", "positions", "titles"),
    [
        # A card cut off by a new BEGIN, then one cut off by the end of the file.
        (
            "BEGIN:VCARD\nFN:A\nBEGIN:VCARD\nFN:B\nEND:VCARD\nBEGIN:VCARD\nFN:C",
            ["card 1, line 1", "card 3, line 6"],
            ["B"],
        ),
        ("notes before\nBEGIN:vCard\nFN:A\nEND:vCard\n\nafter\n", ["line 1", "line 6"], ["A"]),
        ("BEGIN:VCARD\nVERSION:3.0\nNOTE:only a note\nEND:VCARD\n", ["card 1, line 1"], []),
        # vCard 2.1 AGENT embeds another person's card: skipped, not a second contact.
        ("BEGIN:VCARD\nVERSION:2.1\nFN:A\nAGENT:\nBEGIN:VCARD\nFN:Agent\nEND:VCARD\nEND:VCARD", [], ["A"]),
        # Last line without a newline, bare CR line ends.
        ("BEGIN:VCARD\rFN:A\rEND:VCARD\rBEGIN:VCARD\rFN:B\rEND:VCARD", [], ["A", "B"]),
    ],
)
def test_structure(text: str, positions: list[str], titles: list[str]) -> None:
    parsed = _parse(text)
    assert [p.position for p in parsed if isinstance(p, BadRecord)] == positions
    assert [p.title for p in parsed if isinstance(p, Item)] == titles


@pytest.mark.parametrize(
    ("data", "title", "note"),
    [
        # QP with an unknown CHARSET: decoded anyway, as UTF-8 or Windows-1252.
        (
            b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=X-BOGUS;ENCODING=QUOTED-PRINTABLE:Luc=C3=ADa G=\r\n"
            b"=C3=B3mez\r\nNOTE;QUOTED-PRINTABLE;CHARSET=ISO-8859-1:caf=E9=0D=0Abar\r\nEND:VCARD\r\n",
            "Lucía Gómez",
            "café\nbar",
        ),
        # 8-bit Latin-1 bytes named by CHARSET, in a file that is not UTF-8.
        (
            b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=ISO-8859-1:Luc\xeda G\xf3mez\r\n"
            b"NOTE:\xa3 5\r\nEND:VCARD\r\n",
            "Lucía Gómez",
            "£ 5",
        ),
        ("BEGIN:VCARD\r\nFN:Zoë\r\nNOTE:ok\r\nEND:VCARD\r\n".encode("utf-16"), "Zoë", "ok"),
        (b"\xef\xbb\xbfBEGIN:VCARD\nFN:Zo\xc3\xab\nNOTE:ok\nEND:VCARD", "Zoë", "ok"),
        # A 2.1 base64 photo whose lines are not indented, ended by a blank line.
        (
            b"BEGIN:VCARD\nVERSION:2.1\nFN:A\nPHOTO;ENCODING=BASE64;TYPE=JPEG:/9j/AAAA\nBBBBCCCC\nDD==\n\n"
            b"NOTE:ok\nEND:VCARD",
            "A",
            "ok",
        ),
    ],
)
def test_encodings(data: bytes, title: str, note: str) -> None:
    (item,) = _parse(decode_vcf(data))
    assert isinstance(item, Item)
    assert item.title == title
    assert item.text.endswith(f"Note: {note}")


# --- fuzz ------------------------------------------------------------------------------------

_FRAGMENTS = [
    "BEGIN:VCARD",
    "begin:vcard",
    "END:VCARD",
    "VERSION:2.1",
    "VERSION:4.0",
    "FN:Sam",
    "N:Chen;Sam;;;",
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E9=99=88;=",
    "=E5=B1=B1",
    "NOTE;ENCODING=QUOTED-PRINTABLE:a=",
    "NOTE;QUOTED-PRINTABLE;CHARSET=utf-16:=FF",
    "TEL;CELL:+1 555-555-0101",
    "TEL;VALUE=uri:tel:+1-418;ext=",
    "TEL:99999999999999999999999999999",
    "EMAIL;type=INTERNET:A@B",
    "item1.X-ABLabel:_$!<>!$_",
    "item1.TEL:1",
    "BDAY:--1399",
    "BDAY;X-APPLE-OMIT-YEAR=1604:1604-02-30",
    "REV:99999999T999999Z",
    "REV:2024-01-01T00:00:00+99:00",
    "ADR:;;\\",
    "ORG:;;;",
    "AGENT:",
    "PHOTO;ENCODING=BASE64:AAAA",
    "AAAA==",
    " folded",
    "\tfolded",
    "",
    "garbage",
    'X-P;TYPE="a,b:c":v',
    "UID:urn:uuid:",
    "X-ADDRESSBOOKSERVER-MEMBER:urn:uuid:x",
    "X-ANDROID-CUSTOM:vnd.android.cursor.item/nickname",
    ":",
    ";;;:",
]


def _check(parsed: list[Item | BadRecord]) -> None:
    for p in parsed:
        assert isinstance(p, (Item, BadRecord))
        if isinstance(p, Item):
            json.dumps(p.meta)
            assert p.ts is None or p.ts.tzinfo is not None


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(_FRAGMENTS), max_size=40),
    st.sampled_from(["\r\n", "\n", "\r"]),
    st.sampled_from(["US", "GB", "ZZ", ""]),
)
def test_fuzz_generated_cards(fragments: list[str], newline: str, region: str) -> None:
    _check(_parse(newline.join(fragments), region=region))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(ALL_FIXTURES), st.integers(min_value=0, max_value=2**32 - 1), st.integers(1, 12))
def test_fuzz_mutated_fixture_bytes(name: str, seed: int, mutations: int) -> None:
    data = bytearray((FIXTURES / name).read_bytes())
    rng = random.Random(seed)
    for _ in range(mutations):
        at = rng.randrange(len(data) + 1)
        action = rng.randrange(3)
        if action == 0 and at < len(data):
            data[at] = rng.randrange(256)
        elif action == 1:
            del data[at : at + rng.randrange(1, 40)]
        else:
            data[at:at] = rng.choice(
                [b"=", b"\r\n", b":", b";", b"\\", b"BEGIN:VCARD\r\n", b"=\r\n", b"\xff"]
            )
    _check(_parse(decode_vcf(bytes(data))))
