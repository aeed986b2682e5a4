"""What a question asks for besides its words: when, on which channel, how much, how recent.

All read by code from the wording, never by the model: a time ("last month", via `when.py`), a kind
of source ("in my email", "on WhatsApp", "on my calendar"), an amount ("over £50"), and whether the
newest item is wanted ("now", "latest", "still"). The phrases found are cut from the text that is
searched, so "last month" does not go looking for the word "month".

A past period ("last month", "since Tuesday") is a hard filter. An explicit date ("Tuesday 27
October") and a period still to come ("next week") are soft: items in them rank higher, but an email
sent days before about that day still counts, unless the question is about what was said, sent or
paid then, or (for a period to come) about calendar events alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from homebody.retrieval.filters import Filters
from homebody.retrieval.when import When, find
from homebody.vault.items import Kind

_BEFORE = r"\b(?:(?:in|on|from|by|via|over)\s+)?(?:(?:my|an?|the)\s+)?"
_CHANNELS: tuple[tuple[re.Pattern[str], Kind], ...] = (
    (re.compile(_BEFORE + r"(?:e-?mails?|e-?mailed|inbox)\b", re.I), Kind.EMAIL),
    (re.compile(_BEFORE + r"(?:whatsapps?|imessages?|texts?|texted|sms|chats?)\b", re.I), Kind.MESSAGE),
    (re.compile(_BEFORE + r"(?:calendar|diary|agenda)\b", re.I), Kind.EVENT),
    (re.compile(_BEFORE + r"(?:bank\s+)?(?:transactions?|statements?)\b", re.I), Kind.TRANSACTION),
    (re.compile(r"\b(?:(?:in|from)\s+)?my\s+notes\b", re.I), Kind.NOTE),
    (re.compile(_BEFORE + r"(?:news|articles?|feeds?)\b", re.I), Kind.ARTICLE),
)
_MONEY = (
    r"(?:[£$€]\s?(?P<a>\d[\d,]*(?:\.\d+)?)|"
    r"(?P<b>\d[\d,]*(?:\.\d+)?)\s?(?:pounds?|quid|dollars?|euros?|gbp|usd|eur)\b)"
)
_AMOUNT = re.compile(
    rf"\b(?P<how>over|more than|above|at least|under|less than|below|at most|up to|about|around|roughly|"
    rf"approximately)\s+{_MONEY}",
    re.I,
)
_RECENT = re.compile(
    r"\b(latest|most recent|last time|recently|lately|newest|current|currently|now|still|any ?more|"
    r"these days|nowadays)\b"
    # "when did my salary last arrive", "my last pottery session": not "last month", "last Friday"
    r"|\blast\b(?!\s+(?:\d|few|couple|week|month|year|night|weekend|summer|winter|spring|autumn|fall|"
    r"quarter|season|christmas|easter|(?:mon|tues|wednes|thurs|fri|satur|sun)day|jan|feb|mar|apr|may|jun|"
    r"jul|aug|sep|oct|nov|dec))",
    re.I,
)
# "On what day", "at what time": the question asks for a time; the words name no topic.
_ASKING_WHEN = re.compile(r"\b(?:(?:on|at|for|by)\s+)?(?:what|which)\s+(?:day|date|time)s?\b", re.I)
# "What did Sam say on 27 October" is about the message's own date, not an event's.
_SAID = re.compile(
    r"\b(said|say|says|sent|send|wrote|write|text(?:ed)?|e-?mail(?:ed)?|messag(?:e|ed)|paid|pay|spent|"
    r"spend|bought|buy|received|got)\b",
    re.I,
)


@dataclass(frozen=True)
class Understood:
    """A question read by code: what to search for, and what the results must or should satisfy."""

    question: str
    text: str  # the question without its time, channel and amount phrases
    filters: Filters
    when: When | None  # the time named, hard (in `filters`) or soft
    soft: When | None  # an explicit date that ranks items on it higher without excluding others
    recency: bool


def understand(question: str, now: datetime, zone: ZoneInfo) -> Understood:
    """Read the time, channel, amount and recency a question asks for."""
    cuts: list[tuple[int, int]] = []
    filters = Filters()
    when = find(question, now, zone)
    soft = None
    kinds = set()
    for pattern, kind in _CHANNELS:
        for match in pattern.finditer(question):
            kinds.add(kind)
            cuts.append(match.span())
    if kinds:
        filters = replace(filters, kinds=frozenset(kinds))
    if when is not None:
        cuts.append((when.start, when.end))
        # Only events are dated by when they happen: the email or article about "next week" was
        # written before it. A date or a period still to come ranks items in it higher without
        # excluding the rest, unless the question is about events alone or about what was said then.
        ahead = when.until is None or when.until > now
        said = bool(_SAID.search(question))
        if said and ahead and when.since is not None and when.since < now:
            filters = replace(filters, since=when.since)  # "what did Sam say this week": so far
        elif (when.exact and not said) or (ahead and kinds != {Kind.EVENT}):
            soft = when
        else:
            filters = replace(filters, since=when.since, until=when.until)
    cuts.extend(m.span() for m in _ASKING_WHEN.finditer(question))
    amount = _AMOUNT.search(question)
    if amount is not None:
        bounds = _bounds(amount)
        if bounds is not None:
            filters = replace(filters, amount_min=bounds[0], amount_max=bounds[1])
            cuts.append(amount.span())
    recency = bool(_RECENT.search(question)) and when is None
    return Understood(question, _without(question, cuts), filters, when, soft, recency)


def _bounds(match: re.Match[str]) -> tuple[Decimal | None, Decimal | None] | None:
    try:
        value = Decimal((match["a"] or match["b"]).replace(",", ""))
    except InvalidOperation:
        return None
    how = match["how"].lower()
    if how in ("over", "more than", "above", "at least"):
        return value, None
    if how in ("under", "less than", "below", "at most", "up to"):
        return None, value
    return value * Decimal("0.9"), value * Decimal("1.1")


def _without(text: str, cuts: list[tuple[int, int]]) -> str:
    """The text with the given spans removed, spaces tidied."""
    keep = []
    position = 0
    for start, end in sorted(cuts):
        if start > position:
            keep.append(text[position:start])
        position = max(position, end)
    keep.append(text[position:])
    return re.sub(r"\s+", " ", " ".join(keep)).strip()
