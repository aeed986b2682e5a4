"""Hybrid search: BM25 and vector similarity fused by reciprocal rank, under filters read from the question.

One call, `Retriever.search`, does what a question needs (`understand.py` reads its filters):

1. BM25 over the full-text index and vector similarity over the chunks, each under the hard filters;
   with an explicit date in the question, a third list of what matches on that day.
2. Reciprocal rank fusion (Cormack et al., 2009: score = sum of 1 / (k + rank)), with k = 10 rather
   than the paper's 60: only the top ten are shown, and with 60 an item both lists rank 15th beat one
   a single list ranks 2nd (bench/eval.py, demo persona in 1,500 look-alike items: recall@10 0.74
   with k = 10, 0.63 with 60; equal on the demo alone). When the question wants the newest ("now",
   "latest", "still"), the best ten ordered newest first join in as one more list.
3. One hit per email thread (its best message) and per recurring event (the occurrence on the date
   asked about, else the one nearest now, upcoming first).
4. For long items, the passage that matched: the vector's chunk, else the chunk holding most of the
   question's words.

`mode` picks "bm25", "vector" or "hybrid" (the evaluation compares them). Without vectors (none
computed, or no embedding model) hybrid is BM25 alone.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

import numpy as np

from homebody.errors import ModelError
from homebody.models.base import Embedder
from homebody.retrieval.chunks import Span, split
from homebody.retrieval.filters import NO_KIND, UNDATED, Filters, Keep, keys_of
from homebody.retrieval.query import terms
from homebody.retrieval.search import Commonness, Hit, bm25, matched_words
from homebody.retrieval.understand import Understood, understand
from homebody.retrieval.vectors import VectorIndex
from homebody.vault.items import Kind
from homebody.vault.store import StoredItem, Vault, utc_text

log = logging.getLogger(__name__)

Mode = Literal["bm25", "vector", "hybrid"]
MODES: tuple[Mode, ...] = ("bm25", "vector", "hybrid")
RRF_K = 10
#: How deep each list goes before fusion.
DEPTH = 50
#: How many of the best hits a question wanting the newest reorders by time.
RECENT = 10
#: Words of source names and kinds that name a kind of item (the channel filters read those) or
#: nothing in particular.
_GENERIC = frozenset(
    {
        "email",
        "gmail",
        "inbox",
        "calendar",
        "messages",
        "imessage",
        "whatsapp",
        "contacts",
        "vcard",
        "notes",
        "documents",
        "feeds",
        "caldav",
        "personal",
        "account",
        "statement",
        "export",
    }
)


@dataclass
class Retrieval:
    """What a search found, how the question was read, and where the time went."""

    hits: list[Hit]
    understood: Understood
    words: list[str]
    mode: Mode
    seconds: dict[str, float] = field(default_factory=dict)


def merge(given: Filters | None, read: Filters) -> Filters:
    """Filters the caller set, completed by those read from the question (the caller's win)."""
    if given is None:
        return read
    return Filters(
        kinds=given.kinds or read.kinds,
        sources=given.sources or read.sources,
        since=given.since or read.since,
        until=given.until or read.until,
        person=given.person if given.person is not None else read.person,
        amount_min=given.amount_min if given.amount_min is not None else read.amount_min,
        amount_max=given.amount_max if given.amount_max is not None else read.amount_max,
    )


class Retriever:
    """Searches one vault, lexically and (once vectors exist) by meaning."""

    def __init__(self, vault: Vault, embedder: Callable[[], Embedder] | None = None) -> None:
        """`embedder` makes the embedding model when a search first needs it."""
        self.vault = vault
        self._factory = embedder
        self._embedder: Embedder | None = None
        self.index = VectorIndex(vault)
        self.common = Commonness(vault)
        # Searches read the same index pages again and again; keep up to 64 MB of them decrypted.
        vault.conn.execute("PRAGMA cache_size = -65536")
        self._warm = False

    def warm(self) -> None:
        """Read the full-text index's document lengths into the page cache, once per retriever.

        BM25 needs each matching item's length: a page read (decrypted) each, scattered, 25-40 us
        apiece, 12-19 ms for a rare word's 500 matches in a million items. All the lengths fill
        ~15 MB of pages per million items and read in order in ~0.3 s; after that a rare word ranks
        in ~2 ms.
        """
        if not self._warm:
            self._warm = True
            self.vault.conn.execute("SELECT sum(length(sz)) FROM items_fts_docsize").fetchone()

    def embedder(self) -> Embedder | None:
        """The embedding model, loaded on first use; None if there is none or it cannot load."""
        if self._embedder is None and self._factory is not None:
            factory, self._factory = self._factory, None
            try:
                self._embedder = factory()
            except ModelError as err:
                log.warning("no embedding model, searching by words only: %s", type(err).__name__)
        return self._embedder

    def close(self) -> None:
        """Release the embedding model's connections, if it holds any."""
        close = getattr(self._embedder, "close", None)
        if callable(close):
            close()
        self._embedder = None

    def has_vectors(self) -> bool:
        """Whether the vault holds vectors of the configured model."""
        self.index.refresh()
        model = self.index.model
        if model is None or not len(self.index):
            return False
        embedder = self.embedder()
        return embedder is not None and (embedder.name, embedder.dim) == (model.name, model.dim)

    def newest(self, filters: Filters, *, limit: int) -> list[Hit]:
        """The newest items the filters let through ("when did I last hear from Dev?")."""
        rowids = _in_period(self.vault, filters, newest=True)[:limit]
        items = self.vault.items_by_rowid(rowids)
        return [
            Hit(items[r], 1.0 / (RRF_K + n), found_by=("recent",))
            for n, r in enumerate(rowids, start=1)
            if r in items
        ]

    def named_sources(self, question: str) -> dict[str, set[str]]:
        """Sources the question names by a distinctive word of their name or kind, with those words.

        "fenwick-savings" is named by "savings" or "Fenwick", a `venmo` source by "Venmo". Words of
        fewer than five letters and those naming a kind of item (email, calendar, ...) are left to
        the channel filters.
        """
        asked = set(terms(question))
        named: dict[str, set[str]] = {}
        for source in self.vault.sources():
            tokens = {
                t for t in re.split(r"[^a-z0-9]+", f"{source.name} {source.kind}".lower()) if len(t) >= 5
            }
            hit = (tokens - _GENERIC) & asked
            if hit:
                named[source.name] = hit
        return named

    def search(
        self,
        question: str,
        *,
        now: datetime,
        zone: ZoneInfo,
        limit: int = 10,
        mode: Mode = "hybrid",
        filters: Filters | None = None,
    ) -> Retrieval:
        """The items that best answer `question`, best first, at most `limit`."""
        self.warm()
        seconds: dict[str, float] = {}
        clock = time.perf_counter()
        read = understand(question, now, zone)
        chosen = merge(filters, read.filters)
        words = terms(read.text) or terms(question)
        lists: list[tuple[str, list[int], float]] = []
        spans: dict[int, Span] = {}
        similarity: dict[int, float] = {}
        named: dict[str, set[str]] = {}  # sources the question names, and the words naming them
        held: dict[int, list[str]] = {}  # the words an item holds, where full-text ranking learnt them
        use_vectors = mode != "bm25" and self.has_vectors()
        if mode != "vector" or not use_vectors:
            lists.append(
                (
                    "bm25",
                    [
                        r
                        for r, _ in bm25(
                            self.vault, words, limit=DEPTH, filters=chosen, common=self.common, held=held
                        )
                    ],
                    1.0,
                )
            )
            if read.soft is not None:
                dated = replace(chosen, since=read.soft.since, until=read.soft.until)
                lists.append(
                    (
                        "date",
                        [
                            r
                            for r, _ in bm25(
                                self.vault, words, limit=DEPTH, filters=dated, common=self.common
                            )
                        ],
                        1.0,
                    )
                )
            named.update(self.named_sources(question) if not chosen.sources else {})
            if named:
                # "my savings account", "on Venmo": the user named a source, which its items'
                # own words rarely do. Its best items (or, with nothing else to go by, its newest)
                # rank higher, without excluding the rest.
                rest = [w for w in words if w not in set().union(*named.values())]
                own = replace(chosen, sources=frozenset(named))
                ranked_own = [
                    r for r, _ in bm25(self.vault, rest, limit=DEPTH, filters=own, common=self.common)
                ]
                lists.append(("source", ranked_own or _in_period(self.vault, own, newest=True), 1.0))
        seconds["bm25"] = time.perf_counter() - clock
        if use_vectors:
            clock = time.perf_counter()
            embedder = self.embedder()
            assert embedder is not None
            query = embedder.embed_query(read.text or question)
            seconds["embed_query"] = time.perf_counter() - clock
            clock = time.perf_counter()
            found = self.index.search(query, limit=DEPTH, filters=chosen)
            spans.update((h.rowid, h.span) for h in found if h.span is not None)
            similarity.update((h.rowid, h.similarity) for h in found if h.similarity is not None)
            lists.append(("vector", [h.rowid for h in found], 1.0))
            if read.soft is not None:
                dated = replace(chosen, since=read.soft.since, until=read.soft.until)
                on_day = self.index.search(query, limit=DEPTH, filters=dated)
                lists.append(("date", [h.rowid for h in on_day], 1.0))
            seconds["vector"] = time.perf_counter() - clock
        clock = time.perf_counter()
        if not words and read.when is not None:
            period = replace(chosen, since=read.when.since, until=read.when.until)
            lists.append(("date", _in_period(self.vault, period), 1.0))
        scores = _fuse(lists)
        ranked = sorted(scores, key=lambda r: -scores[r])
        if read.recency and scores:
            # Among the best few, the newest says what holds now ("when is the dentist now?").
            newest = _newest_first(self.vault, ranked[:RECENT])
            lists.append(("recent", newest, 1.0))
            scores = _fuse(lists)
            order = {r: n for n, r in enumerate(newest)}
            ranked = sorted(scores, key=lambda r: (-scores[r], order.get(r, RECENT)))
        # Read the items in rounds: one per thread may drop some (each item read costs ~80 us).
        items: dict[int, StoredItem] = {}
        kept: list[int] = []
        for depth in (limit + limit // 2, 3 * limit):
            items.update(self.vault.items_by_rowid(r for r in ranked[:depth] if r not in items))
            kept = _one_per_thread([r for r in ranked[:depth] if r in items], items, read, now)[:limit]
            if len(kept) >= limit or depth >= len(ranked):
                break
        found_as: dict[int, int] = {}  # an occurrence standing for the one search found
        if read.when is None:
            kept, found_as = _right_occurrences(self.vault, kept, items, now)
        matched = {r: held[r] for r in kept if r in held}
        matched.update(matched_words(self.vault, words, [r for r in kept if r not in held]))
        hits = [
            Hit(
                items[r],
                scores[found_as.get(r, r)],
                # An item of a source the question names ("on Venmo") matches the naming words.
                tuple(dict.fromkeys([*matched.get(r, ()), *sorted(named.get(items[r].source, ()))])),
                spans.get(r) or _best_span(items[r].item.text, matched.get(r, [])),
                _found_by(found_as.get(r, r), lists),
                similarity.get(found_as.get(r, r)),
            )
            for r in kept
        ]
        seconds["fuse"] = time.perf_counter() - clock
        return Retrieval(hits, read, words, mode if use_vectors or mode == "bm25" else "bm25", seconds)


def _fuse(lists: list[tuple[str, list[int], float]]) -> dict[int, float]:
    """Reciprocal rank fusion of ranked lists of rowids, each with a weight."""
    scores: dict[int, float] = {}
    for _, ranked, weight in lists:
        for rank, rowid in enumerate(ranked, start=1):
            scores[rowid] = scores.get(rowid, 0.0) + weight / (RRF_K + rank)
    return scores


def _found_by(rowid: int, lists: list[tuple[str, list[int], float]]) -> tuple[str, ...]:
    """Names of the lists that found the rowid ("bm25", "vector", "date", "recent")."""
    return tuple(dict.fromkeys(name for name, ranked, _ in lists if rowid in ranked))


def _newest_first(vault: Vault, rowids: list[int]) -> list[int]:
    """The rowids ordered by their item's time, newest first, undated last."""
    marks = ",".join("?" * len(rowids))
    rows = vault.conn.execute(
        f"SELECT rowid FROM items WHERE rowid IN ({marks}) ORDER BY ts IS NULL, ts DESC", rowids
    ).fetchall()
    return [r[0] for r in rows]


def _in_period(vault: Vault, filters: Filters, *, newest: bool = False) -> list[int]:
    """Items the filters let through, oldest first (newest first with `newest`), undated last: for a
    question with no words to search ("what happened yesterday?"), or a source named and no word of
    it matched."""
    keep = Keep(vault, filters)
    keys = keys_of(vault)
    rowids = keep.rowids()
    if rowids is None:
        rowids = np.flatnonzero(keys.kinds != NO_KIND)
    ts = keys.ts[rowids]
    dated = ts != UNDATED
    # Sort keys, last one first: undated after dated, then by time (the newest first if asked),
    # then by rowid.
    order = np.lexsort((rowids, np.where(dated, -ts if newest else ts, 0), ~dated))
    out: list[int] = []
    for start in range(0, len(order), 4 * DEPTH):
        out.extend(keep(int(r) for r in rowids[order[start : start + 4 * DEPTH]]))
        if len(out) >= DEPTH:
            break
    return out[:DEPTH]


def _one_per_thread(
    ranked: list[int], items: dict[int, StoredItem], read: Understood, now: datetime
) -> list[int]:
    """One rowid per email thread (its best) and per recurring event (the right occurrence)."""
    out: list[int] = []
    taken: dict[str, int] = {}
    for rowid in ranked:
        item = items[rowid].item
        if item.thread and item.kind in (Kind.EMAIL, Kind.EVENT):
            key = f"{item.kind}:{item.thread}"
            if key in taken:
                if item.kind is Kind.EVENT and read.when is None:
                    kept = items[out[taken[key]]].item
                    if _nearness(item.ts, now) < _nearness(kept.ts, now):
                        out[taken[key]] = rowid
                continue
            taken[key] = len(out)
        out.append(rowid)
    return out


def _right_occurrences(
    vault: Vault, kept: list[int], items: dict[int, StoredItem], now: datetime
) -> tuple[list[int], dict[int, int]]:
    """A recurring event found by any of its occurrences stands for the next one (else the last one).

    Search ranks occurrences of a series alike (the same words): the one found may be any week's.
    With no time in the question, "when is my one-to-one with Priya?" means the next one. Returns
    the rowids, and which found occurrence each replacement stands for.
    """
    out = []
    found_as = {}
    for rowid in kept:
        item = items[rowid].item
        if item.kind is Kind.EVENT and item.thread:
            same = "source_id = (SELECT source_id FROM items WHERE rowid = ?) AND thread = ? AND kind = ?"
            series = (rowid, item.thread, Kind.EVENT.value)
            row = (
                vault.conn.execute(
                    f"SELECT rowid FROM items WHERE {same} AND ts >= ? ORDER BY ts LIMIT 1",
                    (*series, utc_text(now)),
                ).fetchone()
                or vault.conn.execute(
                    f"SELECT rowid FROM items WHERE {same} ORDER BY ts DESC LIMIT 1", series
                ).fetchone()
            )
            if row is not None and row[0] != rowid and row[0] not in kept:
                items.update(vault.items_by_rowid([row[0]]))
                found_as[row[0]] = rowid
                rowid = row[0]
        out.append(rowid)
    return out, found_as


def _nearness(ts: datetime | None, now: datetime) -> tuple[int, float]:
    """Sort key of an occurrence: upcoming ones first, nearest first; then past ones, latest first."""
    if ts is None:
        return (2, 0.0)
    delta = (ts - now).total_seconds()
    return (0, delta) if delta >= 0 else (1, -delta)


def _best_span(text: str, words: list[str]) -> Span | None:
    """The chunk of a long text holding most of the matched words (None for a one-chunk text)."""
    chunks = split(text)
    if len(chunks) <= 1:
        return None
    lowered = text.lower()

    def held(span: Span) -> int:
        """How many of the words the chunk holds."""
        piece = lowered[span.start : span.end]
        return sum(1 for w in words if w[: max(4, len(w) - 2)] in piece)

    return max(chunks, key=lambda s: (held(s), -s.start))
