"""The iCalendar parser on recorded and synthetic files: what a user would find in the vault."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from homebody.connectors.ics.expand import CAP
from homebody.connectors.ics.parse import parse_calendar
from homebody.errors import BadRecord
from homebody.vault.items import Item, Kind

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2024, 6, 1, 12, tzinfo=UTC)
LA = ZoneInfo("America/Los_Angeles")
GOOGLE = "synthetic/google_calendar_export.ics"
WEEKLY = "1a2b3c4d5e6f7g8h9i0jklmnop@google.com"


def window(now: datetime) -> tuple[datetime, datetime]:
    return now.replace(year=now.year - 3), now.replace(year=now.year + 1)


def parse_bytes(
    data: bytes, *, now: datetime = NOW, tz: str = "America/Los_Angeles", name: str = "test.ics"
) -> tuple[list[Item], list[BadRecord]]:
    results = list(parse_calendar(data, file_name=name, window=window(now), tz=ZoneInfo(tz)))
    items = [r for r in results if isinstance(r, Item)]
    bad = [r for r in results if isinstance(r, BadRecord)]
    assert len(items) + len(bad) == len(results)
    return items, bad


def parse(
    fixture: str, *, now: datetime = NOW, tz: str = "America/Los_Angeles"
) -> tuple[list[Item], list[BadRecord]]:
    path = FIXTURES / fixture
    return parse_bytes(path.read_bytes(), now=now, tz=tz, name=path.name)


def items_of(fixture: str, **kwargs: object) -> list[Item]:
    items, bad = parse(fixture, **kwargs)  # type: ignore[arg-type]
    assert bad == []
    return items


def by_title(items: list[Item], title: str) -> Item:
    """The first (earliest, for a series) item with this title."""
    found = [i for i in items if i.title == title]
    assert found, [i.title for i in items]
    return found[0]


def calendar(*events: str, header: str = "") -> bytes:
    body = "".join(f"BEGIN:VEVENT\r\n{e.strip()}\r\nEND:VEVENT\r\n" for e in events)
    head = f"{header.strip()}\r\n" if header else ""
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{head}{body}END:VCALENDAR\r\n".encode()


# Every fixture: (items, bad records) with NOW = 2024-06-01 in Los Angeles.
COUNTS = {
    "icalendar/alarm_google_future.ics": (1, 0),
    "icalendar/alarm_thunderbird_future.ics": (1, 0),
    "icalendar/america_new_york.ics": (1, 0),
    "icalendar/big_bad_calendar.ics": (0, 20),  # 20 empty VEVENTs, VCALENDAR never closed
    "icalendar/bom_calendar.ics": (0, 0),
    "icalendar/broken_ical.ics": (0, 1),  # its only event has an unreadable DTSTART
    "icalendar/calendar_with_unicode.ics": (0, 0),
    "icalendar/empty.ics": (0, 0),
    "icalendar/event_with_escaped_characters.ics": (0, 1),  # only an ORGANIZER: nothing to keep
    "icalendar/event_with_recurrence.ics": (1, 0),  # 1996 series outside the window: kept once
    "icalendar/event_with_recurrence_exdates_on_different_lines.ics": (1, 0),
    "icalendar/issue_101_icalendar_chokes_on_umlauts_in_organizer.ics": (1, 0),
    "icalendar/issue_112_missing_tzinfo_on_exdate.ics": (1, 0),
    "icalendar/issue_1231_recurrence.ics": (1, 0),
    "icalendar/issue_127_categories_with_commas.ics": (1, 0),
    "icalendar/issue_156_RDATE_with_PERIOD_TZID_khal.ics": (1, 0),
    "icalendar/issue_157_removes_trailing_semicolon.ics": (4, 0),  # Nov 2021..2024
    "icalendar/issue_218_bad_tzid.ics": (1, 0),
    "icalendar/issue_237_brazilia_standard.ics": (0, 0),
    "icalendar/issue_237_fail_to_parse_timezone_with_non_ascii_tzid.ics": (1, 0),
    "icalendar/issue_27_multiple_periods_in_freebusy_multiple_freebusies.ics": (0, 0),
    "icalendar/issue_348_exception_parsing_value.ics": (1, 0),  # VFREEBUSY is not a record
    "icalendar/issue_350.ics": (1, 0),  # X-COMMENT after END:VCALENDAR is no error
    "icalendar/issue_355_url_escaping.ics": (1, 0),
    "icalendar/issue_466_convert_tzid_with_slash.ics": (137, 0),  # Fridays 2022-10-21..2025-05-30
    "icalendar/issue_53_description_parsed_properly.ics": (1, 0),
    "icalendar/issue_55_parse_error_on_utc_offset_with_seconds.ics": (0, 0),
    "icalendar/issue_70_rrule_causes_attribute_error.ics": (1, 0),
    "icalendar/issue_722_missing_timezones.ics": (2, 2),  # two VEVENTs with no start, no text
    "icalendar/multiple_timezones.ics": (3, 0),
    "icalendar/pacific_fiji.ics": (1, 0),
    "icalendar/rfc_5545_RDATE_example.ics": (0, 6),  # RDATE fragments without DTSTART
    "icalendar/rfc_7529.ics": (4, 0),  # RSCALE not expandable: each kept at its DTSTART
    "icalendar/timezoned.ics": (1, 0),
    "icalendar/todo_example.ics": (1, 0),
    "icalendar/x_location.ics": (1044, 0),  # weekdays, 4 years
    "synthetic/apple_floating_and_todo.ics": (2, 0),
    "synthetic/google_calendar_export.ics": (20, 0),
    "synthetic/outlook_windows_tzid.ics": (5, 0),
    "vobject/ms_tzid.ics": (1, 0),
    "vobject/radicale-0816.ics": (1, 0),
    "vobject/radicale-0827.ics": (1, 0),
    "vobject/ruby_rrule.ics": (1, 0),
    "vobject/timezones.ics": (0, 0),
    "vobject/tz_us_eastern.ics": (0, 0),
    "vobject/tzid_8bit.ics": (1, 0),
    "vobject/vtodo.ics": (1, 0),
}


def test_the_table_covers_every_fixture() -> None:
    on_disk = {p.relative_to(FIXTURES).as_posix() for p in FIXTURES.glob("*/*.ics")}
    assert on_disk == set(COUNTS)


@pytest.mark.parametrize("fixture", sorted(COUNTS))
def test_every_fixture_parses_into_sound_items(fixture: str) -> None:
    items, bad = parse(fixture)
    assert (len(items), len(bad)) == COUNTS[fixture]
    name = Path(fixture).name
    assert len({i.native_id for i in items}) == len(items)
    for item in items:
        assert item.kind in (Kind.EVENT, Kind.NOTE)
        assert item.native_id
        assert item.ts is None or item.ts.utcoffset() == timedelta(0)
        assert item.origin.startswith(f"{name}, V")
        json.dumps(item.meta)  # JSON-safe
        assert {"start", "end", "all_day", "status", "recurring", "calendar"} <= set(item.meta)
    for record in bad:
        assert record.file == name
        assert record.position
        assert record.reason


# The Google weekly 1:1 on Fridays 09:30 Los Angeles, 2024-03-01..04-26: EXDATE 03-15 and 03-29,
# 04-05 moved to 11:00, 04-12 cancelled. US DST starts 2024-03-10: 17:30Z before, 16:30Z after.
WEEKLY_OCCURRENCES = [
    ("2024-03-01T17:30:00Z", datetime(2024, 3, 1, 17, 30, tzinfo=UTC), "1:1 Alex / Sam"),
    ("2024-03-08T17:30:00Z", datetime(2024, 3, 8, 17, 30, tzinfo=UTC), "1:1 Alex / Sam"),
    ("2024-03-22T16:30:00Z", datetime(2024, 3, 22, 16, 30, tzinfo=UTC), "1:1 Alex / Sam"),
    ("2024-04-05T16:30:00Z", datetime(2024, 4, 5, 18, 0, tzinfo=UTC), "1:1 Alex / Sam (moved)"),
    ("2024-04-19T16:30:00Z", datetime(2024, 4, 19, 16, 30, tzinfo=UTC), "1:1 Alex / Sam"),
    ("2024-04-26T16:30:00Z", datetime(2024, 4, 26, 16, 30, tzinfo=UTC), "1:1 Alex / Sam"),
]


def weekly() -> list[Item]:
    return [i for i in items_of(GOOGLE) if i.thread == WEEKLY]


def test_weekly_series_has_exactly_its_occurrences() -> None:
    ids = [i.native_id for i in weekly()]
    assert ids == [f"{WEEKLY}@{rid}" for rid, _, _ in WEEKLY_OCCURRENCES]


@pytest.mark.parametrize(("recurrence_id", "ts", "title"), WEEKLY_OCCURRENCES)
def test_weekly_occurrence_time_and_title(recurrence_id: str, ts: datetime, title: str) -> None:
    item = next(i for i in weekly() if i.native_id == f"{WEEKLY}@{recurrence_id}")
    assert item.ts == ts
    assert item.title == title
    assert item.tz == "America/Los_Angeles"
    assert item.meta["recurring"] is True
    assert item.meta["recurrence_id"] == recurrence_id


@pytest.mark.parametrize(
    ("day", "why"),
    [("2024-03-15", "EXDATE"), ("2024-03-29", "EXDATE"), ("2024-04-12", "STATUS:CANCELLED")],
)
def test_removed_instances_are_absent(day: str, why: str) -> None:
    days = {i.ts.astimezone(LA).date().isoformat() for i in weekly() if i.ts}
    assert day not in days, why


def test_weekly_keeps_wall_clock_across_dst() -> None:
    local = [i.ts.astimezone(LA) for i in weekly() if i.ts and "moved" not in (i.title or "")]
    assert {t.time() for t in local} == {time(9, 30)}
    assert {t.utcoffset() for t in local} == {timedelta(hours=-8), timedelta(hours=-7)}


def test_override_changes_time_location_and_description() -> None:
    moved = next(i for i in weekly() if i.title == "1:1 Alex / Sam (moved)")
    assert moved.meta["start"] == "2024-04-05T11:00:00-07:00"
    assert moved.meta["end"] == "2024-04-05T11:30:00-07:00"
    assert "Moved to 11:00 this week only." in moved.text
    assert moved.meta["location"] is None


def test_override_before_its_master_and_a_cancelled_one_still_apply() -> None:
    master = """
