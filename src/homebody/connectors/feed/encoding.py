"""Help feedparser with feeds whose bytes do not match their declared (or default) encoding. Pure.

FORMATS.md §6 "encoding conflicts": feedparser tries the HTTP charset, the XML declaration, the BOM,
then `chardet` if that package is importable, then UTF-8, windows-1252 and iso-8859-2. homebody
ships `charset-normalizer`, which feedparser never calls, so without help an undeclared Big5,
EUC-JP or KOI8-R feed (`chardet_*` fixtures) comes out as windows-1252 mojibake, and a UTF-8 feed
with one stray byte is decoded whole as windows-1252. Only when the first encoding a reader would
use fails to decode do we step in: mostly-valid UTF-8 keeps UTF-8 (bad bytes become U+FFFD);
anything else goes to charset-normalizer. The result is re-encoded as UTF-8 with a matching
declaration, so feedparser reads it as is.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
# XML 1.0 §4.3.3: the encoding declaration sits in the XML declaration, which must open the document;
# some feeds put whitespace first, which feedparser tolerates, so we do too.
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._:-]*)["']""")
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
UTF8_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'


def charset_of(content_type: str | None) -> str | None:
    """The `charset` parameter of an HTTP Content-Type value, if any."""
    for part in (content_type or "").split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip().strip("\"'"):
            return value.strip().strip("\"'")
    return None


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _is_utf8(encoding: str) -> bool:
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False


def _mostly_utf8(data: bytes) -> str | None:
    """The text, if more bytes form valid UTF-8 sequences than not (a UTF-8 feed with stray bytes).

    Legacy multi-byte text (EUC-KR, GB2312) forms a valid two-byte UTF-8 sequence now and then by
    chance, but far fewer than the invalid ones; one stray byte in a UTF-8 feed is outweighed by
    any real non-ASCII character.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(len(char.encode("utf-8")) for char in text if char > "\x7f" and char != "\ufffd")
    return text if good > bad else None


def repair_encoding(data: bytes, content_type: str | None = None) -> bytes | None:
    """UTF-8 bytes with a UTF-8 declaration if the feed's stated encoding fails, else None (as is)."""
    if data.startswith(_BOMS):
        # A byte order mark is the strongest signal; feedparser weighs it against the declaration.
        return None
    declared = _DECLARED.match(data)
    first = charset_of(content_type) or (declared.group(1).decode("ascii") if declared else "utf-8")
    if _decodes(data, first):
        return None
    text = _mostly_utf8(data) if _is_utf8(first) else None
    if text is None:
        best = from_bytes(data).best()
        if best is None:
            return None
        text = str(best)
    return (UTF8_DECLARATION + _DECLARATION.sub("", text, count=1)).encode("utf-8")
