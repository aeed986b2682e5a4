"""Email messages as vault items: pure functions from `.eml` bytes or an mbox byte stream to items.

One `Item` per message, plus one per attached `message/rfc822`. A message that cannot be read becomes
a `BadRecord`, yielded rather than raised, and parsing goes on with the next one. No file system, no
clock: the connector opens the files. Format notes: fixtures/FORMATS.md section 1.
"""

from __future__ import annotations

import email
import hashlib
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from email import policy
from email.message import EmailMessage, Message
from email.policy import EmailPolicy
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from homebody.connectors.base import Parsed
from homebody.connectors.email.body import charset_of, raw_values, read_body
from homebody.connectors.email.decode import header_text, raw_to_str, unfold
from homebody.connectors.email.headers import (
    Address,
    display,
    gmail_labels,
    message_ids,
    parse_addresses,
    parse_date,
    received_time,
)
from homebody.connectors.email.mbox import RawMessage, from_line_time, split_mbox
from homebody.errors import BadRecord
from homebody.vault.items import Item, Kind

# Messages attached to attached messages to this depth become items; deeper ones are only listed.
_MAX_ATTACHED_DEPTH = 4

_BLANK_LINE = re.compile(rb"\r?\n\r?\n")
_FIELD = re.compile(rb"[!-9;-~]+:")
# RFC 5322 section 4.5 (obsolete fields) allows whitespace between a field name and its colon ("From  : x").
_OBS_FIELD = re.compile(rb"([!-9;-~]+)[ \t]+:")
# An unquoted boundary holding "=" or other tspecials (Outlook's "----=_NextPart_..."): quoting a
# token never changes its value (RFC 2045 section 5.1), and it lets the parser find the parts.
# The pattern starts with a literal so the regex engine can skip through large attachments quickly.
_BARE_BOUNDARY = re.compile(
    rb"""OUNDARY=(?<=[;\s]BOUNDARY=)([^"\s;]+)|oundary=(?<=[;\s][bB]oundary=)([^"\s;]+)"""
)


@lru_cache(maxsize=512)
def _header(name: str, value: str) -> Any:
    return policy.default.header_fetch_parse(name, value)


if TYPE_CHECKING:
    _DefaultPolicy = EmailPolicy[EmailMessage]
else:
    _DefaultPolicy = EmailPolicy  # generic only in the type stubs


class _SharedHeaders(_DefaultPolicy):
    """The default policy, parsing each distinct header value once instead of on every access.

    While it builds the MIME tree the email package asks for a part's Content-Type up to eight times,
    and the default policy parses it from scratch each time: that was half the time of an mbox
    import. Header objects are immutable, so handing out the same one again changes nothing.
    """

    def header_fetch_parse(self, name: str, value: str) -> Any:
        """The same header object `policy.default` makes of this raw field, reused."""
        if hasattr(value, "name"):  # already a header object, as policy.default returns it
            return value
        return _header(name, value)


_POLICY = _SharedHeaders()


def parse_eml(data: bytes, name: str) -> Iterator[Parsed]:
    """The items of one `.eml` file's bytes (a leading mbox `From ` line is tolerated)."""
    yield from parse_message(data, file=name, position="message 1 at byte 0", origin=name)


def parse_mbox(lines: Iterable[bytes], name: str) -> Iterator[Parsed]:
    """The items of an mbox, read lazily from its byte lines (a file opened "rb" will do)."""
    for raw in split_mbox(lines):
        yield from parse_raw(raw, name)


def parse_raw(raw: RawMessage, name: str) -> list[Parsed]:
    """The items of one message cut out of the mbox called `name`."""
    position = f"message {raw.number} at byte {raw.offset}"
    from_line = raw.from_line.decode("ascii", errors="replace") if raw.from_line else None
    return parse_message(
        raw.data, file=name, position=position, origin=f"{name}, {position}", from_line=from_line
    )


def _quote(match: re.Match[bytes]) -> bytes:
    value = match.group(1) or match.group(2)
    return match.group(0)[: -len(value)] + b'"' + value + b'"'


def repair(data: bytes) -> bytes:
    """Mend what stops the email package from seeing headers and parts that are plainly there."""
    if b"oundary=" in data or b"OUNDARY=" in data:
        data = _BARE_BOUNDARY.sub(_quote, data)
    match = _BLANK_LINE.search(data)
    end = match.start() if match else len(data)
    lines = data[:end].splitlines(keepends=True)
    kept: list[bytes] = []
    for number, line in enumerate(lines):
        obsolete = _OBS_FIELD.match(line)
        unixfrom = number == 0 and line.startswith(b"From ") and not obsolete
        if unixfrom or line[:1] in (b" ", b"\t"):
            kept.append(line)
            continue
        if obsolete:
            line = obsolete.group(1) + line[obsolete.end() - 1 :]
        if _FIELD.match(line):
            kept.append(line)
        elif any(_FIELD.match(rest) or _OBS_FIELD.match(rest) for rest in lines[number + 1 :]):
            # A stray line amid the header fields (synthetic/malformed_headers_latin1.eml): Python
            # would end the header block here and lose every field below it; skip the line instead.
            continue
        else:
            # No field follows: the body starts here, without the blank line (cpython/msg_35.txt).
            kept.extend(lines[number:])
            break
    return b"".join(kept) + data[end:]


