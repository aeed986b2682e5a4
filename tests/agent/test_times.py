"""Times the user says, resolved in their zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from homebody.agent.times import resolve_time
from homebody.errors import ToolError

LONDON = ZoneInfo("Europe/London")
NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=LONDON)  # a Saturday


@pytest.mark.parametrize(
    ("said", "expected"),
    [
        ("tomorrow at 9", "2026-11-22 09:00"),
        ("tomorrow at 9am", "2026-11-22 09:00"),
        ("9am tomorrow", "2026-11-22 09:00"),
        ("tomorrow at 9 o'clock", "2026-11-22 09:00"),
        ("tonight at 8", "2026-11-21 20:00"),
        ("this evening", "2026-11-21 19:00"),
        ("in 2 hours", "2026-11-21 14:00"),
        ("in 10 minutes", "2026-11-21 12:10"),
        ("next Friday at 3pm", "2026-11-27 15:00"),
        ("on Tuesday at 9:15", "2026-11-24 09:15"),
        ("on 3 December at noon", "2026-12-03 12:00"),
        ("the day after tomorrow at 10:00", "2026-11-23 10:00"),
        ("2026-12-01 09:00", "2026-12-01 09:00"),
        ("2026-12-01T09:00:00Z", "2026-12-01 09:00"),
    ],
)
def test_spoken_times_resolve_in_the_users_zone(said: str, expected: str) -> None:
    found = resolve_time(said, NOW, LONDON)
    assert found.strftime("%Y-%m-%d %H:%M") == expected
    assert found.tzinfo is not None


def test_the_zone_decides_what_tomorrow_means() -> None:
    late = datetime(2026, 11, 22, 2, 0, tzinfo=LONDON)  # still the 21st in New York
    assert resolve_time("tomorrow at 9", late, NY).strftime("%Y-%m-%d %H:%M %Z") == "2026-11-22 09:00 EST"
    assert resolve_time("tomorrow at 9", late, LONDON).strftime("%Y-%m-%d %H:%M") == "2026-11-23 09:00"


def test_summer_time_is_kept() -> None:
    summer = datetime(2026, 7, 1, 12, 0, tzinfo=LONDON)
    found = resolve_time("tomorrow at 9", summer, LONDON)
    assert found.utcoffset() is not None
    assert found.utcoffset().total_seconds() == 3600
    assert found.hour == 9


@pytest.mark.parametrize("said", ["", "   ", "whenever you like", "2026-13-45"])
def test_no_time_is_a_tool_error(said: str) -> None:
    with pytest.raises(ToolError):
        resolve_time(said, NOW, LONDON)
