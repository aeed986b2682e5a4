"""Times as the user says them, resolved by code in their zone (tools/_when.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from homebody.errors import ToolError
from homebody.tools._when import resolve, resolve_moment

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2025, 3, 11, 11, 0, tzinfo=UTC)  # Tuesday 11 March 2025, 11:00 in London


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-14 09:00", datetime(2025, 3, 14, 9, 0, tzinfo=LONDON)),
        ("2025-03-14T09:00:00+01:00", datetime(2025, 3, 14, 8, 0, tzinfo=LONDON)),
        ("2025-03-14T09:00Z", datetime(2025, 3, 14, 9, 0, tzinfo=LONDON)),
        ("today 17:30", datetime(2025, 3, 11, 17, 30, tzinfo=LONDON)),
        ("Tomorrow 9am", datetime(2025, 3, 12, 9, 0, tzinfo=LONDON)),
        ("tomorrow at 12pm", datetime(2025, 3, 12, 12, 0, tzinfo=LONDON)),
        ("tomorrow 12am", datetime(2025, 3, 12, 0, 0, tzinfo=LONDON)),
        ("friday 2:30pm", datetime(2025, 3, 14, 14, 30, tzinfo=LONDON)),
        ("next friday 14:30", datetime(2025, 3, 14, 14, 30, tzinfo=LONDON)),
        ("tuesday 10:00", datetime(2025, 3, 18, 10, 0, tzinfo=LONDON)),  # said on a Tuesday: next week
        ("in 90 minutes", datetime(2025, 3, 11, 12, 30, tzinfo=LONDON)),
        ("in 2 weeks", datetime(2025, 3, 25, 11, 0, tzinfo=LONDON)),
        ("10am", datetime(2025, 3, 12, 10, 0, tzinfo=LONDON)),  # already past today: tomorrow
        ("3pm", datetime(2025, 3, 11, 15, 0, tzinfo=LONDON)),
        # 30 March 2025, 01:30 does not exist in London (clocks go 01:00 -> 02:00): moved on by the gap.
        ("2025-03-30 01:30", datetime(2025, 3, 30, 2, 30, tzinfo=LONDON)),
        # 26 October 2025, 01:30 happens twice: the first one, still summer time (00:30 UTC).
        ("2025-10-26 01:30", datetime(2025, 10, 26, 0, 30, tzinfo=UTC)),
    ],
)
def test_times_resolve_in_the_users_zone(text, expected) -> None:
    value, timed = resolve(text, LONDON, NOW)
    assert timed
    # Compared as instants: PEP 495 makes a time in a repeated hour unequal to any other zone's.
    assert value.astimezone(UTC) == expected.astimezone(UTC)
    assert value.tzinfo == LONDON


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2025-03-14", date(2025, 3, 14)), ("today", date(2025, 3, 11)), ("Monday", date(2025, 3, 17))],
)
def test_days_without_a_time_are_dates(text, expected) -> None:
    assert resolve(text, LONDON, NOW) == (expected, False)
    assert resolve_moment(text, LONDON, NOW) == datetime.combine(
        expected, datetime.min.time(), LONDON
    ).replace(hour=9)


@pytest.mark.parametrize(
    "text", ["", "soon", "9", "25:00", "13pm", "tomorrow noonish", "2025-13-01", "2025-02-29 10:00"]
)
def test_unreadable_times_are_tool_errors(text) -> None:
    with pytest.raises(ToolError):
        resolve(text, LONDON, NOW)
