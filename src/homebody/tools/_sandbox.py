"""The sandbox payment provider: a pretend bank with its own ledger in `<home>/sandbox-payments.db`.

It behaves as a real provider would where it matters to homebody: accounts with balances in one
currency, a payment refused when the account is unknown, in another currency or short of funds, and
an idempotency key that makes a retried payment return the first receipt instead of paying twice.
Amounts are kept as integers of the currency's minor unit (ISO 4217), never as floats.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from homebody.errors import ConfigError, ToolError
from homebody.tools._payments import Balance, Payment, Receipt, minor_units, to_minor

_SCHEMA = """
CREATE TABLE IF NOT EXISTS accounts (
    name TEXT PRIMARY KEY,
    currency TEXT NOT NULL,
    balance_minor INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS payments (
    id TEXT PRIMARY KEY,
    key TEXT UNIQUE,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    account TEXT NOT NULL REFERENCES accounts(name),
    payee TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency TEXT NOT NULL,
    memo TEXT NOT NULL,
    item TEXT,
    quantity INTEGER
);
"""


def parse_balance(text: str) -> tuple[Decimal, str]:
    """'1000.00 USD' as (Decimal('1000.00'), 'USD'), or a ConfigError."""
    amount, _, currency = text.strip().partition(" ")
    try:
        value = Decimal(amount)
    except InvalidOperation:
        raise ConfigError(f"[payments] sandbox_accounts: {text!r} is not like '1000.00 USD'") from None
    currency = currency.strip().upper()
    if len(currency) != 3 or not currency.isalpha() or not value.is_finite():
        raise ConfigError(f"[payments] sandbox_accounts: {text!r} is not like '1000.00 USD'")
    return value, currency


class SandboxProvider:
    """A local pretend bank; nothing here reaches any real account."""

    name = "sandbox"

    def __init__(self, path: Path, accounts: dict[str, str]) -> None:
        self.path = path
        new = not path.exists()
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript(_SCHEMA)
            if new:
                path.chmod(0o600)
            for name, text in accounts.items():
                value, currency = parse_balance(text)
                db.execute(
                    "INSERT OR IGNORE INTO accounts (name, currency, balance_minor) VALUES (?, ?, ?)",
                    (name, currency, to_minor(value, currency)),
                )

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, isolation_level=None, timeout=10)) as db:
            db.row_factory = sqlite3.Row
            yield db

    def balances(self) -> list[Balance]:
        """Every sandbox account and what it holds."""
        with self._db() as db:
            rows = db.execute("SELECT * FROM accounts ORDER BY name").fetchall()
        return [
            Balance(r["name"], r["currency"], Decimal(r["balance_minor"]).scaleb(-minor_units(r["currency"])))
            for r in rows
        ]

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    @staticmethod
    def _check(db: sqlite3.Connection, payment: Payment, amount: int) -> None:
        """Refuse what a bank would refuse: an unknown account, another currency, too little money."""
        account = db.execute("SELECT * FROM accounts WHERE name = ?", (payment.account,)).fetchone()
        if account is None:
            names = ", ".join(r[0] for r in db.execute("SELECT name FROM accounts ORDER BY name"))
            raise ToolError(f"no account named {payment.account!r} (accounts: {names})")
        if account["currency"] != payment.currency:
            raise ToolError(f"account {payment.account} holds {account['currency']}, not {payment.currency}")
        if account["balance_minor"] < amount:
            raise ToolError(f"account {payment.account} has not enough money for this payment")

    def pay(self, payment: Payment, *, key: str | None = None) -> Receipt:
        """Take the amount from the account and record it; a known key returns the first receipt."""
        amount = to_minor(payment.amount, payment.currency)
        with self._transaction() as db:
            if key is not None:
                row = db.execute("SELECT * FROM payments WHERE key = ?", (key,)).fetchone()
                if row is not None:
                    return self._receipt(db, row, repeated=True)
            self._check(db, payment, amount)
            payment_id = "pay-" + secrets.token_hex(6)
            db.execute(
                "UPDATE accounts SET balance_minor = balance_minor - ? WHERE name = ?",
                (amount, payment.account),
            )
            db.execute(
                """INSERT INTO payments (id, key, at, kind, account, payee, amount_minor, currency, memo,
                   item, quantity) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                (
                    payment_id,
                    key,
                    payment.at.isoformat(),
                    payment.kind,
                    payment.account,
                    payment.payee,
                    amount,
                    payment.currency,
                    payment.memo,
                    payment.item,
                    payment.quantity,
                ),
            )
            row = db.execute("SELECT * FROM payments WHERE id = ?", (payment_id,)).fetchone()
            return self._receipt(db, row, repeated=False)

    def _receipt(
        self, db: sqlite3.Connection, row: sqlite3.Row, *, repeated: bool, balance: bool = True
    ) -> Receipt:
        exponent = minor_units(row["currency"])
        left = None
        if balance:
            held = db.execute(
                "SELECT balance_minor FROM accounts WHERE name = ?", (row["account"],)
            ).fetchone()
            left = Decimal(held[0]).scaleb(-exponent)
        return Receipt(
            id=row["id"],
            provider=self.name,
            payment=Payment(
                kind=row["kind"],
                account=row["account"],
                payee=row["payee"],
                amount=Decimal(row["amount_minor"]).scaleb(-exponent),
                currency=row["currency"],
                memo=row["memo"],
                at=datetime.fromisoformat(row["at"]),
                item=row["item"],
                quantity=row["quantity"],
            ),
            balance_after=left,
            repeated=repeated,
        )

    def history(self, account: str | None = None) -> list[Receipt]:
        """Every payment made, oldest first (of one account, if named)."""
        with self._db() as db:
            rows = db.execute(
                "SELECT * FROM payments WHERE ? IS NULL OR account = ? ORDER BY rowid", (account, account)
            ).fetchall()
            return [self._receipt(db, r, repeated=False, balance=False) for r in rows]
