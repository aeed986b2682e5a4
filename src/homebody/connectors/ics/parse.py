"""Parse iCalendar bytes (RFC 5545) into event and to-do items. Pure: no files, no clock.

One VEVENT becomes one event item; a recurring one becomes one item per occurrence inside the
window the caller passes (RRULE, RDATE, EXDATE and RECURRENCE-ID overrides, expanded by
recurring-ical-events in the event's own zone so wall-clock times survive DST changes). VTODO and
VJOURNAL become notes. Times are normalized here, before expansion, because the files disagree
with each other (FORMATS.md §4): TZIDs are resolved by `zones.Zones`, X-WR-TIMEZONE turns UTC and
floating times into the calendar's zone (as Google means it), and EXDATE/RDATE values are brought
to DTSTART's type so a floating event's "…Z" EXDATE still removes its instance.

All-day events keep RFC 5545's exclusive end: a Monday-Friday vacation has meta end = Saturday.
"""

from __future__ import annotations

import hashlib
import logging
import warnings
from collections.abc import Iterator
from datetime import UTC, date, datetime, tzinfo
from typing import Any

import icalendar
from icalendar import Component
from icalendar.prop import vBroken

from homebody.connectors.base import Parsed
from homebody.connectors.ics.blocks import RawCalendar, RawComponent, decode, split_file
from homebody.connectors.ics.expand import expand_series
from homebody.connectors.ics.fields import KINDS, Entry, build_item, has_text, text_value
from homebody.connectors.ics.zones import Zones
from homebody.errors import BadRecord
from homebody.vault.items import Item

logger = logging.getLogger(__name__)


_SINGLE_TIMES = ("DTSTART", "DTEND", "DUE", "RECURRENCE-ID")
_LIST_TIMES = ("EXDATE", "RDATE")
Time = date | datetime
_REASON_LENGTH = 200


def parse_calendar(
    data: bytes, *, file_name: str, window: tuple[datetime, datetime], tz: tzinfo
) -> Iterator[Parsed]:
    """Items for the events, to-dos and journal entries of one .ics file, and BadRecords for the rest.

    `window` bounds the occurrences of recurring events (non-recurring ones are yielded whatever
    their date); `tz` is the user's zone, used for floating times and all-day dates.
    """
    split = split_file(decode(data))
    if not split.calendars:
        yield BadRecord(file_name, "whole file", "no BEGIN:VCALENDAR or BEGIN:VEVENT: not iCalendar")
        return
    for stray in split.stray:
        reason = f"{stray.count} line(s) outside any BEGIN/END block ignored"
        yield BadRecord(file_name, f"line {stray.line}", reason)
    entries: list[Entry] = []
    for calendar in split.calendars:
        for result in _read_calendar(calendar, file_name):
            if isinstance(result, BadRecord):
                yield result
            else:
                entries.append(result)
    yield from _items(entries, window, tz)


