"""Turn one row of chat.db's `message` table into a message item. Pure: rows in, items out.

FORMATS.md §2: the body is `text`, else the string inside the `attributedBody` typedstream; each
attachment stands in the text as U+FFFC; group events (item_type 1-3) have no author; edits and
unsends are flagged by `date_edited` / `date_retracted` and detailed in `message_summary_info`.
"""

from __future__ import annotations

import plistlib
from typing import Any

from homebody.connectors.base import Parsed
from homebody.connectors.imessage.rows import (
    Lookup,
    Row,
    RowError,
    apple_time,
    blob,
    date_column,
    integer,
    sender,
    text,
)
from homebody.connectors.imessage.typedstream import TypedstreamError, decode_attributed_body
from homebody.errors import BadRecord
from homebody.vault.items import Item, Kind

_OBJECT_REPLACEMENT = "\ufffc"
_EFFECT_PREFIX = "com.apple.MobileSMS.expressivesend."
# Attachments whose mime_type is NULL (FORMATS.md §2 "attachment": e.g. voice messages): the
# common Apple UTIs. Python's mimetypes knows neither these UTIs nor `.caf`.
_UTI_MIME = {
    "public.heic": "image/heic",
    "public.jpeg": "image/jpeg",
    "public.png": "image/png",
    "com.compuserve.gif": "image/gif",
    "com.apple.quicktime-movie": "video/quicktime",
    "public.mpeg-4": "video/mp4",
    "com.apple.coreaudio-format": "audio/x-caf",
    "public.vcard": "text/vcard",
    "com.adobe.pdf": "application/pdf",
}


def mime_of(mime_type: str | None, uti: str | None) -> str | None:
    """An attachment's MIME type: its own column, else one known for its UTI, else None."""
    return mime_type or _UTI_MIME.get(uti or "")


def parse_message(row: Row, lookup: Lookup, file_name: str) -> Parsed:
    """The item for one message row, or a BadRecord naming its ROWID if the row cannot be read."""
    position = f"message ROWID {row.get('ROWID')}"
    try:
        return _item(row, lookup, file_name, position)
    except (RowError, TypedstreamError) as err:
        return BadRecord(file_name, position, str(err))


def _item(row: Row, lookup: Lookup, file_name: str, position: str) -> Item:
    guid = text(row, "guid")
    if not guid:
        raise RowError("message has no guid")
    chat = lookup.chats.get(integer(row, "chat_id"))
    handle = lookup.handles.get(integer(row, "handle_id"))
    author = sender(row, lookup)
    meta: dict[str, Any] = {
        "service": text(row, "service"),
        "chat_style": chat.kind if chat else None,
        "handle_service": handle.service if handle else None,
    }
    item_type = integer(row, "item_type")
    if item_type:
        body = _group_event(row, lookup, item_type, author, meta)
        author = None
        meta["system"] = True
    else:
        body = _body(row)
        _describe(row, lookup, guid, meta)
    if integer(row, "recently_deleted"):
        meta["recently_deleted"] = True
    if chat is not None:
        participants = (*chat.handles, "me")
    else:
        # A message in no chat: whoever sent it, and the user.
        participants = (author, "me") if author not in (None, "me") else ("me",)
    return Item(
        kind=Kind.MESSAGE,
        native_id=guid,
        text=body,
        ts=date_column(row, "date"),
        tz="UTC",
        author=author,
        participants=participants,
        thread=f"imessage:{chat.guid}" if chat else None,
        title=(chat.display_name or None) if chat else None,
        origin=f"{file_name}, {position}",
        meta=meta,
    )


def _body(row: Row) -> str:
    """The message's words: `text`, else the attributedBody string, else a Recently Deleted part."""
    raw = text(row, "text")
    if not raw:
        attributed = blob(row, "attributedBody")
        if attributed is not None:
            raw = decode_attributed_body(attributed)
    if not raw:
        parts = row.get("recoverable_parts")
        if isinstance(parts, list | tuple):
            raw = "\n".join(decode_attributed_body(part) for part in parts if isinstance(part, bytes))
    # Attachments are listed in meta; their U+FFFC placeholders would only be noise in the text.
    return (raw or "").replace(_OBJECT_REPLACEMENT, "").strip()


