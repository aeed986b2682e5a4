"""From an OFX file's bytes to an element tree: header and charset, then a forgiving SGML/XML pass.

FORMATS.md §5 "OFX / QFX": OFX 1.x is a `KEY:VALUE` header then SGML whose leaf elements are not
closed; OFX 2.x is XML behind `<?xml …?><?OFX …?>`. ofxtools reads both with one tag regex
(`ofxtools.Parser.TreeBuilder`), and its models name every aggregate of the spec; this module uses
both, but not `ofxtools.header.parse_header` nor the strict `TreeBuilder.feed`, because on real
files they reject what a reader must get past:

- `parse_header` wants all nine header fields in order and knows only the charsets `1252`,
  `ISO-8859-1` and `NONE`: it refuses `CHARSET:8859-1` (`actual/8859-1.qfx`), headerless files
  (`ofxparse/fail_nice_*.ofx`), a header after 12 blank lines (`ofx-v102-empty-tags.ofx`), and stops
  at the first byte a declared cp1252 does not define.
- `TreeBuilder.feed` raises on text after an end tag, and a misplaced end tag (`</NAME>` with no
  `<NAME>` open) pops whichever element is open, so one damaged transaction loses the whole file.
  It also logs every value at DEBUG level, which would put amounts and payees in the log.
"""

from __future__ import annotations

import codecs
import contextlib
import re
import xml.etree.ElementTree as ET

import ofxtools.models
from ofxtools import Types
from ofxtools.models.base import Aggregate
from ofxtools.Parser import TreeBuilder

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_XML_ENCODING = re.compile(r"<\?xml[^>]*?encoding\s*=\s*[\"']([\w.:-]+)[\"']", re.IGNORECASE)
# OFX 1.x header fields, one a line or all on one line (OFX spec §2.2; `ofxtools.header` comment 2).
_HEADER_FIELD = re.compile(r"\b([A-Z]+):[ \t]*([^\s<]*)")
# CHARSET values of OFX 1.x (OFX spec §2.2) and what they name. ISO-8859-1 is read as cp1252, as
# the WHATWG Encoding Standard does: the C1 controls it puts at 0x80–0x9F are never meant, while
# `€` (0x80) and `—` (0x97) from a Windows program are.
_CHARSETS = {"1252": "cp1252", "8859-1": "cp1252", "ISO-8859-1": "cp1252", "NONE": "utf-8"}
# ofxtools' tag regex (Parser.TreeBuilder.regex) with a non-greedy CDATA section, so that two
# CDATA values on one line (OFX 2.x written without newlines) stay two values.
_TAG = re.compile(
    r"""<(?P<tag>[A-Z0-9./_ ]+?)>
        ((<!\[CDATA\[(?P<cdata>.*?)\]\]>)|(?P<text>[^<]+))?
        (</(?P<closetag>(?P=tag))>)?
    """,
    re.VERBOSE | re.DOTALL,
)
_END_TAG = re.compile(r"</([A-Z0-9./_ ]+?)>")


def _schema() -> tuple[frozenset[str], frozenset[str]]:
    """Names of OFX aggregates (branches) and of OFX elements (leaves), from ofxtools' models."""
    aggregates: set[str] = set()
    leaves: set[str] = set()
    for name in dir(ofxtools.models):
        model = getattr(ofxtools.models, name)
        if not (isinstance(model, type) and issubclass(model, Aggregate)):
            continue
        aggregates.add(name)
        for attr, kind in model.spec.items():
            # Unsupported members (IMAGEDATA, BANKTRANLISTP, LOANMSGSRSV1, ...) are aggregates.
            (aggregates if isinstance(kind, Types.SubAggregate | Types.Unsupported) else leaves).add(
                attr.upper()
            )
    return frozenset(aggregates), frozenset(leaves - aggregates)


AGGREGATES, LEAVES = _schema()


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    name = _CHARSETS.get(name.upper(), name)
    for candidate in (name, f"cp{name}"):  # CHARSET is often a bare Windows code page: 1250, 437
        try:
            return codecs.lookup(candidate).name
        except (LookupError, ValueError):  # ValueError: a NUL byte in the name
            continue
    return None


