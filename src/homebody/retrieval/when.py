"""Time in a question, read by code: "last month", "in March", "since Tuesday", "27 October".

`find(question, now, zone)` returns the period a question names as UTC instants [since, until),
resolved in the user's time zone against `now` (which `HOMEBODY_NOW` fixes for reproducible runs),
and where in the question the phrase sits so search can leave those words out. Pure: no clock, no I/O.

Conventions, each in the table test:

- Weeks start on Monday (ISO 8601). "This week" is Monday to Sunday around today.
- "Last month" is the calendar month before this one; "the last month" / "the past 30 days" roll
  back from now. "Earlier this week" runs from Monday to now.
- A month or weekday without a year or "last"/"next" is read by tense: "what did I spend in March"
  is the most recent March, "what's on in March" the next one; the current month is this month.
- A date without a year ("27 October") is the one nearest today, before or after.
- "Since X" runs from the start of X to now; "before X" up to its start; "after X" from its end.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}  # fmt: skip
WEEKDAYS = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "weds": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4, "sat": 5, "saturday": 5,
    "sun": 6, "sunday": 6,
}  # fmt: skip
NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "couple of": 2, "few": 3,
}  # fmt: skip
SEASONS = {"spring": (3, 3), "summer": (6, 3), "autumn": (9, 3), "winter": (12, 3)}

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_MONTH_NAMES = "|".join(m for m in MONTHS if len(m) > 3 and m != "sept") + "|may"
_WEEKDAY = r"(?P<weekday>" + "|".join(sorted(WEEKDAYS, key=len, reverse=True)) + r")\.?"
_NUMBER = r"(?P<n>\d{1,3}|" + "|".join(sorted(NUMBERS, key=len, reverse=True)) + r")"
_UNIT = r"(?P<unit>day|week|month|year)s?"
_YEAR = r"(?P<year>(?:19|20)\d\d)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_PREP = r"(?:(?:in|on|during|for|from|at|of|over)\s+(?:the\s+)?)?"

_PAST = re.compile(
    r"\b(did|was|were|had|ago|yesterday|said|sent|spent|paid|bought|ate|went|got|told|wrote|made|came|"
    r"gave|took|met|saw|owed|last|earlier|(?!need|embed|speed|feed|seed|hundred)\w{3,}ed)\b",
    re.IGNORECASE,
)
_FUTURE = re.compile(
    r"\b(will|going to|gonna|upcoming|coming|next|plan(ned)?|tomorrow|shall|is there|are there|"
    r"do i have|what'?s on|schedule[d]?|due)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class When:
    """A period named in a question: [since, until) in UTC (None: open), and where the words are."""

    since: datetime | None
    until: datetime | None
    start: int
    end: int
    phrase: str
    exact: bool  # an explicit calendar date, which may be an event's day rather than a message's


@dataclass(frozen=True)
class _Clock:
    now: datetime  # in the user's zone
    zone: ZoneInfo
    past: bool
    future: bool

    @property
    def today(self) -> date:
        """The user's date now."""
        return self.now.date()

    def at(self, day: date) -> datetime:
        """Local midnight starting `day`, as an aware datetime in the user's zone."""
        return datetime.combine(day, time(), tzinfo=self.zone)


Range = tuple[date | datetime | None, date | datetime | None]
_Handler = Callable[[re.Match[str], _Clock], Range | None]


def _number(text: str) -> int:
    text = text.lower()
    return int(text) if text.isdigit() else NUMBERS[text]


def _month_start(year: int, month: int) -> date:
    return date(year, month, 1)


def _month_range(year: int, month: int) -> Range:
    start = _month_start(year, month)
    return start, start + relativedelta(months=1)


def _day_range(day: date) -> Range:
    return day, day + timedelta(days=1)


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _nearest_year(clock: _Clock, month: int, day: int) -> date | None:
    """The date with this month and day nearest today (a year before, this year, or a year after)."""
    options = []
    for year in (clock.today.year - 1, clock.today.year, clock.today.year + 1):
        try:
            options.append(date(year, month, day))
        except ValueError:
            continue
    return min(options, key=lambda d: abs((d - clock.today).days)) if options else None