def _parse(text: str) -> Component:
    """One component, parsed by icalendar (its warnings are about the file, not our code)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return icalendar.Component.from_ical(text.encode("utf-8"))


def _read_calendar(calendar: RawCalendar, file_name: str) -> Iterator[Entry | BadRecord]:
    """The entries of one VCALENDAR, its time zones resolved."""
    properties = Component()
    if calendar.properties:
        try:
            properties = _parse(calendar.properties_text())
        except Exception:  # noqa: BLE001 - broken calendar-level lines must not cost the events
            logger.debug("unreadable VCALENDAR properties ignored")
    vtimezones: dict[str, Component] = {}
    readable: list[tuple[RawComponent, Component]] = []
    for raw in calendar.components:
        if not raw.closed:
            reason = f"no END:{raw.name}; the file looks truncated"
            yield BadRecord(file_name, raw.position, reason)
            continue
        try:
            component = _parse(raw.text())
        except Exception as err:  # noqa: BLE001 - one unreadable component must not stop the rest
            yield BadRecord(file_name, raw.position, _reason("cannot parse", err))
            continue
        if raw.name == "VTIMEZONE" and "TZID" in component:
            vtimezones[str(component["TZID"])] = component
        elif raw.name in KINDS:
            readable.append((raw, component))
    zones = Zones(vtimezones)
    calendar_zone = None
    if "X-WR-TIMEZONE" in properties:
        calendar_zone = zones.resolve(str(properties["X-WR-TIMEZONE"]))
    calendar_name = text_value(properties.get("X-WR-CALNAME")) or None
    for raw, component in readable:
        try:
            yield _entry(raw, component, zones, calendar_zone, calendar_name, file_name)
        except Exception as err:  # noqa: BLE001 - a value no rule foresaw skips only its component
            yield BadRecord(file_name, raw.position, _reason("unreadable values", err))


def _entry(
    raw: RawComponent,
    component: Component,
    zones: Zones,
    calendar_zone: tzinfo | None,
    calendar_name: str | None,
    file_name: str,
) -> Entry | BadRecord:
    """Normalize one component's times in place and describe it, or say why it cannot be used."""
    errors: list[tuple[str | None, str]] = list(getattr(component, "errors", []))
    unknown: list[str] = []
    tzids: dict[str, str | None] = {}
    for name in (*_SINGLE_TIMES, *_LIST_TIMES, "RRULE", "DURATION"):
        if name in component and _broken(component[name]):
            # icalendar keeps a value it could not read as vBroken (tolerant mode): drop it.
            errors.append((name, f"{name} value cannot be read"))
            del component[name]
    for name in _SINGLE_TIMES:
        if name in component:
            tzids[name] = _tzid(component[name])
            if _normalize_single(component, name, zones, calendar_zone, unknown) is None:
                del component[name]
    anchor = "DTSTART" if "DTSTART" in component else "DUE"
    for name in _LIST_TIMES:
        if name in component:
            _normalize_list(component, name, zones, calendar_zone, unknown)
    if anchor not in component:
        broken = [msg for prop, msg in errors if prop == "DTSTART" or "DTSTART" in msg.upper()]
        if broken and raw.name == "VEVENT":
            reason = _reason("unreadable DTSTART", ValueError(broken[0]))
            return BadRecord(file_name, raw.position, reason)
        if not has_text(component):
            return BadRecord(file_name, raw.position, f"{raw.name} has no start and no text")
    uid = text_value(component.get("UID")) or _content_id(raw)
    component["UID"] = uid
    return Entry(
        component=component,
        name=raw.name,
        uid=uid,
        origin=f"{file_name}, {raw.position} (UID {uid})",
        file_name=file_name,
        position=raw.position,
        tzid=tzids.get(anchor),
        calendar_name=calendar_name,
        unknown_tzid=unknown[0] if unknown else None,
        unreadable_lines=len(errors),
    )


def _broken(prop: Any) -> bool:
    props = prop if isinstance(prop, list) else [prop]
    return any(isinstance(p, vBroken) for p in props)


def _content_id(raw: RawComponent) -> str:
    """An id for a component without UID: a digest of its lines, DTSTAMP (export time) left out."""
    lines = [line for line in raw.lines if not line.upper().startswith("DTSTAMP")]
    digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    return "sha256:" + digest[:32]


def _localize(
    raw: Any, tzid: str | None, zones: Zones, calendar_zone: tzinfo | None, unknown: list[str]
) -> Time | None:
    """A date, a floating (naive) datetime, or a datetime in its real zone; None if no time."""
    if not isinstance(raw, date):
        return None  # a TIME value, or a period handled by the caller
    if not isinstance(raw, datetime):
        return raw
    value: datetime = raw
    if tzid:
        zone = zones.resolve(tzid)
        wall = value.replace(tzinfo=None)
        if zone is not None:
            return wall.replace(tzinfo=zone)
        unknown.append(tzid)
        value = wall
    if value.tzinfo is not None:
        # A "Z" time. X-WR-TIMEZONE says in which zone Google meant it to recur.
        return value.astimezone(calendar_zone or UTC)
    if calendar_zone is not None:
        return value.replace(tzinfo=calendar_zone)
    return value


def _tzid(prop: Any) -> str | None:
    if isinstance(prop, list):
        prop = prop[0] if prop else None
    params = getattr(prop, "params", None)
    tzid = params.get("TZID") if params is not None else None
    return str(tzid) if tzid else None


def _normalize_single(
    component: Component,
    name: str,
    zones: Zones,
    calendar_zone: tzinfo | None,
    unknown: list[str],
) -> Time | None:
    """Rewrite DTSTART and friends in their resolved zone; the first wins when repeated."""
    prop = component[name]
    if isinstance(prop, list):
        prop = prop[0]
    value = getattr(prop, "dt", None)
    params = getattr(prop, "params", {})
    if isinstance(value, datetime) and str(params.get("VALUE", "")).upper() == "DATE":
        value = value.date()  # icalendar turns "TZID=...;VALUE=DATE" into a datetime
    result = _localize(value, _tzid(prop), zones, calendar_zone, unknown)
    if result is not None:
        # RANGE=THISANDFUTURE (RFC 5545 §3.2.13) must survive for the expansion.
        extra = {"RANGE": params["RANGE"]} if "RANGE" in params else None
        component[name] = icalendar.vDDDTypes(result, params=extra)
    return result