def _declared_codec(data: bytes) -> str | None:
    """The codec the file's header names: the XML declaration, or OFX 1.x ENCODING/CHARSET."""
    start = data.find(b"<OFX>")
    head = data[: start if start >= 0 else 4096].decode("ascii", errors="replace")
    xml = _XML_ENCODING.search(head)
    if xml:
        return _codec(xml.group(1))
    fields = dict(_HEADER_FIELD.findall(head.upper()))
    if fields.get("ENCODING") in ("UTF-8", "UNICODE"):
        return "utf-8"
    return _codec(fields.get("CHARSET"))


def decode_ofx(data: bytes) -> str:
    """The file's text: UTF-8 when the bytes are UTF-8, else the charset the header declares."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    try:
        # UTF-8 that decodes is taken as UTF-8 even under `CHARSET:1252`: banks declare what their
        # template says, and valid multi-byte UTF-8 is vanishingly rare in real cp1252 text.
        return data.decode("utf-8")
    except UnicodeDecodeError:
        declared = _declared_codec(data)
    if declared is not None and declared not in ("utf-8", "ascii"):
        # A header may name a codec that is not a text encoding (`CHARSET:BASE64`, `rot13`).
        with contextlib.suppress(LookupError, ValueError):
            return data.decode(declared, errors="replace")
    # No usable header, or one that claims UTF-8 over non-UTF-8 bytes: cp1252, OFX 1.x's usual CHARSET.
    return data.decode("cp1252", errors="replace")


class _Builder(TreeBuilder):
    """ofxtools' tree builder made forgiving: a damaged tag costs its record, not the file.

    Whether a tag opens a branch is read from the OFX schema (ofxtools' models), not from whether
    text follows it, so an empty SGML leaf (`<NAME><MEMO>…`) does not swallow its siblings; an end
    tag closes the innermost open element of that name and everything opened inside it (as SGML
    end tags do), and an end tag with nothing of its name open is ignored.
    """

    def __init__(self, ended: frozenset[str]) -> None:
        super().__init__()
        self._open: list[str] = []
        self._ended = ended  # tag names that have an end tag somewhere in the file

    def feed(self, data: str) -> None:
        """Build the tree from the body's tags; text outside elements is ignored."""
        for match in _TAG.finditer(data):
            tag = match.group("tag").strip()
            if tag.startswith("/"):
                self._close(tag[1:].strip())
                continue
            cdata: str | None = match.group("cdata")
            text = cdata if cdata is not None else self._groomstring(match.group("text"))
            closed = match.group("closetag") is not None
            if tag.endswith("/"):  # XML's empty-element tag, <NAME/>
                tag, text, closed = tag[:-1].strip(), None, True
            self._element(tag, text, is_cdata=cdata is not None, closed=closed)

    def _element(self, tag: str, text: str | None, *, is_cdata: bool, closed: bool) -> None:
        branch = not self._open or tag in AGGREGATES
        if not branch and text is None and not closed and tag not in LEAVES:
            branch = tag in self._ended  # an unknown tag that is closed later holds elements
        if branch:
            self.start(tag, {})  # text right after a branch's start tag is noise
            if closed and self._open:
                self.end(tag)
            else:
                self._open.append(tag)
            return
        self.start(tag, {"cdata": "1"} if is_cdata else {})
        if text:
            self.data(text)
        self.end(tag)

    def _close(self, tag: str) -> None:
        if tag not in self._open[1:]:  # the root stays open until the end of the file
            return
        while True:
            name = self._open.pop()
            self.end(name)
            if name == tag:
                return

    def close(self) -> ET.Element:
        """End every element still open and return the root."""
        while self._open:
            self.end(self._open.pop())
        return super().close()


def read_tree(text: str) -> ET.Element | None:
    """The `<OFX>` element of a decoded file, or None if the text has no `<OFX>` element."""
    start = text.find("<OFX>")
    if start < 0:
        return None
    body = text[start:]
    builder = _Builder(frozenset(_END_TAG.findall(body)))
    builder.feed(body)  # the body starts with <OFX>, so the tree has a root
    return builder.close()