def _iso(m: re.Match[str], clock: _Clock) -> Range | None:
    try:
        return _day_range(date(int(m["y"]), int(m["m"]), int(m["d"])))
    except ValueError:
        return None


def _day_month(m: re.Match[str], clock: _Clock) -> Range | None:
    month, day = MONTHS[m["month"].lower()], int(m["day"])
    if m["year"]:
        try:
            return _day_range(date(int(m["year"]), month, day))
        except ValueError:
            return None
    found = _nearest_year(clock, month, day)
    return _day_range(found) if found else None


def _relative_day(m: re.Match[str], clock: _Clock) -> Range:
    word = " ".join(m.group(0).lower().split())
    offset = {
        "the day before yesterday": -2,
        "day before yesterday": -2,
        "the day after tomorrow": 2,
        "day after tomorrow": 2,
        "yesterday": -1,
        "tomorrow": 1,
    }.get(word, 0)
    return _day_range(clock.today + timedelta(days=offset))


def _period(m: re.Match[str], clock: _Clock) -> Range:
    which, unit = m["which"].lower(), m["unit"].lower()
    shift = {"this": 0, "current": 0, "last": -1, "previous": -1, "past": -1, "next": 1, "coming": 1}[which]
    today = clock.today
    if unit == "weekend":
        saturday = _week_start(today) + timedelta(days=5 + 7 * shift)
        return saturday, saturday + timedelta(days=2)
    if unit == "week":
        start = _week_start(today) + timedelta(weeks=shift)
        return start, start + timedelta(weeks=1)
    if unit == "month":
        start = _month_start(today.year, today.month) + relativedelta(months=shift)
        return start, start + relativedelta(months=1)
    return date(today.year + shift, 1, 1), date(today.year + shift + 1, 1, 1)


def _earlier(m: re.Match[str], clock: _Clock) -> Range:
    unit = m["unit"].lower()
    today = clock.today
    start = {
        "week": _week_start(today),
        "month": _month_start(today.year, today.month),
        "year": date(today.year, 1, 1),
    }[unit]
    return start, clock.now


def _rolling(m: re.Match[str], clock: _Clock) -> Range:
    n = _number(m["n"]) if m["n"] else 1
    unit = m["unit"].lower()
    back = {
        "day": relativedelta(days=n),
        "week": relativedelta(weeks=n),
        "month": relativedelta(months=n),
        "year": relativedelta(years=n),
    }[unit]
    return clock.at(clock.today - back), clock.now


def _ago(m: re.Match[str], clock: _Clock) -> Range:
    n, unit = _number(m["n"]), m["unit"].lower()
    if unit == "day":
        return _day_range(clock.today - timedelta(days=n))
    if unit == "week":
        start = _week_start(clock.today - timedelta(weeks=n))
        return start, start + timedelta(weeks=1)
    if unit == "month":
        then = clock.today - relativedelta(months=n)
        return _month_range(then.year, then.month)
    return date(clock.today.year - n, 1, 1), date(clock.today.year - n + 1, 1, 1)


def _month(m: re.Match[str], clock: _Clock) -> Range:
    return _month_for(MONTHS[m["month"].lower()], m["year"], (m["which"] or "").lower(), clock)


def _month_for(month: int, year: str | None, which: str, clock: _Clock) -> Range:
    today = clock.today
    if year:
        return _month_range(int(year), month)
    if which == "this" or (not which and month == today.month):
        return _month_range(today.year, month)
    back = date(today.year if month < today.month else today.year - 1, month, 1)
    ahead = date(today.year if month > today.month else today.year + 1, month, 1)
    if which == "last" or (not which and clock.past and not clock.future):
        chosen = back
    elif which or clock.future:
        chosen = ahead
    else:
        # No word says which ("where are we staying in February?"): the nearer one, as for a date.
        chosen = back if (today - back).days < (ahead - today).days else ahead
    return _month_range(chosen.year, chosen.month)


