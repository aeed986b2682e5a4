"""Splitting an mbox stream into messages, one at a time, with the byte offset of each.

fixtures/FORMATS.md section 1 ("mbox"): a message starts at a `From ` line at the start of the file,
or after an empty line when a date follows (Python's `mailbox` splits on every `From ` line, so an
unescaped body line cuts a message in two: cpython/mailbox_01.mbox). mboxrd's `>From ` escaping is
undone; CRLF files work the same as LF files.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from homebody.connectors.email.headers import make_time

_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH = "(?:" + "|".join(_MONTHS) + ")"

# "From sender Tue Jan  9 17:02:11 2024" (asctime), Gmail Takeout's "... 17:02:11 +0000 2024",
# Thunderbird's "From - Tue Jan 09 ...". Only the start is checked: some writers append more text.
_SEPARATOR = re.compile(
    rb"From \S*\s+(?:"
    + _DAY.encode()
    + rb",?\s+)?(?:"
    + _MONTH.encode()
    + rb"\s+\d{1,2}|\d{1,2}\s+"
    + _MONTH.encode()
    + rb")\s+(?:\d{4}\s+)?\d{1,2}:\d{2}"
)
_FROM_LINE_DATE = re.compile(
    r"(" + _MONTH + r")\s+(\d{1,2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?"
    r"(?:\s+([+-]\d{4}))?\s+(\d{4})(?:\s+([+-]\d{4}))?"
)
# mboxrd (and mboxo) escape body lines starting "From " with one more ">".
_ESCAPED = re.compile(rb">+From ")


@dataclass(frozen=True)
class RawMessage:
    """One message cut out of an mbox: its 1-based number, byte offset, `From ` line and bytes."""

    number: int
    offset: int
    from_line: bytes | None
    data: bytes


_BLANK = frozenset({b"\n", b"\r\n", b"\r"})


def _is_blank(line: bytes) -> bool:
    return line in _BLANK


def split_mbox(lines: Iterable[bytes]) -> Iterator[RawMessage]:
    """Cut an mbox (any iterable of byte lines, such as a file opened "rb") into messages, lazily."""
    number = 0
    offset = 0
    start = 0
    from_line: bytes | None = None
    body: list[bytes] = []
    previous_blank = True
    for line in lines:
        at_start = offset == 0
        if line.startswith(b"From ") and (
            at_start or (previous_blank and _SEPARATOR.match(line) is not None)
        ):
            if body and not all(_is_blank(b) for b in body):
                number += 1
                yield RawMessage(number, start, from_line, b"".join(body))
            start, from_line, body = offset, line, []
        elif line[:1] == b">" and _ESCAPED.match(line):
            body.append(line[1:])
        else:
            body.append(line)
        previous_blank = line in _BLANK  # _is_blank, inlined: this loop runs once a line
        offset += len(line)
    if from_line is not None or (body and not all(_is_blank(b) for b in body)):
        number += 1
        yield RawMessage(number, start, from_line, b"".join(body))


def from_line_time(line: str | None) -> tuple[datetime, str | None] | None:
    """The time in an mbox `From ` line; "floating" zone for asctime, which carries no zone."""
    if not line:
        return None
    match = _FROM_LINE_DATE.search(line)
    if match is None:
        return None
    month, day, hour, minute, second, zone_before, year, zone_after = match.groups()
    zone = zone_before or zone_after
    offset = None
    if zone:
        sign = -1 if zone[0] == "-" else 1
        offset = sign * (int(zone[1:3]) * 3600 + int(zone[3:5]) * 60)
    parts = (int(year), _MONTHS.index(month) + 1, int(day), int(hour), int(minute), int(second or 0))
    result = make_time(parts, offset)
    if result is not None and offset is None:
        return result[0], "floating"
    return result
