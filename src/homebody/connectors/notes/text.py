"""Decode a text file's bytes: UTF-8 (BOM stripped), UTF-16 with a BOM, else the detected charset."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

# Line ends of Windows (CRLF) and classic Mac (CR) editors become "\n"; str.splitlines would also break
# on U+2028 and form feeds, which belong to the text.
_LINE_END = re.compile(r"\r\n?")
# ASCII control characters other than tab, newline, form feed and carriage return: noise in a text
# file, and the mark of a binary one when there are many.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def decode_text(data: bytes) -> str | None:
    """The text of a note file with "\\n" line ends, or None if the bytes are not text in any charset."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text: str | None = data.decode("utf-16", errors="replace")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = _guess(data)
    if text is None or len(_CONTROL.findall(text)) > max(8, len(text) // 100):
        return None
    return _LINE_END.sub("\n", _CONTROL.sub("", text))


def _guess(data: bytes) -> str | None:
    """Legacy 8-bit text, decoded in the charset charset-normalizer finds most plausible.

    On short Western European text charset-normalizer scores cp1250, cp1252 and cp1257 the same
    and its `best()` picks the first, cp1250 ("crème" comes out as "crčme"). Notepad's "ANSI" in
    Western locales is cp1252, by far the commonest legacy charset of notes, so it wins a tie.
    """
    results = from_bytes(data)
    best = results.best()
    if best is None:
        return None
    tied = [m for m in results if m.chaos == best.chaos and m.coherence == best.coherence]
    return str(next((m for m in tied if m.encoding == "cp1252"), best))
