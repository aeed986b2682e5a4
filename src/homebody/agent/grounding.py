"""Checks done by code so a small model cannot invent: relevance, answer type, grounding, support.

- Relevance: a question's informative words (weighted by inverse document frequency) must mostly
  occur in what retrieval found; "what's the wifi password?" over a vault that never mentions wifi
  or passwords finds nothing, whatever the model would say.
- Answer type: "when" wants a date or time, "how much" an amount, "what is my ... number" digits.
- Grounding: the words and numbers of an answer must occur in the sources the model was shown.
- Support: citations go to the sources that contain the answer's words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from enum import Enum

from homebody.retrieval.query import terms
from homebody.retrieval.search import document_frequency
from homebody.retrieval.when import MONTHS
from homebody.vault.store import Vault

#: Share of a question's informative weight that must occur among the hits.
MIN_COVERAGE = 0.5


class AnswerType(Enum):
    """What kind of answer a question asks for."""

    TIME = "time"
    AMOUNT = "amount"
    NUMBER = "number"
    ANY = "any"


_MONTHS = (
    r"jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t|tember)?|"
    r"oct(ober)?|nov(ember)?|dec(ember)?"
)
_DAYS = r"mon|tue|wed|thu|fri|sat|sun"
_TIME_WORDS = re.compile(
    rf"\b({_MONTHS}|({_DAYS})[a-z]*|today|tomorrow|tonight|yesterday|morning|afternoon|evening|"
    r"noon|midnight|weekend|next week)\b|\d{1,2}[:.h]\d{2}|\b\d{1,2}\s?(am|pm)\b|\d{4}-\d{2}-\d{2}",
    re.IGNORECASE,
)
_AMOUNT = re.compile(r"[£$€¥]\s?\d|\d\s?(£|\$|€|eur|gbp|usd|pounds?|dollars?|euros?)\b|\d", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)


def answer_type(question: str) -> AnswerType:
    """The kind of answer the question asks for, from its wording."""
    q = question.lower()
    if re.search(r"\b(how much|how many|cost|price|owe)\b", q):
        return AnswerType.AMOUNT
    if re.search(r"\b(number|code|pin|password|passcode)\b", q):
        return AnswerType.NUMBER
    if re.search(r"^\s*(when|what time|what day|what date|which day|which date)\b|\bwhat dates?\b", q):
        return AnswerType.TIME
    return AnswerType.ANY


def fits(kind: AnswerType, text: str) -> bool:
    """Whether an answer has the shape its question asks for."""
    if kind is AnswerType.TIME:
        return bool(_TIME_WORDS.search(text))
    if kind is AnswerType.AMOUNT:
        return bool(_AMOUNT.search(text))
    if kind is AnswerType.NUMBER:
        return bool(_DIGIT.search(text))
    return bool(text.strip())


class Weights:
    """Inverse document frequencies of words in this vault, looked up once each."""

    def __init__(self, vault: Vault) -> None:
        self._vault = vault
        self._total = max(1, vault.count())
        self._cache: dict[str, float] = {}

    def __call__(self, word: str) -> float:
        """How informative a word is here: rare words weigh more, absent words the most."""
        if word not in self._cache:
            df = document_frequency(self._vault, word)
            self._cache[word] = math.log((self._total + 1) / (df + 0.5))
        return self._cache[word]

    def absent(self, word: str) -> bool:
        """Whether no item of the vault holds the word."""
        return self(word) >= math.log((self._total + 1) / 0.5) - 1e-9


def relevance(words: list[str], matched: Iterable[str], weight: Weights) -> float:
    """Share of the words' informative weight that was matched."""
    total = sum(weight(w) for w in words)
    if total <= 0:
        return 0.0
    found = set(matched)
    return sum(weight(w) for w in words if w in found) / total


def _stem(word: str) -> str:
    """A crude prefix stem, enough to match 'staying' with 'stay' or 'booked' with 'booking'."""
    return word[: max(4, len(word) - 3)] if len(word) > 4 else word


def contains(text: str, word: str) -> bool:
    """Whether `text` has `word`, allowing for inflection and for how dates are written: "2" is in
    "Mon 02 Nov", "November" in "Nov"."""
    lowered = text.lower()
    if word.isdigit():
        return re.search(rf"(?<!\d)0*{re.escape(word.lstrip('0') or '0')}(?!\d)", lowered) is not None
    if word in MONTHS and len(word) > 3:
        return re.search(rf"\b{word[:3]}", lowered) is not None
    return _stem(word) in lowered


def grounded(answer: str, sources: list[str], question: str) -> bool:
    """Whether the answer's own words and every number in it occur in the sources."""
    new = [w for w in terms(answer) if w not in terms(question)]
    if not new:
        return True
    joined = "\n".join(sources)
    numbers = [w for w in new if w.isdigit()]
    if any(not contains(joined, n) for n in numbers):
        return False
    present = sum(1 for w in new if contains(joined, w))
    return present / len(new) >= 0.6


def support(answer: str, question: str, source: str, weight: Weights) -> float:
    """How much of the answer (and, less, of the question) a source states."""
    answer_words = [w for w in terms(answer) if w not in terms(question)]
    source = _URL.sub(" ", source)
    score = sum(weight(w) for w in answer_words if contains(source, w))
    score += 0.25 * sum(weight(w) for w in terms(question) if contains(source, w))
    return score


def informative(answer: str, question: str) -> bool:
    """Whether an answer says anything the question did not ('Lisbon' to 'where in Lisbon?' does not)."""
    asked = terms(question)
    return any(w not in asked for w in terms(answer))


def best_sentence(
    text: str, question: str, kind: AnswerType, weight: Weights, *, words: list[str] | None = None
) -> str | None:
    """The sentence of `text` that says most about the question and fits its answer type.

    A sentence qualifies only if it holds most of the question's informative weight itself (of
    `words`, when given: the question's words that say what it is about), so a passing mention of
    one question word is never passed off as an answer.
    """
    # Hard-wrapped email lines are joined; paragraphs, list items and sentence ends split.
    unwrapped = re.sub(r"(?<!\n)\n(?![\n\-*•]|\d+[.)])", " ", text)
    pieces = [
        p.strip() for p in re.split(r"(?<=[.!?])\s+|\n+", _URL.sub(" ", unwrapped)) if len(p.strip()) > 3
    ]
    words = words if words is not None else terms(question)
    scored = []
    for i, piece in enumerate(pieces):
        held = [w for w in words if contains(piece, w)]
        if (
            fits(kind, piece)
            and informative(piece, question)
            and relevance(words, held, weight) >= MIN_COVERAGE
        ):
            scored.append((sum(weight(w) for w in held), -i, piece))
    return max(scored)[2] if scored else None
