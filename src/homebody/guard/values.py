"""Values as the guard compares them: one canonical key per address, account, link, number or name.

The same recipient is written many ways (``Mark@Example.com``, ``GB29 NWBK 6016 1331 9268 19``,
``https://www.site.com/``); provenance and history lookups compare canonical keys, so a value the user
typed is recognised however the model re-typed it. IBAN grouping by four follows ISO 13616; e-mail
addresses are compared case-insensitively (RFC 5321 allows case in the local part, but no real provider
uses it, and a false match here only makes the guard stricter elsewhere).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
# ISO 13616: two letters, two check digits, up to 30 alphanumerics, often written in groups of four.
IBAN_RE = re.compile(r"\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]){10,30}\b")
_FILE_EXTENSIONS = "txt|docx?|xlsx?|pptx?|pdf|csv|json|md|png|jpe?g|gif|zip|py|yaml|yml|html?|eml|ics|vcf"
URL_RE = re.compile(
    r"(?:https?://[^\s<>\"'`)\]},;]+)"
    r"|(?:\bwww\.[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+(?:/[^\s<>\"'`)\]},;]*)?)"
    r"|(?:\b[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?!(?:" + _FILE_EXTENSIONS + r")\b)[a-z]{2,6}\b"
    r"(?:/[^\s<>\"'`)\]},;]*)?)",
)
PHONE_RE = re.compile(r"(?<![\w.])\+?\d[\d ()./-]{6,}\d(?![\w.])")
NUMBER_RE = re.compile(
    r"(?<![\w.])[-+]?\d{1,3}(?:[,\u202f ]\d{3})+(?:\.\d+)?(?!\w)|(?<![\w.])[-+]?\d+(?:\.\d+)?"
)
WORD_RE = re.compile(r"\w+")
_PHONE_DIGITS = 7
_LONGEST_SCALAR = 120  # characters: longer values are texts, never one address or number


class Kind(StrEnum):
    """What sort of value a string is, which decides how it is compared."""

    EMAIL = "email"
    IBAN = "iban"
    URL = "url"
    PHONE = "phone"
    NUMBER = "number"
    TEXT = "text"


@dataclass(frozen=True)
class Value:
    """One argument value as the guard compares it: its kind and canonical key."""

    raw: str
    kind: Kind
    key: str


@lru_cache(maxsize=8192)  # the same outputs' texts are compared at every step of a run
def flat(text: str) -> str:
    """Case-folded text with runs of whitespace made one space."""
    return " ".join(text.casefold().split())


@lru_cache(maxsize=8192)
def compact(text: str) -> str:
    """Letters and digits only, upper-cased: how account numbers are compared."""
    return re.sub(r"[^A-Za-z0-9]", "", text).upper()


def url_key(url: str) -> str:
    """A link without scheme, `www.`, trailing slash or case in the host."""
    text = url.strip().rstrip("/.")
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text, flags=re.IGNORECASE)
    host, _, rest = text.partition("/")
    host = host.casefold()
    host = host.removeprefix("www.")
    return host + ("/" + rest if rest else "")


def url_host(url: str) -> str:
    """The host of a link, as in `url_key`."""
    return url_key(url).split("/", 1)[0].split("?", 1)[0]


def email_domain(address: str) -> str:
    """The domain of an e-mail address, case-folded."""
    return address.rpartition("@")[2].casefold()


def to_number(value: Any) -> float | None:
    """A number from a number or a string like '1,250.00' or '$30', or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip().lstrip("$€£¥").replace(",", "").replace("\u202f", "").replace(" ", "")
        try:
            number = float(text)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def is_iban(text: str) -> bool:
    """Whether a string looks like an IBAN (letters, check digits, 10 to 30 alphanumerics)."""
    key = compact(text)
    return re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", key) is not None and any(
        c.isdigit() for c in key[4:]
    )


def classify(raw: Any) -> Value | None:
    """The canonical form of a scalar value, or None for empty values and containers."""
    if isinstance(raw, str):
        return _classify_text(raw)
    if raw is None or isinstance(raw, bool | dict | list | tuple):
        return None
    if isinstance(raw, int | float):
        number = to_number(raw)
        return None if number is None else Value(str(raw), Kind.NUMBER, _number_key(number))
    return _classify_text(str(raw))


# The same addresses, ids and names recur in every call of a run and in every read's fields; a Value is
# immutable, so one parse serves them all.
@lru_cache(maxsize=8192)
def _classify_text(raw: str) -> Value | None:
    text = raw.strip()
    if "\\" in text:  # a value the model escaped twice ("\\n", "\\'") is the same text
        text = text.replace("\\\\", "\\").replace("\\n", "\n").replace("\\'", "'").replace('\\"', '"')
    if not text:
        return None
    if len(text) > _LONGEST_SCALAR or "\n" in text:
        return Value(text, Kind.TEXT, flat(text))  # a message, a body: text, whatever it mentions
    if EMAIL_RE.fullmatch(text):
        return Value(text, Kind.EMAIL, text.casefold())
    if is_iban(text) and " " not in text.strip()[:4]:
        return Value(text, Kind.IBAN, compact(text))
    if URL_RE.fullmatch(text) and "." in text and not text.replace(".", "").isdigit():
        return Value(text, Kind.URL, url_key(text))
    digits = sum(c.isdigit() for c in text)
    grouped = text[0] == "+" or re.search(r"\d[ ()/-]+\d", text) is not None  # "+44 7700", "(555) 0100"
    if PHONE_RE.fullmatch(text) and digits >= _PHONE_DIGITS and grouped:
        return Value(text, Kind.PHONE, re.sub(r"\D", "", text))
    number = to_number(text)
    if number is not None:
        return Value(text, Kind.NUMBER, _number_key(number))
    if PHONE_RE.fullmatch(text) and digits >= _PHONE_DIGITS:
        return Value(text, Kind.PHONE, re.sub(r"\D", "", text))
    return Value(text, Kind.TEXT, flat(text))


def _number_key(number: float) -> str:
    return f"{number:.2f}"


def scalars(value: Any) -> Iterator[Any]:
    """The scalar values inside an argument: itself, or the items of a list, or a dict's values."""
    if isinstance(value, dict):
        for item in value.values():
            yield from scalars(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from scalars(item)
    elif value is not None:
        yield value


_ENUMERATOR = re.compile(r"(?:^|(?<=\s))\d{1,2}[.)](?=\s)")


@lru_cache(maxsize=1024)
def numbers_in(text: str, *, enumerators: bool = True) -> frozenset[str]:
    """The canonical keys of every number written in a text (without list markers like '1.' if asked)."""
    if not enumerators:
        text = _ENUMERATOR.sub(" ", text)
    keys = set()
    for raw in NUMBER_RE.findall(text):
        try:
            number = abs(float(raw.replace(",", "").replace("\u202f", "").replace(" ", "")))
        except ValueError:
            continue
        if number != float("inf"):
            keys.add(f"{number:.2f}")
    return frozenset(keys)


@lru_cache(maxsize=4096)  # the same payees are compared with the same known ones at every payment
def levenshtein(a: str, b: str, limit: int = 3) -> int:
    """Edit distance between two short strings, capped at `limit` (enough to spot a near miss)."""
    if abs(len(a) - len(b)) >= limit:
        return limit
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) >= limit:
            return limit
        previous = current
    return min(previous[-1], limit)
