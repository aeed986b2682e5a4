"""Where each argument value came from: the user's request, their trusted data, what the agent read, nowhere.

A value the user typed is theirs however the model re-typed it (case, spacing, IBAN groups, `$1,250`
vs `1250.0`). A value among the user's trusted facts (`Known`) is TRUSTED. A value found only in tool
outputs is UNTRUSTED: someone else wrote it, and it may be an injected address. A value found nowhere
was made up by the model (MODEL). When the caller already knows an argument's origin (`Action.origins`),
that origin is used as given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from homebody.guard.context import ContextIndex, Segment
from homebody.guard.known import Known
from homebody.guard.values import Kind, Value, classify, compact, flat, numbers_in, scalars
from homebody.tools.effects import Action, Origin, Request

_WORDS = re.compile(r"\w+")
_SHORT = 3  # values of up to three words are matched as written; longer texts word by word


@lru_cache(maxsize=4096)
def _digits(text: str) -> str:
    return " ".join(re.sub(r"\D", "", w) for w in re.findall(r"\+?[\d][\d ()./-]*", text))


@lru_cache(maxsize=8192)  # each value is looked up in several texts, and recurs across a run's calls
def words(text: str) -> str:
    """A text as its case-folded words joined by single spaces, padded for whole-word lookups."""
    return " " + " ".join(_WORDS.findall(text.casefold())) + " "


@dataclass(frozen=True)
class Trace:
    """Where one value came from, and for outside values whether it sat only inside someone's prose."""

    value: Value
    origin: Origin
    in_text: bool = False  # found inside prose someone else wrote (a body, a page, a file's text)
    listed: bool = False  # found in a field of a record (a sender, a participant, an id)
    tool: str = ""
    public: bool = False  # found only on public web pages, never in the user's own data
    named_source: bool = False  # found in what a read returned whose file, page or query the user named

    @property
    def outside(self) -> bool:
        """Whether the value came from what the agent read or from nowhere, not from the user."""
        return self.origin in (Origin.UNTRUSTED, Origin.MODEL)


class _Text:
    """A text pre-normalised every way a value can be looked up in it (computed on first use).

    A text joined from parts (`joined`) builds each form from the parts' forms, which the functions
    behind them have memoised: the same outputs come back at every step of a run.
    """

    def __init__(self, text: str, *, enumerators: bool = True, parts: tuple[_Text, ...] = ()) -> None:
        self.text = text
        self._enumerators = enumerators
        self._parts = parts
        self._flat: str | None = None
        self._compact: str | None = None
        self._digits: str | None = None
        self._words: str | None = None
        self._numbers: frozenset[str] | None = None

    @classmethod
    def joined(cls, texts: Iterable[str]) -> _Text:
        """Texts one after the other, as if separated by a blank line (no value spans two of them)."""
        parts = tuple(cls(t) for t in texts)
        return cls("\n\u2029\n".join(p.text for p in parts), parts=parts)

    @property
    def parts(self) -> tuple[_Text, ...]:
        """The texts this one was joined from (none for a plain text)."""
        return self._parts

    @property
    def flat(self) -> str:
        """The text case-folded, whitespace runs made one space."""
        if self._flat is None:
            if self._parts:
                self._flat = " ".join(f for p in self._parts if (f := p.flat))
            else:
                self._flat = flat(self.text)
        return self._flat

    @property
    def compact(self) -> str:
        """The text's letters and digits only, upper-cased."""
        if self._compact is None:
            if self._parts:
                self._compact = "".join(p.compact for p in self._parts)
            else:
                self._compact = compact(self.text)
        return self._compact

    @property
    def digits(self) -> str:
        """The digits of every number-like run, runs separated by spaces."""
        if self._digits is None:
            if self._parts:
                self._digits = " ".join(d for p in self._parts if (d := p.digits))
            else:
                self._digits = _digits(self.text)
        return self._digits

    @property
    def words(self) -> str:
        """The text's words, space-joined and padded for whole-word lookups."""
        if self._words is None:
            if self._parts:
                inner = " ".join(w for p in self._parts if (w := p.words.strip()))
                self._words = f" {inner} " if inner else "  "
            else:
                self._words = words(self.text)
        return self._words

    @property
    def numbers(self) -> frozenset[str]:
        """The canonical keys of the numbers the text writes."""
        if self._numbers is None:
            if self._parts:
                self._numbers = frozenset().union(*(p.numbers for p in self._parts))
            else:
                # "1. do this" names no number.
                self._numbers = numbers_in(self.text, enumerators=self._enumerators)
        return self._numbers

    def contains(self, value: Value, phrase: str) -> bool:
        """Whether the value occurs in this text, compared the way its kind is written."""
        if value.kind is Kind.IBAN:
            return value.key in self.compact
        if value.kind is Kind.NUMBER:
            return value.key in self.numbers
        if value.kind is Kind.PHONE:
            return value.key in self.digits
        if value.kind in (Kind.EMAIL, Kind.URL) or len(phrase.split()) <= _SHORT:
            # Short values (names, ids, codes, addresses) must appear as written, punctuation and all:
            # '<PASSWORD>' is not the word 'password'.
            return _bounded(self.flat, value.key)
        return phrase in self.words


def _bounded(text: str, key: str) -> bool:
    """Whether `key` occurs in `text` not as part of a longer word, address or number."""
    at = text.find(key)
    while at >= 0:
        before = text[at - 1] if at else " "
        after = text[at + len(key) : at + len(key) + 1] or " "
        if not (before.isalnum() or before in "-_@") and not (after.isalnum() or after in "-_@"):
            return True
        at = text.find(key, at + 1)
    return False


