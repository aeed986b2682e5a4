"""Fuzz: mutated real calendars never make the parser raise; they give items or bad records."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homebody.connectors.ics.parse import parse_calendar
from homebody.errors import BadRecord
from homebody.vault.items import Item

FIXTURES = Path(__file__).parent / "fixtures"
SEEDS = [
    (FIXTURES / "synthetic" / name).read_bytes()
    for name in ("google_calendar_export.ics", "outlook_windows_tzid.ics", "apple_floating_and_todo.ics")
]
WINDOW = (datetime(2023, 1, 1, tzinfo=UTC), datetime(2025, 1, 1, tzinfo=UTC))


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["flip", "cut", "dup", "insert"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "flip" and data:
            data[at] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[at : at + draw(st.integers(1, 200))]
        elif op == "dup":
            data[at:at] = data[at : at + draw(st.integers(1, 200))]
        else:
            data[at:at] = draw(
                st.sampled_from(
                    [
                        b"\r\nRRULE:FREQ=SECONDLY",
                        b"\r\nDTSTART;TZID=Nowhere:2024",
                        b"\r\nEND:VEVENT",
                        b"\r\nBEGIN:VEVENT",
                        b"\x00\xff",
                        b";;;:::",
                    ]
                )
            )
    return bytes(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_calendars_yield_items_or_bad_records(data):
    for parsed in parse_calendar(data, file_name="fuzz.ics", window=WINDOW, tz=ZoneInfo("Europe/London")):
        assert isinstance(parsed, Item | BadRecord)
        if isinstance(parsed, Item):
            assert parsed.ts is None or parsed.ts.tzinfo is not None
