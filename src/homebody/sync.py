"""Sync: read every source through its connector into the vault, incrementally and crash-safely.

A file whose size, modification time and sha256 are unchanged since its last good sync is skipped;
so is a server's mailbox or calendar whose version token (a `RemoteConnector`'s) is unchanged.
A changed part is read again and each record upserted by its native id, so only new or changed
records touch the database. Work is committed in batches, each with the connector's state as it
stood after the records committed (vault/records.py), and a part's cursor is written last: a sync
killed half-way leaves the vault consistent, and the next one reads that part again without
duplicates. A bad record is stored with file and position, counted, and skipped.

Deletions: what a part held and a full read no longer yields, what an incremental connector says
is `Gone`, and every record of a part the source no longer has (a file gone from the disk, a
mailbox or calendar the server no longer lists) leave the vault with the last transaction of the
read, unless another part of the source still holds them. A source that fails, a part that fails or
yields a bad record, a file still on disk but no longer listed (unreadable, or no longer recognised),
and a source that suddenly lists nothing delete nothing.

At the end the people graph reads the items it has not seen yet (vault/people.py `update`), also
after a sync that stored nothing, so one killed before that point is caught up.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Protocol

from homebody.connectors.base import (
    Connector,
    Gone,
    Registry,
    RemoteConnector,
    SourceState,
    SyncContext,
    is_incremental,
)
from homebody.errors import BadRecord, ConfigError, SourceError
from homebody.vault import people, records
from homebody.vault.items import Item
from homebody.vault.store import Source, Vault, utc_text
from homebody.vault.tx import transaction

log = logging.getLogger(__name__)

# A transaction commits every BATCH records; items go to the vault CHUNK at a time (a divisor of BATCH).
BATCH = 2000
CHUNK = 500


@dataclass
class SourceReport:
    """What one source's sync did."""

    source: str
    kind: str
    files: int = 0
    files_read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    errors: list[BadRecord] = field(default_factory=list)
    failure: str | None = None


class Progress(Protocol):
    """Where sync reports how far it got; the CLI draws a progress bar from it."""

    def source_started(self, source: Source, files: int) -> None:
        """A source begins, with this many files to look at."""

    def file_done(self, source: Source, file: Path) -> None:
        """One file of the current source is finished."""

    def items_read(self, count: int) -> None:
        """More records were read."""


class NoProgress:
    """Progress that goes nowhere."""

    def source_started(self, source: Source, files: int) -> None:
        """Ignore."""

    def file_done(self, source: Source, file: Path) -> None:
        """Ignore."""

    def items_read(self, count: int) -> None:
        """Ignore."""


def sync_all(
    vault: Vault,
    registry: Registry,
    context: SyncContext,
    progress: Progress | None = None,
    only: str | None = None,
) -> list[SourceReport]:
    """Sync every source (or only the named one), each independently of the others' failures."""
    progress = progress or NoProgress()
    sources = [vault.source(only)] if only else vault.sources()
    reports = [sync_source(vault, registry, source, context, progress) for source in sources]
    # Also after a sync that changed nothing: one killed before this point left the graph behind.
    people.update(vault, context.region)
    return reports


def sync_source(
    vault: Vault, registry: Registry, source: Source, context: SyncContext, progress: Progress
) -> SourceReport:
    """Sync one source; a source that cannot be read is reported, not raised, and loses nothing."""
    report = SourceReport(source.name, source.kind)
    root = Path(source.path)
    try:
        connector = registry.get(source.kind)
        if isinstance(connector, RemoteConnector):
            versions: dict[Path, str | None] = dict(connector.versions(root))
        else:
            versions = dict.fromkeys(connector.files(root))
    except (SourceError, ConfigError) as err:
        # A missing password or an unreadable folder stops this source only; the others go on.
        return _failed(vault, source, report, str(err), context.now)
    known = [
        r[0] for r in vault.conn.execute("SELECT file FROM sync_files WHERE source_id = ?", (source.id,))
    ]
    if known and not versions:
        # An empty folder where notes were (a cloud folder not synced yet, a mount point with nothing
        # mounted) is more often a problem than the user deleting everything: keep what the vault has.
        reason = f"{source.path} lists nothing now: nothing was deleted, its {len(known)} part(s) are kept"
        return _failed(vault, source, report, reason, context.now)
    report.files = len(versions)
    progress.source_started(source, len(versions))
    state = SourceState(records.load_state(vault.conn, source.id))
    run = _Run(vault, connector, source, replace(context, root=root, state=state), progress, report)
    for file, version in versions.items():
        try:
            run.part(file, version)
        except (SourceError, ConfigError) as err:
            report.errors.append(BadRecord(str(file), "whole file", str(err)))
            _replace_errors(vault, source, file, [report.errors[-1]], context.now)
        progress.file_done(source, file)
    listed = {str(file) for file in versions}
    remote = isinstance(connector, RemoteConnector)
    vanished = [part for part in known if part not in listed and (remote or not _on_disk(part))]
    if vanished:
        with transaction(vault) as conn:
            report.deleted += sum(records.forget_part(conn, source.id, part) for part in vanished)
    vault.mark_synced(source, None, context.now)
    log.info(
        "source %d synced: %d files read, %d added, %d updated, %d deleted, %d errors",
        source.id,
        report.files_read,
        report.added,
        report.updated,
        report.deleted,
        len(report.errors),
    )
    return report


