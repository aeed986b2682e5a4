"""The vCard parser on recorded exports: one case per fixture file (FORMATS.md §7)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple
from zoneinfo import ZoneInfo

import pytest

from homebody.connectors.vcard.lines import decode_vcf
from homebody.connectors.vcard.parse import parse_vcards
from homebody.errors import BadRecord
from homebody.vault.items import Item, Kind

FIXTURES = Path(__file__).parent / "fixtures"
ALL_FIXTURES = sorted(str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*.vcf"))


def _parse(text: str, region: str = "US", zone: str = "UTC") -> list[Item | BadRecord]:
    return list(parse_vcards(text, file_name="x.vcf", region=region, zone=ZoneInfo(zone)))


def _items(name: str, region: str = "US") -> list[Item]:
    parsed = list(
        parse_vcards(decode_vcf((FIXTURES / name).read_bytes()), file_name=Path(name).name, region=region)
    )
    assert [p for p in parsed if isinstance(p, BadRecord)] == []
    return [p for p in parsed if isinstance(p, Item)]


class Person(NamedTuple):
    title: str
    given: str | None
    family: str | None
    emails: list[str]
    phones: list[str | None]
    birthday: str | None


CASES = [
    (
        "ez-vcard/gmail-list.vcf",
        [
            Person("Arnold Smith", "Arnold", "Smith", ["asmithk@gmail.com"], [], None),
            Person("Chris Beatle", "Chris", "Beatle", ["chrisy55d@yahoo.com"], [], None),
            Person("Doug White", "Doug", "White", ["dwhite@gmail.com"], [], None),
        ],
    ),
    (
        "ez-vcard/gmail-single.vcf",
        [
            Person(
                "Greg Dartmouth",
                "Greg",
                "Dartmouth",
                ["gdartmouth@hotmail.com"],
                ["+15555551111", "+15555552222"],
                "1960-09-10",
            )
        ],
    ),
    (
        "ez-vcard/gmail-single2.vcf",
        [
            Person(
                "VCard Test",
                "VCard",
                "Test",
                [
                    "email@example.com",
                    "homeemail@example.com",
                    "workemail@example.com",
                    "otheremail@example.com",
                    "customcategory@example.com",
                ],
                [f"+1555555{n}" for n in range(1111, 1122)],
                "1912-06-23",
            )
        ],
    ),
    (
        # vCard 2.1 with QP soft line breaks; its "phones" are words, which have no E.164 form.
        "ez-vcard/outlook-2003.vcf",
        [Person("John Doe III", "John", "Doe", ["jdoe@hotmail.com"], [None, None, None, None], "1980-03-21")],
    ),
    (
        "ez-vcard/outlook-2007.vcf",
        [
            Person(
                "Mr. Michael Angstadt Jr.",
                "Michael",
                "Angstadt",
                ["mike.angstadt@gmail.com"],
                ["+11115551111", "+11115552222", "+11115554444", "+11115553333"],
                "1922-03-10",
            )
        ],
    ),
    (
        "ez-vcard/rfc2426-example.vcf",
        [
            Person(
                "Frank Dawson",
                None,
                None,
                ["frank_dawson@lotus.com", "fdawson@earthlink.net"],
                ["+19196769515", "+19196769564"],
                None,
            ),
            Person("Tim Howes", None, None, ["howes@netscape.com"], ["+14159373419", "+14155284164"], None),
        ],
    ),
    (
        "ez-vcard/rfc6350-example.vcf",
        [
            Person(
                "Simon Perreault",
                "Simon",
                "Perreault",
                ["simon.perreault@viagenie.ca"],
                ["+14186569254", "+14182626501"],
                "--02-03",
            )
        ],
    ),
    (
        "ez-vcard/thunderbird-MoreFunctionsForAddressBook-extension.vcf",
        [
            Person(
                "John Doe",
                "John",
                "Doe",
                [
                    "doe.john@hotmail.com",
                    "additional-email@company.com",
                    "additional-email1@company.com",
                    "additional-email2@company.com",
                    "additional-email3@company.com",
                ],
                ["+15555551111", "+15555552222", "+15555555555", "+15555553333", "+15555554444"],
                "1970-09-21",
            )
        ],
    ),
    (
        "synthetic/android_contacts_export_v21_qp.vcf",
        [
            Person(
                "陈山姆",
                "山姆",
                "陈",
                ["sam.chen@example.net"],
                ["+15555550101", "+15555550102"],
                "1991-07-30",
            ),
            Person("Lucía Gómez", "Lucía Gómez", None, [], ["+34600000000"], None),
        ],
    ),
    (
        "synthetic/apple_contacts_export_v3.vcf",
        [
            Person(
                "Alex Rivera",
                "Alex",
                "Rivera",
                ["alex.rivera@example.com", "arivera@corp.example"],
                ["+15555550100", "+447700900999", "+15555550199"],
                "--02-14",
            ),
            Person("Corner Coffee Co", None, None, [], ["+15555550142"], None),
            Person("Sam Chen", "Sam", "Chen", ["sam.chen@example.net"], ["+15555550101"], "1991-07-30"),
        ],
    ),
    (
        "synthetic/google_contacts_export_v3.vcf",
        [
            Person(
                "Jordan Lee",
                "Jordan",
                "Lee",
                ["jordan.lee@example.org", "jlee@school.example.edu"],
                ["+15555550103"],
                "--02-14",
            )
        ],
    ),
    ("synthetic/icloud_group_v3.vcf", [Person("Ski Trip", None, "Ski Trip", [], [], None)]),
    ("vobject/radicale-1587.vcf", [Person("Given Family", "Given", "Family", [], [], None)]),
]


def test_every_fixture_has_a_case() -> None:
    assert sorted(name for name, _ in CASES) == ALL_FIXTURES


@pytest.mark.parametrize(("name", "people"), CASES, ids=[c[0] for c in CASES])
def test_fixture_cards(name: str, people: list[Person]) -> None:
    items = _items(name)
    got = [
        Person(
            i.title or "",
            i.meta["given"],
            i.meta["family"],
            i.meta["emails"],
            [p["e164"] for p in i.meta["phones"]],
            i.meta["birthday"],
        )
        for i in items
    ]
    assert got == people
    assert {i.kind for i in items} == {Kind.CONTACT}
    assert all(i.author is None and i.participants == () for i in items)
    assert all(i.origin.startswith(f"{Path(name).name}, card ") for i in items)
    assert all(isinstance(i.meta["photo"], bool) for i in items)
    json.dumps([i.meta for i in items])  # JSON-safe


# fixture, card index, meta key, expected value
DETAILS = [
    # QP-decoded non-ASCII text across soft line breaks whose continuation is not indented.
    ("synthetic/android_contacts_export_v21_qp.vcf", 0, "name", "陈山姆"),
    ("synthetic/android_contacts_export_v21_qp.vcf", 0, "nicknames", ["Sammy"]),
    ("synthetic/android_contacts_export_v21_qp.vcf", 0, "photo", True),
    ("synthetic/android_contacts_export_v21_qp.vcf", 1, "photo", False),
    ("ez-vcard/outlook-2003.vcf", 0, "orgs", ["Company, The"]),
    ("ez-vcard/outlook-2003.vcf", 0, "nicknames", ["Joey"]),
    ("ez-vcard/outlook-2007.vcf", 0, "photo", True),
    ("ez-vcard/outlook-2007.vcf", 0, "urls", ["http://mikeangstadt.name", "http://mikeangstadt.name"]),
    (
        "synthetic/apple_contacts_export_v3.vcf",
        0,
        "phones",
        [
            {"raw": "+1 (555) 555-0100", "e164": "+15555550100", "label": "mobile"},
            {"raw": "+44 7700 900999", "e164": "+447700900999", "label": "iPhone"},
            {"raw": "+1 555 555 0199", "e164": "+15555550199", "label": "Gym locker"},
        ],
    ),
    (
        "synthetic/apple_contacts_export_v3.vcf",
        0,
        "labels",
        [
            {"field": "url", "label": "home page", "value": "https://alex.example.com"},
            {"field": "related name", "label": "friend", "value": "Sam Chen"},
            {"field": "phone", "label": "Gym locker", "value": "+1 555 555 0199"},
        ],
    ),
    ("synthetic/apple_contacts_export_v3.vcf", 0, "orgs", ["Example Corp"]),
    ("synthetic/apple_contacts_export_v3.vcf", 0, "title", "Engineer"),
    ("synthetic/apple_contacts_export_v3.vcf", 0, "categories", ["Friends", "Work"]),
    (
        "synthetic/apple_contacts_export_v3.vcf",
        0,
        "urls",
        ["https://alex.example.com", "https://www.linkedin.com/in/alexrivera"],
    ),
    ("synthetic/apple_contacts_export_v3.vcf", 0, "photo", True),
    ("synthetic/apple_contacts_export_v3.vcf", 1, "company", True),
    ("synthetic/apple_contacts_export_v3.vcf", 2, "company", False),
    ("synthetic/google_contacts_export_v3.vcf", 0, "categories", ["myContacts", "Friends"]),
    (
        "synthetic/google_contacts_export_v3.vcf",
        0,
        "labels",
        [{"field": "email", "label": "School", "value": "jlee@school.example.edu"}],
    ),
    ("synthetic/icloud_group_v3.vcf", 0, "group", True),
    (
        "synthetic/icloud_group_v3.vcf",
        0,
        "members",
        ["5AD380FD-B2DE-4261-BA99-DE1D1DB52FBE", "9A8B7C6D-5E4F-4031-9281-716253443526"],
    ),
    # Google escapes the colon in URLs (`http\://`).
    ("ez-vcard/gmail-single.vcf", 0, "urls", ["http://TheProfile.com"]),
    ("ez-vcard/gmail-single.vcf", 0, "nicknames", ["Gman"]),
    (
        "ez-vcard/gmail-single.vcf",
        0,
        "related",
        [
            {"name": "MySpouse", "label": "spouse"},
            {"name": "MyCustom", "label": "CustomRelationship"},
        ],
    ),
    (
        "ez-vcard/gmail-single2.vcf",
        0,
        "phones",
        [
            {"raw": f"555555{n}", "e164": f"+1555555{n}", "label": label}
            for n, label in zip(
                range(1111, 1122),
                [
                    None,
                    "home",
                    "work",
                    None,
                    "mobile",
                    "main",
                    "home fax",
                    "work fax",
                    "GRAND_CENTRAL",
                    "pager",
                    "CustomePhoneCategory",
                ],
                strict=True,
            )
        ],
    ),
    ("ez-vcard/rfc6350-example.vcf", 0, "version", "4.0"),
    ("ez-vcard/thunderbird-MoreFunctionsForAddressBook-extension.vcf", 0, "orgs", ["TheOrganization"]),
    ("ez-vcard/thunderbird-MoreFunctionsForAddressBook-extension.vcf", 0, "title", "TheTitle"),
    ("ez-vcard/thunderbird-MoreFunctionsForAddressBook-extension.vcf", 0, "photo", True),
]


@pytest.mark.parametrize(("name", "index", "key", "expected"), DETAILS)
def test_fixture_details(name: str, index: int, key: str, expected: object) -> None:
    assert _items(name)[index].meta[key] == expected


# fixture, card index, a line the card's text must hold
TEXT_LINES = [
    (
        "synthetic/android_contacts_export_v21_qp.vcf",
        0,
        "Note: Met through Alex — 喜欢拉面. Long note that forces quoted-printable soft line breaks in the"
        " export.",
    ),
    ("ez-vcard/outlook-2003.vcf", 0, "Note: This is the note field!!\nSecond line\n\nThird line is empty"),
    ("ez-vcard/outlook-2003.vcf", 0, "Organisation: Company, The (TheDepartment)"),
    (
        "ez-vcard/outlook-2003.vcf",
        0,
        "Address: TheOffice, 123 Main St, Austin, TX 12345, United States of America (work)",
    ),
    (
        "ez-vcard/outlook-2007.vcf",
        0,
        "I assume it encodes this text inside a NOTE vCard type.\n"
        "But I'm not sure because there's text formatting going on here.\n"
        "It does not preserve the formatting",
    ),
    ("synthetic/apple_contacts_export_v3.vcf", 0, "Birthday: February 14"),
    ("synthetic/apple_contacts_export_v3.vcf", 0, "Phone: +1 555 555 0199 (Gym locker)"),
    (
        "synthetic/apple_contacts_export_v3.vcf",
        0,
        "Address: 123 Main St, Apt 4, Springfield, IL 62701, United States (home)",
    ),
    ("synthetic/apple_contacts_export_v3.vcf", 0, "Friend: Sam Chen"),
    (
        "synthetic/apple_contacts_export_v3.vcf",
        0,
        "Note: Met at the 2019 conference, likes ramen.\nSecond line.",
    ),
    (
        "synthetic/apple_contacts_export_v3.vcf",
        0,
        "Website: https://www.linkedin.com/in/alexrivera (linkedin)",
    ),
    ("synthetic/google_contacts_export_v3.vcf", 0, "Email: jlee@school.example.edu (School)"),
    ("synthetic/icloud_group_v3.vcf", 0, "Group: Ski Trip\nMembers: 2"),
    ("ez-vcard/rfc6350-example.vcf", 0, "Birthday: February 3"),
    ("ez-vcard/gmail-single.vcf", 0, "Address: 123 Home St, Home City, HM 12345 (home)"),
    (
        "ez-vcard/thunderbird-MoreFunctionsForAddressBook-extension.vcf",
        0,
        'the "note" field; even curse words.',
    ),
]


@pytest.mark.parametrize(("name", "index", "line"), TEXT_LINES)
def test_fixture_text(name: str, index: int, line: str) -> None:
    assert line in _items(name)[index].text


# fixture, native ids in card order
IDS = [
    (
        "synthetic/apple_contacts_export_v3.vcf",
        [
            "5AD380FD-B2DE-4261-BA99-DE1D1DB52FBE",
            "0B1C2D3E-4F50-4617-8293-A4B5C6D7E8F9",
            "9A8B7C6D-5E4F-4031-9281-716253443526",
        ],
    ),
    ("synthetic/icloud_group_v3.vcf", ["7E6D5C4B-3A29-4180-8F7E-6D5C4B3A2918"]),
]


@pytest.mark.parametrize(("name", "ids"), IDS)
def test_uid_or_apple_abuid_is_the_native_id(name: str, ids: list[str]) -> None:
    assert [i.native_id for i in _items(name)] == ids


def test_group_members_are_the_ids_of_the_cards_they_name() -> None:
    people = {i.native_id: i.title for i in _items("synthetic/apple_contacts_export_v3.vcf")}
    (group,) = _items("synthetic/icloud_group_v3.vcf")
    assert [people[m] for m in group.meta["members"]] == ["Alex Rivera", "Sam Chen"]


@pytest.mark.parametrize(
    ("name", "ts", "tz"),
    [
        ("ez-vcard/outlook-2003.vcf", datetime(2012, 10, 12, 21, 5, 25, tzinfo=UTC), "UTC"),
        ("ez-vcard/outlook-2007.vcf", datetime(2012, 8, 1, 18, 46, 31, tzinfo=UTC), "UTC"),
        ("synthetic/apple_contacts_export_v3.vcf", None, None),
    ],
)
def test_rev_is_the_time(name: str, ts: datetime | None, tz: str | None) -> None:
    item = _items(name)[0]
    assert (item.ts, item.tz) == (ts, tz)


def test_ids_are_stable_on_re_import() -> None:
    for name in ALL_FIXTURES:
        assert [i.native_id for i in _items(name)] == [i.native_id for i in _items(name)]
        assert [i.content_hash() for i in _items(name)] == [i.content_hash() for i in _items(name)]


def test_a_bad_card_in_the_middle_is_one_bad_record() -> None:
    text = (FIXTURES / "synthetic/apple_contacts_export_v3.vcf").read_bytes().decode("utf-8")
    text = text.replace("FN:Corner Coffee Co\r\n", "FN:Corner Coffee Co\r\nthis line has no colon\r\n")
    parsed = _parse(text)
    assert [type(p).__name__ for p in parsed] == ["Item", "BadRecord", "Item"]
    bad = parsed[1]
    assert isinstance(bad, BadRecord)
    assert (bad.file, bad.position, bad.reason) == ("x.vcf", "card 2, line 40", "unreadable content line")
    assert [p.title for p in parsed if isinstance(p, Item)] == ["Alex Rivera", "Sam Chen"]
