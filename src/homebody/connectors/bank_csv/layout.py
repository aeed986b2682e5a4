"""Which column of a bank CSV export holds what: the user's mapping, and how it is validated.

A `Layout` names columns by header text (compared without case or accents) or, for files with no
header, by 0-based index. The built-in profiles (profiles.py) are layouts too; a user's
`<name>.mapping.json` is validated into one here, so both are read by the same code (parse.py).
"""

from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from homebody.connectors.bank_csv.money import normalize_name

#: A column: its header text, or its 0-based position in a file without a header.
Column = str | Annotated[int, Field(ge=0, le=10_000)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DebitCredit(_Frozen):
    """Money out and money in in two columns of unsigned amounts (Capital One, Schwab, UBS)."""

    debit: Column
    credit: Column


class Direction(_Frozen):
    """Unsigned amounts whose direction another column tells (Mint's `Transaction Type`)."""

    column: Column
    out: tuple[str, ...] = Field(min_length=1)


class Layout(_Frozen):
    """Where the date, amount and description of a transaction are, and how to read them.

    `sign` is "invert" for card issuers that write purchases as positive numbers (Apple Card, Amex):
    after reading, a negative amount always means money left the user's account. `description` and
    `counterparty` may list several columns: descriptions are joined, the first non-empty
    counterparty is taken. `zone` names the zone of the times in `time` or in the date column;
    without it they are read in the user's zone.
    """

    date: Column
    amount: Column | DebitCredit
    description: Column | tuple[Column, ...]
    sign: Literal["as-is", "invert"] = "as-is"
    direction: Direction | None = None
    date_format: str | None = None
    decimal: Literal[".", ","] | None = None
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] | None = None
    currency_column: Column | None = None
    counterparty: Column | tuple[Column, ...] | None = None
    memo: Column | None = None
    category: Column | None = None
    balance: Column | None = None
    type: Column | None = None
    status: Column | None = None
    account: Column | None = None
    reference: Column | None = None
    id: Column | None = None
    time: Column | None = None
    zone: str | None = None

    @field_validator("zone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError) as err:
                raise ValueError("unknown time zone") from err
        return value

    @field_validator("date_format")
    @classmethod
    def _has_directives(cls, value: str | None) -> str | None:
        if value is not None and "%" not in value:
            raise ValueError("a strptime format like %d/%m/%Y")
        return value

    def columns(self) -> list[Column]:
        """Every column the layout reads."""
        found: list[Column] = [self.date]
        found += (
            [self.amount.debit, self.amount.credit] if isinstance(self.amount, DebitCredit) else [self.amount]
        )
        for value in (self.description, self.counterparty):
            if isinstance(value, tuple):
                found += value
            elif value is not None:
                found.append(value)
        if self.direction is not None:
            found.append(self.direction.column)
        singles = (self.currency_column, self.memo, self.category, self.balance, self.type)
        found += [
            c
            for c in (*singles, self.status, self.account, self.reference, self.id, self.time)
            if c is not None
        ]
        return found

    def header_names(self) -> frozenset[str]:
        """The normalized header texts the layout names."""
        return frozenset(normalize_name(c) for c in self.columns() if isinstance(c, str))


def read_mapping(mapping: object) -> Layout:
    """A user's column mapping (decoded JSON) as a Layout; ValueError names the fields at fault."""
    try:
        return Layout.model_validate(mapping)
    except ValidationError as err:
        # Only field names and problem kinds: the values may be anything the user typed.
        places = sorted({".".join(str(p) for p in e["loc"]) or "mapping" for e in err.errors()})
        raise ValueError("invalid column mapping: check " + ", ".join(places)) from None
