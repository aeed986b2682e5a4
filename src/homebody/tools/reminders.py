"""Reminders and notes, kept on this machine: `<home>/reminders.jsonl` and `<home>/notes.jsonl`.

Each file holds one JSON record a line and is rewritten whole and atomically under a lock (`_store`),
readable by the user only. A reminder's due time is resolved by code in the user's zone (`_when`)
and kept as UTC with the zone's wall-clock time beside it; nothing here tells the user on time by
itself: whatever runs homebody on a schedule asks `due_reminders` what is due.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from homebody.config import Settings
from homebody.errors import ToolError
from homebody.tools._store import read_records, update_records
from homebody.tools._when import resolve_moment
from homebody.tools.base import Tool, ToolContext, ToolRegistry, ToolResult
from homebody.tools.effects import Effect, Role, ToolSpec

log = logging.getLogger(__name__)

REMINDERS = "reminders.jsonl"
NOTES = "notes.jsonl"
MAX_LISTED = 100


def _path(settings: Settings, name: str) -> Path:
    return settings.home / name


def _local(when: str, settings: Settings) -> str:
    return (
        f"{datetime.fromisoformat(when).astimezone(settings.zone):%a %d %b %Y, %H:%M} ({settings.timezone})"
    )


def due_reminders(settings: Settings, now: datetime) -> list[dict[str, Any]]:
    """Open reminders due at or before `now`, oldest first."""
    records = read_records(_path(settings, REMINDERS))
    due = [r for r in records if not r["done"] and datetime.fromisoformat(r["due"]) <= now]
    return sorted(due, key=lambda r: str(r["due"]))


class ReminderArgs(BaseModel):
    """A new reminder."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=2000)
    due: str = Field(min_length=1, max_length=100)


class ListRemindersArgs(BaseModel):
    """Which reminders to list."""

    model_config = ConfigDict(extra="forbid")
    include_done: bool = False


class DoneArgs(BaseModel):
    """A reminder to mark done."""

    model_config = ConfigDict(extra="forbid")
    reminder_id: str = Field(min_length=1, max_length=40)


class NoteArgs(BaseModel):
    """A new note."""

    model_config = ConfigDict(extra="forbid")
    title: str = Field(min_length=1, max_length=300)
    text: str = Field(max_length=100_000)


class ListNotesArgs(BaseModel):
    """Which notes to list."""

    model_config = ConfigDict(extra="forbid")
    contains: str | None = Field(default=None, max_length=200)


def add_reminder(args: ReminderArgs, context: ToolContext) -> ToolResult:
    """Set a reminder for a time the user named."""
    due = resolve_moment(args.due, context.settings.zone, context.now)
    record: dict[str, Any] = {
        "id": "r-" + secrets.token_hex(4),
        "text": args.text,
        "due": due.isoformat(),
        "due_local": due.replace(tzinfo=None).isoformat(),
        "zone": context.settings.timezone,
        "created": context.now.isoformat(),
        "done": False,
    }
    update_records(_path(context.settings, REMINDERS), lambda records: [*records, record])
    log.info("reminder %s set", record["id"])
    late = " (that time has already passed)" if due <= context.now else ""
    return ToolResult(
        f"Reminder {record['id']} set for {_local(due.isoformat(), context.settings)}{late}.", record
    )


def _preview_reminder(args: ReminderArgs, context: ToolContext) -> str:
    due = resolve_moment(args.due, context.settings.zone, context.now)
    return f"Remind the user: {args.text}\nDue: {_local(due.isoformat(), context.settings)}"


def list_reminders(args: ListRemindersArgs, context: ToolContext) -> ToolResult:
    """List reminders, soonest first."""
    records = read_records(_path(context.settings, REMINDERS))
    shown = sorted((r for r in records if args.include_done or not r["done"]), key=lambda r: str(r["due"]))
    if not shown:
        return ToolResult("No reminders.", {"count": 0})
    lines = []
    for record in shown[:MAX_LISTED]:
        state = (
            "done"
            if record["done"]
            else ("overdue" if datetime.fromisoformat(record["due"]) <= context.now else "")
        )
        lines.append(
            f"{record['id']}: {_local(record['due'], context.settings)}: {record['text']}"
            + (f" [{state}]" if state else "")
        )
    return ToolResult("\n".join(lines), {"count": len(shown)})