def _on_disk(part: str) -> bool:
    """Whether a file the source no longer lists is still there: one that cannot be read (in a folder
    that cannot be opened) or is no longer recognised was not deleted, and its records stay."""
    try:
        Path(part).stat()
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError:
        return True
    return True


def _failed(vault: Vault, source: Source, report: SourceReport, reason: str, when: datetime) -> SourceReport:
    report.failure = reason
    vault.mark_synced(source, reason, when)
    log.warning("source %d (%s) cannot be read", source.id, source.kind)
    return report


class _Run:
    """One source's sync: reads its parts one by one, with the state and the ids seen so far."""

    def __init__(
        self,
        vault: Vault,
        connector: Connector,
        source: Source,
        context: SyncContext,
        progress: Progress,
        report: SourceReport,
    ) -> None:
        self.vault = vault
        self.connector = connector
        self.source = source
        self.context = context
        self.progress = progress
        self.report = report
        self.incremental = is_incremental(connector)
        self.seen: dict[str, str] = {}

    def part(self, file: Path, version: str | None) -> None:
        """Read one part if it changed since its last good read; store, hold and release its records."""
        vault, source, key = self.vault, self.source, str(file)
        cursor = vault.conn.execute(
            "SELECT size, mtime_ns, sha256 FROM sync_files WHERE source_id = ? AND file = ?",
            (source.id, key),
        ).fetchone()
        if version is not None:
            size, mtime_ns, digest = 0, 0, version
            if cursor and cursor["sha256"] == version:
                return
        else:
            parts = _parts(file)
            try:
                stats = [p.stat() for p in parts]
            except OSError as err:
                raise SourceError(f"cannot read {file}: {err.strerror}") from err
            size, mtime_ns = sum(s.st_size for s in stats), max(s.st_mtime_ns for s in stats)
            if cursor and cursor["size"] == size and cursor["mtime_ns"] == mtime_ns:
                return
            digest = _sha256(parts)
            if cursor and cursor["sha256"] == digest:
                vault.conn.execute(
                    "UPDATE sync_files SET mtime_ns = ? WHERE source_id = ? AND file = ?",
                    (mtime_ns, source.id, key),
                )
                return
        self.report.files_read += 1
        vault.conn.execute("BEGIN IMMEDIATE")
        try:
            errors, items = self._read(file)
            _replace_errors(vault, source, file, errors, self.context.now, in_transaction=True)
            vault.conn.execute(
                """INSERT INTO sync_files (source_id, file, size, mtime_ns, sha256, synced_at, items)
                   VALUES (?, ?, ?, ?, ?, ?, ?)
                   ON CONFLICT (source_id, file) DO UPDATE SET size = excluded.size,
                     mtime_ns = excluded.mtime_ns, sha256 = excluded.sha256,
                     synced_at = excluded.synced_at, items = excluded.items""",
                (source.id, key, size, mtime_ns, digest, utc_text(self.context.now), items),
            )
            self._save_state()
            vault.conn.execute("COMMIT")
        except BaseException:
            vault.conn.execute("ROLLBACK")
            # What the connector moved in the state past the last commit was rolled back with the items.
            self.context.state.reset(records.load_state(vault.conn, source.id))
            raise

    def _read(self, file: Path) -> tuple[list[BadRecord], int]:
        """Read the part inside the open transaction, committing every BATCH records; its bad records
        and item count. What it no longer holds is released in the last transaction, with its cursor."""
        vault, source, report, key = self.vault, self.source, self.report, str(file)
        errors: list[BadRecord] = []
        gone: dict[str, datetime | None] = {}
        held: set[records.Held] = set()
        holding: list[records.Held] = []
        buffer: list[tuple[Item, str, str | None]] = []
        pending = items = 0

        def store() -> None:
            """Store the buffered items; `pending` counts what the open transaction holds."""
            nonlocal pending
            for change in vault.upsert_many(source, buffer):
                setattr(report, change, getattr(report, change) + 1)
            records.hold(vault.conn, source.id, key, holding)
            pending += len(buffer)
            buffer.clear()
            holding.clear()

        for parsed in self.connector.read(file, self.context):
            if isinstance(parsed, BadRecord):
                errors.append(parsed)
                report.errors.append(parsed)
                continue
            if isinstance(parsed, Gone):
                gone[parsed.origin] = parsed.after
                continue
            item, content_hash, new = _distinct(parsed, self.seen)
            record = (item.native_id, item.origin if self.incremental else "")
            held.add(record)
            holding.append(record)
            items += 1
            if new:
                buffer.append((item, content_hash, key))
            if len(holding) >= CHUNK:
                store()
            if pending >= BATCH:
                self._save_state()
                vault.conn.execute("COMMIT")
                self.progress.items_read(pending)
                pending = 0
                vault.conn.execute("BEGIN IMMEDIATE")
        store()
        self.progress.items_read(pending)
        released: list[tuple[str, str, str]] = []
        if self.incremental:
            # Only what the connector says is gone: what it did not fetch is not thereby deleted.
            for origin, after in gone.items():
                lost = [
                    (part, native_id, origin)
                    for part, native_id in records.held_at(vault.conn, source.id, origin)
                    if part != key or (native_id, origin) not in held
                ]
                released += records.dated_from(vault.conn, source.id, lost, after)
        elif not errors:
            # A record that could not be read may be the very one that seems to be missing.
            before = records.held_by(vault.conn, source.id, key)
            lost = [(key, native_id, origin) for native_id, origin in before - held]
            released = records.dated_from(vault.conn, source.id, lost, gone.get(""))
        report.deleted += records.release(vault.conn, source.id, released)
        return errors, items

    def _save_state(self) -> None:
        state = self.context.state
        if state.changed:
            records.save_state(self.vault.conn, self.source.id, state.data(), self.context.now)
            state.changed = False


