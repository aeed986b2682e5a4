"""The plain text of an `attributedBody` blob: the NSString inside an NSArchiver typedstream.

Written by hand because the one full typedstream parser for Python, pytypedstream, is LGPL-3.0 and
homebody takes no copyleft dependencies. Only the message's string is needed, and FORMATS.md §2
("Message text") describes the byte pattern that carries it: after the `NSString` class name (or a
reference to it) comes the type tag `\\x84\\x01+`, then a length (1 byte if < 0x80, `0x81` + uint16 LE,
`0x82` + uint32 LE), then that many bytes of UTF-8. Attribute runs (which count UTF-16 code units)
are not needed for the text and are not read.
"""

from __future__ import annotations

import struct

_HEADER = b"\x04\x0bstreamtyped"
_STRING_CLASS = b"NSString"
# `\x84` starts a new type, `\x01` is the type string's length, `+` is the type: bytes of a string.
_STRING_TYPE = b"\x84\x01+"
# Between the class name and the type tag sit the class version and a class/object reference tag
# (`\x01\x95`, `\x01\x94`, ...): a few bytes, never many.
_MAX_GAP = 16


class TypedstreamError(ValueError):
    """The blob is not a typedstream holding a readable string (the message says why, never what)."""


def decode_attributed_body(blob: bytes) -> str:
    """The text of an `attributedBody` typedstream (raises TypedstreamError if it has none)."""
    if not blob.startswith(_HEADER):
        raise TypedstreamError("not a typedstream (no streamtyped header)")
    at = blob.find(_STRING_CLASS, len(_HEADER))
    if at < 0:
        raise TypedstreamError("no NSString in the typedstream")
    after_class = at + len(_STRING_CLASS)
    tag = blob.find(_STRING_TYPE, after_class, after_class + _MAX_GAP + len(_STRING_TYPE))
    if tag < 0:
        raise TypedstreamError("no string bytes after NSString")
    length, start = _read_length(blob, tag + len(_STRING_TYPE))
    end = start + length
    if end > len(blob):
        raise TypedstreamError("string length runs past the end of the blob")
    try:
        return blob[start:end].decode("utf-8")
    except UnicodeDecodeError as err:
        raise TypedstreamError("string bytes are not UTF-8") from err


def _read_length(blob: bytes, pos: int) -> tuple[int, int]:
    """(length, position after it) of a typedstream integer (FORMATS.md §2)."""
    if pos >= len(blob):
        raise TypedstreamError("typedstream ends before the string length")
    first = blob[pos]
    if first < 0x80:
        return first, pos + 1
    if first == 0x81:
        fmt, size = "<H", 2
    elif first == 0x82:
        fmt, size = "<I", 4
    else:
        raise TypedstreamError("unknown length tag in the typedstream")
    if pos + 1 + size > len(blob):
        raise TypedstreamError("typedstream ends inside the string length")
    (value,) = struct.unpack_from(fmt, blob, pos + 1)
    return int(value), pos + 1 + size
