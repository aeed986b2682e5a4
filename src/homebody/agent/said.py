"""What a request itself says: the words to send, the amount and currency. Read by code.

A 0.5B model asked to write "the message" rewrites it, refuses, or copies an email it read; asked for a
currency it guesses from the user's country. What the user spelled out is taken as they wrote it.
"""

from __future__ import annotations

import re

__all__ = ["command_part", "said_content", "said_money"]


_SAID = re.compile(r"\b(?:that|saying|to say)\s+(?P<what>\S.*)$|:\s+(?P<quoted>\S.*)$", re.I | re.S)


def said_content(instruction: str) -> str | None:
    """What the request asks to be said, in the user's words: "tell Sam that I'm late" gives "I'm late."."""
    found = _SAID.search(instruction.strip())
    if not found:
        return None
    what = (found.group("what") or found.group("quoted") or "").strip().strip("\"'“”")
    if len(what) < 2:
        return None
    what = what[0].upper() + what[1:]
    return what if what[-1] in ".!?" else what + "."


_CURRENCIES = {
    "USD": r"\$|\busd\b|\bdollars?\b|\bbucks?\b",
    "GBP": r"£|\bgbp\b|\bpounds?\b|\bquid\b",
    "EUR": r"€|\beur\b|\beuros?\b",
}
_AMOUNT = re.compile(r"(?<![\w.])(?:[$£€]\s*)?(\d{1,3}(?:,\d{3})+|\d+)(\.\d{1,2})?(?![\w.])")


def said_money(instruction: str) -> tuple[str | None, str | None]:
    """The amount and currency a request names, as the user wrote them ("45 dollars": 45, USD).

    Only one amount counts: with two ("split 90 dollars, my share is 45"), code cannot tell which is
    meant, and the model fills the argument.
    """
    text = instruction.casefold()
    amounts = {m.group(1).replace(",", "") + (m.group(2) or "") for m in _AMOUNT.finditer(text)}
    times = set(re.findall(r"\b(\d{1,2})(?=\s*(?:am|pm|o'?clock)|:\d\d)", text))
    amounts -= times
    currencies = [code for code, pattern in _CURRENCIES.items() if re.search(pattern, text)]
    amount = amounts.pop() if len(amounts) == 1 else None
    return amount, currencies[0] if len(currencies) == 1 else None


def command_part(instruction: str) -> str:
    """The request without what it asks to be said: "email Priya that the book club moves" gives
    "email Priya", so words of the message ("book") are not taken for actions."""
    found = _SAID.search(instruction.strip())
    return instruction.strip()[: found.start()] if found else instruction