class _Pool:
    """The segments of one kind (prose or fields, private or public), joined for one lookup each."""

    def __init__(self, segments: list[Segment]) -> None:
        self.segments = segments
        self.text = _Text.joined(s.text for s in segments)

    def find(self, value: Value, phrase: str) -> Segment | None:
        """The first segment holding the value, or None."""
        if not self.segments or not self.text.contains(value, phrase):
            return None
        for segment, text in zip(self.segments, self.text.parts, strict=True):
            if text.contains(value, phrase):
                return segment
        return self.segments[0]  # only across a join, e.g. a phrase spanning two fields


def _key(raw: Any) -> str | None:
    value = classify(raw)
    return value.key if value else None


class Provenance:
    """Works out the origin of argument values for one request."""

    def __init__(self, request: Request, known: Known, index: ContextIndex) -> None:
        self.request = _Text(request.instruction, enumerators=False)
        self.known = known
        self.index = index
        # The reads whose file, page, query or address the user typed (direct), and the reads whose
        # arguments those returned: the sources the user pointed to.
        self.named_calls: set[int] = set()
        self.direct_calls: set[int] = set()
        named_texts: list[_Text] = []
        by_call: dict[int, list[Segment]] = {}
        for segment in index.segments:
            by_call.setdefault(segment.call, []).append(segment)
        for i, args in enumerate(index.calls):
            values = [
                v for v in (classify(x) for a in args.values() for x in scalars(a)) if v and len(v.key) > 2
            ]
            if not values:
                continue
            direct = any(self.in_request(v) for v in values)
            if direct:
                self.direct_calls.add(i)
            if direct or any(t.contains(v, words(v.raw)) for t in named_texts for v in values):
                self.named_calls.add(i)
                named_texts.append(_Text.joined(s.text for s in by_call.get(i, ())))
        self._named = _Pool([s for s in index.segments if s.call in self.named_calls])
        self._pools = {
            (prose, public): _Pool([s for s in index.segments if s.free_text is prose and s.public is public])
            for prose in (False, True)
            for public in (False, True)
        }

    @cached_property
    def _direct(self) -> _Pool:
        return _Pool([s for s in self.index.segments if s.call in self.direct_calls])

    @cached_property
    def picked(self) -> frozenset[tuple[int, int]]:
        """The records (call, record) the request picks out by a listed field ("the message from Bob").

        The field must hold something other than what the read was asked for: every message of Alice's
        inbox has Alice as its recipient, every result of a search for "hiking" mentions hiking.
        """
        fields: dict[tuple[int, int], list[Segment]] = {}
        for segment in self.index.segments:
            if not segment.free_text:
                fields.setdefault((segment.call, segment.record), []).append(segment)
        picked: set[tuple[int, int]] = set()
        for (call, record), segments in fields.items():
            asked = {k for a in self.index.calls[call].values() for x in scalars(a) if (k := _key(x))}
            values = (
                classify(line.strip().removeprefix("- ").strip("'\""))
                for segment in segments
                for line in segment.text.splitlines()
            )
            if any(v and len(v.key) > 2 and v.key not in asked and self.in_request(v) for v in values):
                picked.add((call, record))
        return frozenset(picked)

    @cached_property
    def _picked(self) -> _Pool:
        return _Pool([s for s in self.index.segments if (s.call, s.record) in self.picked])

    def in_direct_source(self, value: Value) -> bool:
        """Whether a read whose argument the request itself typed returned this value.

        Not a read reached through a link or an id inside such a read: the user named the first only.
        """
        return self._direct.find(value, words(value.raw)) is not None

    def in_picked_record(self, value: Value) -> bool:
        """Whether the value is in a record the request picks out by one of its fields (see `picked`)."""
        return self._picked.find(value, words(value.raw)) is not None

    @property
    def private_words(self) -> str:
        """The words of everything the agent read from the user's own data (not public pages)."""
        return self._pools[(False, False)].text.words + self._pools[(True, False)].text.words

    def in_request(self, value: Value) -> bool:
        """Whether the user's request contains this value."""
        return self.request.contains(value, words(value.raw))

    def of_value(self, raw: Any, given: Origin | None = None) -> Trace | None:
        """The trace of one scalar value (None for empty values)."""
        value = classify(raw)
        if value is None:
            return None
        if given is not None:
            return Trace(value, given)
        phrase = words(value.raw)
        if self.request.contains(value, phrase):
            return Trace(value, Origin.USER)
        if self.known.trusts(value.key):
            return Trace(value, Origin.TRUSTED)
        hits = {kind: pool.find(value, phrase) for kind, pool in self._pools.items()}
        found = [segment for segment in hits.values() if segment is not None]
        if not found:
            return Trace(value, Origin.MODEL)
        prose = hits[(True, False)] or hits[(True, True)]
        field = hits[(False, False)] or hits[(False, True)]
        private = hits[(True, False)] or hits[(False, False)]
        return Trace(
            value,
            Origin.UNTRUSTED,
            in_text=prose is not None,
            listed=field is not None,
            tool=(prose or field or found[0]).tool,
            public=private is None,
            named_source=self._named.find(value, phrase) is not None,
        )

    def of_arg(self, action: Action, name: str) -> list[Trace]:
        """The traces of every scalar value inside one argument."""
        given = action.origins.get(name)
        return [t for v in scalars(action.args.get(name)) if (t := self.of_value(v, given)) is not None]
