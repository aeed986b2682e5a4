"""Vector search over the vault's chunks: sign codes scanned in memory, then exact cosine from the vault.

Why not sqlite-vec's `vec0`: on this machine its brute-force KNN took ~37 ms per 100k chunks with
bit vectors and ~130 ms with float32 (so 0.4-1.3 s at a million), and SQLCipher must decrypt every
page it scans. Instead each chunk's 48-byte sign code (one bit per dimension, around the centre of
the first vectors) and its item's rowid are held in memory, one numpy column per 64 dimensions
(~60 MB per million chunks); filters are judged by the item keys in memory (`filters.py`). A
search runs in three stages:

1. Hamming distance to the query's code: the `SHORTLIST` nearest (past `TWO_STAGE` chunks the first
   64 bits pick the nearest 4% before all bits are compared). When the filters allow few chunks (a
   person's, a month's), those alone are compared, found by binary search over chunks sorted by item;
2. those ordered by the query vector's dot product with their signs, in memory;
3. the best `POOL` scored exactly with their float16 vectors read from the encrypted vault by
   primary key. Deeper ranks keep the stage-2 order.

The index loads lazily (~4-5 s for a million chunks here), picks up chunks added since (by id), and
reloads when many were deleted."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from homebody.retrieval.chunks import Span
from homebody.retrieval.embed import ModelRecord, codes, model_record
from homebody.retrieval.filters import NO_KIND, UNDATED, Filters, Keep, keys_of
from homebody.vault.store import Vault

log = logging.getLogger(__name__)

#: Chunks whose codes are nearest the query's (Hamming) go on to be scored against the query
#: vector itself (the dot product of the query with each code's signs: cheap, in memory)...
SHORTLIST = 2048
#: ... and the best of those are scored exactly with their stored vectors. Each exact score costs
#: a page read (decrypted) from the vault, 30-150 us here, so few are.
POOL = 128
#: Above this many chunks the code scan runs in two stages (see `_nearest_codes`).
TWO_STAGE = 200_000


@dataclass(frozen=True)
class VectorHit:
    """One item found by vector search: its best chunk and that chunk's cosine similarity.

    Hits past the exactly scored few are ranked by their codes alone: no similarity, no span.
    """

    rowid: int
    chunk: int
    similarity: float | None
    span: Span | None


class VectorIndex:
    """The sign codes of a vault's chunks, in memory, for one process."""

    def __init__(self, vault: Vault) -> None:
        self._vault = vault
        self._model: ModelRecord | None = None
        self._max_id = 0
        self._deleted = 0
        self._ids = np.zeros(0, dtype=np.int64)
        self._items = np.zeros(0, dtype=np.int64)
        self._words: list[npt.NDArray[np.uint64]] = []
        self._by_item: tuple[npt.NDArray[np.intp], npt.NDArray[np.int64]] | None = None
        self._keyed: tuple[tuple[int, int, int], dict[str, npt.NDArray[Any]]] | None = None
        self._top_item = 0
        self.load_seconds = 0.0

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def model(self) -> ModelRecord | None:
        """The model the loaded vectors came from (None: the vault has none)."""
        return self._model

    def refresh(self) -> None:
        """Load chunks added since the last look; everything again if the model changed or many went."""
        record = model_record(self._vault)
        same = (
            record is not None
            and self._model is not None
            and (record.name, record.dim, record.started_at)
            == (self._model.name, self._model.dim, self._model.started_at)
            and record.centre is not None
            and self._model.centre is not None
        )
        if not same or (record is not None and record.deleted - self._deleted > 0.05 * max(len(self), 1000)):
            self._reset(record)
        if record is None or record.centre is None:
            return
        top = self._vault.conn.execute("SELECT max(id) FROM chunks").fetchone()[0]
        if top is not None and top > self._max_id:
            self._load(self._max_id)

    def _reset(self, record: ModelRecord | None) -> None:
        self._model = record
        self._max_id = 0
        self._deleted = record.deleted if record else 0
        self._ids = np.zeros(0, dtype=np.int64)
        self._items = np.zeros(0, dtype=np.int64)
        self._words = []
        self._by_item = None
        self._top_item = 0

    def _load(self, after: int) -> None:
        started = time.perf_counter()
        cursor = self._vault.conn.execute(
            "SELECT id, item_rowid, code FROM chunks WHERE id > ? ORDER BY id", (after,)
        )
        parts: list[tuple[npt.NDArray[np.int64], ...]] = []
        blocks: list[npt.NDArray[np.uint64]] = []
        while rows := cursor.fetchmany(65536):
            ids, items, code_bytes = zip(*rows, strict=True)
            parts.append(tuple(np.fromiter(c, dtype=np.int64, count=len(rows)) for c in (ids, items)))
            blocks.append(np.frombuffer(b"".join(code_bytes), dtype=np.uint64).reshape(len(rows), -1))
        if not parts:
            return
        ids_, items_ = (np.concatenate([p[n] for p in parts]) for n in range(2))
        words = np.concatenate(blocks)
        self._ids = np.concatenate([self._ids, ids_])
        self._items = np.concatenate([self._items, items_])
        if not self._words:
            self._words = [np.zeros(0, dtype=np.uint64) for _ in range(words.shape[1])]
        self._words = [np.concatenate([old, words[:, w]]) for w, old in enumerate(self._words)]
        self._max_id = int(self._ids[-1])
        self._top_item = int(self._items.max())
        self._by_item = None
        self.load_seconds += time.perf_counter() - started
        log.info("vector index: %d chunks loaded in %.2f s", len(ids_), time.perf_counter() - started)

    def search(
        self, query: npt.NDArray[np.float32], *, limit: int, filters: Filters | None = None
    ) -> list[VectorHit]:
        """The items whose chunks are nearest the query vector, best first, one hit per item."""
        self.refresh()
        if self._model is None or self._model.centre is None or not len(self) or limit <= 0:
            return []
        if query.shape[-1] != self._model.dim:
            return []
        keep = Keep(self._vault, filters or Filters())
        allowed, subset = self._allowed(keep)
        if subset is not None:
            # Few allowed: their chunks alone are compared, on every bit.
            if len(subset) > SHORTLIST:
                subset = subset[_smallest(_hamming(self._words, self._query_code(query), subset), SHORTLIST)]
            positions = subset
        elif (allowed.sum() if allowed is not None else len(self)) > SHORTLIST:
            positions = self._nearest_codes(query, SHORTLIST, allowed)
        else:
            positions = np.flatnonzero(allowed) if allowed is not None else np.arange(len(self))
        if not len(positions):
            return []
        ordered = positions[self._by_signs(query, positions)] if len(positions) > POOL else positions
        hits = self._score(query, self._ids[ordered[:POOL]], limit, keep)
        # Deeper ranks (they still count in fusion) come from the codes, without a page read each.
        seen = {h.rowid for h in hits}
        for position in ordered[POOL:]:
            if len(hits) >= limit:
                break
            rowid = int(self._items[position])
            if rowid not in seen:
                seen.add(rowid)
                hits.append(VectorHit(rowid, int(self._ids[position]), None, None))
        return hits

    def _by_signs(
        self, query: npt.NDArray[np.float32], positions: npt.NDArray[np.intp]
    ) -> npt.NDArray[np.intp]:
        """Order of the chunks at `positions` by the query's dot product with their codes' signs."""
        packed = np.stack([column[positions] for column in self._words], axis=1)
        bits = np.unpackbits(packed.view(np.uint8), axis=1, bitorder="little")[:, : query.shape[-1]]
        signs = bits.astype(np.float32) * 2 - 1
        return np.argsort(-(signs @ query.astype(np.float32)), kind="stable")

    def _allowed(self, keep: Keep) -> tuple[npt.NDArray[np.bool_] | None, npt.NDArray[np.intp] | None]:
        """The chunks the filters allow: as a mask over all (None: all), or, when they are few
        (a person's, a week's), as their positions."""
        if keep.everything:
            return None, None
        rowids = keep.narrow()
        if rowids is not None:
            if len(rowids) <= len(self) // 64:  # a person's, a week's: by binary search
                return None, self._positions_of(rowids)
            items = np.zeros(max(self._top_item, int(rowids.max()) if len(rowids) else 0) + 1, np.bool_)
            items[rowids] = True
            mask = items[self._items]
            return (None, np.flatnonzero(mask)) if len(rowids) <= len(self) // 8 else (mask, None)
        columns = self._chunk_keys()
        return keep.judge(lambda name: columns[name], len(self)), None

    def _chunk_keys(self) -> dict[str, npt.NDArray[Any]]:
        """Each chunk's item's kind, time and source (gathered once per change of either)."""
        keys = keys_of(self._vault)
        stamp = (id(keys), keys.generation, len(self))
        if self._keyed is None or self._keyed[0] != stamp:
            inside = np.minimum(self._items, keys.top)  # a chunk of an item newer than the keys: none's
            known = self._items <= keys.top
            columns = {
                "kinds": np.where(known, keys.kinds[inside], NO_KIND).astype(np.uint8),
                "ts": np.where(known, keys.ts[inside], UNDATED),
                "sources": np.where(known, keys.sources[inside], -1),
            }
            self._keyed = (stamp, columns)
        return self._keyed[1]

    def _positions_of(self, rowids: npt.NDArray[np.int64]) -> npt.NDArray[np.intp]:
        """Positions of the chunks of these items (sorted rowids), in the items' order."""
        if self._by_item is None:
            # Sorted once per load: then any set of items finds its chunks by binary search.
            order = np.argsort(self._items, kind="stable")
            self._by_item = (order, self._items[order])
        order, items = self._by_item
        first = np.searchsorted(items, rowids, side="left")
        last = np.searchsorted(items, rowids, side="right")
        counts = last - first
        if not counts.sum():
            return np.zeros(0, dtype=np.intp)
        # All ranges [first, last) at once: each range's start repeated, plus 0, 1, 2, ... within it.
        starts = np.repeat(first, counts)
        within = np.arange(len(starts)) - np.repeat(np.cumsum(counts) - counts, counts)
        # Item order, not position order: ties in distance are then broken by item, as deterministic.
        found: npt.NDArray[np.intp] = order[starts + within]
        return found

    def _query_code(self, query: npt.NDArray[np.float32]) -> npt.NDArray[np.uint64]:
        centre = self._model.centre if self._model else None
        assert centre is not None
        return np.frombuffer(codes(query.reshape(1, -1), centre).tobytes(), dtype=np.uint64)

    def _nearest_codes(
        self, query: npt.NDArray[np.float32], pool: int, allowed: npt.NDArray[np.bool_] | None
    ) -> npt.NDArray[np.intp]:
        """Positions of the `pool` chunks whose codes are nearest the query's, by Hamming distance.

        Past `TWO_STAGE` chunks, the first 64 bits pick the nearest 4% and only those are compared
        on every bit: a sixth of the memory read; the later stages still see the true neighbours.
        """
        qwords = self._query_code(query)
        positions: npt.NDArray[np.intp] | None = None
        if len(self) > TWO_STAGE and len(self._words) > 2:
            # One 64-bit word: its popcount is the distance, no sum over words, uint8 throughout.
            rough = np.bitwise_count(np.bitwise_xor(self._words[0], qwords[0])).astype(np.uint16)
            if allowed is not None:
                rough |= _excluded(allowed)
            positions = _smallest(rough, max(16 * pool, len(self) // 25))
            distance = _hamming(self._words, qwords, positions)
        else:
            distance = _hamming(self._words, qwords, None)
            if allowed is not None:
                distance |= _excluded(allowed)
        nearest = _smallest(distance, pool)
        return nearest if positions is None else positions[nearest]

    def _score(
        self, query: npt.NDArray[np.float32], chunk_ids: npt.NDArray[np.int64], limit: int, keep: Keep
    ) -> list[VectorHit]:
        """Exact cosine of the candidate chunks, read from the vault, best per item the filters keep."""
        rows = self._vault.conn.execute(
            """SELECT c.id, c.item_rowid, c.start_char, c.end_char, v.vector
               FROM chunks c JOIN chunk_vectors v ON v.chunk_id = c.id
               WHERE c.id IN (SELECT value FROM json_each(?))""",
            ("[" + ",".join(map(str, chunk_ids.tolist())) + "]",),
        ).fetchall()
        if not keep.everything:
            passed = set(keep({r[1] for r in rows}))
            rows = [r for r in rows if r[1] in passed]
        if not rows:
            return []
        matrix = np.frombuffer(b"".join(r[4] for r in rows), dtype=np.float16).reshape(len(rows), -1)
        similarity = matrix.astype(np.float32) @ query.astype(np.float32)
        best: dict[int, VectorHit] = {}
        for n in np.argsort(-similarity, kind="stable"):
            row = rows[int(n)]
            if row[1] not in best:
                best[row[1]] = VectorHit(row[1], row[0], float(similarity[n]), Span(row[2], row[3]))
                if len(best) >= limit:
                    break
        return list(best.values())


def _excluded(allowed: npt.NDArray[np.bool_]) -> npt.NDArray[np.uint16]:
    """The largest distance where not allowed, else 0: OR-ed into distances, it excludes (by
    arithmetic: assigning through a boolean mask costs 15x as much)."""
    return (~allowed).view(np.uint8).astype(np.uint16) * np.uint16(np.iinfo(np.uint16).max)


def _hamming(
    columns: list[npt.NDArray[np.uint64]],
    query: npt.NDArray[np.uint64],
    positions: npt.NDArray[np.intp] | None,
) -> npt.NDArray[np.uint16]:
    """Bits differing between the query's code and each chunk's (at `positions`, or all)."""
    size = len(columns[0]) if positions is None else len(positions)
    distance = np.zeros(size, dtype=np.uint16)
    scratch = np.empty(size, dtype=np.uint64)
    bits = np.empty(size, dtype=np.uint8)
    for column, word in zip(columns, query, strict=False):
        np.bitwise_xor(column if positions is None else column[positions], word, out=scratch)
        np.bitwise_count(scratch, out=bits)
        np.add(distance, bits, out=distance)
    return distance


def _smallest(distance: npt.NDArray[np.uint16], count: int) -> npt.NDArray[np.intp]:
    """Positions of the `count` smallest distances (ties broken by position; excluded ones never).

    Over many distances, a histogram of every 16th sets a cutoff a little past the `count`th
    (counting all of a million costs 6 ms here, a sixteenth of them 0.4 ms); the exact choice is
    then made among the few under it, which hold the `count` smallest whenever there are enough.
    """
    excluded = np.iinfo(np.uint16).max
    if len(distance) > 16 * SAMPLED:
        sample = np.cumsum(np.bincount(distance[::16], minlength=1)[:excluded])
        cutoff = int(np.searchsorted(sample, (count + count // 8) // 16 + 16))
        if cutoff < len(sample):
            near = np.flatnonzero(distance <= cutoff)
            if len(near) >= count:
                return near[_exact_smallest(distance[near], count)]
    return _exact_smallest(distance, count)


#: Past 16 times this many distances, `_smallest` finds its cutoff from a sample.
SAMPLED = 16_384


def _exact_smallest(distance: npt.NDArray[np.uint16], count: int) -> npt.NDArray[np.intp]:
    # A histogram finds the distance that admits `count` faster than a partial sort.
    excluded = np.iinfo(np.uint16).max
    counts = np.bincount(distance, minlength=1)[:excluded]
    cutoff = min(int(np.searchsorted(np.cumsum(counts), count)), excluded - 1)
    chosen = np.flatnonzero(distance <= cutoff)
    if len(chosen) > count:
        # Too many tied at the cutoff: keep all below it and the first of the ties.
        below = distance[chosen] < cutoff
        keep = below | (np.cumsum(~below) <= count - int(below.sum()))
        chosen = chosen[keep]
    return chosen
