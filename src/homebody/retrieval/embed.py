"""Compute the vault's vectors: every item's chunks through the embedding model, in batches.

Run after a sync (and by `homebody embed`). Work is committed batch by batch and only items without
chunks are pending, so an interrupted run resumes where it stopped, and an item whose content
changed (its chunks were dropped by a trigger) is embedded again. Vectors are stored in the vault,
so they are encrypted like everything else: float16 unit vectors, plus a sign-bit code of each for
the first pass of vector search.

A vault remembers which model made its vectors; when the configured model differs (another name or
dimension), every vector is dropped and computed again, since vectors of two models do not compare.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

import numpy as np
import numpy.typing as npt

from homebody.models.base import Embedder
from homebody.retrieval.chunks import Span, passage, split
from homebody.vault.store import Vault, stored_item, utc_text

log = logging.getLogger(__name__)

#: Items read per batch; their chunks go to the model in one call.
BATCH = 64


class EmbedProgress(Protocol):
    """Where embedding reports how far it got; the CLI draws a progress bar from it."""

    def started(self, total: int) -> None:
        """Embedding begins with this many items to do."""

    def advanced(self, items: int) -> None:
        """This many more items are done."""


class NoEmbedProgress:
    """Progress that goes nowhere."""

    def started(self, total: int) -> None:
        """Ignore."""

    def advanced(self, items: int) -> None:
        """Ignore."""


@dataclass(frozen=True)
class EmbedReport:
    """What one embedding run did."""

    model: str
    items: int
    chunks: int
    seconds: float
    embed_seconds: float
    rebuilt: bool


@dataclass(frozen=True)
class ModelRecord:
    """The model a vault's vectors came from, and the centre their codes are taken around."""

    name: str
    dim: int
    centre: npt.NDArray[np.float32] | None
    started_at: str = ""
    deleted: int = 0


def model_record(vault: Vault) -> ModelRecord | None:
    """The model the vault's vectors came from, if any were made."""
    row = vault.conn.execute(
        "SELECT name, dim, centre, started_at, deleted FROM embedding_model WHERE id = 1"
    ).fetchone()
    if row is None:
        return None
    centre = np.frombuffer(row["centre"], dtype=np.float32).copy() if row["centre"] else None
    return ModelRecord(row["name"], int(row["dim"]), centre, row["started_at"], int(row["deleted"]))


def use_model(vault: Vault, name: str, dim: int) -> bool:
    """Make `name` the vault's embedding model; True if older vectors had to be dropped."""
    record = model_record(vault)
    if record is not None and (record.name, record.dim) == (name, dim):
        return False
    vault.conn.execute("BEGIN IMMEDIATE")
    try:
        # The record goes first, so the per-chunk delete trigger has no counter left to update.
        vault.conn.execute("DELETE FROM embedding_model")
        vault.conn.execute("DELETE FROM chunks")
        vault.conn.execute(
            "INSERT INTO embedding_model (id, name, dim, centre, started_at) VALUES (1, ?, ?, NULL, ?)",
            (name, dim, utc_text(datetime.now(UTC))),
        )
        vault.conn.execute("COMMIT")
    except BaseException:
        vault.conn.execute("ROLLBACK")
        raise
    if record is not None:
        log.info("embedding model changed (dimension %d -> %d): vectors dropped", record.dim, dim)
    return record is not None


def pending(vault: Vault) -> int:
    """How many items have no vectors yet."""
    row = vault.conn.execute(
        "SELECT count(*) FROM items i WHERE NOT EXISTS (SELECT 1 FROM chunks c WHERE c.item_rowid = i.rowid)"
    ).fetchone()
    return int(row[0])


def codes(vectors: npt.NDArray[np.float32], centre: npt.NDArray[np.float32]) -> npt.NDArray[np.uint8]:
    """One sign bit per dimension of each vector around `centre`, packed into 64-bit words."""
    bits = vectors - centre > 0
    words = -(-vectors.shape[1] // 64)
    padded = np.zeros((vectors.shape[0], words * 64), dtype=bool)
    padded[:, : vectors.shape[1]] = bits
    return np.packbits(padded, axis=1, bitorder="little")


def embed_pending(
    vault: Vault,
    embedder: Embedder,
    *,
    progress: EmbedProgress | None = None,
    batch: int = BATCH,
    limit: int | None = None,
) -> EmbedReport:
    """Embed every item that has no vectors (at most `limit` of them), committing batch by batch."""
    progress = progress or NoEmbedProgress()
    started = time.perf_counter()
    rebuilt = use_model(vault, embedder.name, embedder.dim)
    total = pending(vault)
    if limit is not None:
        total = min(total, limit)
    progress.started(total)
    record = model_record(vault)
    centre = record.centre if record else None
    done = chunks_done = 0
    model_seconds = 0.0
    after = 0
    while done < total:
        rows = vault.conn.execute(
            """SELECT i.*, s.name AS source_name, s.kind AS source_kind FROM items i
               JOIN sources s ON s.id = i.source_id
               WHERE i.rowid > ? AND NOT EXISTS (SELECT 1 FROM chunks c WHERE c.item_rowid = i.rowid)
               ORDER BY i.rowid LIMIT ?""",
            (after, min(batch, total - done)),
        ).fetchall()
        if not rows:
            break
        after = rows[-1]["rowid"]
        plan: list[tuple[int, int, Span, str]] = []
        for row in rows:
            item = stored_item(row).item
            plan.extend(
                (row["rowid"], n, span, passage(item, span)) for n, span in enumerate(split(item.text))
            )
        clock = time.perf_counter()
        vectors = np.asarray(embedder.embed_passages([p[3] for p in plan]), dtype=np.float32)
        model_seconds += time.perf_counter() - clock
        if centre is None:
            # The codes are sign bits around the mean of the first vectors: e5 vectors share a large
            # common direction, and bits taken around zero would mostly say only that.
            centre = vectors.mean(axis=0).astype(np.float32)
            vault.conn.execute("UPDATE embedding_model SET centre = ? WHERE id = 1", (centre.tobytes(),))
        _store(vault, plan, vectors, codes(vectors, centre))
        done += len(rows)
        chunks_done += len(plan)
        progress.advanced(len(rows))
    seconds = time.perf_counter() - started
    log.info("embedded %d items (%d chunks) in %.1f s", done, chunks_done, seconds)
    return EmbedReport(embedder.name, done, chunks_done, seconds, model_seconds, rebuilt)


def _store(
    vault: Vault,
    plan: list[tuple[int, int, Span, str]],
    vectors: npt.NDArray[np.float32],
    packed: npt.NDArray[np.uint8],
) -> None:
    half = vectors.astype(np.float16)
    vault.conn.execute("BEGIN IMMEDIATE")
    try:
        for (rowid, n, span, _), vector, code in zip(plan, half, packed, strict=True):
            cursor = vault.conn.execute(
                "INSERT INTO chunks (item_rowid, n, start_char, end_char, code) VALUES (?, ?, ?, ?, ?)",
                (rowid, n, span.start, span.end, code.tobytes()),
            )
            vault.conn.execute(
                "INSERT INTO chunk_vectors (chunk_id, vector) VALUES (?, ?)",
                (cursor.lastrowid, vector.tobytes()),
            )
        vault.conn.execute("COMMIT")
    except BaseException:
        vault.conn.execute("ROLLBACK")
        raise
