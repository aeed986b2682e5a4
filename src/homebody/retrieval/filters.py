"""Search filters, judged in memory: each item's kind, time and source held by rowid, a person's items.

Full-text search finds candidate rowids; keeping those a filter allows ("last month", "emails",
"my savings account") by joining `item_keys` in SQL costs a page read (decrypted) per candidate
scattered through the vault: 60 ms for the newest 5,000 items holding a word in a million. Here
the same test is one gather per column (~13 bytes an item: 13 MB for a million, loaded in about
a second). The vector index judges its chunks by the same arrays.

Items added since the last look are loaded by rowid; a changed or deleted row (`item_keys_state`,
migration 7, counts them) reloads everything, so a stale copy never decides what search returns.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from homebody.vault.items import Kind
from homebody.vault.store import Vault

log = logging.getLogger(__name__)

#: The time of an undated item (it never passes a period filter).
UNDATED = np.iinfo(np.int64).min
#: The code of each kind in `kinds`...
KIND_CODES = {str(kind): n for n, kind in enumerate(Kind)}
#: ... and of none (no item has this rowid) or an unknown kind.
NO_KIND = 255


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


class ItemKeys:
    """kind, time (Unix seconds) and source id of every item of a vault, indexed by rowid."""

    def __init__(self, vault: Vault) -> None:
        self._vault = vault
        self._changes: int | None = None
        self._by_time: tuple[npt.NDArray[np.intp], npt.NDArray[np.int64]] | None = None
        self.top = 0  # the highest rowid loaded
        self.generation = 0  # counts loads: arrays derived from these know when to follow
        self.kinds = np.full(1, NO_KIND, dtype=np.uint8)
        self.ts = np.full(1, UNDATED, dtype=np.int64)
        self.sources = np.full(1, -1, dtype=np.int32)
        self.load_seconds = 0.0

    def refresh(self) -> None:
        """Catch up with the vault: rows added since the last look, or all of them after a change."""
        changes = int(self._vault.conn.execute("SELECT changes FROM item_keys_state").fetchone()[0])
        top = self._vault.conn.execute("SELECT max(item_rowid) FROM item_keys").fetchone()[0] or 0
        if changes != self._changes or top < self.top:
            self._changes = changes
            self.top = 0
            self.kinds = np.full(1, NO_KIND, dtype=np.uint8)
            self.ts = np.full(1, UNDATED, dtype=np.int64)
            self.sources = np.full(1, -1, dtype=np.int32)
            self._by_time = None
        if top > self.top:
            self._load(top)

    def _load(self, top: int) -> None:
        started = time.perf_counter()
        size = top + 1
        kinds = np.full(size, NO_KIND, dtype=np.uint8)
        ts = np.full(size, UNDATED, dtype=np.int64)
        sources = np.full(size, -1, dtype=np.int32)
        kinds[: len(self.kinds)] = self.kinds
        ts[: len(self.ts)] = self.ts
        sources[: len(self.sources)] = self.sources
        kind_code = " ".join(f"WHEN '{name}' THEN {n}" for name, n in KIND_CODES.items())
        cursor = self._vault.conn.execute(
            f"""SELECT item_rowid, CASE kind {kind_code} ELSE {NO_KIND} END,
                       coalesce(CAST(strftime('%s', ts) AS INTEGER), {UNDATED}), source_id
                FROM item_keys WHERE item_rowid > ? AND item_rowid <= ?""",
            (self.top, top),
        )
        loaded = 0
        while rows := cursor.fetchmany(65536):
            rowid, kind, when, source = (np.array(c, dtype=np.int64) for c in zip(*rows, strict=True))
            kinds[rowid] = kind
            ts[rowid] = when
            sources[rowid] = source
            loaded += len(rows)
        self.kinds, self.ts, self.sources, self.top = kinds, ts, sources, top
        self._by_time = None
        self.generation += 1
        seconds = time.perf_counter() - started
        self.load_seconds += seconds
        if loaded > 10_000:
            log.info("item keys: %d loaded in %.2f s", loaded, seconds)

    def in_period(self, since: datetime | None, until: datetime | None) -> npt.NDArray[np.int64]:
        """The rowids of the items dated in [since, until), oldest first."""
        if self._by_time is None:
            # Sorted once per load (~0.1 s a million items), then every period is two binary searches.
            order = np.argsort(self.ts, kind="stable")
            self._by_time = (order, self.ts[order])
        order, times = self._by_time
        first = np.searchsorted(times, int(since.timestamp()) if since else UNDATED + 1, side="left")
        last = np.searchsorted(times, int(until.timestamp()), side="left") if until else len(times)
        return order[first:last].astype(np.int64)

    def source_ids(self, names: frozenset[str]) -> list[int]:
        """The ids of the sources so named."""
        marks = ",".join("?" * len(names))
        rows = self._vault.conn.execute(f"SELECT id FROM sources WHERE name IN ({marks})", sorted(names))
        return [r[0] for r in rows]


def keys_of(vault: Vault) -> ItemKeys:
    """The vault's item keys, one copy per open vault, brought up to date."""
    keys = vault.memo.get("item_keys")
    if not isinstance(keys, ItemKeys):
        keys = ItemKeys(vault)
        vault.memo["item_keys"] = keys
    keys.refresh()
    return keys


def person_items(vault: Vault, person: int) -> set[int]:
    """The rowids of the items a person is part of (read from an index alone: migration 7)."""
    rows = vault.conn.execute(
        """SELECT ip.item_rowid FROM identities d JOIN item_people ip ON ip.identity_id = d.id
           WHERE d.person_id = ?""",
        (person,),
    )
    return {r[0] for r in rows}


