"""Calendar tools: create an event, change one, invite people to one (see `_calendars` for where).

Times are resolved by code in the user's zone (`_when`), and events are written with that zone's
TZID and VTIMEZONE (RFC 5545 section 3.2.19), so "Friday 9am" stays 9am through a clock change.
Creating and changing events touches only the user's calendar; inviting is separate and declared as
sending, because a CalDAV server that does scheduling (RFC 6638) emails the attendees. For the same
reason homebody changes only events without attendees, and only single (non-repeating) events.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
from pydantic import BaseModel, ConfigDict, Field

from homebody.errors import NotFound, ToolError
from homebody.tools import _mail
from homebody.tools._calendars import CalendarStore, event_of, new_calendar, open_store
from homebody.tools._when import resolve
from homebody.tools.base import Tool, ToolContext, ToolRegistry, ToolResult
from homebody.tools.effects import Effect, Role, ToolSpec
from homebody.vault.items import Kind

log = logging.getLogger(__name__)

When = datetime | date


class CreateArgs(BaseModel):
    """A new event."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=500)
    start: str = Field(min_length=1, max_length=100)
    end: str | None = Field(default=None, max_length=100)
    duration_minutes: int | None = Field(default=None, ge=1, le=20_160)
    location: str | None = Field(default=None, max_length=500)
    description: str | None = Field(default=None, max_length=20_000)


class UpdateArgs(BaseModel):
    """Changes to an event; what is not given stays as it is."""

    model_config = ConfigDict(extra="forbid")
    event_id: str = Field(min_length=1, max_length=500)
    title: str | None = Field(default=None, min_length=1, max_length=500)
    start: str | None = Field(default=None, max_length=100)
    end: str | None = Field(default=None, max_length=100)
    location: str | None = Field(default=None, max_length=500)
    description: str | None = Field(default=None, max_length=20_000)


class InviteArgs(BaseModel):
    """People to invite to an event."""

    model_config = ConfigDict(extra="forbid")
    event_id: str = Field(min_length=1, max_length=500)
    attendees: list[str] = Field(min_length=1, max_length=100)


def _span(start: When, end: When, zone: ZoneInfo) -> str:
    """How a person reads an event's time: 'Fri 14 Mar 2025, 09:00–10:00 (Europe/London)'."""
    if not isinstance(start, datetime):
        last = end - timedelta(days=1) if isinstance(end, date) and not isinstance(end, datetime) else end
        days = f"{start:%a %d %b %Y}" + (f" – {last:%a %d %b %Y}" if last != start else "")
        return f"{days}, all day"
    start = start.astimezone(zone)
    end = end.astimezone(zone) if isinstance(end, datetime) else start
    until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%a %d %b %Y %H:%M}"
    return f"{start:%a %d %b %Y, %H:%M}–{until} ({zone.key})"


