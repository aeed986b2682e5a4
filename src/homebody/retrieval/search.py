"""Full-text search of the vault: BM25 over titles, bodies and people, with filters.

This is the lexical half of hybrid search (`hybrid.py`) and works alone when no vectors exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from homebody.retrieval.chunks import Span
from homebody.retrieval.filters import Filters, Keep
from homebody.retrieval.query import fts_expression, terms
from homebody.vault.store import StoredItem, Vault

# Column weights for bm25(): a word in the title or the sender says more than one in a long body.
_WEIGHTS = "3.0, 1.0, 2.0, 0.5"


@dataclass(frozen=True)
class Hit:
    """One search result: the item, its score (higher is better) and the words it matched.

    `span` is the passage of a long item that matched best (None: the whole text); `found_by`
    names the searches that found it ("bm25", "vector", "date", "recent").
    """

    stored: StoredItem
    score: float
    matched: tuple[str, ...] = field(default=())
    span: Span | None = None
    found_by: tuple[str, ...] = field(default=())
    similarity: float | None = None  # cosine of the best chunk to the question, if vectors were used

    @property
    def id(self) -> str:
        """The item's id."""
        return self.stored.id

    @property
    def passage(self) -> str:
        """The part of the item's text that matched (all of it for a short item)."""
        text = self.stored.item.text
        return text[self.span.start : self.span.end] if self.span else text


class Commonness:
    """Which words are too common to rank by, looked up once each (per process) from the index.

    BM25 costs time in proportion to the items matched, so a word in more than `COMMON` items is
    left out of the ranking whenever the question has a rarer one: it would add little (its IDF is
    low) and cost much. Asking costs one index walk of at most `COMMON` entries.
    """

    def __init__(self, vault: Vault) -> None:
        self._vault = vault
        self._known: dict[str, bool] = {}

    def __call__(self, word: str) -> bool:
        """Whether more than `COMMON` items hold the word."""
        if word not in self._known:
            if len(self._known) > 50_000:
                self._known.clear()
            row = self._vault.conn.execute(
                "SELECT rowid FROM items_fts WHERE items_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
                (fts_expression([word]), COMMON),
            ).fetchone()
            self._known[word] = row is not None
        return self._known[word]


#: A word in more items than this is common (see `Commonness`).
COMMON = 500
#: When every word is common, only the newest this many matching items are ranked...
BUDGET = 1500
#: ... found among at most this many of the newest items holding any of the words.
SCAN = 5000


def bm25(
    vault: Vault,
    words: list[str],
    *,
    limit: int,
    filters: Filters | None = None,
    common: Commonness | None = None,
    held: dict[int, list[str]] | None = None,
) -> list[tuple[int, float]]:
    """(rowid, score) of the items best matching the question's words, best first.

    `held`, if given, receives the words each ranked item holds where the ranking learnt them
    (saving `matched_words` the asking).

    Ranks by BM25 over the words no more than `COMMON` items hold. FTS5's bm25() counts every item
    holding each word to weigh it (120 ms for three common words in a million items), so a
    question of common words only is ranked without it: among the newest matching items, by how
    many of the words each holds, newest first. Filters are judged in memory (`filters.Keep`):
    inside the query, SQLite would read each candidate's row, or test the match item by item.
    """
    if not words or limit <= 0:
        return []
    keep = Keep(vault, filters or Filters())
    common = common or Commonness(vault)
    rare = [w for w in words if not common(w)]
    if not rare:
        return _common_only(vault, words, limit=limit, keep=keep, held=held)
    # Rare words match at most COMMON items each: under filters, rank them all, then keep some.
    rows = vault.conn.execute(
        f"""SELECT rowid, bm25(items_fts, {_WEIGHTS}) AS rank FROM items_fts
            WHERE items_fts MATCH ? ORDER BY rank LIMIT ?""",
        (fts_expression(rare), limit if keep.everything else COMMON * len(rare)),
    ).fetchall()
    score = {int(r[0]): -float(r[1]) for r in rows}
    return [(rowid, score[rowid]) for rowid in keep(score)[:limit]]


#: With this few candidates, which words each holds is asked item by item (a seek per word and
#: item, ~40 us); with more, each word's matches over the candidates' range are read once.
SEEK = 48


