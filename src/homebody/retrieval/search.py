"""Search the vault: full-text BM25 over titles, bodies and people, with filters by kind and time."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from homebody.retrieval.query import fts_expression, terms
from homebody.vault.items import Kind
from homebody.vault.store import StoredItem, Vault, utc_text

# Column weights for bm25(): a word in the title or the sender says more than one in a long body.
_WEIGHTS = "3.0, 1.0, 2.0, 0.5"


@dataclass(frozen=True)
class Filters:
    """Which items a search may return."""

    kinds: frozenset[Kind] = frozenset()
    sources: frozenset[str] = frozenset()
    since: datetime | None = None
    until: datetime | None = None
    person: int | None = None  # a person's id: only items they are part of


@dataclass(frozen=True)
class Hit:
    """One search result: the item, its BM25 score (higher is better) and the words it matched."""

    stored: StoredItem
    score: float
    matched: tuple[str, ...] = field(default=())

    @property
    def id(self) -> str:
        """The item's id."""
        return self.stored.id


def search(vault: Vault, text: str, *, limit: int = 10, filters: Filters | None = None) -> list[Hit]:
    """The items that best match `text`, best first; words matched are reported per hit."""
    words = terms(text)
    if not words or limit <= 0:
        return []
    filters = filters or Filters()
    where = ["items_fts MATCH ?"]
    params: list[object] = [fts_expression(words)]
    if filters.kinds:
        where.append(f"i.kind IN ({','.join('?' * len(filters.kinds))})")
        params.extend(sorted(str(k) for k in filters.kinds))
    if filters.sources:
        where.append(f"s.name IN ({','.join('?' * len(filters.sources))})")
        params.extend(sorted(filters.sources))
    if filters.since:
        where.append("i.ts >= ?")
        params.append(utc_text(filters.since))
    if filters.until:
        where.append("i.ts < ?")
        params.append(utc_text(filters.until))
    if filters.person is not None:
        where.append(
            "i.rowid IN (SELECT ip.item_rowid FROM item_people ip JOIN identities d "
            "ON d.id = ip.identity_id WHERE d.person_id = ?)"
        )
        params.append(filters.person)
    rows = vault.conn.execute(
        f"""SELECT items_fts.rowid AS rowid, bm25(items_fts, {_WEIGHTS}) AS rank
            FROM items_fts JOIN items i ON i.rowid = items_fts.rowid
            JOIN sources s ON s.id = i.source_id
            WHERE {" AND ".join(where)} ORDER BY rank LIMIT ?""",
        (*params, limit),
    ).fetchall()
    if not rows:
        return []
    rowids = [r["rowid"] for r in rows]
    items = vault.items_by_rowid(rowids)
    matched = _matched_words(vault, words, rowids)
    return [
        Hit(items[r["rowid"]], -float(r["rank"]), tuple(matched.get(r["rowid"], ())))
        for r in rows
        if r["rowid"] in items
    ]


def _matched_words(vault: Vault, words: list[str], rowids: list[int]) -> dict[int, list[str]]:
    """Which of the words each row contains, asked of the index itself so stemming agrees."""
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
