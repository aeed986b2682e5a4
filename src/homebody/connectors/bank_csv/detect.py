"""Which layout a bank CSV export is in, from its header (or first row) alone. Pure.

FORMATS.md §5: the header is found by scanning past preambles and blank lines (BofA's summary block,
Mint's empty lines). The most specific built-in profile whose header names are all present wins, if
the file's dates fit its date layout (Amex's `Date,Description,Amount` is also many banks' header).
When none fits, a header naming a date, an amount and a description column is read by the `generic`
profile with signs as written; otherwise the layout is unknown and the user writes a mapping.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from homebody.connectors.bank_csv.layout import DebitCredit, Layout
from homebody.connectors.bank_csv.money import Row, normalize_name, parse_date
from homebody.connectors.bank_csv.profiles import PROFILES, Profile

#: How many non-blank rows may precede the header.
SCAN_ROWS = 40
_DATE_CHECK_ROWS = 20
_HEADERLESS = tuple(p for p in PROFILES if p.width is not None)
_BY_SIZE = sorted((p for p in PROFILES if p.width is None), key=lambda p: -len(p.names()))

# The generic profile: common header names, in order of preference (normalized spelling).
_DATES = (
    "date",
    "transaction date",
    "posting date",
    "posted date",
    "booking date",
    "datum",
    "buchungstag",
    "buchungsdatum",
    "fecha",
    "date operation",
    "value date",
)
_AMOUNTS = ("amount", "betrag", "montant", "importe", "transaction amount")
_AMOUNT_IN = re.compile(r"^(?:amount|betrag|montant|importe) \((?P<code>[a-z]{3})\)$")
_PAIRS = (
    ("debit", "credit"),
    ("withdrawal", "deposit"),
    ("withdrawals", "deposits"),
    ("soll", "haben"),
    ("paid out", "paid in"),
    ("money out", "money in"),
)
_DESCRIPTIONS = (
    "description",
    "desc",
    "details",
    "payee",
    "name",
    "memo",
    "narrative",
    "verwendungszweck",
    "libelle",
    "concepto",
    "merchant",
)
_OPTIONAL = {
    "counterparty": ("payee", "merchant", "counterparty", "beneficiary"),
    "category": ("category", "kategorie", "categorie"),
    "balance": ("balance", "running balance", "saldo", "kontostand", "solde"),
    "memo": ("memo", "notes", "note", "comments", "comment"),
    "reference": ("check number", "check #", "num", "reference"),
    "account": ("account", "account name"),
}


def _first(names: Sequence[str], wanted: Sequence[str], taken: set[int]) -> int | None:
    for name in wanted:
        if name in names and names.index(name) not in taken:
            return names.index(name)
    return None


def _generic(names: list[str]) -> Profile | None:
    """The generic profile for a header with a date, an amount and a description column."""
    date = _first(names, _DATES, set())
    currency = None
    amount: int | DebitCredit | None = _first(names, _AMOUNTS, set())
    if amount is None:
        matched = next((i for i, n in enumerate(names) if _AMOUNT_IN.match(n)), None)
        if matched is not None:
            amount, currency = matched, names[matched][-4:-1].upper()
    for debit, credit in _PAIRS:
        if amount is None and debit in names and credit in names:
            amount = DebitCredit(debit=names.index(debit), credit=names.index(credit))
    taken = {date} if date is not None else set()
    taken |= {amount} if isinstance(amount, int) else set()
    description = _first(names, _DESCRIPTIONS, taken)
    if date is None or amount is None or description is None:
        return None
    fields: dict[str, object] = {"date": date, "amount": amount, "description": description}
    if currency is not None:
        fields["currency"] = currency
    for field, wanted in _OPTIONAL.items():
        index = _first(names, wanted, taken | {description})
        if index is not None:
            fields[field] = index
    return Profile("generic", Layout.model_validate(fields))


def _dates_fit(profile: Profile, header: list[str], data: list[Row]) -> bool:
    """True if most of the first dates under the header are in the profile's date layout."""
    fmt = profile.layout.date_format
    if fmt is None:
        return True
    column = header.index(normalize_name(str(profile.layout.date)))
    values = [cells[column] for _, cells in data if cells and len(cells) > column and cells[column].strip()]
    values = values[:_DATE_CHECK_ROWS]
    fits = 0
    for value in values:
        try:
            parse_date(value, fmt)
        except ValueError:
            continue
        fits += 1
    return not values or fits * 2 > len(values)


def _headerless_fits(profile: Profile, cells: list[str]) -> bool:
    date, fmt = profile.layout.date, profile.layout.date_format
    if profile.marker is None or len(cells) != profile.width or not isinstance(date, int) or fmt is None:
        return False
    index, text = profile.marker
    try:
        parse_date(cells[date], fmt)
    except ValueError:
        return False
    return cells[index].strip() == text


def detect(rows: list[Row]) -> tuple[Profile, int] | None:
    """The profile a file matches and the index (in rows) of its header, or of its first data row
    for a headerless layout; None for a layout no profile knows."""
    seen = 0
    for index, (_, cells) in enumerate(rows):
        if cells is None or not any(c.strip() for c in cells):
            continue
        seen += 1
        if seen > SCAN_ROWS:
            break
        if seen == 1:
            for profile in _HEADERLESS:
                if _headerless_fits(profile, cells):
                    return profile, index
        header = [normalize_name(c) for c in cells]
        present = set(header) - {""}
        data = rows[index + 1 : index + 1 + _DATE_CHECK_ROWS * 2]
        for profile in _BY_SIZE:
            names = profile.names()
            if (present == names if profile.exact else names <= present) and _dates_fit(
                profile, header, data
            ):
                return profile, index
        generic = _generic(header)
        if generic is not None:
            return generic, index
    return None
