"""Find a Messages database on disk and read a consistent copy of it, never touching the original.

FORMATS.md §2 "Opening safely": Messages keeps chat.db open in WAL mode, with recent rows only in
`chat.db-wal`. Opening the user's file, even with `?mode=ro`, creates `-wal`/`-shm` beside it, and
`?immutable=1` ignores the WAL; so the three files are copied together into a private temporary
folder and the copy is opened.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from homebody.connectors.base import Parsed, Read, Registry, SyncContext, kept_history
from homebody.connectors.imessage.query import read_database
from homebody.errors import SourceError
from homebody.vault.items import Item, Kind

logger = logging.getLogger(__name__)

_SQLITE_MAGIC = b"SQLite format 3\x00"
_SIDECARS = ("-wal", "-shm")
# Names the database has: macOS `~/Library/Messages/chat.db`, iOS `sms.db`, and inside an unencrypted
# iOS backup the SHA-1 of "HomeDomain-Library/SMS/sms.db", filed under its first two hex digits.
_IN_FOLDER = ("chat.db", "sms.db", "3d/3d0d7e5fb2ce288813306e4d4636395e047a3d28")
_COPY_ATTEMPTS = 3
_ACCESS_HINT = " (on macOS, give this program Full Disk Access to read ~/Library/Messages)"


def _check_database(file: Path) -> None:
    """Raise SourceError unless FILE can be opened and starts like a SQLite database."""
    try:
        with file.open("rb") as handle:
            head = handle.read(len(_SQLITE_MAGIC))
    except PermissionError as err:
        raise SourceError(f"cannot read {file}: permission denied{_ACCESS_HINT}") from err
    except OSError as err:
        raise SourceError(f"cannot read {file}: {err.strerror}") from err
    if head != _SQLITE_MAGIC:
        raise SourceError(f"{file} is not a SQLite database (an encrypted iOS backup cannot be read)")


def _stamp(file: Path) -> tuple[tuple[int, int] | None, ...]:
    """Size and modification time of the database and its sidecars, to notice a write mid-copy."""
    stamps: list[tuple[int, int] | None] = []
    for path in (file, *(file.with_name(file.name + s) for s in _SIDECARS)):
        try:
            stat = path.stat()
        except FileNotFoundError:
            stamps.append(None)
            continue
        stamps.append((stat.st_size, stat.st_mtime_ns))
    return tuple(stamps)


@contextmanager
def _private_copy(file: Path) -> Iterator[Path]:
    """A copy of FILE with its `-wal` and `-shm`, in a temporary folder only this user can read."""
    with tempfile.TemporaryDirectory(prefix="homebody-imessage-") as folder:
        copy = Path(folder) / "chat.db"
        try:
            for _ in range(_COPY_ATTEMPTS):
                before = _stamp(file)
                shutil.copyfile(file, copy)
                for suffix in _SIDECARS:
                    source, target = file.with_name(file.name + suffix), copy.with_name(copy.name + suffix)
                    target.unlink(missing_ok=True)
                    # The -shm index is rebuilt from the WAL by SQLite when the copy is first opened;
                    # copying it too keeps the set together as Messages left it.
                    if source.exists():
                        shutil.copyfile(source, target)
                if _stamp(file) == before:
                    break
                # Messages wrote while we copied (a checkpoint can move WAL pages into chat.db): again.
                logger.debug("imessage: database changed while copying, copying again")
        except PermissionError as err:
            raise SourceError(f"cannot read {file}: permission denied{_ACCESS_HINT}") from err
        except OSError as err:
            raise SourceError(f"cannot copy {file} to read it: {err.strerror}") from err
        yield copy


class IMessageConnector:
    """macOS Messages: one message item per iMessage, SMS or RCS message, with reactions folded in."""

    kind = "imessage"
    provides = frozenset({Kind.MESSAGE})
    description = (
        "macOS Messages chat.db (~/Library/Messages), an iOS sms.db, or a folder holding one "
        "(also an unencrypted iOS backup)"
    )

    def files(self, path: Path) -> list[Path]:
        """The database at PATH: the file itself, or the chat.db / sms.db inside the folder."""
        if not path.exists():
            raise SourceError(f"{path} does not exist: give a Messages chat.db, an sms.db or their folder")
        if path.is_dir():
            found = [path / name for name in _IN_FOLDER if (path / name).is_file()]
            if not found:
                raise SourceError(f"no chat.db or sms.db in the folder {path}")
        else:
            found = [path]
        for file in found:
            _check_database(file)
        return found

    def read(self, file: Path, context: SyncContext) -> Iterator[Read]:
        """Read every message of one database into items, yielding a BadRecord for each unreadable row.

        Messages older than the oldest one the database still holds (macOS's "Keep messages: 1
        year" removes them) stay in the vault: `kept_history`.
        """
        return kept_history(self._messages(file))

    def _messages(self, file: Path) -> Iterator[Parsed]:
        _check_database(file)
        items = bad = 0
        with _private_copy(file) as copy:
            try:
                connection = sqlite3.connect(copy)
            except sqlite3.Error as err:
                raise SourceError(f"cannot open {file}: {err}") from err
            # A TEXT value that is not valid UTF-8 would make sqlite3 raise mid-query and end the
            # whole read; a replacement character costs only that character.
            connection.text_factory = lambda data: data.decode("utf-8", errors="replace")
            with closing(connection):
                try:
                    for parsed in read_database(connection, file.name):
                        if isinstance(parsed, Item):
                            items += 1
                        else:
                            bad += 1
                        yield parsed
                except sqlite3.Error as err:
                    raise SourceError(f"{file} cannot be read as a Messages database: {err}") from err
                # SQLite's message about a damaged schema can itself hold bytes that are not UTF-8.
                except UnicodeDecodeError as err:
                    raise SourceError(
                        f"{file} cannot be read as a Messages database: damaged schema"
                    ) from err
        logger.debug("imessage: %d messages, %d bad records", items, bad)


def register(registry: Registry) -> None:
    """Register the iMessage connector under the source kind "imessage"."""
    registry.register(IMessageConnector())
