"""The line grammar of a WhatsApp export: message headers, their dates, and day/month order.

FORMATS.md §3 "Line grammar": a message starts with a header, Android `<date>, <time> - ` or
iOS `[<date>, <time>] `, rendered in the phone's locale: `.`, `/` or `-` between date parts, 2- or
4-digit years, Y/M/D or D/M/Y or M/D/Y, Buddhist (`2567 BE`) and Japanese-era (`R6`) years,
12h clocks with localized AM/PM markers, Arabic-Indic digits. Headers are matched on a line whose
invisible marks (U+200E, U+200F, U+202A…U+202E) have been removed; `\\d` also matches
Arabic-Indic digits, and `int()` reads them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

#: Invisible direction marks WhatsApp sprinkles into lines (FORMATS.md §3 "Invisible characters").
MARKS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c\ufeff")
_MARK_TABLE = dict.fromkeys(map(ord, MARKS))

_AMPM = r"[AaPp]\.?\s?[Mm]\.?|ص|م|午前|午後|上午|下午|오전|오후"
_PM_MARKERS = frozenset({"p", "م", "午後", "下午", "오후"})
# Japanese era initials and the Gregorian year before each era's first year.
_ERA_BASE = {"M": 1867, "T": 1911, "S": 1925, "H": 1988, "R": 2018}
_YEAR = r"[MTSHR]\d{1,2}|\d{1,4}"
_DATE = (
    rf"(?P<d1>{_YEAR})(?P<sep>[./-])\s?(?P<d2>\d{{1,2}})[./-]\s?(?P<d3>{_YEAR})\.?"
    r"(?:\s?(?P<be>BE|B\.E\.))?"
)
_TIME = (
    rf"(?:(?P<ap1>{_AMPM})\s?)?(?P<hh>\d{{1,2}})[:.](?P<mm>\d{{2}})(?:[:.](?P<ss>\d{{2}}))?"
    rf"(?:\s?(?P<ap2>{_AMPM}))?"
)
_ANDROID = re.compile(rf"{_DATE}[,،]?\s{_TIME}\s[-–]\s(?P<rest>.*)", re.DOTALL)
_IOS = re.compile(rf"\[{_DATE}[,،]?\s{_TIME}\]\s?(?P<rest>.*)", re.DOTALL)


def strip_marks(text: str) -> str:
    """The text without invisible direction marks and byte-order marks."""
    return text.translate(_MARK_TABLE)


@dataclass(frozen=True)
class Header:
    """A message header as written: raw date fields, clock fields, and the raw rest of the line."""

    d1: str
    d2: str
    d3: str
    sep: str
    buddhist: bool
    hour: int
    minute: int
    second: int
    meridiem: str | None
    rest: str
    ios: bool

    @property
    def year_first(self) -> bool:
        """True for Y/M/D dates (`2019/01/01`, `R6/3/18`)."""
        return len(self.d1) == 4 or self.d1[0] in _ERA_BASE


def match_header(line: str) -> Header | None:
    """The header at the start of a line, or None if the line continues the previous message.

    `rest` is the raw line after the header, marks kept, so the caller can see whether the text
    started with one (iOS marks system text and placeholders with U+200E, FORMATS.md §3).
    """
    clean = strip_marks(line)
    ios = clean.startswith("[")
    m = (_IOS if ios else _ANDROID).match(clean)
    if m is None:
        return None
    raw_start = m.start("rest")
    if len(clean) != len(line):
        # Map the offset in the cleaned line back to the raw line.
        kept = [i for i, char in enumerate(line) if char not in MARKS]
        raw_start = kept[raw_start] if raw_start < len(kept) else len(line)
    meridiem = m.group("ap1") or m.group("ap2")
    return Header(
        d1=m.group("d1"),
        d2=m.group("d2"),
        d3=m.group("d3"),
        sep=m.group("sep"),
        buddhist=m.group("be") is not None,
        hour=int(m.group("hh")),
        minute=int(m.group("mm")),
        second=int(m.group("ss") or 0),
        meridiem=meridiem,
        rest=line[raw_start:],
        ios=ios,
    )


def _year(raw: str, buddhist: bool) -> int:
    if raw[0] in _ERA_BASE:
        return _ERA_BASE[raw[0]] + int(raw[1:])
    if len(raw) not in (2, 4):
        raise ValueError(f"year {raw!r} is neither two nor four digits")
    year = int(raw)
    if len(raw) == 2:
        year += 2000
    # Thai phones may omit the "BE" suffix; no Gregorian chat is dated after 2400.
    if buddhist or year > 2400:
        year -= 543
    return year


def _day_month(header: Header, dayfirst: bool) -> tuple[int, int]:
    if len(header.d1) > 2 or len(header.d2) > 2:
        raise ValueError("day or month has more than two digits")
    first, second = int(header.d1), int(header.d2)
    return (first, second) if dayfirst else (second, first)


def local_time(header: Header, dayfirst: bool, zone: tzinfo) -> datetime:
    """The header's wall-clock time in `zone`; ValueError if the date or time is impossible."""
    if header.year_first:
        year, month, day = _year(header.d1, header.buddhist), int(header.d2), int(header.d3)
    else:
        year = _year(header.d3, header.buddhist)
        day, month = _day_month(header, dayfirst)
    # No chat predates 1900 (nor postdates 2999); this also keeps UTC conversion in range.
    if not 1900 <= year <= 2999:
        raise ValueError(f"year {year} is out of range")
    hour = header.hour
    if header.meridiem is not None:
        if hour > 12:
            raise ValueError(f"hour {hour} with a 12-hour clock marker")
        pm = header.meridiem[0].lower() in _PM_MARKERS or header.meridiem in _PM_MARKERS
        hour = hour % 12 + (12 if pm else 0)
    return datetime(year, month, day, hour, header.minute, header.second, tzinfo=zone)


def _locale_hint(headers: Sequence[Header]) -> bool:
    """Day-first unless the rendering looks like a US phone: `/` dates with a bare `AM`/`PM`."""
    first = headers[0]
    if first.sep in ".-":
        return True
    return not any(h.meridiem in ("AM", "PM") for h in headers)


def _disorder(headers: Sequence[Header], dayfirst: bool) -> int:
    """How many headers are impossible or earlier than the one before, under one day/month order."""
    score, previous = 0, None
    for header in headers:
        try:
            when = local_time(header, dayfirst, UTC)
        except ValueError:
            score += 1
            continue
        if previous is not None and when < previous:
            score += 1
        previous = when
    return score


def infer_dayfirst(headers: Sequence[Header], override: bool | None = None) -> bool:
    """Whether the file's D/M/Y-or-M/D/Y dates put the day first, inferred over the whole file.

    FORMATS.md §3: the order cannot be known per line. Any first field > 12 decides for day-first,
    any second field > 12 for month-first; if neither occurs, the order that keeps the messages in
    chronological order wins; a tie falls back to a locale hint from the rendering itself.
    """
    if override is not None:
        return override
    ambiguous = [h for h in headers if not h.year_first and len(h.d1) <= 2 and len(h.d2) <= 2]
    if not ambiguous:
        return True
    first_big = sum(1 for h in ambiguous if int(h.d1) > 12)
    second_big = sum(1 for h in ambiguous if int(h.d2) > 12)
    if first_big != second_big:
        return first_big > second_big
    day_first, month_first = _disorder(ambiguous, True), _disorder(ambiguous, False)
    if day_first != month_first:
        return day_first < month_first
    return _locale_hint(ambiguous)
