"""Payments through the sandbox provider: its own ledger, refusals a real bank would make, paid once."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from decimal import Decimal

import pytest

from homebody.errors import ConfigError, ToolError
from homebody.tools.payments import open_provider


@pytest.fixture
def bank(configure):
    """A context whose sandbox has a GBP current account and a EUR savings account."""
    return configure(payments={"sandbox_accounts": {"current": "250.00 GBP", "savings": "1000 EUR"}})


def _ledger(ctx) -> list[tuple]:
    with sqlite3.connect(ctx.settings.home / "sandbox-payments.db") as db:
        rows = db.execute(
            "SELECT kind, account, payee, amount_minor, currency, memo FROM payments"
        ).fetchall()
    db.close()
    return rows


def test_the_preview_pays_nothing_and_the_run_lands_in_the_ledger(registry, bank) -> None:
    tool = registry.get("pay")
    args = tool.validate({"payee": "Sam Okafor", "amount": "42.5", "currency": "gbp", "memo": "Dinner"})
    preview = tool.describe(args, bank)
    assert preview.splitlines() == [
        "Pay 42.50 GBP",
        "  to: Sam Okafor",
        "  from account: current at sandbox (the sandbox: no real money moves)",
        "  memo: Dinner",
    ]
    assert _ledger(bank) == []
    result = tool.run(args, bank)
    assert _ledger(bank) == [("payment", "current", "Sam Okafor", 4250, "GBP", "Dinner")]
    assert "207.50 GBP left" in result.output
    balances = {b.account: b.amount for b in open_provider(bank.settings).balances()}
    assert balances == {"current": Decimal("207.50"), "savings": Decimal("1000.00")}


def test_one_approved_action_is_paid_once_even_if_retried(registry, bank) -> None:
    tool = registry.get("pay")
    args = tool.validate({"payee": "Landlord", "amount": 100, "currency": "GBP"})
    ctx = replace(bank, action_id="act-7")
    first = tool.run(args, ctx)
    again = tool.run(args, ctx)
    assert again.data["receipt"] == first.data["receipt"] and again.data["repeated"]
    assert len(_ledger(bank)) == 1
    tool.run(args, replace(bank, action_id="act-8"))
    assert len(_ledger(bank)) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"amount": "300", "currency": "GBP"}, "not enough money"),
        ({"amount": "10", "currency": "GBP", "account": "savings"}, "holds EUR, not GBP"),
        ({"amount": "10", "currency": "GBP", "account": "offshore"}, "no account named 'offshore'"),
        ({"amount": "10", "currency": "USD"}, "no account holds USD"),
        ({"amount": "10.005", "currency": "GBP"}, "more than 2 decimals"),
        ({"amount": "-5", "currency": "GBP"}, "greater than 0"),
    ],
)
def test_refused_payments_leave_the_ledger_and_balances_alone(registry, bank, args, message) -> None:
    tool = registry.get("pay")
    with pytest.raises(ToolError, match=message):
        tool.run(tool.validate({"payee": "Someone", **args}), bank)
    if (bank.settings.home / "sandbox-payments.db").exists():  # not when the arguments were refused
        assert _ledger(bank) == []
        balances = {b.account: b.amount for b in open_provider(bank.settings).balances()}
        assert balances == {"current": Decimal("250.00"), "savings": Decimal("1000.00")}


def test_a_purchase_records_merchant_item_and_quantity(registry, bank) -> None:
    tool = registry.get("buy")
    args = tool.validate(
        {"merchant": "Bookshop", "item": "The Hobbit", "quantity": 2, "amount": 19.98, "currency": "EUR"}
    )
    assert "Buy 19.98 EUR" in tool.describe(args, bank) and "for: 2 x The Hobbit" in tool.describe(args, bank)
    tool.run(args, bank)
    assert _ledger(bank) == [("purchase", "savings", "Bookshop", 1998, "EUR", "2 x The Hobbit")]


def test_zero_decimal_currencies_and_the_account_listing(registry, configure) -> None:
    ctx = configure(payments={"sandbox_accounts": {"yen": "50000 JPY"}})
    tool = registry.get("pay")
    tool.run(tool.validate({"payee": "Ramen shop", "amount": 1200, "currency": "JPY"}), ctx)
    with pytest.raises(ToolError, match="more than 0 decimals"):
        tool.run(tool.validate({"payee": "x", "amount": "1.5", "currency": "JPY"}), ctx)
    listing = registry.get("list_payment_accounts").run(
        registry.get("list_payment_accounts").validate({}), ctx
    )
    assert listing.output.endswith("yen: 48,800 JPY")


def test_a_bad_sandbox_balance_in_config_is_a_config_error(registry, configure) -> None:
    ctx = configure(payments={"sandbox_accounts": {"current": "lots"}})
    with pytest.raises(ConfigError, match="1000.00 USD"):
        registry.get("list_payment_accounts").run(registry.get("list_payment_accounts").validate({}), ctx)
