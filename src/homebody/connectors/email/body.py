"""The MIME tree of one message: its readable text, its attachments, and the messages attached to it.

fixtures/FORMATS.md section 1 ("Shape", "Broken MIME"): in `multipart/alternative` the plain text
wins and HTML is the fall-back; attachments are described, never indexed as text; attached
`message/rfc822` parts are handed back whole so they become items of their own. Every access to a
header reads the raw field: the default policy parses headers lazily, slowly, and may raise then.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from email.errors import MessageError
from email.message import Message
from email.utils import collapse_rfc2231_value, decode_params, unquote
from functools import lru_cache
from typing import Any
from weakref import WeakKeyDictionary

from homebody.connectors.email.decode import decode_bytes, decode_words, raw_to_str, unfold
from homebody.connectors.email.html import html_to_text

#: What the email library may raise while it parses a malformed header on access.
HEADER_ERRORS = (ValueError, TypeError, LookupError, AttributeError, MessageError)

# Deeper nesting than this is an attack or a broken generator (mime_emails/*stack_level_too_deep*).
_MAX_DEPTH = 40


@dataclass
class Body:
    """What a message's MIME tree holds for the user."""

    chunks: list[str] = field(default_factory=list)
    attachments: list[dict[str, Any]] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The readable text, parts separated by an empty line."""
        return "\n\n".join(c.lstrip("\n").rstrip() for c in self.chunks if c.strip())


def raw_values(part: Message, name: str) -> list[str]:
    """Every raw value of a header field, unparsed (8-bit bytes still smuggled as surrogates)."""
    index = _RAW_INDEX.get(part)
    if index is None:
        # A message's fields are looked up a dozen times or more: index them by name once. Parsed
        # messages are only read here, never changed, so the index stays true.
        index = {}
        for key, value in part.raw_items():
            index.setdefault(key.lower(), []).append(str(value))
        _RAW_INDEX[part] = index
    return list(index.get(name.lower(), ()))


_RAW_INDEX: WeakKeyDictionary[Message, dict[str, list[str]]] = WeakKeyDictionary()


def content_type(part: Message) -> str:
    """The part's content type, lowercased; text/plain when unreadable (RFC 2045 section 5.2)."""
    # Read from the raw field: the same answer as get_content_type(), without the cost and the
    # failure modes of building a header object with the default policy.
    value = mime_params(part, "content-type")[0]
    if not value:
        return part.get_default_type()  # message/rfc822 inside multipart/digest, else text/plain
    main, slash, sub = value.partition("/")
    return value if slash and main and sub and "/" not in sub else "text/plain"


def _split_params(text: str) -> list[str]:
    """Split a MIME header value on the semicolons outside quoted strings."""
    pieces: list[str] = []
    current: list[str] = []
    quote = escaped = False
    for c in text:
        if escaped:
            escaped = False
        elif c == "\\" and quote:
            escaped = True
        elif c == '"':
            quote = not quote
        elif c == ";" and not quote:
            pieces.append("".join(current))
            current = []
            continue
        current.append(c)
    pieces.append("".join(current))
    return pieces


def mime_params(part: Message, header: str) -> tuple[str, dict[str, str]]:
    """A raw MIME field's value (lowercased) and parameters, RFC 2231 continuations decoded."""
    raw = raw_values(part, header)
    if not raw:
        return "", {}
    value, params = _parse_mime_field(raw[0])
    return value, dict(params)


