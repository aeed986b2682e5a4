"""What the parser knows besides a message row: handles, chats, attachments; typed column access.

SQLite is dynamically typed, so any column of a damaged or hand-edited chat.db can hold any type.
Every read goes through `integer`/`text`/`blob`, which raise RowError (naming the column, never its
value) for a value of the wrong type; the parser turns that into a BadRecord.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

#: A row of the message table (plus joined columns), by column name; absent columns are missing keys.
Row = Mapping[str, Any]

# FORMATS.md §2 "Timestamps": Apple's epoch, and the cut between seconds (older history migrated
# into the database) and nanoseconds (macOS >= 10.13).
APPLE_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)
_NANOSECONDS_ABOVE = 10**11

# FORMATS.md §2 "chat": style 43 is a group, 45 a one-to-one chat.
_GROUP_STYLE = 43
_DIRECT_STYLE = 45


class RowError(ValueError):
    """A column holds something the parser cannot read (the message names the column, not the value)."""


@dataclass(frozen=True)
class Handle:
    """Someone the user messages: an E.164 phone number, an e-mail address or a short code."""

    id: str
    service: str | None


@dataclass(frozen=True)
class Chat:
    """A conversation: its guid, style, group name and the handles taking part."""

    guid: str
    style: int | None
    display_name: str | None
    handles: tuple[str, ...]

    @property
    def kind(self) -> str:
        """ "group" or "direct", from the chat's style, else from how many people take part."""
        if self.style == _GROUP_STYLE:
            return "group"
        if self.style == _DIRECT_STYLE:
            return "direct"
        return "group" if len(self.handles) > 1 else "direct"


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message, as a reference: it is never read."""

    name: str | None
    mime: str | None
    path: str | None
    bytes: int | None

    def meta(self) -> dict[str, Any]:
        """The attachment as JSON-safe meta."""
        return {"name": self.name, "mime": self.mime, "path": self.path, "bytes": self.bytes}


@dataclass(frozen=True)
class Lookup:
    """Everything a message row refers to, loaded once per database."""

    handles: Mapping[int, Handle] = field(default_factory=dict)
    chats: Mapping[int, Chat] = field(default_factory=dict)
    attachments: Mapping[int, list[Attachment]] = field(default_factory=dict)
    #: Folded tapbacks (reactions.py) by the guid of the message they react to.
    reactions: Mapping[str, list[dict[str, Any]]] = field(default_factory=dict)


def integer(row: Row, column: str) -> int:
    """An integer column; NULL or absent is 0 (the schema's default for flags and dates)."""
    value = row.get(column)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise RowError(f"column {column} is not an integer")
    return value


def text(row: Row, column: str) -> str | None:
    """A text column; NULL or absent is None."""
    value = row.get(column)
    if value is None or isinstance(value, str):
        return value
    raise RowError(f"column {column} is not text")


def blob(row: Row, column: str) -> bytes | None:
    """A BLOB column; NULL, absent or empty is None."""
    value = row.get(column)
    if value is None or value in (b"", ""):
        return None
    if isinstance(value, bytes):
        return value
    raise RowError(f"column {column} is not a blob")


def apple_time(value: int | float) -> datetime | None:
    """A `message.date*` value as an aware UTC datetime; 0 means unset (FORMATS.md §2)."""
    if not value:
        return None
    try:
        if abs(value) > _NANOSECONDS_ABOVE:
            return APPLE_EPOCH + timedelta(microseconds=int(value) // 1000)
        return APPLE_EPOCH + timedelta(seconds=value)
    except (OverflowError, ValueError) as err:
        raise RowError("date out of range") from err


def date_column(row: Row, column: str) -> datetime | None:
    """A date column of the message table as an aware UTC datetime, or None when unset."""
    return apple_time(integer(row, column))


def sender(row: Row, lookup: Lookup) -> str | None:
    """Who sent a message: "me", the sender's handle id, or None when the row does not say."""
    if integer(row, "is_from_me"):
        return "me"
    handle = lookup.handles.get(integer(row, "handle_id"))
    if handle is not None:
        return handle.id
    chat = lookup.chats.get(integer(row, "chat_id"))
    # An incoming row without a handle in a one-to-one chat can only be from the other person.
    if chat is not None and len(chat.handles) == 1:
        return chat.handles[0]
    return None