def _season(m: re.Match[str], clock: _Clock) -> Range:
    first, length = SEASONS[m["season"].lower()]
    which = (m["which"] or "").lower()
    today = clock.today
    spans = [
        (s, s + relativedelta(months=length))
        for s in (date(y, first, 1) for y in range(today.year - 2, today.year + 2))
    ]
    running = next((s for s in spans if s[0] <= today < s[1]), None)
    last = max((s for s in spans if s[1] <= today), key=lambda s: s[0])
    upcoming = min((s for s in spans if s[0] > today), key=lambda s: s[0])
    if which == "last":
        return last
    if which == "next":
        return upcoming
    if running is not None:
        return running
    return last if clock.past and not clock.future else upcoming


def _year(m: re.Match[str], clock: _Clock) -> Range:
    year = int(m["year"])
    return date(year, 1, 1), date(year + 1, 1, 1)


def _weekday(m: re.Match[str], clock: _Clock) -> Range:
    wanted = WEEKDAYS[m["weekday"].lower()]
    which = (m["which"] or "").lower()
    today = clock.today
    if which == "this":
        return _day_range(_week_start(today) + timedelta(days=wanted))
    back = (today.weekday() - wanted) % 7 or 7  # days back to the last one strictly before today
    ahead = (wanted - today.weekday()) % 7  # days ahead to the next one, today included
    said_from = m.group(0).lower().startswith("from")  # "Sam's message from Sunday" is in the past
    if which == "last" or (not which and ((clock.past and not clock.future) or said_from)):
        return _day_range(today - timedelta(days=back))
    if which == "next":
        return _day_range(today + timedelta(days=ahead or 7))
    return _day_range(today + timedelta(days=ahead))


def _between_days(m: re.Match[str], clock: _Clock) -> Range | None:
    month = MONTHS[m["month"].lower()]
    first, last = int(m["a"]), int(m["b"])
    year = int(m["year"]) if m["year"] else None
    start = date(year, month, first) if year else _nearest_year(clock, month, first)
    if start is None or not 1 <= last <= 31:
        return None
    try:
        return start, start.replace(day=last) + timedelta(days=1)
    except ValueError:
        return None


def _between_months(m: re.Match[str], clock: _Clock) -> Range:
    first, last = MONTHS[m["a"].lower()], MONTHS[m["b"].lower()]
    start, _ = _month_for(first, m["year"], "", clock)
    assert isinstance(start, date)
    end_year = start.year if last >= first else start.year + 1
    return start, _month_start(end_year, last) + relativedelta(months=1)


def _today(m: re.Match[str], clock: _Clock) -> Range:
    return _day_range(clock.today)