def parse_message(
    data: bytes, *, file: str, position: str, origin: str, from_line: str | None = None
) -> list[Parsed]:
    """The items of one RFC 5322 message, or a single BadRecord saying why it cannot be read."""
    try:
        message = email.message_from_bytes(repair(data), policy=_POLICY)
        if not list(message.raw_items()):
            return [BadRecord(file, position, "no header fields: not an email message")]
        return list(_items(message, origin=origin, from_line=from_line or message.get_unixfrom()))
    # The per-record boundary (STYLE.md "a bad record: skip it, count it, keep going"): the email
    # package can fail in ways it does not document on hostile input, and one message must never stop
    # the import of a mailbox. Only the exception's type is reported: its text may quote private mail.
    except Exception as err:  # noqa: BLE001
        return [BadRecord(file, position, f"cannot parse message ({type(err).__name__})")]


def _first(message: Message, name: str, hint: str | None) -> str:
    values = raw_values(message, name)
    return header_text(values[0], hint) if values else ""


def _addresses(message: Message, name: str, hint: str | None) -> list[Address]:
    values = [unfold(raw_to_str(v, hint)) for v in raw_values(message, name)]
    return parse_addresses(",".join(values), hint) if values else []


def _time(message: Message, from_line: str | None, hint: str | None) -> tuple[datetime, str | None] | None:
    """Date, else the newest Received stamp, else the mbox `From ` line (FORMATS.md §1 "Dates")."""
    parsed = parse_date(_first(message, "date", hint))
    if parsed is None:
        parsed = received_time([header_text(v, hint) for v in raw_values(message, "received")])
    if parsed is None:
        parsed = from_line_time(from_line)
    return parsed


def _derived_id(*fields: str) -> str:
    """A stable id for a message without a Message-ID: same content, same id on every import."""
    normalized = "\x00".join(" ".join(f.split()) for f in fields)
    return "sha256:" + hashlib.sha256(normalized.encode("utf-8")).hexdigest()[:32]


def _people(groups: list[list[Address]]) -> tuple[str, ...]:
    seen: set[str] = set()
    out: list[str] = []
    for address in (a for group in groups for a in group):
        key = address[1].lower() or address[0]
        if key not in seen:
            seen.add(key)
            out.append(display(address))
    return tuple(out)


def _items(
    message: Message,
    *,
    origin: str,
    from_line: str | None,
    attached_to: str | None = None,
    outer_thread: str | None = None,
    derived_id: str | None = None,
    depth: int = 0,
) -> Iterator[Item]:
    hint = charset_of(message)
    body = read_body(message)
    text = body.text.strip()
    subject = _first(message, "subject", hint)
    senders = _addresses(message, "from", hint)
    to = _addresses(message, "to", hint)
    cc = _addresses(message, "cc", hint)

    raw_id = _first(message, "message-id", hint)
    ids = message_ids(raw_id)
    native_id = ids[0] if ids else " ".join(raw_id.strip("<> ").split())
    if not native_id:
        native_id = derived_id or _derived_id(
            _first(message, "from", hint), _first(message, "date", hint), subject, text
        )

    references = message_ids(" ".join(header_text(v) for v in raw_values(message, "references")))
    in_reply_to = message_ids(_first(message, "in-reply-to", hint))
    gmail_thread = _first(message, "x-gm-thrid", hint)
    if outer_thread is not None:
        thread = outer_thread
    elif gmail_thread:
        thread = f"gmail:{gmail_thread}"
    else:
        thread = (references or in_reply_to or [native_id])[0]

    meta: dict[str, Any] = {
        "from": [[name, addr.lower()] for name, addr in senders],
        "to": [[name, addr.lower()] for name, addr in to],
        "cc": [[name, addr.lower()] for name, addr in cc],
        "in_reply_to": in_reply_to[0] if in_reply_to else None,
        "references": references,
        "attachments": body.attachments,
    }
    labels = raw_values(message, "x-gmail-labels")
    if labels:
        # Takeout writes labels as raw UTF-8 and folds long values (FORMATS.md §1 "Gmail Takeout").
        meta["labels"] = gmail_labels(header_text(labels[0], "utf-8"))
    if gmail_thread:
        meta["gmail_thread_id"] = gmail_thread
    if attached_to is not None:
        meta["attached_to"] = attached_to

    when = _time(message, from_line, hint)
    yield Item(
        kind=Kind.EMAIL,
        native_id=native_id,
        text=text,
        ts=when[0] if when else None,
        tz=when[1] if when else None,
        author=display(senders[0]) if senders else None,
        participants=_people([senders, to, cc]),
        thread=thread,
        title=subject or None,
        origin=origin,
        meta=meta,
    )
    if depth >= _MAX_ATTACHED_DEPTH:
        return
    for number, inner in enumerate(body.messages, start=1):
        yield from _items(
            inner,
            origin=f"{origin}, attached message {number}",
            from_line=None,
            attached_to=native_id,
            outer_thread=thread,
            derived_id=f"{native_id}#attached-{number}",
            depth=depth + 1,
        )
