"""The audit ledger: every request, retrieval, tool call, verdict, approval and result, hash-chained.

Entries are numbered 1..n. Each stores the hash of the one before (`prev_hash`; the first stores 64
zeros) and its own `hash`: sha256 over a canonical JSON encoding of (seq, at, kind, run_id, data,
prev_hash), where `data` is the exact stored JSON text, so any byte changed in any field changes the
hash. Editing an entry breaks its hash; deleting or inserting one in the middle breaks the numbering or
the next entry's `prev_hash`; swapping two breaks both.

A chain alone cannot show that its newest entries were cut off: what is left still verifies. So the
head (last seq and hash) is anchored in a separate one-row table, `ledger_head`, written in the same
transaction as every append. Deleting the last entries leaves the anchor pointing past the end; a forged
entry appended with a correct hash is not the one the anchor names. The anchor sits inside the vault,
not in a file beside it, because it must commit atomically with the entry (a file would lag behind after
a crash, and the check would have to forgive that) and because the vault is encrypted. Its limit: a
writer holding the vault key can rewrite the chain and the anchor together, as with any local log; the
head hash `audit verify` prints can be noted elsewhere and compared later to catch even that.

The ledger is append-only by API; every append is one `BEGIN IMMEDIATE` transaction, so threads and
processes appending at once get distinct, gapless seq numbers. Entries live in the encrypted vault, but
data is still kept minimal: ids, tool names, verdicts, previews, digests of arguments.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from homebody.errors import LedgerBroken
from homebody.vault.tx import transaction

if TYPE_CHECKING:
    from homebody.vault.store import Vault

log = logging.getLogger(__name__)

GENESIS = "0" * 64


class EntryKind(StrEnum):
    """What an entry records."""

    REQUEST = "request"  # what the user asked
    RETRIEVAL = "retrieval"  # which items were read for it
    TOOL_CALL = "tool_call"  # a tool about to run
    VERDICT = "verdict"  # the guard's decision on a proposed action
    APPROVAL = "approval"  # an approval proposed, approved, denied, cancelled or expired
    RESULT = "result"  # what a tool call did
    ERROR = "error"  # a tool call or run that failed


@dataclass(frozen=True)
class Entry:
    """One ledger entry."""

    seq: int
    at: datetime
    kind: EntryKind
    run_id: str | None
    data: dict[str, Any]
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class Report:
    """The result of checking the chain: how many entries, the head, and the first broken one."""

    entries: int
    head: str
    broken_at: int | None = None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        """Whether every entry and the head anchor verify."""
        return self.broken_at is None


def time_text(ts: datetime) -> str:
    """A time as the ledger and approvals store it: UTC, fixed width to the microsecond (sorts as text)."""
    return ts.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(value: Any) -> str:
    """The one JSON text of a value that is hashed: sorted keys, no spaces, UTF-8 as is."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def entry_hash(seq: int, at: str, kind: str, run_id: str | None, data: str, prev_hash: str) -> str:
    """The hash of an entry's stored fields."""
    encoded = canonical([seq, at, kind, run_id, data, prev_hash]).encode("utf-8")
    return hashlib.sha256(encoded).hexdigest()


