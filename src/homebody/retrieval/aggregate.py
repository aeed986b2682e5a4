"""Questions about totals and counts of money, answered by code over the transactions' own fields.

"How much did I spend on groceries in September?" and "how many times did we eat out last month?"
are not search questions: the answer is a sum or a count over many rows, and a language model must
not do the arithmetic. `read` recognises such a question (what to compute, about what, when) and
`compute` selects the transactions, adds them up with `Decimal` per currency, and keeps the rows
used so every one can be cited. The sentence is written here too; the model has nothing to add.

Transactions carry `meta["amount"]` as a decimal string from the user's point of view (negative =
money out), `meta["currency"]`, and a merchant or payee in `meta["counterparty"]` / the title
(ofx, bank_csv and venmo connectors). A topic ("groceries", "eating out") matches a row's merchant,
memo, note or bank category, directly or through a small lexicon of common merchants.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Literal
from zoneinfo import ZoneInfo

from homebody.retrieval.query import terms
from homebody.retrieval.when import When, find
from homebody.vault.store import StoredItem, Vault, stored_item, utc_text

Operation = Literal["spent", "received", "count", "average", "largest"]

_OPERATIONS: tuple[tuple[re.Pattern[str], Operation], ...] = (
    (
        re.compile(
            r"\b(biggest|largest|most expensive|highest)\s+"
            r"(purchase|payment|transaction|expense|bill|spend)",
            re.I,
        ),
        "largest",
    ),
    (re.compile(r"\baverage\b|\bon average\b", re.I), "average"),
    (re.compile(r"\bhow (many|often)\b", re.I), "count"),
    (
        re.compile(
            r"\bhow much\b.*\b(get|got|receive[d]?|earn(ed|t)?|ma[dk]e|paid (me|us)|refund(ed)?|income)\b",
            re.I,
        ),
        "received",
    ),
    (
        re.compile(
            r"\bhow much\b.*\b(spen[dt]|spending|pa(y|id)|cost|charged?|sent|transferred|moved|put|gave|"
            r"given)\b|"
            r"\btotal\s+(spent|spending)\b|\bwhat did (i|we) spend\b|\bmy spending\b|"
            r"\bwhat did\b.*\bcost\b|\badd(ed|s)? up to\b|\bhow much\b.*\b(in total|altogether)\b",
            re.I,
        ),
        "spent",
    ),
)
# Words that say what to compute, not what about.
_OPERATION_WORDS = frozenset(
    """how much many often times total spend spent spending pay paid payment payments cost costs
    charged charge money altogether average biggest largest expensive highest purchase purchases
    transaction transactions expense expenses bill bills get got receive received earn earned
    earnt make made income refund refunded owe go went did we us my i me sent transferred moved put gave
    given added adds up altogether account accounts card bank statement direct debit debits standing
    order orders""".split()  # noqa: SIM905
)
# Money moved between accounts is not spending, unless the question asks about moving it.
_TRANSFERS = re.compile(r"\b(mov(e|ed|ing)|transfer(s|red|ring)?|put)\b", re.I)
# Count questions about payments need one of these to be about money at all ("how many times did
# Sam call?" is not).
_MONEY_COUNT = re.compile(
    r"\b(eat|ate|eating|dine|dined|dining|order(ed)?|buy|bought|pa(y|id)|spen[dt]|transactions?|payments?|"
    r"purchases?|takeaways?|coffees?|taxis?|ubers?|shop(ped|ping)?)\b",
    re.I,
)

#: Topic words -> category name, and each category's merchant lexicon (lowercase, matched as words).
TOPICS: dict[str, str] = {
    "groceries": "groceries", "grocery": "groceries", "supermarket": "groceries",
    "food shopping": "groceries", "eat out": "eating out", "eating out": "eating out",
    "ate out": "eating out", "eat": "eating out", "ate": "eating out", "dine": "eating out",
    "dined": "eating out", "dining": "eating out", "restaurant": "eating out", "meal": "eating out",
    "meals": "eating out",
    "restaurants": "eating out", "takeaway": "eating out", "takeaways": "eating out",
    "coffee": "coffee", "coffees": "coffee", "transport": "transport", "travel": "transport",
    "taxi": "transport", "taxis": "transport", "commute": "transport",
    "subscriptions": "subscriptions", "subscription": "subscriptions", "utilities": "utilities",
    "bills": "utilities",
}  # fmt: skip
LEXICON: dict[str, tuple[str, ...]] = {
    "groceries": (
        "grocery", "groceries", "supermarket", "tesco", "sainsbury", "sainsburys", "waitrose", "asda",
        "aldi", "lidl", "morrisons", "co-op", "ocado", "iceland", "spar", "m&s food", "whole foods",
        "trader joe", "kroger", "safeway", "costco", "greengrocer", "grocer", "market", "mercado",
        "marché", "deli", "bakery", "butcher", "fishmonger", "food shop", "food hall",
    ),
    "eating out": (
        "restaurant", "café", "cafe", "pizza", "pizzeria", "sushi", "burger", "bistro", "brasserie",
        "grill", "pub", "tavern", "diner", "deliveroo", "uber eats", "just eat", "doordash", "grubhub",
        "nando", "wagamama", "dishoom", "takeaway", "noodle", "ramen", "taqueria", "curry house",
        "trattoria", "kitchen", "canteen", "steakhouse", "dining", "eatery", "tapas", "dim sum",
        "dumpling", "kebab", "falafel", "bbq", "smokehouse", "osteria", "izakaya", "cantina",
    ),
    "coffee": ("coffee", "café", "cafe", "starbucks", "costa", "pret", "espresso", "caffè nero", "roastery"),
    "transport": (
        "tfl", "uber", "lyft", "bolt", "rail", "railway", "trainline", "train", "bus", "taxi", "cab",
        "petrol", "fuel", "parking", "oyster", "metro", "national rail",
    ),
    "subscriptions": (
        "netflix", "spotify", "disney", "prime", "apple.com", "icloud", "subscription", "patreon",
    ),
    "utilities": (
        "energy", "electric", "gas", "water", "broadband", "council tax", "octopus", "thames water",
    ),
}  # fmt: skip
_SYMBOLS = {"GBP": "£", "USD": "$", "EUR": "€"}


@dataclass(frozen=True)
class AggregateQuestion:
    """A question that asks for a sum or a count of transactions."""

    operation: Operation
    topic: tuple[str, ...]  # content words naming what it is about; empty = every transaction
    category: str | None  # a lexicon category the topic names ("groceries")
    when: When | None
    transfers: bool = False  # money moved between the user's accounts counts ("moved into savings")


@dataclass(frozen=True)
class Aggregate:
    """The computed answer: the rows used, totals per currency, and the sentence saying so."""

    question: AggregateQuestion
    rows: list[StoredItem]
    totals: dict[str, Decimal]
    text: str

    @property
    def count(self) -> int:
        """How many transactions were used."""
        return len(self.rows)


def read(question: str, now: datetime, zone: ZoneInfo) -> AggregateQuestion | None:
    """The sum or count a question asks for, or None if it asks for something else."""
    operation = next((op for pattern, op in _OPERATIONS if pattern.search(question)), None)
    if operation is None:
        return None
    if operation == "count" and not _MONEY_COUNT.search(question):
        return None
    when = find(question, now, zone)
    rest = question if when is None else question[: when.start] + " " + question[when.end :]
    lowered = " ".join(rest.lower().split())
    named = next((phrase for phrase in sorted(TOPICS, key=lambda t: -len(t)) if
                  re.search(rf"\b{re.escape(phrase)}\b", lowered)), None)  # fmt: skip
    category = TOPICS[named] if named else None
    # The words that named the category ("food shopping") are not also a merchant to look for.
    said = {w for phrase in TOPICS if re.search(rf"\b{re.escape(phrase)}\b", lowered) for w in terms(phrase)}
    topic = tuple(w for w in terms(rest) if w not in _OPERATION_WORDS and w not in TOPICS and w not in said)
    transfers = bool(_TRANSFERS.search(question))
    return AggregateQuestion(operation, topic, category, when, transfers)


def compute(vault: Vault, question: AggregateQuestion, zone: ZoneInfo) -> Aggregate:
    """Select the transactions the question is about and compute its answer over them."""
    rows = [s for s in _candidates(vault, question) if _matches(s, question)]
    wanted = [s for s in rows if _direction(s, question.operation, question.transfers)]
    wanted.sort(key=lambda s: (s.item.ts is None, s.item.ts))
    totals: dict[str, Decimal] = {}
    for stored in wanted:
        currency = str(stored.item.meta.get("currency") or "")
        totals[currency] = totals.get(currency, Decimal(0)) + abs(_amount(stored) or Decimal(0))
    if question.operation == "largest" and wanted:
        top = max(wanted, key=lambda s: abs(_amount(s) or Decimal(0)))
        wanted = [top]
        totals = {str(top.item.meta.get("currency") or ""): abs(_amount(top) or Decimal(0))}
    return Aggregate(question, wanted, totals, _sentence(question, wanted, totals, zone))


def _candidates(vault: Vault, question: AggregateQuestion) -> list[StoredItem]:
    """Transactions in the period; narrowed by the full-text index when there is a topic."""
    where = ["i.kind = 'transaction'"]
    params: list[object] = []
    if question.when and question.when.since:
        where.append("i.ts >= ?")
        params.append(utc_text(question.when.since))
    if question.when and question.when.until:
        where.append("i.ts < ?")
        params.append(utc_text(question.when.until))
    # Words naming one of the user's accounts ("savings") may be in no row's text (`_matches`).
    sources = " ".join(f"{s.name} {s.kind}" for s in vault.sources()).lower()
    named = [w for w in question.topic if not _has(sources, w)]
    if len(named) < len(question.topic) and not question.category:
        named = []  # with a word of a source's name alone, every transaction is a candidate
    words = [*named, *(LEXICON.get(question.category, ()) if question.category else ())]
    if question.category:
        words.append(question.category)
    if words:
        # By the same stems `_has` matches: "groceries" finds "GREENGAGE GROCER" (the index stems
        # words its own way: "groceri", "grocer").
        where.append("i.rowid IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ?)")
        params.append(" OR ".join('"' + _stem(_plain(w)).replace('"', '""') + '"*' for w in words))
    rows = vault.conn.execute(
        f"""SELECT i.*, s.name AS source_name, s.kind AS source_kind FROM items i
            JOIN sources s ON s.id = i.source_id WHERE {" AND ".join(where)} ORDER BY i.ts""",
        params,
    ).fetchall()
    return [stored_item(r) for r in rows]


def _fields(stored: StoredItem) -> str:
    item, meta = stored.item, stored.item.meta
    parts = [
        item.title,
        item.text,
        *(str(meta.get(k) or "") for k in ("counterparty", "memo", "note", "category")),
    ]
    return " ".join(p for p in parts if p).lower()


def _stem(word: str) -> str:
    """A word's first letters, enough to match its plural or other endings ("grocer" for "groceries")."""
    return word if len(word) <= 4 else word[: max(4, len(word) - 2)]