def _distinct(item: Item, seen: dict[str, str]) -> tuple[Item, str, bool]:
    """The item under a native id no other record of this sync has taken, its content hash, and
    whether it is new to this sync.

    Native ids are not always unique: two different emails can carry one Message-ID (FORMATS.md,
    "Dedupe"). Overwriting one with the other would lose a message, so within one sync the second
    becomes `<id>#2`; the very same record seen twice (an .eml also in an mbox) is stored once and
    comes back the second time as not new, under the id it was stored with.
    """
    digest = item.content_hash()
    native_id, n = item.native_id, 1
    while native_id in seen:
        if seen[native_id] == digest:
            return (item if n == 1 else replace(item, native_id=native_id)), digest, False
        n += 1
        native_id = f"{item.native_id}#{n}"
    seen[native_id] = digest
    if n == 1:
        return item, digest, True
    renamed = replace(item, native_id=native_id)
    return renamed, renamed.content_hash(), True


def _replace_errors(
    vault: Vault,
    source: Source,
    file: Path,
    errors: list[BadRecord],
    when: datetime,
    *,
    in_transaction: bool = False,
) -> None:
    """Keep only the latest sync's bad records of a file."""
    if not in_transaction:
        vault.conn.execute("BEGIN IMMEDIATE")
    vault.conn.execute("DELETE FROM sync_errors WHERE source_id = ? AND file = ?", (source.id, str(file)))
    vault.conn.executemany(
        "INSERT INTO sync_errors (source_id, file, position, reason, seen_at) VALUES (?, ?, ?, ?, ?)",
        [(source.id, str(file), e.position, e.reason, utc_text(when)) for e in errors],
    )
    if not in_transaction:
        vault.conn.execute("COMMIT")


def _parts(file: Path) -> list[Path]:
    """The file and its SQLite write-ahead log, if it has one.

    A live SQLite database (iMessage's chat.db) keeps recent rows in `<file>-wal` until the app
    checkpoints, so the main file alone can look unchanged while new messages wait in the log.
    """
    wal = file.with_name(file.name + "-wal")
    return [file, wal] if wal.exists() else [file]


def _sha256(parts: list[Path]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        try:
            with part.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        except OSError as err:
            raise SourceError(f"cannot read {part}: {err.strerror}") from err
    return digest.hexdigest()
