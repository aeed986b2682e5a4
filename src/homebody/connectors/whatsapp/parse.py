"""Parse a WhatsApp "Export chat" text into message items. Pure: text in, items out.

FORMATS.md §3: the export is a rendering of the chat in the phone's locale, with no message ids and
no time zone. A header line starts each message and every other line continues it; the day/month
order is inferred over the whole file (grammar.py); placeholders are read in body.py.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC
from zoneinfo import ZoneInfo

from homebody.connectors.base import Parsed
from homebody.connectors.whatsapp.body import is_encryption_notice, read_body
from homebody.connectors.whatsapp.grammar import (
    MARKS,
    Header,
    infer_dayfirst,
    local_time,
    match_header,
    strip_marks,
)
from homebody.errors import BadRecord
from homebody.vault.items import Item, Kind

# Android writes LF, iOS CRLF (FORMATS.md §3 "Line endings"); str.splitlines would also split on
# U+2028 and friends, which can occur inside a message.
_LINE_BREAK = re.compile(r"\r\n|\n|\r")
# Localized export titles (FORMATS.md §3 "Files"): `WhatsApp Chat with Sam`, `WhatsApp Chat mit …`,
# `Chat de WhatsApp con …`, iOS `WhatsApp Chat - Sam`; a trailing ` (1)` from a repeated download.
_TITLE = re.compile(
    r"^(?:WhatsApp[ -]Chat|Chat (?:de |di )?WhatsApp|Conversa do WhatsApp|Discussion WhatsApp"
    r"|Czat WhatsApp|Чат WhatsApp)\s*(?:with|mit|con|com|avec|met|z|с|-|–)\s+(?P<name>.+?)"
    r"(?:\s\(\d+\))?$",
    re.IGNORECASE,
)
# A system line's text may contain ": " (`changed the subject from "a: b"`); a person's name
# never holds a quotation mark.
_NOT_IN_NAMES = frozenset('"“”„«»')
_MAX_NAME = 80


def is_export_title(stem: str) -> bool:
    """True if a file or folder name (without extension) is a WhatsApp export's title."""
    return _TITLE.match(stem.strip()) is not None


def chat_name_from_filename(stem: str) -> str:
    """The chat's name from an export's file or folder name without extension."""
    m = _TITLE.match(stem.strip())
    return m.group("name").strip() if m else stem.strip()


def decode_export(data: bytes) -> str:
    """The export's text: UTF-8 without BOM, UTF-16 if it has a UTF-16 BOM, else lenient UTF-8."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")


def _clean_name(raw: str) -> str:
    # Phone numbers come wrapped in U+202A…U+202C and spaced with NBSP (FORMATS.md §3).
    return " ".join(strip_marks(raw).split())


def _split_author(rest: str) -> tuple[str | None, str]:
    """(author, raw text) of a header's rest; no author for a system line."""
    name, colon, text = rest.partition(":")
    author = _clean_name(name)
    if (
        not colon
        or not author
        or len(author) > _MAX_NAME
        or any(char in _NOT_IN_NAMES for char in name)
        or "://" in name
    ):
        return None, rest
    return author, text.removeprefix(" ")


@dataclass
class _Message:
    line_no: int
    header: Header
    author: str | None
    raw_text: str
    more: list[str] = field(default_factory=list)

    @property
    def marked(self) -> bool:
        """iOS marks system text and placeholders with a leading U+200E (FORMATS.md §3)."""
        return self.raw_text[:1] in MARKS

    @property
    def text(self) -> str:
        lines = [strip_marks(self.raw_text), *(strip_marks(line) for line in self.more)]
        return "\n".join(lines).rstrip()


def _split_messages(lines: list[str], file_name: str) -> Iterator[_Message | BadRecord]:
    """Group lines into messages; text before the first header is a bad record."""
    current: _Message | None = None
    orphan_at: int | None = None
    for number, line in enumerate(lines, start=1):
        header = match_header(line)
        if header is None:
            if current is not None:
                current.more.append(line)
            elif orphan_at is None and strip_marks(line).strip():
                orphan_at = number
            continue
        if orphan_at is not None:
            yield BadRecord(file_name, f"line {orphan_at}", "text before the first message header")
            orphan_at = None
        if current is not None:
            yield current
        author, raw_text = _split_author(header.rest)
        current = _Message(number, header, author, raw_text)
    if orphan_at is not None:
        yield BadRecord(file_name, f"line {orphan_at}", "no WhatsApp message header found")
    if current is not None:
        yield current


def _native_id(chat_name: str, local_iso: str, author: str | None, text: str) -> str:
    payload = "\x1f".join((chat_name, local_iso, author or "", text))
    return "wa:" + hashlib.sha256(payload.encode("utf-8")).hexdigest()[:24]


def parse_chat(
    text: str,
    *,
    chat_name: str,
    file_name: str,
    tz: ZoneInfo,
    dayfirst: bool | None = None,
) -> Iterator[Parsed]:
    """Yield one Item per message of an exported chat, and a BadRecord per unreadable one."""
    entries = list(_split_messages(_LINE_BREAK.split(text), file_name))
    messages = [e for e in entries if isinstance(e, _Message)]
    order = infer_dayfirst([m.header for m in messages], dayfirst)
    # iOS attributes system lines to the chat; the author of the encryption notice is that chat
    # even when the file name does not tell it (a bare `_chat.txt`).
    system_authors = {_clean_name(chat_name)} | {
        m.author for m in messages if m.header.ios and m.author and m.marked and is_encryption_notice(m.text)
    }
    drafts: list[Parsed] = []
    seen: Counter[str] = Counter()
    participants: dict[str, None] = {}
    for entry in entries:
        if isinstance(entry, BadRecord):
            drafts.append(entry)
            continue
        position = f"line {entry.line_no}"
        try:
            local = local_time(entry.header, order, tz)
        except ValueError as err:
            drafts.append(BadRecord(file_name, position, f"impossible date or time: {err}"))
            continue
        message_text = entry.text
        author = entry.author
        body = read_body(message_text)
        system = author is None or (
            entry.header.ios and author in system_authors and entry.marked and not body.is_placeholder
        )
        if system and is_encryption_notice(message_text):
            continue
        local_iso = local.strftime("%Y-%m-%dT%H:%M:%S")
        meta: dict[str, object] = {"tz_assumed": True}
        if system:
            author = None
            meta["system"] = True
            item_text = message_text
        else:
            meta.update(body.meta())
            item_text = body.text
        if author is not None:
            participants.setdefault(author)
        native_id = _native_id(chat_name, local_iso, author, message_text)
        seen[native_id] += 1
        if seen[native_id] > 1:
            native_id += f"#{seen[native_id]}"
        drafts.append(
            Item(
                kind=Kind.MESSAGE,
                native_id=native_id,
                text=item_text,
                ts=local.astimezone(UTC),
                tz=tz.key,
                author=author,
                thread=f"whatsapp:{chat_name}",
                origin=f"{file_name}, {position}",
                meta=meta,
            )
        )
    everyone = tuple(participants)
    for draft in drafts:
        if isinstance(draft, Item):
            yield replace(draft, participants=everyone)
        else:
            yield draft
