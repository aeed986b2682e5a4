"""The notes parser on recorded files: Markdown with and without front matter, text, PDF."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from homebody.connectors.notes.markdown import read_markdown
from homebody.connectors.notes.parse import note_format, note_time, parse_note
from homebody.errors import BadRecord
from homebody.vault.items import Item, Kind

FIXTURES = Path(__file__).parent / "fixtures"
LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
MTIME = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


def _parse(name: str, zone: ZoneInfo = LONDON, data: bytes | None = None) -> Item | BadRecord:
    raw = (FIXTURES / name).read_bytes() if data is None else data
    return parse_note(raw, name=name, mtime=MTIME, zone=zone)


def _item(name: str, zone: ZoneInfo = LONDON) -> Item:
    parsed = _parse(name, zone)
    assert isinstance(parsed, Item), parsed
    return parsed


@pytest.mark.parametrize(
    ("name", "zone", "title", "ts", "tz", "fmt", "tags", "links"),
    [
        # Front matter title wins over the heading; its offset is kept in tz.
        (
            "garden_plan.md",
            LONDON,
            "Garden plan 2024",
            datetime(2024, 3, 5, 8, 30, tzinfo=UTC),
            "+01:00",
            "markdown",
            ["garden", "plans", "garden/spring", "todo"],
            ["Tomato Varieties", "Seed Catalogue", "plot-map.png", "Garden Log"],
        ),
        # A date alone is midnight in the user's zone; tags given as a comma-separated string.
        (
            "journal.md",
            NEW_YORK,
            "Leap day",
            datetime(2024, 2, 29, 5, 0, tzinfo=UTC),
            "date",
            "markdown",
            ["journal", "family"],
            ["Old Mill"],
        ),
        # A wall time without zone, read in London summer time.
        (
            "evening.md",
            LONDON,
            "Choir rehearsal",
            datetime(2024, 7, 1, 17, 45, tzinfo=UTC),
            "floating",
            "markdown",
            ["choir"],
            [],
        ),
        # Unreadable YAML: no date from it, so the file's time; title from the heading.
        ("broken_front_matter.md", LONDON, "Bike repairs", MTIME, "UTC", "markdown", [], []),
        ("scratch.markdown", LONDON, "scratch", MTIME, "UTC", "markdown", [], []),
        ("reading_list.md", LONDON, "Reading list", MTIME, "UTC", "markdown", ["books"], []),
        ("shopping_cp1252.txt", LONDON, "shopping_cp1252", MTIME, "UTC", "text", [], []),
        ("memo_utf16.txt", LONDON, "memo_utf16", MTIME, "UTC", "text", [], []),
        # /CreationDate D:20230415143000+02'00'; the junk /Title "Microsoft Word - ..." is not used.
        ("text.pdf", LONDON, "text", datetime(2023, 4, 15, 12, 30, tzinfo=UTC), "+02:00", "pdf", [], []),
        ("no_date.pdf", LONDON, "no_date", MTIME, "UTC", "pdf", [], []),
        # Opens with the empty user password; D:20210620 has no zone: midnight in London (BST).
        (
            "owner_only.pdf",
            LONDON,
            "owner_only",
            datetime(2021, 6, 19, 23, 0, tzinfo=UTC),
            "floating",
            "pdf",
            [],
            [],
        ),
    ],
)
def test_fixture_becomes_one_note(
    name: str,
    zone: ZoneInfo,
    title: str,
    ts: datetime,
    tz: str,
    fmt: str,
    tags: list[str],
    links: list[str],
) -> None:
    item = _item(name, zone)
    assert item.kind is Kind.NOTE
    assert (item.native_id, item.origin) == (name, name)
    assert (item.title, item.ts, item.tz) == (title, ts, tz)
    assert item.meta["format"] == fmt
    assert item.meta["path"] == name
    assert item.meta["bytes"] == (FIXTURES / name).stat().st_size
    assert (item.meta["tags"], item.meta["links"]) == (tags, links)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        # Front matter stripped; Markdown left as written.
        ("garden_plan.md", "# Spring jobs\n\nSow the tomatoes indoors (see [[Tomato Varieties|which ones]])"),
        ("journal.md", "# Leap day\n\nPancakes with Robin and Ash, then a walk to the [[Old Mill]]."),
        # Not YAML, so not front matter: nothing of the note is dropped.
        ("broken_front_matter.md", "---\ntitle: [unclosed\ndate: 2024-01-01\n---\n# Bike repairs"),
        ("scratch.markdown", "---\nJust a thought between two rules.\n---\nCall the plumber"),
        # BOM gone, CRLF → LF.
        ("reading_list.md", "Books people recommended.\n\n# Reading list\n\n- The Left Hand"),
        (
            "shopping_cp1252.txt",
            "Shopping for Sunday \u2013 \u201cproper\u201d cr\u00e8me br\u00fbl\u00e9e for Zo\u00eb\n"
            "Ramekins: 4 \u00d7 3,50 \u20ac at the caf\u00e9 on the corner\n",
        ),
        ("memo_utf16.txt", "Memo: the boiler service is due in October."),
        (
            "text.pdf",
            "Allotment plan 2023\nBed 3: runner beans and sweet peas.\nOrder seeds from the caf\u00e9 stall."
            "\n\nWatering rota\nMondays: Robin. Thursdays: Ash.",
        ),
    ],
)
def test_text_reads_as_written(name: str, text: str) -> None:
    item = _item(name)
    assert item.text.startswith(text)
    assert "\r" not in item.text
    assert "\ufeff" not in item.text
    assert item.text == item.text.strip()


def test_pdf_counts_its_pages() -> None:
    assert _item("text.pdf").meta["pages"] == 2
    assert _item("no_date.pdf").meta["pages"] == 1


def test_front_matter_keys_do_not_leak_into_text() -> None:
    text = _item("garden_plan.md").text
    assert "aliases" not in text
    assert "title:" not in text


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("encrypted.pdf", None, "PDF is encrypted (a password is needed to open it)"),
        ("scanned.pdf", None, "PDF has no text layer (scanned?)"),
        ("cut.pdf", (FIXTURES / "text.pdf").read_bytes()[:400], "unreadable PDF"),
        ("not_a.pdf", b"Dear diary, today I renamed a text file.", "unreadable PDF"),
        ("photo.txt", bytes(range(256)) * 4, "not text in any known character set (binary file?)"),
        ("image.jpg", b"\xff\xd8\xff", "not a Markdown, text or PDF file"),
    ],
)
def test_unreadable_file_is_one_bad_record(name: str, data: bytes | None, reason: str) -> None:
    parsed = _parse(name, data=data if data is not None else (FIXTURES / name).read_bytes())
    assert isinstance(parsed, BadRecord)
    assert (parsed.file, parsed.position) == (name, "whole file")
    assert parsed.reason.startswith(reason)
    # A reason names the problem, never the content.
    assert "diary" not in parsed.reason
    assert "Locker" not in parsed.reason


def test_edited_note_keeps_its_id_and_gets_new_text() -> None:
    before = parse_note(b"# Plan\n\nPaint the fence.\n", name="home/plan.md", mtime=MTIME, zone=LONDON)
    later = datetime(2024, 5, 6, tzinfo=UTC)
    after = parse_note(b"# Plan\n\nPaint the shed.\n", name="home/plan.md", mtime=later, zone=LONDON)
    assert isinstance(before, Item)
    assert isinstance(after, Item)
    assert before.native_id == after.native_id == "home/plan.md"
    assert (before.text, after.text) == ("# Plan\n\nPaint the fence.", "# Plan\n\nPaint the shed.")
    assert before.content_hash() != after.content_hash()
    # Unchanged bytes give the very same item: a re-import changes nothing.
    again = parse_note(b"# Plan\n\nPaint the fence.\n", name="home/plan.md", mtime=MTIME, zone=LONDON)
    assert again == before


@pytest.mark.parametrize(
    ("source", "title", "tags", "links"),
    [
        ("# Title #\nbody", "Title", [], []),
        ("text\n## Second level\n# First level", "First level", [], []),
        ("```\n# not a heading\n```\n# Real", "Real", [], []),
        ("~~~~\n#code\n~~~\n[[Still code]]\n~~~~\n#tag", None, ["tag"], []),
        ("#a #b/c #d-e #1984 #y1984 x#no", None, ["a", "b/c", "d-e", "y1984"], []),
        ("| [[Note\\|alias]] | [[Other#^block]] |", None, [], ["Note", "Other"]),
        ("[[#Same note heading]] [[A]] [[A|again]]", None, [], ["A"]),
        ("---\ntags: [x, '#y']\ntag: z\n---\n#x", None, ["x", "y", "z"], []),
        ("---\ntitle: 2024\n---\n# Heading", "2024", [], []),
        ("---\ntitle: ''\n---\n# Heading", "Heading", [], []),
        ("---\ntitle: [a, b]\n---\n# Heading", "Heading", [], []),
    ],
)
def test_markdown_title_tags_and_links(
    source: str, title: str | None, tags: list[str], links: list[str]
) -> None:
    note = read_markdown(source)
    assert (note.title, note.tags, note.links) == (title, tags, links)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-03-05", (datetime(2024, 3, 5, 0, 0, tzinfo=UTC), "date")),
        ("2024-07-05", (datetime(2024, 7, 4, 23, 0, tzinfo=UTC), "date")),
        ("2024-07-05T08:15", (datetime(2024, 7, 5, 7, 15, tzinfo=UTC), "floating")),
        ("2024-07-05T08:15:00Z", (datetime(2024, 7, 5, 8, 15, tzinfo=UTC), "UTC")),
        ("2024-07-05 08:15:00-05:30", (datetime(2024, 7, 5, 13, 45, tzinfo=UTC), "-05:30")),
        ("2024-07-05 08:15:00 +02:00", (datetime(2024, 7, 5, 6, 15, tzinfo=UTC), "+02:00")),
        ("March 3, 2024", (datetime(2024, 3, 3, 0, 0, tzinfo=UTC), "date")),
        ("3 Mar 2024 10:30", (datetime(2024, 3, 3, 10, 30, tzinfo=UTC), "floating")),
        ("2024-02-30", None),
        ("someday", None),
        ("5", None),
        ("0001-01-01T00:00:00+05:00", None),
    ],
)
def test_note_time(value: str, expected: tuple[datetime, str] | None) -> None:
    assert note_time(value, LONDON) == expected


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("a.md", "markdown"),
        ("dir/B.MARKDOWN", "markdown"),
        ("x.TXT", "text"),
        ("y.pdf", "pdf"),
        ("z.canvas", None),
        ("README", None),
    ],
)
def test_note_format(name: str, fmt: str | None) -> None:
    assert note_format(name) == fmt
