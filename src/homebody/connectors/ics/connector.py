"""Find iCalendar files on disk and read them: one `.ics` file, or a folder of them (recursive).

Google Takeout puts one `<calendar name>.ics` per calendar under `Calendar/`; Apple and Outlook
exports are single files (FORMATS.md §4 "Sources"). Recurring events are expanded from three
years before the sync's clock to one year after it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.relativedelta import relativedelta

from homebody.connectors.base import Gone, Read, Registry, SyncContext
from homebody.connectors.ics.parse import parse_calendar
from homebody.errors import BadRecord, ConfigError, SourceError
from homebody.vault.items import Kind

logger = logging.getLogger(__name__)

#: How far back and ahead of the sync's clock recurring events are expanded.
YEARS_BACK = 3
YEARS_AHEAD = 1


def window(now: datetime) -> tuple[datetime, datetime]:
    """The span in which occurrences of recurring events become items."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return now - relativedelta(years=YEARS_BACK), now + relativedelta(years=YEARS_AHEAD)


class IcsConnector:
    """Calendar exports and subscriptions saved as `.ics` files."""

    kind: str = "ics"
    provides: frozenset[Kind] = frozenset({Kind.EVENT, Kind.NOTE})
    description: str = "iCalendar files (.ics) from Google, Apple, Outlook: events and to-dos"

    def files(self, path: Path) -> list[Path]:
        """The .ics files at PATH: the file itself, or every .ics file under the folder."""
        try:
            if path.is_file():
                return [path]
            if path.is_dir():
                with os.scandir(path):  # surfaces an unreadable folder, which rglob would skip
                    pass
                found = [p for p in path.rglob("*") if p.suffix.lower() == ".ics" and p.is_file()]
                return sorted(found)
        except OSError as err:
            raise SourceError(f"cannot read {path}: {err.strerror or err}") from err
        raise SourceError(f"no .ics file or folder at {path}")

    def read(self, file: Path, context: SyncContext) -> Iterator[Read]:
        """Parse one .ics file; an unreadable file is one BadRecord, not the end of the sync."""
        try:
            user_zone = ZoneInfo(context.timezone)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ConfigError(f"unknown time zone {context.timezone!r} in the settings") from err
        try:
            data = file.read_bytes()
        except OSError as err:
            yield BadRecord(file.name, "whole file", f"cannot read: {err.strerror or err}")
            return
        logger.debug("reading calendar file of %d bytes", len(data))
        span = window(context.now)
        yield from parse_calendar(data, file_name=file.name, window=span, tz=user_zone)
        # Occurrences from before the window were not expanded, not deleted: keep them.
        yield Gone("", after=span[0])


def register(registry: Registry) -> None:
    """Add the iCalendar connector to the registry."""
    registry.register(IcsConnector())
