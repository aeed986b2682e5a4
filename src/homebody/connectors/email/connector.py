"""The `mbox` and `eml` sources: find the mail files under a path and stream them to the parser."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

from homebody.connectors.base import Parsed, Registry, SyncContext
from homebody.connectors.email.parse import parse_eml, parse_mbox
from homebody.connectors.email.worker import read_in_worker
from homebody.errors import SourceError
from homebody.vault.items import Kind

logger = logging.getLogger(__name__)


def _find(path: Path, suffix: str) -> list[Path]:
    """The file itself, or every `*<suffix>` file under a folder, recursively, in a stable order."""
    try:
        if path.is_file():
            if not os.access(path, os.R_OK):
                raise SourceError(f"{path} cannot be read: permission denied")
            return [path]
        if path.is_dir():
            # rglob skips folders it cannot list; walk explicitly so the user hears about them.
            found: list[Path] = []
            for root, _dirs, names in os.walk(path, onerror=_raise):
                found.extend(Path(root) / n for n in names if n.lower().endswith(suffix))
            return sorted(found)
    except OSError as err:
        raise SourceError(f"{path} cannot be read: {err.strerror or err}") from err
    raise SourceError(f"{path} does not exist (expected a {suffix} file or a folder of them)")


def _raise(err: OSError) -> None:
    raise err


class MboxConnector:
    """Mailboxes in mbox format: Thunderbird, Apple Mail exports, Gmail Takeout."""

    kind = "mbox"
    provides = frozenset({Kind.EMAIL})
    description = "an mbox file (Gmail Takeout, Thunderbird, Apple Mail) or a folder of *.mbox files"

    def files(self, path: Path) -> list[Path]:
        """The mbox file itself, or every `*.mbox` under a folder (raises SourceError if unreadable)."""
        return _find(path, ".mbox")

    #: From this size on child processes parse while the sync stores; below, starting them costs more.
    worker_min_bytes = 8 << 20
    #: How many: one a core, up to four (each child splits the whole file, and the sync has to keep up).
    worker_processes = max(1, min(4, os.cpu_count() or 1))

    def read(self, file: Path, context: SyncContext) -> Iterator[Parsed]:
        """Stream one mbox message by message; a multi-gigabyte Takeout never sits in memory."""
        count = 0
        try:
            if self._in_worker(file):
                # closing(): stops the children if we stop early
                with closing(read_in_worker(file, self.worker_processes)) as records:
                    for parsed in records:
                        count += 1
                        yield parsed
            else:
                with file.open("rb") as stream:
                    for parsed in parse_mbox(stream, file.name):
                        count += 1
                        yield parsed
        except OSError as err:
            raise SourceError(f"{file} cannot be read: {err.strerror or err}") from err
        logger.debug("read %d records from an mbox", count)

    def _in_worker(self, file: Path) -> bool:
        # A frozen app's executable is not a Python that can run the child.
        if not sys.executable or getattr(sys, "frozen", False):
            return False
        return file.stat().st_size >= self.worker_min_bytes


class EmlConnector:
    """Single messages saved as `.eml` files (RFC 5322)."""

    kind = "eml"
    provides = frozenset({Kind.EMAIL})
    description = "an .eml file or a folder of *.eml files"

    def files(self, path: Path) -> list[Path]:
        """The .eml file itself, or every `*.eml` under a folder (raises SourceError if unreadable)."""
        return _find(path, ".eml")

    def read(self, file: Path, context: SyncContext) -> Iterator[Parsed]:
        """Parse one .eml file into its message item (plus items for attached messages)."""
        try:
            data = file.read_bytes()
        except OSError as err:
            raise SourceError(f"{file} cannot be read: {err.strerror or err}") from err
        yield from parse_eml(data, file.name)


def register(registry: Registry) -> None:
    """Register the `mbox` and `eml` source kinds."""
    registry.register(MboxConnector())
    registry.register(EmlConnector())
