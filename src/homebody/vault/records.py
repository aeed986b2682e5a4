"""Which part of a source holds which item, and each connector's own state (migration 6).

A part is what a connector reads one at a time: a file, a mailbox, a calendar. An item stays in the
vault while some part of its source holds it: the March and April statements that both list one
transaction, one message in INBOX and in Archive. When the last part lets go of it, the item is
deleted, and with it (by the schema's triggers and cascades) its full-text rows, chunks and vectors,
search keys and people links; the people graph notices and catches up in `people.update`.

Every function here runs inside the caller's transaction: the sync's, so what a read deletes, the
items it stores and the connector's state commit together.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from homebody.vault.db import Connection
from homebody.vault.store import utc_text

#: (native id, origin) of a record a part holds; origin is '' unless the connector is incremental.
Held = tuple[str, str]


def load_state(conn: Connection, source_id: int) -> dict[str, Any]:
    """The connector's state for a source, as the last committed sync left it ({} at first)."""
    row = conn.execute("SELECT data FROM source_state WHERE source_id = ?", (source_id,)).fetchone()
    data = json.loads(row[0]) if row else {}
    return data if isinstance(data, dict) else {}


def save_state(conn: Connection, source_id: int, data: dict[str, Any], when: datetime) -> None:
    """Replace the connector's state for a source."""
    conn.execute(
        """INSERT INTO source_state (source_id, data, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (source_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at""",
        (source_id, json.dumps(data, sort_keys=True, ensure_ascii=False), utc_text(when)),
    )


def hold(conn: Connection, source_id: int, part: str, held: Iterable[Held]) -> None:
    """Note that `part` holds these records."""
    conn.executemany(
        "INSERT OR IGNORE INTO sync_records (source_id, part, native_id, origin) VALUES (?, ?, ?, ?)",
        [(source_id, part, native_id, origin) for native_id, origin in held],
    )


def held_by(conn: Connection, source_id: int, part: str) -> set[Held]:
    """Every record a part held after its last read."""
    rows = conn.execute(
        "SELECT native_id, origin FROM sync_records WHERE source_id = ? AND part = ?", (source_id, part)
    )
    return {(r[0], r[1]) for r in rows}


def held_at(conn: Connection, source_id: int, origin: str) -> list[tuple[str, str]]:
    """(part, native id) of every record read from `origin` in any part of the source."""
    rows = conn.execute(
        "SELECT part, native_id FROM sync_records WHERE source_id = ? AND origin = ?", (source_id, origin)
    )
    return [(r[0], r[1]) for r in rows]


def dated_from(
    conn: Connection, source_id: int, rows: list[tuple[str, str, str]], after: datetime | None
) -> list[tuple[str, str, str]]:
    """The (part, native id, origin) rows whose item is dated at or after `after`, or undated."""
    if after is None or not rows:
        return rows
    since = utc_text(after)
    kept: set[str] = set()
    ids = sorted({native_id for _, native_id, _ in rows})
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        kept.update(
            r[0]
            for r in conn.execute(
                f"SELECT native_id FROM items WHERE source_id = ? AND ts < ? "
                f"AND native_id IN ({','.join('?' * len(chunk))})",
                (source_id, since, *chunk),
            )
        )
    return [row for row in rows if row[1] not in kept]


def release(conn: Connection, source_id: int, records: Iterable[tuple[str, str, str]]) -> int:
    """Let go of (part, native id, origin) records; delete the items no part holds now; how many went.

    An item still held elsewhere stays, its `file` moved to a part that holds it if it named this one.
    """
    rows = list(records)
    if not rows:
        return 0
    conn.executemany(
        "DELETE FROM sync_records WHERE source_id = ? AND part = ? AND native_id = ? AND origin = ?",
        [(source_id, *row) for row in rows],
    )
    deleted = 0
    for native_id in sorted({native_id for _, native_id, _ in rows}):
        holder = conn.execute(
            "SELECT part FROM sync_records WHERE source_id = ? AND native_id = ? ORDER BY part LIMIT 1",
            (source_id, native_id),
        ).fetchone()
        if holder is None:
            deleted += conn.execute(
                "DELETE FROM items WHERE source_id = ? AND native_id = ?", (source_id, native_id)
            ).rowcount
            continue
        conn.execute(
            """UPDATE items SET file = ? WHERE source_id = ? AND native_id = ? AND (file IS NULL OR file
               NOT IN (SELECT part FROM sync_records WHERE source_id = ? AND native_id = ?))""",
            (holder[0], source_id, native_id, source_id, native_id),
        )
    return deleted


def forget_part(conn: Connection, source_id: int, part: str) -> int:
    """A part the source no longer has: its records released, its cursor and bad records gone."""
    deleted = release(conn, source_id, [(part, n, o) for n, o in held_by(conn, source_id, part)])
    conn.execute("DELETE FROM sync_files WHERE source_id = ? AND file = ?", (source_id, part))
    conn.execute("DELETE FROM sync_errors WHERE source_id = ? AND file = ?", (source_id, part))
    return deleted
