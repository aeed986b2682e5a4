"""Find OFX / QFX / QBO statement downloads on disk and read them.

FORMATS.md §5 "OFX / QFX": Quicken's `.qfx` and QuickBooks' `.qbo` Web Connect files are OFX with
Intuit's private tags; all three are read alike. A file given by name with another extension is
read if its first bytes are an OFX header.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from homebody.connectors.base import Parsed, Registry, SyncContext
from homebody.connectors.ofx.parse import parse_ofx
from homebody.errors import ConfigError, SourceError
from homebody.vault.items import Item, Kind

logger = logging.getLogger(__name__)

SUFFIXES = frozenset({".ofx", ".qfx", ".qbo"})
_SNIFF = 4096


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ConfigError(f"unknown time zone {name!r}: set an IANA name like 'Europe/London'") from err


def _looks_like_ofx(path: Path) -> bool:
    """True if a file starts like OFX: a 1.x `OFXHEADER:` line, a 2.x `<?OFX`, or an `<OFX>` tag."""
    with path.open("rb") as handle:
        head = handle.read(_SNIFF).upper()
    return b"OFXHEADER" in head or b"<OFX>" in head


class OfxConnector:
    """Bank, credit-card and investment statements in OFX: one transaction item per transaction."""

    kind = "ofx"
    provides = frozenset({Kind.TRANSACTION})
    description = "bank statement downloads in OFX, QFX (Quicken) or QBO (QuickBooks), or a folder of them"

    def files(self, path: Path) -> list[Path]:
        """The statements at PATH: the file itself, or every .ofx/.qfx/.qbo in the folder, recursively."""
        if not path.exists():
            raise SourceError(f"{path} does not exist: give an .ofx or .qfx file, or a folder of them")
        if path.is_dir():
            try:
                return sorted(p for p in path.rglob("*") if p.suffix.lower() in SUFFIXES and p.is_file())
            except OSError as err:
                raise SourceError(f"cannot read the folder {path}: {err}") from err
        try:
            is_ofx = path.suffix.lower() in SUFFIXES or _looks_like_ofx(path)
            with path.open("rb"):
                pass
        except OSError as err:
            raise SourceError(f"cannot read {path}: {err}") from err
        if not is_ofx:
            raise SourceError(f"{path} is not an OFX statement: expected an .ofx, .qfx or .qbo file")
        return [path]

    def read(self, file: Path, context: SyncContext) -> Iterator[Parsed]:
        """Parse one statement file into transaction items, yielding a BadRecord per unreadable one."""
        zone = _zone(context.timezone)
        try:
            data = file.read_bytes()
        except OSError as err:
            raise SourceError(f"cannot read {file}: {err}") from err
        items = bad = 0
        for parsed in parse_ofx(data, file_name=file.name, tz=zone):
            if isinstance(parsed, Item):
                items += 1
            else:
                bad += 1
            yield parsed
        logger.debug("ofx: %d transactions, %d bad records", items, bad)


def register(registry: Registry) -> None:
    """Register the OFX connector under the source kind "ofx"."""
    registry.register(OfxConnector())
