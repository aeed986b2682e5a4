"""What code reads from a question besides its words: period, channel, amount, recency."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from homebody.retrieval.understand import understand
from homebody.vault.items import Kind

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)
ZONE = ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("question", "text", "kinds", "hard", "soft", "recency"),
    [
        (
            "When is my dentist appointment now?",
            "When is my dentist appointment now?",
            set(),
            False,
            False,
            True,
        ),
        ("what did Sam say last week?", "what did Sam say ?", set(), True, False, False),
        ("Is there yoga on Tuesday 27 October?", "Is there yoga ?", set(), False, True, False),
        ("What did Sam text me on 27 October?", "What did Sam me ?", {Kind.MESSAGE}, True, False, False),
        ("emails from the bank since March", "from the bank", {Kind.EMAIL}, True, False, False),
        ("what's on my calendar next week", "what's", {Kind.EVENT}, True, False, False),
        # The article about next week's road works was published before it: a period to come is soft.
        (
            "Which road is shut overnight next week?",
            "Which road is shut overnight ?",
            set(),
            False,
            True,
            False,
        ),
        ("What did Sam say about next week?", "What did Sam say about ?", set(), False, True, False),
        ("what did Sam say this week?", "what did Sam say ?", set(), True, False, False),
        # "last" before a verb or a thing asks for the newest; before a period it names the period.
        ("When did my salary last arrive?", "When did my salary last arrive?", set(), False, False, True),
        ("what did I buy last Friday?", "what did I buy ?", set(), True, False, False),
        (
            "Who still owes me for the concert?",
            "Who still owes me for the concert?",
            set(),
            False,
            False,
            True,
        ),
        (
            "the latest news about the trains",
            "the latest about the trains",
            {Kind.ARTICLE},
            False,
            False,
            True,
        ),
        # Asking for a time names no topic: "day" is not searched for.
        (
            "Did my October transfer to savings arrive, and on what day?",
            "Did my transfer to savings arrive, and ?",
            set(),
            True,
            False,
            False,
        ),
        (
            "Where are Sam and I staying in Lisbon?",
            "Where are Sam and I staying in Lisbon?",
            set(),
            False,
            False,
            False,
        ),
    ],
)
def test_a_question_is_read_into_text_and_filters(question, text, kinds, hard, soft, recency):
    read = understand(question, NOW, ZONE)
    assert read.text == text
    assert set(read.filters.kinds) == kinds
    assert (read.filters.since is not None or read.filters.until is not None) is hard
    assert (read.soft is not None) is soft
    assert read.recency is recency


@pytest.mark.parametrize(
    ("question", "low", "high"),
    [
        ("payments over £50", Decimal(50), None),
        ("anything less than $20 last month", None, Decimal(20)),
        ("who did I pay about 45 pounds", Decimal("40.5"), Decimal("49.5")),
        ("transfers of at least €1,200", Decimal(1200), None),
    ],
)
def test_an_amount_bounds_transactions(question, low, high):
    filters = understand(question, NOW, ZONE).filters
    assert (filters.amount_min, filters.amount_max) == (low, high)


def test_a_bare_amount_is_searched_for_not_filtered():
    read = understand("the message saying £45", NOW, ZONE)
    assert read.filters.amount_min is None and read.filters.amount_max is None
    assert "45" in read.text
