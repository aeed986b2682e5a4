"""Points in time from what the user said ("tomorrow at 9"), resolved by code in the user's zone.

The model only copies the user's words into a tool argument; this module turns them into a datetime,
so a 0.5B model never does calendar arithmetic. `dateparser` does the parsing; two habits of speech it
gets wrong are rewritten first: a bare hour after "at" ("at 9" reads as 12:00 otherwise) and
"tonight" / "this evening" (which it does not know).
"""

from __future__ import annotations

import re
import warnings
from datetime import datetime
from zoneinfo import ZoneInfo

from homebody.errors import ToolError

_BARE_HOUR = re.compile(r"\b(at|@)\s*(\d{1,2})(?![\d:.])(?!\s*(?:am|pm|a\.m\.|p\.m\.|o'?clock))", re.I)
_OCLOCK = re.compile(r"\b(\d{1,2})\s*o'?clock\b", re.I)
_EVENING = re.compile(r"\b(tonight|this evening)\b", re.I)
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?([+-]\d{2}:?\d{2}|Z)?$")


def resolve_time(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """The moment `text` names, seen from `now` in `zone`; a ToolError if it names none."""
    phrase = " ".join(text.strip().split())
    if not phrase:
        raise ToolError("no time was given")
    if _ISO.match(phrase):
        return _from_iso(phrase, zone)
    evening = bool(_EVENING.search(phrase))
    phrase = _EVENING.sub("today", phrase)
    phrase = _OCLOCK.sub(lambda m: f"{m.group(1)}:00", phrase)
    phrase = _BARE_HOUR.sub(lambda m: f"{m.group(1)} {_hour(int(m.group(2)), evening)}:00", phrase)
    if evening and not re.search(r"\d", phrase):
        phrase += " at 19:00"
    local_now = now.astimezone(zone)
    settings = {
        "RELATIVE_BASE": local_now.replace(tzinfo=None),
        "TIMEZONE": zone.key,
        "RETURN_AS_TIMEZONE_AWARE": True,
        "PREFER_DATES_FROM": "future",
    }
    import dateparser  # imported here: it loads its language data, ~0.3 s, only when a time is needed

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # dateparser warns about its own internals (pytz, regex)
        found: datetime | None = dateparser.parse(phrase, languages=["en"], settings=settings)
    if found is None:
        raise ToolError(f"cannot tell which time {text!r} means")
    return found.astimezone(zone)


def _hour(hour: int, evening: bool) -> int:
    """A bare hour as the 24-hour clock: in the evening, 8 means 20."""
    if evening and 1 <= hour < 12:
        return hour + 12
    return hour


def _from_iso(text: str, zone: ZoneInfo) -> datetime:
    """An ISO 8601 date or date-time; without an offset it is in the user's zone."""
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as err:
        raise ToolError(f"not a valid date: {text!r}") from err
    if value.tzinfo is None:
        value = value.replace(tzinfo=zone)
    return value.astimezone(zone)
