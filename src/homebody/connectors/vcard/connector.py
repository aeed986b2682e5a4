"""Find vCard files on disk and read them: one `.vcf` file (many cards), or a folder of them.

FORMATS.md §7: Apple Contacts, Google Contacts, iCloud, Outlook and Android export `.vcf` files;
CardDAV folders (Radicale, Nextcloud backups) hold one card a file.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from homebody.connectors.base import Parsed, Registry, SyncContext
from homebody.connectors.vcard.lines import decode_vcf
from homebody.connectors.vcard.parse import DEFAULT_REGION, parse_vcards
from homebody.errors import BadRecord, ConfigError, SourceError
from homebody.vault.items import Item, Kind

logger = logging.getLogger(__name__)

_SUFFIXES = (".vcf", ".vcard")
_SNIFF_BYTES = 4096


def _looks_like_vcard(path: Path) -> bool:
    """True if a file named otherwise starts like a vCard (BEGIN:VCARD near its top)."""
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    return "begin:vcard" in decode_vcf(head).lower()


def _region(context: SyncContext) -> str:
    """The country numbers without `+` are read in: the context's region if it has one."""
    region = getattr(context, "region", None)
    return region.upper() if isinstance(region, str) and region.strip() else DEFAULT_REGION


class VCardConnector:
    """vCard contact exports: one contact item per card."""

    kind: str = "vcard"
    provides: frozenset[Kind] = frozenset({Kind.CONTACT})
    description: str = "vCard contact files (.vcf) from Apple, Google, Outlook, Android, or a folder of them"

    def files(self, path: Path) -> list[Path]:
        """The vCard files at PATH: the file itself, or every .vcf file under the folder."""
        try:
            if path.is_dir():
                with os.scandir(path):  # surfaces an unreadable folder, which rglob would skip
                    pass
                found = [p for p in path.rglob("*") if p.suffix.lower() in _SUFFIXES and p.is_file()]
                return sorted(found)
            if path.is_file():
                if path.suffix.lower() not in _SUFFIXES and not _looks_like_vcard(path):
                    raise SourceError(f"{path} is not a vCard file: expected a .vcf file or a folder")
                return [path]
        except OSError as err:
            raise SourceError(f"cannot read {path}: {err.strerror or err}") from err
        raise SourceError(f"{path} does not exist: give a .vcf file or a folder of them")

    def read(self, file: Path, context: SyncContext) -> Iterator[Parsed]:
        """Parse one .vcf file into contact items; an unreadable file is one BadRecord."""
        try:
            zone = ZoneInfo(context.timezone)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise ConfigError(f"unknown time zone {context.timezone!r} in the settings") from err
        try:
            data = file.read_bytes()
        except OSError as err:
            yield BadRecord(file.name, "whole file", f"cannot read: {err.strerror or err}")
            return
        items = bad = 0
        for parsed in parse_vcards(decode_vcf(data), file_name=file.name, region=_region(context), zone=zone):
            if isinstance(parsed, Item):
                items += 1
            else:
                bad += 1
            yield parsed
        logger.debug("vcard: %d contacts, %d bad records", items, bad)


def register(registry: Registry) -> None:
    """Register the vCard connector under the source kind "vcard"."""
    registry.register(VCardConnector())
