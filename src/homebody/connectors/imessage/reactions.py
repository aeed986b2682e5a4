"""Tapbacks: rows that react to another message, folded into that message's `meta["reactions"]`.

FORMATS.md §2 "Message text": a tapback is its own row with `associated_message_type` 2000-2007
(love, like, dislike, laugh, emphasize, question, custom emoji, sticker) or 3000-3007 (removal of
the same), and `associated_message_guid` naming its target as `p:<part>/<guid>`, `bp:<guid>` or a
bare guid. Its `text` is a localized summary ("Loved “…”"): not a message of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from homebody.connectors.imessage.rows import (
    APPLE_EPOCH,
    Lookup,
    Row,
    RowError,
    date_column,
    integer,
    sender,
    text,
)

_ADD, _REMOVE = 2000, 3000
_TYPES = ("love", "like", "dislike", "laugh", "emphasize", "question", "emoji", "sticker")
# The classic tapbacks carry no emoji column; these are the symbols Messages draws for them.
_EMOJI = {
    "love": "\u2764\ufe0f",
    "like": "\U0001f44d",
    "dislike": "\U0001f44e",
    "laugh": "\U0001f602",
    "emphasize": "\u203c\ufe0f",
    "question": "\u2753",
}


@dataclass(frozen=True)
class Tapback:
    """One tapback row: who reacted (or took a reaction back) how, to which message part."""

    rowid: int
    target: str
    part: int
    sender: str | None
    type: str
    emoji: str | None
    removal: bool
    ts: datetime | None


def is_tapback(associated_type: int) -> bool:
    """True for the associated_message_type of a tapback or of its removal."""
    return _ADD <= associated_type < _ADD + len(_TYPES) or _REMOVE <= associated_type < _REMOVE + len(_TYPES)


def target_of(associated_guid: str) -> tuple[str, int]:
    """(guid, part index) of a tapback's target: `p:<part>/<guid>`, `bp:<guid>` or a bare guid."""
    if associated_guid.startswith("p:"):
        part, slash, guid = associated_guid[2:].partition("/")
        if slash and part.isdigit() and guid:
            return guid, int(part)
        raise RowError("associated_message_guid is not p:<part>/<guid>")
    if associated_guid.startswith("bp:"):
        return associated_guid[3:], 0
    return associated_guid, 0


def read_tapback(row: Row, lookup: Lookup) -> Tapback | None:
    """The tapback a row holds, or None if it names no target (raises RowError on a damaged row)."""
    code = integer(row, "associated_message_type")
    if not is_tapback(code):
        raise RowError("associated_message_type is not a tapback")
    associated = text(row, "associated_message_guid")
    if not associated:
        return None
    guid, part = target_of(associated)
    kind = _TYPES[code % 1000]
    emoji = text(row, "associated_message_emoji") or _EMOJI.get(kind)
    return Tapback(
        rowid=integer(row, "ROWID"),
        target=guid,
        part=part,
        sender=sender(row, lookup),
        type=kind,
        emoji=emoji,
        removal=code >= _REMOVE,
        ts=date_column(row, "date"),
    )


def fold_reactions(tapbacks: Iterable[Tapback]) -> dict[str, list[dict[str, Any]]]:
    """The reactions standing on each message, by its guid, after every tapback and removal in order.

    Messages allows one tapback per person on a message part: a new one replaces the old, and a
    removal takes the sender's reaction of that type back.
    """
    standing: dict[str, dict[tuple[int, str | None], dict[str, Any]]] = {}
    for tapback in sorted(tapbacks, key=lambda t: (t.ts or APPLE_EPOCH, t.rowid)):
        on_message = standing.setdefault(tapback.target, {})
        key = (tapback.part, tapback.sender)
        if tapback.removal:
            current = on_message.get(key)
            if current is not None and current["type"] == tapback.type:
                del on_message[key]
            continue
        on_message.pop(key, None)
        on_message[key] = {"from": tapback.sender, "type": tapback.type, "emoji": tapback.emoji}
    return {guid: list(reactions.values()) for guid, reactions in standing.items() if reactions}
