"""The vault: sources, items and their sync state in one encrypted SQLite database."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from homebody.errors import ConfigError, NotFound
from homebody.vault.db import Connection, IntegrityError, connect
from homebody.vault.items import Item, Kind, item_id

Change = Literal["added", "updated", "unchanged"]


def utc_text(ts: datetime) -> str:
    """A datetime as the vault stores it: UTC ISO-8601 to the second, so text order is time order."""
    return ts.astimezone(UTC).isoformat(timespec="seconds")


def parse_utc(text: str | None) -> datetime | None:
    """The inverse of `utc_text`."""
    return datetime.fromisoformat(text) if text else None


@dataclass(frozen=True)
class Source:
    """A registered source: a name, a connector kind, and the path it reads."""

    id: int
    name: str
    kind: str
    path: str
    options: dict[str, Any]
    added_at: datetime
    last_sync_at: datetime | None
    last_ok_at: datetime | None
    last_error: str | None


@dataclass(frozen=True)
class StoredItem:
    """An item as it sits in the vault, with its id and the source it came from."""

    id: str
    source: str
    source_kind: str
    item: Item
    file: str | None
    added_at: datetime

    @property
    def kind(self) -> Kind:
        """The item's kind."""
        return self.item.kind


@dataclass(frozen=True)
class SourceStats:
    """What `homebody sources` shows for one source."""

    source: Source
    items: int
    first: datetime | None
    last: datetime | None
    errors: int