def _normalize_list(
    component: Component,
    name: str,
    zones: Zones,
    calendar_zone: tzinfo | None,
    unknown: list[str],
) -> None:
    """Rewrite all EXDATE or RDATE lines as one list matching DTSTART's kind of time."""
    found: Any = component[name]
    props = found if isinstance(found, list) else [found]
    start = getattr(component.get("DTSTART"), "dt", None)
    if not isinstance(start, date):
        start = None
    values: list[Any] = []
    for prop in props:
        tzid = _tzid(prop)
        for item in getattr(prop, "dts", []):
            value = item.dt
            if isinstance(value, tuple):  # RDATE;VALUE=PERIOD: (start, end or duration)
                begin = _localize(value[0], tzid, zones, calendar_zone, unknown)
                end = value[1]
                if isinstance(end, datetime):
                    end = _localize(end, tzid, zones, calendar_zone, unknown)
                if begin is not None and end is not None:
                    values.append((_like(begin, start), _like(end, start)))
                continue
            localized = _localize(value, tzid, zones, calendar_zone, unknown)
            if localized is not None:  # a TIME-only value (never valid here) is dropped
                values.append(_like(localized, start))
    del component[name]
    if values:
        component[name] = icalendar.vDDDLists(values)


def _like(value: Any, start: Time | None) -> Any:
    """An EXDATE/RDATE value made comparable to DTSTART (RFC 5545 §3.8.5.1 wants the same type)."""
    if start is None or not isinstance(value, date) or not isinstance(start, date):
        return value
    if not isinstance(start, datetime):
        return value.date() if isinstance(value, datetime) else value
    if not isinstance(value, datetime):
        return value
    if start.tzinfo is None and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # floating event: match on wall-clock time
    if start.tzinfo is not None and value.tzinfo is None:
        return value.replace(tzinfo=start.tzinfo)
    return value


def _sequence(entry: Entry) -> int:
    try:
        return int(entry.component.get("SEQUENCE", 0))
    except (TypeError, ValueError):
        return 0


def _recurs(component: Component) -> bool:
    return "RRULE" in component or "RDATE" in component


def _cancelled(component: Component) -> bool:
    return text_value(component.get("STATUS")).upper() == "CANCELLED"


def _promote(overrides: list[Entry]) -> Entry | None:
    """An instance that carries the rest of its series itself (khal writes RECURRENCE-ID with
    RANGE=THISANDFUTURE plus RDATEs and no master) becomes the series' master."""
    for entry in overrides:
        if _recurs(entry.component):
            overrides.remove(entry)
            del entry.component["RECURRENCE-ID"]
            return entry
    return None


def _items(entries: list[Entry], window: tuple[datetime, datetime], tz: tzinfo) -> Iterator[Parsed]:
    """Items for all entries of a file, one series (same kind and UID) at a time."""
    groups: dict[tuple[str, str], list[Entry]] = {}
    for entry in entries:
        groups.setdefault((entry.name, entry.uid), []).append(entry)
    for members in groups.values():
        try:
            items = list(_series_items(members, window, tz))
        except Exception as err:  # noqa: BLE001 - one series' surprise must not cost the file
            first = members[0]
            yield BadRecord(first.file_name, first.position, _reason("unusable event", err))
            continue
        yield from items


def _series_items(members: list[Entry], window: tuple[datetime, datetime], tz: tzinfo) -> Iterator[Item]:
    """The items of the components sharing one UID: one event, a series, or lone instances."""
    masters = [m for m in members if "RECURRENCE-ID" not in m.component]
    overrides = [m for m in members if "RECURRENCE-ID" in m.component]
    # Several copies of one event (re-sent invites): the highest SEQUENCE wins, then the last.
    master = max(reversed(masters), key=_sequence) if masters else None
    if master is None:
        master = _promote(overrides)
    if master is None or "DTSTART" not in master.component:
        # Instances without their series (one invited occurrence) stand on their own.
        if master is not None:
            yield build_item(master, master.component, tz, occurrence=False)
        for entry in overrides:
            if not _cancelled(entry.component):
                yield build_item(entry, entry.component, tz, occurrence=True)
    elif not _recurs(master.component) and not overrides:
        yield build_item(master, master.component, tz, occurrence=False)
    else:
        yield from expand_series(master, overrides, window, tz)


def _reason(what: str, err: Exception) -> str:
    """A BadRecord reason: what failed and the library's words, cut to a readable length."""
    text = f"{what}: {err}"
    return text if len(text) <= _REASON_LENGTH else text[: _REASON_LENGTH - 1] + "…"
