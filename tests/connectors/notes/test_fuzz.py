"""Fuzz: whatever bytes a note file holds, the parser returns an item or a bad record, never raises."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homebody.connectors.notes.markdown import read_markdown
from homebody.connectors.notes.parse import note_time, parse_note
from homebody.errors import BadRecord
from homebody.vault.items import Item

FIXTURES = Path(__file__).parent / "fixtures"
ZONE = ZoneInfo("Europe/London")
MTIME = datetime(2024, 1, 2, tzinfo=UTC)
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def _mutated(draw: st.DrawFn, name: str) -> bytes:
    """A fixture's bytes with a few bytes flipped, a slice cut out and junk spliced in."""
    data = bytearray((FIXTURES / name).read_bytes())
    for _ in range(draw(st.integers(0, 8))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    start = draw(st.integers(0, len(data)))
    end = draw(st.integers(start, min(len(data), start + 64)))
    return bytes(data[:start]) + draw(st.binary(max_size=64)) + bytes(data[end:])


def _check(data: bytes, name: str) -> None:
    parsed = parse_note(data, name=name, mtime=MTIME, zone=ZONE)
    assert isinstance(parsed, Item | BadRecord)
    if isinstance(parsed, Item):
        assert parsed.native_id == name
        assert parsed.ts is not None
        assert parsed.ts.tzinfo is UTC
        # Storable: valid UTF-8 text and JSON-safe meta.
        parsed.text.encode("utf-8")
        json.dumps(parsed.meta)
        assert all(isinstance(t, str) and t for t in parsed.meta["tags"])
    else:
        assert parsed.position == "whole file"


@FUZZ
@given(st.sampled_from(["garden_plan.md", "journal.md", "reading_list.md"]).flatmap(_mutated))
def test_mutated_markdown(data: bytes) -> None:
    _check(data, "note.md")


@FUZZ
@given(st.sampled_from(["shopping_cp1252.txt", "memo_utf16.txt"]).flatmap(_mutated))
def test_mutated_text(data: bytes) -> None:
    _check(data, "note.txt")


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["text.pdf", "owner_only.pdf", "scanned.pdf"]).flatmap(_mutated))
def test_mutated_pdf(data: bytes) -> None:
    _check(data, "note.pdf")


@FUZZ
@given(st.binary(max_size=512), st.sampled_from(["n.md", "n.markdown", "n.txt", "n.pdf"]))
def test_random_bytes(data: bytes, name: str) -> None:
    _check(data, name)


_YAMLISH = st.sampled_from(
    ["---", "...", "title:", "date:", "tags:", "tag:", "created:", " - ", "[", "]", "{", "}", "&a ", "*a",
     "!!python/object ", "!!timestamp ", "2024-02-30", "2024-07-01 18:45", "#", "[[", "]]", "|", "```",
     "`", "\n", " ", ":", "'", '"', "null", "yes", "1e999", "0001-01-01T00:00:00+14:00"]
)  # fmt: skip


@FUZZ
@given(st.lists(st.one_of(_YAMLISH, st.text(max_size=8)), max_size=60).map("".join))
def test_generated_front_matter(source: str) -> None:
    note = read_markdown("---\n" + source)
    assert all(isinstance(t, str) and t for t in note.tags)
    assert all(isinstance(link, str) and link for link in note.links)
    assert note.title is None or isinstance(note.title, str)
    if note.date is not None:
        stamp = note_time(note.date, ZONE)
        assert stamp is None or stamp[0].tzinfo is UTC
    _check(("---\n" + source).encode("utf-8", errors="surrogatepass"), "gen.md")
