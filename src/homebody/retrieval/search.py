"""Full-text search of the vault: BM25 over titles, bodies and people, with filters.

This is the lexical half of hybrid search (`hybrid.py`) and works alone when no vectors exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from homebody.retrieval.chunks import Span
from homebody.retrieval.query import fts_expression, terms
from homebody.vault.items import Kind
from homebody.vault.store import StoredItem, Vault, utc_text

# Column weights for bm25(): a word in the title or the sender says more than one in a long body.
_WEIGHTS = "3.0, 1.0, 2.0, 0.5"


@dataclass(frozen=True)
class Filters:
    """Which items a search may return.

    `amount_min` / `amount_max` bound the size of a transaction (money in or out alike) and, when
    set, keep the search to transactions.
    """

    kinds: frozenset[Kind] = frozenset()
    sources: frozenset[str] = frozenset()
    since: datetime | None = None
    until: datetime | None = None
    person: int | None = None  # a person's id: only items they are part of
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None

    @property
    def empty(self) -> bool:
        """Whether the filters let every item through."""
        return self == Filters()


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


def filter_sql(filters: Filters, keys: str = "k") -> tuple[list[str], list[object]]:
    """SQL conditions on `item_keys` (as `keys`) that keep only the items the filters allow."""
    where: list[str] = []
    params: list[object] = []
    if filters.kinds:
        where.append(f"{keys}.kind IN ({','.join('?' * len(filters.kinds))})")
        params.extend(sorted(str(k) for k in filters.kinds))
    if filters.sources:
        marks = ",".join("?" * len(filters.sources))
        where.append(f"{keys}.source_id IN (SELECT id FROM sources WHERE name IN ({marks}))")
        params.extend(sorted(filters.sources))
    if filters.since:
        where.append(f"{keys}.ts >= ?")
        params.append(utc_text(filters.since))
    if filters.until:
        where.append(f"{keys}.ts < ?")
        params.append(utc_text(filters.until))
    if filters.person is not None:
        where.append(
            f"{keys}.item_rowid IN (SELECT ip.item_rowid FROM item_people ip JOIN identities d "
            "ON d.id = ip.identity_id WHERE d.person_id = ?)"
        )
        params.append(filters.person)
    if filters.amount_min is not None or filters.amount_max is not None:
        where.append(f"{keys}.kind = 'transaction'")
        size = "abs(CAST(json_extract(x.meta, '$.amount') AS REAL))"
        bounds = []
        if filters.amount_min is not None:
            bounds.append(f"{size} >= ?")
            params.append(float(filters.amount_min))
        if filters.amount_max is not None:
            bounds.append(f"{size} <= ?")
            params.append(float(filters.amount_max))
        where.append(
            f"EXISTS (SELECT 1 FROM items x WHERE x.rowid = {keys}.item_rowid AND {' AND '.join(bounds)})"
        )
    return where, params


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
) -> list[tuple[int, float]]:
    """(rowid, score) of the items best matching the question's words, best first.

    Ranks by BM25 over the words no more than `COMMON` items hold. FTS5's bm25() counts every item
    holding each word to weigh it (120 ms for three common words in a million items), so a
    question of common words only is ranked without it: among the newest matching items, by how
    many of the words each holds, newest first.
    """
    if not words or limit <= 0:
        return []
    filters = filters or Filters()
    # A person's items are looked up once and kept in memory: as a condition inside the query,
    # SQLite could test the full-text match item by item (200 ms for one person in a million).
    allowed = person_items(vault, filters.person) if filters.person is not None else None
    filters = replace(filters, person=None)
    common = common or Commonness(vault)
    rare = [w for w in words if not common(w)]
    if not rare:
        return _common_only(vault, words, limit=limit, filters=filters, allowed=allowed)
    where, params = filter_sql(filters)
    join = "JOIN item_keys k ON k.item_rowid = f.rowid" if where else ""
    # Rare words match at most COMMON items each: with a person, rank them all, then keep theirs.
    rows = vault.conn.execute(
        f"""SELECT f.rowid AS rowid, bm25(items_fts, {_WEIGHTS}) AS rank FROM items_fts f {join}
            WHERE {" AND ".join(["items_fts MATCH ?", *where])} ORDER BY rank LIMIT ?""",
        (fts_expression(rare), *params, limit if allowed is None else COMMON * len(rare)),
    ).fetchall()
    ranked = [(int(r["rowid"]), -float(r["rank"])) for r in rows]
    if allowed is not None:
        ranked = [row for row in ranked if row[0] in allowed][:limit]
    return ranked


def person_items(vault: Vault, person: int) -> set[int]:
    """The rowids of the items a person is part of."""
    rows = vault.conn.execute(
        """SELECT ip.item_rowid FROM item_people ip JOIN identities d ON d.id = ip.identity_id
           WHERE d.person_id = ?""",
        (person,),
    )
    return {r[0] for r in rows}


def _common_only(
    vault: Vault, words: list[str], *, limit: int, filters: Filters, allowed: set[int] | None = None
) -> list[tuple[int, float]]:
    """The newest items holding the most of the (all common) words; score = words held."""
    where, params = filter_sql(filters)
    join = "JOIN item_keys k ON k.item_rowid = f.rowid" if where else ""
    candidates = [
        r[0]
        for r in vault.conn.execute(
            f"""SELECT f.rowid FROM (SELECT rowid FROM items_fts WHERE items_fts MATCH ?
                                     ORDER BY rowid DESC LIMIT ?) f {join}
                WHERE {" AND ".join(where) or "1"} LIMIT ?""",
            (fts_expression(words), SCAN, *params, BUDGET if allowed is None else SCAN),
        )
        if allowed is None or r[0] in allowed
    ][:BUDGET]
    if not candidates:
        return []
    floor = min(candidates)
    if len(words) > 1:
        # Enough of these holding every word (FTS5 intersects the lists over the same newest
        # range) make the answer without counting each word's matches item by item.
        every = [
            r[0]
            for r in vault.conn.execute(
                f"""SELECT f.rowid FROM (SELECT rowid FROM items_fts WHERE items_fts MATCH ? AND rowid >= ?
                                         ORDER BY rowid DESC) f {join}
                    WHERE {" AND ".join(where) or "1"} LIMIT ?""",
                (
                    " AND ".join(fts_expression([w]) for w in words),
                    floor,
                    *params,
                    limit if allowed is None else -1,
                ),
            )
            if allowed is None or r[0] in allowed
        ][:limit]
        if len(every) >= limit:
            return [(rowid, float(len(words))) for rowid in every]
    held = dict.fromkeys(candidates, 0)
    for word in words:
        for (rowid,) in vault.conn.execute(
            "SELECT rowid FROM items_fts WHERE items_fts MATCH ? AND rowid >= ?",
            (fts_expression([word]), floor),
        ):
            if rowid in held:
                held[rowid] += 1
    ranked = sorted(held, key=lambda r: (-held[r], -r))[:limit]
    return [(rowid, float(held[rowid])) for rowid in ranked]


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
