"""Map one (normalized) calendar component to an `Item`: times, people, text and meta.

The component's times were already put in their real zone by `parse`; here they become the item's
UTC `ts` (floating times and all-day dates read in the user's zone), its `tz` name and the local
ISO strings in meta. People are "Name <address>" from CN and the mailto: value (RFC 5545 §3.8.4.1,
§3.8.4.3). TEXT values arrive unescaped by icalendar (RFC 5545 §3.3.11: `\\,` `\\;` `\\n`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from icalendar import Component

from homebody.vault.items import Item, Kind

#: The components that are records of the user's life; VFREEBUSY and VAVAILABILITY are not.
KINDS = {"VEVENT": Kind.EVENT, "VTODO": Kind.NOTE, "VJOURNAL": Kind.NOTE}


@dataclass
class Entry:
    """One readable component and what its items need beyond its own properties."""

    component: Component
    name: str
    uid: str
    origin: str
    file_name: str
    position: str
    tzid: str | None
    calendar_name: str | None
    unknown_tzid: str | None = None
    unreadable_lines: int = 0


def text_value(value: Any) -> str:
    """A TEXT property's unescaped value ("" when absent); repeated properties are joined."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(text_value(v) for v in value).strip()
    return str(value).strip()


def has_text(component: Component) -> bool:
    """Whether the component says anything a person wrote: a summary, description or location."""
    return any(text_value(component.get(name)) for name in ("SUMMARY", "DESCRIPTION", "LOCATION"))