def complete_reminder(args: DoneArgs, context: ToolContext) -> ToolResult:
    """Mark a reminder done."""
    found: list[dict[str, Any]] = []

    def mark(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for record in records:
            if record["id"] == args.reminder_id:
                record["done"] = True
                record["done_at"] = context.now.isoformat()
                found.append(record)
        return records

    update_records(_path(context.settings, REMINDERS), mark)
    if not found:
        raise ToolError(f"no reminder with id {args.reminder_id!r} (list_reminders shows them)")
    return ToolResult(f"Reminder {args.reminder_id} marked done.", {"id": args.reminder_id})


def add_note(args: NoteArgs, context: ToolContext) -> ToolResult:
    """Keep a note."""
    record = {
        "id": "n-" + secrets.token_hex(4),
        "title": args.title,
        "text": args.text,
        "created": context.now.isoformat(),
    }
    update_records(_path(context.settings, NOTES), lambda records: [*records, record])
    log.info("note %s kept", record["id"])
    return ToolResult(f"Note {record['id']} kept: {args.title}.", {"id": record["id"]})


def list_notes(args: ListNotesArgs, context: ToolContext) -> ToolResult:
    """List notes, newest first, optionally only those containing some words."""
    records = read_records(_path(context.settings, NOTES))
    wanted = (args.contains or "").casefold()
    shown = [r for r in reversed(records) if wanted in f"{r['title']}\n{r['text']}".casefold()]
    if not shown:
        return ToolResult("No notes" + (f" containing {args.contains!r}." if wanted else "."), {"count": 0})
    text = "\n\n".join(
        f"{r['id']} ({r['created'][:10]}): {r['title']}\n{r['text']}" for r in shown[:MAX_LISTED]
    )
    return ToolResult(text, {"count": len(shown)})


ADD_REMINDER = ToolSpec(
    name="add_reminder",
    description="""Set a reminder for the user, kept on this machine.

Args:
    text: what to remind the user of.
    due: when, as the user said it: "2025-03-14 09:00", "tomorrow 9am", "friday 14:30", "in 2 hours";
        read in the user's time zone. A date alone means 09:00 that day.""",
    effects=frozenset({Effect.LOCAL_WRITE}),
    reversible=True,
    roles={"text": Role.CONTENT, "due": Role.TIME},
)
LIST_REMINDERS = ToolSpec(
    name="list_reminders",
    description="""List the user's reminders, soonest first, with their ids.

Args:
    include_done: true to list reminders already done too.""",
    effects=frozenset({Effect.READ}),
    reversible=True,
)
COMPLETE_REMINDER = ToolSpec(
    name="complete_reminder",
    description="""Mark one of the user's reminders done.

Args:
    reminder_id: the reminder's id, as list_reminders shows it.""",
    effects=frozenset({Effect.LOCAL_WRITE}),
    reversible=True,
    roles={"reminder_id": Role.TARGET},
)
ADD_NOTE = ToolSpec(
    name="add_note",
    description="""Keep a note for the user on this machine.

Args:
    title: a short title.
    text: the note.""",
    effects=frozenset({Effect.LOCAL_WRITE}),
    reversible=True,
    roles={"title": Role.SUBJECT, "text": Role.CONTENT},
)
LIST_NOTES = ToolSpec(
    name="list_notes",
    description="""List the notes homebody kept for the user, newest first.

Args:
    contains: only notes containing these words (optional).""",
    effects=frozenset({Effect.READ}),
    reversible=True,
)


def register(registry: ToolRegistry) -> None:
    """Register the reminder and note tools."""
    registry.register(Tool(ADD_REMINDER, ReminderArgs, add_reminder, _preview_reminder))
    registry.register(Tool(LIST_REMINDERS, ListRemindersArgs, list_reminders))
    registry.register(Tool(COMPLETE_REMINDER, DoneArgs, complete_reminder))
    registry.register(Tool(ADD_NOTE, NoteArgs, add_note))
    registry.register(Tool(LIST_NOTES, ListNotesArgs, list_notes))