def _times(
    start_text: str, end_text: str | None, minutes: int | None, context: ToolContext
) -> tuple[When, When]:
    zone = context.settings.zone
    start, timed = resolve(start_text, zone, context.now)
    if end_text is not None:
        end, end_timed = resolve(end_text, zone, context.now)
        if end_timed != timed:
            raise ToolError("start and end must both be dates (all day) or both dates with times")
        if not timed:
            end = end + timedelta(days=1)  # a whole-day event's DTEND is the day after (RFC 5545 3.6.1)
    elif timed:
        end = start + timedelta(minutes=minutes or 60)
    else:
        end = start + timedelta(days=max(1, (minutes or 0) // 1440))
    if end <= start:
        raise ToolError("the event must end after it starts")
    return start, end


def _uid(context: ToolContext, seed: str) -> str:
    if context.action_id:
        return hashlib.sha256(f"{seed}:{context.action_id}".encode()).hexdigest()[:32] + "@homebody"
    return f"{uuid.uuid4()}@homebody"


def _describe(event: icalendar.Event, zone: ZoneInfo) -> dict[str, Any]:
    start = event.decoded("DTSTART")
    end = event.decoded("DTEND") if "DTEND" in event else start
    return {
        "title": str(event.get("SUMMARY", "")),
        "when": _span(start, end, zone),
        "start": start.isoformat(),
        "end": end.isoformat(),
        "location": str(event.get("LOCATION", "")) or None,
        "attendees": [str(a).removeprefix("mailto:") for a in _list(event.get("ATTENDEE"))],
    }


def _list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _show(event: icalendar.Event, zone: ZoneInfo, where: str, heading: str) -> str:
    view = _describe(event, zone)
    lines = [f"{heading} in {where}:", f"  {view['title']}", f"  {view['when']}"]
    if view["location"]:
        lines.append(f"  Location: {view['location']}")
    lines.append(f"  Attendees: {', '.join(view['attendees']) or 'none'}")
    return "\n".join(lines)


def _new_event(args: CreateArgs, context: ToolContext) -> icalendar.Event:
    start, end = _times(args.start, args.end, args.duration_minutes, context)
    event = icalendar.Event()
    event.add("uid", _uid(context, "create_event"))
    event.add("dtstamp", context.now)
    event.add("summary", args.title)
    event.add("dtstart", start)
    event.add("dtend", end)
    if args.location:
        event.add("location", args.location)
    if args.description:
        event.add("description", args.description)
    return event


def create_event(args: CreateArgs, context: ToolContext) -> ToolResult:
    """Add an event to the user's calendar."""
    store = open_store(context.settings)
    event = _new_event(args, context)
    calendar = new_calendar()
    calendar.add_component(event)
    store.add(calendar)
    uid = str(event["UID"])
    log.info("event created")
    view = _describe(event, context.settings.zone)
    return ToolResult(f"Event {uid} added: {view['title']}, {view['when']}.", {"event_id": uid, **view})


def _event_uid(event_id: str, context: ToolContext) -> str:
    """The UID an id names: a vault item id of an event (its thread is the UID), or the UID itself."""
    if 6 <= len(event_id) <= 16 and all(c in "0123456789abcdef" for c in event_id):
        try:
            stored = context.vault.get(event_id)
        except NotFound:
            return event_id
        if stored.kind is not Kind.EVENT or not stored.item.thread:
            raise ToolError(f"item {event_id} is not a calendar event")
        return stored.item.thread
    return event_id


def _load(store: CalendarStore, uid: str) -> tuple[icalendar.Calendar, icalendar.Event]:
    calendar = store.get(uid)
    event = event_of(calendar, uid)
    if "RRULE" in event or "RDATE" in event:
        raise ToolError("that event repeats; homebody changes only single events")
    return calendar, event


def _changed(
    args: UpdateArgs, context: ToolContext
) -> tuple[CalendarStore, icalendar.Calendar, dict[str, Any]]:
    """The store, the calendar with the event changed, and the event as it was."""
    store = open_store(context.settings)
    uid = _event_uid(args.event_id, context)
    calendar, event = _load(store, uid)
    before = _describe(event, context.settings.zone)
    if before["attendees"]:
        raise ToolError(
            "that event has attendees, who would be told of a change; change it in your calendar app"
        )
    if args.start is not None or args.end is not None:
        old_start, old_end = event.decoded("DTSTART"), event.decoded("DTEND") if "DTEND" in event else None
        length = (old_end - old_start) if old_end is not None else timedelta(hours=1)
        start_text = args.start or old_start.isoformat()
        minutes = int(length.total_seconds() // 60)
        start, end = _times(start_text, args.end, minutes, context)
        for key, value in (("DTSTART", start), ("DTEND", end)):
            event.pop(key, None)
            event.add(key, value)
        event.pop("DURATION", None)
    for key, text in (
        ("SUMMARY", args.title),
        ("LOCATION", args.location),
        ("DESCRIPTION", args.description),
    ):
        if text is not None:
            event.pop(key, None)
            event.add(key, text)
    sequence = int(event.get("SEQUENCE", 0)) + 1  # RFC 5545 3.8.7.4: a changed event counts up
    event.pop("SEQUENCE", None)
    event.add("sequence", sequence)
    event.pop("DTSTAMP", None)
    event.add("dtstamp", context.now)
    return store, calendar, before


def update_event(args: UpdateArgs, context: ToolContext) -> ToolResult:
    """Change an event in the user's calendar."""
    if all(v is None for v in (args.title, args.start, args.end, args.location, args.description)):
        raise ToolError("nothing to change: give a new title, start, end, location or description")
    store, calendar, before = _changed(args, context)
    uid = _event_uid(args.event_id, context)
    store.replace(uid, calendar)
    after = _describe(event_of(calendar, uid), context.settings.zone)
    log.info("event updated")
    return ToolResult(
        f"Event {uid} changed: {after['title']}, {after['when']}.",
        {"event_id": uid, "before": before, "after": after},
    )


def _preview_update(args: UpdateArgs, context: ToolContext) -> str:
    store, calendar, before = _changed(args, context)
    after = event_of(calendar, _event_uid(args.event_id, context))
    was = f"Was: {before['title']}, {before['when']}" + (
        f", at {before['location']}" if before["location"] else ""
    )
    return _show(after, context.settings.zone, store.where, "Change event") + "\n  " + was


def _invited(
    args: InviteArgs, context: ToolContext
) -> tuple[CalendarStore, icalendar.Calendar, icalendar.Event]:
    store = open_store(context.settings)
    uid = _event_uid(args.event_id, context)
    calendar, event = _load(store, uid)
    known = {str(a).lower() for a in _list(event.get("ATTENDEE"))}
    if "ORGANIZER" not in event and context.settings.email is not None:
        event.add("organizer", f"mailto:{context.settings.email.address}")
    for address in _mail.parse_recipients(args.attendees):
        value = f"mailto:{address.addr_spec}"
        if value.lower() in known:
            continue
        attendee = icalendar.vCalAddress(value)
        if address.display_name:
            attendee.params["CN"] = address.display_name
        attendee.params["RSVP"] = "TRUE"
        attendee.params["PARTSTAT"] = "NEEDS-ACTION"
        event.add("attendee", attendee, encode=False)
    return store, calendar, event


def invite_to_event(args: InviteArgs, context: ToolContext) -> ToolResult:
    """Add attendees to an event; a CalDAV server may email them an invitation."""
    store, calendar, event = _invited(args, context)
    uid = str(event["UID"])
    store.replace(uid, calendar)
    view = _describe(event, context.settings.zone)
    return ToolResult(
        f"Invited {len(args.attendees)} people to {view['title']}.",
        {"event_id": uid, "attendees": view["attendees"]},
    )


def _preview_invite(args: InviteArgs, context: ToolContext) -> str:
    store, _, event = _invited(args, context)
    note = (
        "Nobody is emailed: the file only records them."
        if store.where.endswith(".ics")
        else "Your calendar server may email each of them an invitation."
    )
    return _show(event, context.settings.zone, store.where, "Invite to event") + f"\n{note}"


_TIME_ARGS = """start: when it starts, as the user said it: "2025-03-14 09:00", "friday 9am", "tomorrow 14:30"
        (read in the user's time zone), or a date alone for an all-day event.
    end: when it ends, the same way (optional)."""

CREATE = ToolSpec(
    name="create_event",
    description=f"""Add an event to the user's calendar. Nobody else is told.

Args:
    title: what the event is.
    {_TIME_ARGS}
    duration_minutes: how long it lasts, if no end is given (default 60).
    location: where (optional).
    description: notes (optional).""",
    effects=frozenset({Effect.LOCAL_WRITE}),
    reversible=True,
    roles={"title": Role.SUBJECT, "start": Role.TIME, "end": Role.TIME, "description": Role.CONTENT},
)
UPDATE = ToolSpec(
    name="update_event",
    description=f"""Change an event in the user's calendar: only what is given changes.

Args:
    event_id: the event's id (from create_event, or the vault id of a calendar item).
    title: a new title (optional).
    {_TIME_ARGS}
    location: a new location (optional).
    description: new notes (optional).""",
    effects=frozenset({Effect.LOCAL_WRITE}),
    reversible=True,
    roles={"event_id": Role.TARGET, "start": Role.TIME, "end": Role.TIME, "title": Role.SUBJECT},
)
INVITE = ToolSpec(
    name="invite_to_event",
    description="""Invite people to an event in the user's calendar; their calendar servers may email them.

Args:
    event_id: the event's id (from create_event, or the vault id of a calendar item).
    attendees: their email addresses.""",
    effects=frozenset({Effect.SEND}),
    reversible=False,
    roles={"event_id": Role.TARGET, "attendees": Role.RECIPIENT},
)


def register(registry: ToolRegistry) -> None:
    """Register the calendar tools."""

    def preview_create(args: CreateArgs, context: ToolContext) -> str:
        return _show(
            _new_event(args, context), context.settings.zone, open_store(context.settings).where, "New event"
        )

    registry.register(Tool(CREATE, CreateArgs, create_event, preview_create))
    registry.register(Tool(UPDATE, UpdateArgs, update_event, _preview_update))
    registry.register(Tool(INVITE, InviteArgs, invite_to_event, _preview_invite))
