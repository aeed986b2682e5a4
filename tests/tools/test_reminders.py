"""Reminders and notes kept in the home folder, with due times resolved in the user's zone."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from threading import Thread

import pytest

from homebody.errors import ToolError
from homebody.tools.reminders import due_reminders


def _call(registry, name, ctx, **args):
    tool = registry.get(name)
    return tool.run(tool.validate(args), ctx)


def test_a_reminder_is_due_at_the_local_time_the_user_said(registry, context) -> None:
    tool = registry.get("add_reminder")
    args = tool.validate({"text": "Call the dentist", "due": "2025-04-01 09:00"})
    assert tool.describe(args, context).endswith("Due: Tue 01 Apr 2025, 09:00 (Europe/London)")
    result = tool.run(args, context)
    # 1 April is summer time in London: 09:00 BST is 08:00 UTC.
    assert datetime.fromisoformat(result.data["due"]).astimezone(UTC) == datetime(
        2025, 4, 1, 8, 0, tzinfo=UTC
    )
    record = json.loads((context.settings.home / "reminders.jsonl").read_text())
    assert record["due_local"] == "2025-04-01T09:00:00" and record["zone"] == "Europe/London"
    assert (context.settings.home / "reminders.jsonl").stat().st_mode & 0o077 == 0


def test_listing_orders_by_due_time_and_marks_overdue_and_done(registry, context) -> None:
    later = _call(registry, "add_reminder", context, text="Pay rent", due="2025-03-25")
    _call(registry, "add_reminder", context, text="Buy milk", due="in 2 hours")
    past = context.now - timedelta(days=1)
    _call(registry, "add_reminder", context, text="Old thing", due=past.isoformat())
    listing = _call(registry, "list_reminders", context).output.splitlines()
    assert [line.split(": ")[-1] for line in listing] == ["Old thing [overdue]", "Buy milk", "Pay rent"]
    assert "Tue 25 Mar 2025, 09:00" in listing[2]  # a date alone means 09:00
    _call(registry, "complete_reminder", context, reminder_id=later.data["id"])
    assert len(_call(registry, "list_reminders", context).output.splitlines()) == 2
    assert "[done]" in _call(registry, "list_reminders", context, include_done=True).output
    with pytest.raises(ToolError, match="no reminder"):
        _call(registry, "complete_reminder", context, reminder_id="r-nope")


def test_due_reminders_are_what_a_scheduler_asks_for(registry, context) -> None:
    _call(registry, "add_reminder", context, text="Now-ish", due="in 5 minutes")
    _call(registry, "add_reminder", context, text="Tomorrow", due="tomorrow 9am")
    assert due_reminders(context.settings, context.now) == []
    due = due_reminders(context.settings, context.now + timedelta(minutes=5))
    assert [r["text"] for r in due] == ["Now-ish"]


def test_writers_at_once_lose_nothing(registry, context) -> None:
    def add(n: int) -> None:
        for i in range(10):
            _call(registry, "add_note", context, title=f"t{n}-{i}", text="x")

    threads = [Thread(target=add, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len((context.settings.home / "notes.jsonl").read_text().splitlines()) == 40


def test_notes_are_listed_newest_first_and_found_by_words(registry, context) -> None:
    _call(registry, "add_note", context, title="Boiler", text="Service code 4471")
    _call(registry, "add_note", context, title="Wifi", text="Guest password on the fridge")
    assert _call(registry, "list_notes", context).output.index("Wifi") < _call(
        registry, "list_notes", context
    ).output.index("Boiler")
    found = _call(registry, "list_notes", context, contains="boiler")
    assert found.data["count"] == 1 and "4471" in found.output
    assert _call(registry, "list_notes", context, contains="car").output == "No notes containing 'car'."
