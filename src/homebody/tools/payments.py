"""Payment tools: pay someone, buy something, see the accounts, through a payment provider.

The provider is an interface (`Provider`): a real bank or shop integration implements it; the one
built in is the sandbox (`SandboxProvider`), a pretend bank keeping its own ledger in
`<home>/sandbox-payments.db`, chosen with `[payments] provider = "sandbox"`. A payment carries the
ledger's action id as its idempotency key, so an approved payment retried after a failure is paid
once.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from homebody.config import Settings
from homebody.errors import ToolError
from homebody.tools._payments import Balance, Payment, Provider, Receipt, money
from homebody.tools._sandbox import SandboxProvider
from homebody.tools.base import Tool, ToolContext, ToolRegistry, ToolResult
from homebody.tools.effects import Effect, Role, ToolSpec

__all__ = ["Balance", "Payment", "Provider", "Receipt", "SandboxProvider", "open_provider", "register"]

log = logging.getLogger(__name__)

SANDBOX_DB = "sandbox-payments.db"
MAX_AMOUNT = Decimal("1000000")


def open_provider(settings: Settings) -> Provider:
    """The provider `[payments] provider` names."""
    return SandboxProvider(settings.home / SANDBOX_DB, settings.payments.sandbox_accounts)


class _Money(BaseModel):
    model_config = ConfigDict(extra="forbid")
    amount: Decimal = Field(gt=0, le=MAX_AMOUNT)
    currency: str = Field(pattern=r"^[A-Za-z]{3}$")
    account: str | None = Field(default=None, max_length=100)

    @field_validator("currency")
    @classmethod
    def _upper(cls, value: str) -> str:
        return value.upper()


class PayArgs(_Money):
    """A payment to someone."""

    payee: str = Field(min_length=1, max_length=200)
    memo: str = Field(default="", max_length=500)


class BuyArgs(_Money):
    """A purchase from a merchant."""

    merchant: str = Field(min_length=1, max_length=200)
    item: str = Field(min_length=1, max_length=500)
    quantity: int = Field(default=1, ge=1, le=1000)


class NoArgs(BaseModel):
    """No arguments."""

    model_config = ConfigDict(extra="forbid")


def _account(provider: Provider, wanted: str | None, currency: str) -> str:
    """The account to pay from: the one named, else the only one in that currency."""
    if wanted is not None:
        return wanted
    fitting = [b.account for b in provider.balances() if b.currency == currency]
    if len(fitting) == 1:
        return fitting[0]
    if not fitting:
        raise ToolError(f"no account holds {currency}")
    raise ToolError(f"several accounts hold {currency} ({', '.join(fitting)}): name the account")


def _payment(args: PayArgs | BuyArgs, context: ToolContext) -> tuple[Provider, Payment]:
    provider = open_provider(context.settings)
    account = _account(provider, args.account, args.currency)
    if isinstance(args, PayArgs):
        payment = Payment("payment", account, args.payee, args.amount, args.currency, args.memo, context.now)
    else:
        memo = f"{args.quantity} x {args.item}"
        payment = Payment(
            "purchase",
            account,
            args.merchant,
            args.amount,
            args.currency,
            memo,
            context.now,
            args.item,
            args.quantity,
        )
    return provider, payment


def _show(provider: Provider, payment: Payment) -> str:
    sandbox = " (the sandbox: no real money moves)" if provider.name == "sandbox" else ""
    verb = "Pay" if payment.kind == "payment" else "Buy"
    lines = [f"{verb} {money(payment.amount, payment.currency)}", f"  to: {payment.payee}"]
    if payment.kind == "purchase":
        lines.append(f"  for: {payment.quantity} x {payment.item}")
    lines.append(f"  from account: {payment.account} at {provider.name}{sandbox}")
    if payment.memo and payment.kind == "payment":
        lines.append(f"  memo: {payment.memo}")
    return "\n".join(lines)


def _pay(tool: str, args: PayArgs | BuyArgs, context: ToolContext) -> ToolResult:
    provider, payment = _payment(args, context)
    key = f"{tool}:{context.action_id}" if context.action_id else None
    receipt = provider.pay(payment, key=key)
    log.info("payment %s made at %s (repeated=%s)", receipt.id, provider.name, receipt.repeated)
    left = (
        f"; {money(receipt.balance_after, payment.currency)} left"
        if receipt.balance_after is not None
        else ""
    )
    again = " (already made earlier: not paid twice)" if receipt.repeated else ""
    return ToolResult(
        f"Paid {money(payment.amount, payment.currency)} to {payment.payee} from {payment.account}{left}. "
        f"Receipt {receipt.id}{again}.",
        {
            "receipt": receipt.id,
            "provider": provider.name,
            "payee": payment.payee,
            "amount": str(payment.amount),
            "currency": payment.currency,
            "account": payment.account,
            "repeated": receipt.repeated,
        },
    )


def pay(args: PayArgs, context: ToolContext) -> ToolResult:
    """Pay someone from one of the user's accounts."""
    return _pay("pay", args, context)


