"""The IMAP wire format, purely: mailbox names, LIST/STATUS/FETCH responses, and messages as items.

Responses come as `imaplib` hands them over: a list whose elements are `bytes` (a response line) or
`(text ending in {n}, literal bytes)` tuples, a response with literals being its tuples followed by the
rest of its line. Each message's bytes go to the email connector's parser (connectors/email/parse.py);
this module only adds where the message sits on the server. No network, no clock, no file system.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from homebody.connectors.base import Parsed
from homebody.connectors.email.parse import parse_message
from homebody.errors import BadRecord
from homebody.vault.items import Item

# RFC 3501 section 5.1.3: "&" opens modified BASE64 (UTF-16BE, "," for "/", no padding) up to "-".
_SHIFTED = re.compile(r"&([A-Za-z0-9+,]*)-")
_LIST = re.compile(rb'^\((?P<flags>[^)]*)\)\s+(?P<delimiter>NIL|"(?:[^"\\]|\\.)*")\s+(?P<name>.*?)\s*$', re.S)
_QUOTED = re.compile(rb'^"((?:[^"\\]|\\.)*)"$', re.S)
_STATUS_ITEMS = re.compile(rb"\(([^()]*)\)\s*$")
_PAIR = re.compile(rb"([A-Za-z-]+)\s+(\d+)")
_UID = re.compile(rb"[(\s]UID\s+(\d+)", re.IGNORECASE)
_FLAGS = re.compile(rb"[(\s]FLAGS\s+\(([^)]*)\)", re.IGNORECASE)
_INTERNALDATE = re.compile(rb'[(\s]INTERNALDATE\s+"([^"]*)"', re.IGNORECASE)
_SIZE = re.compile(rb"[(\s]RFC822\.SIZE\s+(\d+)", re.IGNORECASE)
_BODY_LITERAL = re.compile(rb"BODY\[\]\s*\{\d+\+?\}$", re.IGNORECASE)
# RFC 3501 section 9, date-time: "17-Jul-1996 02:44:25 -0700" (day maybe space-padded).
_DATE_TIME = re.compile(r"\s*(\d{1,2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2}) ([+-]\d{4})\s*")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Response:
    """One untagged response: its text (literals left out), and each literal with the text before it."""

    text: bytes
    literals: tuple[tuple[bytes, bytes], ...] = ()


@dataclass(frozen=True)
class Listed:
    """A mailbox from LIST: its name on the wire (modified UTF-7) and its attributes, lower-cased."""

    name: str
    attributes: frozenset[str]

    @property
    def selectable(self) -> bool:
        """False for a mere level of the hierarchy (RFC 3501 `\\Noselect`, RFC 5258 `\\NonExistent`)."""
        return not self.attributes & {"\\noselect", "\\nonexistent"}


@dataclass(frozen=True)
class Fetched:
    """One message from a FETCH response: UID, flags, INTERNALDATE, size and the full message bytes."""

    uid: int | None
    flags: tuple[str, ...] = ()
    internaldate: str | None = None
    size: int | None = None
    body: bytes | None = None


def decode_mailbox(wire: str) -> str:
    """A mailbox name from the server's modified UTF-7 (RFC 3501 section 5.1.3); unchanged if invalid."""

    def shifted(match: re.Match[str]) -> str:
        chunk = match.group(1)
        if not chunk:
            return "&"
        padded = chunk.replace(",", "/") + "=" * (-len(chunk) % 4)
        return base64.b64decode(padded, validate=True).decode("utf-16-be")

    # The standard library has no codec for IMAP's variant of UTF-7 ("utf-7" uses "+" and "/").
    try:
        return _SHIFTED.sub(shifted, wire)
    except ValueError:  # binascii.Error and UnicodeDecodeError both are ValueErrors
        return wire