def _describe(row: Row, lookup: Lookup, guid: str, meta: dict[str, Any]) -> None:
    """Add what a person's message carries besides its words: reactions, reply, edits, files."""
    reactions = lookup.reactions.get(guid)
    if reactions:
        meta["reactions"] = reactions
    reply_to = text(row, "thread_originator_guid")
    if reply_to:
        meta["reply_to"] = reply_to
    summary = _summary_info(blob(row, "message_summary_info"))
    retracted = summary.get("rp")
    if integer(row, "date_retracted") or (isinstance(retracted, list) and retracted):
        meta["unsent"] = True
    elif integer(row, "date_edited") or summary.get("ec"):
        meta["edited"] = True
        history = _edit_history(summary.get("ec"))
        if history:
            meta["edit_history"] = history
    attachments = lookup.attachments.get(integer(row, "ROWID"))
    if attachments:
        meta["attachments"] = [a.meta() for a in attachments]
    effect = text(row, "expressive_send_style_id")
    if effect:
        meta["effect"] = effect.removeprefix(_EFFECT_PREFIX)
    app = text(row, "balloon_bundle_id")
    if app:
        meta["app"] = app
    if integer(row, "is_audio_message"):
        meta["audio"] = True
    error = integer(row, "error")
    if error:
        meta["error"] = error
    subject = text(row, "subject")
    if subject:
        meta["subject"] = subject
    if integer(row, "associated_message_type") == 1000:
        # A sticker placed on another message's bubble (FORMATS.md §2): kept, with what it sits on.
        meta["sticker_on"] = text(row, "associated_message_guid")


def _summary_info(data: bytes | None) -> dict[str, Any]:
    """`message_summary_info` (a binary plist), or {} when absent or unreadable: it is optional."""
    if data is None:
        return {}
    try:
        value = plistlib.loads(data, fmt=plistlib.FMT_BINARY)
    # plistlib's binary reader raises many types on damaged input (InvalidFileException, struct.error,
    # IndexError, KeyError, TypeError, OverflowError, RecursionError, ...); none must cost the message.
    except Exception:  # noqa: BLE001
        return {}
    return value if isinstance(value, dict) else {}


def _edit_history(edits: object) -> list[dict[str, Any]]:
    """Every version of an edited message, oldest first: `ec` maps part index to `{d, t}` entries."""
    if not isinstance(edits, dict):
        return []
    history: list[dict[str, Any]] = []
    for part in sorted(edits, key=str):
        versions = edits[part]
        if not isinstance(versions, list):
            continue
        for version in versions:
            if not isinstance(version, dict) or not isinstance(version.get("t"), bytes):
                continue
            try:
                words = decode_attributed_body(version["t"]).replace(_OBJECT_REPLACEMENT, "").strip()
            except TypedstreamError:
                continue
            seconds = version.get("d")
            try:
                when = apple_time(seconds) if isinstance(seconds, int | float) else None
            except RowError:
                when = None
            history.append({"ts": when.isoformat() if when else None, "text": words})
    return history


def _group_event(row: Row, lookup: Lookup, item_type: int, actor: str | None, meta: dict[str, Any]) -> str:
    """The sentence for a group event row, with its actor and details in meta (FORMATS.md §2)."""
    who = "You" if actor == "me" else actor or "Someone"
    action = integer(row, "group_action_type")
    meta["actor"] = actor
    if item_type == 1:
        other = lookup.handles.get(integer(row, "other_handle"))
        member = other.id if other else None
        meta["member"] = member
        if action == 1:
            meta["event"] = "member_removed"
            return f"{who} removed {member or 'someone'} from the conversation"
        meta["event"] = "member_added"
        return f"{who} added {member or 'someone'} to the conversation"
    if item_type == 2:
        title = text(row, "group_title")
        meta["event"] = "renamed"
        meta["group_title"] = title
        if title:
            return f"{who} named the conversation \u201c{title}\u201d"
        return f"{who} removed the conversation name"
    # item_type 3 is [partly unverified] in FORMATS.md: 0 left, 1 photo changed, 2 photo removed.
    if item_type == 3 and action in (0, 1, 2):
        event, sentence = {
            0: ("member_left", "left the conversation"),
            1: ("photo_changed", "changed the group photo"),
            2: ("photo_removed", "removed the group photo"),
        }[action]
        meta["event"] = event
        return f"{who} {sentence}"
    meta["event"] = "other"
    meta["item_type"] = item_type
    return _body(row)
