"""Cut an iCalendar file into its calendars and components before any value is parsed.

icalendar parses a whole stream at once and returns nothing for a calendar that is never closed
(`big_bad_calendar.ics`). Cutting the text first lets each component be parsed, and fail, on its
own, lets a BadRecord say where in the file it sits, and copes with what FORMATS.md §4 lists:
several VCALENDARs in one file, bare VEVENTs with no VCALENDAR around them, garbage after
END:VCALENDAR, a UTF-8 byte order mark. Folding (RFC 5545 §3.1): a line that starts with one space
or tab continues the previous one.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

#: Components that only ever sit directly under VCALENDAR: meeting one inside another means the
#: first one's END line is missing (RFC 5545 §3.6).
_TOP_LEVEL = frozenset({"VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY", "VTIMEZONE", "VAVAILABILITY"})

# RFC 5545 §3.1 ends lines with CRLF; exports also use bare LF, and old Mac ones bare CR.
_LINE_BREAK = re.compile(r"\r\n|\n|\r")


@dataclass
class RawComponent:
    """One component's lines, from its BEGIN to its END, as they were in the file."""

    name: str
    number: int
    line: int
    lines: list[str] = field(default_factory=list)
    closed: bool = False

    @property
    def position(self) -> str:
        """Where the component sits, for a BadRecord: "VEVENT 3, line 57"."""
        return f"{self.name} {self.number}, line {self.line}"

    def text(self) -> str:
        """The component as iCalendar text."""
        return "\r\n".join(self.lines) + "\r\n"


@dataclass
class RawCalendar:
    """One VCALENDAR (or the bare components of a file that has none): its own lines and parts."""

    line: int
    implicit: bool = False
    properties: list[str] = field(default_factory=list)
    components: list[RawComponent] = field(default_factory=list)

    def properties_text(self) -> str:
        """The calendar's own properties (X-WR-CALNAME, ...) wrapped as an empty VCALENDAR."""
        return "\r\n".join(["BEGIN:VCALENDAR", *self.properties, "END:VCALENDAR", ""])


@dataclass(frozen=True)
class Stray:
    """A run of lines outside any BEGIN/END block, such as garbage after END:VCALENDAR."""

    line: int
    count: int


@dataclass
class SplitFile:
    """Everything found in one file."""

    calendars: list[RawCalendar] = field(default_factory=list)
    stray: list[Stray] = field(default_factory=list)


def decode(data: bytes) -> str:
    """The file's text: UTF-8 (RFC 5545 §3.1.4), with or without BOM, else Windows-1252."""
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Old Outlook exports are in the Windows code page; better a wrong accent than no event.
        return data.decode("cp1252", errors="replace")


def _logical_lines(text: str) -> Iterator[tuple[int, list[str], str]]:
    """Each content line: its first line number, its physical lines, and its unfolded text."""
    physical = _LINE_BREAK.split(text)
    start = 0
    while start < len(physical):
        end = start + 1
        while end < len(physical) and physical[end][:1] in (" ", "\t"):
            end += 1
        group = physical[start:end]
        yield start + 1, group, group[0] + "".join(part[1:] for part in group[1:])
        start = end


def _marker(logical: str) -> tuple[str, str] | None:
    """("BEGIN" or "END", component name) if the line opens or closes a component."""
    key, sep, value = logical.partition(":")
    key = key.strip().upper()
    if sep and key in ("BEGIN", "END") and value.strip():
        return key, value.strip().upper()
    return None


class _Splitter:
    """A small state machine over content lines: calendar, component inside it, nested parts."""

    def __init__(self) -> None:
        self.result = SplitFile()
        self.counters: Counter[str] = Counter()
        self.calendar: RawCalendar | None = None
        self.component: RawComponent | None = None
        self.nested: list[str] = []
        self.stray_start = 0
        self.stray_count = 0

    def feed(self, number: int, lines: list[str], logical: str) -> None:
        marker = _marker(logical)
        if self.component is not None and self._inside_component(marker, lines):
            return
        if marker is not None and marker[0] == "BEGIN":
            self._flush_stray()
            if marker[1] == "VCALENDAR":
                self.calendar = RawCalendar(line=number)
                self.result.calendars.append(self.calendar)
                return
            if self.calendar is None:
                self.calendar = RawCalendar(line=number, implicit=True)
                self.result.calendars.append(self.calendar)
            self.counters[marker[1]] += 1
            self.component = RawComponent(marker[1], self.counters[marker[1]], number, list(lines))
            self.calendar.components.append(self.component)
            return
        if marker == ("END", "VCALENDAR") and self.calendar is not None:
            self.calendar = None
            return
        if self.calendar is not None and not self.calendar.implicit:
            self.calendar.properties.extend(lines)
            return
        # Outside any calendar: blank lines are harmless, and vendors append X- notes after the
        # end (Podio's "X-COMMENT:Cached from ...", issue_350.ics). Anything else is garbage.
        if logical.strip() and not logical.lstrip().upper().startswith("X-"):
            if not self.stray_count:
                self.stray_start = number
            self.stray_count += 1

    def _inside_component(self, marker: tuple[str, str] | None, lines: list[str]) -> bool:
        """Add the line to the open component; False if the line belongs to the level above."""
        component = self.component
        assert component is not None
        if marker is not None and marker[0] == "BEGIN":
            if marker[1] in _TOP_LEVEL or marker[1] == "VCALENDAR":
                self.component = None  # its END line is missing: leave it unclosed
                self.nested = []
                return False
            self.nested.append(marker[1])
        elif marker is not None and marker[0] == "END":
            if marker[1] in self.nested:
                while self.nested.pop() != marker[1]:
                    pass
            elif marker[1] == component.name:
                component.lines.extend(lines)
                component.closed = True
                self.component = None
                return True
            elif marker[1] == "VCALENDAR":
                self.component = None
                self.nested = []
                return False
        component.lines.extend(lines)
        return True

    def _flush_stray(self) -> None:
        if self.stray_count:
            self.result.stray.append(Stray(self.stray_start, self.stray_count))
            self.stray_count = 0

    def finish(self) -> SplitFile:
        self._flush_stray()
        return self.result


def split_file(text: str) -> SplitFile:
    """The calendars, components and stray lines of one file's text."""
    splitter = _Splitter()
    for number, lines, logical in _logical_lines(text):
        splitter.feed(number, lines, logical)
    return splitter.finish()