UID:series-1
DTSTART;TZID=Europe/Berlin:20240506T080000
DURATION:PT30M
RRULE:FREQ=DAILY;COUNT=5
SUMMARY:Standup"""
    moved = """
UID:series-1
RECURRENCE-ID;TZID=Europe/Berlin:20240507T080000
DTSTART;TZID=Europe/Berlin:20240507T100000
DURATION:PT30M
SUMMARY:Standup (late)"""
    cancelled = """
UID:series-1
RECURRENCE-ID;TZID=Europe/Berlin:20240508T080000
DTSTART;TZID=Europe/Berlin:20240508T080000
STATUS:CANCELLED
SUMMARY:Standup"""
    items, bad = parse_bytes(calendar(moved, cancelled, master))
    assert bad == []
    assert [(i.ts.day, i.ts.hour, i.title) for i in items if i.ts] == [
        (6, 6, "Standup"),
        (7, 8, "Standup (late)"),
        (9, 6, "Standup"),
        (10, 6, "Standup"),
    ]


def test_yearly_birthday_since_1990_gives_four_all_day_occurrences() -> None:
    birthdays = [i for i in items_of(GOOGLE) if i.title == "Jordan Lee's birthday"]
    assert [i.native_id.rsplit("@", 1)[1] for i in birthdays] == [
        "2022-02-14",
        "2023-02-14",
        "2024-02-14",
        "2025-02-14",
    ]
    assert {i.tz for i in birthdays} == {"date"}
    assert all(i.meta["all_day"] for i in birthdays)
    assert birthdays[0].ts == datetime(2022, 2, 14, 8, tzinfo=UTC)  # midnight in Los Angeles


def test_last_weekday_of_month_bysetpos() -> None:
    rent = [i for i in items_of(GOOGLE) if i.title == "Pay rent (last weekday of month)"]
    days = [i.meta["start"][:10] for i in rent]
    assert days == ["2024-01-31", "2024-02-29", "2024-03-29", "2024-04-30", "2024-05-31", "2024-06-28"]


@pytest.mark.parametrize(
    ("tz", "ts"),
    [
        ("America/Los_Angeles", datetime(2024, 7, 8, 7, tzinfo=UTC)),
        ("Europe/Berlin", datetime(2024, 7, 7, 22, tzinfo=UTC)),
    ],
)
def test_all_day_event_starts_at_local_midnight_and_ends_exclusive(tz: str, ts: datetime) -> None:
    items, _ = parse(GOOGLE, tz=tz)
    vacation = by_title(items, "Vacation 🏖️ (Mon–Fri; DTEND is exclusive)")
    assert vacation.ts == ts
    assert vacation.tz == "date"
    assert vacation.meta["all_day"] is True
    assert (vacation.meta["start"], vacation.meta["end"]) == ("2024-07-08", "2024-07-13")
    assert vacation.meta["location"] == "Lisbon, Portugal"


@pytest.mark.parametrize(
    ("title_start", "ts", "start", "end"),
    [
        # no DTEND and no DURATION: a DATE-TIME event lasts no time
        ("Instant", datetime(2024, 5, 15, 19, tzinfo=UTC), "2024-05-15T12:00:00-07:00",
         "2024-05-15T12:00:00-07:00"),
        # 01:30 happens twice on 2024-11-03: the first (PDT) is meant; 45 elapsed minutes later
        # it is 01:15 standard time
        ("Ambiguous", datetime(2024, 11, 3, 8, 30, tzinfo=UTC), "2024-11-03T01:30:00-07:00",
         "2024-11-03T01:15:00-08:00"),
        # 00:30 London on the spring-forward night is still GMT
        ("Starts before", datetime(2024, 3, 31, 0, 30, tzinfo=UTC), "2024-03-31T00:30:00+00:00",
         "2024-03-31T01:30:00+00:00"),
    ],
)  # fmt: skip
def test_single_event_times(title_start: str, ts: datetime, start: str, end: str) -> None:
    item = next(i for i in items_of(GOOGLE) if (i.title or "").startswith(title_start))
    assert (item.ts, item.meta["start"], item.meta["end"]) == (ts, start, end)
    assert item.meta["recurring"] is False


def test_zero_length_all_day_event_lasts_one_day() -> None:
    items = items_of("synthetic/outlook_windows_tzid.ics")
    memorial = next(i for i in items if i.native_id == "zero-length-all-day@example.com")
    assert (memorial.meta["start"], memorial.meta["end"]) == ("2024-05-27", "2024-05-28")


@pytest.mark.parametrize(
    ("tz", "ts"),
    [
        ("America/Los_Angeles", datetime(2024, 2, 11, 2, tzinfo=UTC)),
        ("Europe/Berlin", datetime(2024, 2, 10, 17, tzinfo=UTC)),
        ("Asia/Tokyo", datetime(2024, 2, 10, 9, tzinfo=UTC)),
    ],
)
def test_floating_time_is_read_in_the_users_zone(tz: str, ts: datetime) -> None:
    items, _ = parse("synthetic/apple_floating_and_todo.ics", tz=tz)
    dinner = next(i for i in items if i.kind is Kind.EVENT)
    assert dinner.ts == ts
    assert dinner.tz == "floating"
    assert dinner.meta["start"] == "2024-02-10T18:00:00"
    assert dinner.meta["url"] == "https://example.com/reservations/123"


def test_todo_becomes_a_note_with_its_due_date() -> None:
    items = items_of("synthetic/apple_floating_and_todo.ics")
    todo = next(i for i in items if i.kind is Kind.NOTE)
    assert todo.title == "Renew passport"
    assert todo.meta["todo"] is True
    assert todo.meta["due"] == "2024-02-15"
    assert todo.meta["status"] == "NEEDS-ACTION"
    assert todo.ts == datetime(2024, 2, 15, 8, tzinfo=UTC)


# (fixture, title or None for the first item, tz recorded, ts of that item)
ZONES = [
    # Windows zone name, quoted, with an Outlook "1601" VTIMEZONE
    ("synthetic/outlook_windows_tzid.ics", "Quarterly planning", "America/Los_Angeles",
     datetime(2024, 1, 15, 18, tzinfo=UTC)),
    # Outlook display string with commas: a city of it names the IANA zone
    ("vobject/ms_tzid.ics", None, "Australia/Canberra", datetime(2008, 5, 30, 5, tzinfo=UTC)),
    # Cyrillic name nobody can map: the file's VTIMEZONE defines it; tz records its offset
    ("vobject/tzid_8bit.ics", None, "+06:00", datetime(2008, 5, 30, 9, tzinfo=UTC)),
    # "(UTC-03:00) Brasília": the file's VTIMEZONE
    ("icalendar/issue_237_fail_to_parse_timezone_with_non_ascii_tzid.ics", None, "-03:00",
     datetime(2017, 5, 11, 16, 30, tzinfo=UTC)),
    # leading slash
    ("icalendar/issue_466_convert_tzid_with_slash.ics", None, "Europe/Stockholm",
     datetime(2022, 10, 21, 18, tzinfo=UTC)),
    # custom names standing for IANA zones (X-LIC-LOCATION, city part)
    ("icalendar/pacific_fiji.ics", None, "Pacific/Fiji", datetime(2014, 8, 28, 20, tzinfo=UTC)),
    ("icalendar/america_new_york.ics", None, "America/New_York",
     datetime(2014, 8, 29, 12, tzinfo=UTC)),
    # "UTC+11" defined by its VTIMEZONE
    ("icalendar/issue_218_bad_tzid.ics", None, "+11:00", datetime(2017, 2, 28, 12, tzinfo=UTC)),
    # TZIDs with no VTIMEZONE block at all: the RDATE occurrence in Berlin, the to-do's DUE
    ("icalendar/issue_722_missing_timezones.ics", "an event with a custom tz name",
     "Europe/Berlin", datetime(2024, 9, 13, 10, tzinfo=UTC)),
    # Windows name on an RDATE;VALUE=PERIOD
    ("icalendar/issue_156_RDATE_with_PERIOD_TZID_khal.ics", None, "America/Chicago",
     datetime(2018, 3, 27, 13, tzinfo=UTC)),
    # X-WR-TIMEZONE: Google's UTC times are shown in the calendar's zone
    ("icalendar/alarm_google_future.ics", None, "Europe/London",
     datetime(2024, 10, 4, 18, 15, tzinfo=UTC)),
]  # fmt: skip


@pytest.mark.parametrize(("fixture", "title", "tz", "ts"), ZONES)
def test_time_zone_names_are_resolved(fixture: str, title: str | None, tz: str, ts: datetime) -> None:
    items, _ = parse(fixture)
    item = by_title(items, title) if title else items[0]
    assert (item.tz, item.ts) == (tz, ts)


@pytest.mark.parametrize(
    ("fixture", "tzid"),
    [
        ("synthetic/outlook_windows_tzid.ics", "Pacific Standard Time"),
        ("vobject/tzid_8bit.ics", "Екатеринбург"),
        ("vobject/ms_tzid.ics", "Canberra, Melbourne, Sydney"),
    ],
)
def test_the_tzid_as_written_is_kept_in_meta(fixture: str, tzid: str) -> None:
    assert items_of(fixture)[0].meta["tzid"] == tzid


def test_summer_and_winter_offsets_of_a_file_defined_zone() -> None:
    event = "UID:e\r\nDTSTART;TZID=Екатеринбург:20080110T150000\r\nSUMMARY:Winter"
    data = (
        (FIXTURES / "vobject/tzid_8bit.ics")
        .read_bytes()
        .replace(b"END:VCALENDAR", calendar(event).split(b"VERSION:2.0\r\n")[1])
    )
    items, bad = parse_bytes(data)
    assert bad == []
    assert [(i.tz, i.ts) for i in items] == [
        ("+06:00", datetime(2008, 5, 30, 9, tzinfo=UTC)),
        ("+05:00", datetime(2008, 1, 10, 10, tzinfo=UTC)),
    ]


def test_todo_due_in_a_zone_without_vtimezone() -> None:
    items, _ = parse("icalendar/issue_722_missing_timezones.ics")
    todo = next(i for i in items if i.kind is Kind.NOTE)
    assert (todo.tz, todo.ts) == ("Asia/Singapore", datetime(2014, 8, 29, 0, tzinfo=UTC))


def test_unknown_tzid_without_vtimezone_is_read_as_floating() -> None:
    items, bad = parse_bytes(
        calendar("UID:mars\r\nDTSTART;TZID=Mars/Olympus_Mons:20240501T100000\r\nSUMMARY:Rover"),
        tz="Europe/Berlin",
    )
    assert bad == []
    assert (items[0].tz, items[0].ts) == ("floating", datetime(2024, 5, 1, 8, tzinfo=UTC))
    assert items[0].meta["unknown_tzid"] == "Mars/Olympus_Mons"


def test_x_wr_timezone_keeps_a_utc_weekly_at_its_local_time() -> None:
    event = "UID:g\r\nDTSTART:20240301T173000Z\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nSUMMARY:Gym"
    items, _ = parse_bytes(calendar(event, header="X-WR-TIMEZONE:America/Los_Angeles"))
    assert [i.ts.hour if i.ts else None for i in items] == [17, 17, 16]
    assert {i.tz for i in items} == {"America/Los_Angeles"}


def test_x_wr_timezone_gives_floating_times_a_zone() -> None:
    event = "UID:f\r\nDTSTART:20240110T100000\r\nSUMMARY:Dentist"
    items, _ = parse_bytes(calendar(event, header="X-WR-TIMEZONE:Europe/Berlin"), tz="Asia/Tokyo")
    assert (items[0].tz, items[0].ts) == ("Europe/Berlin", datetime(2024, 1, 10, 9, tzinfo=UTC))


# (fixture, now, occurrences in the window)
RECURRENCES = [
    # floating DTSTART, EXDATEs written in UTC: still removes 3 of 100 (user in Berlin)
    ("icalendar/event_with_recurrence.ics", datetime(1996, 6, 1, tzinfo=UTC), 97),
    # 15 Tuesdays, 5 EXDATE lines
    ("icalendar/event_with_recurrence_exdates_on_different_lines.ics",
     datetime(2012, 6, 1, tzinfo=UTC), 10),
    # 13 Fridays and Saturdays, 2 EXDATEs with TZID
    ("icalendar/issue_112_missing_tzinfo_on_exdate.ics", datetime(2013, 10, 1, tzinfo=UTC), 11),
    # 37 Mondays, 9 EXDATEs in UTC across a DST change, 2 cancelled overrides
    ("vobject/radicale-0827.ics", datetime(2018, 6, 1, tzinfo=UTC), 26),
    # RRULE with escaped semicolons (Ruby generator): FREQ=DAILY\;COUNT=10
    ("vobject/ruby_rrule.ics", datetime(2004, 1, 1, tzinfo=UTC), 10),
    # weekly, floating UNTIL
    ("icalendar/issue_70_rrule_causes_attribute_error.ics", datetime(2007, 6, 1, tzinfo=UTC), 18),
    # instance with RANGE=THISANDFUTURE and 19 RDATE periods, no master
    ("icalendar/issue_156_RDATE_with_PERIOD_TZID_khal.ics", datetime(2018, 6, 1, tzinfo=UTC), 19),
    # BYDAY=3MO every 3 months, COUNT=4, plus one all-day event
    ("synthetic/outlook_windows_tzid.ics", NOW, 5),
    ("icalendar/issue_466_convert_tzid_with_slash.ics", NOW, 137),
]  # fmt: skip


@pytest.mark.parametrize(("fixture", "now", "count"), RECURRENCES)
def test_occurrences_in_a_fixed_window(fixture: str, now: datetime, count: int) -> None:
    items = items_of(fixture, now=now, tz="Europe/Berlin")
    assert len(items) == count
    recurring = [i for i in items if i.meta["recurring"]]
    assert all("@" in i.native_id for i in recurring)


def test_event_with_recurrence_skips_its_utc_exdates() -> None:
    items = items_of(
        "icalendar/event_with_recurrence.ics", now=datetime(1996, 6, 1, tzinfo=UTC), tz="Europe/Berlin"
    )
    # the occurrences stay floating: 01:00 wherever the user is (Berlin, summer time from 03-31)
    assert {i.tz for i in items} == {"floating"}
    assert items[0].ts == datetime(1996, 3, 31, 23, tzinfo=UTC)
    days = {i.meta["start"][:10] for i in items}
    assert {"1996-04-01", "1996-04-05"} <= days
    assert not {"1996-04-02", "1996-04-03", "1996-04-04"} & days


def test_series_outside_the_window_is_kept_once() -> None:
    items = items_of("vobject/radicale-0827.ics")
    assert [i.native_id for i in items] == ["812dae9d-4114-45c1-ba5b-4ee34756ab47"]
    assert items[0].meta["recurring"] is True
    assert items[0].meta["start"] == "2017-10-09T20:30:00+02:00"


def test_instance_without_its_series_stands_alone() -> None:
    items = items_of("icalendar/issue_1231_recurrence.ics")
    assert items[0].native_id == "test-uid@2025-04-28T16:05:00Z"
    assert items[0].ts == datetime(2025, 4, 28, 16, 5, tzinfo=UTC)


def test_endless_rule_is_capped() -> None:
    event = "UID:tick\r\nDTSTART:20200101T000000Z\r\nRRULE:FREQ=HOURLY\r\nSUMMARY:Tick"
    items, _ = parse_bytes(calendar(event))
    start = window(NOW)[0]
    assert len(items) == CAP
    assert items[0].ts == start
    assert items[-1].ts == start + timedelta(hours=CAP - 1)


# (what is odd, the event's lines, native ids yielded)
ODD_EVENTS = [
    ("all-day series, EXDATE written as a UTC date-time",
     "UID:a\nDTSTART;VALUE=DATE:20240101\nRRULE:FREQ=DAILY;COUNT=4\nEXDATE:20240102T000000Z",
     ["a@2024-01-01", "a@2024-01-03", "a@2024-01-04"]),
    ("zoned series, floating EXDATE",
     "UID:g\nDTSTART;TZID=Europe/Berlin:20240101T100000\nRRULE:FREQ=WEEKLY;COUNT=3\n"
     "EXDATE:20240108T100000",
     ["g@2024-01-01T09:00:00Z", "g@2024-01-15T09:00:00Z"]),
    ("RRULE UNTIL as a date with a UTC start",
     "UID:f\nDTSTART:20240101T000000Z\nRRULE:FREQ=WEEKLY;UNTIL=20240115",
     ["f@2024-01-01T00:00:00Z", "f@2024-01-08T00:00:00Z", "f@2024-01-15T00:00:00Z"]),
    ("unreadable RRULE: the event stays, once", "UID:h\nDTSTART:20240101T100000Z\nRRULE:FREQ=BOGUS",
     ["h"]),
    ("every second, forever: not expanded", "UID:j\nDTSTART:20200101T000000Z\nRRULE:FREQ=SECONDLY",
     ["j"]),
]  # fmt: skip


@pytest.mark.parametrize(("odd", "lines", "ids"), ODD_EVENTS)
def test_odd_recurrences(odd: str, lines: str, ids: list[str]) -> None:
    items, bad = parse_bytes(calendar(lines.replace("\n", "\r\n") + "\r\nSUMMARY:x"))
    assert bad == [], odd
    assert [i.native_id for i in items] == ids, odd


@pytest.mark.parametrize("dtend", ["DTEND:garbage", "DTEND:20231231T000000Z", "DTEND;VALUE=DATE:20240102"])
def test_unusable_end_means_zero_length(dtend: str) -> None:
    items, bad = parse_bytes(calendar(f"UID:k\r\nDTSTART:20240101T100000Z\r\n{dtend}\r\nSUMMARY:x"))
    assert bad == []
    assert items[0].meta["end"] == items[0].meta["start"] == "2024-01-01T10:00:00+00:00"


def test_unexpandable_rscale_rule_keeps_its_first_date() -> None:
    items = items_of("icalendar/rfc_7529.ics")
    new_year = by_title(items, "Chinese New Year")
    assert (new_year.native_id, new_year.meta["start"]) == ("4.3.1", "2013-02-10")


# (fixture, title, attribute or meta key, expected)
TEXT = [
    (GOOGLE, "1:1 Alex / Sam", "location", "Café Lumière, 5th Ave; Room 2"),
    (GOOGLE, "1:1 Alex / Sam", "author", "Sam Chen <sam.chen@example.net>"),
    (GOOGLE, "1:1 Alex / Sam", "participants",
     ("Alex Rivera <alex.rivera@example.com>", "Sam Chen <sam.chen@example.net>")),
    (GOOGLE, "1:1 Alex / Sam", "calendar", "alex.rivera@example.com"),
    ("icalendar/issue_101_icalendar_chokes_on_umlauts_in_organizer.ics", "wichtiger termin 1",
     "author", "acme, ädmin <adm-acme@mydomain.de>"),
    ("icalendar/issue_127_categories_with_commas.ics",
     "Test Event with Categories Containing Commas", "categories",
     ["Meeting, John", "Work, Sarah", "Project"]),
    ("icalendar/issue_348_exception_parsing_value.ics", "Sixt : détails de votre réservation",
     "location", "Sixt Genève Aéroport secteur France, AP de Genève Cointrin Sect(F), "
     "01210 Ferney-Voltaire, FR"),
    ("icalendar/issue_350.ics", 'Termin 4353 und"so"', "url",
     "https://podio.com/xxxxxxyyyyyy/zpodio-testgelande/apps/calendar/items/5"),
    ("icalendar/calendar_with_unicode.ics", None, None, None),
]  # fmt: skip


@pytest.mark.parametrize(("fixture", "title", "field", "expected"), TEXT)
def test_text_fields(fixture: str, title: str | None, field: str | None, expected: object) -> None:
    items = items_of(fixture)
    if title is None:  # a calendar with only a non-ASCII name and no events yields nothing
        assert items == []
        return
    item = next(i for i in items if i.title == title)
    assert field is not None
    value = getattr(item, field) if hasattr(item, field) else item.meta[field]
    assert value == expected


def test_text_joins_summary_location_description_and_attendees() -> None:
    item = weekly()[0]
    assert item.text.splitlines() == [
        "1:1 Alex / Sam",
        "Café Lumière, 5th Ave; Room 2",
        "Weekly 1:1. Crosses the US DST change on 2024-03-10 (wall-clock stays 09:30).",
        "Agenda: https://docs.example.com/d/abc?x=1&y=2",
        "Attendees: Alex Rivera <alex.rivera@example.com>, Sam Chen <sam.chen@example.net>",
    ]
    assert item.origin == f"google_calendar_export.ics, VEVENT 1, line 44 (UID {WEEKLY})"


def test_folded_description_is_unfolded_and_unescaped() -> None:
    item = items_of("icalendar/issue_53_description_parsed_properly.ics")[0]
    assert "DevOpsDC\nThursday, July 12 at 6:30 PM\n\nThis will be a joint meetup" in item.text


def test_event_without_uid_gets_a_stable_content_id() -> None:
    first, _ = parse_bytes(calendar("DTSTAMP:20240101T000000Z\r\nDTSTART:20240301T100000Z\r\nSUMMARY:A"))
    again, _ = parse_bytes(calendar("DTSTAMP:20240505T000000Z\r\nDTSTART:20240301T100000Z\r\nSUMMARY:A"))
    other, _ = parse_bytes(calendar("DTSTAMP:20240101T000000Z\r\nDTSTART:20240301T100000Z\r\nSUMMARY:B"))
    assert first[0].native_id == again[0].native_id != other[0].native_id
    assert first[0].native_id.startswith("sha256:")
    assert len(first[0].native_id) == len("sha256:") + 32


def test_resent_invite_highest_sequence_wins() -> None:
    old = "UID:inv\r\nSEQUENCE:1\r\nDTSTART:20240301T100000Z\r\nSUMMARY:Lunch"
    new = "UID:inv\r\nSEQUENCE:2\r\nDTSTART:20240301T120000Z\r\nSUMMARY:Lunch (later)"
    items, _ = parse_bytes(calendar(new, old))
    assert [(i.native_id, i.title) for i in items] == [("inv", "Lunch (later)")]


def test_broken_dtstart_is_a_bad_record_with_position() -> None:
    items, bad = parse("icalendar/broken_ical.ics")
    assert items == []
    assert bad[0].position == "VEVENT 1, line 2"
    assert "DTSTART" in bad[0].reason


def test_good_events_survive_garbage_broken_and_truncated_parts() -> None:
    good = (FIXTURES / GOOGLE).read_bytes()
    broken = (FIXTURES / "icalendar/broken_ical.ics").read_bytes()
    data = (
        good
        + b"this line is garbage\r\n"
        + broken
        + calendar("UID:bad-date\r\nDTSTART:2024-13-45\r\nSUMMARY:Never")
        + calendar("UID:ok\r\nDTSTART:20240102T100000Z\r\nSUMMARY:Fine")
        + b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:cut\r\nDTSTART:20240101T100000Z\r\n"
    )
    items, bad = parse_bytes(data)
    assert len(items) == COUNTS[GOOGLE][0] + 1
    assert "Fine" in {i.title for i in items}
    reasons = [(b.position, b.reason.split(":")[0]) for b in bad]
    assert len(bad) == 4, reasons
    assert bad[0].position.startswith("line ")  # the garbage line
    assert any("no END:VEVENT" in b.reason for b in bad)
    assert sum("DTSTART" in b.reason for b in bad) == 2


def test_several_calendars_in_one_file_keep_their_names() -> None:
    first = calendar("UID:a\r\nDTSTART:20240101T100000Z\r\nSUMMARY:A", header="X-WR-CALNAME:Work")
    second = calendar("UID:b\r\nDTSTART:20240101T100000Z\r\nSUMMARY:B", header="X-WR-CALNAME:Home")
    items, bad = parse_bytes(first + second)
    assert bad == []
    assert [(i.title, i.meta["calendar"]) for i in items] == [("A", "Work"), ("B", "Home")]


@pytest.mark.parametrize(
    "data", [b"", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"just some notes\nnot a calendar\n"]
)
def test_a_file_that_is_no_calendar_is_one_bad_record(data: bytes) -> None:
    items, bad = parse_bytes(data)
    assert items == []
    assert [b.position for b in bad] == ["whole file"]


def test_windows_1252_file_still_reads() -> None:
    data = calendar("UID:w\r\nDTSTART:20240101T100000Z\r\nSUMMARY:Caf\xe9").replace(
        "Café".encode(), b"Caf\xe9"
    )
    items, _ = parse_bytes(data)
    assert items[0].title == "Café"
