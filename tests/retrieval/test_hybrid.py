"""Hybrid search on a real vault: words and meaning fused, filters from the question, one hit per thread."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from homebody.retrieval import vectors
from homebody.retrieval.embed import embed_pending
from homebody.retrieval.filters import Filters
from homebody.retrieval.hybrid import Retriever
from homebody.retrieval.vectors import VectorIndex
from homebody.vault.items import Item, Kind

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)
ZONE = ZoneInfo("Europe/London")


def _at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def life(vault, embedder):
    mail = vault.add_source("gmail", "mbox", "/m")
    chat = vault.add_source("sam", "whatsapp", "/w")
    cal = vault.add_source("calendar", "ics", "/c")
    add = vault.upsert
    add(
        mail,
        Item(
            Kind.EMAIL,
            "gp1",
            "Your physician appointment is on Monday at 10:00.",
            ts=_at(10, 2),
            title="Appointment",
            thread="t-gp",
        ),
        None,
    )
    add(
        mail,
        Item(
            Kind.EMAIL,
            "gp2",
            "Re: the physician appointment moved to Wednesday at 11:00.",
            ts=_at(10, 5),
            title="Re: Appointment",
            thread="t-gp",
        ),
        None,
    )
    add(
        mail,
        Item(
            Kind.EMAIL,
            "n1",
            "Autumn newsletter: whitening offers and a new car park.",
            ts=_at(9, 1),
            title="Newsletter",
        ),
        None,
    )
    long_text = "\n\n".join(
        [f"Item {n}. " + "General housekeeping and the garden rota for the flats. " * 8 for n in range(4)]
        + ["Boiler service: the engineer comes on 3 November, leave the key with flat 4. " * 3]
    )
    add(mail, Item(Kind.EMAIL, "ellis", long_text, ts=_at(10, 27), title="Building news"), None)
    add(
        chat,
        Item(
            Kind.MESSAGE,
            "w1",
            "Shall we have supper at the Thai place?",
            ts=_at(11, 18, 19),
            author="Sam Okafor",
            thread="whatsapp:Sam",
        ),
        None,
    )
    add(
        chat,
        Item(
            Kind.MESSAGE,
            "w2",
            "Dinner was lovely last time",
            ts=_at(9, 2, 20),
            author="Sam Okafor",
            thread="whatsapp:Sam",
        ),
        None,
    )
    for week in range(8):
        day = _at(10, 6) + timedelta(weeks=week)
        add(
            cal,
            Item(
                Kind.EVENT,
                f"yoga@{day:%Y%m%d}",
                "Weekly class",
                ts=day,
                title="Yoga",
                thread="yoga",
                meta={"location": "Lotus Yoga Studio"},
            ),
            None,
        )
    embed_pending(vault, embedder)
    return Retriever(vault, lambda: embedder)


def _ids(found):
    return [h.stored.item.native_id for h in found.hits]


def test_meaning_finds_what_words_miss_and_hybrid_keeps_both(life):
    # "doctor" is nowhere in the vault; the stand-in model knows a physician is one.
    words = life.search("When do I see the doctor?", now=NOW, zone=ZONE, mode="bm25")
    meaning = life.search("When do I see the doctor?", now=NOW, zone=ZONE, mode="vector")
    both = life.search("When do I see the doctor?", now=NOW, zone=ZONE, mode="hybrid")
    assert not any(i.startswith("gp") for i in _ids(words))
    assert _ids(meaning)[0].startswith("gp")
    assert _ids(both)[0].startswith("gp")
    assert "vector" in both.hits[0].found_by
    supper = life.search("supper", now=NOW, zone=ZONE, mode="hybrid")
    assert _ids(supper)[0] == "w1"  # by its word
    assert "w2" in _ids(supper)[:3]  # "dinner", by meaning


def test_an_email_thread_is_cited_once_with_its_best_message(life):
    found = life.search("physician appointment moved", now=NOW, zone=ZONE)
    gp = [i for i in _ids(found) if i.startswith("gp")]
    assert gp == ["gp2"]


def test_a_recurring_event_is_found_once_nearest_now_or_on_the_day_asked(life):
    plain = life.search("yoga class", now=NOW, zone=ZONE)
    yoga = [h for h in plain.hits if h.stored.item.title == "Yoga"]
    assert len(yoga) == 1
    assert yoga[0].stored.item.ts == _at(11, 24)  # the next one, not a past one
    dated = life.search("Is there yoga on Tuesday 27 October?", now=NOW, zone=ZONE)
    assert dated.understood.soft is not None
    assert dated.hits[0].stored.item.ts == _at(10, 27)


def test_a_period_in_the_question_is_a_hard_filter(life):
    found = life.search("what did Sam say last month", now=NOW, zone=ZONE)  # October
    assert found.understood.filters.since == datetime(2026, 10, 1, tzinfo=ZONE).astimezone(UTC)
    assert all(_at(10, 1) <= h.stored.item.ts < _at(11, 1) for h in found.hits)
    none = life.search("supper last March", now=NOW, zone=ZONE)
    assert none.hits == []


def test_a_channel_in_the_question_keeps_to_it(life):
    found = life.search("appointment in my email", now=NOW, zone=ZONE)
    assert found.understood.filters.kinds == frozenset({Kind.EMAIL})
    assert found.hits and all(h.stored.kind is Kind.EMAIL for h in found.hits)


def test_now_or_latest_puts_the_newest_first(life):
    older_first = life.search("dinner supper", now=NOW, zone=ZONE, mode="bm25")
    newest = life.search("latest dinner supper", now=NOW, zone=ZONE, mode="bm25")
    assert newest.understood.recency
    assert [h.stored.item.ts for h in newest.hits[:2]] == sorted(
        (h.stored.item.ts for h in newest.hits[:2]), reverse=True
    )
    assert {h.id for h in older_first.hits} == {h.id for h in newest.hits}


def test_a_long_email_is_found_by_the_paragraph_that_answers(life):
    found = life.search("boiler engineer key", now=NOW, zone=ZONE)
    hit = next(h for h in found.hits if h.stored.item.native_id == "ellis")
    assert "Boiler service" in hit.passage and not hit.passage.startswith("Item 0")
    assert len(hit.passage) < len(hit.stored.item.text) / 2


def test_without_vectors_hybrid_is_words_alone(vault, embedder):
    mail = vault.add_source("gmail", "mbox", "/m")
    vault.upsert(mail, Item(Kind.EMAIL, "x", "The physician said rest.", ts=_at(10, 1)), None)
    found = Retriever(vault, lambda: embedder).search("physician", now=NOW, zone=ZONE, mode="hybrid")
    assert found.mode == "bm25" and _ids(found) == ["x"]
    assert Retriever(vault).search("physician", now=NOW, zone=ZONE).mode == "bm25"


@pytest.mark.parametrize("two_stage", [10**9, 100], ids=["one pass", "two stages"])
def test_the_code_scan_finds_the_nearest_among_many(vault, embedder, monkeypatch, two_stage):
    monkeypatch.setattr(vectors, "SHORTLIST", 100)
    monkeypatch.setattr(vectors, "POOL", 20)
    monkeypatch.setattr(vectors, "TWO_STAGE", two_stage)
    source = vault.add_source("notes", "notes", "/n")
    rng = np.random.default_rng(7)
    words = ["".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz"), size=6)) for _ in range(400)]
    texts = [" ".join(rng.choice(words, size=8)) for _ in range(600)]
    for n, text in enumerate(texts):
        vault.upsert(source, Item(Kind.NOTE, f"note{n}", text, ts=_at(1 + n % 12, 1)), None)
    embed_pending(vault, embedder)
    index = VectorIndex(vault)
    hits = index.search(embedder.embed_query(texts[123]), limit=5)
    found = vault.items_by_rowid([hits[0].rowid])[hits[0].rowid]
    assert found.item.native_id == "note123"
    assert hits[0].similarity == pytest.approx(1.0, abs=1e-2)
    # Filters hold on the scan path too: only notes dated in March.
    march = Filters(since=_at(3, 1, 0), until=_at(4, 1, 0))
    dated = index.search(embedder.embed_query(texts[123]), limit=5, filters=march)
    stored = vault.items_by_rowid([h.rowid for h in dated])
    assert dated and all(s.item.ts.month == 3 for s in stored.values())


def test_a_long_series_stands_for_its_next_occurrence(vault, embedder):
    # A weekly one-to-one for two years: full-text search ranks its 100+ occurrences alike, and
    # which one it finds first says nothing about time. The answer is the next one.
    cal = vault.add_source("calendar", "ics", "/c")
    start = _at(1, 5, 10) - timedelta(days=365)
    for week in range(110):
        ts = start + timedelta(weeks=week)
        vault.upsert(
            cal,
            Item(
                Kind.EVENT,
                f"one@{ts.isoformat()}",
                "1:1 Priya / Maya\nTeams",
                ts=ts,
                title="1:1",
                thread="one",
            ),
            None,
        )
    found = Retriever(vault).search("When is my next one-to-one with Priya?", now=NOW, zone=ZONE, mode="bm25")
    series = [h for h in found.hits if h.stored.item.thread == "one"]
    assert len(series) == 1
    after = [start + timedelta(weeks=w) for w in range(110) if start + timedelta(weeks=w) >= NOW]
    assert series[0].stored.item.ts == min(after)


def test_a_source_named_in_the_question_ranks_its_items_higher(vault):
    # The savings account's own rows never say "savings"; the current account's transfers do.
    current = vault.add_source("thistle-bank", "ofx", "/b")
    savings = vault.add_source("fenwick-savings", "bank-csv", "/s")
    for n in range(30):
        vault.upsert(
            current,
            Item(
                Kind.TRANSACTION,
                f"c{n}",
                f"TRANSFER TO SAVINGS · -{100 + n}.00 GBP",
                ts=_at(6, 1) + timedelta(days=n),
            ),
            None,
        )
    for n in range(5):
        vault.upsert(
            savings,
            Item(
                Kind.TRANSACTION, f"s{n}", f"GROSS INTEREST {n}.20 GBP", ts=_at(7, 1) + timedelta(days=30 * n)
            ),
            None,
        )
    retriever = Retriever(vault)
    assert retriever.named_sources("What's the balance of my savings account?") == {
        "fenwick-savings": {"savings"}
    }
    assert retriever.named_sources("What did Sam say?") == {}
    found = retriever.search("What's the balance of my savings account?", now=NOW, zone=ZONE, mode="bm25")
    assert "s4" in _ids(found)[:2]  # the newest row of the account named
    assert "source" in next(h for h in found.hits if h.stored.item.native_id == "s4").found_by
