"""Field values on small cards: REV, birthdays, phones, titles, ids without a UID."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from homebody.connectors.vcard.parse import parse_vcards
from homebody.errors import BadRecord
from homebody.vault.items import Item

FIXTURES = Path(__file__).parent / "fixtures"
ALL_FIXTURES = sorted(str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*.vcf"))


def _parse(text: str, region: str = "US", zone: str = "UTC") -> list[Item | BadRecord]:
    return list(parse_vcards(text, file_name="x.vcf", region=region, zone=ZoneInfo(zone)))


@pytest.mark.parametrize(
    ("rev", "ts", "tz", "assumed"),
    [
        ("2024-01-02T03:04:05+02:00", datetime(2024, 1, 2, 1, 4, 5, tzinfo=UTC), "+02:00", False),
        ("20240102T030405Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), "UTC", False),
        ("2024-07-02T03:04:05", datetime(2024, 7, 2, 2, 4, 5, tzinfo=UTC), "Europe/London", True),
        ("2024-01-02", datetime(2024, 1, 2, tzinfo=UTC), "date", False),
        ("yesterday", None, None, False),
    ],
)
def test_rev_forms(rev: str, ts: datetime | None, tz: str | None, assumed: bool) -> None:
    (item,) = _parse(f"BEGIN:VCARD\nVERSION:3.0\nFN:Sam\nREV:{rev}\nEND:VCARD\n", zone="Europe/London")
    assert isinstance(item, Item)
    assert (item.ts, item.tz, item.meta.get("tz_assumed", False)) == (ts, tz, assumed)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("BDAY:1991-07-30", "1991-07-30"),
        ("BDAY:19800321", "1980-03-21"),
        ("BDAY;VALUE=date:1991-07-30", "1991-07-30"),
        ("BDAY;X-APPLE-OMIT-YEAR=1604:1604-02-14", "--02-14"),
        ("BDAY;X-APPLE-OMIT-YEAR=1604;VALUE=date:1604-02-14", "--02-14"),
        ("BDAY:--0214", "--02-14"),
        ("BDAY:--02-14", "--02-14"),
        ("BDAY:--0229", "--02-29"),
        ("BDAY:1953-10-15T23:10:00Z", "1953-10-15"),
        ("BDAY:1991-02-30", None),
        ("BDAY;VALUE=text:circa 1800", None),
    ],
)
def test_birthdays(line: str, expected: str | None) -> None:
    (item,) = _parse(f"BEGIN:VCARD\nVERSION:3.0\nFN:Sam\n{line}\nEND:VCARD\n")
    assert isinstance(item, Item)
    assert item.meta["birthday"] == expected


@pytest.mark.parametrize(
    ("raw", "region", "expected"),
    [
        ("07700 900123", "GB", "+447700900123"),
        ("07700 900123", "US", None),
        ("(555) 555-0142", "US", "+15555550142"),
        ("+34 600 000 000", "GB", "+34600000000"),
        ("tel:+1-418-656-9254;ext=102", "US", "+14186569254"),
        ("123", "US", None),
        ("MobilePhone", "US", None),
    ],
)
def test_phones_in_e164_with_the_default_region(raw: str, region: str, expected: str | None) -> None:
    (item,) = _parse(f"BEGIN:VCARD\nFN:Sam\nTEL;TYPE=CELL:{raw}\nEND:VCARD", region=region)
    assert isinstance(item, Item)
    assert item.meta["phones"] == [{"raw": raw, "e164": expected, "label": "mobile"}]


def test_fallback_id_is_stable_across_re_exports() -> None:
    first = "BEGIN:VCARD\nVERSION:3.0\nFN:Sam Chen\nN:Chen;Sam;;;\nEMAIL:a@example.com\nEMAIL:B@example.com\n"
    first += "TEL:555-555-0101\nTEL:+44 7700 900999\nEND:VCARD\n"
    # Re-exported: other app, CRLF, emails and phones reordered and reformatted, new fields added.
    again = "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Chen;Sam;;;\r\nFN:Sam  Chen\r\nTEL;CELL:+447700900999\r\n"
    again += (
        "TEL;HOME:(555) 555-0101\r\nEMAIL:b@example.com\r\nEMAIL;PREF:a@example.com\r\nNOTE:new\r\nEND:VCARD"
    )
    renamed = first.replace("FN:Sam Chen", "FN:Samuel Chen")
    (a,), (b,), (c,) = _parse(first), _parse(again), _parse(renamed)
    assert isinstance(a, Item) and isinstance(b, Item) and isinstance(c, Item)
    assert a.native_id.startswith("sha256:") and len(a.native_id) == len("sha256:") + 32
    assert a.native_id == b.native_id
    assert c.native_id != a.native_id
    assert [p.native_id for p in _parse(first + first)] == [a.native_id, a.native_id + "#2"]


@pytest.mark.parametrize(
    ("lines", "title", "name"),
    [
        ("N:Chen;Sam;;Dr.;\nORG:Example Corp", "Dr. Sam Chen", "Dr. Sam Chen"),
        ("ORG:Example Corp;Research\nEMAIL:info@example.com", "Example Corp", "Example Corp"),
        # Company cards are titled by their organisation (X-ABShowAs, RFC 6350 KIND:org).
        (
            "FN:Corner Coffee\nORG:Corner Coffee Company\nX-ABShowAs:COMPANY",
            "Corner Coffee Company",
            "Corner Coffee",
        ),
        ("KIND:org\nFN:Shop\nORG:Shop Ltd", "Shop Ltd", "Shop"),
        ("EMAIL:Someone@Example.com", "someone@example.com", "someone@example.com"),
        ("TEL:555-0100", "555-0100", "555-0100"),
        ("FN:Doe\\, John", "Doe, John", "Doe, John"),
    ],
)
def test_titles(lines: str, title: str, name: str) -> None:
    (item,) = _parse(f"BEGIN:VCARD\nVERSION:3.0\n{lines}\nEND:VCARD")
    assert isinstance(item, Item)
    assert (item.title, item.meta["name"]) == (title, name)