class Ledger:
    """The vault's audit ledger: append, read, verify."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    def append(
        self, kind: EntryKind | str, data: dict[str, Any], *, run_id: str | None = None, at: datetime
    ) -> Entry:
        """Add an entry after the current head, in its own transaction (or the caller's)."""
        kind = EntryKind(kind)
        # Through JSON once, so the entry returned holds exactly what was stored and hashed.
        text = canonical(json.loads(json.dumps(data, default=str)))
        when = time_text(at)
        with transaction(self.vault) as conn:
            row = conn.execute("SELECT seq, hash FROM ledger_head WHERE id = 1").fetchone()
            seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS)
            digest = entry_hash(seq, when, str(kind), run_id, text, prev)
            conn.execute(
                "INSERT INTO ledger (seq, at, kind, run_id, data, prev_hash, hash)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (seq, when, str(kind), run_id, text, prev, digest),
            )
            conn.execute(
                "INSERT INTO ledger_head (id, seq, hash) VALUES (1, ?, ?) "
                "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
                (seq, digest),
            )
        log.debug("ledger entry %d (%s)", seq, kind)
        return Entry(seq, datetime.fromisoformat(when), kind, run_id, json.loads(text), prev, digest)

    def get(self, seq: int) -> Entry | None:
        """The entry numbered `seq`, if there is one."""
        row = self.vault.conn.execute("SELECT * FROM ledger WHERE seq = ?", (seq,)).fetchone()
        return _entry(row) if row is not None else None

    def entries(
        self,
        *,
        run_id: str | None = None,
        kind: EntryKind | str | None = None,
        after: int = 0,
        limit: int | None = None,
        newest: bool = False,
    ) -> list[Entry]:
        """Entries in seq order, optionally of one run or kind; `newest` keeps the last `limit`."""
        where = ["seq > ?"]
        params: list[object] = [after]
        if run_id is not None:
            where.append("run_id = ?")
            params.append(run_id)
        if kind is not None:
            where.append("kind = ?")
            params.append(str(EntryKind(kind)))
        sql = f"SELECT * FROM ledger WHERE {' AND '.join(where)} ORDER BY seq {'DESC' if newest else 'ASC'}"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        found = [_entry(r) for r in self.vault.conn.execute(sql, params)]
        return sorted(found, key=lambda e: e.seq)

    def count(self) -> int:
        """How many entries the ledger holds."""
        return int(self.vault.conn.execute("SELECT count(*) FROM ledger").fetchone()[0])

    def verify(self) -> Report:
        """Check every entry's hash, the numbering, the links and the head anchor; stop at the first break."""
        conn = self.vault.conn
        with self.vault.lock:  # one snapshot (a read transaction), never a chain half-way through an append
            outer = conn.in_transaction
            if not outer:
                conn.execute("BEGIN")
            try:
                head = conn.execute("SELECT seq, hash FROM ledger_head WHERE id = 1").fetchone()
                rows = conn.execute(
                    "SELECT seq, at, kind, run_id, data, prev_hash, hash FROM ledger ORDER BY seq"
                )
                return _walk(rows, None if head is None else (head[0], head[1]))
            finally:
                if not outer:
                    conn.execute("COMMIT")

    def check(self) -> Report:
        """The verification report, or LedgerBroken naming the first broken entry and why."""
        report = self.verify()
        if not report.ok:
            log.warning("ledger broken at entry %s", report.broken_at)
            raise LedgerBroken(
                f"ledger broken at entry {report.broken_at}: {report.reason} "
                f"({report.entries} entries verify before it)"
            )
        return report


def _walk(rows: Iterable[Any], head: tuple[int, str] | None) -> Report:
    """Follow the chain through `rows` (in seq order) and compare its end with the head anchor."""
    expected_seq, prev = 1, GENESIS
    for row in rows:
        seq, at, kind, run_id, data, prev_hash, stored = tuple(row)
        if seq != expected_seq:
            why = (
                f"entry {expected_seq} is missing (the next is {seq})"
                if seq > expected_seq
                else f"an entry numbered {seq} is out of place (expected {expected_seq})"
            )
            return Report(expected_seq - 1, prev, expected_seq, why)
        if prev_hash != prev:
            return Report(seq - 1, prev, seq, "its link to the entry before does not match")
        try:
            digest = entry_hash(seq, at, kind, run_id, data, prev_hash)
        except (TypeError, ValueError):  # a field overwritten with a value of the wrong type
            digest = None
        if digest != stored:
            return Report(seq - 1, prev, seq, "its content does not match its hash (edited)")
        expected_seq, prev = seq + 1, stored
    count = expected_seq - 1
    if head is None:
        return Report(count, prev, 1, "the head anchor is missing") if count else Report(0, GENESIS)
    head_seq, head_hash = head
    if head_seq > count:
        return Report(count, prev, count + 1, f"entries {count + 1}..{head_seq} were deleted from the end")
    if head_seq < count:
        return Report(count, prev, head_seq + 1, f"entries after {head_seq} were added outside the ledger")
    if head_hash != prev:
        return Report(count, prev, count, "the last entry is not the one the head anchor names")
    return Report(count, prev)


def _entry(row: Any) -> Entry:
    return Entry(
        seq=row["seq"],
        at=datetime.fromisoformat(row["at"]),
        kind=EntryKind(row["kind"]),
        run_id=row["run_id"],
        data=json.loads(row["data"]),
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )
