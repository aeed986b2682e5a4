"""Parse a Venmo statement CSV into transaction items. Pure: bytes in, items out.

FORMATS.md §5 "Venmo statement CSV": the current layout has two preamble lines (the first names the
owner's `@handle`), a header whose first column is empty, a beginning-balance row, the transactions
and a summary row with the ending balance and a disclaimer; the legacy layout starts with `Username`.
`ID` is a 19-digit number kept as text; `Datetime` has no offset and is read as UTC. Amounts like
`- $1,250.00` are signed from the statement owner's point of view, which decides direction (`Type`
does not: a `Charge` the owner sent is money in).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime

from homebody.connectors.bank_csv.money import (
    Row,
    decode_bytes,
    format_amount,
    normalize_name,
    parse_amount,
    read_rows,
)
from homebody.connectors.base import Parsed
from homebody.errors import BadRecord
from homebody.vault.items import Item, Kind

_REQUIRED = frozenset({"id", "datetime", "amount (total)"})
_HANDLE = re.compile(r"\(\s*@?(?P<handle>[^()\s]+)\s*\)")
_SCAN_ROWS = 10


def looks_like_statement(head: bytes) -> bool:
    """True if the first bytes of a file hold a Venmo statement header."""
    text = normalize_name(decode_bytes(head)[0][:8192])
    return all(name in text for name in _REQUIRED)


class _Columns:
    """The statement's header: cells by column name."""

    def __init__(self, header: list[str]) -> None:
        names = [normalize_name(c) for c in header]
        self.index = {name: i for i, name in reversed(list(enumerate(names)))}

    def get(self, cells: list[str], name: str) -> str:
        """The stripped cell of a column ("" if absent)."""
        i = self.index.get(name)
        return cells[i].strip() if i is not None and i < len(cells) else ""


def _letters(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.casefold())


def _owner(rows: list[tuple[int, list[str]]], columns: _Columns, handle: str | None) -> str | None:
    """The owner's display name: the one name in every payment (From or To), else the handle's."""
    counts: Counter[str] = Counter()
    for _, cells in rows:
        counts.update({columns.get(cells, "from"), columns.get(cells, "to")} - {""})
    if not counts:
        return None
    top = max(counts.values())
    best = [name for name, count in counts.items() if count == top]
    if len(best) == 1:
        return best[0]
    # One payment partner only: the name that spells the @handle ("Alex Rivera" for @Alex-Rivera-7).
    key = _letters(handle or "")
    return next((name for name in best if key and _letters(name) and _letters(name) in key), None)


def _handle(rows: list[Row], header_at: int, columns: _Columns) -> str | None:
    for _, cells in rows[:header_at]:
        for cell in cells or []:
            if m := _HANDLE.search(cell):
                return "@" + m["handle"]
    for _, cells in rows[header_at + 1 : header_at + 3]:
        if cells and (name := columns.get(cells, "username")):
            return "@" + name.lstrip("@")
    return None


def parse_venmo(data: bytes, *, file_name: str) -> Iterator[Parsed]:
    """Yield one Item per transaction of a Venmo statement, and a BadRecord per unreadable row."""
    text, _encoding = decode_bytes(data)
    rows = read_rows(text, ",")
    header_at = next(
        (
            i
            for i, (_, cells) in enumerate(rows[:_SCAN_ROWS])
            if cells and {normalize_name(c) for c in cells} >= _REQUIRED
        ),
        None,
    )
    if header_at is None:
        yield BadRecord(
            file_name, "header", "not a Venmo statement: no ID, Datetime and Amount (total) columns"
        )
        return
    header = rows[header_at][1] or []
    columns = _Columns(header)
    legacy = "username" in columns.index
    handle = _handle(rows, header_at, columns)
    body = rows[header_at + 1 :]
    payments = [(n, c) for n, c in body if c is not None and columns.get(c, "id")]
    owner = _owner(payments, columns, handle)
    for number, cells in body:
        position = f"row {number}"
        if cells is None:
            yield BadRecord(file_name, position, "unreadable CSV record (cell too large)")
            continue
        venmo_id = columns.get(cells, "id")
        if not venmo_id or normalize_name(venmo_id) == "id":
            continue  # beginning balance, ending balance and disclaimer, blank or repeated header
        try:
            yield _item(cells, columns, venmo_id, owner, handle, legacy, f"{file_name}, {position}")
        except ValueError as err:
            yield BadRecord(file_name, position, str(err))


def _item(
    cells: list[str],
    columns: _Columns,
    venmo_id: str,
    owner: str | None,
    handle: str | None,
    legacy: bool,
    origin: str,
) -> Item:
    if not venmo_id.isdigit():
        # Excel turns the 19-digit ID into 3.98123E+18 (FORMATS.md §5): the id is lost.
        raise ValueError("ID is not a whole number (rounded by a spreadsheet?)")
    try:
        when = datetime.fromisoformat(columns.get(cells, "datetime"))
    except ValueError:
        raise ValueError("unreadable Datetime") from None
    assumed = when.tzinfo is None
    try:
        instant = when.replace(tzinfo=UTC) if assumed else when.astimezone(UTC)
    except OverflowError:
        raise ValueError("Datetime out of range") from None
    raw_amount = columns.get(cells, "amount (total)")
    if not raw_amount:
        raise ValueError("no amount")
    try:
        value, currency = parse_amount(raw_amount, ".")
    except ValueError:
        raise ValueError("unreadable amount") from None
    currency = currency or "USD"
    amount = format_amount(value)
    sender, receiver = columns.get(cells, "from"), columns.get(cells, "to")
    if owner is not None and owner in (sender, receiver):
        counterparty = receiver if sender == owner else sender
    else:
        counterparty = sender if value > 0 else receiver
    kind, note = columns.get(cells, "type"), columns.get(cells, "note")
    elsewhere = columns.get(cells, "destination") or columns.get(cells, "funding source")
    other = counterparty or ("" if elsewhere == "Venmo balance" else elsewhere)
    title = " ".join(note.split()) or (f"{kind}: {other}" if other else kind) or "Venmo transaction"
    meta: dict[str, object] = {
        "amount": amount,
        "currency": currency,
        "account": handle or "venmo",
        "profile": "venmo-legacy" if legacy else "venmo",
        "type": kind,
        "status": columns.get(cells, "status"),
    }
    optional = {
        "counterparty": counterparty,
        "note": note,
        "fee": _money(columns.get(cells, "amount (fee)")),
        "funding_source": columns.get(cells, "funding source"),
        "destination": columns.get(cells, "destination"),
    }
    meta.update({key: value for key, value in optional.items() if value})
    if assumed:
        meta["tz_assumed"] = True
    words = [title]
    if counterparty and counterparty.casefold() not in title.casefold():
        words.append(f"({counterparty})")
    words += [amount, currency, when.date().isoformat()]
    return Item(
        kind=Kind.TRANSACTION,
        native_id=f"venmo:{venmo_id}",
        text=" ".join(words),
        ts=instant,
        tz="UTC" if assumed else _offset(when),
        participants=(counterparty,) if counterparty else (),
        title=title,
        origin=origin,
        meta=meta,
    )


def _offset(when: datetime) -> str:
    offset = when.strftime("%z")
    return f"{offset[:3]}:{offset[3:]}" if offset else "UTC"


def _money(raw: str) -> str | None:
    try:
        return format_amount(parse_amount(raw, ".")[0]) if raw else None
    except ValueError:
        return None