# Walking one message reads each part's Content-Type five times or more, and most parts share a
# handful of values ('text/plain; charset="UTF-8"'): parse each distinct raw value once.
@lru_cache(maxsize=1024)
def _parse_mime_field(raw: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    value, *pieces = _split_params(unfold(raw_to_str(raw)))
    pairs: list[tuple[str, str]] = []
    for piece in pieces:
        name, equals, param = piece.partition("=")
        if equals and name.strip():
            # An unquoted value runs to the ";" even with spaces in it ("name=This is a test.txt").
            pairs.append(("".join(name.split()).lower(), param.strip()))
    params: dict[str, str] = {}
    try:
        for name, param_value in decode_params([("", ""), *pairs])[1:]:
            if isinstance(param_value, tuple):  # RFC 2231 (charset, language, "quoted value")
                charset, language, text = param_value
                params.setdefault(name, collapse_rfc2231_value((charset, language, unquote(text))))
            else:
                params.setdefault(name, unquote(param_value))
    except (*HEADER_ERRORS, UnicodeError):
        params = {name: param.strip('"') for name, param in reversed(pairs)}
    return "".join(value.split()).lower(), tuple(params.items())


def charset_of(part: Message) -> str | None:
    """The declared charset parameter of a part, if any."""
    return mime_params(part, "content-type")[1].get("charset") or None


def _disposition(part: Message) -> str | None:
    return mime_params(part, "content-disposition")[0] or None


def filename_of(part: Message) -> str | None:
    """The attachment's file name: RFC 2231 parameters and (non-standard) RFC 2047 words decoded."""
    name = mime_params(part, "content-disposition")[1].get("filename")
    if not name:
        name = mime_params(part, "content-type")[1].get("name")
    if not name:
        return None
    # Encoded-words inside a parameter are not RFC 2047, but ubiquitous (FORMATS.md §1 "Filenames").
    return " ".join(decode_words(name, charset_of(part)).split()) or None


def payload_bytes(part: Message) -> bytes:
    """The part's content with its transfer encoding undone (unknown encodings: raw bytes)."""
    try:
        data = part.get_payload(decode=True)
    except HEADER_ERRORS:
        return b""
    return data if isinstance(data, bytes) else b""


def _unflow(text: str, delsp: bool) -> str:
    """Join soft-broken lines of format=flowed text (RFC 3676 section 4)."""
    out: list[str] = []
    pending = ""
    for line in text.split("\n"):
        line = line.removeprefix(" ")  # space-stuffing, RFC 3676 section 4.4
        if line.endswith(" ") and line != "-- ":
            pending += line[:-1] if delsp else line
        else:
            out.append(pending + line)
            pending = ""
    if pending:
        out.append(pending)
    return "\n".join(out)


def part_text(part: Message) -> str:
    """A text part decoded to str with LF line ends; HTML is left as markup."""
    text = decode_bytes(payload_bytes(part), charset_of(part))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    params = mime_params(part, "content-type")[1]
    if params.get("format", "").lower() == "flowed":
        return _unflow(text, params.get("delsp", "").lower() == "yes")
    return text


def _describe(part: Message, ctype: str) -> dict[str, Any]:
    if ctype.startswith("message/") and part.is_multipart():
        try:
            size = sum(len(m.as_bytes()) for m in part.get_payload() if isinstance(m, Message))
        except (*HEADER_ERRORS, UnicodeError):
            size = 0
    else:
        size = len(payload_bytes(part))
    return {"filename": filename_of(part), "content_type": ctype, "size": size}


def _is_attachment(part: Message, ctype: str) -> bool:
    if _disposition(part) == "attachment":
        return True
    # Inline text stays readable text even with a file name (a scanner's notice, a pasted log).
    return ctype not in ("text/plain", "text/html")


def _children(part: Message) -> list[Message]:
    payload = part.get_payload()
    return [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []


def _alternative(children: list[Message], body: Body, depth: int) -> None:
    """Walk the most readable alternative (RFC 2046 §5.1.4): plain text first, else the richest."""
    plain = [c for c in children if content_type(c) == "text/plain" and not c.is_multipart()]
    others = [c for c in reversed(children) if c not in plain]
    for child in [*reversed(plain), *others]:
        ctype = content_type(child)
        if not (child.is_multipart() or ctype in ("text/plain", "text/html")):
            continue
        trial = Body()
        _walk(child, trial, depth + 1)
        if trial.text.strip():
            body.chunks.extend(trial.chunks)
            body.attachments.extend(trial.attachments)
            body.messages.extend(trial.messages)
            break
    # Alternatives that are not text at all (text/calendar invites) are kept as attachments.
    for child in children:
        ctype = content_type(child)
        if not child.is_multipart() and ctype not in ("text/plain", "text/html"):
            body.attachments.append(_describe(child, ctype))


def _walk(part: Message, body: Body, depth: int) -> None:
    if depth > _MAX_DEPTH:
        return
    ctype = content_type(part)
    if ctype.startswith("message/"):
        body.attachments.append(_describe(part, ctype))
        if ctype in ("message/rfc822", "message/global"):
            body.messages.extend(_children(part)[:1])
        return
    if part.is_multipart():
        children = _children(part)
        if ctype == "multipart/alternative":
            _alternative(children, body, depth)
        else:
            for child in children:
                _walk(child, body, depth + 1)
        return
    if ctype.startswith("multipart/"):
        # A multipart without a usable boundary (cpython/msg_31.txt, msg_41.txt): its body is text.
        body.chunks.append(part_text(part))
    elif _is_attachment(part, ctype):
        body.attachments.append(_describe(part, ctype))
    elif ctype == "text/html":
        body.chunks.append(html_to_text(part_text(part)))
    else:
        body.chunks.append(part_text(part))


def read_body(message: Message) -> Body:
    """The readable text, attachments and attached messages of a parsed message."""
    body = Body()
    _walk(message, body, 0)
    return body
