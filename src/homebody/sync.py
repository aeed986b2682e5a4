"""Sync: read every source through its connector into the vault, incrementally and crash-safely.

A file whose size, modification time and sha256 are unchanged since its last good sync is skipped.
A changed file is parsed again and each record upserted by its native id, so only new or changed
records touch the database. Work is committed in batches and a file's cursor is written last: a sync
killed half-way leaves the vault consistent, and the next one parses that file again without
duplicates. A bad record is stored with file and position, counted, and skipped. At the end the
people graph reads the items it has not seen yet (vault/people.py `update`), also after a sync that
stored nothing, so one killed before that point is caught up.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Protocol

from homebody.connectors.base import Connector, Registry, SyncContext
from homebody.errors import BadRecord, ConfigError, SourceError
from homebody.vault import people
from homebody.vault.items import Item
from homebody.vault.store import Source, Vault, utc_text

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
    """Sync one source; a source that cannot be read is reported, not raised."""
    report = SourceReport(source.name, source.kind)
    try:
        connector = registry.get(source.kind)
        files = connector.files(Path(source.path))
    except (SourceError, ConfigError) as err:
        # A missing password or an unreadable folder stops this source only; the others go on.
        report.failure = str(err)
        vault.mark_synced(source, str(err), context.now)
        log.warning("source %d (%s) cannot be read: %s", source.id, source.kind, type(err).__name__)
        return report
    report.files = len(files)
    progress.source_started(source, len(files))
    seen: dict[str, str] = {}
    for file in files:
        try:
            _sync_file(vault, connector, source, file, context, progress, report, seen)
        except (SourceError, ConfigError) as err:
            report.errors.append(BadRecord(str(file), "whole file", str(err)))
            _replace_errors(vault, source, file, [report.errors[-1]], context.now)
        progress.file_done(source, file)
    vault.mark_synced(source, None, context.now)
    log.info(
        "source %d synced: %d files read, %d added, %d updated, %d errors",
        source.id,
        report.files_read,
        report.added,
        report.updated,
        len(report.errors),
    )
    return report


def _sync_file(
    vault: Vault,
    connector: Connector,
    source: Source,
    file: Path,
    context: SyncContext,
    progress: Progress,
    report: SourceReport,
    seen: dict[str, str],
) -> None:
    parts = _parts(file)
    try:
        stats = [p.stat() for p in parts]
    except OSError as err:
        raise SourceError(f"cannot read {file}: {err.strerror}") from err
    size, mtime_ns = sum(s.st_size for s in stats), max(s.st_mtime_ns for s in stats)
    cursor = vault.conn.execute(
        "SELECT size, mtime_ns, sha256 FROM sync_files WHERE source_id = ? AND file = ?",
        (source.id, str(file)),
    ).fetchone()
    if cursor and cursor["size"] == size and cursor["mtime_ns"] == mtime_ns:
        return
    digest = _sha256(parts)
    if cursor and cursor["sha256"] == digest:
        vault.conn.execute(
            "UPDATE sync_files SET mtime_ns = ? WHERE source_id = ? AND file = ?",
            (mtime_ns, source.id, str(file)),
        )
        return
    report.files_read += 1
    errors: list[BadRecord] = []
    pending = 0
    items = 0
    buffer: list[tuple[Item, str, str | None]] = []

    def store() -> None:
        """Store the buffered items; `pending` counts what the open transaction holds."""
        nonlocal pending
        for change in vault.upsert_many(source, buffer):
            setattr(report, change, getattr(report, change) + 1)
        pending += len(buffer)
        buffer.clear()

    vault.conn.execute("BEGIN IMMEDIATE")
    try:
        for parsed in connector.read(file, context):
            if isinstance(parsed, BadRecord):
                errors.append(parsed)
                report.errors.append(parsed)
                continue
            distinct = _distinct(parsed, seen)
            if distinct is None:
                continue
            item, content_hash = distinct
            buffer.append((item, content_hash, str(file)))
            items += 1
            if len(buffer) >= CHUNK:
                store()
            if pending >= BATCH:
                vault.conn.execute("COMMIT")
                progress.items_read(pending)
                pending = 0
                vault.conn.execute("BEGIN IMMEDIATE")
        store()
        _replace_errors(vault, source, file, errors, context.now, in_transaction=True)
        vault.conn.execute(
            """INSERT INTO sync_files (source_id, file, size, mtime_ns, sha256, synced_at, items)
               VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (source_id, file) DO UPDATE SET size = excluded.size,
                 mtime_ns = excluded.mtime_ns, sha256 = excluded.sha256,
                 synced_at = excluded.synced_at, items = excluded.items""",
            (
                source.id,
                str(file),
                size,
                mtime_ns,
                digest,
                utc_text(context.now),
                items,
            ),
        )
        vault.conn.execute("COMMIT")
    except BaseException:
        vault.conn.execute("ROLLBACK")
        raise
    progress.items_read(pending)


def _distinct(item: Item, seen: dict[str, str]) -> tuple[Item, str] | None:
    """The item under a native id no other record of this sync has taken, with its content hash.

    Native ids are not always unique: two different emails can carry one Message-ID (FORMATS.md,
    "Dedupe"). Overwriting one with the other would lose a message, so within one sync the second
    becomes `<id>#2`; the very same record seen twice (an .eml also in an mbox) is stored once:
    None for that repeat.
    """
    digest = item.content_hash()
    native_id, n = item.native_id, 1
    while native_id in seen:
        if seen[native_id] == digest:
            return None
        n += 1
        native_id = f"{item.native_id}#{n}"
    seen[native_id] = digest
    if n == 1:
        return item, digest
    renamed = replace(item, native_id=native_id)
    return renamed, renamed.content_hash()


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
