"""Personal data in what the agent read: codes, passwords, identity and card numbers, bank accounts.

When one of these values shows up in text leaving the machine, the guard says which kind it is, and
whether the user's request asked for that kind. Values are found two ways: under a field whose name
says what it is (``passport_number: ...``), and in prose, a code-like token right after words that name
it ("your security code is 463820").
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from homebody.guard.context import ContextIndex
from homebody.guard.values import IBAN_RE, compact, flat

# (what a person calls it, words that name it in a field or a sentence)
CATEGORIES: tuple[tuple[str, str], ...] = (
    (
        "a password or security code",
        r"password|passcode|passphrase|security[ _-]?code|verification[ _-]?code|one[ -]time|otp|2fa|"
        r"\bpin\b|secret|token|api[ _-]?key|access[ _-]?key|auth\w*[ _-]?code|login[ _-]?code|"
        r"reset[ _-]?code|"
        r"\bcode\b|\bkey\b",
    ),
    (
        "an identity number",
        r"passport|social[ _-]?security|\bssn\b|national[ _-]?id|id[ _-]?number|driver'?s?[ _-]?licen[cs]e|"
        r"date[ _-]?of[ _-]?birth|birth[ _-]?date|tax[ _-]?id",
    ),
    (
        "a card or bank account number",
        r"credit[ _-]?card|card[ _-]?number|\bcvv\b|\bcvc\b|\bibans?\b|bank[ _-]?account|account[ _-]?number|"
        r"routing|sort[ _-]?code",
    ),
)
_PATTERNS = tuple((label, re.compile(words, re.IGNORECASE)) for label, words in CATEGORIES)
_CANDIDATE = re.compile(
    r"(?<![\w-])(?!(?:19|20)\d\d\b)(?!(?:19|20)\d\d-\d\d)(?=[\w-]*\d)[A-Za-z0-9][A-Za-z0-9-]{3,}(?![\w-])"
)
_CARD = re.compile(r"\b(?:\d[ -]?){13,19}\b")
_SCAN = 20_000  # characters of an outgoing text scanned for self-labelled values
_WINDOW = 48  # how far before a value the words naming it may stand ("your security code is: ")


@dataclass(frozen=True)
class Secret:
    """A personal value found in outgoing text, and what kind it is."""

    key: str
    label: str


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _label(text: str) -> str | None:
    for label, pattern in _PATTERNS:
        if pattern.search(text):
            return label
    return None


def _candidates(text: str) -> dict[str, str | None]:
    """Code-like tokens, account and card numbers in a text: key -> a label known from their shape."""
    found: dict[str, str | None] = {}
    for match in IBAN_RE.finditer(text):
        found[compact(match.group()).casefold()] = CATEGORIES[2][0]
    for match in _CARD.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        if _luhn(digits):
            found[digits] = CATEGORIES[2][0]
    for match in _CANDIDATE.finditer(text):
        found.setdefault(match.group().casefold(), None)
    return found


def leaked(outgoing: str, index: ContextIndex, request: str) -> list[Secret]:
    """The personal values of the user's data (not public pages, not typed by the user) in outgoing text.

    A value counts when the agent read it under a field naming its kind (``passport_number``), right
    after words naming it ("security code is 463820"), or when its shape says it (an IBAN, a card
    number passing the Luhn check).
    """
    if not outgoing:
        return []
    typed = flat(request)
    out = []
    for key, shape in _candidates(outgoing).items():
        if key in typed:
            continue
        label = _label_in_context(key, index)
        if label is None and shape is not None and _seen(key, index):
            label = shape
        if label is not None:
            out.append(Secret(key, label))
    return out


def _seen(key: str, index: ContextIndex) -> bool:
    return any(key in s.flat or key.upper() in s.compact for s in index.segments if not s.public)


def _label_in_context(key: str, index: ContextIndex) -> str | None:
    if key not in index.private_flat:
        return None  # in no segment of the user's data: no need to look at each
    for segment in index.segments:
        if segment.public:
            continue  # what a public web page says is not the user's data
        text = segment.flat
        at = text.find(key)
        while at >= 0:
            bounded = (at == 0 or not text[at - 1].isalnum()) and not text[
                at + len(key) : at + len(key) + 1
            ].isalnum()
            if bounded:
                if not segment.free_text and (label := _label(segment.key.replace("_", " "))):
                    return label
                if label := _label(text[max(0, at - _WINDOW) : at]):
                    return label
            at = text.find(key, at + 1)
    return None


def _anchor(alternative: str) -> str:
    """The literal letters an alternative of CATEGORIES starts with (`ibans?` -> `iban`)."""
    match = re.match(r"(?:\\b)?([a-z0-9]+)([?*{]?)", alternative)
    if match is None:
        raise ValueError(f"no literal start: {alternative}")
    return match[1][:-1] if match[2] else match[1]


# In outgoing text: the words naming a kind, a few short words or separators, then a code-like token.
_SELF_LABELLED = tuple(
    (
        label,
        re.compile(
            r"(?:" + words + r")(?:[\s_:=#'\"-]+|[A-Za-z]{1,8}){0,5}?(?P<token>" + _CANDIDATE.pattern + ")",
            re.I,
        ),
        # The literal each alternative starts with ("security" of "security[ _-]?code"): a match can only
        # start where one of them is, which `str.find` finds far faster than the pattern's own scan.
        tuple({_anchor(alternative) for alternative in words.split("|")}),
    )
    for label, words in CATEGORIES
)


def _starts(text: str, anchors: tuple[str, ...]) -> list[int]:
    """Every position of a case-folded text where one of the anchors occurs, in order."""
    found = set()
    for anchor in anchors:
        at = text.find(anchor)
        while at >= 0:
            found.add(at)
            at = text.find(anchor, at + 1)
    return sorted(found)


def _matches(pattern: re.Pattern[str], anchors: tuple[str, ...], text: str) -> Iterator[re.Match[str]]:
    """What `pattern.finditer(text)` yields, trying the pattern only where an anchor stands."""
    folded = text.casefold()  # full case folding, so 'paſſword' is found where re.I would match it
    if len(folded) != len(text):  # a character folds to several ('ß'): positions would not line up
        yield from pattern.finditer(text)
        return
    end = 0
    for at in _starts(folded, anchors):
        if at < end:
            continue
        match = pattern.match(text, at)
        if match:
            end = max(match.end(), at + 1)
            yield match


def labelled(outgoing: str, request: str) -> list[Secret]:
    """Values an outgoing text itself calls personal ("passport_number: X12"), which the user did not type."""
    typed = flat(request)
    text = outgoing[:_SCAN]
    out = []
    for label, pattern, anchors in _SELF_LABELLED:
        for match in _matches(pattern, anchors, text):
            token = match["token"].casefold()
            if token not in typed:
                out.append(Secret(token, label))
                break
    return out


def asked_for(label: str, instruction: str) -> bool:
    """Whether the user's request names this kind of personal data."""
    return any(p.search(instruction) for lab, p in _PATTERNS if lab == label)
