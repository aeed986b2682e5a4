"""Data leaving: codes, identity and card numbers, passages of the user's data, files and links going out.

What goes out is judged with where it goes: personal data for a destination the user did not give is
refused; personal data the user did not ask to share, text copied word for word from data the request
did not point to, and links found only on web pages are confirmed first.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from functools import lru_cache

from homebody.guard.case import Case, Finding, Level, shown, where
from homebody.guard.context import Segment
from homebody.guard.sensitive import asked_for, labelled
from homebody.guard.values import EMAIL_RE, URL_RE, flat
from homebody.tools.effects import Effect, Origin, Role

_PASSAGES = 3
_SENTENCES = re.compile(r"(?<=[.!?])\s+|\n")
_MIN_PASSAGE = 30  # characters: a sentence, not a name or a date
# Requests to pass text on as it is, rather than to write something new from it.
_COPY_ASKED = re.compile(
    r"\b(?:forward|copy|copies|paste|concatenat|verbatim|word for word|as it is|as is|without altering|"
    r"unaltered|"
    r"full (?:text|body|content)|entire|whole|all (?:the )?(?:messages|e-?mails|contents?|text)|contents? of|"
    r"body of)",
    re.IGNORECASE,
)


def _copied(case: Case, outgoing: str) -> list[tuple[str, Segment]]:
    """The sentences or lines of what the agent read that the outgoing text repeats word for word."""
    text = flat(outgoing)
    if len(text) < _MIN_PASSAGE:
        return []
    found: dict[str, Segment] = {}
    for segment in case.index.segments:
        for passage in _passages(segment.text):
            if passage not in found and passage in text:
                found[passage] = segment
    return list(found.items())


@lru_cache(maxsize=2048)  # the same outputs are read at every step of a run
def _passages(text: str) -> tuple[str, ...]:
    """The sentences or lines of a text long enough to count as a passage, flattened."""
    return tuple(p for line in _SENTENCES.split(text) if len(p := flat(line)) >= _MIN_PASSAGE)


def _count(
    copied: list[tuple[str, Segment]], case: Case, *, private: bool, unnamed_prose: bool = False
) -> int:
    """How many copied passages come from the user's private data, or from prose the request did not name."""
    return sum(
        1
        for _, segment in copied
        if not (private and segment.public)  # a public web page is nobody's private data
        and not (unnamed_prose and (not segment.free_text or segment.call in case.prov.named_calls))
    )


def check_data(case: Case) -> Iterator[Finding]:
    """Personal data, codes, many passages or files leaving for a destination the user did not give."""
    effects = case.effects
    if not effects & {Effect.SEND, Effect.PUBLISH, Effect.MONEY}:
        return
    outgoing = case.text_of(Role.CONTENT, Role.SUBJECT)
    outside = case.destination_outside
    dest = f"'{shown(outside.value.raw)}', which came from {where(outside)}" if outside else "its recipients"
    labels = sorted(
        {s.label for s in case.leaked(outgoing)}
        | {s.label for s in labelled(outgoing, case.request.instruction)}
    )
    named = any(t.origin is Origin.USER for t in case.destinations)
    for label in labels:
        asked = asked_for(label, case.request.instruction)
        if outside is not None and asked and named:
            yield Finding(Level.CONFIRM, 0.7, f"It sends {label} as you asked, but also to {dest}.")
        elif outside is not None:
            yield Finding(Level.BLOCK, 0.95, f"It sends {label} from your data to {dest}.")
        elif asked:
            yield Finding(Level.NOTE, 0.3, f"It sends {label}, as you asked.")
        else:
            yield Finding(
                Level.CONFIRM, 0.7, f"It sends {label} from your data, which you did not ask to share."
            )
    copied = _copied(case, outgoing) if outgoing else []
    if copied and case.scope.delegated and _count(copied, case, private=False, unnamed_prose=True):
        yield Finding(
            Level.CONFIRM,
            0.6,
            "It passes on text, word for word, from data other than what your request pointed to.",
        )
    private = _count(copied, case, private=True)
    passages = _count(copied, case, private=False)
    if private >= _PASSAGES and outside is not None:
        yield Finding(Level.BLOCK, 0.9, f"It copies {private} passages of your data to {dest}.")
    elif passages >= _PASSAGES:
        if _COPY_ASKED.search(case.request.instruction):
            yield Finding(
                Level.NOTE, 0.3, f"It copies {passages} passages of what the agent read, as you asked."
            )
        else:
            yield Finding(
                Level.CONFIRM,
                0.6,
                f"It passes on {passages} passages the agent read word for word; you did not ask for a copy.",
            )
    for match in itertools.chain(URL_RE.finditer(outgoing), EMAIL_RE.finditer(outgoing)):
        link = case.prov.of_value(match.group())
        if link is not None and link.origin is Origin.UNTRUSTED and link.public:
            yield Finding(
                Level.CONFIRM,
                0.5,
                f"It passes on '{shown(match.group())}', found on a web page, not given by you.",
            )
            break
    files = case.by_role(Role.ATTACHMENT)
    if files and outside is not None:
        yield Finding(Level.CONFIRM, 0.7, f"It shares {len(files)} of your files with {dest}.")
    elif len(files) > case.policy.bulk_items:
        yield Finding(Level.CONFIRM, 0.6, f"It shares {len(files)} files at once.")
