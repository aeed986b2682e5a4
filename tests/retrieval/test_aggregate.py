"""Totals and counts of money computed by code over transactions, with the rows used."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from homebody.retrieval.aggregate import compute, money, read
from homebody.vault.items import Item, Kind

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)
ZONE = ZoneInfo("Europe/London")


def _tx(n: int, when: datetime, payee: str, amount: str, currency: str = "GBP", **meta: str) -> Item:
    return Item(
        Kind.TRANSACTION,
        f"tx{n}",
        f"{payee} {amount} {currency} {when:%Y-%m-%d}",
        ts=when,
        title=payee,
        meta={"amount": amount, "currency": currency, "counterparty": payee, **meta},
    )


@pytest.fixture
def bank(vault):
    source = vault.add_source("bank", "bank-csv", "/b")
    rows = [
        (datetime(2026, 9, 2, 10, tzinfo=UTC), "TESCO STORES 2041", "-42.10"),
        (datetime(2026, 9, 9, 10, tzinfo=UTC), "Sainsbury's", "-18.35"),
        (datetime(2026, 9, 16, 10, tzinfo=UTC), "WAITROSE", "-61.00"),
        (datetime(2026, 9, 17, 10, tzinfo=UTC), "TESCO STORES 2041", "5.00"),  # a refund: not spending
        (datetime(2026, 8, 30, 22, 30, tzinfo=UTC), "ALDI", "-9.99"),  # 23:30 on 30 Aug in London
        (datetime(2026, 9, 30, 23, 30, tzinfo=UTC), "LIDL", "-7.50"),  # 00:30 on 1 Oct in London: October
        (datetime(2026, 10, 3, 19, tzinfo=UTC), "Dishoom Shoreditch", "-54.20"),
        (datetime(2026, 10, 11, 20, tzinfo=UTC), "Pizza Pilgrims", "-31.00"),
        (datetime(2026, 10, 24, 13, tzinfo=UTC), "Deliveroo", "-22.45"),
        (datetime(2026, 10, 25, 9, tzinfo=UTC), "Savings pot", "-500.00"),
        (datetime(2026, 10, 26, 9, tzinfo=UTC), "Sam Okafor", "-45.00"),
        (datetime(2026, 10, 28, 9, tzinfo=UTC), "Employer Ltd", "2450.00"),
        (datetime(2026, 11, 2, 19, tzinfo=UTC), "Wagamama", "-27.80"),
    ]
    for n, (when, payee, amount) in enumerate(rows):
        extra = {"type": "TRANSFER"} if payee == "Savings pot" else {}
        vault.upsert(source, _tx(n, when, payee, amount, **extra), None)
    vault.upsert(source, _tx(99, datetime(2026, 9, 20, tzinfo=UTC), "Carrefour", "-12.00", "EUR"), None)
    return source


def test_spending_on_groceries_in_a_month_is_summed_exactly(vault, bank):
    question = read("How much did I spend on groceries in September?", NOW, ZONE)
    assert question is not None and question.operation == "spent" and question.category == "groceries"
    result = compute(vault, question, ZONE)
    assert result.totals == {"GBP": Decimal("121.45")}
    assert [s.item.title for s in result.rows] == ["TESCO STORES 2041", "Sainsbury's", "WAITROSE"]
    assert result.text == (
        "You spent £121.45 on groceries in September (1 September 2026 to 30 September 2026) "
        "(3 transactions)."
    )


def test_counting_meals_out_last_month(vault, bank):
    question = read("how many times did we eat out last month?", NOW, ZONE)
    assert question is not None and question.operation == "count"
    result = compute(vault, question, ZONE)
    assert result.count == 3
    assert {s.item.title for s in result.rows} == {"Dishoom Shoreditch", "Pizza Pilgrims", "Deliveroo"}
    assert result.text.startswith(
        "3 transactions on eating out last month (1 October 2026 to 31 October 2026)"
    )
    assert "£107.65 in all" in result.text


def test_a_payee_named_in_the_question_is_the_topic(vault, bank):
    result = compute(vault, read("How much did I pay Sam last month?", NOW, ZONE), ZONE)
    assert result.totals == {"GBP": Decimal("45.00")} and result.count == 1


def test_income_transfers_and_currencies_are_kept_apart(vault, bank):
    income = compute(vault, read("how much did I get paid in October?", NOW, ZONE), ZONE)
    assert income.totals == {"GBP": Decimal("2450.00")}
    everything = compute(vault, read("what did I spend in September", NOW, ZONE), ZONE)
    # ALDI was 30 August and LIDL 1 October in London, whatever UTC says.
    assert everything.totals == {"GBP": Decimal("121.45"), "EUR": Decimal("12.00")}
    assert "€12.00" in everything.text and "£121.45" in everything.text
    october = compute(vault, read("how much did I spend in October", NOW, ZONE), ZONE)
    assert "Savings pot" not in {s.item.title for s in october.rows}


def test_nothing_matching_says_so(vault, bank):
    result = compute(vault, read("how much did I spend on groceries in March?", NOW, ZONE), ZONE)
    assert result.rows == [] and result.text.startswith("I found no transactions on groceries in March")


@pytest.mark.parametrize(
    "question",
    [
        "How much does Sam owe me?",
        "When is my dentist appointment?",
        "How many times did Sam call?",
        "How much is the concert ticket?",
    ],
)
def test_questions_that_are_not_sums_are_left_to_search(question):
    assert read(question, NOW, ZONE) is None


def test_money_is_written_with_its_symbol():
    assert money(Decimal("1234.5"), "GBP") == "£1,234.50"
    assert money(Decimal(3), "CHF") == "3.00 CHF"


def test_a_merchant_is_matched_without_accents_and_by_its_stem(vault):
    source = vault.add_source("card", "ofx", "/c")
    rows = [
        (datetime(2026, 9, 3, 10, tzinfo=UTC), "CAFE AMELIE", "-4.20"),  # banks drop accents
        (datetime(2026, 9, 5, 10, tzinfo=UTC), "CAFE AMELIE", "-8.40"),
        (datetime(2026, 9, 6, 10, tzinfo=UTC), "GREENGAGE GROCER", "-23.10"),  # "groceries" -> grocer
        (datetime(2026, 9, 7, 10, tzinfo=UTC), "CAFE NERO", "-3.00"),
    ]
    for n, (when, payee, amount) in enumerate(rows):
        vault.upsert(source, _tx(n, when, payee, amount), None)
    cafe = compute(vault, read("How much did I spend at Café Amélie altogether?", NOW, ZONE), ZONE)
    assert cafe.totals == {"GBP": Decimal("12.60")} and cafe.count == 2
    food = compute(vault, read("How much did I spend on groceries in September?", NOW, ZONE), ZONE)
    assert [s.item.title for s in food.rows] == ["GREENGAGE GROCER"]
    shopping = read("How much did I spend on food shopping in September?", NOW, ZONE)
    assert shopping is not None and shopping.category == "groceries" and shopping.topic == ()
    assert [s.item.title for s in compute(vault, shopping, ZONE).rows] == ["GREENGAGE GROCER"]


def test_a_word_naming_an_account_matches_its_rows_and_transfers_count_when_asked_about(vault, bank):
    savings = vault.add_source("fenwick-savings", "bank-csv", "/s")
    for n, (day, amount) in enumerate([(2, "1.10"), (30, "1.25")]):
        when = datetime(2026, 9 + n, day, tzinfo=UTC)
        vault.upsert(savings, _tx(200 + n, when, "GROSS INTEREST", amount, type="Interest"), None)
    earned = compute(
        vault, read("How much interest has my savings account earned since June?", NOW, ZONE), ZONE
    )
    assert earned.totals == {"GBP": Decimal("2.35")}
    moved = read("How much have I moved into my savings pot?", NOW, ZONE)
    assert moved is not None and moved.transfers and moved.operation == "spent"
    assert compute(vault, moved, ZONE).totals == {"GBP": Decimal("500.00")}
    # Spending never counts money moved between the user's own accounts.
    spent = read("How much did I spend on my savings pot?", NOW, ZONE)
    assert spent is not None and not spent.transfers and compute(vault, spent, ZONE).rows == []


@pytest.mark.parametrize(
    "question",
    ["What did eating out at restaurants cost me in October?", "How much did meals cost in October?"],
)
def test_more_ways_of_asking_what_eating_out_cost(vault, bank, question):
    result = compute(vault, read(question, NOW, ZONE), ZONE)
    assert result.totals == {"GBP": Decimal("107.65")}
