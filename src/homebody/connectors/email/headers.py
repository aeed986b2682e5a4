"""Structured header fields, parsed leniently: addresses, dates, message ids and Gmail labels.

Real mail breaks every rule of RFC 5322 (fixtures/FORMATS.md section 1): names with commas and `@`,
unbalanced quotes and brackets, group syntax, dates like `31/12/2023 23:59`. Nothing here raises.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_tz

from homebody.connectors.email.decode import decode_words

#: A mailbox as (display name, address); either may be empty.
Address = tuple[str, str]

_MSG_ID = re.compile(r"<([^<>]+)>")
# Dates outside this range are garbage from broken clocks (mikel_mail/plain_emails/raw_email_bad_time.eml
# says the year 3609); the parser has no clock, so the range is fixed rather than relative to today.
_FIRST_YEAR, _LAST_YEAR = 1970, 2100
_ZONE = re.compile(r"\d:\d\d(?::\d\d)?\s*(?:[+-]\d{4}|[A-Za-z]{1,5})\b")
# Real zones lie within UTC-12:00 .. UTC+14:00; "+9900" is garbage.
_MAX_OFFSET = 14 * 3600


# The characters that can change `_split_list`'s state; everything else is copied as it is.
_LIST_SPECIAL = re.compile(r'[",;:()<>\\]')


def _split_list(value: str) -> tuple[list[str], bool]:
    """Split an address list on top-level commas; say whether quotes/brackets/comments balanced.

    Inside a quoted string only a backslash (escaping the next character) and the closing quote
    count; inside a comment only parentheses (comments nest); inside `<...>` only `>`. Outside, `,`
    and `;` end an entry, and `:` ends a group name (RFC 5322 section 3.4, "undisclosed-recipients:;"),
    which is no address.
    """
    chunks: list[str] = []
    start = 0  # where the current entry's text begins
    skip = 0  # positions before this were escaped
    quote = angle = False
    depth = 0
    for match in _LIST_SPECIAL.finditer(value):
        i = match.start()
        if i < skip:
            continue
        c = value[i]
        if quote:
            if c == "\\":
                skip = i + 2
                continue
            quote = c != '"'
        elif depth:
            depth += 1 if c == "(" else -1 if c == ")" else 0
        elif angle:
            angle = c != ">"
        elif c in ",;":
            chunks.append(value[start:i])
            start = i + 1
        elif c == ":":
            start = i + 1
        else:
            quote, angle, depth = c == '"', c == "<", int(c == "(")
    chunks.append(value[start:])
    return chunks, not (quote or angle or depth)


def _unquote(name: str) -> str:
    name = name.strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = re.sub(r"\\(.)", r"\1", name[1:-1])
    return name.strip().strip('"').strip()


def _comments(text: str) -> tuple[str, list[str]]:
    """Text without its (possibly nested, escaped) RFC 5322 comments, and the comments' text."""
    if "(" not in text:  # no comment can open: every character is kept as it is
        return text, []
    kept: list[str] = []
    found: list[str] = []
    current: list[str] = []
    depth = 0
    quote = False
    escaped = False
    for c in text:
        target = current if depth else kept
        if escaped:
            target.append(c)
            escaped = False
        elif c == "\\":
            escaped = True
            if not depth:
                kept.append(c)
        elif c == '"' and not depth:
            quote = not quote
            kept.append(c)
        elif c == "(" and not quote:
            depth += 1
            if depth > 1:
                current.append(c)
        elif c == ")" and depth:
            depth -= 1
            if depth:
                current.append(c)
            else:
                found.append("".join(current).strip())
                current = []
                kept.append(" ")
        else:
            target.append(c)
    return "".join(kept), [f for f in found if f]


def _mailbox(chunk: str, fallback: str | None) -> Address:
    """One address-list entry as (name, address)."""
    if "<" in chunk:
        start = chunk.rfind("<")
        end = chunk.find(">", start)
        addr = _comments(chunk[start + 1 : end if end >= 0 else None])[0]
        name, notes = _comments(chunk[:start] + (chunk[end + 1 :] if end >= 0 else ""))
        name = name if name.strip() else " ".join(notes)
        # Obsolete source routes (RFC 5322 section 4.4): "<@relay:user@host>".
        addr = addr.rsplit(":", 1)[-1]
    else:
        addr, notes = _comments(chunk)
        name = " ".join(notes)
    name = " ".join(decode_words(_unquote(name), fallback).split())
    addr = "".join(addr.split()).strip("\"',;")
    if name.lower() == addr.lower():
        name = ""
    return name, addr


def _entries(chunk: str) -> list[str]:
    """Split "a@x b@y" (addresses run together without commas) into separate entries."""
    if "<" in chunk or '"' in chunk or "(" in chunk:
        return [chunk]
    tokens = chunk.split()
    return tokens if len(tokens) > 1 and all("@" in t for t in tokens) else [chunk]


