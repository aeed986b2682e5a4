"""Parse a bank's CSV export into transaction items. Pure: bytes in, items out.

FORMATS.md §5 "Bank CSV exports": the layout is found from the header (profiles.py) or given by the
user (layout.py); the decimal mark and date order are inferred over the whole file unless the layout
fixes them. After reading, `meta["amount"]` is from the user's point of view: negative = money out.
Bank exports carry no transaction ids, so an item's id hashes what identifies the transaction and
adds `#k` for identical repeats: re-importing the same or an overlapping export adds nothing.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time
from decimal import Decimal
from pathlib import PurePath
from zoneinfo import ZoneInfo

from homebody.connectors.bank_csv.detect import SCAN_ROWS, detect
from homebody.connectors.bank_csv.layout import Column, DebitCredit, Layout, read_mapping
from homebody.connectors.bank_csv.money import (
    DATE_FORMATS,
    TIME_FORMATS,
    Row,
    decode_bytes,
    format_amount,
    infer_decimal,
    infer_format,
    normalize_name,
    parse_amount,
    parse_date,
    read_rows,
    sniff_delimiter,
)
from homebody.connectors.bank_csv.profiles import Profile
from homebody.connectors.base import Parsed
from homebody.errors import BadRecord
from homebody.vault.items import Item, Kind


def mapping_name(file_name: str) -> str:
    """The name of the column-mapping file that goes next to an export: `<stem>.mapping.json`."""
    return f"{PurePath(file_name).stem}.mapping.json"


def parse_bank_csv(data: bytes, *, file_name: str, tz: ZoneInfo, mapping: object = None) -> Iterator[Parsed]:
    """Yield one Item per transaction of a bank CSV export, and a BadRecord per unreadable row.

    `mapping` is the user's column mapping as decoded JSON (see layout.Layout), or None to pick a
    built-in profile from the header. Dates without a time are days in the user's zone `tz`.
    """
    text, _encoding = decode_bytes(data)
    rows = read_rows(text, sniff_delimiter(text))
    if mapping is not None:
        try:
            profile = Profile("mapping", read_mapping(mapping))
        except ValueError as err:
            yield BadRecord(file_name, "mapping", str(err))
            return
        start = _mapped_header(rows, profile.layout)
        if start is None:
            yield BadRecord(file_name, "header", "no header row names the mapping's columns")
            return
    else:
        found = detect(rows)
        if found is None:
            yield BadRecord(file_name, "header", f"unrecognised layout: add {mapping_name(file_name)}")
            return
        profile, start = found
    yield from _Statement(profile, rows, start, file_name, tz).items()


def _mapped_header(rows: list[Row], layout: Layout) -> int | None:
    """The index of the header row naming every column of the mapping; -1 if it names none."""
    wanted = layout.header_names()
    if not wanted:
        return -1
    for index, (_, cells) in enumerate(rows[: SCAN_ROWS * 2]):
        if cells and wanted <= {normalize_name(c) for c in cells}:
            return index
    return None


@dataclass
class _Amount:
    value: Decimal
    currency: str | None


class _Statement:
    """One export being read: its layout resolved against its header, formats inferred."""

    def __init__(self, profile: Profile, rows: list[Row], start: int, file_name: str, tz: ZoneInfo) -> None:
        self.profile, self.layout, self.file_name, self.tz = profile, profile.layout, file_name, tz
        headerless = profile.width is not None or start < 0
        header = rows[start][1] if not headerless else None
        self.header = [c.strip() for c in header] if header else []
        names = [normalize_name(c) for c in self.header]
        self.index = {name: i for i, name in reversed(list(enumerate(names)))}
        self.positions: dict[Column, int | None] = {}
        self.data = rows[start + 1 :] if not headerless else rows[max(start, 0) :]
        self.skip_leading = start < 0  # a mapping by position: a header line, if any, is not data
        cells = [c for _, c in self.data if c]
        money = [self.cell(row, column) for row in cells for column in self._money_columns()]
        self.decimal = self.layout.decimal or infer_decimal(money)
        dates = [self.cell(row, self.layout.date) for row in cells]
        self.date_format = self.layout.date_format or infer_format(
            dates, DATE_FORMATS, dayfirst=self.decimal == ","
        )
        times = [self.cell(row, self.layout.time) for row in cells] if self.layout.time is not None else []
        self.time_format = infer_format(times, TIME_FORMATS) if times else None

    def _money_columns(self) -> list[Column]:
        amount = self.layout.amount
        columns = [amount.debit, amount.credit] if isinstance(amount, DebitCredit) else [amount]
        return columns + ([self.layout.balance] if self.layout.balance is not None else [])

    def cell(self, cells: list[str], column: Column | None) -> str:
        """The stripped text of a cell ("" if the row is too short or the column is absent)."""
        if column is None:
            return ""
        if column not in self.positions:
            found = column if isinstance(column, int) else self.index.get(normalize_name(column))
            self.positions[column] = found
        index = self.positions[column]
        if index is None or index >= len(cells):
            return ""
        return cells[index].strip()

    def items(self) -> Iterator[Parsed]:
        """The statement's transactions, in file order."""
        seen: Counter[str] = Counter()
        for number, cells in self.data:
            position = f"row {number}"
            if cells is None:
                yield BadRecord(self.file_name, position, "unreadable CSV record (cell too large)")
                continue
            stripped = [c.strip() for c in cells]
            if not any(stripped) or stripped == self.header:
                continue  # blank line, or the header repeated (Mint, Amazon)
            try:
                item = self._item(cells, position)
            except ValueError as err:
                if self.skip_leading:
                    continue
                yield BadRecord(self.file_name, position, str(err))
                continue
            self.skip_leading = False
            if item is None:
                continue
            seen[item.native_id] += 1
            if seen[item.native_id] > 1:
                item = replace(item, native_id=f"{item.native_id}#{seen[item.native_id]}")
            yield item

    def _amount(self, cells: list[str]) -> _Amount | None:
        layout = self.layout
        if isinstance(layout.amount, DebitCredit):
            debit, credit = self.cell(cells, layout.amount.debit), self.cell(cells, layout.amount.credit)
            if not debit and not credit:
                return None
            out = parse_amount(debit, self.decimal) if debit else (Decimal(0), None)
            into = parse_amount(credit, self.decimal) if credit else (Decimal(0), None)
            amount = _Amount(abs(into[0]) - abs(out[0]), out[1] or into[1])
        else:
            raw = self.cell(cells, layout.amount)
            if not raw:
                return None
            amount = _Amount(*parse_amount(raw, self.decimal))
        if layout.sign == "invert":
            amount.value = -amount.value
        if layout.direction is not None:
            kind = self.cell(cells, layout.direction.column).casefold()
            outgoing = kind in {v.casefold() for v in layout.direction.out}
            amount.value = -abs(amount.value) if outgoing else abs(amount.value)
        amount.value = amount.value if amount.value else abs(amount.value)
        return amount

    def _when(self, cells: list[str]) -> tuple[datetime, str, bool, str]:
        """(UTC instant, Item.tz, whether the zone was assumed, local date or time for ids)."""
        raw = self.cell(cells, self.layout.date)
        if not raw:
            raise ValueError("no date")
        if self.date_format is None:
            raise ValueError("no date in a known layout in this column")
        try:
            local = parse_date(raw, self.date_format)
        except ValueError:
            raise ValueError("unreadable date") from None
        has_time = any(d in self.date_format for d in ("%H", "%I"))
        clock = self.cell(cells, self.layout.time)
        if clock and self.time_format:
            try:
                local = datetime.combine(local.date(), parse_date(clock, self.time_format).time())
            except ValueError:
                raise ValueError("unreadable time") from None
            has_time = True
        zone = ZoneInfo(self.layout.zone) if self.layout.zone and has_time else self.tz
        try:
            if not has_time:
                day = datetime.combine(local.date(), time(), tzinfo=zone).astimezone(UTC)
                return day, "date", False, local.date().isoformat()
            instant = local.replace(tzinfo=zone).astimezone(UTC)
        except OverflowError:  # 0001-01-01 or 9999-12-31 shifted out of the calendar
            raise ValueError("date out of range") from None
        return instant, zone.key, self.layout.zone is None, local.isoformat()

    def _text(self, cells: list[str], columns: Column | tuple[Column, ...] | None, *, first: bool) -> str:
        values = [self.cell(cells, c) for c in (columns if isinstance(columns, tuple) else (columns,))]
        values = [" ".join(v.split()) for v in values if v]
        return (values[0] if values else "") if first else " ".join(values)

    def _item(self, cells: list[str], position: str) -> Item | None:
        layout = self.layout
        amount = self._amount_or_error(cells)
        if amount is None:
            return None  # no money moved: a balance line, a pending or cancelled order
        ts, tz, assumed, local = self._when(cells)
        description = self._text(cells, layout.description, first=False)
        counterparty = self._text(cells, layout.counterparty, first=True)
        currency = layout.currency or self.cell(cells, layout.currency_column).upper() or amount.currency
        account = self.cell(cells, layout.account) or self.profile.name
        balance = self._balance(cells)
        value = format_amount(amount.value)
        meta: dict[str, object] = {"amount": value, "currency": currency, "account": account}
        meta["profile"] = self.profile.name
        for key, column in (
            ("memo", layout.memo),
            ("category", layout.category),
            ("type", layout.type),
            ("status", layout.status),
            ("reference", layout.reference),
        ):
            if found := self._text(cells, column, first=True):
                meta[key] = found
        if counterparty:
            meta["counterparty"] = counterparty
        if balance is not None:
            meta["balance"] = balance
        if assumed:
            meta["tz_assumed"] = True
        title = description or counterparty or str(meta.get("type", "transaction"))
        words = [title]
        if counterparty and counterparty.casefold() not in title.casefold():
            words.append(f"({counterparty})")
        words += [value, currency or "", local[:10]]
        own_id = self.cell(cells, layout.id)
        if own_id:
            native_id = f"{self.profile.name}:{own_id}"
        else:
            key = "\x1f".join(
                (account, local, value, " ".join(description.casefold().split()), balance or "")
            )
            native_id = "csv:" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]
        return Item(
            kind=Kind.TRANSACTION,
            native_id=native_id,
            text=" ".join(w for w in words if w),
            ts=ts,
            tz=tz,
            title=title,
            origin=f"{self.file_name}, {position}",
            meta=meta,
        )

    def _amount_or_error(self, cells: list[str]) -> _Amount | None:
        try:
            return self._amount(cells)
        except ValueError:
            raise ValueError("unreadable amount") from None

    def _balance(self, cells: list[str]) -> str | None:
        raw = self.cell(cells, self.layout.balance)
        try:
            return format_amount(parse_amount(raw, self.decimal)[0]) if raw else None
        except ValueError:
            return None
