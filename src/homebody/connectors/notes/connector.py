"""Find note files on disk and read them: a folder of notes (an Obsidian vault, say) or one file.

A folder is searched recursively for `.md`, `.markdown`, `.txt` and `.pdf` files. Hidden files and
folders (`.git`, `.obsidian`, `.trash`, `.DS_Store`, macOS `._` forks) are the tools' own, not
notes, and are skipped. Each note's id is its path relative to the folder the source was added with.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from homebody.connectors.base import Parsed, Registry, SyncContext, readable
from homebody.connectors.notes.parse import FORMATS, note_format, parse_note
from homebody.errors import BadRecord, ConfigError, SourceError
from homebody.vault.items import Item, Kind

logger = logging.getLogger(__name__)

#: Files larger than this are reported as too large rather than read (a note is rarely over 1 MB;
#: a 20 MB PDF is a book or a scan).
DEFAULT_MAX_BYTES = 20 * 1024 * 1024

_SUFFIXES = ", ".join(sorted(FORMATS))


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ConfigError(f"unknown time zone {name!r}: set an IANA name like 'Europe/London'") from err


def _hidden(name: str) -> bool:
    return name.startswith(".")


class NotesConnector:
    """Notes and documents in a folder: one note item per Markdown, text or PDF file."""

    kind = "notes"
    provides = frozenset({Kind.NOTE})
    description = "A folder of notes (Markdown, e.g. an Obsidian vault; plain text; PDF), or one such file"

    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes

    def files(self, path: Path) -> list[Path]:
        """The note files at PATH: the file itself, or every note file in the folder, recursively."""
        try:
            is_dir, exists = path.is_dir(), path.exists()
        except OSError as err:
            raise SourceError(f"cannot read {path}: {err.strerror}") from err
        if not exists:
            raise SourceError(f"{path} does not exist: give a folder of notes or a {_SUFFIXES} file")
        if is_dir:
            return self._walk(path)
        if note_format(path.name) is None:
            raise SourceError(f"{path} is not a notes file: expected one of {_SUFFIXES}")
        readable(path)
        return [path]

    @staticmethod
    def _walk(root: Path) -> list[Path]:
        """Every note file under `root`, hidden files and folders left out, sorted."""
        unreadable: list[OSError] = []
        found: list[Path] = []
        for folder, dirnames, filenames in os.walk(root, onerror=unreadable.append):
            # Pruning in place keeps os.walk out of .git and .obsidian altogether.
            dirnames[:] = sorted(d for d in dirnames if not _hidden(d))
            here = Path(folder)
            found.extend(here / n for n in filenames if not _hidden(n) and note_format(n) is not None)
        if any(Path(err.filename or "") == root for err in unreadable):
            raise SourceError(f"cannot read the folder {root}: {unreadable[0].strerror}")
        if unreadable:
            # Their notes are not listed, but still on disk: the sync keeps what it has of them.
            logger.warning("notes: %d subfolders could not be read and were skipped", len(unreadable))
        return sorted(found)

    def read(self, file: Path, context: SyncContext) -> Iterator[Parsed]:
        """Parse one note file into its item, or a BadRecord if it is too large or unreadable."""
        zone = _zone(context.timezone)
        # A note's id is its path relative to the folder the source was added with.
        root = context.root if context.root is not None and context.root.is_dir() else file.parent
        try:
            name = file.relative_to(root).as_posix()
        except ValueError:
            name = file.name
        try:
            stat = file.stat()
            if stat.st_size > self.max_bytes:
                yield BadRecord(
                    name, "whole file", f"too large ({stat.st_size} bytes; limit {self.max_bytes})"
                )
                return
            data = file.read_bytes()
        except OSError as err:
            raise SourceError(f"cannot read {file}: {err.strerror}") from err
        try:
            mtime = datetime.fromtimestamp(stat.st_mtime, tz=UTC)
        # A modification time beyond datetime's years (a broken clock, a fuzzed archive).
        except (OverflowError, ValueError, OSError):
            mtime = context.now
        parsed = parse_note(data, name=name, mtime=mtime, zone=zone)
        logger.debug(
            "notes: %d bytes read, %s", len(data), "item" if isinstance(parsed, Item) else "bad record"
        )
        yield parsed


def register(registry: Registry) -> None:
    """Register the notes connector under the source kind "notes"."""
    registry.register(NotesConnector())
