"""Query a Messages database whose schema varies by release: every column is chosen by name.

FORMATS.md §2 "Schema": older macOS lacks trailing columns (no `attributedBody` edits, no
`thread_originator_guid`, no Recently Deleted tables), newer adds more; so `PRAGMA table_info`
is probed and a missing column reads as NULL. Messages in Recently Deleted sit in
`chat_recoverable_message_join` instead of `chat_message_join`: both are joined, never inner-joined.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from homebody.connectors.base import Parsed
from homebody.connectors.imessage.parse import mime_of, parse_message
from homebody.connectors.imessage.reactions import Tapback, fold_reactions, is_tapback, read_tapback
from homebody.connectors.imessage.rows import Attachment, Chat, Handle, Lookup, Row, RowError, integer
from homebody.errors import BadRecord, SourceError

logger = logging.getLogger(__name__)

_MESSAGE_COLUMNS = (
    "guid",
    "text",
    "attributedBody",
    "handle_id",
    "service",
    "subject",
    "date",
    "is_from_me",
    "item_type",
    "other_handle",
    "group_title",
    "group_action_type",
    "associated_message_guid",
    "associated_message_type",
    "associated_message_emoji",
    "balloon_bundle_id",
    "expressive_send_style_id",
    "message_summary_info",
    "thread_originator_guid",
    "date_retracted",
    "date_edited",
    "error",
    "is_audio_message",
)
_TAPBACK_RANGE = (
    "(m.associated_message_type BETWEEN 2000 AND 2007 OR m.associated_message_type BETWEEN 3000 AND 3007)"
)


def _tables(connection: sqlite3.Connection) -> set[str]:
    rows = connection.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
    return {str(name).lower() for (name,) in rows}


def _columns(connection: sqlite3.Connection, table: str) -> set[str]:
    # `table` is one of this module's constant names, never input.
    return {str(row[1]).lower() for row in connection.execute(f'PRAGMA table_info("{table}")')}


def _has(connection: sqlite3.Connection, tables: set[str], table: str, *columns: str) -> bool:
    return table in tables and {c.lower() for c in columns} <= _columns(connection, table)


def _rows(cursor: sqlite3.Cursor) -> Iterator[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    for values in cursor:
        yield dict(zip(names, values, strict=True))


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _handles(connection: sqlite3.Connection, tables: set[str]) -> dict[int, Handle]:
    if not _has(connection, tables, "handle", "id"):
        return {}
    service = "service" if "service" in _columns(connection, "handle") else "NULL"
    handles = {}
    for rowid, handle_id, handle_service in connection.execute(f"SELECT ROWID, id, {service} FROM handle"):
        if isinstance(rowid, int) and isinstance(handle_id, str) and handle_id:
            handles[rowid] = Handle(handle_id, _str_or_none(handle_service))
    return handles


def _chats(connection: sqlite3.Connection, tables: set[str], handles: dict[int, Handle]) -> dict[int, Chat]:
    if not _has(connection, tables, "chat", "guid"):
        return {}
    members: dict[int, dict[str, None]] = {}
    if _has(connection, tables, "chat_handle_join", "chat_id", "handle_id"):
        for chat_id, handle_id in connection.execute(
            "SELECT chat_id, handle_id FROM chat_handle_join ORDER BY chat_id, rowid"
        ):
            handle = handles.get(handle_id)
            if handle is not None:
                # One person can be in a chat under an SMS and an iMessage handle with the same id.
                members.setdefault(chat_id, {})[handle.id] = None
    present = _columns(connection, "chat")
    style = "style" if "style" in present else "NULL"
    name = "display_name" if "display_name" in present else "NULL"
    chats = {}
    for rowid, guid, chat_style, display_name in connection.execute(
        f"SELECT ROWID, guid, {style}, {name} FROM chat"
    ):
        if isinstance(rowid, int) and isinstance(guid, str) and guid:
            chats[rowid] = Chat(
                guid=guid,
                style=chat_style if isinstance(chat_style, int) else None,
                display_name=_str_or_none(display_name),
                handles=tuple(members.get(rowid, {})),
            )
    return chats


def _attachments(connection: sqlite3.Connection, tables: set[str]) -> dict[int, list[Attachment]]:
    if not (
        _has(connection, tables, "message_attachment_join", "message_id", "attachment_id")
        and "attachment" in tables
    ):
        return {}
    present = _columns(connection, "attachment")
    wanted = ("transfer_name", "mime_type", "uti", "filename", "total_bytes")
    select = ", ".join(f"a.{c}" if c in present else "NULL" for c in wanted)
    attachments: dict[int, list[Attachment]] = {}
    for message_id, name, mime, uti, path, size in connection.execute(
        f"SELECT j.message_id, {select} FROM message_attachment_join j "
        "JOIN attachment a ON a.ROWID = j.attachment_id ORDER BY j.message_id, j.rowid"
    ):
        attachment = Attachment(
            name=_str_or_none(name),
            mime=mime_of(_str_or_none(mime), _str_or_none(uti)),
            path=_str_or_none(path),
            bytes=size if isinstance(size, int) and not isinstance(size, bool) else None,
        )
        attachments.setdefault(message_id, []).append(attachment)
    return attachments


def _recoverable_parts(connection: sqlite3.Connection, tables: set[str]) -> dict[int, list[bytes]]:
    """The typedstream text of messages in Recently Deleted, by message ROWID, in part order."""
    if not _has(connection, tables, "recoverable_message_part", "message_id", "part_index", "part_text"):
        return {}
    parts: dict[int, list[bytes]] = {}
    for message_id, part_text in connection.execute(
        "SELECT message_id, part_text FROM recoverable_message_part ORDER BY message_id, part_index"
    ):
        if isinstance(part_text, bytes):
            parts.setdefault(message_id, []).append(part_text)
    return parts


def _message_query(connection: sqlite3.Connection, tables: set[str], where: str) -> str:
    """The SELECT of message rows matching WHERE (a constant of this module), with their chat."""
    present = _columns(connection, "message")
    columns = [f'm."{c}" AS "{c}"' if c.lower() in present else f'NULL AS "{c}"' for c in _MESSAGE_COLUMNS]
    joins, chat_ids = [], []
    deleted = "0"
    for table, alias in (("chat_message_join", "cmj"), ("chat_recoverable_message_join", "crj")):
        if _has(connection, tables, table, "chat_id", "message_id"):
            joins.append(
                f"LEFT JOIN (SELECT message_id, MIN(chat_id) AS chat_id FROM {table} GROUP BY message_id)"
                f" AS {alias} ON {alias}.message_id = m.ROWID"
            )
            chat_ids.append(f"{alias}.chat_id")
            if alias == "crj":
                deleted = "crj.chat_id IS NOT NULL"
    chat_id = f"COALESCE({', '.join(chat_ids)}, NULL)" if chat_ids else "NULL"
    return (
        f"SELECT m.ROWID AS ROWID, {', '.join(columns)}, {chat_id} AS chat_id, {deleted} AS recently_deleted"
        f" FROM message m {' '.join(joins)} WHERE {where} ORDER BY m.ROWID"
    )


def _skip_as_tapback(row: Row) -> bool:
    """True for a tapback row (read in the first pass); a damaged type is left to parse_message."""
    try:
        return is_tapback(integer(row, "associated_message_type"))
    except RowError:
        return False


def read_database(connection: sqlite3.Connection, file_name: str) -> Iterator[Parsed]:
    """Every message of an open Messages database as an item (tapbacks folded into their targets)."""
    tables = _tables(connection)
    if "message" not in tables or "guid" not in _columns(connection, "message"):
        raise SourceError(f"{file_name} has no message table: it is not a Messages chat.db or sms.db")
    handles = _handles(connection, tables)
    chats = _chats(connection, tables, handles)
    lookup = Lookup(handles=handles, chats=chats, attachments=_attachments(connection, tables))
    tapbacks: list[Tapback] = []
    # Older schemas predate tapbacks (no associated_message_type): nothing to fold.
    if "associated_message_type" in _columns(connection, "message"):
        for row in _rows(connection.execute(_message_query(connection, tables, _TAPBACK_RANGE))):
            try:
                tapback = read_tapback(row, lookup)
            except RowError as err:
                yield BadRecord(file_name, f"message ROWID {row['ROWID']}", str(err))
                continue
            if tapback is not None:
                tapbacks.append(tapback)
    lookup = replace(lookup, reactions=fold_reactions(tapbacks))
    parts = _recoverable_parts(connection, tables)
    logger.debug("imessage: %d handles, %d chats, %d tapbacks", len(handles), len(chats), len(tapbacks))
    for row in _rows(connection.execute(_message_query(connection, tables, "1"))):
        if _skip_as_tapback(row):
            continue
        row["recoverable_parts"] = parts.get(row["ROWID"], [])
        parsed: Parsed
        try:
            parsed = parse_message(row, lookup, file_name)
        # The per-record boundary: a row no check foresaw must cost only that row.
        except Exception as err:  # noqa: BLE001
            logger.warning("imessage: unexpected %s at message ROWID %s", type(err).__name__, row["ROWID"])
            parsed = BadRecord(file_name, f"message ROWID {row['ROWID']}", f"unexpected {type(err).__name__}")
        yield parsed