class Vault:
    """One user's encrypted vault."""

    def __init__(self, conn: Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        # Threads share one connection; a write transaction holds this lock (see vault/tx.py).
        self.lock = threading.RLock()
        # What readers keep in memory for this open vault (search's item keys: retrieval/filters.py).
        self.memo: dict[str, object] = {}

    @classmethod
    def open(cls, path: Path, *, create: bool = True) -> Vault:
        """Open (or create) the vault at `path`."""
        return cls(connect(path, create=create), path)

    def close(self) -> None:
        """Close the database, checkpointing the write-ahead log."""
        self.conn.close()

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- sources -----------------------------------------------------------------------------

    def add_source(self, name: str, kind: str, path: str, options: dict[str, Any] | None = None) -> Source:
        """Register a source; its name must be new."""
        try:
            self.conn.execute(
                "INSERT INTO sources (name, kind, path, options, added_at) VALUES (?, ?, ?, ?, ?)",
                (name, kind, path, json.dumps(options or {}), utc_text(datetime.now(UTC))),
            )
        except IntegrityError as err:
            raise ConfigError(f"a source named {name!r} already exists; pick another --name") from err
        return self.source(name)

    def source(self, name: str) -> Source:
        """The source with this name."""
        row = self.conn.execute("SELECT * FROM sources WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise NotFound(f"no source named {name!r}")
        return _source(row)

    def sources(self) -> list[Source]:
        """Every registered source, in the order they were added."""
        return [_source(r) for r in self.conn.execute("SELECT * FROM sources ORDER BY id")]

    def remove_source(self, name: str) -> int:
        """Forget a source and every item it brought; returns how many items went."""
        source = self.source(name)
        count = self.conn.execute("SELECT count(*) FROM items WHERE source_id = ?", (source.id,)).fetchone()[
            0
        ]
        self.conn.execute("DELETE FROM sources WHERE id = ?", (source.id,))
        return int(count)

    def source_stats(self) -> list[SourceStats]:
        """Item counts, time span and error counts of every source."""
        rows = self.conn.execute(
            """
            SELECT s.id, count(i.rowid) AS n, min(i.ts) AS first, max(i.ts) AS last,
                   (SELECT count(*) FROM sync_errors e WHERE e.source_id = s.id) AS errors
            FROM sources s LEFT JOIN items i ON i.source_id = s.id
            GROUP BY s.id ORDER BY s.id
            """
        ).fetchall()
        by_id = {s.id: s for s in self.sources()}
        return [
            SourceStats(by_id[r["id"]], r["n"], parse_utc(r["first"]), parse_utc(r["last"]), r["errors"])
            for r in rows
        ]

    def kinds_by_source(self) -> dict[int, frozenset[Kind]]:
        """The kinds of items each source holds (sources holding none are absent)."""
        held: dict[int, set[Kind]] = {}
        for row in self.conn.execute("SELECT DISTINCT source_id, kind FROM items"):
            held.setdefault(row[0], set()).add(Kind(row[1]))
        return {source: frozenset(kinds) for source, kinds in held.items()}

    def mark_synced(self, source: Source, error: str | None, when: datetime) -> None:
        """Record the end of a sync of this source, good or not."""
        if error is None:
            self.conn.execute(
                "UPDATE sources SET last_sync_at = ?, last_ok_at = ?, last_error = NULL WHERE id = ?",
                (utc_text(when), utc_text(when), source.id),
            )
        else:
            self.conn.execute(
                "UPDATE sources SET last_sync_at = ?, last_error = ? WHERE id = ?",
                (utc_text(when), error, source.id),
            )

    # --- items -------------------------------------------------------------------------------

    def upsert(
        self, source: Source, item: Item, file: str | None, *, content_hash: str | None = None
    ) -> Change:
        """Store an item; the same record again changes nothing, a changed one is updated.

        `content_hash` is `item.content_hash()` when the caller has it already (sync does).
        """
        return self.upsert_many(source, [(item, content_hash or item.content_hash(), file)])[0]

    def upsert_many(self, source: Source, entries: Sequence[tuple[Item, str, str | None]]) -> list[Change]:
        """`upsert` for many (item, content hash, file) entries, in order, with a few statements each chunk.

        New items go in as one multi-row INSERT per chunk: one statement is one statement savepoint, and
        FTS5 writes its pending index to disk at every savepoint, so inserting row by row would write a
        tiny index segment per item (most of the cost of storing a short message). The changes are the
        ones `upsert` would return for the entries one after another.
        """
        changes: list[Change] = []
        for start in range(0, len(entries), _CHUNK):
            changes += self._upsert_chunk(source, entries[start : start + _CHUNK])
        return changes

    def _upsert_chunk(self, source: Source, entries: Sequence[tuple[Item, str, str | None]]) -> list[Change]:
        wanted = list({item.native_id: None for item, _, _ in entries})
        known: dict[str, str] = dict(
            self.conn.execute(
                "SELECT native_id, content_hash FROM items WHERE source_id = ? "
                f"AND native_id IN ({','.join('?' * len(wanted))})",
                (source.id, *wanted),
            ).fetchall()
        )
        now = utc_text(datetime.now(UTC))
        inserts: dict[str, tuple[Any, ...]] = {}
        changes: list[Change] = []
        for item, digest, file in entries:
            native_id = item.native_id
            previous = known.get(native_id)
            if previous == digest:
                changes.append("unchanged")
                continue
            known[native_id] = digest
            values = _values(item, digest, file)
            if previous is None:
                inserts[native_id] = (
                    *values,
                    item_id(source.name, native_id),
                    source.id,
                    native_id,
                    now,
                    now,
                )
                changes.append("added")
                continue
            if native_id in inserts:  # the same native id twice in one chunk: store the first one first
                self._insert(inserts)
            self.conn.execute(
                """UPDATE items SET kind = ?, ts = ?, tz = ?, author = ?, participants = ?, thread = ?,
                   title = ?, text = ?, file = ?, origin = ?, meta = ?, content_hash = ?, updated_at = ?
                   WHERE source_id = ? AND native_id = ?""",
                (*values, now, source.id, native_id),
            )
            changes.append("updated")
        self._insert(inserts)
        return changes

    def _insert(self, rows: dict[str, tuple[Any, ...]]) -> None:
        """Insert the pending rows (in the order they came) as one statement, and forget them."""
        if not rows:
            return
        marks = ",".join([_ROW_MARKS] * len(rows))
        self.conn.execute(
            f"""INSERT INTO items (kind, ts, tz, author, participants, thread, title, text, file,
                origin, meta, content_hash, id, source_id, native_id, added_at, updated_at)
                VALUES {marks}""",
            [value for row in rows.values() for value in row],
        )
        rows.clear()

    def get(self, item_id_: str) -> StoredItem:
        """The item with this id (a unique prefix of at least 6 characters also works)."""
        rows = self.conn.execute(
            f"{_ITEM_SELECT} WHERE i.id >= ? AND i.id < ? LIMIT 2",
            (item_id_, item_id_ + "\uffff"),
        ).fetchall()
        if len(item_id_) < 6 or not rows or (len(rows) > 1 and rows[0]["id"] != item_id_):
            raise NotFound(f"no item with id {item_id_!r}")
        return stored_item(rows[0])

    def items_by_rowid(self, rowids: Iterable[int]) -> dict[int, StoredItem]:
        """Items by their internal row ids (what full-text search returns)."""
        ids = list(rowids)
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self.conn.execute(f"{_ITEM_SELECT} WHERE i.rowid IN ({marks})", ids).fetchall()
        return {r["rowid"]: stored_item(r) for r in rows}

    def neighbours(self, stored: StoredItem, before: int, after: int) -> list[StoredItem]:
        """Messages just before and after an item in the same thread, oldest first."""
        item = stored.item
        if not item.thread or item.ts is None:
            return [stored]
        ts = utc_text(item.ts)
        older = self.conn.execute(
            f"{_ITEM_SELECT} WHERE i.thread = ? AND i.ts < ? ORDER BY i.ts DESC LIMIT ?",
            (item.thread, ts, before),
        ).fetchall()
        newer = self.conn.execute(
            f"{_ITEM_SELECT} WHERE i.thread = ? AND i.ts > ? ORDER BY i.ts LIMIT ?",
            (item.thread, ts, after),
        ).fetchall()
        return [
            *(stored_item(r) for r in reversed(older)),
            stored,
            *(stored_item(r) for r in newer),
        ]

    def count(self) -> int:
        """How many items the vault holds."""
        return int(self.conn.execute("SELECT count(*) FROM items").fetchone()[0])

    def iter_items(self) -> Iterator[StoredItem]:
        """Every item, oldest first."""
        for row in self.conn.execute(f"{_ITEM_SELECT} ORDER BY i.ts"):
            yield stored_item(row)


# Rows per INSERT statement: 17 values a row stays far below SQLite's 32,766 bound variables.
_CHUNK = 500
_ROW_MARKS = "(" + ",".join("?" * 17) + ")"
# json.dumps(..., ensure_ascii=False[, default=str]) without building an encoder for every item.
_LIST_JSON = json.JSONEncoder(ensure_ascii=False)
_META_JSON = json.JSONEncoder(ensure_ascii=False, default=str)


def _values(item: Item, digest: str, file: str | None) -> tuple[Any, ...]:
    """The item's stored columns, from kind to content_hash, as INSERT and UPDATE write them."""
    return (
        str(item.kind),
        utc_text(item.ts) if item.ts else None,
        item.tz,
        item.author,
        _LIST_JSON.encode(list(item.participants)),
        item.thread,
        item.title,
        item.text,
        file,
        item.origin,
        _META_JSON.encode(item.meta),
        digest,
    )


_ITEM_SELECT = """SELECT i.*, s.name AS source_name, s.kind AS source_kind
                  FROM items i JOIN sources s ON s.id = i.source_id"""


def stored_item(row: Any) -> StoredItem:
    """An item row (from `_ITEM_SELECT`) as a StoredItem."""
    item = Item(
        kind=Kind(row["kind"]),
        native_id=row["native_id"],
        text=row["text"],
        ts=parse_utc(row["ts"]),
        tz=row["tz"],
        author=row["author"],
        participants=tuple(json.loads(row["participants"])),
        thread=row["thread"],
        title=row["title"],
        origin=row["origin"],
        meta=json.loads(row["meta"]),
    )
    return StoredItem(
        id=row["id"],
        source=row["source_name"],
        source_kind=row["source_kind"],
        item=item,
        file=row["file"],
        added_at=datetime.fromisoformat(row["added_at"]),
    )


def _source(row: Any) -> Source:
    return Source(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        path=row["path"],
        options=json.loads(row["options"]),
        added_at=datetime.fromisoformat(row["added_at"]),
        last_sync_at=parse_utc(row["last_sync_at"]),
        last_ok_at=parse_utc(row["last_ok_at"]),
        last_error=row["last_error"],
    )
