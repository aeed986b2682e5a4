"""Cut long items into passages, so the paragraph that answers is what gets found and cited.

A chunk is a character span of an item's text. Short items (a chat message, an event, a short email)
are one chunk. Long ones are cut at paragraph breaks, else at sentence ends, else at spaces, into
pieces of about `TARGET` characters: around a hundred tokens for multilingual-e5-small, well inside
its 512-token window, and small enough that one chunk holds one topic.

The embedded text of a chunk carries the item's title and sender, so a paragraph of an email about
"the boiler" still knows it came from "Ellis Property Management" with subject "Boiler service".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from homebody.vault.items import Item, Kind

#: Characters a chunk aims for, and the most it may hold.
TARGET = 700
LIMIT = 1000

_PARAGRAPH = re.compile(r"\n\s*\n")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class Span:
    """Characters [start, end) of an item's text."""

    start: int
    end: int


def split(text: str) -> list[Span]:
    """The chunks of a text: one span for short text, paragraph-aligned pieces for long text."""
    if len(text) <= LIMIT:
        return [Span(0, len(text))]
    pieces = _pieces(text, 0, len(text))
    spans: list[Span] = []
    start = end = pieces[0].start
    for piece in pieces:
        if end - start > 0 and piece.end - start > TARGET:
            spans.append(Span(start, end))
            start = piece.start
        end = piece.end
    spans.append(Span(start, end))
    return spans


def _pieces(text: str, start: int, end: int) -> list[Span]:
    """Paragraphs of text[start:end], each cut further by sentences, then by spaces, below LIMIT."""
    out: list[Span] = []
    for para in _cut(text, start, end, _PARAGRAPH):
        if para.end - para.start <= LIMIT:
            out.append(para)
            continue
        for sentence in _cut(text, para.start, para.end, _SENTENCE):
            out.extend(_hard_cut(text, sentence) if sentence.end - sentence.start > LIMIT else [sentence])
    return out


def _cut(text: str, start: int, end: int, separator: re.Pattern[str]) -> list[Span]:
    """The non-blank parts of text[start:end] between separators, as spans of the whole text."""
    spans = []
    position = start
    for match in separator.finditer(text, start, end):
        spans.append(Span(position, match.start()))
        position = match.end()
    spans.append(Span(position, end))
    return [s for s in (_strip(text, s) for s in spans) if s.end > s.start]


def _strip(text: str, span: Span) -> Span:
    start, end = span.start, span.end
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


def _hard_cut(text: str, span: Span) -> list[Span]:
    """A run-on passage (a URL list, a table) cut at the last space before TARGET characters."""
    out = []
    start = span.start
    while span.end - start > LIMIT:
        space = text.rfind(" ", start + TARGET // 2, start + TARGET)
        stop = space if space > start else start + TARGET
        out.append(_strip(text, Span(start, stop)))
        start = stop
    out.append(_strip(text, Span(start, span.end)))
    return [s for s in out if s.end > s.start]


def passage(item: Item, span: Span) -> str:
    """The text the embedding model reads for one chunk: who and what it is about, then the words."""
    body = item.text[span.start : span.end]
    if item.kind is Kind.MESSAGE:
        return f"{item.author or 'system'}: {body}"
    head = [item.title or ""]
    if item.kind is Kind.EMAIL and item.author:
        head.append(f"from {_name(item.author)}")
    if item.kind is Kind.EVENT and item.meta.get("location"):
        head.append(f"at {item.meta['location']}")
    if item.kind is Kind.TRANSACTION and item.meta.get("category"):
        head.append(str(item.meta["category"]))
    header = ", ".join(h for h in head if h)
    if not body.strip():
        return header
    return f"{header}\n{body}" if header and header not in body else body


def _name(author: str) -> str:
    """'Harbour Dental <reception@harbourdental.example.com>' -> 'Harbour Dental'."""
    name = author.split("<")[0].strip().strip('"')
    return name or author
