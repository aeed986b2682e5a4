"""The iCalendar connector on disk: which files a path means, and reading them with the sync's clock."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from homebody.connectors.base import Gone, Registry, SyncContext
from homebody.connectors.ics.connector import IcsConnector, register, window
from homebody.errors import BadRecord, ConfigError, SourceError
from homebody.vault.items import Item, Kind

FIXTURES = Path(__file__).parent / "fixtures"
GOOGLE = FIXTURES / "synthetic" / "google_calendar_export.ics"
CONTEXT = SyncContext(now=datetime(2024, 6, 1, 12, tzinfo=UTC), timezone="America/Los_Angeles")


def test_registers_as_ics_providing_events_and_notes() -> None:
    registry = Registry()
    register(registry)
    connector = registry.get("ics")
    assert connector.provides == frozenset({Kind.EVENT, Kind.NOTE})
    assert registry.providers_of(Kind.EVENT) == ["ics"]


def test_a_file_is_its_own_source() -> None:
    assert IcsConnector().files(GOOGLE) == [GOOGLE]


def test_a_folder_means_every_ics_file_below_it(tmp_path: Path) -> None:
    (tmp_path / "Calendar" / "old").mkdir(parents=True)
    shutil.copy(GOOGLE, tmp_path / "Calendar" / "alex.rivera@example.com.ics")
    shutil.copy(GOOGLE, tmp_path / "Calendar" / "old" / "Holidays.ICS")
    (tmp_path / "Calendar" / "notes.txt").write_text("not a calendar")
    files = IcsConnector().files(tmp_path)
    assert [f.relative_to(tmp_path).as_posix() for f in files] == [
        "Calendar/alex.rivera@example.com.ics",
        "Calendar/old/Holidays.ICS",
    ]


def test_the_fixture_folder_has_all_its_calendars() -> None:
    files = IcsConnector().files(FIXTURES)
    assert len(files) == 47
    assert all(f.suffix == ".ics" for f in files)


def test_a_missing_path_is_a_source_error(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.ics"
    with pytest.raises(SourceError, match="nowhere.ics"):
        IcsConnector().files(missing)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any folder")
def test_an_unreadable_folder_is_a_source_error(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        with pytest.raises(SourceError, match="locked"):
            IcsConnector().files(locked)
    finally:
        locked.chmod(0o700)


def test_read_expands_around_the_sync_clock() -> None:
    *results, last = IcsConnector().read(GOOGLE, CONTEXT)
    assert len(results) == 20
    assert all(isinstance(r, Item) for r in results)
    # Occurrences older than the window were not expanded: the sync must not take them for deleted.
    assert last == Gone("", after=window(CONTEXT.now)[0])


def test_a_later_clock_moves_the_window() -> None:
    later = SyncContext(now=datetime(2030, 1, 1, tzinfo=UTC), timezone="America/Los_Angeles")
    items = [r for r in IcsConnector().read(GOOGLE, later) if isinstance(r, Item)]
    birthdays = [i.meta["start"] for i in items if i.title == "Jordan Lee's birthday"]
    assert birthdays == ["2027-02-14", "2028-02-14", "2029-02-14", "2030-02-14"]
    # the weekly 1:1 ended in April 2024: kept once, not lost
    weekly = [i for i in items if i.thread == "1a2b3c4d5e6f7g8h9i0jklmnop@google.com"]
    assert [i.native_id for i in weekly] == ["1a2b3c4d5e6f7g8h9i0jklmnop@google.com"]


def test_the_users_zone_places_all_day_events() -> None:
    berlin = SyncContext(now=CONTEXT.now, timezone="Europe/Berlin")
    items = [r for r in IcsConnector().read(GOOGLE, berlin) if isinstance(r, Item)]
    vacation = next(i for i in items if i.native_id == "0vacation0000000000000000@google.com")
    assert vacation.ts == datetime(2024, 7, 7, 22, tzinfo=UTC)


def test_an_unknown_user_zone_is_a_config_error() -> None:
    wrong = SyncContext(now=CONTEXT.now, timezone="Mars/Olympus_Mons")
    with pytest.raises(ConfigError, match="Mars/Olympus_Mons"):
        list(IcsConnector().read(GOOGLE, wrong))


def test_a_file_gone_before_reading_is_one_bad_record(tmp_path: Path) -> None:
    gone = tmp_path / "gone.ics"
    results = list(IcsConnector().read(gone, CONTEXT))
    assert len(results) == 1
    assert isinstance(results[0], BadRecord)
    assert (results[0].file, results[0].position) == ("gone.ics", "whole file")
