"""Calendar tools on a local .ics file and on a real CalDAV server (Radicale on loopback)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from caldav.davclient import DAVClient

from homebody.errors import ConfigError, ToolError
from homebody.vault.items import Item, Kind

LONDON = ZoneInfo("Europe/London")
USER, PASSWORD = "alice", "correct horse battery"


@pytest.fixture
def ics(configure, tmp_path):
    """A context writing to a local calendar file (not there yet)."""
    return configure(
        tools={"calendar": str(tmp_path / "cal" / "homebody.ics")}
    ), tmp_path / "cal" / "homebody.ics"


def _events(path: Path) -> list[icalendar.Event]:
    return list(icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT"))


def _call(registry, name, ctx, **args):
    tool = registry.get(name)
    return tool.run(tool.validate(args), ctx)


def test_an_event_said_in_words_lands_in_the_file_at_local_time(registry, ics) -> None:
    ctx, path = ics
    tool = registry.get("create_event")
    args = tool.validate({"title": "Dentist", "start": "friday 9am", "location": "High St"})
    preview = tool.describe(args, ctx)
    assert "Dentist" in preview and "Fri 14 Mar 2025, 09:00–10:00 (Europe/London)" in preview
    assert "Attendees: none" in preview and "High St" in preview
    result = tool.run(args, ctx)
    [event] = _events(path)
    assert str(event["UID"]) == result.data["event_id"]
    start = event.decoded("DTSTART")
    assert start == datetime(2025, 3, 14, 9, 0, tzinfo=LONDON)
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert b"BEGIN:VTIMEZONE" in path.read_bytes()
    assert path.stat().st_mode & 0o077 == 0


def test_an_event_after_the_clock_change_keeps_its_wall_clock_time(registry, ics) -> None:
    ctx, path = ics
    # 31 March 2025 is after the UK's clocks go forward (30 March): 09:00 BST is 08:00 UTC.
    _call(registry, "create_event", ctx, title="Standup", start="2025-03-31 09:00", duration_minutes=15)
    [event] = _events(path)
    assert event.decoded("DTSTART").astimezone(ZoneInfo("UTC")).hour == 8
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=15)


def test_a_date_alone_is_an_all_day_event_whose_end_day_is_included(registry, ics) -> None:
    ctx, path = ics
    result = _call(registry, "create_event", ctx, title="Trip", start="2025-04-18", end="2025-04-21")
    [event] = _events(path)
    assert event.decoded("DTSTART") == date(2025, 4, 18)
    assert event.decoded("DTEND") == date(2025, 4, 22)  # RFC 5545: DTEND of a whole day is exclusive
    assert result.data["when"] == "Fri 18 Apr 2025 – Mon 21 Apr 2025, all day"


def test_update_changes_only_what_is_given_and_keeps_the_length(registry, ics) -> None:
    ctx, path = ics
    _call(
        registry, "create_event", ctx, title="Lunch with Sam", start="2025-03-20 12:30", duration_minutes=90
    )
    _call(registry, "create_event", ctx, title="Other", start="2025-03-21 10:00")
    uid = str(_events(path)[0]["UID"])
    tool = registry.get("update_event")
    args = tool.validate({"event_id": uid, "start": "2025-03-20 13:00"})
    preview = tool.describe(args, ctx)
    assert (
        "Thu 20 Mar 2025, 13:00–14:30" in preview
        and "Was: Lunch with Sam, Thu 20 Mar 2025, 12:30–14:00" in preview
    )
    result = tool.run(args, ctx)
    lunch, other = _events(path)
    assert str(lunch["SUMMARY"]) == "Lunch with Sam"
    assert lunch.decoded("DTSTART") == datetime(2025, 3, 20, 13, 0, tzinfo=LONDON)
    assert lunch.decoded("DTEND") == datetime(2025, 3, 20, 14, 30, tzinfo=LONDON)
    assert int(lunch["SEQUENCE"]) == 1
    assert str(other["SUMMARY"]) == "Other"
    assert result.data["before"]["start"] == "2025-03-20T12:30:00+00:00"


def test_an_event_in_the_vault_is_found_by_its_item_id(registry, ics) -> None:
    ctx, path = ics
    created = _call(registry, "create_event", ctx, title="Dentist", start="2025-03-14 09:00")
    source = ctx.vault.add_source("cal", "ics", str(path))
    ctx.vault.upsert(
        source,
        Item(
            kind=Kind.EVENT,
            native_id=created.data["event_id"],
            text="Dentist",
            thread=created.data["event_id"],
        ),
        str(path),
    )
    item_id = next(ctx.vault.iter_items()).id
    _call(registry, "update_event", ctx, event_id=item_id, title="Dentist (moved)")
    assert str(_events(path)[0]["SUMMARY"]) == "Dentist (moved)"


def test_invited_events_are_no_longer_changed_by_homebody(registry, ics) -> None:
    ctx, path = ics
    uid = _call(registry, "create_event", ctx, title="Party", start="2025-03-22 19:00").data["event_id"]
    tool = registry.get("invite_to_event")
    args = tool.validate({"event_id": uid, "attendees": ["Sam Okafor <sam@sam.example>"]})
    assert "sam@sam.example" in tool.describe(args, ctx) and "Nobody is emailed" in tool.describe(args, ctx)
    tool.run(args, ctx)
    [event] = _events(path)
    [attendee] = [event["ATTENDEE"]]
    assert str(attendee) == "mailto:sam@sam.example" and attendee.params["CN"] == "Sam Okafor"
    with pytest.raises(ToolError, match="attendees"):
        _call(registry, "update_event", ctx, event_id=uid, title="Party!")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"start": "2025-03-14 10:00", "end": "2025-03-14 09:00"}, "end after it starts"),
        ({"start": "2025-03-14", "end": "2025-03-14 09:00"}, "both"),
        ({"start": "someday"}, "cannot read"),
        ({"start": "2025-02-30 10:00"}, "not a real date"),
    ],
)
def test_times_that_make_no_sense_are_tool_errors(registry, ics, args, message) -> None:
    ctx, path = ics
    with pytest.raises(ToolError, match=message):
        _call(registry, "create_event", ctx, title="x", **args)
    assert not path.exists()


def test_without_a_calendar_configured_it_says_where_to_set_one(registry, context) -> None:
    with pytest.raises(ConfigError, match=r"\[tools\] calendar"):
        _call(registry, "create_event", context, title="x", start="2025-03-14 10:00")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def radicale(tmp_path, monkeypatch) -> Iterator[str]:
    """Radicale on loopback with one empty calendar; its URL as the user writes it."""
    port = _free_port()
    (tmp_path / "users").write_text(f"{USER}:{PASSWORD}\n", encoding="utf-8")
    config = tmp_path / "radicale.conf"
    config.write_text(
        f"[server]\nhosts = 127.0.0.1:{port}\n"
        f"[auth]\ntype = htpasswd\nhtpasswd_filename = {tmp_path / 'users'}\nhtpasswd_encryption = plain\n"
        f"[storage]\nfilesystem_folder = {tmp_path / 'collections'}\n[logging]\nlevel = warning\n",
        encoding="utf-8",
    )
    log = (tmp_path / "radicale.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", str(config)], stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"radicale did not start: {(tmp_path / 'radicale.log').read_text()}")
                time.sleep(0.05)
        with DAVClient(url=f"http://127.0.0.1:{port}/{USER}/", username=USER, password=PASSWORD) as client:
            client.principal().make_calendar(name="Home", cal_id="home")
        monkeypatch.setenv("HOMEBODY_CALDAV_PASSWORD_ALICE", PASSWORD)
        yield f"http://{USER}@127.0.0.1:{port}/{USER}/home/"
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def _server_events(url: str) -> list[icalendar.Event]:
    from caldav.collection import Calendar

    plain = url.replace(f"{USER}@", "")
    with DAVClient(url=plain, username=USER, password=PASSWORD) as client:
        objects = Calendar(client=client, url=plain).events()
        return [e for o in objects for e in icalendar.Calendar.from_ical(o.data).walk("VEVENT")]


def test_caldav_create_update_and_invite_on_a_real_server(registry, configure, radicale) -> None:
    ctx = configure(
        tools={"calendar": radicale}, email={"address": "alex@example.org", "smtp_host": "localhost"}
    )
    tool = registry.get("create_event")
    args = tool.validate({"title": "Dentist", "start": "2025-03-14 09:00", "duration_minutes": 30})
    assert "/alice/home/" in tool.describe(args, ctx) and "alice@" not in tool.describe(args, ctx)
    uid = tool.run(args, ctx).data["event_id"]
    _call(registry, "update_event", ctx, event_id=uid, location="Smile Dental")
    [event] = _server_events(radicale)
    assert str(event["LOCATION"]) == "Smile Dental"
    assert event.decoded("DTSTART") == datetime(2025, 3, 14, 9, 0, tzinfo=LONDON)
    invite = registry.get("invite_to_event")
    invite_args = invite.validate({"event_id": uid, "attendees": ["sam@sam.example"]})
    assert "may email" in invite.describe(invite_args, ctx)
    invite.run(invite_args, ctx)
    [event] = _server_events(radicale)
    assert str(event["ATTENDEE"]) == "mailto:sam@sam.example"
    assert str(event["ORGANIZER"]) == "mailto:alex@example.org"
    with pytest.raises(ToolError, match="no event"):
        _call(registry, "update_event", ctx, event_id="not-there@homebody", title="x")


def test_caldav_wrong_password_is_a_config_error(registry, configure, radicale, monkeypatch) -> None:
    monkeypatch.setenv("HOMEBODY_CALDAV_PASSWORD_ALICE", "wrong")
    ctx = configure(tools={"calendar": radicale})
    with pytest.raises(ConfigError, match="refused the login"):
        _call(registry, "create_event", ctx, title="x", start="2025-03-14 10:00")
