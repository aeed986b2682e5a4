"""Cut a .vcf file into cards, and each card into its properties, before any value is read.

vobject's `readComponents` stops at the first line it cannot parse, so one broken card would cost
every card after it; and in its default mode it fails on vCard 2.1 quoted-printable soft line
breaks whose continuation is not indented (FORMATS.md §7 "Folding": Outlook 2003/2007, Android
2.1 exports). Its `allowQP` mode joins them but then decodes with the declared CHARSET strictly
(an unknown or wrong charset raises and loses the card) and spots QP by searching the text for
"quoted-printable". So the file is cut here, card by card, with line numbers kept for BadRecords;
soft line breaks are joined and decoded here (RFC 2045 §6.7, honouring CHARSET with fallbacks);
and vobject's `parseLine` reads each content line's group, name and parameters (RFC 2425 §5.8.1).
"""

from __future__ import annotations

import binascii
import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from vobject.base import ParseError, parseLine

# RFC 6350 §3.2 ends lines with CRLF; exports also use bare LF, and old Mac ones bare CR.
_LINE_BREAK = re.compile(r"\r\n|\n|\r")
_LINE_BREAK_BYTES = re.compile(rb"(\r\n|\n|\r)")
# `BEGIN:vCard` comes in any case (RFC 2426's own example, FORMATS.md §7).
_BEGIN = re.compile(r"^\s*BEGIN\s*:\s*VCARD\s*$", re.IGNORECASE)
_END = re.compile(r"^\s*END\s*:\s*VCARD\s*$", re.IGNORECASE)
# vCard 2.1 §2.2.2 lets AGENT embed a whole card on the lines after it.
_AGENT = re.compile(r"^(?:[A-Za-z0-9-]+\.)?AGENT(?:;[^:]*)?:\s*$", re.IGNORECASE)
_CHARSET_BYTES = re.compile(rb";\s*CHARSET=\"?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
# vCard 2.1 base64 blocks may continue on unindented lines and end with a blank line.
_BASE64_LINE = re.compile(r"^[A-Za-z0-9+/=]+$")


class CardError(Exception):
    """A content line of a card that cannot be read (internal: becomes a BadRecord)."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


@dataclass
class RawCard:
    """One card's physical lines between BEGIN:VCARD and END:VCARD, with their line numbers."""

    number: int
    line: int
    lines: list[tuple[int, str]] = field(default_factory=list)
    closed: bool = False

    @property
    def position(self) -> str:
        """Where the card sits, for a BadRecord: "card 3, line 41"."""
        return f"card {self.number}, line {self.line}"


@dataclass(frozen=True)
class Stray:
    """Non-blank text outside any BEGIN:VCARD/END:VCARD block."""

    line: int


@dataclass(frozen=True)
class Prop:
    """One content line: upper-case name, group, parameters, TYPE values, raw (escaped) value."""

    name: str
    group: str | None
    params: dict[str, list[str]]
    types: frozenset[str]
    value: str
    line: int


def decode_text(raw: bytes, charset: str | None = None) -> str:
    """Bytes as text: the declared charset, else UTF-8, else Windows-1252 (old Outlook exports)."""
    for encoding in (charset, "utf-8"):
        if not encoding:
            continue
        try:
            return raw.decode(encoding)
        except (LookupError, UnicodeDecodeError, ValueError):
            continue
    return raw.decode("cp1252", errors="replace")


def decode_vcf(data: bytes) -> str:
    """The file's text: UTF-8 (RFC 6350 §3.1) or UTF-16 with a BOM; else each line by its CHARSET."""
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    data = data.removeprefix(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    # vCard 2.1 §2.1.5: 8-bit values name their CHARSET per property; a file may mix them.
    parts = _LINE_BREAK_BYTES.split(data)
    out = []
    for index, part in enumerate(parts):
        if index % 2:
            out.append(part.decode("ascii"))
            continue
        match = _CHARSET_BYTES.search(part.split(b":", 1)[0])
        out.append(decode_text(part, match.group(1).decode("ascii") if match else None))
    return "".join(out)


def split_cards(text: str) -> Iterator[RawCard | Stray]:
    """The cards of a file, in order, and a Stray for each run of text outside them."""
    card: RawCard | None = None
    count = 0
    nested = 0
    in_stray = False
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        if card is None:
            if _BEGIN.match(line):
                count += 1
                card = RawCard(count, number)
                in_stray = False
            elif line.strip() and not in_stray:
                in_stray = True
                yield Stray(number)
            continue
        if nested:
            # An embedded AGENT card is skipped: its lines describe someone else.
            nested += 1 if _BEGIN.match(line) else -1 if _END.match(line) else 0
            continue
        if _BEGIN.match(line):
            if card.lines and _AGENT.match(card.lines[-1][1]):
                nested = 1
                continue
            yield card  # its END:VCARD is missing: unclosed
            count += 1
            card = RawCard(count, number)
            continue
        if _END.match(line):
            card.closed = True
            yield card
            card = None
            continue
        card.lines.append((number, line))
    if card is not None:
        yield card


def properties(card: RawCard) -> list[Prop]:
    """The card's content lines, unfolded and with quoted-printable values decoded."""
    return [_prop(number, text) for number, text in _logical_lines(card.lines)]


def _logical_lines(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Join folded lines (RFC 6350 §3.2), QP soft line breaks and 2.1 base64 blocks."""
    out: list[tuple[int, str]] = []
    qp_open = base64_open = False
    for number, line in lines:
        if out and qp_open:
            # RFC 2045 §6.7: `=` at the end of a line is a soft break; the next line, indented
            # or not, continues the value.
            start, text = out[-1]
            out[-1] = (start, text[:-1] + line)
        elif not line.strip():
            base64_open = False
            continue
        elif out and line[:1] in (" ", "\t"):
            start, text = out[-1]
            out[-1] = (start, text + line[1:])
        elif out and base64_open and _BASE64_LINE.match(line.strip()):
            start, text = out[-1]
            out[-1] = (start, text + line.strip())
            continue
        else:
            out.append((number, line))
        text = out[-1][1]
        qp_open = text.endswith("=") and _is_qp(text)
        base64_open = _is_base64(text)
    return out


def _params(text: str) -> tuple[str, list[list[str]], str, str | None] | None:
    try:
        name, params, value, group = parseLine(text)
    except ParseError:
        return None
    return name, params, value, group


def _is_qp(text: str) -> bool:
    if "QUOTED-PRINTABLE" not in text.upper():
        return False
    parsed = _params(text)
    return parsed is not None and _has_param(parsed[1], "ENCODING", "QUOTED-PRINTABLE")


def _is_base64(text: str) -> bool:
    if "BASE64" not in text.upper():
        return False
    parsed = _params(text)
    return parsed is not None and _has_param(parsed[1], "ENCODING", "BASE64")


def _has_param(params: list[list[str]], name: str, value: str) -> bool:
    """True for `NAME=VALUE` and for vCard 2.1's bare `VALUE` (§2.1.2 lets the name be left out)."""
    for param in params:
        if len(param) == 1 and param[0].upper() == value:
            return True
        if param[0].upper() == name and value in (v.upper() for v in param[1:]):
            return True
    return False


def _prop(number: int, text: str) -> Prop:
    parsed = _params(text)
    if parsed is None:
        raise CardError(number, "unreadable content line")
    name, raw_params, value, group = parsed
    params: dict[str, list[str]] = {}
    types: set[str] = set()
    for param in raw_params:
        key = param[0].upper()
        if len(param) == 1:
            types.add(param[0].lower())  # vCard 2.1 bare type: `TEL;CELL;VOICE`
            continue
        params.setdefault(key, []).extend(param[1:])
        if key == "TYPE":
            types.update(t.strip().lower() for v in param[1:] for t in v.split(",") if t.strip())
    if _has_param(raw_params, "ENCODING", "QUOTED-PRINTABLE"):
        charset = params.pop("CHARSET", [None])[0]
        params.pop("ENCODING", None)
        types.discard("quoted-printable")
        decoded = decode_text(binascii.a2b_qp(value.encode("utf-8")), charset)
        # Line breaks inside the decoded value are kept as the escape the value reader expects.
        value = _LINE_BREAK.sub(r"\\n", decoded)
    return Prop(name.upper(), group.lower() if group else None, params, frozenset(types), value, number)
