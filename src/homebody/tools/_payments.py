"""What a payment provider is to homebody: the interface a real bank or shop integration plugs into."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Literal, Protocol

from homebody.errors import ToolError

# ISO 4217 currencies whose minor unit is not a hundredth; every other code has two decimals.
_EXPONENTS = {
    **dict.fromkeys(["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND"], 0),
    **dict.fromkeys(["VUV", "XAF", "XOF", "XPF"], 0),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
}


def minor_units(currency: str) -> int:
    """How many decimals the currency's amounts have (ISO 4217)."""
    return _EXPONENTS.get(currency, 2)


def to_minor(amount: Decimal, currency: str) -> int:
    """The amount in the currency's minor unit; a ToolError if it has more decimals than that."""
    exponent = minor_units(currency)
    try:
        scaled = amount.scaleb(exponent)
        if scaled != scaled.to_integral_value():
            raise ToolError(f"{amount} {currency} has more than {exponent} decimals")
    except InvalidOperation as err:
        raise ToolError(f"{amount} is not an amount of money") from err
    return int(scaled)


def money(amount: Decimal, currency: str) -> str:
    """An amount as a person reads it: '1,234.50 GBP'."""
    return f"{amount:,.{minor_units(currency)}f} {currency}"


@dataclass(frozen=True)
class Payment:
    """Money the user asks to move: to whom, how much, from which of their accounts, and why."""

    kind: Literal["payment", "purchase"]
    account: str
    payee: str
    amount: Decimal
    currency: str
    memo: str
    at: datetime
    item: str | None = None
    quantity: int | None = None


@dataclass(frozen=True)
class Receipt:
    """What the provider did: its id for the payment, and the account's balance after it if known."""

    id: str
    provider: str
    payment: Payment
    balance_after: Decimal | None = None
    repeated: bool = False  # the idempotency key was seen before: this is the first payment's receipt


@dataclass(frozen=True)
class Balance:
    """One of the user's accounts at the provider."""

    account: str
    currency: str
    amount: Decimal


class Provider(Protocol):
    """A payment provider: raise ToolError when it refuses, ToolUnavailable when it cannot be reached."""

    name: str

    def balances(self) -> list[Balance]:
        """The user's accounts and what they hold."""

    def pay(self, payment: Payment, *, key: str | None = None) -> Receipt:
        """Make the payment once: a second call with the same key returns the first receipt."""