def encode_mailbox(name: str) -> str:
    """A mailbox name in modified UTF-7, as IMAP commands carry it (RFC 3501 section 5.1.3)."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            raw = "".join(pending).encode("utf-16-be", errors="surrogatepass")
            out.append("&" + base64.b64encode(raw).decode("ascii").rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if " " <= char <= "~":
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)


def quote(wire: str) -> str:
    """An IMAP quoted string (RFC 3501 section 4.3); ValueError if it needs a literal instead."""
    if not all(" " <= char <= "~" for char in wire):
        raise ValueError("a mailbox name with control or 8-bit characters cannot be quoted")
    return '"' + wire.replace("\\", "\\\\").replace('"', '\\"') + '"'


def group(data: Sequence[object]) -> list[Response]:
    """Whole responses from imaplib's list: literal tuples belong to the line that follows them."""
    out: list[Response] = []
    text = b""
    literals: list[tuple[bytes, bytes]] = []
    for element in data:
        if isinstance(element, tuple) and len(element) == 2 and all(isinstance(e, bytes) for e in element):
            head, literal = element
            text += head
            literals.append((text, literal))
        elif isinstance(element, bytes):
            out.append(Response(text + element, tuple(literals)))
            text, literals = b"", []
    if literals:
        out.append(Response(text, tuple(literals)))
    return out


def parse_list(data: Sequence[object]) -> list[Listed]:
    """The mailboxes of a LIST response (RFC 3501 section 7.2.2); lines that do not parse are left out."""
    out: list[Listed] = []
    for response in group(data):
        match = _LIST.match(response.text)
        if match is None:
            continue
        if response.literals:
            name = response.literals[-1][1]
        else:
            quoted = _QUOTED.match(match.group("name"))
            name = re.sub(rb"\\(.)", rb"\1", quoted.group(1)) if quoted else match.group("name")
        if not name:
            continue
        attributes = frozenset(a.lower() for a in match.group("flags").decode("ascii", "replace").split())
        out.append(Listed(_inbox(name.decode("utf-8", "replace")), attributes))
    return out


def _inbox(name: str) -> str:
    return "INBOX" if name.upper() == "INBOX" else name


def parse_status(data: Sequence[object]) -> dict[str, int]:
    """The counters of a STATUS response (RFC 3501 section 7.2.4), keys upper-cased."""
    out: dict[str, int] = {}
    for response in group(data):
        match = _STATUS_ITEMS.search(response.text)
        if match:
            out.update((k.decode("ascii").upper(), int(v)) for k, v in _PAIR.findall(match.group(1)))
    return out


def parse_fetch(data: Sequence[object]) -> list[Fetched]:
    """The messages of a FETCH response (RFC 3501 section 7.4.2), in the order the server sent them."""
    out: list[Fetched] = []
    for response in group(data):
        uid = _UID.search(response.text)
        flags = _FLAGS.search(response.text)
        date = _INTERNALDATE.search(response.text)
        size = _SIZE.search(response.text)
        body = next((lit for head, lit in response.literals if _BODY_LITERAL.search(head)), None)
        out.append(
            Fetched(
                uid=int(uid.group(1)) if uid else None,
                flags=tuple(sorted(flags.group(1).decode("ascii", "replace").split())) if flags else (),
                internaldate=date.group(1).decode("ascii", "replace") if date else None,
                size=int(size.group(1)) if size else None,
                body=body,
            )
        )
    return out


def from_line(internaldate: str | None) -> str | None:
    """An mbox `From ` line holding INTERNALDATE, the time the server got the message.

    The email parser falls back to an mbox `From ` line's time when a message has no usable Date or
    Received field (FORMATS.md section 1, "Dates"); INTERNALDATE is IMAP's delivery time, the same idea.
    """
    match = _DATE_TIME.fullmatch(internaldate or "")
    if match is None:
        return None
    day, month, year, hour, minute, second, zone = match.groups()
    month = month.capitalize()
    if month not in _MONTHS:
        return None
    return f"From imap {month} {int(day)} {hour}:{minute}:{second} {zone} {year}"


def message_items(fetched: Fetched, *, host: str, mailbox: str) -> list[Parsed]:
    """The items of one fetched message, each with `meta["imap"]`: mailbox, UID and flags."""
    where = f"{host}/{mailbox}"
    position = f"UID {fetched.uid}"
    if fetched.body is None:
        return [BadRecord(where, position, "the server sent no message body")]
    parsed = parse_message(
        fetched.body,
        file=where,
        position=position,
        origin=f"{where}, {position}",
        from_line=from_line(fetched.internaldate),
    )
    # \Recent belongs to one session (RFC 3501 section 2.3.2): it says nothing about the message.
    flags = [flag for flag in fetched.flags if flag.lower() != "\\recent"]
    return [
        replace(p, meta={**p.meta, "imap": {"mailbox": mailbox, "uid": fetched.uid, "flags": list(flags)}})
        if isinstance(p, Item)
        else p
        for p in parsed
    ]
