"""Vectors in the vault: computed once per item, resumable, redone for changed items and new models."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from homebody.retrieval.embed import embed_pending, model_record, pending
from homebody.retrieval.vectors import VectorIndex
from homebody.vault.items import Item, Kind

from .conftest import WordsEmbedder


def _email(n: int, body: str, subject: str = "Note") -> Item:
    return Item(Kind.EMAIL, f"m{n}", body, ts=datetime(2026, 10, 1 + n % 28, 9, tzinfo=UTC), title=subject)


@pytest.fixture
def mail(vault):
    source = vault.add_source("gmail", "mbox", "/x")
    for n in range(10):
        vault.upsert(source, _email(n, f"message number {n} about the allotment"), None)
    return source


class Counting:
    def __init__(self):
        self.total = None
        self.done = 0

    def started(self, total):
        self.total = total

    def advanced(self, items):
        self.done += items


def test_every_item_gets_vectors_once(vault, mail, embedder):
    progress = Counting()
    report = embed_pending(vault, embedder, progress=progress, batch=4)
    assert (report.items, report.chunks, report.rebuilt) == (10, 10, False)
    assert (progress.total, progress.done) == (10, 10)
    assert pending(vault) == 0
    rows = vault.conn.execute("SELECT count(*) FROM chunk_vectors").fetchone()[0]
    assert rows == 10
    again = embed_pending(vault, embedder)
    assert again.items == 0
    assert len(embedder.passages) == 10  # nothing was embedded twice


def test_an_interrupted_run_resumes_where_it_stopped(vault, mail, embedder):
    first = embed_pending(vault, embedder, batch=3, limit=4)
    assert first.items == 4 and pending(vault) == 6
    second = embed_pending(vault, embedder, batch=3)
    assert second.items == 6 and pending(vault) == 0
    assert sorted(embedder.passages) == sorted(set(embedder.passages))


def test_a_changed_item_is_embedded_again_and_a_deleted_one_leaves_no_vectors(vault, mail, embedder):
    embed_pending(vault, embedder)
    vault.upsert(mail, _email(3, "message number 3 now about the boiler"), None)
    assert pending(vault) == 1
    redo = embed_pending(vault, embedder)
    assert redo.items == 1 and "boiler" in embedder.passages[-1]
    vault.remove_source("gmail")
    assert vault.conn.execute("SELECT count(*) FROM chunks").fetchone()[0] == 0
    assert vault.conn.execute("SELECT count(*) FROM chunk_vectors").fetchone()[0] == 0


def test_a_new_model_drops_every_vector_and_embeds_again(vault, mail, embedder):
    embed_pending(vault, embedder)
    other = WordsEmbedder(name="words-32", dim=32)
    report = embed_pending(vault, other)
    assert report.rebuilt and report.items == 10
    record = model_record(vault)
    assert (record.name, record.dim) == ("words-32", 32)
    blob = vault.conn.execute("SELECT vector FROM chunk_vectors LIMIT 1").fetchone()[0]
    assert len(blob) == 32 * 2  # float16


def test_a_long_email_is_embedded_paragraph_by_paragraph(vault, embedder):
    source = vault.add_source("gmail", "mbox", "/x")
    paragraphs = [f"Section {n}: " + "the quarterly review needs slides and numbers. " * 10 for n in range(5)]
    vault.upsert(source, _email(1, "\n\n".join(paragraphs), subject="Review prep"), None)
    report = embed_pending(vault, embedder)
    assert report.chunks > 1
    spans = vault.conn.execute("SELECT start_char, end_char FROM chunks ORDER BY n").fetchall()
    text = "\n\n".join(paragraphs)
    assert all(text[s:e].startswith("Section") for s, e in spans)
    assert all(p.startswith("Review prep") for p in embedder.passages)  # each passage knows its email


def test_the_index_sees_new_vectors_and_forgets_deleted_ones(vault, mail, embedder):
    embed_pending(vault, embedder)
    index = VectorIndex(vault)
    query = embedder.embed_query("message number 12 about the harvest festival")
    assert len(index.search(query, limit=3)) == 3 and len(index) == 10
    source = vault.source("gmail")
    vault.upsert(source, _email(12, "message number 12 about the harvest festival"), None)
    embed_pending(vault, embedder)
    hits = index.search(query, limit=3)
    assert len(index) == 11
    assert vault.items_by_rowid([hits[0].rowid])[hits[0].rowid].item.native_id == "m12"
    vault.remove_source("gmail")
    assert index.search(query, limit=3) == []


def test_vectors_are_unit_length_float16(vault, mail, embedder):
    embed_pending(vault, embedder)
    for (blob,) in vault.conn.execute("SELECT vector FROM chunk_vectors"):
        vector = np.frombuffer(blob, dtype=np.float16).astype(np.float32)
        assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-2