def parse_addresses(value: str, fallback: str | None = None) -> list[Address]:
    """Every mailbox in an address header (already unfolded and 8-bit-decoded), in order."""
    chunks, balanced = _split_list(value)
    if not balanced:
        # An unclosed quote or bracket swallows the rest of the list; drop the stray marks and retry.
        repaired = value.replace('"', "")
        repaired += ">" if repaired.rfind("<") > repaired.rfind(">") else ""
        chunks, _ = _split_list(repaired.replace("(", " ").replace(")", " "))
    out: list[Address] = []
    carry = ""
    for chunk in chunks:
        text = f"{carry},{chunk}" if carry else chunk
        if not text.strip(" ,\t"):
            carry = ""
            continue
        if "@" not in text and "<" not in text:
            # A bare word before a comma is most often half of an unquoted "Last, First <addr>".
            carry = text
            continue
        carry = ""
        for entry in _entries(text):
            name, addr = _mailbox(entry, fallback)
            # A name with an empty "<>" is a real sender (bounces: "MAILER DAEMON <>"); a name
            # without any address is a comment or a group label, not someone to write to.
            if addr or (name and "<" in entry):
                out.append((name, addr))
    if carry.strip(" ,"):
        name, addr = _mailbox(carry, fallback)
        if addr:
            out.append((name, addr))
    return out


def display(address: Address) -> str:
    """How a person appears to the user: "Name <addr>", or the bare address."""
    name, addr = address
    if name and addr:
        return f"{name} <{addr}>"
    return addr or name


def _offset_text(seconds: int) -> str:
    sign = "-" if seconds < 0 else "+"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


def make_time(
    parts: tuple[int, int, int, int, int, int], offset: int | None
) -> tuple[datetime, str | None] | None:
    """An aware UTC time and its zone text from calendar fields, or None if they are impossible."""
    year, month, day, hour, minute, second = parts
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        return None
    if offset is not None and abs(offset) > _MAX_OFFSET:
        return None
    try:
        local = datetime(year, month, day, hour, minute, min(second, 59), tzinfo=UTC)
    except ValueError:
        return None
    if offset is None:
        return local, None
    return (local - timedelta(seconds=offset)).replace(tzinfo=UTC), _offset_text(offset)


def parse_date(value: str) -> tuple[datetime, str | None] | None:
    """An RFC 5322 date (obsolete forms tolerated) as (UTC time, "+02:00"), or None if garbage."""
    text = _comments(value)[0].strip()
    if not text:
        return None
    try:
        fields = parsedate_tz(text)
    except (ValueError, TypeError, IndexError, OverflowError):
        return None
    if fields is None:
        return None
    parts = (fields[0], fields[1], fields[2], fields[3], fields[4], fields[5])
    # RFC 5322 section 3.3: "-0000" means the zone is unknown, as does no zone at all (obsolete);
    # parsedate_tz reports both as 0.
    zoned = _ZONE.search(text) and not re.search(r"-0000\b", text)
    offset = fields[9] if zoned else None
    return make_time(parts, offset)


def received_time(values: list[str]) -> tuple[datetime, str | None] | None:
    """The newest time stamp among Received fields (RFC 5321 section 4.4: after the last ";")."""
    best: tuple[datetime, str | None] | None = None
    for value in values:
        if ";" not in value:
            continue
        parsed = parse_date(value.rsplit(";", 1)[1])
        if parsed is not None and (best is None or parsed[0] > best[0]):
            best = parsed
    return best


def message_ids(value: str) -> list[str]:
    """The message ids in a Message-ID, In-Reply-To or References value, without angle brackets."""
    value = _comments(value)[0]
    found = ["".join(m.split()) for m in _MSG_ID.findall(value)]
    if found:
        return [m for m in found if m]
    # No brackets at all ("no-angle-brackets@example.fr"): a single token with an "@" is an id.
    tokens = value.split()
    return [tokens[0]] if len(tokens) == 1 and "@" in tokens[0] else []


def gmail_labels(value: str) -> list[str]:
    """Labels from a Gmail Takeout `X-Gmail-Labels` value: comma-separated, quoted if they hold commas."""
    labels: list[str] = []
    cur: list[str] = []
    quote = False
    for c in value:
        if c == '"':
            quote = not quote
        elif c == "," and not quote:
            labels.append("".join(cur))
            cur = []
        else:
            cur.append(c)
    labels.append("".join(cur))
    return [" ".join(label.split()) for label in labels if label.strip()]


__all__ = [
    "Address",
    "display",
    "gmail_labels",
    "make_time",
    "message_ids",
    "parse_addresses",
    "parse_date",
    "received_time",
]