def _plain(text: str) -> str:
    """Lower case without accents: a bank writes "CAFE AMELIE" for Café Amélie."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def _has(text: str, word: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(_stem(_plain(word)))}", _plain(text)) is not None


def _matches(stored: StoredItem, question: AggregateQuestion) -> bool:
    """Whether a transaction is about the question's topic (every transaction, without one)."""
    text = _fields(stored)
    if question.category:
        category = str(stored.item.meta.get("category") or "").lower()
        in_category = question.category in category or any(_has(text, w) for w in LEXICON[question.category])
        if not in_category:
            return False
    # A word may name the account rather than the payment: "interest on my savings account" is a
    # row "GROSS INTEREST" of the source "fenwick-savings".
    source = stored.source.lower()
    return all(_has(text, w) or _has(source, w) for w in question.topic)


def _amount(stored: StoredItem) -> Decimal | None:
    try:
        return Decimal(str(stored.item.meta.get("amount")))
    except (InvalidOperation, ValueError):
        return None


def _direction(stored: StoredItem, operation: Operation, transfers: bool = False) -> bool:
    """Money out for spending and counts of purchases, money in for income; transfers only when asked."""
    amount = _amount(stored)
    if amount is None:
        return False
    kind = " ".join(str(stored.item.meta.get(k) or "") for k in ("type", "category")).lower()
    if ("transfer" in kind or "xfer" in kind) and not transfers:
        return False
    return amount > 0 if operation == "received" else amount < 0


