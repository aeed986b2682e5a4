"""Full-text ranking stays bounded: common words are left out, or ranked without BM25 when all are."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from homebody.retrieval import search
from homebody.retrieval.filters import Filters
from homebody.retrieval.search import Commonness, bm25
from homebody.vault.items import Item, Kind


@pytest.fixture
def notes(vault):
    source = vault.add_source("notes", "notes", "/n")
    texts = [
        "the allotment rota and the shed",  # 1: allotment, rota
        "the allotment party",  # 2: allotment
        "rota for the allotment and the zucchini glut",  # 3: allotment, rota, zucchini
        "nothing to see",  # 4
        "allotment allotment allotment",  # 5: allotment
        "rota rota",  # 6: rota
    ]
    for n, text in enumerate(texts, start=1):
        vault.upsert(source, Item(Kind.NOTE, f"n{n}", text, ts=datetime(2026, n, 1, tzinfo=UTC)), None)
    return vault


def _ids(vault, ranked):
    items = vault.items_by_rowid([r for r, _ in ranked])
    return [items[r].item.native_id for r, _ in ranked]


def test_a_common_word_is_left_out_when_a_rarer_one_is_asked(notes, monkeypatch):
    monkeypatch.setattr(search, "COMMON", 2)  # allotment (4 notes) and rota (3) are common now
    common = Commonness(notes)
    assert common("allotment") and common("rota") and not common("zucchini")
    assert _ids(notes, bm25(notes, ["allotment", "zucchini"], limit=5, common=common)) == ["n3"]


def test_common_words_alone_rank_by_how_many_each_item_holds_then_newest(notes, monkeypatch):
    monkeypatch.setattr(search, "COMMON", 2)
    ranked = bm25(notes, ["allotment", "rota"], limit=10)
    assert _ids(notes, ranked) == ["n3", "n1", "n6", "n5", "n2"]
    assert [score for _, score in ranked] == [2.0, 2.0, 1.0, 1.0, 1.0]
    march_on = Filters(since=datetime(2026, 3, 1, tzinfo=UTC))
    assert _ids(notes, bm25(notes, ["allotment", "rota"], limit=10, filters=march_on)) == ["n3", "n6", "n5"]


def test_common_words_alone_look_only_at_the_newest_matches(notes, monkeypatch):
    monkeypatch.setattr(search, "COMMON", 2)
    monkeypatch.setattr(search, "SCAN", 3)
    assert set(_ids(notes, bm25(notes, ["allotment", "rota"], limit=10))) == {"n3", "n5", "n6"}


def test_enough_items_holding_every_common_word_are_the_answer(notes, monkeypatch):
    monkeypatch.setattr(search, "COMMON", 2)
    ranked = bm25(notes, ["allotment", "rota"], limit=2)
    assert _ids(notes, ranked) == ["n3", "n1"]  # both hold both words, newest first
    assert [score for _, score in ranked] == [2.0, 2.0]


@pytest.mark.parametrize("limit", [3, 8, 20, 60])
def test_common_words_rank_exactly_by_words_held_then_newest_whichever_way_it_is_counted(
    vault, monkeypatch, limit
):
    # Every word is common here, so ranking takes the shortcuts (all words held; all but one held)
    # or counts word by word: each way must give what counting by hand gives.
    import random

    monkeypatch.setattr(search, "COMMON", 2)
    source = vault.add_source("notes", "notes", "/n")
    rng = random.Random(limit)
    vocabulary = ["allotment", "rota", "shed", "party", "zucchini"]
    texts = [" ".join(rng.sample(vocabulary, rng.randint(1, 5))) for _ in range(120)]
    for n, text in enumerate(texts):
        vault.upsert(source, Item(Kind.NOTE, f"n{n}", text, ts=datetime(2026, 1, 1, tzinfo=UTC)), None)
    words = ["allotment", "rota", "shed", "party"]
    held = {}
    ranked = bm25(vault, words, limit=limit, held=held)
    rowid_of = {r["native_id"]: r["rowid"] for r in vault.conn.execute("SELECT rowid, native_id FROM items")}
    by_hand = sorted(
        ((rowid_of[f"n{n}"], sum(w in t.split() for w in words)) for n, t in enumerate(texts)),
        key=lambda pair: (-pair[1], -pair[0]),
    )
    want = [(rowid, float(count)) for rowid, count in by_hand if count][:limit]
    assert ranked == want
    assert all(
        sorted(held[r])
        == sorted(
            w for w in words if w in texts[int(vault.items_by_rowid([r])[r].item.native_id[1:])].split()
        )
        for r, _ in ranked
    )


def test_the_words_of_a_question_leave_out_function_words_and_contractions():
    from homebody.retrieval.query import terms

    assert terms("Is there a Venmo request I haven't paid yet?") == ["venmo", "request", "paid"]
    assert terms("When's the dentist? The DENTIST, now!") == ["dentist"]
