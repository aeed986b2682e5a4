"""Find bank CSV exports on disk and read them, with the user's column mapping when there is one.

PATH is one `.csv` file or a folder searched recursively for them. The layout is recognised from the
header (profiles.py lists the built-in ones). For any other layout, or to override a built-in one,
put a JSON file named `<name>.mapping.json` next to `<name>.csv`, for example::

    {"date": "Booked", "amount": {"debit": "Out", "credit": "In"}, "description": "Text",
     "sign": "as-is", "date_format": "%d/%m/%Y", "decimal": ","}

Columns are header names or, for a file without a header, 0-based positions; layout.Layout lists
every key (currency, counterparty, memo, category, balance, account, ...).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from homebody.connectors.bank_csv.parse import mapping_name, parse_bank_csv
from homebody.connectors.base import Parsed, Registry, SyncContext, readable
from homebody.errors import BadRecord, ConfigError, SourceError
from homebody.vault.items import Item, Kind

logger = logging.getLogger(__name__)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ConfigError(f"unknown time zone {name!r}: set an IANA name like 'Europe/London'") from err


def read_bytes(file: Path) -> bytes:
    """The bytes of a source file (SourceError if it cannot be read)."""
    try:
        return file.read_bytes()
    except OSError as err:
        raise SourceError(f"cannot read {file}: {err.strerror or err}") from err


def csv_files(path: Path, what: str) -> list[Path]:
    """PATH itself if it is a `.csv` file, or every `.csv` file under the folder PATH."""
    if not path.exists():
        raise SourceError(f"{path} does not exist: give {what} .csv file or a folder of them")
    if path.is_dir():
        try:
            return sorted(p for p in path.rglob("*") if p.suffix.lower() == ".csv" and p.is_file())
        except OSError as err:
            raise SourceError(f"cannot read the folder {path}: {err.strerror or err}") from err
    if path.suffix.lower() != ".csv":
        raise SourceError(f"{path} is not a CSV file: give {what} .csv file or a folder of them")
    readable(path)
    return [path]


class BankCsvConnector:
    """Bank and card CSV exports: one transaction item per row, amounts negative for money out."""

    kind = "bank-csv"
    provides = frozenset({Kind.TRANSACTION})
    description = (
        "Bank or card CSV exports (Chase, BofA, Wells Fargo, Capital One, Apple Card, Amex, Schwab, "
        "Mint, German and Swiss banks, ...): a .csv file or a folder; other layouts via <name>.mapping.json"
    )

    def files(self, path: Path) -> list[Path]:
        """The CSV exports at PATH: the file itself, or every .csv in the folder, recursively."""
        return csv_files(path, "a bank")

    def read(self, file: Path, context: SyncContext) -> Iterator[Parsed]:
        """Parse one export into transaction items, yielding a BadRecord for each unreadable row."""
        zone = _zone(context.timezone)
        data = read_bytes(file)
        mapping = self._mapping(file)
        if isinstance(mapping, BadRecord):
            yield mapping
            return
        items = bad = 0
        for parsed in parse_bank_csv(data, file_name=file.name, tz=zone, mapping=mapping):
            if isinstance(parsed, Item):
                items += 1
            else:
                bad += 1
            yield parsed
        logger.debug("bank-csv: %d transactions, %d bad records", items, bad)

    @staticmethod
    def _mapping(file: Path) -> object:
        """The decoded `<name>.mapping.json` next to the file, None if there is none."""
        path = file.with_name(mapping_name(file.name))
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as err:
            return BadRecord(file.name, "mapping", f"cannot read {path.name}: {type(err).__name__}")
        try:
            mapping: object = json.loads(text)
        except json.JSONDecodeError as err:
            return BadRecord(file.name, "mapping", f"{path.name} is not JSON (line {err.lineno})")
        return mapping


def register(registry: Registry) -> None:
    """Register the bank CSV connector under the source kind "bank-csv"."""
    registry.register(BankCsvConnector())