# Most specific first; each pattern may carry a leading preposition, removed from search with it.
_PATTERNS: list[tuple[re.Pattern[str], _Handler, bool]] = [
    (re.compile(rf"\bbetween\s+(?:the\s+)?(?P<a>[0-3]?\d)(?:st|nd|rd|th)?\s+and\s+(?:the\s+)?(?P<b>[0-3]?\d)"
                rf"(?:st|nd|rd|th)?(?:\s+of)?\s+{_MONTH}(?:,?\s+{_YEAR})?\b", re.I), _between_days, True),
    (re.compile(rf"\bbetween\s+(?P<a>{_MONTH_NAMES})\s+and\s+(?P<b>{_MONTH_NAMES})"
                rf"(?:\s+{_YEAR})?\b", re.I), _between_months, False),
    (re.compile(rf"{_PREP}\b(?P<y>\d{{4}})-(?P<m>\d\d)-(?P<d>\d\d)\b", re.I), _iso, True),
    (re.compile(rf"{_PREP}\b(?:{_WEEKDAY},?\s+)?(?:the\s+)?{_DAY}(?:\s+of)?\s+{_MONTH}(?:,?\s+{_YEAR})?\b",
                re.I), _day_month, True),
    (re.compile(rf"{_PREP}\b(?:{_WEEKDAY},?\s+)?{_MONTH}\s+(?:the\s+)?{_DAY}(?:,?\s+{_YEAR})?\b(?!:)", re.I),
     _day_month, True),
    (re.compile(r"\b(?:the\s+)?day\s+(?:before\s+yesterday|after\s+tomorrow)\b|\b(?:yesterday|tomorrow)\b|"
                r"\b(?:today|tonight|this\s+(?:morning|afternoon|evening))\b", re.I), _relative_day, False),
    (re.compile(rf"\b(?:(?:in|during|over|within|for)\s+)?(?:the\s+(?:last|past|previous)|past)\s+"
                rf"(?:{_NUMBER}\s+)?{_UNIT}\b", re.I), _rolling, False),
    (re.compile(rf"\b(?:(?:in|during|over|within|for)\s+)?(?:last|previous)\s+{_NUMBER}\s+{_UNIT}\b", re.I),
     _rolling, False),
    (re.compile(rf"\b{_NUMBER}\s+{_UNIT}\s+ago\b", re.I), _ago, False),
    (re.compile(r"\bearlier\s+this\s+(?P<unit>week|month|year)\b", re.I), _earlier, False),
    (re.compile(r"\b(?:(?:in|during|for|over)\s+)?(?P<which>this|current|last|previous|next|coming)\s+"
                r"(?P<unit>weekend|week|month|year)\b", re.I), _period, False),
    (re.compile(rf"{_PREP}\b(?:(?P<which>last|next|this)\s+)?{_MONTH}(?:\s+{_YEAR})?\b(?![:'’])", re.I),
     _month, False),
    (re.compile(r"\b(?:(?:in|during|over)\s+(?:the\s+)?)?(?:(?P<which>last|next|this)\s+)?"
                r"(?P<season>spring|summer|autumn|winter)\b", re.I), _season, False),
    (re.compile(rf"\b(?:in|during|of|for)\s+{_YEAR}\b", re.I), _year, False),
    (re.compile(rf"{_PREP}\b(?:(?P<which>last|next|this)\s+)?{_WEEKDAY}(?:'?s)?\b", re.I), _weekday, False),
]  # fmt: skip
_OPEN = re.compile(r"\b(?P<word>since|after|before|until|till)\s+$", re.I)
# A bare "may", "mar", "sun" or "wed" is usually not a date: accept them only in a date's company.
_AMBIGUOUS = {
    "may",
    "mar",
    "sun",
    "sat",
    "wed",
    "mon",
    "jan",
    "jun",
    "jul",
    "aug",
    "sep",
    "oct",
    "nov",
    "dec",
}


def find(question: str, now: datetime, zone: ZoneInfo) -> When | None:
    """The period a question names, if any (the first one, most specific pattern first)."""
    clock = _Clock(now.astimezone(zone), zone, bool(_PAST.search(question)), bool(_FUTURE.search(question)))
    best: tuple[int, int, Range, bool] | None = None
    for pattern, handler, exact in _PATTERNS:
        for match in pattern.finditer(question):
            if not _plausible(question, match):
                continue
            found = handler(match, clock)
            if found is None:
                continue
            start, end = match.span()
            if best is None or start < best[0] or (start == best[0] and end > best[1]):
                best = (start, end, found, exact)
            break
    if best is None:
        return None
    start, end, (since, until), exact = best
    opener = _OPEN.search(question, 0, start)
    if opener is not None:
        word, start = opener["word"].lower(), opener.start()
        exact = False
        if word == "since":
            until = now
        elif word == "after":
            since, until = until, None
        else:
            since, until = None, since
    return When(_utc(since, clock), _utc(until, clock), start, end, question[start:end], exact)


def _plausible(question: str, match: re.Match[str]) -> bool:
    """False for a lone word that is a date only by accident ("may I", "the sun")."""
    groups = match.groupdict()
    month, weekday = groups.get("month"), groups.get("weekday")
    context = (
        any(groups.get(k) for k in ("day", "year", "which", "a"))
        or re.match(r"(in|on|during|from|of|at|for|over)\b", match.group(0), re.I)
        or _OPEN.search(question, 0, match.start())
    )
    if month and month.lower().rstrip(".") in _AMBIGUOUS and not context:
        return False
    # A weekday alone is often a name for something ("my Tuesday yoga class"), not a date.
    return not (weekday and not context)


def _utc(value: date | datetime | None, clock: _Clock) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return clock.at(value).astimezone(UTC)
