"""Search filters judged in memory agree with the vault, and follow it as it changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest

from homebody.retrieval import vectors
from homebody.retrieval.embed import embed_pending
from homebody.retrieval.filters import Filters, Keep, keys_of, person_items
from homebody.retrieval.vectors import VectorIndex
from homebody.vault import people
from homebody.vault.items import Item, Kind

START = datetime(2026, 1, 1, 9, tzinfo=UTC)


def _fill(vault):
    """Items of three kinds in two sources over a year, some undated, transactions with amounts."""
    mail = vault.add_source("gmail", "mbox", "/m")
    bank = vault.add_source("fenwick-savings", "ofx", "/b")
    for n in range(60):
        ts = None if n % 17 == 0 else START + timedelta(days=6 * n)
        vault.upsert(
            mail,
            Item(
                Kind.EMAIL,
                f"m{n}",
                f"mail {n}",
                ts=ts,
                meta={"from": [[f"P{n % 3}", f"p{n % 3}@example.org"]]},
            ),
            None,
        )
        vault.upsert(
            bank,
            Item(Kind.TRANSACTION, f"t{n}", f"payment {n}", ts=ts, meta={"amount": str(-7 * n)}),
            None,
        )
        if n % 4 == 0:
            vault.upsert(mail, Item(Kind.EVENT, f"e{n}", f"event {n}", ts=ts), None)
    people.rebuild(vault)


def _truth(vault, filters: Filters) -> list[int]:
    """The rowids the filters allow, asked of the vault in SQL, item by item."""
    out = []
    person = person_items(vault, filters.person) if filters.person is not None else None
    for row in vault.conn.execute(
        "SELECT i.rowid, i.kind, i.ts, s.name, json_extract(i.meta, '$.amount') AS amount "
        "FROM items i JOIN sources s ON s.id = i.source_id ORDER BY i.rowid"
    ):
        ts = datetime.fromisoformat(row["ts"]) if row["ts"] else None
        amount = abs(float(row["amount"])) if row["amount"] is not None else None
        if filters.kinds and row["kind"] not in filters.kinds:
            continue
        if filters.sources and row["name"] not in filters.sources:
            continue
        if filters.since and (ts is None or ts < filters.since):
            continue
        if filters.until and (ts is None or ts >= filters.until):
            continue
        if person is not None and row["rowid"] not in person:
            continue
        if filters.amount_min is not None or filters.amount_max is not None:
            if row["kind"] != "transaction" or amount is None:
                continue
            if filters.amount_min is not None and amount < filters.amount_min:
                continue
            if filters.amount_max is not None and amount > filters.amount_max:
                continue
        out.append(row["rowid"])
    return out


def _all(vault) -> list[int]:
    return [r[0] for r in vault.conn.execute("SELECT rowid FROM items ORDER BY rowid")]


def _cases(vault) -> list[Filters]:
    person = vault.conn.execute("SELECT person_id FROM identities WHERE value = 'p1@example.org'").fetchone()[
        0
    ]
    spring = {"since": datetime(2026, 3, 1, tzinfo=UTC), "until": datetime(2026, 6, 1, tzinfo=UTC)}
    return [
        Filters(kinds=frozenset({Kind.EMAIL})),
        Filters(kinds=frozenset({Kind.EVENT, Kind.TRANSACTION}), **spring),
        Filters(sources=frozenset({"fenwick-savings"})),
        Filters(since=spring["since"]),
        Filters(until=spring["until"]),
        Filters(person=person),
        Filters(person=person, **spring),
        Filters(amount_min=Decimal("100"), amount_max=Decimal("200")),
        Filters(amount_min=Decimal("300"), sources=frozenset({"gmail"})),
        Filters(sources=frozenset({"no-such-source"})),
    ]


def test_keep_agrees_with_the_vault_on_every_kind_of_filter(vault):
    _fill(vault)
    for filters in _cases(vault):
        keep = Keep(vault, filters)
        truth = _truth(vault, filters)
        assert keep(_all(vault)) == truth, filters
        rowids = keep.rowids()
        assert rowids is not None
        assert set(keep(rowids.tolist())) == set(truth), filters
        span = keep.span()
        assert truth == [] or (span is not None and span[0] <= min(truth) and max(truth) <= span[1])


def test_keep_passes_everything_without_filters_and_keeps_the_order_given(vault):
    _fill(vault)
    keep = Keep(vault, Filters())
    assert keep.everything and keep.rowids() is None
    assert keep([5, 3, 9]) == [5, 3, 9]
    spring = Keep(vault, Filters(since=START + timedelta(days=30)))
    given = list(reversed(_all(vault)))
    assert spring(given) == [r for r in given if r in set(spring(_all(vault)))]


def test_the_keys_in_memory_follow_new_changed_and_deleted_items(vault):
    _fill(vault)
    march = Filters(since=datetime(2026, 3, 1, tzinfo=UTC), until=datetime(2026, 4, 1, tzinfo=UTC))
    before = set(Keep(vault, march)(_all(vault)))
    mail = vault.source("gmail")
    # Added: an email in March.
    vault.upsert(mail, Item(Kind.EMAIL, "new", "new mail", ts=datetime(2026, 3, 9, tzinfo=UTC)), None)
    added = vault.conn.execute("SELECT rowid FROM items WHERE native_id = 'new'").fetchone()[0]
    assert set(Keep(vault, march)(_all(vault))) == before | {added}
    # Changed: the dentist moved from January to March (its time changes, not its rowid).
    moved = vault.conn.execute("SELECT rowid FROM items WHERE native_id = 'm1'").fetchone()[0]
    assert moved not in before
    moved_item = Item(
        Kind.EMAIL,
        "m1",
        "mail 1",
        ts=datetime(2026, 3, 20, tzinfo=UTC),
        meta={"from": [["P1", "p1@example.org"]]},
    )
    vault.upsert(mail, moved_item, None)
    assert moved in Keep(vault, march)(_all(vault))
    # Deleted, and the highest rowid given to a new item again: the old keys must not linger.
    vault.conn.execute("DELETE FROM items WHERE rowid = ?", (added,))
    vault.conn.commit()
    vault.upsert(mail, Item(Kind.EMAIL, "later", "later mail", ts=datetime(2026, 9, 1, tzinfo=UTC)), None)
    reused = vault.conn.execute("SELECT rowid FROM items WHERE native_id = 'later'").fetchone()[0]
    assert reused not in Keep(vault, march)(_all(vault))
    assert keys_of(vault).ts[reused] == int(datetime(2026, 9, 1, tzinfo=UTC).timestamp())


def test_a_persons_items_come_from_an_index_alone(vault):
    _fill(vault)
    plan = " ".join(
        str(tuple(r))
        for r in vault.conn.execute(
            """EXPLAIN QUERY PLAN SELECT ip.item_rowid FROM identities d
               JOIN item_people ip ON ip.identity_id = d.id WHERE d.person_id = 1"""
        )
    )
    assert "COVERING INDEX item_people_person" in plan


@pytest.mark.parametrize("size", [5_000, 400_000])
def test_the_smallest_distances_are_the_same_sampled_or_counted(size):
    rng = np.random.default_rng(size)
    distance = rng.integers(0, 200, size).astype(np.uint16)
    distance[rng.random(size) < 0.6] = np.iinfo(np.uint16).max  # excluded by the filters
    for count in (10, 2048, 16_000):
        got = vectors._smallest(distance, count)
        want = vectors._exact_smallest(distance, count)
        assert np.array_equal(got, want)
        assert len(got) == min(count, int((distance < np.iinfo(np.uint16).max).sum()))


@pytest.mark.parametrize("shortlist", [2048, 50])
def test_filtered_vector_search_finds_the_nearest_allowed_chunk(vault, embedder, monkeypatch, shortlist):
    monkeypatch.setattr(vectors, "SHORTLIST", shortlist)
    source = vault.add_source("notes", "notes", "/n")
    rng = np.random.default_rng(3)
    words = ["".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz"), size=5)) for _ in range(300)]
    texts = [" ".join(rng.choice(words, size=6)) for _ in range(480)]
    for n, text in enumerate(texts):
        kind = Kind.NOTE if n % 2 else Kind.EMAIL
        vault.upsert(source, Item(kind, f"n{n}", text, ts=START + timedelta(days=n)), None)
    embed_pending(vault, embedder)
    index = VectorIndex(vault)
    query = embedder.embed_query(texts[200])
    week = Filters(since=START + timedelta(days=190), until=START + timedelta(days=197))  # few: by position
    notes = Filters(kinds=frozenset({Kind.NOTE}))  # many: by mask
    for filters in (week, notes):
        hits = index.search(query, limit=5, filters=filters)
        allowed = set(Keep(vault, filters)(_all(vault)))
        assert hits and {h.rowid for h in hits} <= allowed
        best = max(
            allowed,
            key=lambda r: float(
                embedder.embed_query(vault.items_by_rowid([r])[r].item.text) @ query.astype(np.float32)
            ),
        )
        assert hits[0].rowid == best
