"""The WhatsApp parser on recorded exports: one case per line-grammar variant (FORMATS.md §3)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homebody.connectors.whatsapp.parse import chat_name_from_filename, decode_export, parse_chat
from homebody.errors import BadRecord
from homebody.vault.items import Item, Kind

FIXTURES = Path(__file__).parent / "fixtures"


def _parse(
    name: str, zone: str = "Europe/London", chat: str = "Sam Chen", dayfirst: bool | None = None
) -> list[Item | BadRecord]:
    text = decode_export((FIXTURES / name).read_bytes())
    return list(
        parse_chat(text, chat_name=chat, file_name=Path(name).name, tz=ZoneInfo(zone), dayfirst=dayfirst)
    )


def _items(
    name: str, zone: str = "Europe/London", chat: str = "Sam Chen", dayfirst: bool | None = None
) -> list[Item]:
    parsed = _parse(name, zone, chat, dayfirst)
    assert not [p for p in parsed if isinstance(p, BadRecord)]
    return [p for p in parsed if isinstance(p, Item)]


def _text_items(text: str, chat: str = "x", zone: str = "UTC") -> list[Item]:
    parsed = list(parse_chat(text, chat_name=chat, file_name="x.txt", tz=ZoneInfo(zone)))
    assert all(isinstance(p, Item) for p in parsed)
    return [p for p in parsed if isinstance(p, Item)]


def _at(items: list[Item], line: int) -> Item:
    (item,) = [i for i in items if i.origin.endswith(f", line {line}")]
    return item


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


Expected = tuple[str | None, str, datetime]

MULTI = "Lorem ipsum dolor sit amet,\nconsectetur adipiscing elit. Duis libero."

# fixture, zone, chat name, count, (first author, text, utc), (last author, text, utc)
CASES = [
    (
        "chat_miner/test_ddmmyy_24hrs.txt",
        "Europe/London",
        "Groupname",
        9,
        ("John Doe", "Lorem ipsum dolor sit amet.", _utc(2019, 1, 1, 11, 25)),
        ("John Doe", MULTI, _utc(2021, 12, 30, 22, 1)),
    ),
    (
        "chat_miner/test_mmddyy_24hrs.txt",
        "America/New_York",
        "Groupname",
        9,
        ("John Doe", "Lorem ipsum dolor sit amet.", _utc(2019, 1, 1, 16, 25)),
        ("John Doe", MULTI, _utc(2021, 12, 31, 3, 1)),
    ),
    (
        "chat_miner/test_bracketed_mmddyy_24hrs.txt",
        "America/New_York",
        "Groupname",
        9,
        ("John Doe", "Lorem ipsum dolor sit amet.", _utc(2019, 1, 1, 16, 25)),
        ("John Doe", MULTI, _utc(2021, 12, 31, 3, 1)),
    ),
    (
        "chat_miner/test_mmddyyyy_12hrs.txt",
        "Europe/London",
        "Groupname",
        9,
        ("John Doe", "Lorem ipsum dolor sit amet.", _utc(2019, 1, 1, 11, 25)),
        ("John Doe", MULTI, _utc(2021, 12, 30, 22, 1)),
    ),
    (
        "chat_miner/test_yyyymmdd_24hrs.txt",
        "Europe/London",
        "Groupname",
        9,
        ("John Doe", "Lorem ipsum dolor sit amet.", _utc(2019, 1, 1, 11, 25)),
        ("John Doe", MULTI, _utc(2021, 12, 30, 22, 1)),
    ),
    (
        "synthetic/android_de_24h.txt",
        "Europe/Berlin",
        "Lena Vogel",
        3,
        ("Lena Vogel", "Treffen wir uns um 19:30 am Bahnhof?", _utc(2024, 1, 5, 17, 23)),
        ("Lena Vogel", "", _utc(2024, 1, 5, 17, 25)),
    ),
    (
        "synthetic/android_en-GB_24h_group.txt",
        "Europe/London",
        "Ski Trip 2024",
        16,
        (None, 'Sam Chen created group "Ski Trip 2024"', _utc(2024, 1, 12, 9, 14)),
        (
            "Jordan Lee",
            "POLL:\nWhich day for the night out?\nOPTION: Friday (2 votes)\nOPTION: Saturday (1 vote)",
            _utc(2024, 1, 13, 23, 59),
        ),
    ),
    (
        "synthetic/android_en-US_12h_nnbsp.txt",
        "America/New_York",
        "Sam Chen",
        9,
        ("Sam Chen", "Are we still on for 8:30 PM?", _utc(2024, 1, 5, 0, 3)),
        ("Sam Chen", "https://example.com/menu?item=42&size=L", _utc(2024, 1, 5, 14, 43)),
    ),
    (
        "synthetic/android_es_12h_pm_nbsp.txt",
        "Europe/Madrid",
        "Lucía Gómez",
        3,
        ("Lucía Gómez", "¿Nos vemos mañana?", _utc(2024, 6, 20, 18, 28)),
        ("Lucía Gómez", "", _utc(2024, 6, 20, 22, 5)),
    ),
    (
        "synthetic/android_fr_24h_nocomma.txt",
        "Europe/Paris",
        "Camille Martin",
        3,
        ("Camille Martin", "Bonne année en avance !", _utc(2023, 12, 30, 12, 0)),
        ("Camille Martin", "", _utc(2024, 1, 13, 12, 1)),
    ),
    (
        "synthetic/ios_ar_12h_rtl_arabic_digits.txt",
        "Asia/Riyadh",
        "+44 7700 900123",
        2,
        ("Alex Rivera", "Hello", _utc(2024, 3, 27, 18, 41, 35)),
        ("Alex Rivera", "", _utc(2024, 3, 27, 18, 41, 55)),
    ),
    (
        "synthetic/ios_de_24h.txt",
        "Europe/Berlin",
        "Lena Vogel",
        5,
        ("Lena Vogel", "Treffen wir uns um 19:30 am Bahnhof?", _utc(2024, 1, 5, 17, 23, 2)),
        (
            "Lena Vogel",
            "Standort: https://maps.google.com/?q=52.5251,13.3694",
            _utc(2024, 1, 5, 17, 26),
        ),
    ),
    (
        "synthetic/ios_en-US_12h_nnbsp_crlf.txt",
        "America/New_York",
        "Sam Chen",
        12,
        ("Sam Chen", "Are we still on for 8:30?", _utc(2024, 1, 5, 0, 3, 40)),
        (None, "Your security code with Sam Chen changed. Tap to learn more.", _utc(2024, 1, 5, 0, 12)),
    ),
    (
        "synthetic/ios_ja_reiwa_era_year.txt",
        "Asia/Tokyo",
        "Sam Chen",
        1,
        ("Alex Rivera", "Reiwa 6 = 2024", _utc(2024, 3, 27, 12, 41, 35)),
        ("Alex Rivera", "Reiwa 6 = 2024", _utc(2024, 3, 27, 12, 41, 35)),
    ),
    (
        "synthetic/ios_th_buddhist_era_year.txt",
        "Asia/Bangkok",
        "Sam Chen",
        1,
        ("Alex Rivera", "Hello from 2024 (Buddhist year 2567)", _utc(2024, 3, 27, 14, 41, 35)),
        ("Alex Rivera", "Hello from 2024 (Buddhist year 2567)", _utc(2024, 3, 27, 14, 41, 35)),
    ),
    (
        "synthetic/ios_zh_ymd_nocomma.txt",
        "Asia/Shanghai",
        "陈山姆",
        2,
        ("陈山姆", "明天见", _utc(2024, 10, 31, 7, 50, 46)),
        ("Alex Rivera", "好的 👍", _utc(2024, 10, 31, 7, 51, 2)),
    ),
]


@pytest.mark.parametrize(("name", "zone", "chat", "count", "first", "last"), CASES)
def test_fixture_messages(
    name: str, zone: str, chat: str, count: int, first: Expected, last: Expected
) -> None:
    items = _items(name, zone, chat)
    assert len(items) == count
    assert (items[0].author, items[0].text, items[0].ts) == first
    assert (items[-1].author, items[-1].text, items[-1].ts) == last


@pytest.mark.parametrize(("name", "zone", "chat", "count", "first", "last"), CASES)
def test_items_carry_chat_zone_and_source_line(
    name: str, zone: str, chat: str, count: int, first: Expected, last: Expected
) -> None:
    items = _items(name, zone, chat)
    authors = [i.author for i in items if i.author is not None]
    for item in items:
        assert item.kind is Kind.MESSAGE
        assert item.tz == zone
        assert item.meta["tz_assumed"] is True
        assert item.thread == f"whatsapp:{chat}"
        assert item.title is None
        assert item.participants == tuple(dict.fromkeys(authors))
        assert item.origin.startswith(f"{Path(name).name}, line ")
    assert len({i.native_id for i in items}) == len(items)


# The end-to-end-encryption notice is skipped in every locale (FORMATS.md §3 "System lines").
@pytest.mark.parametrize(
    ("name", "chat"),
    [
        ("synthetic/android_de_24h.txt", "Lena Vogel"),
        ("synthetic/android_en-GB_24h_group.txt", "Ski Trip 2024"),
        ("synthetic/android_en-US_12h_nnbsp.txt", "Sam Chen"),
        ("synthetic/ios_ar_12h_rtl_arabic_digits.txt", "+44 7700 900123"),
        ("synthetic/ios_de_24h.txt", "Lena Vogel"),
        ("synthetic/ios_en-US_12h_nnbsp_crlf.txt", "Sam Chen"),
        # A bare _chat.txt whose name does not tell the chat: the notice's author does.
        ("synthetic/ios_ja_reiwa_era_year.txt", "_chat"),
        ("synthetic/ios_th_buddhist_era_year.txt", "Sam Chen"),
    ],
)
def test_encryption_notice_is_skipped(name: str, chat: str) -> None:
    items = _items(name, chat=chat)
    assert not [i for i in items if i.origin.endswith(", line 1")]


# fixture, zone, line, expected UTC: day/month order inferred over the whole file.
@pytest.mark.parametrize(
    ("name", "zone", "line", "expected"),
    [
        ("chat_miner/test_ddmmyy_24hrs.txt", "Europe/London", 5, _utc(2020, 6, 10, 14, 55)),
        ("chat_miner/test_mmddyy_24hrs.txt", "Europe/London", 5, _utc(2020, 6, 10, 14, 55)),
        ("chat_miner/test_mmddyyyy_12hrs.txt", "Europe/London", 6, _utc(2020, 6, 19, 23, 8)),
        ("chat_miner/test_mmddyyyy_12hrs.txt", "Europe/London", 9, _utc(2021, 12, 20, 12, 10)),
        # All dates ambiguous (1/4/24 … 1/5/24): a US rendering is month-first, not 1 April.
        ("synthetic/android_en-US_12h_nnbsp.txt", "America/New_York", 4, _utc(2024, 1, 5, 4, 59)),
        ("synthetic/android_en-US_12h_nnbsp.txt", "America/New_York", 5, _utc(2024, 1, 5, 5, 0)),
        ("synthetic/ios_en-US_12h_nnbsp_crlf.txt", "America/New_York", 7, _utc(2024, 1, 5, 0, 7, 15)),
        ("synthetic/android_fr_24h_nocomma.txt", "Europe/Paris", 2, _utc(2024, 1, 13, 12, 0)),
        ("synthetic/android_es_12h_pm_nbsp.txt", "Europe/Madrid", 2, _utc(2024, 6, 20, 18, 29)),
        ("synthetic/ios_ja_reiwa_era_year.txt", "Asia/Tokyo", 2, _utc(2024, 3, 27, 12, 41, 35)),
    ],
)
def test_day_month_order_and_clock(name: str, zone: str, line: int, expected: datetime) -> None:
    assert _at(_items(name, zone), line).ts == expected


def test_dayfirst_override_reads_ambiguous_dates_the_other_way() -> None:
    items = _items("synthetic/android_en-US_12h_nnbsp.txt", "America/New_York", dayfirst=True)
    assert _at(items, 2).ts == _utc(2024, 4, 1, 23, 3)


def test_ambiguous_24h_slash_dates_default_to_day_first() -> None:
    text = "03/04/2024, 10:00 - Sam Chen: hi\n05/04/2024, 11:00 - Alex Rivera: hello"
    items = _text_items(text)
    assert [i.ts for i in items] == [_utc(2024, 4, 3, 10), _utc(2024, 4, 5, 11)]


def test_ambiguous_dates_follow_chronological_order() -> None:
    # Read day-first, 02/01 → 01/02 would go back in time; month-first keeps the order.
    text = "01/02/2024, 10:00 - Sam: a\n01/03/2024, 10:00 - Sam: b\n02/01/2024, 10:00 - Sam: c"
    items = _text_items(text)
    assert [i.ts for i in items] == [_utc(2024, 1, 2, 10), _utc(2024, 1, 3, 10), _utc(2024, 2, 1, 10)]


@pytest.mark.parametrize(
    ("name", "line", "text"),
    [
        (
            "synthetic/android_en-GB_24h_group.txt",
            5,
            "Hi all! Dates: 8-11 Feb\nCabin sleeps 6.\n\nDeposit due Friday: £120 each",
        ),
        (
            "synthetic/ios_en-US_12h_nnbsp_crlf.txt",
            7,
            "Line one\nline two of the same message\n\nline four after a blank line",
        ),
        ("synthetic/android_en-GB_24h_group.txt", 13, "Time: 10:30 - meet at station: platform 4"),
        ("chat_miner/test_ddmmyy_24hrs.txt", 5, "Lorem ipsum : dolor sit amet."),
    ],
)
def test_multi_line_and_colon_text(name: str, line: int, text: str) -> None:
    assert _at(_items(name), line).text == text


@pytest.mark.parametrize(
    ("name", "chat", "line", "text"),
    [
        ("synthetic/android_en-GB_24h_group.txt", "Ski Trip 2024", 3, "Sam Chen added you"),
        ("synthetic/android_en-GB_24h_group.txt", "Ski Trip 2024", 19, "+44 7700 900123 left"),
        (
            "synthetic/android_en-GB_24h_group.txt",
            "Ski Trip 2024",
            17,
            'Sam Chen changed the subject from "Ski Trip 2024" to "Ski Trip 2024 🏔️"',
        ),
        (
            "synthetic/android_en-US_12h_nnbsp.txt",
            "Sam Chen",
            8,
            "Your security code with Sam Chen changed. Tap to learn more.",
        ),
        (
            "synthetic/ios_en-US_12h_nnbsp_crlf.txt",
            "Sam Chen",
            16,
            "Your security code with Sam Chen changed. Tap to learn more.",
        ),
        ("chat_miner/test_bracketed_mmddyy_24hrs.txt", "Groupname", 7, "You were added"),
    ],
)
def test_system_lines_have_no_author(name: str, chat: str, line: int, text: str) -> None:
    items = _items(name, chat=chat)
    item = _at(items, line)
    assert (item.author, item.text, item.meta.get("system")) == (None, text, True)
    assert all(not i.meta.get("system") for i in items if i.author is not None)


def test_system_line_with_colon_inside_quotes_is_not_a_message() -> None:
    text = '12/01/2024, 09:27 - Sam Chen changed the subject from "Plans: Feb" to "Ski"'
    (item,) = parse_chat(text, chat_name="Ski", file_name="x.txt", tz=ZoneInfo("UTC"))
    assert isinstance(item, Item)
    assert (item.author, item.meta.get("system"), item.participants) == (None, True, ())


@pytest.mark.parametrize(
    ("name", "line", "attachments", "text"),
    [
        ("synthetic/android_en-GB_24h_group.txt", 9, ["<media omitted>"], ""),
        (
            "synthetic/android_en-GB_24h_group.txt",
            10,
            ["IMG-20240112-WA0003.jpg"],
            "The view from last year",
        ),
        ("synthetic/android_en-GB_24h_group.txt", 16, ["<view-once omitted>"], ""),
        ("synthetic/android_de_24h.txt", 3, ["<media omitted>"], ""),
        ("synthetic/android_es_12h_pm_nbsp.txt", 3, ["<media omitted>"], ""),
        ("synthetic/android_fr_24h_nocomma.txt", 3, ["<media omitted>"], ""),
        ("synthetic/android_en-US_12h_nnbsp.txt", 6, ["PTT-20240105-WA0001.opus"], ""),
        ("synthetic/android_en-US_12h_nnbsp.txt", 7, ["Sam Chen.vcf"], ""),
        ("synthetic/ios_en-US_12h_nnbsp_crlf.txt", 3, ["<image omitted>"], ""),
        (
            "synthetic/ios_en-US_12h_nnbsp_crlf.txt",
            4,
            ["00000012-PHOTO-2024-01-04-19-04-09.jpg"],
            "",
        ),
        ("synthetic/ios_en-US_12h_nnbsp_crlf.txt", 6, ["00000014-Menu.pdf"], "Menu.pdf • 3 pages"),
        ("synthetic/ios_en-US_12h_nnbsp_crlf.txt", 15, ["<sticker omitted>"], ""),
        ("synthetic/ios_de_24h.txt", 3, ["<image omitted>"], ""),
        ("synthetic/ios_de_24h.txt", 4, ["<audio omitted>"], ""),
        ("synthetic/ios_ar_12h_rtl_arabic_digits.txt", 3, ["<image omitted>"], ""),
    ],
)
def test_media_placeholders_become_attachments(
    name: str, line: int, attachments: list[str], text: str
) -> None:
    item = _at(_items(name), line)
    assert (item.meta.get("attachments"), item.text) == (attachments, text)
    assert item.author is not None


@pytest.mark.parametrize(
    ("name", "line", "author"),
    [
        ("synthetic/android_en-GB_24h_group.txt", 12, "Alex Rivera"),
        ("synthetic/android_de_24h.txt", 4, "Lena Vogel"),
        ("synthetic/ios_de_24h.txt", 5, "Lena Vogel"),
        ("synthetic/ios_en-US_12h_nnbsp_crlf.txt", 11, "Sam Chen"),
        ("synthetic/ios_en-US_12h_nnbsp_crlf.txt", 12, "Alex Rivera"),
    ],
)
def test_deleted_messages_are_flagged(name: str, line: int, author: str) -> None:
    item = _at(_items(name), line)
    assert (item.author, item.text, item.meta.get("deleted")) == (author, "", True)


def test_edited_marker_is_removed_from_text() -> None:
    item = _at(_items("synthetic/ios_en-US_12h_nnbsp_crlf.txt"), 13)
    assert (item.text, item.meta.get("edited")) == ("On my way", True)


def test_invisible_marks_are_stripped_from_authors_and_text() -> None:
    text = (
        "\u200f[١٨\u200f/٣\u200f/٢٠٢٤، ٢:٥٦:٠٠\u00a0م] \u202a+44\u00a07700\u00a0900123\u202c: "
        "\u200eسلام \u200e\u202a+1 555 0101\u202c"
    )
    (item,) = parse_chat(text, chat_name="x", file_name="x.txt", tz=ZoneInfo("UTC"))
    assert isinstance(item, Item)
    assert (item.author, item.text) == ("+44 7700 900123", "سلام +1 555 0101")
    assert item.ts == _utc(2024, 3, 18, 14, 56)


GB = (FIXTURES / "synthetic/android_en-GB_24h_group.txt").read_text(encoding="utf-8")


def _ids(text: str) -> list[str]:
    parsed = parse_chat(text, chat_name="Ski Trip 2024", file_name="a.txt", tz=ZoneInfo("UTC"))
    return [p.native_id for p in parsed if isinstance(p, Item)]


def test_ids_survive_a_later_export_with_more_messages() -> None:
    later = GB + "\n14/01/2024, 08:00 - Sam Chen: Friday it is\n14/01/2024, 08:01 - Dana: 👍\n"
    before, after = _ids(GB), _ids(later)
    assert len(after) == len(before) + 2
    assert after[: len(before)] == before


def test_ids_do_not_depend_on_line_numbers() -> None:
    # An export capped to recent history starts later in the chat: the same messages keep their ids.
    truncated = "\n".join(GB.split("\n")[8:])
    assert _ids(truncated) == _ids(GB)[-len(_ids(truncated)) :]
    assert len(_ids(truncated)) == 12


def test_ids_differ_between_chats_and_zones_do_not_matter() -> None:
    text = "12/01/2024, 09:14 - Sam: hi"
    one = _text_items(text, chat="A")
    two = _text_items(text, chat="B")
    three = _text_items(text, chat="A", zone="Asia/Tokyo")
    assert one[0].native_id != two[0].native_id
    assert one[0].native_id == three[0].native_id


def test_repeated_identical_messages_get_distinct_stable_ids() -> None:
    line = "12/01/2024, 09:14 - Sam Chen: ha\n"
    ids = _ids(line * 3)
    assert len(set(ids)) == 3
    assert ids[1:] == [ids[0] + "#2", ids[0] + "#3"]
    assert _ids(line * 4)[:3] == ids


def test_impossible_date_is_a_bad_record_and_parsing_goes_on() -> None:
    text = (
        "12/01/2024, 09:14 - Sam Chen: before\n"
        "31/02/2024, 09:15 - Sam Chen: no such day\n"
        "a continuation of the bad message\n"
        "12/01/2024, 25:61 - Sam Chen: no such time\n"
        "[01/01/0001, 00:00:00] Sam Chen: no such year\n"
        "13/01/2024, 09:16 - Alex Rivera: after"
    )
    parsed = list(parse_chat(text, chat_name="x", file_name="chat.txt", tz=ZoneInfo("Asia/Tokyo")))
    bad = [p for p in parsed if isinstance(p, BadRecord)]
    items = [p for p in parsed if isinstance(p, Item)]
    assert [(b.file, b.position) for b in bad] == [
        ("chat.txt", "line 2"),
        ("chat.txt", "line 4"),
        ("chat.txt", "line 5"),
    ]
    assert [i.text for i in items] == ["before", "after"]
    assert items[1].ts == _utc(2024, 1, 13, 0, 16)


def test_text_before_the_first_header_is_a_bad_record() -> None:
    text = "some preamble\nmore\n12/01/2024, 09:14 - Sam Chen: hi"
    parsed = list(parse_chat(text, chat_name="x", file_name="c.txt", tz=ZoneInfo("UTC")))
    assert isinstance(parsed[0], BadRecord)
    assert parsed[0].position == "line 1"
    assert isinstance(parsed[1], Item)
    assert parsed[1].text == "hi"


def test_a_file_that_is_not_an_export_yields_one_bad_record() -> None:
    text = "Dear diary,\ntoday nothing happened.\n"
    parsed = list(parse_chat(text, chat_name="x", file_name="d.txt", tz=ZoneInfo("UTC")))
    assert len(parsed) == 1
    assert isinstance(parsed[0], BadRecord)


@pytest.mark.parametrize(
    ("stem", "name"),
    [
        ("WhatsApp Chat with Sam Chen", "Sam Chen"),
        ("WhatsApp Chat mit Lena Vogel", "Lena Vogel"),
        ("Chat de WhatsApp con Lucía Gómez", "Lucía Gómez"),
        ("WhatsApp Chat - Ski Trip 2024", "Ski Trip 2024"),
        ("WhatsApp Chat with +44 7700 900123 (1)", "+44 7700 900123"),
        ("family", "family"),
    ],
)
def test_chat_name_from_filename(stem: str, name: str) -> None:
    assert chat_name_from_filename(stem) == name


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (b"\xef\xbb\xbf12/01/2024, 09:14 - Sam: hi", "12/01/2024, 09:14 - Sam: hi"),
        ("12/01/2024, 09:14 - Sam: hé".encode("utf-16"), "12/01/2024, 09:14 - Sam: hé"),
        (b"12/01/2024, 09:14 - Sam: caf\xe9", "12/01/2024, 09:14 - Sam: caf\ufffd"),
    ],
)
def test_decode_export(data: bytes, text: str) -> None:
    assert decode_export(data) == text


_FRAGMENTS = [
    "[",
    "]",
    " - ",
    ": ",
    "\n",
    "\r\n",
    "\u200e",
    "\u202f",
    "\u00a0",
    "/",
    ".",
    ", ",
    "PM",
    "p. m.",
    "م",
    "R",
    " BE",
    "٢",
    "0",
    "1",
    "12",
    "13",
    "31",
    "2024",
    "99",
    "00:00",
    "25:61",
    "<Media omitted>",
    "(file attached)",
    "<attached: x>",
    "Sam",
    '"',
    "end-to-end encrypted",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), max_size=60), st.sampled_from([None, True, False]))
def test_parser_never_raises(parts: list[str], dayfirst: bool | None) -> None:
    text = "".join(parts)
    for parsed in parse_chat(
        text, chat_name="Sam", file_name="f.txt", tz=ZoneInfo("Europe/London"), dayfirst=dayfirst
    ):
        assert isinstance(parsed, Item | BadRecord)
        if isinstance(parsed, Item):
            assert parsed.ts is not None
            assert parsed.ts.utcoffset() is not None
