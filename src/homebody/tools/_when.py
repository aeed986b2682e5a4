"""Times the model writes ("tomorrow 9am", "2025-03-04 15:00", "in 2 hours") resolved by code.

The model is bad at calendars and time zones, so it only copies what the user said; this module turns
it into an aware datetime in the user's zone. A local time with no offset is read in that zone; one
that falls in a daylight-saving gap moves forward by the gap, as a wall clock would (PEP 495:
`fold=0` then maps through the offset before the change); one that happens twice means the first.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from homebody.errors import ToolError

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_UNITS = {"minute": 1, "hour": 60, "day": 1440, "week": 10080}
_IN = re.compile(r"in\s+(\d{1,4})\s+(minute|hour|day|week)s?", re.IGNORECASE)
_CLOCK = re.compile(r"(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?", re.IGNORECASE)
#: When a reminder names a day but no time.
DEFAULT_TIME = time(9, 0)

USAGE = (
    "write a date and time as YYYY-MM-DD HH:MM (read in the user's time zone), or 'today 17:00', "
    "'tomorrow 9am', 'friday 14:30', 'in 2 hours'"
)


def localize(naive: datetime, zone: ZoneInfo) -> datetime:
    """A wall-clock time in the zone: moved forward out of a DST gap, the first of a repeated hour."""
    aware = naive.replace(tzinfo=zone, fold=0)
    return aware.astimezone(UTC).astimezone(zone)


def resolve(text: str, zone: ZoneInfo, now: datetime) -> tuple[datetime | date, bool]:
    """The moment `text` names, in the zone, and whether it named a time of day (else a date)."""
    words = " ".join(text.strip().lower().replace(",", " ").split())
    if not words:
        raise ToolError(f"no time given: {USAGE}")
    local_now = now.astimezone(zone)
    match = _IN.fullmatch(words)
    if match:
        minutes = int(match.group(1)) * _UNITS[match.group(2)]
        return (now + timedelta(minutes=minutes)).astimezone(zone), True
    parsed = _iso(text.strip(), zone)
    if parsed is not None:
        return parsed
    day_word, _, clock = words.partition(" ")
    if day_word == "next" and clock.split(" ")[0] in _WEEKDAYS:
        day_word, _, clock = clock.partition(" ")
    day = _day(day_word, local_now.date())
    if day is None:
        # "9am" alone: today at that time, or tomorrow if it has passed.
        at = _clock(words)
        if at is None:
            raise ToolError(f"cannot read the time {text!r}: {USAGE}")
        moment = localize(datetime.combine(local_now.date(), at), zone)
        if moment <= local_now:
            moment = localize(datetime.combine(local_now.date() + timedelta(days=1), at), zone)
        return moment, True
    if not clock:
        return day, False
    at = _clock(clock.removeprefix("at "))
    if at is None:
        raise ToolError(f"cannot read the time of day in {text!r}: {USAGE}")
    return localize(datetime.combine(day, at), zone), True


def resolve_moment(text: str, zone: ZoneInfo, now: datetime, *, default: time = DEFAULT_TIME) -> datetime:
    """Like `resolve`, but a bare date becomes that day at `default` in the zone."""
    value, timed = resolve(text, zone, now)
    if timed:
        assert isinstance(value, datetime)
        return value
    assert isinstance(value, date)
    return localize(datetime.combine(value, default), zone)


def _iso(text: str, zone: ZoneInfo) -> tuple[datetime | date, bool] | None:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return date.fromisoformat(text), False
        except ValueError as err:
            raise ToolError(f"{text!r} is not a real date: {USAGE}") from err
    if not re.match(r"\d{4}-\d{2}-\d{2}[T ]\d", text):
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as err:
        raise ToolError(f"{text!r} is not a real date and time: {USAGE}") from err
    if parsed.tzinfo is None:
        return localize(parsed, zone), True
    return parsed.astimezone(zone), True


def _day(word: str, today: date) -> date | None:
    if word == "today":
        return today
    if word == "tomorrow":
        return today + timedelta(days=1)
    if word in _WEEKDAYS:
        # The next such day after today: "friday" said on a Friday means a week later.
        ahead = (_WEEKDAYS.index(word) - today.weekday() - 1) % 7 + 1
        return today + timedelta(days=ahead)
    return None


def _clock(text: str) -> time | None:
    match = _CLOCK.fullmatch(text.strip())
    if match is None:
        return None
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half.lower() == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    if not half and match.group(2) is None:
        return None  # a bare number ("9") is too ambiguous to be a time
    return time(hour, minute)