def money(value: Decimal, currency: str) -> str:
    """'£1,234.50', '$12.00', or '12.00 CHF'."""
    symbol = _SYMBOLS.get(currency.upper())
    text = f"{value.quantize(Decimal('0.01')):,}"
    return f"{symbol}{text}" if symbol else f"{text} {currency}".strip()


def _sentence(
    question: AggregateQuestion, rows: list[StoredItem], totals: dict[str, Decimal], zone: ZoneInfo
) -> str:
    about = question.category or " ".join(question.topic)
    period = f" {question.when.phrase.strip()}" if question.when else ""
    span = _span_label(question.when, zone)
    period_label = f"{period} ({span})" if span else period
    amounts = " and ".join(money(v, c) for c, v in sorted(totals.items()))
    on = f" on {about}" if about else ""
    n = len(rows)
    plural = "transaction" if n == 1 else "transactions"
    if not rows:
        return f"I found no transactions{on}{period_label}."
    if question.operation == "count":
        return f"{n} {plural}{on}{period_label}, {amounts} in all."
    if question.operation == "received":
        return f"You received {amounts}{(' from ' + about) if about else ''}{period_label} ({n} {plural})."
    if question.operation == "average":
        averages = " and ".join(money(v / n, c) for c, v in sorted(totals.items()))
        return f"On average {averages} per transaction{on}{period_label} ({n} {plural}, {amounts} in all)."
    if question.operation == "largest":
        item = rows[0].item
        when = item.ts.astimezone(zone).strftime("%d %B %Y") if item.ts else "undated"
        return f"The largest was {amounts} to {item.title or 'an unnamed payee'} on {when}{period_label}."
    return f"You spent {amounts}{on}{period_label} ({n} {plural})."


def _span_label(when: When | None, zone: ZoneInfo) -> str:
    """'1 September 2026 to 30 September 2026' for the period, in the user's zone."""
    if when is None or when.since is None or when.until is None:
        return ""
    first = when.since.astimezone(zone)
    last = when.until.astimezone(zone)
    last_day = (last - timedelta(seconds=1)) if last.time().isoformat() == "00:00:00" else last
    return f"{first:%-d %B %Y} to {last_day:%-d %B %Y}"