class Keep:
    """Which of a search's candidate rowids the filters let through, judged without page reads.

    Kinds, sources and periods are judged by the item keys in memory, only for the candidates
    (a gather each), a person by the set of their items; only amounts are asked of the vault, and
    only for candidates already known to be transactions.
    """

    def __init__(self, vault: Vault, filters: Filters) -> None:
        self._vault = vault
        self.filters = filters
        self.everything = filters.empty
        self._keys = keys_of(vault) if not filters.empty else None
        self._person = person_items(vault, filters.person) if filters.person is not None else None
        kinds = set(filters.kinds)
        if filters.amount_min is not None or filters.amount_max is not None:
            kinds = kinds & {Kind.TRANSACTION} if kinds else {Kind.TRANSACTION}
        self._kinds: npt.NDArray[np.bool_] | None = None
        if kinds:
            # A 256-entry table indexed by an item's kind code: one gather, not a set test per item.
            self._kinds = np.zeros(256, dtype=np.bool_)
            self._kinds[[KIND_CODES[str(k)] for k in kinds]] = True
        self._sources: list[int] | None = None
        if filters.sources and self._keys is not None:
            self._sources = self._keys.source_ids(filters.sources)
        self._dated = filters.since is not None or filters.until is not None
        self._period: npt.NDArray[np.int64] | None = None

    def _in_period(self) -> npt.NDArray[np.int64]:
        if self._period is None:
            assert self._keys is not None
            self._period = self._keys.in_period(self.filters.since, self.filters.until)
        return self._period

    def span(self) -> tuple[int, int] | None:
        """The lowest and highest rowid that may pass (None: none can)."""
        low, high = 0, np.iinfo(np.int64).max
        if self._dated:
            period = self._in_period()
            if not len(period):
                return None
            low, high = int(period.min()), int(period.max())
        if self._person is not None:
            if not self._person:
                return None
            low, high = max(low, min(self._person)), min(high, max(self._person))
        return (low, high) if low <= high else None

    def _test(self, rowids: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        """Whether each rowid passes on kinds, sources and period (all within the keys' range)."""
        keys = self._keys
        if keys is None:
            return np.ones(len(rowids), dtype=np.bool_)
        columns: dict[str, npt.NDArray[Any]] = {"kinds": keys.kinds, "ts": keys.ts, "sources": keys.sources}
        return self.judge(lambda name: columns[name][rowids], len(rowids))

    def judge(self, column: Callable[[str], npt.NDArray[Any]], size: int) -> npt.NDArray[np.bool_]:
        """Whether each of `size` things passes on kinds, sources and period, given their keys:
        `column(name)` is their "kinds", "ts" or "sources" (asked for only if a filter needs it)."""
        ok = np.ones(size, dtype=np.bool_)
        if self._kinds is not None:
            codes = np.flatnonzero(self._kinds)
            kinds = column("kinds")
            if len(codes) == 1:
                ok &= kinds == codes[0]  # one comparison: several times faster than a table gather
            else:
                ok &= self._kinds[kinds]
        if self._sources is not None:
            ok &= np.isin(column("sources"), self._sources)
        if self._dated:
            ts = column("ts")
            ok &= ts != UNDATED
            if self.filters.since is not None:
                ok &= ts >= int(self.filters.since.timestamp())
            if self.filters.until is not None:
                ok &= ts < int(self.filters.until.timestamp())
        return ok

    def narrow(self) -> npt.NDArray[np.int64] | None:
        """The rowids that pass, unordered, when a person or a period bounds them (None: neither does)."""
        if self._person is None and not self._dated:
            return None
        return self.rowids()

    def __call__(self, rowids: Iterable[int]) -> list[int]:
        """The rowids that pass, in the order given."""
        kept = list(rowids)
        if self.everything or not kept:
            return kept
        if self._keys is not None:
            top = self._keys.top
            given = np.array(kept, dtype=np.int64)
            ok = given <= top
            ok[ok] = self._test(given[ok])
            kept = given[ok].tolist()
        if self._person is not None:
            kept = [r for r in kept if r in self._person]
        if kept and (self.filters.amount_min is not None or self.filters.amount_max is not None):
            kept = self._by_amount(kept)
        return kept

    def rowids(self) -> npt.NDArray[np.int64] | None:
        """Every rowid that may pass on kinds, sources, period and person, in no particular order
        (None: no such filter)."""
        if self.everything or self._keys is None:
            return None
        if self._person is not None:
            found = np.fromiter(self._person, dtype=np.int64, count=len(self._person))
        elif self._dated:
            found = self._in_period()
        else:
            found = np.arange(self._keys.top + 1, dtype=np.int64)
        found = found[found <= self._keys.top]
        found = found[self._keys.kinds[found] != NO_KIND]
        passed: npt.NDArray[np.int64] = found[self._test(found)]
        return passed

    def _by_amount(self, rowids: list[int]) -> list[int]:
        size = "abs(CAST(json_extract(meta, '$.amount') AS REAL))"
        bounds, params = [], []
        if self.filters.amount_min is not None:
            bounds.append(f"{size} >= ?")
            params.append(float(self.filters.amount_min))
        if self.filters.amount_max is not None:
            bounds.append(f"{size} <= ?")
            params.append(float(self.filters.amount_max))
        marks = ",".join("?" * len(rowids))
        passed = {
            r[0]
            for r in self._vault.conn.execute(
                f"SELECT rowid FROM items WHERE rowid IN ({marks}) AND kind = 'transaction' "
                f"AND {' AND '.join(bounds)}",
                (*rowids, *params),
            )
        }
        return [r for r in rowids if r in passed]
