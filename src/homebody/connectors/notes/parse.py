"""Turn one note file's bytes into one note item. Pure: bytes, name, mtime and zone in; item out.

One file is one item, whatever its length (passages for retrieval are cut later). The native id is
the file's path relative to the source folder, so a note edited on disk updates its item. The time
is the note's own date (front matter `date`, a PDF's creation date), else the file's mtime.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import parser as dateparser

from homebody.connectors.base import Parsed
from homebody.connectors.notes.markdown import read_markdown
from homebody.connectors.notes.pdf import UnreadablePdf, read_pdf
from homebody.connectors.notes.text import decode_text
from homebody.errors import BadRecord
from homebody.vault.items import Item, Kind

#: File name suffixes (lower case) this connector reads, and the format each one is.
FORMATS = {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".pdf": "pdf"}

_WHOLE_FILE = "whole file"
# dateutil reads almost anything as a date ("5" is the 5th of this month); a note's date written
# in words ("March 3, 2024", "3 Mar 2024 10:00") is only trusted when it names a four-digit year.
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")

#: A time and what `Item.tz` records about it.
Stamp = tuple[datetime, str]


def note_format(name: str) -> str | None:
    """The format of a file by its name's suffix ("markdown", "text", "pdf"), or None if not a note."""
    return FORMATS.get(PurePosixPath(name).suffix.lower())


def parse_note(data: bytes, *, name: str, mtime: datetime, zone: ZoneInfo) -> Parsed:
    """The note item of one file, or a BadRecord saying why it cannot be read.

    `name` is the path relative to the source folder in POSIX form: the item's native id.
    `mtime` (aware) is the time when the file says nothing; dates without a zone are read in `zone`.
    """
    fmt = note_format(name)
    if fmt is None:
        return BadRecord(name, _WHOLE_FILE, "not a Markdown, text or PDF file")
    meta: dict[str, Any] = {"path": name, "format": fmt, "bytes": len(data), "tags": [], "links": []}
    title: str | None = None
    stamp: Stamp | None = None
    if fmt == "pdf":
        try:
            pdf = read_pdf(data)
        except UnreadablePdf as err:
            return BadRecord(name, _WHOLE_FILE, err.reason)
        text = pdf.text
        meta["pages"] = pdf.pages
        if pdf.unreadable_pages:
            meta["unreadable_pages"] = pdf.unreadable_pages
        stamp = _from_datetime(pdf.created, zone) if pdf.created else None
    else:
        decoded = decode_text(data)
        if decoded is None:
            return BadRecord(name, _WHOLE_FILE, "not text in any known character set (binary file?)")
        text = decoded.strip("\n").rstrip()
        if fmt == "markdown":
            note = read_markdown(decoded)
            text, title = note.text, note.title
            meta["tags"], meta["links"] = note.tags, note.links
            stamp = note_time(note.date, zone) if note.date else None
    ts, tz = stamp or (mtime.astimezone(UTC), "UTC")
    return Item(
        kind=Kind.NOTE,
        native_id=name,
        text=text,
        ts=ts,
        tz=tz,
        title=title or PurePosixPath(name).stem,
        origin=name,
        meta=meta,
    )


def note_time(value: str, zone: ZoneInfo) -> Stamp | None:
    """A note's written date as (UTC time, tz): a date alone is "date", a time without zone "floating".

    Both are read in the user's `zone`. ISO 8601 (what YAML and Obsidian write) first, then dates
    in words; None for anything else, so the caller falls back to the file's time.
    """
    text = value.strip()
    try:
        day = date.fromisoformat(text)
    except ValueError:
        pass
    else:
        return _from_datetime(datetime.combine(day, time()), zone, "date")
    try:
        return _from_datetime(datetime.fromisoformat(text), zone)
    except ValueError:
        pass
    if not _YEAR.search(text):
        return None
    try:
        parsed = dateparser.parse(text, default=datetime(2000, 1, 1))  # noqa: DTZ001 (a wall time)
    except (ValueError, OverflowError):
        return None
    return _from_datetime(parsed, zone, None if ":" in text else "date")


def _from_datetime(value: datetime, zone: ZoneInfo, kind: str | None = None) -> Stamp | None:
    """(UTC, tz) of a wall time read in `zone` or an aware time; None if it falls off the calendar."""
    try:
        if value.tzinfo is None or value.utcoffset() is None:
            return value.replace(tzinfo=zone).astimezone(UTC), kind or "floating"
        return value.astimezone(UTC), _offset_name(value.utcoffset() or timedelta(0))
    # Year 1 or 9999 shifted by a zone leaves datetime's range.
    except (OverflowError, ValueError):
        return None


def _offset_name(offset: timedelta) -> str:
    """The tz of a fixed offset: "UTC" for zero, else "+02:00" or "-05:30" (seconds only if any)."""
    if not offset:
        return "UTC"
    sign = "-" if offset < timedelta(0) else "+"
    minutes, seconds = divmod(int(abs(offset).total_seconds()), 60)
    text = f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return text + f":{seconds:02d}" if seconds else text