def _common_only(
    vault: Vault, words: list[str], *, limit: int, keep: Keep, held: dict[int, list[str]] | None = None
) -> list[tuple[int, float]]:
    """The newest items holding the most of the (all common) words; score = words held."""
    words = list(dict.fromkeys(words))
    words_of: dict[int, list[str]] = {}
    span = keep.span()
    if span is None:
        return []
    low, high = span
    # One word: every candidate holds it, the newest `limit` are the answer.
    wanted = limit if len(words) == 1 else BUDGET
    newest = vault.conn.execute(
        """SELECT rowid FROM items_fts WHERE items_fts MATCH ? AND rowid BETWEEN ? AND ?
           ORDER BY rowid DESC LIMIT ?""",
        (fts_expression(words), low, high, min(wanted, SCAN) if keep.everything else SCAN),
    )
    candidates: list[int] = []
    while len(candidates) < wanted and (rows := newest.fetchmany(min(wanted, BUDGET // 2))):
        candidates.extend(keep(r[0] for r in rows))
    del candidates[wanted:]
    if not candidates:
        return []
    if len(words) == 1:
        if held is not None:
            held.update((rowid, list(words)) for rowid in candidates[:limit])
        return [(rowid, 1.0) for rowid in candidates[:limit]]
    floor, ceiling = min(candidates), max(candidates)
    if len(candidates) >= limit:
        # Enough of these holding every word (FTS5 intersects the lists over the same newest
        # range) make the answer without counting each word's matches item by item. (Those
        # holding every word are candidates themselves: with fewer candidates than `limit`, or a
        # person's few, there cannot be enough.)
        every: list[int] = []
        cursor = vault.conn.execute(
            """SELECT rowid FROM items_fts WHERE items_fts MATCH ? AND rowid BETWEEN ? AND ?
               ORDER BY rowid DESC""",
            (" AND ".join(fts_expression([w]) for w in words), floor, ceiling),
        )
        while len(every) < limit and (rows := cursor.fetchmany(256)):
            every.extend(keep(r[0] for r in rows))
        if len(every) >= limit:
            if held is not None:
                held.update((rowid, list(words)) for rowid in every[:limit])
            return [(rowid, float(len(words))) for rowid in every[:limit]]
        if len(words) >= 3:
            # Then those holding every word but one, newest first: one intersection per word left
            # out, each read only as far as the places left (cheaper than reading every word's
            # matches over the range).
            places = limit - len(every)
            tier: dict[int, list[str]] = {rowid: list(words) for rowid in every}
            for left_out in words:
                rest = [w for w in words if w != left_out]
                cursor = vault.conn.execute(
                    """SELECT rowid FROM items_fts WHERE items_fts MATCH ? AND rowid BETWEEN ? AND ?
                       ORDER BY rowid DESC""",
                    (" AND ".join(fts_expression([w]) for w in rest), floor, ceiling),
                )
                found = 0
                while found < places and (rows := cursor.fetchmany(64)):
                    for rowid in keep(r[0] for r in rows):
                        if rowid not in tier:
                            tier[rowid] = rest
                            found += 1
            if len(tier) >= limit:
                ranked = sorted(tier, key=lambda r: (-len(tier[r]), -r))[:limit]
                if held is not None:
                    held.update((rowid, tier[rowid]) for rowid in ranked)
                return [(rowid, float(len(tier[rowid]))) for rowid in ranked]
    if len(candidates) <= SEEK:
        words_of.update(matched_words(vault, words, candidates))
    else:
        chosen = set(candidates)
        for word in words:
            for (rowid,) in vault.conn.execute(
                "SELECT rowid FROM items_fts WHERE items_fts MATCH ? AND rowid BETWEEN ? AND ?",
                (fts_expression([word]), floor, ceiling),
            ):
                if rowid in chosen:
                    words_of.setdefault(rowid, []).append(word)
    count = {rowid: len(words_of.get(rowid, ())) for rowid in candidates}
    ranked = sorted(count, key=lambda r: (-count[r], -r))[:limit]
    if held is not None:
        held.update((rowid, words_of.get(rowid, [])) for rowid in ranked)
    return [(rowid, float(count[rowid])) for rowid in ranked]


def search(vault: Vault, text: str, *, limit: int = 10, filters: Filters | None = None) -> list[Hit]:
    """The items that best match `text` by BM25 alone, best first; words matched are reported per hit."""
    words = terms(text)
    ranked = bm25(vault, words, limit=limit, filters=filters)
    if not ranked:
        return []
    rowids = [rowid for rowid, _ in ranked]
    items = vault.items_by_rowid(rowids)
    matched = matched_words(vault, words, rowids)
    return [
        Hit(items[rowid], score, tuple(matched.get(rowid, ())), found_by=("bm25",))
        for rowid, score in ranked
        if rowid in items
    ]


def matched_words(vault: Vault, words: list[str], rowids: list[int]) -> dict[int, list[str]]:
    """Which of the words each row contains, asked of the index itself so stemming agrees."""
    if not words or not rowids:
        return {}
    marks = ",".join("?" * len(rowids))
    found: dict[int, list[str]] = {}
    for word in words:
        for row in vault.conn.execute(
            f"SELECT rowid FROM items_fts WHERE items_fts MATCH ? AND rowid IN ({marks})",
            (fts_expression([word]), *rowids),
        ):
            found.setdefault(row[0], []).append(word)
    return found


def document_frequency(vault: Vault, word: str) -> int:
    """How many items contain the word (after stemming)."""
    row = vault.conn.execute(
        "SELECT count(*) FROM items_fts WHERE items_fts MATCH ?", (fts_expression([word]),)
    ).fetchone()
    return int(row[0])