def _values(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def person(address: Any) -> str | None:
    """ "Name <address>" for an ORGANIZER or ATTENDEE, or whichever half of it exists."""
    value = str(address).strip()
    if value.lower().startswith("mailto:"):
        value = value[len("mailto:") :].strip()
    params = getattr(address, "params", {})
    name = str(params.get("CN", "")).strip().strip('"')
    if name and value and name.lower() != value.lower():
        return f"{name} <{value}>"
    return name or value or None


def _time(value: Any) -> date | None:
    """The date or datetime of a time property (None if absent or unreadable)."""
    value = getattr(value[0] if isinstance(value, list) else value, "dt", None)
    return value if isinstance(value, date) else None


def to_utc(value: date | None, tz: tzinfo) -> datetime | None:
    """The instant a start stands for: floating times and dates are read in the user's zone."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        return datetime.combine(value, time(), tzinfo=tz).astimezone(UTC)
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC)


def iso(value: date | None) -> str | None:
    """A local ISO string: date, wall-clock time with its offset, or floating wall-clock time."""
    return value.isoformat() if value is not None else None


def recurrence_key(value: date) -> str:
    """An occurrence's original start as its id: the UTC time, the date, or the floating time."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def add_duration(start: date, duration: timedelta) -> date:
    """start + DURATION: days in wall-clock time, hours and less in elapsed time (RFC 5545 §3.3.6).

    So PT45M from 01:30 on the night clocks go back ends at 01:15 standard time, not 02:15.
    """
    days = timedelta(days=duration.days)
    exact = duration - days
    if not isinstance(start, datetime):
        return start + days if not exact else datetime.combine(start, time()) + duration
    if start.tzinfo is None:
        return start + duration
    return ((start + days).astimezone(UTC) + exact).astimezone(start.tzinfo)


def _ends_after(start: date, end: date) -> bool:
    """Whether `end` can end an event starting at `start`: a DATE must be later, a DATE-TIME
    not earlier. Aware times compare in UTC: within one zone Python ignores `fold`, and the
    second 01:15 of a fall-back night would otherwise sort before the first 01:30."""
    if isinstance(start, datetime) and isinstance(end, datetime):
        if (start.tzinfo is None) != (end.tzinfo is None):
            return False
        if start.tzinfo is not None:
            return end.astimezone(UTC) >= start.astimezone(UTC)
        return end >= start
    if isinstance(start, datetime) or isinstance(end, datetime):
        return False
    return end > start


def event_end(component: Component, start: date | None) -> date | None:
    """DTEND, or DTSTART + DURATION; with neither, a DATE lasts one day and a DATE-TIME no time.

    RFC 5545 §3.6.1. Outlook's zero-length all-day event (DTEND == DTSTART) also lasts one day.
    """
    if start is None:
        return None
    end = _time(component.get("DTEND"))
    duration = getattr(component.get("DURATION"), "dt", None)
    if end is None and isinstance(duration, timedelta):
        end = add_duration(start, duration)
    if end is not None and _ends_after(start, end):
        return end
    return start if isinstance(start, datetime) else start + timedelta(days=1)


def zone_name(value: date | None) -> str | None:
    """What `Item.tz` records: "date", "floating", an IANA name, or the UTC offset of a zone that
    only the file defines (Outlook's "Екатеринбург" VTIMEZONE becomes "+06:00" in summer)."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        return "date"
    if value.tzinfo is None:
        return "floating"
    key = getattr(value.tzinfo, "key", None)  # ZoneInfo
    if isinstance(key, str):
        return key
    if value.tzinfo is UTC:
        return "UTC"
    offset = value.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes, seconds = divmod(int(abs(offset).total_seconds()), 60)
    text = f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return text + f":{seconds:02d}" if seconds else text


def _meta(entry: Entry, component: Component, start: date | None, end: date | None) -> dict[str, Any]:
    location = text_value(component.get("LOCATION"))
    categories = [
        text_value(category)
        for prop in _values(component.get("CATEGORIES"))
        for category in getattr(prop, "cats", [prop])
    ]
    urls = _values(component.get("URL"))
    meta: dict[str, Any] = {
        "start": iso(start),
        "end": iso(end),
        "all_day": start is not None and not isinstance(start, datetime),
        "location": location or None,
        "status": text_value(component.get("STATUS")).upper() or None,
        "recurring": False,
        "calendar": entry.calendar_name,
        "categories": [c for c in categories if c],
        "url": str(urls[0]).strip() if urls else None,
    }
    if entry.name == "VTODO":
        meta["todo"] = True
        meta["due"] = iso(_time(component.get("DUE")))
        meta["completed"] = iso(_time(component.get("COMPLETED")))
    if entry.name == "VJOURNAL":
        meta["journal"] = True
    if entry.tzid:
        meta["tzid"] = entry.tzid  # as written: a Windows name, a display string, a custom zone
    if entry.unknown_tzid:
        meta["unknown_tzid"] = entry.unknown_tzid
    if entry.unreadable_lines:
        meta["unreadable_lines"] = entry.unreadable_lines
    return meta


def build_item(
    entry: Entry, component: Component, tz: tzinfo, *, occurrence: bool, recurring: bool = False
) -> Item:
    """The item for a component, or for one occurrence of it (`component` is then the occurrence).

    An occurrence's native id is "UID@<original start>" (RECURRENCE-ID, RFC 5545 §3.8.4.4).
    """
    start = _time(component.get("DTSTART"))
    anchor = start if start is not None else _time(component.get("DUE"))
    end = event_end(component, start) if entry.name == "VEVENT" else None
    meta = _meta(entry, component, start, end)
    native_id = entry.uid
    recurrence_id = _time(component.get("RECURRENCE-ID"))
    if occurrence and recurrence_id is not None:
        native_id = f"{entry.uid}@{recurrence_key(recurrence_id)}"
        meta["recurrence_id"] = recurrence_key(recurrence_id)
    meta["recurring"] = recurring or recurrence_id is not None or "RRULE" in component
    summary = text_value(component.get("SUMMARY"))
    attendees = [p for p in (person(a) for a in _values(component.get("ATTENDEE"))) if p]
    lines = [summary, meta["location"] or "", text_value(component.get("DESCRIPTION"))]
    if attendees:
        lines.append("Attendees: " + ", ".join(attendees))
    organizer = _values(component.get("ORGANIZER"))
    return Item(
        kind=KINDS[entry.name],
        native_id=native_id,
        text="\n".join(line for line in lines if line),
        ts=to_utc(anchor, tz),
        tz=zone_name(anchor),
        author=person(organizer[0]) if organizer else None,
        participants=tuple(attendees),
        thread=entry.uid,
        title=summary or None,
        origin=entry.origin,
        meta=meta,
    )
