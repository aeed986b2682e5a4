"""Pieces of a Gmail Takeout mbox message: shared by the whole-life persona and bench/.

FORMATS.md §1: header text outside ASCII goes in RFC 2047 encoded-words; bodies with non-ASCII text
are quoted-printable; Takeout separates messages with `From <thread id>@xxx <asctime with zone>`.
"""

from __future__ import annotations

import base64
import binascii
import html
from datetime import datetime


def wrap(text: str, width: int = 72) -> str:
    """The text broken into lines of at most `width` characters, at spaces."""
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return "\n".join(lines)


def encoded_word(text: str) -> str:
    """An RFC 2047 encoded-word (B encoding) for non-ASCII header text."""
    if text.isascii():
        return text
    return "=?UTF-8?B?" + base64.b64encode(text.encode()).decode() + "?="


def mailbox(name: str, addr: str) -> str:
    """A `Name <address>` header value, the name quoted or encoded as needed."""
    return f"{encoded_word(name)} <{addr}>" if not name.isascii() else f'"{name}" <{addr}>'


def quoted_printable(text: str) -> bytes:
    """Text as quoted-printable bytes (RFC 2045 §6.7)."""
    return binascii.b2a_qp(text.encode(), istext=True)


def text_part(text: str) -> bytes:
    """A text/plain MIME part: 7-bit as is, anything else quoted-printable."""
    if text.isascii():
        return b'Content-Type: text/plain; charset="UTF-8"\n\n' + text.encode() + b"\n"
    return (
        b'Content-Type: text/plain; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable\n\n'
        + quoted_printable(text)
        + b"\n"
    )


def html_part(paragraphs: list[str], newsletter: bool) -> bytes:
    """A text/html MIME part of paragraphs; a newsletter gets a table layout and an unsubscribe link."""
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    if newsletter:
        body = (
            "<style>td{font-family:Arial}</style><table width='600'><tr><td>"
            f"{body}<br><a href='https://example.org/unsubscribe'>Unsubscribe</a></td></tr></table>"
        )
    markup = f'<html><head><meta charset="utf-8"></head><body><div dir="ltr">{body}</div></body></html>'
    return (
        b'Content-Type: text/html; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable\n\n'
        + quoted_printable(markup)
        + b"\n"
    )


def from_line(thread: str, when: datetime) -> bytes:
    """Takeout's separator line: `From <thread id>@xxx Tue Jan 09 17:02:11 +0000 2024` (in UTC)."""
    return f"From {thread}@xxx {when.strftime('%a %b %d %H:%M:%S +0000 %Y')}\n".encode()
