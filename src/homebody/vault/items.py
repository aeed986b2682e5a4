"""What the vault stores: one `Item` per email, message, event, transaction, contact, article or note."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

# What json.dumps(..., sort_keys=True, default=str, ensure_ascii=False) would build on every call.
_HASH_JSON = json.JSONEncoder(sort_keys=True, default=str, ensure_ascii=False)


class Kind(StrEnum):
    """The kind of thing an item is in the user's world."""

    EMAIL = "email"
    MESSAGE = "message"
    EVENT = "event"
    TRANSACTION = "transaction"
    CONTACT = "contact"
    ARTICLE = "article"
    NOTE = "note"


@dataclass(frozen=True)
class Item:
    """One record of the user's life, as a connector's parser produces it.

    `ts` is an aware datetime in UTC (or None when the record has no usable time); `tz` keeps the
    original zone: an IANA name ("Europe/Berlin"), a fixed offset ("+02:00"), "floating" for
    floating iCalendar times, "date" for all-day events, or None if unknown. Exports with no zone
    at all (WhatsApp) are read in the user's zone, named in `tz`, with `meta["tz_assumed"] = True`.
    `origin` says where the record sits in the raw file ("inbox.mbox, message 12 at byte 30211").
    `meta` holds source-specific structured fields (labels, attachments, amount, ...), JSON-safe.
    """

    kind: Kind
    native_id: str
    text: str
    ts: datetime | None = None
    tz: str | None = None
    author: str | None = None
    participants: tuple[str, ...] = ()
    thread: str | None = None
    title: str | None = None
    origin: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    def content_hash(self) -> str:
        """A hash of everything stored about the item, to tell a changed record from an unchanged one."""
        payload = _HASH_JSON.encode(
            [
                str(self.kind),
                self.native_id,
                self.text,
                self.ts.isoformat() if self.ts else None,
                self.tz,
                self.author,
                list(self.participants),
                self.thread,
                self.title,
                self.meta,
            ]
        )
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def item_id(source_name: str, native_id: str) -> str:
    """The stable id of an item: the same source and native id always give the same id."""
    digest = hashlib.sha256(f"{source_name}\x00{native_id}".encode()).hexdigest()
    return digest[:16]
