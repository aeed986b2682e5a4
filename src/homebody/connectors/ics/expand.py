"""Expand a recurring event into its occurrences inside a time window, with recurring-ical-events.

RFC 5545 §3.8.5: RRULE, RDATE (also VALUE=PERIOD) and EXDATE; §3.8.4.4: RECURRENCE-ID overrides,
which may come before their master, move an instance, or cancel it. The library returns cancelled
instances with STATUS:CANCELLED (FORMATS.md §4); we drop them. It expands in the event's own zone,
so a weekly 09:30 stays 09:30 across a DST change. Only the window is asked for, so a yearly
birthday since 1990 gives four items, not forty; a rule repeating hourly is asked for a month at a
time until the cap, and one repeating every minute or second forever is not expanded at all.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta, tzinfo

import icalendar
import recurring_ical_events

from homebody.connectors.ics.fields import Entry, build_item, text_value
from homebody.vault.items import Item

logger = logging.getLogger(__name__)

#: At most this many occurrences of one event: enough for four years of a daily meeting.
CAP = 2000
_SLICE = timedelta(days=31)
# The library compares floating and all-day times against the window as if they were UTC; we ask
# for a little more and then keep exactly the occurrences whose start lies in the window.
_PAD = timedelta(days=2)
# Which of the series' components an occurrence was copied from (the library copies properties).
_INDEX = "X-HOMEBODY-INDEX"


def expand_series(
    master: Entry, overrides: list[Entry], window: tuple[datetime, datetime], tz: tzinfo
) -> Iterator[Item]:
    """The occurrences of one series inside the window, earliest first.

    With none there (a series that ended years ago), or a rule the library cannot expand (RSCALE,
    RFC 7529), the master itself is yielded once, so the event is not lost.
    """
    if _too_fine(master.component):
        logger.info("second- or minute-level recurrence not expanded; first date kept")
        yield build_item(master, master.component, tz, occurrence=False, recurring=True)
        return
    entries = [master, *overrides]
    calendar = icalendar.Calendar()
    for index, entry in enumerate(entries):
        entry.component[_INDEX] = str(index)
        calendar.add_component(entry.component)
    try:
        items = _occurrences(calendar, entries, window, tz)
    except Exception as err:  # noqa: BLE001 - a rule nobody can expand still keeps its event
        logger.warning("recurrence not expanded (%s); first date kept", type(err).__name__)
        items = []
    if not items:
        items = [build_item(master, master.component, tz, occurrence=False, recurring=True)]
    for entry in entries:
        del entry.component[_INDEX]
    yield from items


def _frequencies(component: icalendar.Component) -> list[tuple[str, int | None]]:
    """(FREQ, COUNT) of each RRULE (RFC 5545 §3.3.10)."""
    rules = component.get("RRULE")
    found = []
    for rule in rules if isinstance(rules, list) else [rules] if rules is not None else []:
        frequency = str((rule.get("FREQ") or [""])[0]).upper()
        count = (rule.get("COUNT") or [None])[0]
        found.append((frequency, int(count) if count is not None else None))
    return found


def _too_fine(component: icalendar.Component) -> bool:
    """A rule repeating every second or minute with no small COUNT: expanding it from DTSTART
    would build millions of times before reaching the window (no calendar app writes these)."""
    return any(
        frequency in ("SECONDLY", "MINUTELY") and not (count and count <= CAP)
        for frequency, count in _frequencies(component)
    )


def _slice(component: icalendar.Component) -> timedelta:
    """How much of the window to ask for at once: all of it, unless a rule repeats hourly or
    faster, whose thousands of occurrences are fetched a month at a time until the cap."""
    fine = ("HOURLY", "MINUTELY", "SECONDLY")
    return _SLICE if any(f in fine for f, _ in _frequencies(component)) else timedelta.max


def _occurrences(
    calendar: icalendar.Calendar,
    entries: list[Entry],
    window: tuple[datetime, datetime],
    tz: tzinfo,
) -> list[Item]:
    start, stop = window
    query = recurring_ical_events.of(calendar, components=[entries[0].name])
    seen: set[str] = set()
    items: list[Item] = []
    step = _slice(calendar.subcomponents[0])
    cursor = start - _PAD
    while cursor < stop + _PAD and len(items) < CAP:
        upper = stop + _PAD if step > stop - cursor else cursor + step
        for component in query.between(cursor, upper):
            if text_value(component.get("STATUS")).upper() == "CANCELLED":
                continue
            entry = entries[int(str(component.get(_INDEX, "0")))]
            item = build_item(entry, component, tz, occurrence=True, recurring=True)
            if item.ts is None or not start <= item.ts < stop or item.native_id in seen:
                continue
            seen.add(item.native_id)
            items.append(item)
        cursor = upper
    if len(items) >= CAP:
        logger.info("recurring event capped at %d occurrences", CAP)
    items.sort(key=lambda item: item.ts or start)
    return items[:CAP]
