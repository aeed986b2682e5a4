"""Find Venmo statement CSVs on disk and read them.

PATH is one statement `.csv` (Venmo → Statements → Download CSV) or a folder searched recursively;
in a folder only CSV files whose header is a Venmo statement's are taken, so bank exports next to
them are left to the bank-csv source. Overlapping statements add nothing twice: items are keyed by
Venmo's own transaction ID.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from homebody.connectors.bank_csv.connector import csv_files, read_bytes
from homebody.connectors.base import Parsed, Registry, SyncContext
from homebody.connectors.venmo.parse import looks_like_statement, parse_venmo
from homebody.errors import SourceError
from homebody.vault.items import Item, Kind

logger = logging.getLogger(__name__)

_HEAD = 8192


def _is_statement(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return looks_like_statement(handle.read(_HEAD))
    except OSError:
        return False


class VenmoConnector:
    """Venmo personal statements: one transaction item per payment, charge or transfer."""

    kind = "venmo"
    provides = frozenset({Kind.TRANSACTION})
    description = "Venmo statement CSVs (current and legacy layouts): a .csv file or a folder of them"

    def files(self, path: Path) -> list[Path]:
        """The statements at PATH: the file itself, or every Venmo statement CSV in the folder."""
        found = csv_files(path, "a Venmo statement")
        if path.is_dir():
            return [file for file in found if _is_statement(file)]
        if not _is_statement(path):
            raise SourceError(f"{path} is not a Venmo statement: no ID, Datetime and Amount (total) columns")
        return found

    def read(self, file: Path, context: SyncContext) -> Iterator[Parsed]:
        """Parse one statement into transaction items, yielding a BadRecord for each unreadable row."""
        items = bad = 0
        for parsed in parse_venmo(read_bytes(file), file_name=file.name):
            if isinstance(parsed, Item):
                items += 1
            else:
                bad += 1
            yield parsed
        logger.debug("venmo: %d transactions, %d bad records", items, bad)


def register(registry: Registry) -> None:
    """Register the Venmo connector under the source kind "venmo"."""
    registry.register(VenmoConnector())