def buy(args: BuyArgs, context: ToolContext) -> ToolResult:
    """Buy something from a merchant."""
    return _pay("buy", args, context)


def list_payment_accounts(args: NoArgs, context: ToolContext) -> ToolResult:
    """List the user's accounts at the payment provider and their balances."""
    provider = open_provider(context.settings)
    balances = provider.balances()
    lines = [f"{b.account}: {money(b.amount, b.currency)}" for b in balances]
    return ToolResult(
        f"Accounts at {provider.name}:\n" + "\n".join(lines),
        {
            "accounts": [
                {"account": b.account, "currency": b.currency, "amount": str(b.amount)} for b in balances
            ]
        },
    )


_MONEY_ARGS = """amount: how much, as a number ("42.50").
    currency: the three-letter currency code, e.g. "GBP", "EUR", "USD".
    account: which of the user's accounts pays (optional when only one holds that currency)."""

PAY = ToolSpec(
    name="pay",
    description=f"""Pay someone from one of the user's accounts. Money sent cannot be taken back.

Args:
    payee: who is paid: a name, an account number or IBAN, as the user gave it.
    {_MONEY_ARGS}
    memo: the reference the payee sees (optional).""",
    effects=frozenset({Effect.MONEY}),
    reversible=False,
    roles={
        "payee": Role.PAYEE,
        "amount": Role.AMOUNT,
        "currency": Role.AMOUNT,
        "account": Role.ACCOUNT,
        "memo": Role.CONTENT,
    },
)
BUY = ToolSpec(
    name="buy",
    description=f"""Buy something for the user from a merchant. A purchase cannot be undone by homebody.

Args:
    merchant: the shop or seller.
    item: what is bought.
    quantity: how many (default 1).
    {_MONEY_ARGS.replace("how much", "the total price")}""",
    effects=frozenset({Effect.MONEY}),
    reversible=False,
    roles={
        "merchant": Role.PAYEE,
        "amount": Role.AMOUNT,
        "currency": Role.AMOUNT,
        "account": Role.ACCOUNT,
        "quantity": Role.QUANTITY,
    },
)
ACCOUNTS = ToolSpec(
    name="list_payment_accounts",
    description="List the user's accounts at their payment provider, with balances.\n\nArgs:\n    (none)",
    effects=frozenset({Effect.READ}),
    reversible=True,
)


def register(registry: ToolRegistry) -> None:
    """Register the payment tools."""
    registry.register(Tool(PAY, PayArgs, pay, lambda a, c: _show(*_payment(a, c))))
    registry.register(Tool(BUY, BuyArgs, buy, lambda a, c: _show(*_payment(a, c))))
    registry.register(Tool(ACCOUNTS, NoArgs, list_payment_accounts))
