"""Bytes to text for mail: charsets that lie, raw 8-bit header bytes, and RFC 2047 encoded-words.

Every function here is total: garbage in gives replacement characters out, never an exception.
See fixtures/FORMATS.md section 1 ("Declared charset lies", "Header text").
"""

from __future__ import annotations

import base64
import binascii
import codecs
import re

# Declared charsets that real mailers use for a superset (FORMATS.md §1: "Declared charset lies"):
# Windows code pages are what Outlook and friends actually emit under the ISO/legacy labels.
_SUPERSETS: dict[str, str] = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "ansi_x3.4-1968": "cp1252",
    "iso-8859-9": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "euc-cn": "gb18030",
    "cp936": "gb18030",
    "ks_c_5601-1987": "cp949",
    "ks_c_5601": "cp949",
    "ksc5601": "cp949",
    "euc-kr": "cp949",
    "korean": "cp949",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "big5": "big5hkscs",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
}

# Labels that say "we do not know" (FORMATS.md §1): decode by guessing instead of failing.
_UNKNOWN = frozenset({"", "unknown-8bit", "x-unknown", "x-user-defined", "none", "unknown", "default"})

_WIDE = ("utf-16", "utf-32", "utf-7")

_FOLD = re.compile(r"\r?\n(?=[ \t])|\r(?=[ \t])")
_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")
_Q_ESCAPE = re.compile(rb"=([0-9A-Fa-f]{2})")


def codec_for(charset: str | None) -> str | None:
    """The Python codec to decode a declared charset with, or None when it is unknown or unusable."""
    if charset is None:
        return None
    label = charset.strip().strip("\"'").lower()
    # RFC 2231 section 5 allows a language suffix on charsets in encoded-words: "utf-8*en".
    label = label.split("*", 1)[0]
    if label in _UNKNOWN:
        return None
    label = _SUPERSETS.get(label, label)
    try:
        name = codecs.lookup(label).name
        b"a".decode(name, "replace")  # refuses bytes-to-bytes codecs ("base64", "hex"), "undefined"
    except (LookupError, UnicodeError):
        return None
    # Codecs that interpret backslashes or domain names are not charsets, whatever a header says.
    return None if "escape" in name or name in ("idna", "punycode") else name


def _decode(data: bytes, codec: str, errors: str = "strict") -> str | None:
    try:
        return data.decode(codec, errors)
    except (UnicodeError, LookupError):
        return None


def decode_bytes(data: bytes, charset: str | None, fallback: str | None = None) -> str:
    """Decode body or header bytes leniently: valid UTF-8 wins over a legacy label, then the label."""
    codec = codec_for(charset)
    if codec is not None and (codec.startswith(_WIDE) or "2022" in codec):
        # Stateful and wide encodings look like ASCII or garbage byte by byte: trust the label.
        text = _decode(data, codec, "replace")
        return text if text is not None else data.decode("utf-8", errors="replace")
    if data.isascii():
        return data.decode("ascii")
    if codec == "utf-8":
        return data.decode("utf-8", errors="replace")
    # Text that decodes as UTF-8 is almost never legacy 8-bit by accident; senders that declare
    # gb2312 or iso-8859-1 over UTF-8 bytes are common (mail_parser/mail_test_12.eml). Then the
    # label, then the message's other charset (for raw 8-bit headers).
    for candidate in ("utf-8", codec, codec_for(fallback)):
        text = _decode(data, candidate) if candidate else None
        if text is not None:
            return text
    # Nothing fits: keep what the label gives, or cp1252, which maps nearly every byte, so Western
    # mail under "unknown-8bit" stays readable.
    text = _decode(data, codec or "cp1252", "replace")
    return text if text is not None else data.decode("cp1252", errors="replace")


def raw_to_str(raw: str, fallback: str | None = None) -> str:
    """A raw header value as parsed from bytes (8-bit bytes smuggled as surrogates) as real text."""
    data = raw.encode("utf-8", errors="surrogateescape")
    return decode_bytes(data, None, fallback)


def unfold(value: str) -> str:
    """Undo header folding: RFC 5322 section 2.2.3 removes the line break and keeps the whitespace."""
    return _FOLD.sub("", value)


def _word_bytes(encoding: str, text: str) -> bytes:
    if encoding in "bB":
        cleaned = re.sub(r"[^A-Za-z0-9+/]", "", text)
        cleaned += "=" * (-len(cleaned) % 4)
        try:
            return base64.b64decode(cleaned)
        except (binascii.Error, ValueError):
            return text.encode("ascii", errors="replace")
    # RFC 2047 section 4.2: "_" is a space, "=XX" a byte.
    raw = text.replace("_", " ").encode("utf-8", errors="surrogateescape")
    return _Q_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw)


def decode_words(value: str, fallback: str | None = None) -> str:
    """Decode RFC 2047 encoded-words in a header value; adjacent words in one charset join as bytes."""
    if "=?" not in value:
        return value
    out: list[str] = []
    pending: list[bytes] = []
    pending_charset: str | None = None
    pos = 0

    def flush() -> None:
        nonlocal pending, pending_charset
        if pending:
            out.append(decode_bytes(b"".join(pending), pending_charset or "utf-8", fallback))
        pending, pending_charset = [], None

    for match in _ENCODED_WORD.finditer(value):
        between = value[pos : match.start()]
        # RFC 2047 section 6.2: whitespace between two adjacent encoded-words is not displayed.
        if between and not (between.isspace() and pending):
            flush()
            out.append(between)
        charset, encoding, text = match.groups()
        if pending and charset.lower() != (pending_charset or "").lower():
            flush()
        pending_charset = charset
        pending.append(_word_bytes(encoding, text))
        pos = match.end()
    flush()
    out.append(value[pos:])
    return "".join(out)


def header_text(raw: str | None, fallback: str | None = None) -> str:
    """A raw header value as display text: 8-bit bytes decoded, unfolded, encoded-words decoded."""
    if raw is None:
        return ""
    text = unfold(raw_to_str(raw, fallback))
    return " ".join(decode_words(text, fallback).split())
